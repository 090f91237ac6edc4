"""Bad data is refused with file:line and the entry id."""

from __future__ import annotations

import pytest

from hotline.resources import DirectoryError, load_directory
from hotline.resources.directory import read_directory
from hotline.resources.models import parse_hours
from tests.resources_helpers import entry, write_dir


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"categories": ["spa"]}, "categories"),
        ({"phones": [{"number": "555-0100", "kind": "main"}]}, "not a valid number"),
        ({"phones": [{"number": "978-937-3200", "kind": "pager"}]}, "kind"),
        ({"hours": {"mon": "9-5"}}, "bad hours"),
        ({"hours": {"funday": "09:00-17:00"}}, "bad day"),
        ({"location": {"town": "Lowell"}}, "coordinates"),
        (
            {
                "location": {
                    "town": "Lowell",
                    "confidential": True,
                    "coordinates": "zip-centroid",
                    "zip": "01852",
                }
            },
            "confidential",
        ),  # fmt: skip
        ({"languages": ["Spanish"]}, "language codes"),
        (
            {"provenance": {"sources": [], "recorded": "2026-01-01", "confidence": "high"}},
            "sources",
        ),  # fmt: skip
        ({"location": {"town": "Nowhereville", "coordinates": "town-centroid"}}, "unknown"),
    ],
)
def test_bad_entries_name_file_line_and_id(tmp_path, fields, message):
    folder = write_dir(tmp_path, [entry("good-one"), entry("bad-one", **fields)])
    with pytest.raises(DirectoryError) as err:
        load_directory(folder)
    text = str(err.value)
    assert "resources.yaml:" in text and "(bad-one)" in text and message in text
    assert "(good-one)" not in text


def test_coordinates_outside_massachusetts_are_an_error(tmp_path):
    nashua = {"town": "Nashua", "coordinates": "given", "lat": 42.7564, "lon": -71.4667}
    folder = write_dir(tmp_path, [entry("nh", location=nashua)])
    problems = read_directory(folder).problems
    assert any("outside Massachusetts" in p.message for p in problems)


def test_statewide_lines_need_no_coordinates(tmp_path):
    folder = write_dir(
        tmp_path, [entry("wide", location=None, service_area={"scope": "statewide"})]
    )
    assert len(load_directory(folder)) == 1


def test_duplicate_ids_are_refused(tmp_path):
    folder = write_dir(tmp_path, [entry("same"), entry("same")])
    with pytest.raises(DirectoryError, match="duplicate id"):
        load_directory(folder)


def test_old_and_undated_sources_warn_but_load(tmp_path):
    old = dict(entry("old")["provenance"], sources=[{"url": "x", "date": "2010"}])
    undated = dict(entry("undated")["provenance"], sources=[{"url": "x", "date": "undated"}])
    folder = write_dir(
        tmp_path, [entry("old", provenance=old), entry("undated", provenance=undated)]
    )
    directory = load_directory(folder)
    messages = [p.message for p in directory.problems if p.severity == "warning"]
    assert "newest source is from 2010" in messages and "no dated source" in messages


def test_hours_syntax():
    assert parse_hours("24/7")["sun"] == [(0, 1440)]
    assert parse_hours({"mon-fri": "08:30-17:00"})["fri"] == [(510, 1020)]
    assert parse_hours({"sat": "22:00-02:00, 09:00-10:00"})["sat"] == [(1320, 120), (540, 600)]
    with pytest.raises(ValueError):
        parse_hours({"mon": "10:00-10:00"})
    with pytest.raises(ValueError):
        parse_hours({"fri-mon": "10:00-11:00"})
