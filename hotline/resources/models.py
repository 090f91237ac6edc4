"""The directory's data model, shaped after Open Referral HSDS (organization, service, location,
phone, schedule, language, service area) plus what a hotline needs: confidentiality and provenance.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CATEGORIES = (
    "emergency",
    "hotline",
    "shelter",
    "legal",
    "immigration",
    "medical",
    "mental-health",
    "counseling",
    "advocacy",
    "youth",
    "basic-needs",
    "law-enforcement",
)
POPULATIONS = ("adults", "youth", "children", "women", "men", "lgbtq", "immigrants")
PHONE_KINDS = (
    "emergency",
    "hotline",
    "crisis",
    "main",
    "office",
    "tips",
    "intake",
    "tty",
    "legal-help",
    "reporting",
    "text-line",
)
SCOPES = ("local", "regional", "statewide", "national")
WIDE_SCOPES = ("statewide", "national")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24/7"

# Ranking by need (issue 13): 24/7 crisis and advocacy lines, then services, then law
# enforcement. A "line" is a phone of one of these kinds that is itself open 24/7.
LINE_KINDS = ("hotline", "crisis", "text-line")
TIER_LINE, TIER_SERVICE, TIER_POLICE = 0, 1, 2
POLICE = "law-enforcement"
# Eligibility that keeps an entry off a general first page: one gender, LGBTQ people only, or
# no adults at all. "adults" and "immigrants" are wide enough for a general search.
NARROWING = frozenset({"men", "women", "lgbtq"})
WIDE_ENOUGH = frozenset({"adults", "immigrants"})
DEFAULT_PRIORITY = 5

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")
_SHORT_CODE = re.compile(r"^\d{3,6}$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SOURCE_DATE = re.compile(r"^(\d{4})(-\d{2}(-\d{2})?)?$|^undated$")
_LANG = re.compile(r"^[a-z]{2,3}$")

Schedule = dict[str, list[tuple[int, int]]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phone(_Strict):
    """A number exactly as the source wrote it; `e164` is derived, so the data stays greppable.

    `hours` are this line's own hours ("24/7" belongs to a line, never to an office or an
    address). `text_languages`: the languages texts to it are answered in, when a source says
    (text-to-911 is English only); empty means unknown. `keyword`: a word to send on its own;
    `prefix`: a word to begin a message with, followed by the message (Tip411's "Tip650").
    """

    number: str
    kind: Literal[PHONE_KINDS]  # type: ignore[valid-type]
    voice: bool = True
    text: bool = False
    keyword: str | None = None
    prefix: str | None = None
    ext: str | None = None
    hours: str | dict[str, str] | None = None
    text_languages: tuple[str, ...] = ()

    @field_validator("number")
    @classmethod
    def _valid_number(cls, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        if _SHORT_CODE.match(digits) and len(digits) <= 6:
            return value
        try:
            parsed = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException as exc:
            raise ValueError(f"phone {value!r} does not parse: {exc}") from exc
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError(f"phone {value!r} is not a valid number")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        parse_hours(value)
        return value

    @field_validator("text_languages")
    @classmethod
    def _text_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _language_codes(value)

    @model_validator(mode="after")
    def _texting(self) -> Phone:
        if (self.keyword or self.prefix or self.text_languages) and not self.text:
            raise ValueError("keyword, prefix and text_languages need text: true")
        if self.keyword and self.prefix:
            raise ValueError("give a keyword (sent alone) or a prefix (begins a message), not both")
        return self

    @property
    def vanity(self) -> bool:
        """Written with letters, as 1-800-RUNAWAY: shown as the source prints it."""
        return bool(re.search(r"[A-Za-z]{3}", self.number))

    @property
    def short(self) -> bool:
        return len(re.sub(r"\D", "", self.number)) <= 6

    @property
    def e164(self) -> str:
        """E.164 for full numbers; the bare digits for short codes like 911 or 233733."""
        digits = re.sub(r"\D", "", self.number)
        if self.short:
            return digits
        parsed = phonenumbers.parse(self.number, "US")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class Location(_Strict):
    """Where a service is. Coordinates come from a ZIP or town centroid unless given."""

    address: str | None = None
    town: str | None = None
    zip: str | None = None
    confidential: bool = False
    coordinates: Literal["zip-centroid", "town-centroid", "given"] | None = None
    lat: float | None = None
    lon: float | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Location:
        if self.confidential and self.coordinates not in (None, "town-centroid"):
            raise ValueError("a confidential location may only use its town's centroid")
        if self.coordinates == "given" and (self.lat is None or self.lon is None):
            raise ValueError("coordinates: given needs lat and lon")
        if self.coordinates != "given" and (self.lat is not None or self.lon is not None):
            raise ValueError("lat/lon are derived unless coordinates: given")
        if self.coordinates == "zip-centroid" and not self.zip:
            raise ValueError("coordinates: zip-centroid needs a zip")
        if self.coordinates == "town-centroid" and not self.town:
            raise ValueError("coordinates: town-centroid needs a town")
        return self


class ServiceArea(_Strict):
    """Local = found by distance; regional = the towns/counties listed; statewide/national = all."""

    scope: Literal[SCOPES] = "local"  # type: ignore[valid-type]
    towns: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> ServiceArea:
        if self.scope == "regional" and not (self.towns or self.counties):
            raise ValueError("a regional service area needs towns or counties")
        return self


class Source(_Strict):
    url: str
    date: str

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        text = str(value)
        if not _SOURCE_DATE.match(text):
            raise ValueError(f"source date {text!r} is not YYYY, YYYY-MM, YYYY-MM-DD or 'undated'")
        return text

    @property
    def year(self) -> int | None:
        return None if self.date == "undated" else int(self.date[:4])


class Provenance(_Strict):
    """Where each fact came from and how sure we are; nobody has phoned these entries yet."""

    sources: tuple[Source, ...] = Field(min_length=1)
    fact_sheet: str | None = None
    recorded: date
    confidence: Literal["high", "medium", "low"]
    confirmed_by_phone: date | None = None
    notes: str | None = None


class Resource(_Strict):
    """One service as the hotline offers it (an HSDS service at a location, flattened)."""

    id: str
    name: str = Field(min_length=2)
    organization: str | None = None
    summary: dict[str, str] = {}
    categories: tuple[Literal[CATEGORIES], ...] = Field(min_length=1)  # type: ignore[valid-type]
    phones: tuple[Phone, ...] = Field(min_length=1)
    location: Location | None = None
    service_area: ServiceArea = ServiceArea()
    hours: str | dict[str, str] | None = None
    languages: tuple[str, ...] = ()
    interpreters: bool = False
    serves: tuple[Literal[POPULATIONS], ...] = ()  # type: ignore[valid-type]
    website: str | None = None
    priority: int = Field(DEFAULT_PRIORITY, ge=1, le=9)
    staff_only: bool = False
    provenance: Provenance

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id {value!r} must be lowercase letters, digits and dashes")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _language_codes(value)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        parse_hours(value)
        return value

    @model_validator(mode="after")
    def _placed(self) -> Resource:
        wide = self.service_area.scope in WIDE_SCOPES or self.service_area.scope == "regional"
        if not wide and (self.location is None or self.location.coordinates is None):
            raise ValueError("a local service needs location coordinates (zip or town centroid)")
        return self

    @property
    def tier(self) -> int:
        """0: a 24/7 crisis or advocacy line; 1: a service; 2: law enforcement."""
        if POLICE in self.categories:
            return TIER_POLICE
        if any(p.kind in LINE_KINDS and p.hours == ALWAYS for p in self.phones):
            return TIER_LINE
        return TIER_SERVICE

    @property
    def narrow(self) -> bool:
        """True when it serves only some people (a men-only home, children only)."""
        return is_narrow(self.serves)

    @property
    def verified(self) -> bool:
        """Low-confidence entries are shown last, with 'please confirm by calling'."""
        return self.provenance.confidence != "low"

    @property
    def wide(self) -> bool:
        return self.service_area.scope in WIDE_SCOPES

    @property
    def schedule(self) -> Schedule | None:
        return parse_hours(self.hours)


def _language_codes(value: tuple[str, ...]) -> tuple[str, ...]:
    bad = [code for code in value if not _LANG.match(code)]
    if bad:
        raise ValueError(f"language codes must be ISO 639 codes like 'es', 'pt', 'km': {bad}")
    return value


def is_narrow(serves: tuple[str, ...] | list[str]) -> bool:
    """Eligibility too narrow for a general first page (see NARROWING); empty = everyone."""
    groups = set(serves)
    return bool(groups) and bool(groups & NARROWING or not groups & WIDE_ENOUGH)


def _minutes(hh: str, mm: str) -> int:
    hours, minutes = int(hh), int(mm)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"bad time {hh}:{mm}")
    return hours * 60 + minutes


def _day_span(spec: str) -> list[str]:
    """'mon-fri' -> ['mon'...'fri']; 'sat' -> ['sat']."""
    parts = [p.strip() for p in spec.split("-")]
    if any(p not in DAYS for p in parts) or len(parts) > 2:
        raise ValueError(f"bad day {spec!r}: use mon..sun or a span like mon-fri")
    first, last = DAYS.index(parts[0]), DAYS.index(parts[-1])
    if last < first:
        raise ValueError(f"bad day span {spec!r}")
    return list(DAYS[first : last + 1])


def _ranges(spec: str) -> list[tuple[int, int]]:
    ranges = []
    for part in str(spec).split(","):
        match = _RANGE.match(part.strip())
        if not match:
            raise ValueError(f"bad hours {spec!r}: use HH:MM-HH:MM[, HH:MM-HH:MM]")
        start, end = _minutes(*match.group(1, 2)), _minutes(*match.group(3, 4))
        if start == end:
            raise ValueError(f"empty time range {part.strip()!r}")
        ranges.append((start, end))
    return ranges


def parse_hours(value: str | dict[str, str] | None) -> Schedule | None:
    """'24/7' or {day-or-span: 'HH:MM-HH:MM, ...'} -> {day: [(start, end) minutes]}.

    An end before its start runs past midnight.
    """
    if value is None:
        return None
    if value == ALWAYS:
        return {day: [(0, 1440)] for day in DAYS}
    if not isinstance(value, dict):
        raise ValueError(f"hours must be '24/7' or a mapping of days to times, not {value!r}")
    schedule: Schedule = {}
    for spec, times in value.items():
        for day in _day_span(str(spec).lower()):
            if day in schedule:
                raise ValueError(f"day {day} given twice in hours")
            schedule[day] = _ranges(times)
    return schedule
