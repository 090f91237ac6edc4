"""The shared Redis index: GEO sets per category, area and statewide lists, JSON docs.

Built under fresh keys, then swapped in with RENAMEs inside one MULTI/EXEC, so every web
process sees either the old index or the new one, never a mix.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import redis

from hotline.resources.directory import Directory, files_of, fingerprint, load_directory
from hotline.resources.models import CATEGORIES, Resource
from hotline.resources.views import to_doc
from hotline.store import key

ALL = "*"
BASE = "resources"
SUFFIXES = ("docs", "areas", "wide", "meta", *(f"geo:{c}" for c in (ALL, *CATEGORIES)))
LOCK_SECONDS = 120
CHUNK = 2000


def index_key(suffix: str) -> str:
    return key(BASE, suffix)


def geo_key(category: str | None) -> str:
    return index_key(f"geo:{category or ALL}")


def area_field(category: str | None, kind: str, name: str) -> str:
    return f"{category or ALL}|{kind}|{name.lower()}"


def _build_key(token: str, suffix: str) -> str:
    return key(BASE, "build", token, suffix)


def static_rank(resource: Resource, order: int) -> tuple:
    """The part of the ranking that does not depend on the search (search.py adds the rest)."""
    return (not resource.verified, resource.tier, resource.narrow, resource.priority, order)


def _groups(resources: list[Resource]) -> tuple[dict, dict, dict]:
    """Per-category member lists: geo points, area fields -> ids, wide lines in rank order."""
    geo: dict[str, list] = {}
    areas: dict[str, list[str]] = {}
    wide: dict[str, list[str]] = {}
    ordered = [r for _, r in sorted(enumerate(resources), key=lambda x: static_rank(x[1], x[0]))]
    for res in ordered:
        for cat in (ALL, *res.categories):
            if res.wide:
                wide.setdefault(cat, []).append(res.id)
            elif res.service_area.scope == "regional":
                area = res.service_area
                fields = [area_field(cat, "town", t) for t in area.towns]
                fields += [area_field(cat, "county", c) for c in area.counties]
                for name in fields:
                    areas.setdefault(name, []).append(res.id)
            else:
                geo.setdefault(cat, []).extend((res.location.lon, res.location.lat, res.id))
    return geo, areas, wide


def _write(pipe: redis.client.Pipeline, token: str, resources: list[Resource]) -> None:
    docs = _build_key(token, "docs")
    for start in range(0, len(resources), CHUNK):
        chunk = resources[start : start + CHUNK]
        pipe.hset(docs, mapping={
            r.id: json.dumps(to_doc(r, start + i), separators=(",", ":"))
            for i, r in enumerate(chunk)
        })  # fmt: skip
        pipe.execute()
    geo, areas, wide = _groups(resources)
    for cat, members in geo.items():
        for start in range(0, len(members), CHUNK * 3):
            pipe.geoadd(_build_key(token, f"geo:{cat}"), members[start : start + CHUNK * 3])
        pipe.execute()
    if areas:
        pipe.hset(_build_key(token, "areas"), mapping={k: ",".join(v) for k, v in areas.items()})
    if wide:
        pipe.hset(_build_key(token, "wide"), mapping={k: ",".join(v) for k, v in wide.items()})
    pipe.execute()


def _swap(r: redis.Redis, token: str, meta: dict[str, str]) -> None:
    r.hset(_build_key(token, "meta"), mapping=meta)
    present = {s for s in SUFFIXES if r.exists(_build_key(token, s))}
    with r.pipeline(transaction=True) as tx:
        for suffix in SUFFIXES:
            if suffix in present:
                tx.rename(_build_key(token, suffix), index_key(suffix))
            else:
                tx.delete(index_key(suffix))
        tx.execute()


def rebuild_index(r: redis.Redis, directory: Directory) -> None:
    """Write the directory under fresh keys, then swap them in atomically."""
    token = secrets.token_hex(6)
    try:
        with r.pipeline(transaction=False) as pipe:
            _write(pipe, token, directory.resources)
        meta = {
            "fingerprint": directory.fingerprint,
            "count": str(len(directory.resources)),
            "built_at": str(int(time.time())),
        }
        _swap(r, token, meta)
    finally:
        leftovers = [_build_key(token, s) for s in SUFFIXES]
        r.delete(*leftovers)


def index_meta(r: redis.Redis) -> dict[str, str]:
    return r.hgetall(index_key("meta"))


def ensure_index(r: redis.Redis, resources_dir: Path) -> None:
    """Build the index at app start if missing or built from other data; one builder at a time."""
    current = index_meta(r).get("fingerprint")
    if current and current == fingerprint(files_of(Path(resources_dir))):
        return
    lock = index_key("lock")
    if not r.set(lock, "1", nx=True, ex=LOCK_SECONDS):
        return  # another process is building it right now
    try:
        rebuild_index(r, load_directory(Path(resources_dir)))
    finally:
        r.delete(lock)


# One round trip: nearest local entries, regional entries covering the town/county, and the
# statewide/national lines, with their JSON docs.
_FETCH = """
local near = {}
local count = tonumber(ARGV[4])
local radius = tonumber(ARGV[3])
if count > 0 then
  -- Widen the circle step by step: a small circle holding `count` entries holds the nearest
  -- ones, and searching it costs a fraction of the full radius in a dense index.
  for _, step in ipairs({3, 10, radius}) do
    local r = math.min(step, radius)
    near = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', r,
                      'km', 'ASC', 'COUNT', count, 'WITHDIST')
    if #near >= count or r >= radius then break end
  end
elseif count == 0 then
  near = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3],
                    'km', 'ASC', 'WITHDIST')
end
local ids, seen, area, wide = {}, {}, {}, {}
for _, pair in ipairs(near) do ids[#ids + 1] = pair[1]; seen[pair[1]] = true end
local function take(list, csv, cap)
  if not csv then return 0 end
  local total = 0
  for id in string.gmatch(csv, '[^,]+') do
    total = total + 1
    if (cap == 0 or #list < cap) and not seen[id] then
      seen[id] = true; list[#list + 1] = id; ids[#ids + 1] = id
    end
  end
  return total
end
if count >= 0 then
  take(area, redis.call('HGET', KEYS[2], ARGV[5]), 0)
  take(area, redis.call('HGET', KEYS[2], ARGV[6]), 0)
end
local wide_total = take(wide, redis.call('HGET', KEYS[3], ARGV[7]), tonumber(ARGV[8]))
local docs = {}
for i = 1, #ids, 1000 do
  local part = redis.call('HMGET', KEYS[4], unpack(ids, i, math.min(i + 999, #ids)))
  for _, doc in ipairs(part) do docs[#docs + 1] = doc end
end
return {near, area, wide, docs, wide_total}
"""


class Fetch:
    """The raw answer of one index round trip."""

    __slots__ = ("near", "area", "wide", "docs", "wide_total")

    def __init__(self, raw: list[Any]) -> None:
        self.near = [(m, float(d)) for m, d in raw[0]]
        self.area = list(raw[1])
        self.wide = list(raw[2])
        ids = [m for m, _ in self.near] + self.area + self.wide
        self.docs = {i: json.loads(d) for i, d in zip(ids, raw[3], strict=True) if d}
        self.wide_total = int(raw[4])


_script: list[Any] = []


def fetch(
    r: redis.Redis,
    *,
    lon: float,
    lat: float,
    radius_km: float,
    near_count: int,
    town: str,
    county: str,
    category: str | None,
    wide_count: int,
) -> Fetch:
    """near_count: >0 nearest N, 0 all within the radius, -1 no local search (outside MA)."""
    if not _script:
        _script.append(r.register_script(_FETCH))
    keys = [geo_key(category), index_key("areas"), index_key("wide"), index_key("docs")]
    args = [
        lon,
        lat,
        radius_km,
        near_count,
        area_field(category, "town", town),
        area_field(category, "county", county),
        category or ALL,
        wide_count,
    ]
    return Fetch(_script[0](keys=keys, args=args, client=r))
