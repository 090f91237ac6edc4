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
    # wrong passwords per client address and name, then per address across names (growing
    # delays: flask-limiter's rate limit strings); never a lock on the account
    signin_limits: str = "5 per minute;20 per hour;50 per day"
    signin_address_limits: str = "30 per minute;200 per hour;1000 per day"
    staff_session_hours: int = 12  # a staff session ends this long after sign-in...
    staff_idle_seconds: int = 30 * 60  # ...or after this long without a request
    reveals_per_hour: int = 5  # full numbers one staff member may reveal in an hour
    reveals_per_day: int = 20
    reveal_alert_at: int = 3  # reveals in an hour that alert the admins
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
            signin_limits=get("HOTLINE_SIGNIN_LIMITS", cls.signin_limits),
            signin_address_limits=get("HOTLINE_SIGNIN_ADDRESS_LIMITS", cls.signin_address_limits),
            staff_session_hours=int(get("HOTLINE_STAFF_SESSION_HOURS", "12")),
            staff_idle_seconds=60 * int(get("HOTLINE_STAFF_IDLE_MINUTES", "30")),
            reveals_per_hour=int(get("HOTLINE_REVEALS_PER_HOUR", "5")),
            reveals_per_day=int(get("HOTLINE_REVEALS_PER_DAY", "20")),
            reveal_alert_at=int(get("HOTLINE_REVEAL_ALERT_AT", "3")),
            job_timeout=int(get("HOTLINE_JOB_TIMEOUT", "15")),
            alerts_per_escalation=int(get("HOTLINE_ALERTS_PER_ESCALATION", "10")),
            alerts_per_minute=int(get("HOTLINE_ALERTS_PER_MINUTE", "30")),
            twilio_api_base_url=get("TWILIO_API_BASE_URL", "").rstrip("/"),
        )
