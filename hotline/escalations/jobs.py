"""RQ jobs: alert on-call staff, send staff replies. Jobs get ids, never numbers or text.

A job only delivers; the escalation is data in Redis (records.py), so a job that fails or a
worker killed mid-job loses nothing: the queue page still shows the escalation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
from rq import Retry, get_current_job

from hotline import schedule
from hotline.config import Settings, load_settings
from hotline.escalations import accounts, conversation, records
from hotline.escalations.config import EscalationConfig
from hotline.escalations.gate import reply_gate
from hotline.escalations.records import Escalation
from hotline.escalations.senders import Sender, SendError, sender_for
from hotline.queues import DEFAULT, URGENT, get_queue
from hotline.store import connect, key, number_key, resolve_redis_url

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    r: redis.Redis
    rq: redis.Redis
    settings: Settings
    config: EscalationConfig
    sender: Sender


def context() -> JobContext:
    """The Flask app's connections when there is one (sync mode, tests); else from the env."""
    from flask import current_app, has_app_context

    if has_app_context():
        ext = current_app.extensions
        settings, r, rq = ext["hotline.settings"], ext["hotline.redis"], ext["hotline.redis_rq"]
    else:
        settings = load_settings()
        url = resolve_redis_url(settings.redis_url, settings.data_dir)
        r, rq = connect(url, timeout=10.0), connect(url, timeout=10.0, decode=False)
    return JobContext(r, rq, settings, EscalationConfig.from_env(), sender_for(settings, r))


# -- enqueueing (web side) --------------------------------------------------------------------
def enqueue_alert(rq: redis.Redis, record: Escalation) -> None:
    queue = get_queue(rq, URGENT if record.priority == 1 else DEFAULT)
    queue.enqueue(alert, record.id, 1, retry=Retry(max=2, interval=[10, 60]))


def enqueue_send(rq: redis.Redis, escalation_id: str, index: int, config: EscalationConfig) -> None:
    """Send one transcript line (a staff reply) with retries on 5xx and network errors."""
    delays = list(config.reply_retry_delays)
    retry = Retry(max=len(delays), interval=delays) if delays else None
    get_queue(rq, URGENT).enqueue(send_entry, escalation_id, index, retry=retry)


# -- alerts -----------------------------------------------------------------------------------
def alert_text(record: Escalation, public_url: str) -> str:
    """No number, no words of the texter: just that someone waits, and where to look."""
    what = "tip" if record.kind == "tip" else "escalation"
    urgency = "urgent " if record.priority == 1 else ""
    where = f" {public_url}/staff/" if public_url else ""
    return f"Hotline: new {urgency}{what} waiting. Open the dashboard.{where}"


def _alerted_key(escalation_id: str) -> str:
    return key("esc", escalation_id, "alerted")


def recipients(ctx: JobContext, record: Escalation, everyone: bool) -> dict[str, str]:
    """{id: phone} of on-call staff: speakers of the texter's language first, else everyone."""
    on_call = [s for s in accounts.everyone(ctx.r) if s.on_call and s.phone]
    matching = {f"staff:{s.name}": s.phone for s in on_call if record.language in s.languages}
    if matching and not everyone:
        return matching
    result = {f"staff:{s.name}": s.phone for s in on_call}
    secret = ctx.settings.hash_key
    result |= {f"num:{number_key(secret, n)}": n for n in ctx.settings.oncall_numbers}
    return result


def alert(escalation_id: str, round_: int = 1) -> str:
    """Round 1: matching on-call staff. Round 2 (after a wait, if unclaimed): everyone."""
    ctx = context()
    record = records.load(ctx.r, escalation_id)
    if record is None or record.status != "waiting":
        return "not waiting"
    if round_ == 1:
        _schedule_everyone(ctx, escalation_id)  # first, so a crash mid-send still leads to it
    targets = recipients(ctx, record, everyone=round_ > 1)
    already = ctx.r.smembers(_alerted_key(escalation_id))
    todo = {k: v for k, v in targets.items() if k not in already}
    sent, failures = _send_alerts(ctx, record, todo)
    if sent:
        ctx.r.hincrby(records.record_key(escalation_id), "alerts", sent)
        conversation.note(ctx.r, escalation_id, f"alert sent to {sent} on-call staff")
    if failures:
        raise failures[0]  # transient: RQ retries; those already alerted are skipped
    return f"alerted {sent}"


def _schedule_everyone(ctx: JobContext, escalation_id: str) -> None:
    delay = ctx.config.alert_everyone_after
    queue = get_queue(ctx.rq, URGENT)
    if delay <= 0:
        queue.enqueue(alert, escalation_id, 2)
    else:
        queue.enqueue_in(timedelta(seconds=delay), alert, escalation_id, 2)


def _send_alerts(
    ctx: JobContext, record: Escalation, targets: dict[str, str]
) -> tuple[int, list[SendError]]:
    sent, failures = 0, []
    text = alert_text(record, ctx.settings.public_url)
    for target, phone in targets.items():
        try:
            ctx.sender.send(phone, text, kind="alert")
        except SendError as exc:
            log.warning("alert for escalation %s not sent: %s", record.id, exc)
            if exc.transient:
                failures.append(exc)
            continue
        ctx.r.sadd(_alerted_key(record.id), target)
        sent += 1
    return sent, failures


# -- replies ----------------------------------------------------------------------------------
def _last_attempt() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _mark(ctx: JobContext, escalation_id: str, index: int, state: str, error: str = "") -> None:
    entry = records.entry_at(ctx.r, escalation_id, index)
    if entry is not None:
        entry.state, entry.error = state, error
        records.update_entry(ctx.r, escalation_id, index, entry)


def send_entry(escalation_id: str, index: int) -> str:
    """Send a queued transcript line to the texter, if it is (still) safe to do so."""
    ctx = context()
    record = records.load(ctx.r, escalation_id)
    entry = records.entry_at(ctx.r, escalation_id, index)
    if record is None or entry is None or entry.state == "sent":
        return "nothing to send"
    opted_out = bool(ctx.r.exists(key("optout", record.who)))
    gate = reply_gate(
        record, time.time(), schedule.local_now(ctx.settings.timezone), opted_out,
        ctx.config.texting_window, closing=entry.by == "system",
    )  # fmt: skip
    if not gate.allowed:
        _mark(ctx, escalation_id, index, "failed", f"not sent: {gate.reason}")
        return "blocked"
    if record.is_open:
        conversation.attach(ctx.r, record, ctx.settings.session_ttl)
    try:
        ctx.sender.send(record.number, entry.text, kind="reply")
    except SendError as exc:
        final = not exc.transient or _last_attempt()
        _mark(ctx, escalation_id, index, "failed" if final else "retrying", f"not sent: {exc}")
        if exc.transient and not final:
            raise
        return "failed"
    _mark(ctx, escalation_id, index, "sent")
    return "sent"
