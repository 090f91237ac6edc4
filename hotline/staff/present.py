"""How records look to staff: masked numbers, ages, labels. Plain data for templates and JSON."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import url_for

from hotline import current
from hotline.escalations import outcomes
from hotline.escalations.accounts import Staff
from hotline.escalations.actions import mask
from hotline.escalations.records import Entry, Escalation

PRIORITY = {1: "urgent", 2: "soon", 3: "routine"}
KIND = {"help": "Asked for a person", "tip": "Tip", "callback": "Call-back", "urgent": "Urgent",
        "call": "Answered call",
        "words": "Wrote in their own words"}  # fmt: skip
CONSENT = {"yes": "Safe to text", "no": "Not safe to text", "": "Not asked"}
CONSENT_CALL = {"yes": "Safe to call", "no": "Not safe to call", "": "Not asked"}


def consent_label(e: Escalation) -> str:
    """What the person said about contact, for this conversation: a caller's call-back consent
    is about calling them, never about texting them."""
    table = CONSENT_CALL if e.channel == "voice" else CONSENT
    return table.get(e.consent, e.consent)


DELIVERY = {"failed": "not sent", "unknown": "delivery unknown, check before resending"}


def delivery(state: str) -> str:
    """A staff reply's delivery state as staff read it (escalations/delivery.py)."""
    return DELIVERY.get(state, state)


def age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(at: float, timezone: str | None = None) -> datetime:
    """Epoch seconds as a time in the hotline's zone (HOTLINE_TIMEZONE), never the server's."""
    return datetime.fromtimestamp(at, _zone(timezone or current.settings().timezone))


def clock(at: float, timezone: str | None = None) -> str:
    """'Sun 17:02' in the hotline's time zone; a date too when not within the last 6 days."""
    if not at:
        return ""
    when = local(at, timezone)
    if time.time() - at > 6 * 86400:
        return when.strftime("%a %d %b %H:%M")
    return when.strftime("%a %H:%M")


def zone_label(timezone: str | None = None) -> str:
    """The zone's current abbreviation and name, e.g. 'EST, America/New_York'."""
    name = timezone or current.settings().timezone
    return f"{datetime.now(_zone(name)).strftime('%Z')}, {name}"


def queue_url_pattern() -> str:
    """The conversation page's URL with `{id}` where the escalation id goes."""
    return url_for("staff.conversation", escalation_id="0").removesuffix("0") + "{id}"


def queue_etag(version: int, staff: Staff, now: float | None = None) -> str:
    """The queue as one viewer sees it: the data version, the viewer's languages (they order
    the page) and the clock minute (rows show waits in minutes, which age without a change)."""
    minute = int((now or time.time()) // 60)
    viewer = hashlib.sha256(f"{staff.name}|{','.join(staff.languages)}".encode()).hexdigest()
    return f"q{version}.{minute}.{viewer[:12]}"


def queue_row(e: Escalation, staff: Staff, url_pattern: str = "") -> dict:
    """One row of the queue as the page and queue.json show it. url_pattern: the conversation
    URL with `{id}` for the id (queue_url_pattern(), built once per page: url_for per row was
    a third of a page's time)."""
    return {
        "id": e.id,
        "url": url_pattern.replace("{id}", e.id)
        if url_pattern
        else url_for("staff.conversation", escalation_id=e.id),
        "kind": KIND.get(e.kind, e.kind),
        "priority": e.priority,
        "priority_label": PRIORITY.get(e.priority, str(e.priority)),
        "language": e.language,
        "match": e.language in staff.languages,
        "channel": e.channel,
        "waiting": age(time.time() - e.created),
        "since": clock(e.created),
        "mine": e.status == "claimed" and e.assignee == staff.name,
        "unread": e.unread(staff.name),
        "handoff": handoff_row(e, staff),
        "consent": consent_label(e),
        "status": e.status,
        "assignee": e.assignee,
        "flag": e.flag,
        "number": mask(e.number) if e.number else mask(e.number_tail),
    }


def handoff_row(e: Escalation, staff: Staff) -> dict | None:
    """The last hand-off as the receiver reads it first: who, when, the note (None: none, or
    not for this person: a note handed to a colleague is theirs; one handed back to the queue
    is for whoever takes it)."""
    if not e.handoff_from or not e.is_open:
        return None
    if e.handoff_to and e.handoff_to != staff.name and not staff.is_admin:
        return None
    if e.handoff_to and e.assignee != e.handoff_to:
        return None  # it moved on since (released, or handed on again by an admin)
    return {"from": e.handoff_from, "to": e.handoff_to, "at": clock(e.handoff_at),
            "note": e.handoff_note}  # fmt: skip


def entry_row(index: int, entry: Entry) -> dict:
    return {
        "i": index,
        "at": clock(entry.at),
        "by": entry.by,
        "name": entry.name,
        "text": entry.text,
        "state": delivery(entry.state),
        "error": entry.error,
    }


def outcome_label(outcome: str) -> str:
    """The outcome code's label for staff (flows/outcomes.yaml, default language)."""
    return outcomes.load(current.settings().flows_dir).label(outcome)
