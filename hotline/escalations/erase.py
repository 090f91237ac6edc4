"""DELETE: a texter erases their trace. Records keep only that the conversation ended."""

from __future__ import annotations

import redis

from hotline import clock
from hotline.escalations import history, records, reports, retention
from hotline.escalations.records import Entry
from hotline.escalations.seal import seal

ERASED_NOTE = "The conversation ended at the person's request; its content was erased."


def erase_texter(r: redis.Redis, who: str, retention_days: int) -> int:
    """Erase the content of every escalation of this texter; return how many there were.

    Their escalations are found from their index and their open ones (two direct reads, no
    scan); afterwards nothing links the hash of their number to them: the index is deleted
    and the erased records keep no `who`.
    """
    ids = set(r.smembers(records.who_key(who)))
    ids |= {i for i in r.hmget(records.BY_WHO, list(records.who_fields(who))) if i}
    for escalation_id in ids:
        erase_escalation(r, escalation_id)
        retention.expire_resolved(r, escalation_id, retention_days)
    r.delete(records.who_key(who))
    return len(ids)


def erase_escalation(r: redis.Redis, escalation_id: str) -> None:
    """Transcript, number, answers and safe time gone; closed; staff see why."""
    record = records.load(r, escalation_id)
    if record is None:
        return
    now = clock.now()
    fields = {
        "number": seal(""), "number_tail": "", "details": seal("{}"), "safe_time": seal(""),
        "consent": "", "flag": "", "erased": str(now), "status": "resolved", "who": "",
        "handoff_note": "",
    }  # fmt: skip
    if record.is_open:
        fields |= {"resolved": str(now), "outcome": "erased"}
    pipe = r.pipeline(transaction=True)
    pipe.hset(records.record_key(escalation_id), mapping=fields)
    pipe.delete(*retention.escalation_keys(escalation_id)[1:])
    pipe.zrem(records.OPEN, escalation_id)
    pipe.zrem(records.WAITING, escalation_id)
    section = records.section_of(record.status, record.kind)
    if section:
        pipe.zrem(records.section_key(section, record.language), escalation_id)
    pipe.zadd(records.CLOSED, {escalation_id: record.resolved or now})
    records.forget_open(pipe, record)
    history.forget(pipe, record)  # nothing left by which to find it but its id
    if record.is_open:
        reports.mark(pipe, escalation_id, outcome="erased")
    records.append(pipe, escalation_id, Entry(at=now, by="system", text=ERASED_NOTE))
    pipe.execute()
