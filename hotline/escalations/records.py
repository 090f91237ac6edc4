"""Escalation records: the data in Redis that outlives any job, process or worker.

Keys (prefix hotline:):
  esc:next            counter for ids
  esc:{id}            hash: the record (fields below)
  esc:{id}:log        list: the transcript, one JSON entry per line, oldest first
  esc:open            zset: every unresolved escalation, score = priority then age
  esc:waiting         zset: the unclaimed ones (same score)
  esc:closed          zset: resolved ones, score = resolved time (for history and retention)
  esc:by-who          hash: number_key -> open escalation id (one per texter and kind)
  esc:who:{who}       set: every escalation id of one texter (for DELETE)
  esc:version         counter bumped on every change (dashboards poll it)
  esc:q:{section}:{language}  zset per dashboard section (waiting, tips, progress) and
                      language, same score as esc:open: a page of the queue is read from
                      the top of each, never from every record (queue.page)
  esc:q:langs         set: the languages those zsets exist for
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import redis

from hotline.escalations.seal import seal, unseal
from hotline.store import key

KINDS = ("help", "tip", "callback", "urgent")
# Outcome codes are data: flows/outcomes.yaml (escalations/outcomes.py).
SEALED = (
    "number",
    "safe_time",
    "flag",
    "outcome_note",
    "handoff_note",
)  # string fields encrypted at rest (details too)
SEEN_PREFIX = "seen:"  # record fields seen:<staff> = texter messages that person has seen
MAX_TRANSCRIPT = 1000  # lines: texters' words and notes stop being added there (staff's never)
PRIORITY_SPAN = 10**11  # larger than any epoch second, so priority dominates the score


def record_key(escalation_id: str) -> str:
    return key("esc", escalation_id)


def log_key(escalation_id: str) -> str:
    return key("esc", escalation_id, "log")


OPEN, WAITING, CLOSED = key("esc", "open"), key("esc", "waiting"), key("esc", "closed")
BY_WHO, VERSION = key("esc", "by-who"), key("esc", "version")
NEXT_ID = key("esc", "next")


SECTION_PREFIX, SECTION_LANGS = key("esc", "q", ""), key("esc", "q", "langs")
SECTIONS = ("waiting", "tips", "progress")  # unclaimed requests, unclaimed tips, claimed


def section_of(status: str, kind: str) -> str | None:
    """The dashboard section an escalation is listed in; None once resolved."""
    if status == "resolved" or not status:
        return None
    if status == "claimed":
        return "progress"
    return "tips" if kind == "tip" else "waiting"


def section_key(section: str, language: str) -> str:
    return SECTION_PREFIX + f"{section}:{language}"


# Lua shared by every script that changes an escalation's status, kind or priority: take it
# out of its section before the change (unlist) and put it back after (list).
SECTIONS_LUA = (
    """
local function section_key(rec)
  local f = redis.call('HMGET', rec, 'status', 'kind', 'language')
  if not f[1] or f[1] == 'resolved' then return nil end
  local section = 'waiting'
  if f[1] == 'claimed' then section = 'progress' elseif f[2] == 'tip' then section = 'tips' end
  return 'PREFIX' .. section .. ':' .. (f[3] or '')
end
local function unlist(rec, id)
  local k = section_key(rec)
  if k then redis.call('ZREM', k, id) end
end
local function list(rec, id)
  local k = section_key(rec)
  if not k then return end
  local p = tonumber(redis.call('HGET', rec, 'priority'))
  local c = tonumber(redis.call('HGET', rec, 'created'))
  redis.call('ZADD', k, p * SPAN + c, id)
  redis.call('SADD', 'LANGS', redis.call('HGET', rec, 'language') or '')
end
""".replace("PREFIX", SECTION_PREFIX)
    .replace("LANGS", SECTION_LANGS)
    .replace("SPAN", "1e11")
)


def score(priority: int, created: float) -> float:
    """Priority first (1 is most urgent), then the longest wait."""
    return priority * PRIORITY_SPAN + created


@dataclass
class Escalation:
    """One request for a person. `number` and `details` are sealed at rest."""

    id: str
    channel: str
    language: str
    priority: int
    reason: str
    kind: str
    who: str  # keyed hash of the number (store.number_key), for lookups
    consent: str = ""  # "yes", "no" or "" (not asked)
    safe_time: str = ""  # the texter's own words, e.g. "weekdays after 6pm" or "ANY"
    status: str = "waiting"  # waiting, claimed, resolved
    created: float = 0.0
    claimed: float = 0.0
    resolved: float = 0.0
    assignee: str = ""
    outcome: str = ""  # a code of flows/outcomes.yaml
    outcome_note: str = ""  # staff's optional words at resolve (sealed at rest)
    last_inbound: float = 0.0  # when the texter last wrote
    alerts: int = 0
    flag: str = ""  # why triage flagged it: the lexicon phrases matched (sealed at rest)
    erased: float = 0.0  # when the texter sent DELETE (content gone; nothing may be sent)
    inbound: int = 0  # texter messages received in the conversation (for unread badges)
    handoff_from: str = ""  # who handed it on last (escalations/handoffs.py)
    handoff_to: str = ""  # to whom ("" = back to the queue)
    handoff_at: float = 0.0
    handoff_note: str = field(default="", repr=False)  # what the colleague reads first (sealed)
    number: str = field(default="", repr=False)
    # The number's last 2 digits, all staff ever see without a reveal, kept unsealed so the
    # queue list unseals nothing for it ("" on records older than this field).
    number_tail: str = ""
    details: dict[str, str] = field(default_factory=dict, repr=False)  # tip answers, ZIP...
    seen: dict[str, int] = field(default_factory=dict, repr=False)  # staff -> inbound seen

    def unread(self, staff: str) -> int:
        """Texter messages since `staff` last opened this conversation (0 when none)."""
        return max(0, self.inbound - self.seen.get(staff, 0))

    @property
    def waiting_seconds(self) -> float:
        return max(0.0, (self.claimed or self.resolved or time.time()) - self.created)

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    def to_hash(self) -> dict[str, str]:
        data = asdict(self)
        data["number"] = seal(self.number)
        data["number_tail"] = self.number_tail or tail(self.number)
        data["safe_time"] = seal(self.safe_time)
        data["flag"] = seal(self.flag) if self.flag else ""
        data["outcome_note"] = seal(self.outcome_note) if self.outcome_note else ""
        data["details"] = seal(json.dumps(self.details))
        data["handoff_note"] = seal(self.handoff_note) if self.handoff_note else ""
        del data["seen"]  # written by handoffs.mark_seen as seen:<staff> fields
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> Escalation:
        types = _field_types(cls)
        values: dict[str, object] = {}
        seen: dict[str, int] = {}
        for name, raw in data.items():
            if name.startswith(SEEN_PREFIX):
                seen[name[len(SEEN_PREFIX) :]] = int(raw or 0)
                continue
            if name not in types or name == "seen":
                continue
            kind = types[name]
            if name in SEALED:
                values[name] = unseal(raw)
            elif name == "details":
                values[name] = json.loads(unseal(raw) or "{}")
            elif kind == "int":
                values[name] = int(float(raw or 0))
            elif kind == "float":
                values[name] = float(raw or 0)
            else:
                values[name] = raw
        return cls(**values, seen=seen)  # type: ignore[arg-type]


@functools.cache
def _field_types(cls: type) -> dict[str, str]:
    return {f.name: f.type for f in fields(cls)}


def tail(number: str) -> str:
    """The last 2 digits of a number ("" when it has fewer)."""
    digits = [c for c in number if c.isdigit()]
    return "".join(digits[-2:]) if len(digits) >= 2 else ""


def new_id(r: redis.Redis) -> str:
    return str(r.incr(NEXT_ID))


def load(r: redis.Redis, escalation_id: str) -> Escalation | None:
    data = r.hgetall(record_key(escalation_id))
    return Escalation.from_hash(data) if data else None


def load_many(r: redis.Redis, ids: list[str]) -> list[Escalation]:
    """Several records in one round trip, skipping any that vanished."""
    pipe = r.pipeline(transaction=False)
    for escalation_id in ids:
        pipe.hgetall(record_key(escalation_id))
    return [Escalation.from_hash(d) for d in pipe.execute() if d]


def save_new(r: redis.Redis, record: Escalation) -> None:
    """Write a new record and put it on the queue, atomically."""
    pipe = r.pipeline(transaction=True)
    pipe.hset(record_key(record.id), mapping=record.to_hash())
    pipe.zadd(OPEN, {record.id: score(record.priority, record.created)})
    pipe.zadd(WAITING, {record.id: score(record.priority, record.created)})
    pipe.hset(BY_WHO, _who_field(record.who, record.kind), record.id)
    pipe.sadd(who_key(record.who), record.id)
    section = section_of(record.status, record.kind)
    if section:
        listed = {record.id: score(record.priority, record.created)}
        pipe.zadd(section_key(section, record.language), listed)
        pipe.sadd(SECTION_LANGS, record.language)
    pipe.incr(VERSION)
    pipe.execute()


def who_key(who: str) -> str:
    return key("esc", "who", who)


def _who_field(who: str, kind: str) -> str:
    return f"{who}:{'tip' if kind == 'tip' else 'person'}"


def who_fields(who: str) -> tuple[str, str]:
    """The BY_WHO fields of a texter's open escalations: one for a person, one for a tip."""
    return _who_field(who, "help"), _who_field(who, "tip")


def open_for(r: redis.Redis, who: str, kind: str) -> str | None:
    """The texter's open escalation of this kind (a tip apart from a request for a person)."""
    return r.hget(BY_WHO, _who_field(who, kind))


def forget_open(pipe, record: Escalation) -> None:
    pipe.hdel(BY_WHO, _who_field(record.who, record.kind))


# -- transcript ------------------------------------------------------------------------------
@dataclass
class Entry:
    """One line of a conversation: who (texter, staff, system), when, what, delivery state."""

    at: float
    by: str
    text: str
    name: str = ""  # staff username for staff lines
    state: str = ""  # for staff replies: queued, sent, retrying, failed
    error: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["text"] = seal(self.text)
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> Entry:
        data = json.loads(raw)
        data["text"] = unseal(data.get("text"))
        return cls(**data)


def append(r: redis.Redis | redis.client.Pipeline, escalation_id: str, entry: Entry) -> None:
    """Add a line to the transcript (returns nothing; on a pipeline it is queued)."""
    r.rpush(log_key(escalation_id), entry.to_json())
    r.incr(VERSION)


def append_get_index(
    r: redis.Redis, escalation_id: str, entry: Entry, also: Callable[[Any], None] | None = None
) -> int:
    """Add a line and return its index (staff replies are sent by index); `also` queues more
    commands on the same transaction (a report figure)."""
    pipe = r.pipeline(transaction=True)
    pipe.rpush(log_key(escalation_id), entry.to_json())
    pipe.incr(VERSION)
    if also is not None:
        also(pipe)
    length, *_ = pipe.execute()
    return int(length) - 1


def transcript(r: redis.Redis, escalation_id: str, start: int = 0) -> list[Entry]:
    return [Entry.from_json(raw) for raw in r.lrange(log_key(escalation_id), start, -1)]


def entry_at(r: redis.Redis, escalation_id: str, index: int) -> Entry | None:
    raw = r.lindex(log_key(escalation_id), index)
    return Entry.from_json(raw) if raw else None


def update_entry(r: redis.Redis, escalation_id: str, index: int, entry: Entry) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.lset(log_key(escalation_id), index, entry.to_json())
    pipe.incr(VERSION)
    pipe.execute()


def version(r: redis.Redis) -> int:
    return int(r.get(VERSION) or 0)
