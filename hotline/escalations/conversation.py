"""The texter's side of an escalation: open it, route their words to staff, close it.

The texter's SMS session holds the open escalation id in session.vars["escalation"];
while it is there, sms.decide() sends their messages here instead of to the menu.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import redis

from hotline import clock, schedule, sessions
from hotline.config import Settings
from hotline.engine import Engine, Escalate, Session
from hotline.escalations import history, queue, records, reports, wait
from hotline.escalations.records import Entry, Escalation
from hotline.escalations.seal import seal
from hotline.sessions import sms_session_key
from hotline.store import number_key, write_durably

SESSION_VAR = "escalation"
TRIAGE_VAR = "triage"  # set by the channel when the danger lexicon flagged a message
DETAIL_VARS = ("tip_what", "tip_where", "tip_danger_now", "where")

# KEYS: record, log, version, waiting, waits. ARGV: id, entry json, now, transcript cap.
# Returns {status, rank (-1 when not waiting), recent waits...}; appends only while open.
RECEIVE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', -1} end
if status ~= 'resolved' and redis.call('LLEN', KEYS[2]) < tonumber(ARGV[4]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('HSET', KEYS[1], 'last_inbound', ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'inbound', 1)
  redis.call('INCR', KEYS[3])
end
local rank = redis.call('ZRANK', KEYS[4], ARGV[1]) or -1
local out = {status, rank}
for _, w in ipairs(redis.call('LRANGE', KEYS[5], 0, -1)) do table.insert(out, w) end
return out
"""


@dataclass(frozen=True)
class Desk:
    """What the texter side needs: Redis, settings, and the flow's texts."""

    r: redis.Redis
    settings: Settings
    engine: Engine

    def local_now(self) -> datetime:
        return schedule.local_now(self.settings.timezone)

    def who(self, sender: str) -> str:
        return number_key(self.settings.hash_key, sender)


def _consent(answers: dict[str, str]) -> str:
    """May staff contact them: SMS asks safe_to_text, voice asks callback_consent."""
    return answers.get("safe_to_text") or answers.get("callback_consent") or ""


# The one step that creates or joins an escalation (atomic: two deliveries of one request, or
# two processes, cannot make two). KEYS: by-who, id counter, open, waiting, the texter's
# escalations, version, waits. ARGV: by-who field, record key prefix, now, priority, score of a
# new record, consent ("" = not given), sealed safe time, flag ("" = none), first transcript
# line of a new record, "asked again" line of a joined one, the report record's key prefix, the
# local day (ISO) and its ordinal, the report ttl, the history index prefix, then the new
# record's fields as name, value pairs. A record's transcript is at its key + ":log"
# (records.log_key). KEYS also: the report index (rpt:escs), the history index of every
# escalation by creation (history.ALL; per language and channel at prefix .. 'language:' ..).
# Returns {id, 1 if created else 0, priority, language, rank in waiting (-1: not), alerts sent,
# waits...}.
_CREATE_OR_JOIN = """
local id = redis.call('HGET', KEYS[1], ARGV[1])
if id then
  local status = redis.call('HGET', ARGV[2] .. id, 'status')
  if not status or status == 'resolved' then id = false end
end
local new = 0
if id then
  local rec = ARGV[2] .. id
  unlist(rec, id)
  redis.call('HSET', rec, 'last_inbound', ARGV[3])
  if ARGV[8] ~= '' then redis.call('HSET', rec, 'flag', ARGV[8]) end
  if ARGV[6] ~= '' then redis.call('HSET', rec, 'consent', ARGV[6], 'safe_time', ARGV[7]) end
  local priority = tonumber(ARGV[4])
  if priority < tonumber(redis.call('HGET', rec, 'priority')) then
    local score = priority * %(span)d + tonumber(redis.call('HGET', rec, 'created'))
    redis.call('HSET', rec, 'priority', ARGV[4])
    redis.call('ZADD', KEYS[3], 'XX', score, id)
    redis.call('ZADD', KEYS[4], 'XX', score, id)
    if redis.call('EXISTS', ARGV[11] .. id) == 1 then
      redis.call('HSET', ARGV[11] .. id, 'priority', ARGV[4])
    end
  end
  if redis.call('LLEN', rec .. ':log') < %(cap)d then  -- an urgent flood joins again and again
    redis.call('RPUSH', rec .. ':log', ARGV[10])
  end
  list(rec, id)
else
  id = tostring(redis.call('INCR', KEYS[2]))
  local rec = ARGV[2] .. id
  redis.call('HSET', rec, 'id', id, unpack(ARGV, 16))
  local lang, channel = redis.call('HGET', rec, 'language'), redis.call('HGET', rec, 'channel')
  local rpt = ARGV[11] .. id
  redis.call('HSET', rpt, 'day', ARGV[12], 'channel', channel, 'language', lang,
             'kind', redis.call('HGET', rec, 'kind'), 'priority', ARGV[4], 'outcome', '')
  redis.call('EXPIRE', rpt, ARGV[14])
  redis.call('ZADD', KEYS[8], ARGV[13], id)
  redis.call('ZADD', KEYS[9], ARGV[3], id)
  redis.call('ZADD', ARGV[15] .. 'language:' .. lang, ARGV[3], id)
  redis.call('ZADD', ARGV[15] .. 'channel:' .. channel, ARGV[3], id)
  redis.call('ZADD', KEYS[3], ARGV[5], id)
  redis.call('ZADD', KEYS[4], ARGV[5], id)
  redis.call('HSET', KEYS[1], ARGV[1], id)
  redis.call('SADD', KEYS[5], id)
  redis.call('RPUSH', rec .. ':log', ARGV[9])
  list(rec, id)
  new = 1
end
redis.call('INCR', KEYS[6])
local rec = ARGV[2] .. id
local out = {id, new, redis.call('HGET', rec, 'priority'), redis.call('HGET', rec, 'language'),
             redis.call('ZRANK', KEYS[4], id) or -1, redis.call('HGET', rec, 'alerts') or '0'}
for _, w in ipairs(redis.call('LRANGE', KEYS[7], 0, -1)) do table.insert(out, w) end
return out
"""  # noqa: UP031 - Lua braces would fight str.format
CREATE_OR_JOIN = records.SECTIONS_LUA + _CREATE_OR_JOIN % {
    "span": records.PRIORITY_SPAN, "cap": records.MAX_TRANSCRIPT,
}  # fmt: skip
assert records.log_key("7") == records.record_key("7") + ":log"


@dataclass(frozen=True)
class Opened:
    """The escalation a request went to: created now (new) or joined, and its place in line."""

    id: str
    new: bool
    priority: int
    language: str
    rank: int  # unclaimed escalations ahead of it (-1: not waiting, e.g. claimed)
    alerts: int  # alert SMS sent for it so far
    waits: list[float]  # recent seconds-to-claim, for the wait estimate
    confirmed: bool = True  # a replica holds the write (or none exists nor is expected)

    @property
    def needs_alert(self) -> bool:
        """New, or joined while still waiting with no alert sent (its first one may have been
        lost with the process that created it; the alert job sends each person one at most)."""
        return self.new or (self.rank >= 0 and self.alerts == 0)


def _new_record(desk: Desk, action: Escalate, channel: str, sender: str) -> Escalation:
    answers = {k: str(v) for k, v in action.answers.items()}
    now = clock.now()
    return Escalation(
        id="", channel=channel, language=action.language,
        priority=action.priority, reason=action.reason, kind=action.escalation,
        who=desk.who(sender), consent=_consent(answers),
        safe_time=answers.get("safe_time", ""), created=now,
        last_inbound=now if channel == "sms" else 0.0, number=sender,
        details={k: answers[k] for k in DETAIL_VARS if answers.get(k)},
        flag=answers.get(TRIAGE_VAR, ""),
    )  # fmt: skip


def open_escalation(desk: Desk, action: Escalate, channel: str, sender: str) -> Opened:
    """THE place an escalation is created: create it, or join the texter's open one of the
    same kind (a tip apart from a request for a person), in one atomic Lua step.

    Joining notes "asked again", keeps the newest consent and raises the priority if this
    request is more urgent. One round trip, which also waits (WAIT, up to
    Settings.replica_wait_ms) for a replica to hold the write (store.write_durably): Opened
    .confirmed says whether one did. Raises redis.RedisError when Redis fails.
    """
    record = _new_record(desk, action, channel, sender)
    answers = {k: str(v) for k, v in action.answers.items()}
    fields = record.to_hash()
    fields.pop("id")
    keys = [records.BY_WHO, records.NEXT_ID, records.OPEN, records.WAITING,
            records.who_key(record.who), records.VERSION, queue.WAITS, reports.ESCS,
            history.ALL]  # fmt: skip
    day = reports.local_day(record.created, desk.settings.timezone)
    who_field = records.who_fields(record.who)[record.kind == "tip"]
    args = [
        who_field, records.record_key(""), record.created, record.priority,
        records.score(record.priority, record.created), _consent(answers),
        seal(answers.get("safe_time", "")), _sealed_flag(answers),
        Entry(at=record.created, by="system", text=record.reason).to_json(),
        Entry(at=record.created, by="system", text=f"asked again: {action.reason}").to_json(),
        reports.ESC_PREFIX, day.isoformat(), day.toordinal(), reports.ReportConfig.from_env().ttl,
        history.INDEX_PREFIX, *[item for pair in fields.items() for item in pair],
    ]  # fmt: skip
    durable = write_durably(desk.r, CREATE_OR_JOIN, keys, args, desk.settings.replica_wait_ms)
    out = durable.result
    return Opened(str(out[0]), out[1] == 1, int(out[2]), str(out[3]), int(out[4]),
                  int(out[5]), [float(w) for w in out[6:]], durable.confirmed)  # fmt: skip


def _sealed_flag(answers: dict[str, str]) -> str:
    """The triage flag for a joined record, sealed at rest as a new record's is ("" = none)."""
    flag = answers.get(TRIAGE_VAR, "")
    return seal(flag) if flag else ""


UNCONFIRMED = "saved_unconfirmed"  # flow text: the write may not survive a failover


def queued_texts(desk: Desk, opened: Opened, prefix: str = "") -> list[str]:
    """Out of hours, an estimated wait, or 'as soon as someone is free' (flow texts).

    When no replica confirmed the escalation's write (opened.confirmed False), nobody is
    promised an answer: the texter hears that it could not be confirmed, with the 24/7 line
    and 911 (flow text `saved_unconfirmed`); staff are alerted all the same.
    """
    if not opened.confirmed:
        text = desk.engine.message(UNCONFIRMED, opened.language)
        return [text] if text else []
    minutes = wait.estimate_minutes(opened.waits, max(opened.rank, 0))
    return wait.queued_texts(
        desk.engine, opened.language, desk.local_now(), desk.settings.staffed_hours, minutes,
        prefix,
    )  # fmt: skip


def receive(desk: Desk, escalation_id: str, text: str, language: str) -> list[str] | None:
    """Add the texter's words to the conversation (1 round trip); None once it is closed.

    Unclaimed: they are told it was received and the wait. Claimed: the advocate answers.
    """
    keys = [records.record_key(escalation_id), records.log_key(escalation_id),
            records.VERSION, records.WAITING, queue.WAITS]  # fmt: skip
    entry = Entry(at=time.time(), by="texter", text=text)
    out = desk.r.register_script(RECEIVE)(
        keys=keys, args=[escalation_id, entry.to_json(), entry.at, records.MAX_TRANSCRIPT]
    )
    status, rank, waits = out[0], int(out[1]), [float(w) for w in out[2:]]
    return answer_texter(desk, status, rank, waits, language)


def answer_texter(
    desk: Desk, status: str, rank: int, waits: list[float], language: str
) -> list[str] | None:
    """What a texter hears back inside a conversation; None once it is closed (to the menu).

    Unclaimed: that it was received and the wait. Claimed: nothing, the advocate answers.
    """
    if status in ("", "missing", "resolved"):
        return None
    if status == "claimed":
        return []
    minutes = wait.estimate_minutes(waits, max(rank, 0))
    spec = desk.settings.staffed_hours
    return wait.queued_texts(desk.engine, language, desk.local_now(), spec, minutes, "received_")


def note(r: redis.Redis | redis.client.Pipeline, escalation_id: str, text: str) -> None:
    """A system line in the transcript (staff-facing words, never the texter's); a pipeline
    queues it."""
    records.append(r, escalation_id, Entry(at=time.time(), by="system", text=text))


# -- the texter's SMS session --------------------------------------------------------------
def detach(r: redis.Redis, who: str) -> None:
    """Return the texter to the menu: their next message goes to the flow again."""
    session = sessions.decode(r.get(sms_session_key(who)))
    if session and session.vars.pop(SESSION_VAR, None) is not None:
        r.set(sms_session_key(who), sessions.encode(session), keepttl=True)


def attach(r: redis.Redis, record: Escalation, ttl: int) -> None:
    """Route the texter's next messages to this escalation (after a staff reply)."""
    session = sessions.decode(r.get(sms_session_key(record.who)))
    session = session or Session(flow="sms", language=record.language)
    if session.vars.get(SESSION_VAR) != record.id:
        session.vars[SESSION_VAR] = record.id
        r.set(sms_session_key(record.who), sessions.encode(session), ex=ttl)
