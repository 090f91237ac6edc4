"""The shared queue: ordered views, atomic claim/release/resolve (Lua, one round trip each)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
from hotline.escalations.seal import seal, unseal
from hotline.store import key

WAITS = key("esc", "waits")  # recent seconds-to-claim, newest first (for wait estimates)

# KEYS: record, waiting, version, waits. ARGV: id, staff, now.
CLAIM = (
    records.SECTIONS_LUA
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
local owner = redis.call('HGET', KEYS[1], 'assignee')
if status == 'claimed' then
  if owner == ARGV[2] then return 'ok' end
  return 'taken'
end
unlist(KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'claimed', 'assignee', ARGV[2], 'claimed', ARGV[3])
list(KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
redis.call('LPUSH', KEYS[4], tostring(tonumber(ARGV[3]) - created))
redis.call('LTRIM', KEYS[4], 0, 49)
redis.call('INCR', KEYS[3])
return 'ok'
"""
)

# KEYS: record, waiting, version. ARGV: id, staff, is_admin ("1"/"0").
RELEASE = (
    records.SECTIONS_LUA
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'claimed' then return status or 'missing' end
if redis.call('HGET', KEYS[1], 'assignee') ~= ARGV[2] and ARGV[3] ~= '1' then return 'taken' end
unlist(KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'waiting', 'assignee', '', 'claimed', '0')
list(KEYS[1], ARGV[1])
local p = tonumber(redis.call('HGET', KEYS[1], 'priority'))
local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
redis.call('ZADD', KEYS[2], p * 100000000000 + created, ARGV[1])
redis.call('INCR', KEYS[3])
return 'ok'
"""
)

# KEYS: record, open, waiting, closed, by-who, version, report record (reports.esc_key).
# ARGV: id, staff, is_admin, now, outcome, by-who field, sealed note ("" = none), history
# index prefix (the outcome's index is prefix .. 'outcome:' .. outcome, scored by creation).
RESOLVE = (
    records.SECTIONS_LUA
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
local owner = redis.call('HGET', KEYS[1], 'assignee')
if owner ~= ARGV[2] and ARGV[3] ~= '1' then return 'taken' end
unlist(KEYS[1], ARGV[1])
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
)


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
    """What one staff member sees: requests for a person, tips, and work in progress.

    Each list is a page (the first PAGE of its section in the viewer's order); totals counts
    the whole section, so a page can say how many more there are.
    """

    waiting: list[Escalation]
    tips: list[Escalation]
    in_progress: list[Escalation]
    totals: dict[str, int] = field(default_factory=dict)


PAGE = 20  # escalations per section a dashboard shows (and reads, and unseals): a phone's worth
LIST_FIELDS = ("id", "channel", "language", "priority", "reason", "kind", "who", "consent",
               "status", "created", "claimed", "assignee", "alerts", "flag", "number_tail",
               "last_inbound", "inbound", "handoff_from", "handoff_to", "handoff_at",
               "handoff_note")  # fmt: skip
SECTION_OF_VIEW = {"waiting": "waiting", "tips": "tips", "in_progress": "progress"}

# The top of every section zset of every language, with the sizes. ARGV: how many per zset.
# Returns {language, section, size, id, score, id, score, ...} per (language, section).
TOPS = """
local out = {}
for _, lang in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, section in ipairs({'waiting', 'tips', 'progress'}) do
    local k = ARGV[1] .. section .. ':' .. lang
    local size = redis.call('ZCARD', k)
    if size > 0 then
      local row = {lang, section, size}
      for _, v in ipairs(redis.call('ZRANGE', k, 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')) do
        table.insert(row, v)
      end
      table.insert(out, row)
    end
  end
end
return out
"""


def view_for(
    r: redis.Redis, languages: tuple[str, ...], size: int = PAGE, viewer: str = ""
) -> QueueView:
    """A page of each section, priority first; within a priority, the viewer's languages first,
    then waiting time. Two round trips whatever the number open: the top `size` of each
    (section, language) zset, then the list fields of the chosen records only (never their
    answers, safe time, number or transcript); only the shown records' danger phrases and
    hand-off note are unsealed (a record keeps its number's last 2 digits unsealed:
    number_tail). With `viewer` (a staff name), what that person has seen, for unread badges.
    Returns the first `size` of each section; QueueView.totals counts each whole section.
    """
    names = LIST_FIELDS + ((f"{records.SEEN_PREFIX}{viewer}",) if viewer else ())
    tops = r.register_script(TOPS)(keys=[records.SECTION_LANGS],
                                   args=[records.SECTION_PREFIX, size])  # fmt: skip
    candidates: dict[str, list[tuple[tuple, str]]] = {s: [] for s in records.SECTIONS}
    totals = dict.fromkeys(records.SECTIONS, 0)
    for row in tops:
        lang, section, count, rest = row[0], row[1], int(row[2]), row[3:]
        totals[section] += count
        for escalation_id, raw in zip(rest[::2], rest[1::2], strict=True):
            score_ = float(raw)
            order = (int(score_ // records.PRIORITY_SPAN), lang not in languages, score_)
            candidates[section].append((order, escalation_id))
    chosen = {s: [i for _, i in sorted(c)[:size]] for s, c in candidates.items()}
    pipe = r.pipeline(transaction=False)
    for ids in chosen.values():
        for escalation_id in ids:
            pipe.hmget(record_key(escalation_id), names)
    rows = iter(pipe.execute())
    found = {
        s: [e for e in (_listed(r, names, next(rows)) for _ in ids) if e is not None]
        for s, ids in chosen.items()
    }
    return QueueView(
        waiting=found["waiting"], tips=found["tips"], in_progress=found["progress"],
        totals={view: totals[s] for view, s in SECTION_OF_VIEW.items()},
    )  # fmt: skip


def _listed(r: redis.Redis, names: tuple[str, ...], values: list[str | None]) -> Escalation | None:
    """An Escalation holding only the list fields (no answers, safe time or transcript):
    the sealed number is left out (its unsealed last 2 digits are there), except on a record
    from before number_tail, whose number is then read and unsealed."""
    data = {k: v for k, v in zip(names, values, strict=True) if v is not None}
    if not data.get("id"):
        return None
    if "number_tail" not in data:  # rebuild_sections fills it in at the upgrade's first start
        data["number"] = r.hget(record_key(data["id"]), "number") or ""
    return Escalation.from_hash(data)


def rebuild_sections(r: redis.Redis) -> int:
    """List every open escalation in its section zset (after an upgrade; O(open), once).

    Returns how many were listed. Safe to run again: each id is put where its record says.
    """
    ids = r.zrange(OPEN, 0, -1)
    pipe = r.pipeline(transaction=False)
    for escalation_id in ids:
        pipe.hmget(record_key(escalation_id), "status", "kind", "language", "priority", "created",
                   "number_tail", "number")  # fmt: skip
    listed = 0
    pipe2 = r.pipeline(transaction=False)
    for escalation_id, row in zip(ids, pipe.execute(), strict=True):
        status, kind, lang, priority, created, number_tail, number = row
        section = records.section_of(status or "", kind or "")
        if section is None:
            continue
        if number_tail is None:
            pipe2.hset(record_key(escalation_id), "number_tail", records.tail(unseal(number)))
        for other in records.SECTIONS:
            pipe2.zrem(records.section_key(other, lang or ""), escalation_id)
        pipe2.zadd(records.section_key(section, lang or ""),
                   {escalation_id: records.score(int(priority), float(created))})  # fmt: skip
        pipe2.sadd(records.SECTION_LANGS, lang or "")
        listed += 1
    pipe2.set(SECTIONS_READY, "1")
    pipe2.execute()
    return listed


SECTIONS_READY = key("esc", "q", "ready")  # set once open escalations are in their sections


def ensure_sections(r: redis.Redis) -> None:
    """At start: list open escalations in their sections unless that was done already."""
    if not r.exists(SECTIONS_READY):
        rebuild_sections(r)
