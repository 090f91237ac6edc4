"""What Redis holds for one phone call: its session, keyed by CallSid, never by phone number."""

from __future__ import annotations

import json
import time

import redis

from hotline.engine import Session
from hotline.sessions import decode, encode
from hotline.store import key

CALL_TTL = 4 * 3600  # Twilio ends a call after 4 hours at most
ENDED_KEEP = 1000  # how many call endings the recent list keeps
STATS_KEY = key("voice", "stats")
ENDED_KEY = key("voice", "ended")


def call_key(call_sid: str) -> str:
    return key("voice", "call", call_sid)


def accepted_key(call_sid: str) -> str:
    return key("voice", "accepted", call_sid)


class CallState:
    """One call's session (1 GET to read, 1 SET to write), and whether an advocate accepted it."""

    def __init__(self, r: redis.Redis, call_sid: str, ttl: int = CALL_TTL):
        self.r, self.sid, self.ttl = r, call_sid, ttl

    def read(self) -> Session | None:
        return decode(self.r.get(call_key(self.sid)))

    def save(self, session: Session) -> None:
        self.r.set(call_key(self.sid), encode(session), ex=self.ttl)

    def accept(self, by: str = "") -> None:
        """The on-call advocate pressed 1 on the screening prompt for this (parent) call;
        `by` is their account name when the phone that answered is an account's."""
        self.r.set(accepted_key(self.sid), by or "1", ex=self.ttl)

    def take_accepted(self) -> str:
        """Who accepted since the last dial ("1": an on-call phone that is no account's; "":
        nobody); resets for the next one."""
        return self.r.getdel(accepted_key(self.sid)) or ""

    def clear_accepted(self) -> None:
        self.r.delete(accepted_key(self.sid))

    def end(
        self, status: str, duration: str, session: Session | None, keep_days: int,
        contact: tuple[str, str, int] | None = None,
    ) -> None:  # fmt: skip
        """Count how the call ended and where the caller was; drop the session (1 round trip).

        contact: (day key, field, ttl): the report's contact counter for this call
        (escalations/reports.py), added in the same round trip.
        """
        node = (session.node or "end") if session else "unknown"
        record = {
            "at": int(time.time()),
            "status": status,
            "duration": int(duration) if duration.isdigit() else None,
            "node": node,
            "language": session.language if session else None,
        }
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(STATS_KEY, f"status:{status}", 1)
        pipe.hincrby(STATS_KEY, f"last_node:{node}", 1)
        pipe.lpush(ENDED_KEY, json.dumps(record))
        pipe.ltrim(ENDED_KEY, 0, ENDED_KEEP - 1)
        pipe.expire(ENDED_KEY, keep_days * 86400)
        pipe.delete(call_key(self.sid), accepted_key(self.sid))
        if contact is not None:
            pipe.hincrby(contact[0], contact[1], 1)
            pipe.expire(contact[0], contact[2])
        pipe.execute()
