"""HSDS import: the fixture round-trips into the directory, and every skip says why."""

from __future__ import annotations

import json
from pathlib import Path

from hotline.resources import load_directory
from hotline.resources.hsds import ImportOptions, import_hsds, write_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "hsds"
OPTIONS = ImportOptions(source_url="tests/fixtures/hsds", source_date="2026-01-01")


def test_fixture_imports_expected_entries():
    report = import_hsds(FIXTURE, OPTIONS)
    by_id = {r.id: r for r in report.resources}
    assert set(by_id) == {"hsds-s1-l1", "hsds-s2"}
    chh = by_id["hsds-s1-l1"]
    assert chh.name == "Center for Hope and Healing"
    assert [p.e164 for p in chh.phones] == ["+18005425212", "+19784527721"]
    assert chh.phones[0].kind == "hotline"
    assert chh.hours == "24/7" and chh.categories == ("hotline", "counseling")
    assert chh.location.address == "21 George St, Suite 400" and chh.location.town == "Lowell"
    fair = by_id["hsds-s2"]
    assert fair.wide and fair.service_area.scope == "statewide"
    assert fair.hours == {d: "10:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    assert fair.languages == ("en",)
    assert fair.provenance.sources[0].date == "2026-01-01"


def test_skipped_rows_are_reported_with_reasons_and_no_numbers():
    skipped = "\n".join(import_hsds(FIXTURE, OPTIONS).skipped)
    assert "service s3: no valid phone number" in skipped
    assert "service s4: phone row p5: not a valid phone number" in skipped
    assert "service s5 at location l5: location outside Massachusetts" in skipped
    assert "service s6: status inactive" in skipped
    assert "service s7 at location l7: no category" in skipped
    assert "555" not in skipped and "617" not in skipped


def test_default_category_rescues_uncategorised_services():
    options = ImportOptions("x", "2026-01-01", default_category="basic-needs")
    ids = {r.id for r in import_hsds(FIXTURE, options).resources}
    assert "hsds-s7-l7" in ids


def test_import_round_trips_through_the_directory(tmp_path):
    report = import_hsds(FIXTURE, OPTIONS)
    write_yaml(report.resources, tmp_path / "imported" / "fixture.yaml")
    loaded = load_directory(tmp_path / "imported")
    again = {r.id: r for r in loaded.resources}
    for original in report.resources:
        reloaded = again[original.id]
        assert reloaded.model_dump(exclude={"location"}) == original.model_dump(
            exclude={"location"}
        )
        if original.location:
            assert reloaded.location.address == original.location.address
            assert reloaded.location.lat is not None  # placed at the town centroid


def test_nested_hsds_json(tmp_path):
    services = [{
        "id": "j1", "name": "Transition House", "status": "active",
        "organization": {"id": "oj", "name": "Transition House"},
        "taxonomy_terms": [{"id": "t", "term": "Shelter"}],
        "phones": [{"id": "pj", "number": "617-661-7203", "type": "voice"}],
        "schedules": [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU",
                       "opens_at": "00:00", "closes_at": "23:59"}],
        "service_at_locations": [{"id": "sj", "location": {
            "id": "lj", "addresses": [{"address_1": "", "city": "Cambridge", "postal_code": ""}]}}],
    }]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(services))
    report = import_hsds(path, OPTIONS)
    (res,) = report.resources
    assert res.id == "hsds-j1-lj" and res.hours == "24/7" and res.categories == ("shelter",)
    assert res.location.coordinates == "town-centroid"
