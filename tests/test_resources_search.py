"""Search against a real Redis: places, filters, open-now, ranking, paging, index swaps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.resources import ensure_index, load_directory, rebuild_index, search
from hotline.resources.index import index_key, index_meta
from tests.resources_helpers import entry, ids, write_dir

NY = ZoneInfo("America/New_York")


def test_lowell_zip_returns_lowell_organisations(shipped):
    result = search(shipped, "01852", limit=5)
    assert result.status == "found" and "Lowell" in result.place
    assert "center-for-hope-and-healing" in ids(result) and result.has_more
    local = [i for i in search(shipped, "01852", limit=100).items if i.scope == "local"]
    assert local and all(item.town in ("Lowell", "Tewksbury") for item in local)


def test_cambridge_zip_returns_cambridge_organisations(shipped):
    result = search(shipped, "02139", limit=30)
    assert result.status == "found"
    assert {"transition-house", "maps-cambridge"} <= set(ids(result))
    for tier in (0, 1):  # in each tier, Cambridge's own entries before other towns'
        here = [
            i.town == "Cambridge" for i in result.items if i.scope == "local" and i.tier == tier
        ]
        assert here == sorted(here, reverse=True) and here[0]


def test_town_names_any_case_and_misspelt(shipped):
    for query in ("Lowell", "lowell ma", "LOWELL, MA", "lowel", "Lowell, Massachusetts"):
        result = search(shipped, query)
        assert result.status == "found" and result.place == "Lowell, MA", query
    assert search(shipped, "cambrige").place == "Cambridge, MA"
    assert search(shipped, "kendall square").place == "Cambridge, MA"


def test_unknown_place_is_not_found_not_an_error(shipped):
    for query in ("99999", "zzzz", "", "help me please"):
        result = search(shipped, query)
        assert result.status == "not_found" and result.items == []


def test_zip_outside_massachusetts_gets_only_wide_lines(shipped):
    result = search(shipped, "03060", limit=50)
    assert result.status == "outside" and "NH" in result.place
    assert result.items and all(item.scope in ("statewide", "national") for item in result.items)
    assert ids(result)[0] == "national-human-trafficking-hotline"
    assert "emergency-911" in ids(result)


def test_need_first_then_local_before_wide_and_unverified_after_verified(shipped):
    items = search(shipped, "01852", limit=100).items
    verified = [i.verified for i in items]
    assert verified == sorted(verified, reverse=True)  # unverified only at the end
    assert not items[-1].verified
    tiers = [i.tier for i in items if i.verified]
    assert tiers == sorted(tiers)  # 24/7 lines, services, law enforcement
    lines = [i for i in items if i.verified and i.tier == 0 and not i.narrow and i.priority == 5]
    wide = [i.scope in ("statewide", "national") for i in lines]
    assert wide == sorted(wide) and wide[0] is False  # Lowell's own lines before wide ones


def test_wide_lines_come_first_when_nothing_local_matches(shipped):
    result = search(shipped, "Pittsfield", category="hotline")
    assert result.items[0].id == "national-human-trafficking-hotline"


def test_category_filter(shipped):
    result = search(shipped, "01852", category="shelter", limit=20)
    assert result.items and all("shelter" in i.categories for i in result.items)
    assert ids(result)[0] in ("alternative-house", "lowell-transitional-living-center")


def test_language_filter_includes_interpreted_lines(shipped):
    result = search(shipped, "02139", language="pt", limit=20)
    got = ids(result)
    assert "maps-cambridge" in got and "national-human-trafficking-hotline" in got
    assert "transition-house" not in got
    assert all("pt" in i.languages or i.interpreters for i in result.items)


def test_population_filter_keeps_open_to_all(shipped):
    got = ids(search(shipped, "01852", population="men", limit=50))
    assert "lowell-house-mens-recovery-home" in got and "center-for-hope-and-healing" in got
    assert "eva-center" not in got  # women only


def test_regional_service_shows_only_where_it_covers(shipped):
    assert "lowell-police" not in ids(search(shipped, "02139", limit=50))
    assert "cambridge-police" in ids(search(shipped, "02139", limit=50))
    assert "gbls-cambridge-somerville" in ids(search(shipped, "Somerville", limit=50))
    assert "gbls-cambridge-somerville" not in ids(search(shipped, "01852", limit=50))


def test_open_now_uses_new_york_time(redis_client, tmp_path):
    folder = write_dir(tmp_path, [
        entry("weekdays", hours={"mon-fri": "09:00-17:00"}),
        entry("always", hours="24/7"),
        entry("unknown"),
        entry("overnight", hours={"fri": "22:00-02:00"}),
    ])  # fmt: skip
    rebuild_index(redis_client, load_directory(folder))

    def open_at(when: datetime) -> set[str]:
        return set(ids(search(redis_client, "01852", open_now=True, now=when, limit=10)))

    assert open_at(datetime(2026, 3, 4, 10, 0, tzinfo=NY)) == {"weekdays", "always"}
    assert open_at(datetime(2026, 3, 4, 18, 0, tzinfo=NY)) == {"always"}
    # 15:30 UTC on a Wednesday is 10:30 in New York
    assert "weekdays" in open_at(datetime(2026, 3, 4, 15, 30, tzinfo=ZoneInfo("UTC")))
    assert open_at(datetime(2026, 3, 7, 1, 0, tzinfo=NY)) == {"always", "overnight"}  # Sat 1am
    assert open_at(datetime(2026, 3, 7, 3, 0, tzinfo=NY)) == {"always"}
    assert len(ids(search(redis_client, "01852", limit=10))) == 4


def test_open_now_never_hides_911(shipped):
    got = ids(search(shipped, "01852", open_now=True, now=datetime(2026, 3, 8, 3, 0, tzinfo=NY),
                     limit=50))  # fmt: skip
    assert "emergency-911" in got and "lowell-police" not in got


def test_paging_is_complete_and_disjoint(shipped):
    everything = ids(search(shipped, "01852", limit=100))
    pages, offset = [], 0
    while True:
        page = search(shipped, "01852", limit=4, offset=offset)
        pages += ids(page)
        offset = page.next_offset
        if not page.has_more:
            break
    assert pages == everything


def test_truncated_geo_fetch_still_ranks_correctly(redis_client, tmp_path):
    """More near entries than the first fetch asks for: the unverified far one still comes last."""
    near = [entry(f"n{i:02d}") for i in range(60)]
    far = entry("far-unverified", location={"town": "Tewksbury", "coordinates": "town-centroid"},
                provenance={**entry("x")["provenance"], "confidence": "low"})  # fmt: skip
    wide = entry("line", location=None, service_area={"scope": "statewide"})
    rebuild_index(redis_client, load_directory(write_dir(tmp_path, [far, *near, wide])))
    result = search(redis_client, "Lowell", limit=100)
    assert len(result.items) == 62
    assert ids(result)[-2:] == ["line", "far-unverified"]
    assert ids(search(redis_client, "Lowell", limit=5, offset=60)) == ["line", "far-unverified"]


def test_rebuild_swaps_atomically_and_drops_stale_keys(redis_client, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_dir(tmp_path / "a", [entry("old", categories=["legal"])])
    rebuild_index(redis_client, load_directory(first))
    assert ids(search(redis_client, "01852", category="legal")) == ["old"]
    second = write_dir(tmp_path / "b", [entry("new", categories=["shelter"])])
    rebuild_index(redis_client, load_directory(second))
    assert ids(search(redis_client, "01852", category="legal")) == []
    assert ids(search(redis_client, "01852")) == ["new"]
    assert not redis_client.exists(index_key("geo:legal"))
    assert not redis_client.keys("hotline:resources:build:*")


def test_ensure_index_builds_when_missing_and_follows_data_changes(redis_client, tmp_path):
    folder = write_dir(tmp_path, [entry("one")])
    ensure_index(redis_client, folder)
    built = index_meta(redis_client)
    assert built["count"] == "1"
    ensure_index(redis_client, folder)
    assert index_meta(redis_client)["built_at"] == built["built_at"]  # not rebuilt
    write_dir(tmp_path, [entry("one"), entry("two")])
    ensure_index(redis_client, folder)
    assert index_meta(redis_client)["count"] == "2"


def test_search_costs_one_round_trip(shipped, monkeypatch):
    calls = []
    original = shipped.execute_command

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(shipped, "execute_command", counting)
    search(shipped, "01852", category="shelter")
    search(shipped, "01852", category="shelter")
    assert calls[-1] == "EVALSHA" and len(calls) <= 3  # one SCRIPT LOAD at most, then EVALSHA
