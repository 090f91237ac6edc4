"""Load data/*.yaml into validated Resources, naming file:line for every problem."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from pydantic import ValidationError

from hotline.resources import geocode
from hotline.resources.models import ALWAYS, Location, Resource

# Massachusetts' bounding box, for coordinates given by hand or by an import.
MA_BOUNDS = (41.18, 42.89, -73.51, -69.85)
STALE_YEARS = 3


class DirectoryError(ValueError):
    """The directory data is wrong; the message names file:line and entry id."""


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


@dataclass
class Directory:
    """The validated entries of data/, with their derived coordinates."""

    resources: list[Resource]
    fingerprint: str = ""
    problems: list[Problem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # id -> "file:line"

    def __len__(self) -> int:
        return len(self.resources)

    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.resources}


def _entries(path: Path) -> list[tuple[int, object]]:
    """(line, raw entry) pairs from a file holding `resources: [...]`."""
    text = path.read_text(encoding="utf-8")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node else None
    finally:
        loader.dispose()
    if not data:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise DirectoryError(f"{path}:1: expected a mapping with a 'resources' list")
    items = next(v for k, v in node.value if k.value == "resources").value
    return [(n.start_mark.line + 1, raw) for n, raw in zip(items, data["resources"], strict=True)]


def _where(path: Path, line: int, raw: object) -> str:
    ident = raw.get("id", "?") if isinstance(raw, dict) else "?"
    return f"{path}:{line} ({ident})"


def _error_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def _placed(resource: Resource) -> Resource:
    """Fill lat/lon from the ZIP or town centroid the entry names."""
    loc = resource.location
    if loc is None or loc.coordinates in (None, "given"):
        return resource
    if loc.coordinates == "zip-centroid":
        point = geocode.zip_point(loc.zip or "")
        if point is None:
            raise ValueError(f"unknown ZIP {loc.zip!r}")
        lat, lon = float(point["lat"]), float(point["long"])
    else:
        town = geocode.town_centroid(loc.town or "")
        if town is None:
            raise ValueError(f"unknown Massachusetts town {loc.town!r}")
        lat, lon = town.lat, town.lon
    placed = Location.model_construct(**{**loc.model_dump(), "lat": lat, "lon": lon})
    return resource.model_copy(update={"location": placed})


def _inside_ma(lat: float, lon: float) -> bool:
    """Inside MA's bounding box and nearest to a Massachusetts ZIP centroid."""
    south, north, west, east = MA_BOUNDS
    inside_box = south <= lat <= north and west <= lon <= east
    return inside_box and geocode.state_at(lat, lon) == geocode.STATE


def _semantic(resource: Resource, where: str, today: date) -> list[Problem]:
    """Checks a schema cannot express: place, towns, source age."""
    out = []
    loc = resource.location
    if loc and loc.lat is not None and not resource.wide and not _inside_ma(loc.lat, loc.lon):
        out.append(Problem(where, "coordinates are outside Massachusetts"))
    if loc and loc.zip and geocode.zip_point(loc.zip) is None:
        out.append(Problem(where, f"unknown ZIP {loc.zip}"))
    for town in resource.service_area.towns:
        if geocode.town_centroid(town) is None:
            out.append(Problem(where, f"service area town {town!r} is not a Massachusetts town"))
    if resource.hours == ALWAYS:
        out.append(
            Problem(
                where,
                "hours '24/7' on the entry reads as its office or address "
                "being open 24/7: put it on the phone line that is",
                "warning",
            )
        )
    years = [s.year for s in resource.provenance.sources if s.year]
    if not years:
        out.append(Problem(where, "no dated source", "warning"))
    elif today.year - max(years) > STALE_YEARS:
        out.append(Problem(where, f"newest source is from {max(years)}", "warning"))
    return out


def _validate(path: Path, line: int, raw: object, today: date) -> tuple[Resource | None, list]:
    where = _where(path, line, raw)
    try:
        resource = _placed(Resource.model_validate(raw))
    except ValidationError as exc:
        return None, [Problem(where, _error_text(exc))]
    except ValueError as exc:
        return None, [Problem(where, str(exc))]
    return resource, _semantic(resource, where, today)


def files_of(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.yaml") if p.is_file())


def fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.name).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def read_directory(path: Path, today: date | None = None) -> Directory:
    """Every entry that validates, plus every problem found (for `hotline resources check`)."""
    today = today or date.today()
    files = files_of(path)
    resources, problems, seen = [], [], {}
    for file in files:
        try:
            entries = _entries(file)
        except (yaml.YAMLError, DirectoryError) as exc:
            problems.append(Problem(str(file), str(exc)))
            continue
        for line, raw in entries:
            resource, found = _validate(file, line, raw, today)
            problems.extend(found)
            if resource is None:
                continue
            if resource.id in seen:
                first = seen[resource.id]
                problems.append(
                    Problem(_where(file, line, raw), f"duplicate id (first at {first})")
                )
                continue
            seen[resource.id] = f"{file}:{line}"
            resources.append(resource)
    if not files:
        problems.append(Problem(str(path), "no *.yaml files"))
    problems += _one_rule_per_town(resources, seen)
    return Directory(resources, fingerprint(files), problems, dict(seen))


def _one_rule_per_town(resources: list[Resource], origins: dict[str, str]) -> list[Problem]:
    """A town's entries placed by centroid use one centroid, so a ZIP centroid cannot put some
    of them kilometres ahead of the rest (ranking breaks ties by distance). Real coordinates
    (`given`, from an import) are not an approximation and may sit beside either."""
    rules: dict[str, dict[str, str]] = {}
    for res in resources:
        loc = res.location
        if loc and loc.town and loc.coordinates in ("zip-centroid", "town-centroid"):
            rules.setdefault(loc.town.lower(), {}).setdefault(loc.coordinates, res.id)
    out = []
    for town, used in rules.items():
        if len(used) > 1:
            first = next(iter(used.values()))
            named = ", ".join(f"{rule} ({ident})" for rule, ident in used.items())
            out.append(
                Problem(
                    origins[first],
                    f"one geocoding rule per town: {town.title()} "
                    f"mixes {named}; use town-centroid for all of them",
                )
            )
    return out


def load_directory(path: Path) -> Directory:
    """Load and validate; raise DirectoryError listing every error (warnings do not stop it)."""
    directory = read_directory(Path(path))
    errors = [p for p in directory.problems if p.severity == "error"]
    if errors:
        raise DirectoryError("invalid resource directory:\n" + "\n".join(map(str, errors)))
    return directory
