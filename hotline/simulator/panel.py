"""The hotline's view of one simulated conversation: session, escalation, staff replies."""

from __future__ import annotations

import redis

from hotline.channels.sms_state import SmsState
from hotline.channels.voice_state import CallState
from hotline.config import Settings
from hotline.engine import Session
from hotline.engine.segments import segment_count
from hotline.escalations import records, senders
from hotline.escalations.conversation import SESSION_VAR


def sms_session(r: redis.Redis, settings: Settings, number: str) -> Session | None:
    """The texter's session, read the way the SMS webhook reads it."""
    return SmsState(r, settings.hash_key, number, settings.session_ttl).read("").session


def call_session(r: redis.Redis, call_sid: str) -> Session | None:
    return CallState(r, call_sid).read()


def describe(r: redis.Redis, session: Session | None, known_escalation: str = "") -> dict:
    """Flow, node and language, and the escalation (the session's, else the one seen before)."""
    view: dict = {"session": None, "escalation": None}
    if session is not None:
        view["session"] = {"flow": session.flow, "node": session.node, "language": session.language}
        known_escalation = str(session.vars.get(SESSION_VAR) or known_escalation)
    if known_escalation.isdigit():
        view["escalation"] = escalation(r, known_escalation)
    return view


def escalation(r: redis.Redis, escalation_id: str) -> dict | None:
    record = records.load(r, escalation_id)
    if record is None:
        return None
    return {
        "id": record.id,
        "status": record.status,
        "assignee": record.assignee,
        "url": f"/staff/e/{record.id}",
    }


def staff_replies(r: redis.Redis, number: str, since: float) -> list[dict]:
    """Replies the Outbox 'sent' to this number after `since`, oldest first."""
    found = [
        {"sid": item["sid"], "at": item["at"], "body": item["body"],
         "segments": segment_count(item["body"])}
        for item in senders.read_outbox(r, senders.OUTBOX_SIZE)
        if item.get("kind") == "reply" and item.get("to") == number and item["at"] > since
    ]  # fmt: skip
    return found[::-1]
