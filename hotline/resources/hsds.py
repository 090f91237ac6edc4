"""Import an Open Referral HSDS export (CSV tables or JSON) into directory entries.

One entry per service at a location (or per service when it has none). Rows that cannot
become a safe entry are skipped with a reason; phone numbers never appear in the report.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hotline.resources import geocode
from hotline.resources.directory import _inside_ma
from hotline.resources.models import CATEGORIES, DAYS, PHONE_KINDS, Phone, Resource

TABLES = (
    "organizations", "services", "locations", "phones", "service_at_location", "schedules",
    "physical_addresses", "addresses", "service_areas", "languages", "service_attributes",
    "taxonomy_terms", "regular_schedules",
)  # fmt: skip
RRULE_DAYS = {
    "MO": "mon",
    "TU": "tue",
    "WE": "wed",
    "TH": "thu",
    "FR": "fri",
    "SA": "sat",
    "SU": "sun",
}
STATEWIDE = {"massachusetts", "ma", "statewide", "state of massachusetts"}
NATIONAL = {"national", "nationwide", "united states", "us", "usa"}

Row = dict[str, Any]


@dataclass(frozen=True)
class ImportOptions:
    source_url: str
    source_date: str
    confidence: str = "medium"
    default_category: str | None = None


@dataclass
class ImportReport:
    resources: list[Resource] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# ---- reading ------------------------------------------------------------------------------


def _read_csv_dir(folder: Path) -> dict[str, list[Row]]:
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.exists():
            with path.open(newline="", encoding="utf-8-sig") as fh:
                tables[name] = [
                    {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)
                ]
    return tables


def _flatten(services: list[Row]) -> dict[str, list[Row]]:
    """HSDS 3 nested JSON (a list of services) -> the flat tables."""
    t: dict[str, list[Row]] = {name: [] for name in TABLES}
    for svc in services:
        org = svc.get("organization") or {}
        if org:
            t["organizations"].append(org)
        t["services"].append(
            {**svc, "organization_id": svc.get("organization_id") or org.get("id")}
        )
        for key in ("phones", "schedules", "service_areas", "languages"):
            t[key] += [{**row, "service_id": svc["id"]} for row in svc.get(key) or []]
        for term in svc.get("taxonomy_terms") or []:
            t["taxonomy_terms"].append(term)
            t["service_attributes"].append(
                {"service_id": svc["id"], "taxonomy_term_id": term.get("id")}
            )
        for sal in svc.get("service_at_locations") or []:
            loc = sal.get("location") or {}
            t["service_at_location"].append(
                {"id": sal.get("id"), "service_id": svc["id"], "location_id": loc.get("id")}
            )
            t["locations"].append(loc)
            for addr in (loc.get("addresses") or []) + (loc.get("physical_addresses") or []):
                t["addresses"].append({**addr, "location_id": loc.get("id")})
            t["phones"] += [
                {**row, "location_id": loc.get("id")} for row in loc.get("phones") or []
            ]
    return t


def read_tables(source: Path) -> dict[str, list[Row]]:
    if source.is_dir():
        return _read_csv_dir(source)
    data = json.loads(source.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return _flatten(data)
    return {name: data.get(name, []) for name in TABLES}


# ---- mapping ------------------------------------------------------------------------------


def _slug(*parts: str) -> str:
    text = "-".join(p for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "entry"


def _by(rows: list[Row], column: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        if row.get(column):
            out.setdefault(str(row[column]), []).append(row)
    return out


class _Context:
    """Indexes over the tables so each service is mapped with dictionary lookups."""

    def __init__(self, t: dict[str, list[Row]]) -> None:
        self.orgs = {str(o["id"]): o for o in t.get("organizations", []) if o.get("id")}
        self.locations = {str(x["id"]): x for x in t.get("locations", []) if x.get("id")}
        self.addresses = _by(
            t.get("physical_addresses", []) + t.get("addresses", []), "location_id"
        )
        phones = t.get("phones", [])
        self.phones = {
            col: _by(phones, col)
            for col in ("service_at_location_id", "service_id", "location_id", "organization_id")
        }
        schedules = t.get("schedules", []) + t.get("regular_schedules", [])
        self.schedules = {
            col: _by(schedules, col)
            for col in ("service_at_location_id", "service_id", "location_id")
        }
        self.areas = _by(t.get("service_areas", []), "service_id")
        self.languages = _by(t.get("languages", []), "service_id")
        terms = {str(x["id"]): x for x in t.get("taxonomy_terms", []) if x.get("id")}
        self.terms = {
            sid: [terms.get(str(a.get("taxonomy_term_id")), {}) for a in rows]
            for sid, rows in _by(t.get("service_attributes", []), "service_id").items()
        }
        self.sal = _by(t.get("service_at_location", []), "service_id")


def _first(index: dict[str, dict[str, list[Row]]], keys: list[tuple[str, str | None]]) -> list[Row]:
    for column, value in keys:
        if value and index.get(column, {}).get(str(value)):
            return index[column][str(value)]
    return []


def _phone_kind(hsds_type: str, description: str) -> str:
    if hsds_type == "textphone":
        return "tty"
    desc = description.strip().lower()
    return desc if desc in PHONE_KINDS else "main"


def _phones(rows: list[Row], skipped: list[str], where: str) -> list[dict]:
    out = []
    for row in rows:
        kind = (row.get("type") or "voice").lower()
        if kind == "fax":
            continue
        spec = {
            "number": str(row.get("number", "")),
            "kind": _phone_kind(kind, str(row.get("description") or "")),
            "voice": kind != "text",
            "text": kind == "text",
            "ext": str(row["extension"]) if row.get("extension") else None,
        }
        try:
            Phone.model_validate(spec)
        except ValidationError:
            skipped.append(f"{where}: phone row {row.get('id', '?')}: not a valid phone number")
            continue
        out.append({k: v for k, v in spec.items() if v is not None})
    return out


def _time(value: str) -> str:
    hh, mm = (value or "").split(":")[:2]
    return "24:00" if f"{int(hh):02d}:{int(mm):02d}" == "23:59" else f"{int(hh):02d}:{int(mm):02d}"


def _days(row: Row) -> list[str]:
    if row.get("byday"):
        return [RRULE_DAYS[d.strip().upper()[-2:]] for d in str(row["byday"]).split(",")]
    name = str(row.get("weekday", "")).strip().lower()[:3]
    if name in DAYS:
        return [name]
    raise ValueError("no byday or weekday name")


def _hours(rows: list[Row]) -> str | dict[str, str] | None:
    """HSDS weekly schedules -> our hours; 00:00-23:59 every day -> '24/7'. Raise if unreadable."""
    if not rows:
        return None
    spans: dict[str, list[str]] = {}
    for row in rows:
        if (row.get("freq") or "WEEKLY").upper() != "WEEKLY":
            raise ValueError(f"schedule freq {row.get('freq')} is not weekly")
        span = f"{_time(row['opens_at'])}-{_time(row['closes_at'])}"
        for day in _days(row):
            spans.setdefault(day, []).append(span)
    hours = {day: ", ".join(spans[day]) for day in DAYS if day in spans}
    if len(hours) == 7 and all(v == "00:00-24:00" for v in hours.values()):
        return "24/7"
    return hours


def _area(rows: list[Row]) -> dict:
    towns, counties, scope = [], [], None
    for row in rows:
        text = str(row.get("service_area") or row.get("name") or "").strip()
        low = text.lower()
        if low in NATIONAL:
            scope = "national"
        elif low in STATEWIDE:
            scope = scope or "statewide"
        elif low.endswith(" county"):
            counties.append(text.title())
        elif geocode.town_centroid(low):
            towns.append(geocode.town_centroid(low).name)
    if scope:
        return {"scope": scope}
    if towns or counties:
        return {"scope": "regional", "towns": towns, "counties": counties}
    return {"scope": "local"}


def _location(loc: Row | None, addresses: list[Row]) -> dict | None:
    if not loc:
        return None
    addr = addresses[0] if addresses else {}
    out: dict[str, Any] = {
        "address": addr.get("address_1") or None,
        "town": addr.get("city") or None,
        "zip": (str(addr.get("postal_code") or "")[:5] or None),
    }
    if loc.get("latitude") not in (None, "") and loc.get("longitude") not in (None, ""):
        out.update(coordinates="given", lat=float(loc["latitude"]), lon=float(loc["longitude"]))
    elif out["zip"] and geocode.zip_point(out["zip"]):
        out["coordinates"] = "zip-centroid"
    elif out["town"] and geocode.town_centroid(out["town"]):
        out["coordinates"] = "town-centroid"
    return {k: v for k, v in out.items() if v is not None}


def _categories(ctx: _Context, sid: str, default: str | None) -> list[str]:
    names = [
        str(t.get("term") or t.get("name") or "").lower().replace(" ", "-")
        for t in ctx.terms.get(sid, [])
    ]
    cats = [n for n in names if n in CATEGORIES]
    return cats or ([default] if default else [])


def _languages(rows: list[Row]) -> list[str]:
    codes = [str(r.get("code") or r.get("language") or "").lower() for r in rows]
    return [c for c in codes if re.fullmatch(r"[a-z]{2,3}", c)]


def _where(svc: Row, sal: Row | None) -> str:
    lid = sal.get("location_id") if sal else None
    return f"service {svc.get('id')}" + (f" at location {lid}" if lid else "")


def _entry(ctx: _Context, svc: Row, sal: Row | None, opt: ImportOptions, skipped: list[str]):
    """One HSDS service (at one location) as a raw directory entry, or None if it cannot be."""
    sid, lid = str(svc["id"]), str(sal.get("location_id")) if sal else None
    where = _where(svc, sal)
    org = ctx.orgs.get(str(svc.get("organization_id")), {})
    cats = _categories(ctx, sid, opt.default_category)
    if not cats:
        skipped.append(f"{where}: no category we know (use --default-category)")
        return None
    keys = [("service_at_location_id", sal.get("id") if sal else None), ("service_id", sid),
            ("location_id", lid), ("organization_id", org.get("id"))]  # fmt: skip
    phones = _phones(_first(ctx.phones, keys), skipped, where)
    if not phones:
        skipped.append(f"{where}: no valid phone number")
        return None
    try:
        hours = _hours(_first(ctx.schedules, keys[:3]))
    except (ValueError, KeyError) as exc:
        skipped.append(f"{where}: schedule left out ({exc})")
        hours = None
    entry = {
        "id": _slug("hsds", sid, lid or ""),
        "name": svc.get("name") or org.get("name"),
        "organization": org.get("name") if org.get("name") != svc.get("name") else None,
        "summary": {"en": svc["description"]} if svc.get("description") else {},
        "categories": cats,
        "phones": phones,
        "location": _location(ctx.locations.get(lid or ""), ctx.addresses.get(lid or "", [])),
        "service_area": _area(ctx.areas.get(sid, [])),
        "hours": hours,
        "languages": _languages(ctx.languages.get(sid, [])),
        "website": svc.get("url") or org.get("url") or org.get("website") or None,
        "provenance": {
            "sources": [{"url": opt.source_url, "date": opt.source_date}],
            "recorded": date.today().isoformat(),
            "confidence": opt.confidence,
            "notes": f"imported from HSDS ({where})",
        },
    }
    return {k: v for k, v in entry.items() if v not in (None, [], {})}


def _validated(entry: dict, where: str, skipped: list[str]) -> Resource | None:
    try:
        resource = Resource.model_validate(entry)
    except ValidationError as exc:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        skipped.append(f"{where}: {reason}")
        return None
    loc = resource.location
    if loc and loc.lat is not None and not resource.wide and not _inside_ma(loc.lat, loc.lon):
        skipped.append(f"{where}: location outside Massachusetts")
        return None
    return resource


def import_hsds(source: Path, options: ImportOptions) -> ImportReport:
    """Map an HSDS export to Resources; every row left out is reported with why."""
    tables = read_tables(Path(source))
    ctx, report = _Context(tables), ImportReport()
    for svc in tables.get("services", []):
        if (svc.get("status") or "active").lower() not in ("active", ""):
            report.skipped.append(f"service {svc.get('id')}: status {svc.get('status')}")
            continue
        for sal in ctx.sal.get(str(svc.get("id")), [None]):
            entry = _entry(ctx, svc, sal, options, report.skipped)
            resource = _validated(entry, _where(svc, sal), report.skipped) if entry else None
            if resource:
                report.resources.append(resource)
    return report


def write_yaml(resources: list[Resource], target: Path) -> None:
    """Write entries in the same `resources:` format as data/*.yaml."""
    target.parent.mkdir(parents=True, exist_ok=True)
    docs = [r.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for r in resources]
    header = "# Imported from an Open Referral HSDS export by `hotline resources import`.\n"
    body = yaml.safe_dump({"resources": docs}, sort_keys=False, allow_unicode=True, width=100)
    target.write_text(header + body, encoding="utf-8")
