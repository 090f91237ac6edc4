"""What a search returns: light, already-safe views of entries (no confidential address in them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotline.resources.models import ALWAYS, Phone, Resource, parse_hours


@dataclass(frozen=True, slots=True)
class PhoneView:
    number: str  # as the source wrote it
    e164: str  # E.164, or the digits of a short code
    kind: str
    voice: bool
    text: bool
    keyword: str | None = None
    ext: str | None = None
    prefix: str | None = None  # begin a text with this word, then the message
    hours: Any = None  # this line's hours: None (unknown), "24/7", or {day: [[start, end]]}
    text_languages: tuple[str, ...] = ()  # texts answered only in these; empty = unknown
    vanity: bool = False  # written with letters (1-800-RUNAWAY): shown as written

    def texts_in(self, language: str) -> bool:
        """Can a person write to this line in `language`? Unknown counts as yes."""
        return self.text and (not self.text_languages or language in self.text_languages)


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
    hours: Any  # the service's own hours (not a line's): None, "24/7" or {day: [[start, end]]}
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
    tier: int = 1  # 0 a 24/7 crisis or advocacy line, 1 a service, 2 law enforcement
    narrow: bool = False  # serves only some people (one gender, children only...)
    priority: int = 5  # declared: lower comes first among equals
    order: int = 0  # position in data/ (files in name order): the last tie-break
    staff_only: bool = False  # never offered to texters or callers (the HSI tip line)
    distance_km: float | None = None

    def language_status(self, language: str) -> str:
        """'yes' (recorded as spoken), 'interpreters', or 'unknown': the sources list what a
        service is known to speak, so a language missing from the list is unknown, not no."""
        if language in self.languages:
            return "yes"
        return "interpreters" if self.interpreters else "unknown"


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


def _schedule_doc(hours: str | dict[str, str] | None) -> Any:
    if hours is None or hours == ALWAYS:
        return hours
    return {day: [list(r) for r in ranges] for day, ranges in (parse_hours(hours) or {}).items()}


def _phone_doc(phone: Phone) -> dict[str, Any]:
    doc = {
        "number": phone.number, "e164": phone.e164, "kind": phone.kind, "voice": phone.voice,
        "text": phone.text, "keyword": phone.keyword, "ext": phone.ext, "prefix": phone.prefix,
        "hours": _schedule_doc(phone.hours), "text_languages": list(phone.text_languages),
        "vanity": phone.vanity,
    }  # fmt: skip
    return {k: v for k, v in doc.items() if v not in (None, [], False) or k in ("voice", "text")}


def to_doc(resource: Resource, order: int = 0) -> dict[str, Any]:
    """The JSON stored in the index: everything a channel needs, minus confidential addresses.

    `order` is the entry's position in the directory (the last tie-break of the ranking).
    """
    loc = resource.location
    confidential = bool(loc and loc.confidential)
    address = None
    if loc and loc.address and not confidential:
        address = ", ".join(p for p in (loc.address, loc.town) if p)
    return {
        "id": resource.id,
        "name": resource.name,
        "categories": list(resource.categories),
        "phones": [_phone_doc(p) for p in resource.phones],
        "summary": dict(resource.summary),
        "address": address,
        "town": loc.town if loc else None,
        "confidential": confidential,
        "hours": _schedule_doc(resource.hours),
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
        "tier": resource.tier,
        "narrow": resource.narrow,
        "priority": resource.priority,
        "order": order,
        "staff_only": resource.staff_only,
    }


def from_doc(doc: dict[str, Any], distance_km: float | None = None) -> ResourceView:
    fields = dict(doc)
    fields["phones"] = tuple(
        PhoneView(**{**p, "text_languages": tuple(p.get("text_languages", ()))})
        for p in doc["phones"]
    )
    for name in ("categories", "languages", "serves", "sources", "source_dates"):
        fields[name] = tuple(doc[name])
    return ResourceView(**fields, distance_km=distance_km)
