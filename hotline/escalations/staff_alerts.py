"""Alerts to admins about staff behaviour (an unusual rate of number reveals), by the worker.

The SMS names the staff member and the count, never a texter's number or words. One alert per
person per hour at most; the audit log records each one.
"""

from __future__ import annotations

import logging

import redis

from hotline.escalations import accounts, audit
from hotline.queues import URGENT, get_queue
from hotline.store import key

log = logging.getLogger(__name__)
ONCE_PER = 3600  # seconds between two alerts about the same person


def unusual_reveals(r: redis.Redis, rq: redis.Redis, name: str, count: int) -> bool:
    """Audit it and queue an SMS to every admin with a phone (once an hour per person)."""
    if not r.set(key("alerted", "reveals", name), "1", nx=True, ex=ONCE_PER):
        return False
    audit.record(r, name, "unusual reveal rate", detail=f"{count} numbers revealed this hour")
    get_queue(rq, URGENT).enqueue(send_unusual_reveals, name, count)
    return True


def alert_text(name: str, count: int) -> str:
    return f"Hotline: {name} revealed {count} numbers in the last hour. Check the audit log."


def send_unusual_reveals(name: str, count: int) -> str:
    """RQ job: text every admin who has a phone (on call or not)."""
    from hotline.escalations.jobs import context

    ctx = context()
    admins = [s for s in accounts.everyone(ctx.r) if s.is_admin and s.phone and not s.disabled]
    for admin in admins:
        ctx.sender.send(admin.phone, alert_text(name, count), kind="alert")
    return f"alerted {len(admins)} admin(s)"
