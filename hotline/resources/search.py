"""Help for a ZIP code or town, ordered for a survivor: filters, open-now, ranking, paging.

Order (issue 13), each rule breaking the ties of the one before:
1. verified entries before low-confidence ones (those say "please confirm by calling");
2. need: 24/7 crisis and advocacy lines, then services, then law enforcement (first only
   when the search asked for the law-enforcement category);
3. fit: entries in the person's town, regional services covering it and statewide/national
   lines, then local services of nearby towns, then narrow eligibility (men only, children
   only...) unless the search asked for that population;
4. the entry's declared `priority` (lower first);
5. local and regional help before statewide and national lines;
6. distance (every entry of a town is placed by one rule, so ties stay ties);
7. position in data/ (declared order), never the id.
Entries marked `staff_only` (the HSI tip line, part of ICE) are found only by staff searches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import redis

from hotline.resources import geocode
from hotline.resources.index import Fetch, fetch
from hotline.resources.models import DAYS, POLICE, TIER_LINE, TIER_POLICE, WIDE_SCOPES
from hotline.resources.views import SearchResult, from_doc

RADIUS_KM = 30.0
TIMEZONE = "America/New_York"
MAX_COUNT = 4096
NEAR_MIN = 64  # nearest local entries fetched at first; more only when the page needs them


@dataclass(frozen=True)
class Filters:
    category: str | None
    language: str | None
    population: str | None
    open_at: tuple[int, int] | None  # (weekday index, minute of day) when open_now
    for_staff: bool = False


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


def _open(doc: dict, weekday: int, minute: int) -> bool:
    """Open now: one of its lines, or the service itself."""
    hours = [p.get("hours") for p in doc["phones"]] + [doc["hours"]]
    return any(is_open(h, weekday, minute) for h in hours)


def _matches(doc: dict, f: Filters) -> bool:
    if doc.get("staff_only") and not f.for_staff:
        return False
    if f.category and f.category not in doc["categories"]:
        return False
    speaks = not f.language or f.language == "en" or f.language in doc["languages"]
    if not (speaks or doc["interpreters"]):
        return False
    if f.population and doc["serves"] and f.population not in doc["serves"]:
        return False
    if f.open_at and "emergency" not in doc["categories"]:  # never hide 911 from open-now
        return _open(doc, *f.open_at)
    return True


def _km(lat1: float, lon1: float, lat2: float | None, lon2: float | None) -> float | None:
    if lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def _key(doc: dict, distance: float | None, place: geocode.Place, f: Filters) -> tuple:
    """The ranking key of one entry for this search (the module docstring gives the rules)."""
    tier = doc["tier"]
    if tier == TIER_POLICE and f.category == POLICE:
        tier = TIER_LINE  # they asked for the police
    wide = doc["scope"] in WIDE_SCOPES
    here = wide or doc["scope"] == "regional" or (doc["town"] or "").lower() == place.town.lower()
    narrow = doc["narrow"] and not (f.population and f.population in doc["serves"])
    fit = 2 if narrow else (0 if here else 1)
    far = math.inf if distance is None else round(distance, 3)
    return (not doc["verified"], tier, fit, doc["priority"], wide, far, doc["order"])


def _rank(got: Fetch, f: Filters, place: geocode.Place, near_n: int, need: int):
    """Ordered (distance, doc) and whether the first `need` of them are certainly right.

    When the nearest-N fetch was cut short, an entry it left out is farther than the last one
    fetched but could rank higher on every other rule: the page is right only if its last
    entry outranks the best such entry could be.
    """
    found = [(d, got.docs[i]) for i, d in got.near if i in got.docs]
    for ident in got.area:
        if doc := got.docs.get(ident):
            found.append((_km(place.lat, place.lon, doc["lat"], doc["lon"]), doc))
    found += [(None, got.docs[i]) for i in got.wide if i in got.docs]
    keyed = sorted(
        ((_key(doc, d, place, f), d, doc) for d, doc in found if _matches(doc, f)),
        key=lambda x: x[0],
    )
    ordered = [(d, doc) for _, d, doc in keyed]
    if not (near_n > 0 and len(got.near) >= near_n):
        return ordered, True
    best_unfetched = (False, TIER_LINE, 0, 0, False, round(got.near[-1][1], 3), -1)
    return ordered, len(keyed) >= need and keyed[need - 1][0] < best_unfetched


def _grow(n: int) -> int:
    return 0 if n <= 0 or n * 4 > MAX_COUNT else n * 4


def _filters(category, language, population, open_now, now, tz, for_staff) -> Filters:
    open_at = None
    if open_now:
        zone = ZoneInfo(tz)
        moment = now or datetime.now(zone)
        moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
        open_at = (moment.weekday(), moment.hour * 60 + moment.minute)
    lang = language.lower() if language else None
    return Filters(category, lang, population, open_at, for_staff)


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
    for_staff: bool = False,
) -> SearchResult:
    """Resolve the query to a place, then page through the ranked matches.

    `language` keeps entries known to speak it or offering interpreters (entries whose
    languages are unknown are left out: staff pages show every entry instead, with
    ResourceView.language_status). `for_staff` also returns `staff_only` entries. Usually one
    Redis round trip; a dense index may take a few more.
    """
    place = geocode.resolve(query)
    if place.status == "not_found":
        return SearchResult("not_found", place.label, [], False, offset, limit)
    f = _filters(category, language, population, open_now, now, tz, for_staff)
    need = offset + limit + 1
    near_n = -1 if place.status == "outside" else max(need * 4, NEAR_MIN)
    while True:
        got = fetch(
            r, lon=place.lon, lat=place.lat, radius_km=radius_km, near_count=near_n,
            town=place.town, county=place.county, category=category, wide_count=0,
        )  # fmt: skip
        ordered, complete = _rank(got, f, place, near_n, need)
        if complete:
            break
        near_n = _grow(near_n)
    items = [from_doc(doc, dist) for dist, doc in ordered[offset : offset + limit]]
    return SearchResult(
        place.status, place.label, items, len(ordered) > offset + limit, offset, limit
    )
