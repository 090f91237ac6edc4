"""ZIP code or town name -> coordinates, offline, from the `zipcodes` package's US ZIP centroids."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

STATE = "MA"
# Informal names people text for places the zipcodes data names otherwise (lowercase).
ALIASES = {
    "camb": "cambridge",
    "cambridge mass": "cambridge",
    "harvard square": "cambridge",
    "central square": "cambridge",
    "east cambridge": "cambridge",
    "north cambridge": "cambridge",
    "porter square": "cambridge",
    "centralville": "lowell",
    "belvidere": "lowell",
    "pawtucketville": "lowell",
    "the acre": "lowell",
    "acre": "lowell",
    "back central": "lowell",
    "downtown lowell": "lowell",
    "south lowell": "lowell",
    "highlands": "lowell",
    "bos": "boston",
}
_STATE_SUFFIX = re.compile(r"[\s,]+(ma|mass|massachusetts|[a-z]{2})\.?$")
_ZIP = re.compile(
    r"(?<!\d)(\d{5})(?:[-\s]?\d{4})?(?!\d)"
)  # ZIP, ZIP+4 as "01852 1234" or "018521234"


@dataclass(frozen=True)
class Place:
    """A resolved query: status 'found' (in MA), 'outside' (valid ZIP elsewhere) or 'not_found'."""

    status: str
    label: str = ""
    lat: float | None = None
    lon: float | None = None
    town: str = ""
    county: str = ""
    state: str = ""


@dataclass(frozen=True)
class _Town:
    name: str
    county: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, dict]:
    return {z["zip_code"]: z for z in zipcodes.list_all()}


@lru_cache(maxsize=1)
def _ma_towns() -> dict[str, _Town]:
    """Lowercase MA town name -> centroid of its ZIP centroids (plus the package's alias names)."""
    points: dict[str, list[tuple[float, float]]] = {}
    county: dict[str, str] = {}
    names: dict[str, str] = {}
    for z in zipcodes.filter_by(state=STATE):
        city = z["city"]
        points.setdefault(city, []).append((float(z["lat"]), float(z["long"])))
        county.setdefault(city, z["county"])
        names[city.lower()] = city
        for other in z.get("acceptable_cities", []) + z.get("unacceptable_cities", []):
            names.setdefault(other.lower(), city)
    towns = {}
    for low, city in names.items():
        pts = points[city]
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        towns[low] = _Town(city, county[city], round(lat, 5), round(lon, 5))
    return towns


@lru_cache(maxsize=1)
def _states() -> frozenset[str]:
    return frozenset(z["state"].lower() for z in _zip_table().values())


def town_centroid(name: str) -> _Town | None:
    """The centroid of a Massachusetts town's ZIP centroids, or None if it is not an MA town."""
    return _ma_towns().get(name.strip().lower())


def zip_point(code: str) -> dict | None:
    return _zip_table().get(code)


def _from_zip(code: str) -> Place:
    z = zip_point(code)
    if z is None:
        return Place("not_found", code)
    label = f"{z['city']}, {z['state']} {code}"
    lat, lon = float(z["lat"]), float(z["long"])
    status = "found" if z["state"] == STATE else "outside"
    return Place(status, label, lat, lon, z["city"], z["county"], z["state"])


def _clean(text: str) -> tuple[str, str]:
    """Lowercase, strip punctuation and a trailing state ('lowell, ma') -> (town, state)."""
    text = re.sub(r"[^\w\s,.-]", " ", text.lower()).strip(" .,")
    text = re.sub(r"\s+", " ", text)
    state = ""
    match = _STATE_SUFFIX.search(text)
    if match and (match.group(1) in ("ma", "mass", "massachusetts") or match.group(1) in _states()):
        state = "ma" if match.group(1).startswith("ma") else match.group(1)
        text = text[: match.start()].strip(" .,")
    return text, state


def _town_place(town: _Town) -> Place:
    return Place(
        "found", f"{town.name}, {STATE}", town.lat, town.lon, town.name, town.county, STATE
    )


def _other_state(name: str, state: str) -> Place:
    found = zipcodes.filter_by(state=state.upper(), city=name.title())
    if not found:
        return Place("not_found", name)
    z = found[0]
    return Place("outside", f"{z['city']}, {z['state']}", float(z["lat"]), float(z["long"]),
                 z["city"], z["county"], z["state"])  # fmt: skip


def _match_town(name: str) -> _Town | None:
    towns = _ma_towns()
    name = ALIASES.get(name, name)
    if name in towns:
        return towns[name]
    close = difflib.get_close_matches(name, list(towns), n=1, cutoff=0.8)
    return towns[close[0]] if close else None


def resolve(query: str) -> Place:
    """Resolve a texted ZIP code or town ('01852', '1852', 'Lowell MA', 'cambrige') to a Place."""
    text = (query or "").strip()
    match = _ZIP.search(text)
    if match:
        return _from_zip(match.group(1))
    if re.fullmatch(r"\d{4}", text):
        return _from_zip("0" + text)  # a Massachusetts ZIP whose leading zero was dropped
    name, state = _clean(text)
    if not name or len(name) < 3 or name.isdigit():
        return Place("not_found", text[:40])
    if state and state != "ma":
        return _other_state(name, state)
    town = _match_town(name)
    return _town_place(town) if town else Place("not_found", text[:40])


@lru_cache(maxsize=1)
def _grid() -> dict[tuple[int, int], list[tuple[float, float, str]]]:
    """ZIP centroids bucketed in 0.2-degree cells, for a nearest-ZIP lookup."""
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for z in _zip_table().values():
        if not z.get("lat") or not z.get("long"):
            continue
        lat, lon = float(z["lat"]), float(z["long"])
        grid.setdefault((int(lat * 5), int(lon * 5)), []).append((lat, lon, z["state"]))
    return grid


def state_at(lat: float, lon: float) -> str | None:
    """The state of the nearest ZIP centroid (within about 40 km), offline."""
    grid, cell = _grid(), (int(lat * 5), int(lon * 5))
    best: tuple[float, str] | None = None
    for dlat in range(-2, 3):
        for dlon in range(-2, 3):
            for zlat, zlon, state in grid.get((cell[0] + dlat, cell[1] + dlon), ()):
                d = (zlat - lat) ** 2 + ((zlon - lon) * 0.74) ** 2
                if best is None or d < best[0]:
                    best = (d, state)
    return best[1] if best else None
