"""Retention: resolved conversations expire HOTLINE_RETENTION_DAYS after resolution.

Everything kept about one escalation goes with it: the record, the transcript, staff's notes
(notes.py), its ledger of
sends (delivery.py; no number or text), the older versions' mark of which staff were alerted,
and, with the texter's last resolved escalation, the
texter's index of escalation ids (esc:who:{who}).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import redis

from hotline.escalations import delivery, history, records, reports
from hotline.escalations.notes import notes_key
from hotline.store import key

DAY = 86400


def alerted_key(escalation_id: str) -> str:
    """Which on-call staff were alerted (written by earlier versions; now delivery's ledger)."""
    return key("esc", escalation_id, "alerted")


def escalation_keys(escalation_id: str) -> tuple[str, ...]:
    """Every key that holds something about one escalation."""
    return (records.record_key(escalation_id), records.log_key(escalation_id),
            delivery.ledger_key(escalation_id), alerted_key(escalation_id),
            notes_key(escalation_id))  # fmt: skip


def expire_resolved(r: redis.Redis, escalation_id: str, days: int, who: str = "") -> None:
    """Let Redis drop the escalation's keys `days` after resolution, with no cron needed.

    who: the texter's hash; their index of escalation ids then expires `days` after their
    latest resolution (DELETE still finds an open one through esc:by-who meanwhile).
    """
    pipe = r.pipeline(transaction=False)
    for k in escalation_keys(escalation_id):
        pipe.expire(k, days * DAY)
    if who:
        pipe.expire(records.who_key(who), days * DAY)
    pipe.execute()


def purge(r: redis.Redis, days: int, now: float | None = None) -> int:
    """Remove every escalation resolved more than `days` ago, and its index entries."""
    cutoff = (now or time.time()) - days * DAY
    ids = r.zrangebyscore(records.CLOSED, "-inf", cutoff)
    for escalation_id in ids:
        record = records.load(r, escalation_id)
        pipe = r.pipeline(transaction=True)
        pipe.delete(*escalation_keys(escalation_id))
        pipe.zrem(records.CLOSED, escalation_id)
        if record:
            pipe.srem(records.who_key(record.who), escalation_id)
            history.forget(pipe, record)
        pipe.incr(records.VERSION)
        pipe.execute()
    sweep_texter_indexes(r)
    history.purge(r, cutoff)  # entries of escalations Redis already expired
    config = reports.ReportConfig.from_env()
    reports.purge(r, config.keep_days, datetime.fromtimestamp(now or time.time(), UTC).date())
    return len(ids)


def sweep_texter_indexes(r: redis.Redis) -> int:
    """Drop index entries whose escalation is gone (Redis expired it); how many were dropped.

    A scan of the texters' indexes (esc:who:*), for `hotline purge` (daily): it also clears
    indexes left without an expiry by versions before this one.
    """
    dropped = 0
    for who_key in r.scan_iter(match=records.who_key("*"), count=1000):
        ids = list(r.smembers(who_key))
        pipe = r.pipeline(transaction=False)
        for escalation_id in ids:
            pipe.exists(records.record_key(escalation_id))
        gone = [i for i, alive in zip(ids, pipe.execute(), strict=True) if not alive]
        if gone:
            dropped += r.srem(who_key, *gone)  # the set disappears with its last member
    return dropped
