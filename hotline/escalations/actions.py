"""What staff do to an escalation (claim, reply, release, resolve), each audited. No Flask."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

import redis

from hotline import clock, schedule
from hotline.config import Settings
from hotline.engine import Engine
from hotline.escalations import (
    audit,
    conversation,
    jobs,
    outcomes,
    queue,
    records,
    reports,
    retention,
    staff_alerts,
)
from hotline.escalations.accounts import Staff
from hotline.escalations.config import EscalationConfig
from hotline.escalations.gate import Gate, reply_gate
from hotline.escalations.records import Entry, Escalation
from hotline.store import key

MAX_REPLY = 1000


@dataclass(frozen=True)
class StaffDesk:
    """Everything a staff action touches."""

    r: redis.Redis
    rq: redis.Redis
    settings: Settings
    config: EscalationConfig
    engine: Engine  # the SMS flow, for the closing text

    def gate(self, record: Escalation, closing: bool = False) -> Gate:
        opted_out = bool(self.r.exists(key("optout", record.who)))
        local = schedule.local_now(self.settings.timezone)
        window = self.config.texting_window
        return reply_gate(record, clock.now(), local, opted_out, window, closing=closing)


def claim(desk: StaffDesk, staff: Staff, escalation_id: str) -> None:
    queue.claim(desk.r, escalation_id, staff.name)
    conversation.note(desk.r, escalation_id, f"claimed by {staff.name}")
    audit.record(desk.r, staff.name, "claim", escalation_id)


def release(desk: StaffDesk, staff: Staff, escalation_id: str) -> None:
    queue.release(desk.r, escalation_id, staff.name, admin=staff.is_admin)
    conversation.note(desk.r, escalation_id, f"released by {staff.name}")
    audit.record(desk.r, staff.name, "release", escalation_id)


class ReplyRefused(RuntimeError):
    """The reply box is closed for this texter (the reason says why)."""


def reply(
    desk: StaffDesk, staff: Staff, record: Escalation, text: str, confirmed: bool = False
) -> int:
    """Queue a staff reply for the worker to send; returns its transcript index."""
    text = text.strip()[:MAX_REPLY]
    gate = desk.gate(record)
    if not text or not gate.allowed or (gate.confirm and not confirmed):
        raise ReplyRefused(gate.reason if not gate.allowed else "confirm the safe time first")
    if record.status != "claimed" or record.assignee != staff.name:
        raise ReplyRefused("claim this conversation before replying")
    entry = Entry(at=clock.now(), by="staff", text=text, name=staff.name, state="queued")
    delay = entry.at - record.created  # the first one is kept for reports (time to answer)
    index = records.append_get_index(
        desk.r, record.id, entry, also=lambda pipe: reports.first_reply(pipe, record.id, delay)
    )
    jobs.enqueue_send(desk.rq, record.id, index, desk.config)
    audit.record(desk.r, staff.name, "reply", record.id)
    return index


def resolve(
    desk: StaffDesk, staff: Staff, record: Escalation, outcome: str, note: str = ""
) -> Escalation:
    """Close it with an outcome code staff may choose (flows/outcomes.yaml) and an optional
    note (sealed; in the transcript, never in the audit log), return the texter to the menu,
    and say goodbye if it is safe to text them. QueueError("bad-outcome") for another code."""
    known = outcomes.load(desk.settings.flows_dir)
    if not known.choosable(outcome):
        raise queue.QueueError("bad-outcome")
    note = " ".join(note.split())[: outcomes.MAX_NOTE]
    closed = queue.resolve(desk.r, record.id, staff.name, outcome, staff.is_admin, note)
    retention.expire_resolved(desk.r, record.id, desk.settings.retention_days, record.who)
    conversation.detach(desk.r, record.who)
    label = known.label(outcome)
    said = f"resolved by {staff.name}: {label}" + (f". Note: {note}" if note else "")
    conversation.note(desk.r, record.id, said)
    audit.record(desk.r, staff.name, "resolve", record.id, outcome)
    gate = desk.gate(closed, closing=True)
    goodbye = desk.engine.message("conversation_closed", closed.language)
    if gate.allowed and not gate.confirm and goodbye:
        entry = Entry(at=time.time(), by="system", text=goodbye, state="queued")
        jobs.enqueue_send(desk.rq, record.id, records.append_get_index(desk.r, record.id, entry),
                          desk.config)  # fmt: skip
    return closed


class NotYours(ReplyRefused):
    """Only the advocate holding the conversation (or an admin) may do this."""


MIN_REASON_LETTERS = 8


def reveal_reason(reason: str) -> str:
    """The reason as written to the audit log; ReplyRefused unless it is real words.

    No NUL or other control characters, at least MIN_REASON_LETTERS letters in any script
    (so neither blanks nor invisible characters pass), at most 200 characters kept.
    """
    if any(unicodedata.category(c) in ("Cc", "Co", "Cs") for c in reason if c not in "\t\n"):
        raise ReplyRefused("Write the reason in plain words.")
    reason = " ".join(reason.split())[:200]
    if sum(c.isalpha() for c in reason) < MIN_REASON_LETTERS:
        raise ReplyRefused("Say in a few words why you need the number.")
    return reason


def reveal(desk: StaffDesk, staff: Staff, record: Escalation, reason: str) -> str:
    """The full number, for a stated reason that goes to the audit log. Need-to-know:

    only the advocate who holds the conversation, or an admin; at most
    config.reveals_per_hour / reveals_per_day per person; admins are alerted when someone
    reaches config.reveal_alert_at in an hour, and at every refusal.
    """
    if not staff.is_admin and not (record.status == "claimed" and record.assignee == staff.name):
        raise NotYours("Only the advocate who holds this conversation, or an admin, may see "
                       "the number. Claim it first.")  # fmt: skip
    reason = reveal_reason(reason)
    hour, day = _count_reveal(desk.r, staff.name)
    config = desk.config
    if hour > config.reveals_per_hour or day > config.reveals_per_day:
        audit.record(desk.r, staff.name, "reveal refused", record.id, "over the reveal limit")
        staff_alerts.unusual_reveals(desk.r, desk.rq, staff.name, hour)
        raise ReplyRefused("You have revealed as many numbers as allowed for now; an admin "
                           "has been told. Ask an admin if this is urgent.")  # fmt: skip
    if hour == config.reveal_alert_at:
        staff_alerts.unusual_reveals(desk.r, desk.rq, staff.name, hour)
    audit.record(desk.r, staff.name, "reveal number", record.id, reason)
    conversation.note(desk.r, record.id, f"number revealed to {staff.name}")
    return record.number


def _count_reveal(r: redis.Redis, name: str) -> tuple[int, int]:
    """This reveal counted: (this hour's, today's) for this person. One round trip."""
    now = int(time.time())
    hour_key, day_key = (
        key("reveals", name, str(now // 3600)),
        key("reveals", name, str(now // 86400)),
    )
    pipe = r.pipeline(transaction=False)
    pipe.incr(hour_key)
    pipe.expire(hour_key, 3600)
    pipe.incr(day_key)
    pipe.expire(day_key, 86400)
    hour, _, day, _ = pipe.execute()
    return int(hour), int(day)


def mask(number: str) -> str:
    """Only the last 2 digits."""
    digits = [c for c in number if c.isdigit()]
    return "••• " + "".join(digits[-2:]) if len(digits) >= 2 else "•••"
