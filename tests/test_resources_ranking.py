"""The directory ordered for a survivor (issue 13): 24/7 lines, then services, then the police.

The first pages of the shipped directory are pinned for the ZIP codes and towns the hotline
serves; the rules behind them are tested on small made-up directories.
"""

from __future__ import annotations

import pytest

from hotline.resources import load_directory, rebuild_index, search
from hotline.resources.directory import read_directory
from tests.resources_helpers import entry, ids, write_dir

FIRST_PAGE = 3  # what one SMS or voice lookup shows (channels/perform.py PAGE_SIZE)
LOWELL_PAGE = ["national-human-trafficking-hotline", "center-for-hope-and-healing",
               "alternative-house"]  # fmt: skip
CAMBRIDGE_PAGE = ["national-human-trafficking-hotline", "transition-house",
                  "cha-access-crisis-line"]  # fmt: skip


def _police(item) -> bool:
    return "law-enforcement" in item.categories


def _line_24_7(item) -> bool:
    return any(p.hours == "24/7" and p.kind in ("hotline", "crisis") for p in item.phones)


@pytest.mark.parametrize(
    ("query", "page"),
    [("01852", LOWELL_PAGE), ("01851", LOWELL_PAGE), ("Lowell", LOWELL_PAGE),
     ("02139", CAMBRIDGE_PAGE), ("Cambridge", CAMBRIDGE_PAGE)],
)  # fmt: skip
def test_first_page_pinned_crisis_lines_first_no_police(shipped, query, page):
    result = search(shipped, query, limit=FIRST_PAGE)
    assert ids(result) == page
    assert all(_line_24_7(item) for item in result.items)
    assert not any(_police(item) for item in search(shipped, query, limit=8).items)


@pytest.mark.parametrize("query", ["01852", "01851", "Lowell", "02139", "Cambridge", "Tewksbury"])
def test_police_come_after_every_service_unless_asked_for(shipped, query):
    items = search(shipped, query, limit=100).items
    verified = [i for i in items if i.verified]
    police = [_police(i) for i in verified]
    assert police == sorted(police), [i.id for i in verified]  # police last among verified
    asked = search(shipped, query, category="law-enforcement", limit=3).items
    assert asked and all(_police(i) for i in asked)


def test_a_zip_centroid_does_not_jump_entries_ahead(shipped):
    """Every Lowell entry is placed by one rule, so 01852 and 01851 rank Lowell alike."""
    assert ids(search(shipped, "01852", limit=100)) == ids(search(shipped, "01851", limit=100))
    assert ids(search(shipped, "01852", limit=100)) == ids(search(shipped, "Lowell", limit=100))


def test_one_geocoding_rule_per_town_is_checked(tmp_path):
    folder = write_dir(tmp_path, [
        entry("by-town"),
        entry("by-zip", location={"town": "Lowell", "zip": "01852", "coordinates": "zip-centroid"}),
    ])  # fmt: skip
    problems = [str(p) for p in read_directory(folder).problems if p.severity == "error"]
    assert any("one geocoding rule per town" in p and "Lowell" in p for p in problems), problems


def test_out_of_area_and_narrow_entries_stay_off_another_citys_first_pages(shipped):
    for query in ("02139", "Cambridge"):
        first_two_pages = ids(search(shipped, query, limit=2 * FIRST_PAGE))
        assert "lowell-house-mens-recovery-home" not in first_two_pages
        assert not [i for i in first_two_pages if i.startswith("lowell-")]
    for query in ("01852", "Lowell"):
        assert "gbls-cambridge-somerville" not in ids(search(shipped, query, limit=100))


def test_hsi_is_labelled_ice_and_kept_out_of_texter_results(shipped):
    for query in ("01852", "02139", "Lowell", "Pittsfield", "03060"):
        for category in (None, "law-enforcement"):
            got = ids(search(shipped, query, category=category, limit=100))
            assert "hsi-tip-line" not in got, (query, category)
    staff = search(shipped, "02139", category="law-enforcement", limit=100, for_staff=True)
    hsi = next(i for i in staff.items if i.id == "hsi-tip-line")
    assert "ICE" in hsi.name and "immigration" in hsi.summary["en"].lower()


def test_ties_break_by_declared_priority_then_distance_then_file_order_never_by_id(
    redis_client, tmp_path
):
    line = {"number": "978-937-3200", "kind": "hotline", "hours": "24/7"}

    def town(name: str) -> dict:
        return {"town": name, "coordinates": "town-centroid"}

    folder = write_dir(tmp_path, [
        entry("cc-service"),
        entry("tt-farther-town", phones=[line], location=town("Tewksbury")),
        entry("zz-first-in-file", phones=[line]),
        entry("aa-second-in-file", phones=[line]),
        entry("mm-declared", phones=[line], priority=2),
        entry("dd-nearer-town", phones=[line], location=town("Chelmsford")),
    ])  # fmt: skip
    rebuild_index(redis_client, load_directory(folder))
    assert ids(search(redis_client, "Lowell", limit=10)) == [
        "mm-declared", "zz-first-in-file", "aa-second-in-file", "dd-nearer-town",
        "tt-farther-town", "cc-service",
    ]  # fmt: skip


def test_wide_lines_follow_declared_priority(redis_client, tmp_path):
    line = {"number": "978-937-3200", "kind": "hotline", "hours": "24/7"}
    wide = {"location": None, "service_area": {"scope": "statewide"}}
    folder = write_dir(tmp_path, [
        entry("state-a", phones=[line], **wide),
        entry("state-b", phones=[line], priority=1, **wide),
        entry("local-line", phones=[line]),
    ])  # fmt: skip
    rebuild_index(redis_client, load_directory(folder))
    assert ids(search(redis_client, "Lowell", limit=10)) == ["state-b", "local-line", "state-a"]


def test_service_area_and_eligibility_decide_the_order(redis_client, tmp_path):
    """Same town first, then nearby towns, then narrow eligibility, whatever the distance."""

    def at(town: str) -> dict:
        return {"town": town, "coordinates": "town-centroid"}

    folder = write_dir(tmp_path, [
        entry("men-only-nearby", location=at("Somerville"), serves=["men", "adults"]),
        entry("open-farther", location=at("Boston")),
        entry("open-here", location=at("Cambridge")),
    ])  # fmt: skip
    rebuild_index(redis_client, load_directory(folder))
    assert ids(search(redis_client, "Cambridge", limit=10)) == [
        "open-here", "open-farther", "men-only-nearby"]  # fmt: skip
    asked = ids(search(redis_client, "Cambridge", population="men", limit=10))
    assert asked == ["open-here", "men-only-nearby", "open-farther"]
