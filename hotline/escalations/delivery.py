"""Sending once: a ledger of every staff reply and alert, reconciled with the provider.

Each send has a field in its escalation's ledger (hash esc:{id}:sends; "reply:{index}",
"alert:{target}") holding "state|attempt|since|provider id":
  sending  an attempt started at `since` (epoch seconds); it may have reached the provider
  retry    the last attempt certainly did not reach it (refused, rate-limited): send again
  sent     the provider took it (its id is kept, so a later lookup does not count it twice)
  unknown  an attempt may have reached the provider and it cannot say: never sent again;
           staff see "delivery unknown, check before resending"
  failed   the provider refused it, or it was never tried
An attempt is claimed atomically before the provider is called. A claim that finds "sending"
(the previous attempt's worker died, or its answer was lost) first looks the message up in the
provider's list for that recipient and time, and sends again only when it is not there. So a
message is sent at most once, and one that cannot be confirmed is shown, never resent blind.

Alerts are also capped: per escalation (both rounds together) and per clock minute for the
whole hotline; a capped alert is not sent (the escalation is on the dashboard regardless).
The ledger holds no number and no text; it expires LEDGER_TTL after its last change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from hotline.escalations.senders import LookupUnavailable, Sender, SendError
from hotline.store import key

LEDGER_TTL = 2 * 86400  # seconds: long past the last retry of any send
CLOCK_SKEW = 120  # seconds: our clock against the provider's, when matching a lookup

# KEYS: ledger, this minute's alert counter. ARGV: field, now, ledger ttl, alerts allowed per
# escalation ("" = not an alert), alerts allowed per minute.
# Returns {"go"} (claimed: attempt 1 starts now), {"capped", "escalation" or "minute"} or
# {"have", stored value} (an earlier attempt exists: the caller decides).
CLAIM = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then return {'have', stored} end
if ARGV[4] ~= '' then
  if tonumber(redis.call('HGET', KEYS[1], '#alerts') or '0') >= tonumber(ARGV[4]) then
    return {'capped', 'escalation'}
  end
  if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[5]) then
    return {'capped', 'minute'}
  end
  redis.call('HINCRBY', KEYS[1], '#alerts', 1)
  if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], 120) end
end
redis.call('HSET', KEYS[1], ARGV[1], 'sending|1|' .. ARGV[2] .. '|')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'go'}
"""

# KEYS: ledger. ARGV: field, the attempt it must still be, new value, ledger ttl.
# Returns 1 when set, 0 when another attempt got there first.
SETTLE = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored or string.match(stored, '^[^|]*|([^|]*)|') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


def ledger_key(escalation_id: str) -> str:
    return key("esc", escalation_id, "sends")


def minute_key(now: float) -> str:
    return key("alerts", "minute", str(int(now // 60)))


@dataclass(frozen=True)
class Caps:
    """Alert limits: per escalation (both rounds) and per clock minute (the whole hotline)."""

    per_escalation: int
    per_minute: int


@dataclass(frozen=True)
class Record:
    state: str  # sending, retry, sent, unknown, failed
    attempt: int
    since: float
    provider_id: str = ""

    @classmethod
    def parse(cls, stored: str) -> Record:
        state, attempt, since, provider_id = stored.split("|", 3)
        return cls(state, int(attempt), float(since), provider_id)

    def dump(self) -> str:
        return f"{self.state}|{self.attempt}|{self.since}|{self.provider_id}"


@dataclass(frozen=True)
class Outcome:
    """What send_once did: sent (now), already (settled before), capped (not sent: over a
    limit), unknown (may have gone out; not resent), failed (refused), or taken (another
    worker holds this attempt)."""

    state: str
    detail: str = ""  # the cap that applied, or the provider's error


class Ledger:
    """One escalation's sends (module doc)."""

    def __init__(self, r: redis.Redis, escalation_id: str):
        self.r, self.key = r, ledger_key(escalation_id)

    def get(self, field: str) -> Record | None:
        stored = self.r.hget(self.key, field)
        return Record.parse(stored) if stored else None

    def provider_ids(self) -> set[str]:
        return {Record.parse(v).provider_id for f, v in self.r.hgetall(self.key).items()
                if "|" in v and not f.startswith("#")} - {""}  # fmt: skip

    def claim(self, field: str, caps: Caps | None, now: float) -> tuple[str, str]:
        keys = [self.key, minute_key(now)]
        args = [field, now, LEDGER_TTL, caps.per_escalation if caps else "",
                caps.per_minute if caps else ""]  # fmt: skip
        out = self.r.register_script(CLAIM)(keys=keys, args=args)
        return out[0], out[1] if len(out) > 1 else ""

    def settle(self, field: str, attempt: int, record: Record) -> bool:
        """Replace attempt `attempt` with `record`; False if another attempt replaced it."""
        args = [field, attempt, record.dump(), LEDGER_TTL]
        return bool(self.r.register_script(SETTLE)(keys=[self.key], args=args))


def send_once(
    ledger: Ledger, field: str, sender: Sender, to: str, body: str, kind: str,
    last_attempt: bool, caps: Caps | None = None,
) -> Outcome:  # fmt: skip
    """Send `body` to `to` at most once for this ledger field (module doc).

    Raises SendError for a transient failure when another attempt is left (RQ retries the job;
    the retry looks the message up first if it may have gone out). On the last attempt a
    transient failure settles as "unknown" if the message may have gone out, else "failed".
    """
    now = time.time()
    verdict, stored = ledger.claim(field, caps, now)
    if verdict == "capped":
        return Outcome("capped", stored)
    current = Record("sending", 1, now)
    if verdict == "have":
        current = Record.parse(stored)
        if current.state not in ("sending", "retry"):
            return Outcome("already", current.state)
        current = _resend_if_not_there(ledger, field, sender, to, body, current, now)
        if isinstance(current, Outcome):
            return current
    try:
        provider_id = sender.send(to, body, kind)
    except SendError as exc:
        if exc.transient and not last_attempt:
            if not exc.maybe_sent:
                ledger.settle(field, current.attempt, Record("retry", current.attempt, now))
            raise  # "sending": the next attempt looks it up; "retry": it just sends
        state = "unknown" if exc.transient and exc.maybe_sent else "failed"
        ledger.settle(field, current.attempt, Record(state, current.attempt, now))
        return Outcome(state, str(exc))
    ledger.settle(field, current.attempt, Record("sent", current.attempt, now, provider_id))
    return Outcome("sent")


def _resend_if_not_there(
    ledger: Ledger, field: str, sender: Sender, to: str, body: str, current: Record, now: float
) -> Record | Outcome:
    """After an attempt that may have gone out, look it up; the next attempt, or the outcome."""
    if current.state == "sending":
        try:
            found = sender.find(to, body, current.since - CLOCK_SKEW, ledger.provider_ids())
        except LookupUnavailable:
            ledger.settle(field, current.attempt, Record("unknown", current.attempt, now))
            return Outcome("unknown", "the provider could not be asked")
        if found:
            ledger.settle(field, current.attempt, Record("sent", current.attempt, now, found))
            return Outcome("already", "sent")
    again = Record("sending", current.attempt + 1, now)
    if not ledger.settle(field, current.attempt, again):
        return Outcome("taken")
    return again


def give_up(ledger: Ledger, field: str) -> str:
    """After the last attempt died (timeout, killed worker): "unknown" if one was under way,
    "failed" if none ever started, else what it already is. Returns the state."""
    current = ledger.get(field)
    if current is None:
        return "failed"
    if current.state in ("sending", "retry"):
        state = "unknown" if current.state == "sending" else "failed"
        ledger.settle(field, current.attempt, Record(state, current.attempt, current.since))
        return state
    return current.state
