"""Nearest help for a ZIP or town: filters, open-now, and the hotline's ranking rules.

Order: verified local (nearest first, plus regional services covering the place), verified
statewide/national lines, then unverified local, then unverified statewide/national.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import redis

from hotline.resources import geocode
from hotline.resources.index import Fetch, fetch
from hotline.resources.models import DAYS
from hotline.resources.views import SearchResult, from_doc

RADIUS_KM = 30.0
TIMEZONE = "America/New_York"
MAX_COUNT = 4096


@dataclass(frozen=True)
class Filters:
    category: str | None
    language: str | None
    population: str | None
    open_at: tuple[int, int] | None  # (weekday index, minute of day) when open_now


def is_open(hours: object, weekday: int, minute: int) -> bool:
    """True when a stored schedule covers this moment; unknown hours are never 'open now'."""
    if hours is None:
        return False
    if hours == "24/7":
        return True
    for start, end in hours.get(DAYS[weekday], ()):
        if start < end and start <= minute < end:
            return True
        if end < start and minute >= start:  # runs past midnight
            return True
    return any(end < start and minute < end for start, end in hours.get(DAYS[weekday - 1], ()))


def _matches(doc: dict, f: Filters) -> bool:
    if f.category and f.category not in doc["categories"]:
        return False
    speaks = not f.language or f.language == "en" or f.language in doc["languages"]
    if not (speaks or doc["interpreters"]):
        return False
    if f.population and doc["serves"] and f.population not in doc["serves"]:
        return False
    if f.open_at and "emergency" not in doc["categories"]:  # never hide 911 from open-now
        return is_open(doc["hours"], *f.open_at)
    return True


def _km(lat1: float, lon1: float, lat2: float | None, lon2: float | None) -> float | None:
    if lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def _local(got: Fetch, f: Filters, place: geocode.Place, trunc: bool) -> list[tuple]:
    """(distance, id, doc) of local + covering regional entries; past the fetched edge untrusted."""
    found = [(d, i, got.docs[i]) for i, d in got.near if i in got.docs]
    for ident in got.area:
        doc = got.docs.get(ident)
        if doc:
            found.append((_km(place.lat, place.lon, doc["lat"], doc["lon"]), ident, doc))
    found = [x for x in found if _matches(x[2], f)]
    if trunc and got.near:
        edge = got.near[-1][1]
        found = [x for x in found if x[0] is not None and x[0] <= edge]
    found.sort(key=lambda x: (x[0] is None, round(x[0] or 0.0, 3), x[1]))
    return found


def _rank(got: Fetch, f: Filters, place: geocode.Place, near_n: int, wide_n: int, need: int):
    """Ordered (distance, id, doc) and whether the first `need` of them are certainly right."""
    near_trunc = near_n > 0 and len(got.near) >= near_n
    wide_trunc = wide_n > 0 and got.wide_total > len(got.wide)
    local = _local(got, f, place, near_trunc)
    wide = [(None, i, got.docs[i]) for i in got.wide if i in got.docs and _matches(got.docs[i], f)]
    groups = [
        ([x for x in local if x[2]["verified"]], near_trunc),
        ([x for x in wide if x[2]["verified"]], wide_trunc),
        ([x for x in local if not x[2]["verified"]], near_trunc),
        ([x for x in wide if not x[2]["verified"]], wide_trunc),
    ]
    ordered: list[tuple] = []
    for found, truncated in groups:
        if truncated and len(ordered) + len(found) < need:
            return ordered, False
        ordered.extend(found)
        if len(ordered) >= need:
            break
    return ordered, True


def _grow(n: int) -> int:
    return 0 if n <= 0 or n * 4 > MAX_COUNT else n * 4


def _filters(category, language, population, open_now, now, tz) -> Filters:
    open_at = None
    if open_now:
        zone = ZoneInfo(tz)
        moment = now or datetime.now(zone)
        moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
        open_at = (moment.weekday(), moment.hour * 60 + moment.minute)
    lang = language.lower() if language else None
    return Filters(category, lang, population, open_at)


def search(
    r: redis.Redis,
    query: str,
    *,
    category: str | None = None,
    language: str | None = None,
    population: str | None = None,
    open_now: bool = False,
    limit: int = 5,
    offset: int = 0,
    now: datetime | None = None,
    radius_km: float = RADIUS_KM,
    tz: str = TIMEZONE,
) -> SearchResult:
    """Resolve the query to a place, then page through the ranked matches."""
    place = geocode.resolve(query)
    if place.status == "not_found":
        return SearchResult("not_found", place.label, [], False, offset, limit)
    f = _filters(category, language, population, open_now, now, tz)
    need = offset + limit + 1
    strict = language or population or open_now
    near_n = -1 if place.status == "outside" else max(need * (4 if strict else 3), 10)
    wide_n = max(need * 2, 10)
    while True:
        got = fetch(
            r, lon=place.lon, lat=place.lat, radius_km=radius_km, near_count=near_n,
            town=place.town, county=place.county, category=category, wide_count=wide_n,
        )  # fmt: skip
        ordered, complete = _rank(got, f, place, near_n, wide_n, need)
        if complete:
            break
        near_n = near_n if near_n < 0 else _grow(near_n)
        wide_n = _grow(wide_n)
    items = [from_doc(doc, dist) for dist, _, doc in ordered[offset : offset + limit]]
    return SearchResult(
        place.status, place.label, items, len(ordered) > offset + limit, offset, limit
    )
