"""Conversation sessions as stored in Redis: sealed JSON, under a keyed hash or a CallSid."""

from __future__ import annotations

from hotline.engine import Session
from hotline.safety.crypto import seal, unseal
from hotline.store import key


def sms_session_key(who: str) -> str:
    """One texter's session, by the keyed hash of their number (store.number_key)."""
    return key("session", "sms", who)


def encode(session: Session) -> str:
    return seal(session.model_dump_json())


def decode(raw: str | None) -> Session | None:
    return Session.model_validate_json(unseal(raw)) if raw else None
