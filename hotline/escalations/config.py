"""Escalation settings read from the environment (defaults suit a small team)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EscalationConfig:
    alert_everyone_after: int = 300  # seconds unclaimed before every on-call person is alerted
    reply_retry_delays: tuple[int, ...] = (5, 30, 120)  # seconds between Twilio attempts
    texting_window: int = 30 * 60  # a texter who wrote this recently is "currently texting"
    lockout_failures: int = 5  # failed sign-ins before an account is locked
    lockout_seconds: int = 15 * 60
    staff_session_hours: int = 12
    job_timeout: int = 15  # seconds an alert or send job may run before RQ stops and retries it
    alerts_per_escalation: int = 10  # alert SMS for one escalation, both rounds together
    alerts_per_minute: int = 30  # alert SMS from the whole hotline in one clock minute
    twilio_api_base_url: str = ""  # a stand-in for Twilio's REST API (staging, tests)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EscalationConfig:
        """HOTLINE_ALERT_EVERYONE_AFTER, HOTLINE_REPLY_RETRY_DELAYS, HOTLINE_TEXTING_WINDOW..."""
        env = os.environ if environ is None else environ
        get = env.get
        delays = get("HOTLINE_REPLY_RETRY_DELAYS", "5,30,120")
        return cls(
            alert_everyone_after=int(get("HOTLINE_ALERT_EVERYONE_AFTER", "300")),
            reply_retry_delays=tuple(int(d) for d in delays.split(",") if d.strip()),
            texting_window=int(get("HOTLINE_TEXTING_WINDOW", str(30 * 60))),
            lockout_failures=int(get("HOTLINE_LOCKOUT_FAILURES", "5")),
            lockout_seconds=int(get("HOTLINE_LOCKOUT_SECONDS", str(15 * 60))),
            staff_session_hours=int(get("HOTLINE_STAFF_SESSION_HOURS", "12")),
            job_timeout=int(get("HOTLINE_JOB_TIMEOUT", "15")),
            alerts_per_escalation=int(get("HOTLINE_ALERTS_PER_ESCALATION", "10")),
            alerts_per_minute=int(get("HOTLINE_ALERTS_PER_MINUTE", "30")),
            twilio_api_base_url=get("TWILIO_API_BASE_URL", "").rstrip("/"),
        )
