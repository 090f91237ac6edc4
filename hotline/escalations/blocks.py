"""Blocking a number that harasses the line, for a set time, never into silence.

A block is one key per texter, block:{who} (who = the keyed hash of the number, never the
number), with a TTL: it expires on its own. The SMS read script (channels/sms_state.READ)
fetches it in the round trip every message already costs. A blocked texter still gets an
answer to every message: danger words get 911 and the 24/7 line, anything else the neutral
static line (flows/sms.yaml: blocked_danger, fallback); nothing of theirs is queued or kept
in a transcript. STOP and DELETE still work.

Keys (prefix hotline:):
  block:{who}   JSON {until, by, reason, escalation} (staff words only), EX = the block's length
  block:all     zset who -> until, so admins can list and lift blocks (expired ones dropped
                when read)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import phonenumbers
import redis

from hotline import clock
from hotline.escalations import audit
from hotline.store import key, number_key

DURATIONS = {"24h": ("24 hours", 86400), "30d": ("30 days", 30 * 86400)}
ALL = key("block", "all")


def block_key(who: str) -> str:
    return key("block", who)


class BlockError(ValueError):
    """A block that cannot be made (no such number, unknown length, no reason)."""


@dataclass(frozen=True)
class Block:
    who: str
    until: float
    by: str
    reason: str
    escalation: str = ""


def who_of_number(hash_key: str, typed: str, region: str = "US") -> str:
    """The keyed hash of a number an admin typed, as Twilio would send it (E.164).

    Raises BlockError when it is not a valid number. Uses phonenumbers (region US by default:
    "978 555 0123" and "+1 978-555-0123" are the same number).
    """
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException as exc:
        raise BlockError("That is not a phone number.") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise BlockError("That is not a phone number.")
    return number_key(
        hash_key, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    )


def block(
    r: redis.Redis, who: str, duration: str, by: str, reason: str, escalation: str = ""
) -> Block:
    """Block `who` for DURATIONS[duration] ("24h" or "30d"), with the reason in the audit log.

    A new block replaces an earlier one (its length starts now). BlockError for an unknown
    length or a reason under 8 letters.
    """
    if duration not in DURATIONS:
        raise BlockError("Choose how long: 24 hours or 30 days.")
    if not who:
        raise BlockError("This conversation no longer has a number to block (erased).")
    reason = " ".join(reason.split())[:200]
    if sum(c.isalpha() for c in reason) < 8:
        raise BlockError("Say in a few words why this number is blocked.")
    label, seconds = DURATIONS[duration]
    now = clock.now()
    made = Block(who, now + seconds, by, reason, escalation)
    pipe = r.pipeline(transaction=True)
    pipe.set(block_key(who), json.dumps(made.__dict__), ex=seconds)
    pipe.zadd(ALL, {who: made.until})
    pipe.execute()
    audit.record(r, by, "block", escalation, f"{label}: {reason}")
    return made


def unblock(r: redis.Redis, who: str, by: str) -> bool:
    """Lift a block now; audited. False when there was none."""
    pipe = r.pipeline(transaction=True)
    pipe.delete(block_key(who))
    pipe.zrem(ALL, who)
    existed, _ = pipe.execute()
    if existed:
        audit.record(r, by, "unblock", "", f"block {who[:8]}")
    return bool(existed)


def active(r: redis.Redis) -> list[Block]:
    """Blocks in force, soonest to end first (ended ones are dropped from the list)."""
    r.zremrangebyscore(ALL, "-inf", time.time())
    whos = r.zrange(ALL, 0, -1)
    if not whos:
        return []
    found = []
    for who, raw in zip(whos, r.mget([block_key(w) for w in whos]), strict=True):
        if raw:
            data = json.loads(raw)
            found.append(Block(who, float(data["until"]), data["by"], data["reason"],
                               data.get("escalation", "")))  # fmt: skip
    return found


def is_blocked(r: redis.Redis, who: str) -> bool:
    """Whether `who` is blocked now (voice and staff pages; SMS reads it in its own script)."""
    return bool(r.exists(block_key(who)))
