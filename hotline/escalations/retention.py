"""Retention: resolved conversations expire HOTLINE_RETENTION_DAYS after resolution."""

from __future__ import annotations

import time

import redis

from hotline.escalations import records

DAY = 86400


def expire_resolved(r: redis.Redis, escalation_id: str, days: int) -> None:
    """Let Redis drop the record and transcript `days` after resolution, with no cron needed."""
    pipe = r.pipeline(transaction=False)
    for k in (records.record_key(escalation_id), records.log_key(escalation_id)):
        pipe.expire(k, days * DAY)
    pipe.execute()


def purge(r: redis.Redis, days: int, now: float | None = None) -> int:
    """Remove every escalation resolved more than `days` ago, and its index entries."""
    cutoff = (now or time.time()) - days * DAY
    ids = r.zrangebyscore(records.CLOSED, "-inf", cutoff)
    for escalation_id in ids:
        record = records.load(r, escalation_id)
        pipe = r.pipeline(transaction=True)
        pipe.delete(records.record_key(escalation_id), records.log_key(escalation_id))
        pipe.zrem(records.CLOSED, escalation_id)
        if record:
            pipe.srem(records.who_key(record.who), escalation_id)
        pipe.incr(records.VERSION)
        pipe.execute()
    return len(ids)
