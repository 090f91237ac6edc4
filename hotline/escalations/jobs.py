"""RQ jobs: alert on-call staff, send staff replies. Jobs get ids, never numbers or text.

A job only delivers; the escalation is data in Redis (records.py), so a job that fails or a
worker killed mid-job loses nothing: the queue page still shows the escalation. Every SMS a
job sends goes through delivery.send_once: at most once, reconciled with the provider after a
worker died mid-send, and shown to staff when its fate is unknown.

What happens to each job when things fail (README, Safety and privacy):
- an exception: RQ retries it (Retry with the configured intervals); after the last attempt the
  reply shows "failed" or "delivery unknown" (send_failed);
- its worker dies (killed host, crash): RQ re-queues it as abandoned within
  job timeout + 10 s (hotline/worker.py) and it reconciles before sending;
- Redis restarts: the worker waits for it (store.ride_out_outages); the job is in Redis's
  append-only file and runs afterwards.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
from rq import Callback, Retry, get_current_job
from rq.job import Job

from hotline import schedule
from hotline.config import Settings, load_settings
from hotline.escalations import accounts, conversation, delivery, records
from hotline.escalations.config import EscalationConfig
from hotline.escalations.delivery import Caps, Ledger, send_once
from hotline.escalations.gate import reply_gate
from hotline.escalations.records import Escalation
from hotline.escalations.senders import Sender, SendError, sender_for
from hotline.queues import DEFAULT, URGENT, get_queue
from hotline.store import connect, key, number_key, resolve_redis_url, ride_out_outages

log = logging.getLogger(__name__)
UNKNOWN = "the provider could not confirm it; it may have reached them"


@dataclass
class JobContext:
    r: redis.Redis
    rq: redis.Redis
    settings: Settings
    config: EscalationConfig
    sender: Sender


_worker_context: tuple[int, JobContext] | None = None  # (pid, context): one per worker process


def context() -> JobContext:
    """The Flask app's connections when there is one (sync mode, tests); else the worker
    process's own, made once (patient with Redis, like the worker itself)."""
    from flask import current_app, has_app_context

    global _worker_context
    if has_app_context():
        ext = current_app.extensions
        settings, r, rq = ext["hotline.settings"], ext["hotline.redis"], ext["hotline.redis_rq"]
        config = EscalationConfig.from_env()
        sender = sender_for(settings, r, config.twilio_api_base_url)
        return JobContext(r, rq, settings, config, sender)
    if _worker_context is None or _worker_context[0] != os.getpid():
        settings = load_settings()
        from hotline.safety import crypto

        crypto.configure(settings.secret_keys)
        url = resolve_redis_url(settings.redis_url, settings.data_dir)
        r = ride_out_outages(connect(url, timeout=10.0))
        rq = ride_out_outages(connect(url, timeout=10.0, decode=False))
        config = EscalationConfig.from_env()
        sender = sender_for(settings, r, config.twilio_api_base_url)
        _worker_context = (os.getpid(), JobContext(r, rq, settings, config, sender))
    return _worker_context[1]


# -- enqueueing (web side) --------------------------------------------------------------------
def enqueue_alert(rq: redis.Redis, escalation_id: str, priority: int, config: EscalationConfig):
    """Alert on-call staff about a new escalation (urgent ones on the urgent queue).

    Safe to call again for the same escalation: each person is alerted at most once.
    """
    queue = get_queue(rq, URGENT if priority == 1 else DEFAULT)
    queue.enqueue(
        alert, escalation_id, 1, retry=Retry(max=2, interval=[10, 60]),
        job_timeout=config.job_timeout, job_id=f"hotline-alert-{escalation_id}-1",
    )  # fmt: skip


def enqueue_send(rq: redis.Redis, escalation_id: str, index: int, config: EscalationConfig) -> None:
    """Send one transcript line (a staff reply) with retries on 5xx and network errors."""
    delays = list(config.reply_retry_delays)
    retry = Retry(max=len(delays), interval=delays) if delays else None
    get_queue(rq, URGENT).enqueue(
        send_entry, escalation_id, index, retry=retry, job_timeout=config.job_timeout,
        on_failure=Callback(send_failed),
    )  # fmt: skip


# -- alerts -----------------------------------------------------------------------------------
def alert_text(record: Escalation, public_url: str) -> str:
    """No number, no words of the texter: just that someone waits, and where to look."""
    what = "tip" if record.kind == "tip" else "escalation"
    urgency = "urgent " if record.priority == 1 else ""
    where = f" {public_url}/staff/" if public_url else ""
    return f"Hotline: new {urgency}{what} waiting. Open the dashboard.{where}"


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


CAP_NOTES = {
    "escalation": "alerts for this escalation reached their limit ({n}); no more are sent",
    "minute": "alert held back: the hotline's limit of {n} alerts a minute was reached",
}


def alert(escalation_id: str, round_: int = 1) -> str:
    """Round 1: matching on-call staff. Round 2 (after a wait, if unclaimed): everyone.

    Each person is alerted at most once per escalation, within the caps (delivery.Caps).
    """
    ctx = context()
    record = records.load(ctx.r, escalation_id)
    if record is None or record.status != "waiting":
        return "not waiting"
    if round_ == 1:
        _schedule_everyone(ctx, escalation_id)  # first, so a crash mid-send still leads to it
    ledger, caps = Ledger(ctx.r, escalation_id), _caps(ctx.config)
    text, last = alert_text(record, ctx.settings.public_url), _last_attempt()
    sent, capped, failures = 0, "", []
    for target, phone in recipients(ctx, record, everyone=round_ > 1).items():
        try:
            outcome = send_once(ledger, f"alert:{target}", ctx.sender, phone, text, "alert",
                                last, caps)  # fmt: skip
        except SendError as exc:  # transient: RQ retries; those alerted are skipped then
            log.warning("alert for escalation %s not sent: %s", escalation_id, exc)
            failures.append(exc)
            continue
        sent += outcome.state == "sent"
        if outcome.state == "capped":
            capped = outcome.detail
            break
    pipe = ctx.r.pipeline(transaction=False)
    if sent:
        pipe.hincrby(records.record_key(escalation_id), "alerts", sent)
        conversation.note(pipe, escalation_id, f"alert sent to {sent} on-call staff")
    if capped:
        limit = caps.per_minute if capped == "minute" else caps.per_escalation
        conversation.note(pipe, escalation_id, CAP_NOTES[capped].format(n=limit))
    pipe.execute()
    if failures:
        raise failures[0]
    return f"alerted {sent}"


def _caps(config: EscalationConfig) -> Caps:
    return Caps(config.alerts_per_escalation, config.alerts_per_minute)


def _schedule_everyone(ctx: JobContext, escalation_id: str) -> None:
    """Round 2, once per escalation (a fixed job id: a retried round 1 does not add one)."""
    delay = ctx.config.alert_everyone_after
    queue = get_queue(ctx.rq, URGENT)
    options = {"job_id": f"hotline-alert-{escalation_id}-2", "job_timeout": ctx.config.job_timeout}
    if delay <= 0:
        queue.enqueue(alert, escalation_id, 2, **options)
    else:
        queue.enqueue_in(timedelta(seconds=delay), alert, escalation_id, 2, **options)


# -- replies ----------------------------------------------------------------------------------
def _last_attempt() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _mark(r: redis.Redis, escalation_id: str, index: int, state: str, error: str = "") -> None:
    """Show a staff reply's delivery state in the transcript."""
    entry = records.entry_at(r, escalation_id, index)
    if entry is not None and (entry.state, entry.error) != (state, error):
        entry.state, entry.error = state, error
        records.update_entry(r, escalation_id, index, entry)


def send_entry(escalation_id: str, index: int) -> str:
    """Send a queued transcript line to the texter, once, if it is (still) safe to do so."""
    ctx = context()
    record = records.load(ctx.r, escalation_id)
    entry = records.entry_at(ctx.r, escalation_id, index)
    if record is None or entry is None or entry.state in ("sent", "unknown"):
        return "nothing to send"
    opted_out = bool(ctx.r.exists(key("optout", record.who)))
    gate = reply_gate(
        record, time.time(), schedule.local_now(ctx.settings.timezone), opted_out,
        ctx.config.texting_window, closing=entry.by == "system",
    )  # fmt: skip
    if not gate.allowed:
        _mark(ctx.r, escalation_id, index, "failed", f"not sent: {gate.reason}")
        return "blocked"
    if record.is_open:
        conversation.attach(ctx.r, record, ctx.settings.session_ttl)
    _mark(ctx.r, escalation_id, index, "sending")
    ledger = Ledger(ctx.r, escalation_id)
    try:
        outcome = send_once(ledger, f"reply:{index}", ctx.sender, record.number, entry.text,
                            "reply", _last_attempt())  # fmt: skip
    except SendError as exc:
        _mark(ctx.r, escalation_id, index, "retrying", f"not sent yet: {exc}")
        raise
    if outcome.state == "already":  # settled by an earlier attempt (or found at Twilio)
        state = outcome.detail
        error = UNKNOWN if state == "unknown" else entry.error if state == "failed" else ""
    else:
        state = "sending" if outcome.state == "taken" else outcome.state
        error = {"failed": f"not sent: {outcome.detail}", "unknown": UNKNOWN}.get(state, "")
    _mark(ctx.r, escalation_id, index, state, error)
    return state


def send_failed(job: Job, connection, exc_type=None, exc_value=None, traceback=None) -> None:
    """RQ's failure callback for send_entry, also for a job abandoned by a dead worker.

    With attempts left the reply shows "retrying"; after the last one it shows "failed" if
    it never reached the provider, else "delivery unknown" (it is never resent blind).
    """
    escalation_id, index = job.args
    ctx = context()
    if job.retries_left:
        entry = records.entry_at(ctx.r, escalation_id, index)
        if entry is not None and entry.state not in ("sent", "unknown", "failed"):
            _mark(ctx.r, escalation_id, index, "retrying", "not sent yet")
        return
    state = delivery.give_up(Ledger(ctx.r, escalation_id), f"reply:{index}")
    error = {"unknown": UNKNOWN, "failed": "not sent: the job failed"}.get(state, "")
    _mark(ctx.r, escalation_id, index, state, error)
