"""What to tell a texter about the wait: an estimate from real claim times, or the hours."""

from __future__ import annotations

import math
import statistics
from datetime import datetime

from hotline import schedule
from hotline.engine import Engine

MIN_SAMPLES = 3  # fewer recent claims than this: no estimate rather than a made-up one
MAX_ESTIMATE = 60  # minutes: past this a number means little; the text says "over an hour"


def estimate_minutes(recent_waits: list[float], ahead: int) -> int | None:
    """Median recent time-to-claim times the place in line, rounded up to 5 minutes."""
    if len(recent_waits) < MIN_SAMPLES:
        return None
    seconds = statistics.median(recent_waits) * (ahead + 1)
    return max(5, 5 * math.ceil(seconds / 300))


def next_shift(spec: str, now: datetime) -> datetime | None:
    """When advocates are next on duty; None when open now (or never staffed)."""
    if schedule.is_open(spec, now):
        return None
    return schedule.next_open(spec, now)


def on_duty(spec: str, now: datetime) -> tuple[bool, datetime | None]:
    """(open now, next shift when closed). An invalid or "never" spec: closed, no next shift."""
    try:
        if schedule.is_open(spec, now):
            return True, None
        return False, schedule.next_open(spec, now)
    except schedule.ScheduleError:
        return False, None


def when_values(eng: Engine, language: str, at: datetime) -> dict[str, str]:
    """{day} and {time} for a text, with day names from the flow (messages.weekdays)."""
    days = eng.message("weekdays", language).split()
    day = days[at.weekday()] if len(days) == 7 else at.strftime("%A")
    return {"day": day, "time": at.strftime("%H:%M")}


def queued_texts(
    eng: Engine, language: str, now: datetime, spec: str, minutes: int | None, prefix: str = ""
) -> list[str]:
    """The wait text: out of hours (with the 24/7 line and 911), an estimate, or neither.

    Out of hours says when the team is back; with no shift ahead ("never", or hours that
    cannot be read) it says nobody is on duty and the request is saved (`closed`).

    An estimate over MAX_ESTIMATE minutes is not given as a number: the backlog makes it
    meaningless, so the text says the wait may be over an hour (`wait_long`).
    prefix "" is said once when queued; prefix "received_" answers each later message.
    """
    open_now, shift = on_duty(spec, now)
    if shift is not None:
        text = eng.message(prefix + "out_of_hours", language, **when_values(eng, language, shift))
    elif not open_now:  # nobody on duty and no shift ahead: say so, never "as soon as free"
        text = eng.message(prefix + "closed", language)
    elif minutes is not None and minutes > MAX_ESTIMATE:
        text = eng.message(prefix + "wait_long", language) or eng.message(
            prefix + "wait_unknown", language
        )
    elif minutes is not None:
        text = eng.message(prefix + "wait", language, minutes=minutes)
    else:
        text = eng.message(prefix + "wait_unknown", language)
    return [text] if text else []
