"""What a search returns: light, already-safe views of entries (no confidential address in them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotline.resources.models import Resource


@dataclass(frozen=True, slots=True)
class PhoneView:
    number: str  # as the source wrote it
    e164: str  # E.164, or the digits of a short code
    kind: str
    voice: bool
    text: bool
    keyword: str | None = None
    ext: str | None = None


@dataclass(frozen=True, slots=True)
class ResourceView:
    """One entry as a channel may show it. `address` is None for confidential locations."""

    id: str
    name: str
    categories: tuple[str, ...]
    phones: tuple[PhoneView, ...]
    summary: dict[str, str]
    address: str | None
    town: str | None
    confidential: bool
    hours: Any  # None (unknown), "24/7", or {day: [[start_min, end_min], ...]}
    languages: tuple[str, ...]
    interpreters: bool
    serves: tuple[str, ...]
    scope: str
    verified: bool
    sources: tuple[str, ...]
    source_dates: tuple[str, ...]
    confirmed_by_phone: str | None
    lat: float | None = None
    lon: float | None = None
    distance_km: float | None = None


@dataclass
class SearchResult:
    """status: 'found', 'not_found' (unknown ZIP/town) or 'outside' (valid ZIP not in MA)."""

    status: str
    place: str
    items: list[ResourceView] = field(default_factory=list)
    has_more: bool = False
    offset: int = 0
    limit: int = 5

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.items)


def _schedule_doc(resource: Resource) -> Any:
    if resource.hours is None:
        return None
    if resource.hours == "24/7":
        return "24/7"
    return {day: [list(r) for r in ranges] for day, ranges in (resource.schedule or {}).items()}


def to_doc(resource: Resource) -> dict[str, Any]:
    """The JSON stored in the index: everything a channel needs, minus confidential addresses."""
    loc = resource.location
    confidential = bool(loc and loc.confidential)
    address = None
    if loc and loc.address and not confidential:
        address = ", ".join(p for p in (loc.address, loc.town) if p)
    return {
        "id": resource.id,
        "name": resource.name,
        "categories": list(resource.categories),
        "phones": [
            [p.number, p.e164, p.kind, p.voice, p.text, p.keyword, p.ext] for p in resource.phones
        ],
        "summary": dict(resource.summary),
        "address": address,
        "town": loc.town if loc else None,
        "confidential": confidential,
        "hours": _schedule_doc(resource),
        "languages": list(resource.languages),
        "interpreters": resource.interpreters,
        "serves": list(resource.serves),
        "scope": resource.service_area.scope,
        "verified": resource.verified,
        "sources": [s.url for s in resource.provenance.sources],
        "source_dates": [s.date for s in resource.provenance.sources],
        "confirmed_by_phone": (
            resource.provenance.confirmed_by_phone.isoformat()
            if resource.provenance.confirmed_by_phone
            else None
        ),
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
    }


def from_doc(doc: dict[str, Any], distance_km: float | None = None) -> ResourceView:
    fields = dict(doc)
    fields["phones"] = tuple(PhoneView(*p) for p in doc["phones"])
    for name in ("categories", "languages", "serves", "sources", "source_dates"):
        fields[name] = tuple(doc[name])
    return ResourceView(**fields, distance_km=distance_km)
