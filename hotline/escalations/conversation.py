"""The texter's side of an escalation: open it, route their words to staff, close it.

The texter's SMS session holds the open escalation id in session.vars["escalation"];
while it is there, sms.decide() sends their messages here instead of to the menu.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import redis

from hotline import schedule, sessions
from hotline.config import Settings
from hotline.engine import Engine, Escalate, Session
from hotline.escalations import queue, records, wait
from hotline.escalations.records import Entry, Escalation
from hotline.escalations.seal import seal
from hotline.sessions import sms_session_key
from hotline.store import number_key

SESSION_VAR = "escalation"
TRIAGE_VAR = "triage"  # set by the channel when the danger lexicon flagged a message
DETAIL_VARS = ("tip_what", "tip_where", "tip_danger_now", "where")

# KEYS: record, log, version, waiting, waits. ARGV: id, entry json, now.
# Returns {status, rank (-1 when not waiting), recent waits...}; appends only while open.
RECEIVE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', -1} end
if status ~= 'resolved' then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('HSET', KEYS[1], 'last_inbound', ARGV[3])
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
        return number_key(self.settings.secret_key, sender)


def _consent(answers: dict[str, str]) -> str:
    """May staff contact them: SMS asks safe_to_text, voice asks callback_consent."""
    return answers.get("safe_to_text") or answers.get("callback_consent") or ""


def _new_record(desk: Desk, action: Escalate, channel: str, sender: str) -> Escalation:
    answers = {k: str(v) for k, v in action.answers.items()}
    now = time.time()
    return Escalation(
        id=records.new_id(desk.r), channel=channel, language=action.language,
        priority=action.priority, reason=action.reason, kind=action.escalation,
        who=desk.who(sender), consent=_consent(answers),
        safe_time=answers.get("safe_time", ""), created=now,
        last_inbound=now if channel == "sms" else 0.0, number=sender,
        details={k: answers[k] for k in DETAIL_VARS if answers.get(k)},
        flag=answers.get(TRIAGE_VAR, ""),
    )  # fmt: skip


def open_escalation(
    desk: Desk, action: Escalate, channel: str, sender: str
) -> tuple[Escalation, bool]:
    """Create the record, or join the texter's open one of the same kind. Returns (record, new)."""
    existing_id = records.open_for(desk.r, desk.who(sender), action.escalation)
    existing = records.load(desk.r, existing_id) if existing_id else None
    if existing is not None and existing.is_open:
        _join(desk, existing, action)
        return existing, False
    record = _new_record(desk, action, channel, sender)
    records.save_new(desk.r, record)
    records.append(desk.r, record.id, Entry(at=record.created, by="system", text=record.reason))
    return record, True


def _join(desk: Desk, record: Escalation, action: Escalate) -> None:
    """Asked again: note it, keep the newest consent, and raise the priority if more urgent."""
    answers = {k: str(v) for k, v in action.answers.items()}
    updates = {"last_inbound": str(time.time())}
    if answers.get(TRIAGE_VAR):
        updates["flag"] = seal(answers[TRIAGE_VAR])
    if _consent(answers):
        updates |= {"consent": _consent(answers), "safe_time": seal(answers.get("safe_time", ""))}
    pipe = desk.r.pipeline(transaction=True)
    if action.priority < record.priority:
        record.priority = action.priority
        updates["priority"] = str(action.priority)
        new_score = records.score(record.priority, record.created)
        pipe.zadd(records.OPEN, {record.id: new_score}, xx=True)
        pipe.zadd(records.WAITING, {record.id: new_score}, xx=True)
    pipe.hset(records.record_key(record.id), mapping=updates)
    records.append(pipe, record.id, Entry(time.time(), "system", f"asked again: {action.reason}"))
    pipe.execute()


def queued_texts(desk: Desk, record: Escalation, prefix: str = "") -> list[str]:
    """Out of hours, an estimated wait, or 'as soon as someone is free' (flow texts)."""
    ahead = queue.position(desk.r, record.id) or 0
    minutes = wait.estimate_minutes(queue.recent_waits(desk.r), ahead)
    return wait.queued_texts(
        desk.engine, record.language, desk.local_now(), desk.settings.staffed_hours, minutes,
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
        keys=keys, args=[escalation_id, entry.to_json(), entry.at]
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


def note(r: redis.Redis, escalation_id: str, text: str) -> None:
    """A system line in the transcript (staff-facing words, never the texter's)."""
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
