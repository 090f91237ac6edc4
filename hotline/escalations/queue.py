"""The shared queue: ordered views, atomic claim/release/resolve (Lua, one round trip each)."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from hotline import clock
from hotline.escalations import history, records, reports
from hotline.escalations.records import (
    BY_WHO,
    CLOSED,
    OPEN,
    VERSION,
    WAITING,
    Escalation,
    record_key,
)
from hotline.escalations.seal import seal
from hotline.store import key

WAITS = key("esc", "waits")  # recent seconds-to-claim, newest first (for wait estimates)

# KEYS: record, waiting, version, waits. ARGV: id, staff, now.
CLAIM = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
local owner = redis.call('HGET', KEYS[1], 'assignee')
if status == 'claimed' then
  if owner == ARGV[2] then return 'ok' end
  return 'taken'
end
redis.call('HSET', KEYS[1], 'status', 'claimed', 'assignee', ARGV[2], 'claimed', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
redis.call('LPUSH', KEYS[4], tostring(tonumber(ARGV[3]) - created))
redis.call('LTRIM', KEYS[4], 0, 49)
redis.call('INCR', KEYS[3])
return 'ok'
"""

# KEYS: record, waiting, version. ARGV: id, staff, is_admin ("1"/"0").
RELEASE = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'claimed' then return status or 'missing' end
if redis.call('HGET', KEYS[1], 'assignee') ~= ARGV[2] and ARGV[3] ~= '1' then return 'taken' end
redis.call('HSET', KEYS[1], 'status', 'waiting', 'assignee', '', 'claimed', '0')
local p = tonumber(redis.call('HGET', KEYS[1], 'priority'))
local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
redis.call('ZADD', KEYS[2], p * 100000000000 + created, ARGV[1])
redis.call('INCR', KEYS[3])
return 'ok'
"""

# KEYS: record, open, waiting, closed, by-who, version, report record (reports.esc_key).
# ARGV: id, staff, is_admin, now, outcome, by-who field, sealed note ("" = none), history
# index prefix (the outcome's index is prefix .. 'outcome:' .. outcome, scored by creation).
RESOLVE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
local owner = redis.call('HGET', KEYS[1], 'assignee')
if owner ~= ARGV[2] and ARGV[3] ~= '1' then return 'taken' end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolved', ARGV[4], 'outcome', ARGV[5],
           'outcome_note', ARGV[7])
if owner == '' then redis.call('HSET', KEYS[1], 'assignee', ARGV[2]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
if redis.call('HGET', KEYS[5], ARGV[6]) == ARGV[1] then redis.call('HDEL', KEYS[5], ARGV[6]) end
if redis.call('EXISTS', KEYS[7]) == 1 then redis.call('HSET', KEYS[7], 'outcome', ARGV[5]) end
local created = redis.call('HGET', KEYS[1], 'created')
redis.call('ZADD', ARGV[8] .. 'outcome:' .. ARGV[5], created, ARGV[1])
redis.call('INCR', KEYS[6])
return 'ok'
"""


class QueueError(RuntimeError):
    """A claim, release or resolve that cannot happen (taken, missing, resolved)."""

    def __init__(self, result: str):
        self.result = result
        super().__init__(result)


def _run(r: redis.Redis, script: str, keys: list[str], args: list[object]) -> str:
    result = r.register_script(script)(keys=keys, args=args)
    if result != "ok":
        raise QueueError(result)
    return result


def claim(r: redis.Redis, escalation_id: str, staff: str, now: float | None = None) -> None:
    """Take an escalation; QueueError('taken') if someone else has it. Atomic."""
    keys = [record_key(escalation_id), WAITING, VERSION, WAITS]
    _run(r, CLAIM, keys, [escalation_id, staff, now or clock.now()])


def release(r: redis.Redis, escalation_id: str, staff: str, admin: bool = False) -> None:
    """Put a claimed escalation back in the waiting queue (its place kept by age)."""
    keys = [record_key(escalation_id), WAITING, VERSION]
    _run(r, RELEASE, keys, [escalation_id, staff, "1" if admin else "0"])


def resolve(
    r: redis.Redis,
    escalation_id: str,
    staff: str,
    outcome: str,
    admin: bool = False,
    note: str = "",
) -> Escalation:
    """Close an escalation with an outcome code (checked by the caller against
    flows/outcomes.yaml) and an optional note, sealed at rest; the record and transcript are
    kept. QueueError("bad-outcome") for an empty code, or "taken"/"missing"/"resolved"."""
    if not outcome:
        raise QueueError("bad-outcome")
    record = records.load(r, escalation_id)
    if record is None:
        raise QueueError("missing")
    who_field = f"{record.who}:{'tip' if record.kind == 'tip' else 'person'}"
    keys = [record_key(escalation_id), OPEN, WAITING, CLOSED, BY_WHO, VERSION,
            reports.esc_key(escalation_id)]  # fmt: skip
    args = [escalation_id, staff, "1" if admin else "0", clock.now(), outcome, who_field,
            seal(note) if note else "", history.INDEX_PREFIX]  # fmt: skip
    _run(r, RESOLVE, keys, args)
    return records.load(r, escalation_id) or record


def open_escalations(r: redis.Redis) -> list[Escalation]:
    """Every unresolved escalation, most urgent then longest waiting first."""
    return records.load_many(r, r.zrange(OPEN, 0, -1))


def position(r: redis.Redis, escalation_id: str) -> int | None:
    """How many unclaimed escalations are ahead of this one (None when not waiting)."""
    return r.zrank(WAITING, escalation_id)


def recent_waits(r: redis.Redis) -> list[float]:
    return [float(w) for w in r.lrange(WAITS, 0, -1)]


@dataclass(frozen=True)
class QueueView:
    """What one staff member sees: requests for a person, tips, and work in progress."""

    waiting: list[Escalation]
    tips: list[Escalation]
    in_progress: list[Escalation]


def view_for(r: redis.Redis, languages: tuple[str, ...]) -> QueueView:
    """Priority first; within a priority, the viewer's languages first, then waiting time."""
    items = open_escalations(r)
    order = sorted(
        range(len(items)),
        key=lambda i: (items[i].priority, items[i].language not in languages, i),
    )
    ordered = [items[i] for i in order]
    waiting = [e for e in ordered if e.status == "waiting"]
    return QueueView(
        waiting=[e for e in waiting if e.kind != "tip"],
        tips=[e for e in waiting if e.kind == "tip"],
        in_progress=[e for e in ordered if e.status == "claimed"],
    )
