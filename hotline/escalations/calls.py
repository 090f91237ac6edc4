"""Voice in the record: a call an on-call advocate answered leaves a conversation record.

When a transfer to the on-call phones ends after an advocate pressed 1 to accept
(channels/voice.py: /voice/screen-result, then /voice/dial-result), this writes an escalation
of kind "call": when the bridged call began (now minus Twilio's DialCallDuration), how long it
lasted, the caller's language, and who answered (matched by the phone that answered, when it
belongs to an account). The advocate then sets the outcome as for any conversation; until
then it is theirs in the queue (or waiting for anyone when the answering phone is no
account's). No number is kept: only its keyed hash, so the claimant's history and DELETE
find it. It is never joined to the caller's open SMS conversation (no esc:by-who entry).
"""

from __future__ import annotations

import redis

from hotline import clock
from hotline.escalations import accounts, history, records, reports
from hotline.escalations.records import Entry, Escalation
from hotline.store import number_key

KIND = "call"


def advocate_for_phone(r: redis.Redis, phone: str) -> str:
    """The account whose phone answered (its name), or "" when none matches."""
    digits = "".join(c for c in phone if c.isdigit())
    if not digits:
        return ""
    for staff in accounts.everyone(r):
        if staff.phone and "".join(c for c in staff.phone if c.isdigit()) == digits:
            return staff.name
    return ""


def duration_label(seconds: int) -> str:
    """ "4 min 05 s" (staff read it on the record)."""
    return f"{seconds // 60} min {seconds % 60:02d} s"


def record_answered(
    r: redis.Redis, *, hash_key: str, caller: str, language: str, duration: int,
    advocate: str, timezone: str,
) -> Escalation:  # fmt: skip
    """Write the record of an answered call (one transaction); returns it.

    duration: seconds the advocate and caller were connected (DialCallDuration). caller: the
    From number, used only for its keyed hash.
    """
    now = clock.now()
    duration = max(0, int(duration))
    started = now - duration
    who = number_key(hash_key, caller) if caller else ""
    status = "claimed" if advocate else "waiting"
    record = Escalation(
        id=records.new_id(r), channel="voice", language=language, priority=3,
        reason="call answered by an on-call advocate", kind=KIND, who=who, status=status,
        created=started, claimed=started if advocate else 0.0, assignee=advocate,
        details={"duration": duration_label(duration)},
    )  # fmt: skip
    day = reports.local_day(started, timezone)
    ttl = reports.ReportConfig.from_env().ttl
    score = records.score(record.priority, record.created)
    said = (f"call answered by {advocate or 'an on-call phone'}; {duration_label(duration)}"
            "; set the outcome")  # fmt: skip
    pipe = r.pipeline(transaction=True)
    pipe.hset(records.record_key(record.id), mapping=record.to_hash())
    pipe.zadd(records.OPEN, {record.id: score})
    if status == "waiting":
        pipe.zadd(records.WAITING, {record.id: score})
    section = records.section_of(record.status, record.kind)  # the dashboard's section index
    if section:
        pipe.zadd(records.section_key(section, language), {record.id: score})
        pipe.sadd(records.SECTION_LANGS, language)
    if who:
        pipe.sadd(records.who_key(who), record.id)
    rpt = reports.esc_key(record.id)
    figures = {"day": day.isoformat(), "channel": "voice", "language": language, "kind": KIND,
               "priority": str(record.priority), "outcome": ""}  # fmt: skip
    pipe.hset(rpt, mapping=figures)
    pipe.expire(rpt, ttl)
    pipe.zadd(reports.ESCS, {record.id: day.toordinal()})
    pipe.zadd(history.ALL, {record.id: started})
    pipe.zadd(history.facet_key("language", language), {record.id: started})
    pipe.zadd(history.facet_key("channel", "voice"), {record.id: started})
    records.append(pipe, record.id, Entry(at=now, by="system", text=said))
    pipe.execute()
    return record
