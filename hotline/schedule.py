"""Staffed hours: parse HOTLINE_STAFFED_HOURS and tell whether people are on duty now. Pure.

Grammar (case-insensitive, wall-clock time in the hotline's time zone):

    spec   := "24/7" | "always" | "never" | "closed" | "" | rule (";" rule)*
    rule   := days " " window ("," window)*
    days   := day-or-range ("," day-or-range)*      e.g. mon-fri, sat, mon,wed,fri, daily
    window := HH:MM "-" HH:MM                        end <= start crosses midnight; 24:00 ok

Rules may also be separated by ", " after a time: "mon-fri 09:00-17:00, sat 10:00-14:00".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALWAYS = {"24/7", "always", "24x7"}
NEVER = {"", "never", "closed", "none"}
_RULE_SPLIT = re.compile(r";|(?<=\d)\s*,\s*(?=[a-z])")
_RULE = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<windows>[\d:,\-\s]+)$")
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES


class ScheduleError(ValueError):
    """The staffed-hours text cannot be understood (the message says where)."""


@dataclass(frozen=True)
class Window:
    """Open from `start` to `end`, minutes after Monday 00:00 (end may pass Sunday midnight)."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        return self.start <= minute < self.end or self.start <= minute + WEEK_MINUTES < self.end


@dataclass(frozen=True)
class Schedule:
    windows: tuple[Window, ...]
    always: bool = False

    def is_open(self, now: datetime) -> bool:
        return self.always or any(w.contains(week_minute(now)) for w in self.windows)


def week_minute(now: datetime) -> int:
    return now.weekday() * DAY_MINUTES + now.hour * 60 + now.minute


def _day(token: str, spec: str) -> int:
    name = token[:3]
    if name not in DAYS or not DAY_NAMES[DAYS.index(name)].lower().startswith(token):
        raise ScheduleError(f"unknown day {token!r} in staffed hours {spec!r}")
    return DAYS.index(name)


def _days(text: str, spec: str) -> list[int]:
    if text in ("daily", "everyday"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        a = _day(first, spec)
        b = _day(last, spec) if last else a
        days += [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    return days


def _minutes(hour: str, minute: str, spec: str) -> int:
    h, m = int(hour), int(minute)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ScheduleError(f"bad time {hour}:{minute} in staffed hours {spec!r}")
    return h * 60 + m


def _windows(text: str, days: list[int], spec: str) -> list[Window]:
    out = []
    for part in text.split(","):
        match = _WINDOW.match(part.strip())
        if not match:
            raise ScheduleError(f"bad time range {part.strip()!r} in staffed hours {spec!r}")
        start = _minutes(match[1], match[2], spec)
        end = _minutes(match[3], match[4], spec)
        if end <= start:
            end += DAY_MINUTES  # overnight: 22:00-06:00
        out += [Window(d * DAY_MINUTES + start, d * DAY_MINUTES + end) for d in days]
    return out


def parse(spec: str) -> Schedule:
    """A Schedule, or ScheduleError naming the part that is wrong."""
    text = " ".join(spec.lower().split())
    if text in ALWAYS:
        return Schedule(windows=(), always=True)
    if text in NEVER:
        return Schedule(windows=())
    windows: list[Window] = []
    for rule in filter(None, (r.strip() for r in _RULE_SPLIT.split(text))):
        match = _RULE.match(rule)
        if not match:
            raise ScheduleError(f"cannot read {rule!r} in staffed hours {spec!r}")
        days = _days(match["days"].replace(" ", ""), spec)
        windows += _windows(match["windows"], days, spec)
    return Schedule(windows=tuple(windows))


def is_open(spec: str, now: datetime) -> bool:
    """Whether people are on duty at `now` (wall-clock time, already in the hotline's zone)."""
    return parse(spec).is_open(now)


def local_now(timezone: str | tzinfo) -> datetime:
    """Now, in the hotline's time zone (the only impure helper here)."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return datetime.now(zone)


def next_open(spec: str, now: datetime) -> datetime | None:
    """The next minute people come on duty after `now` (now itself if open); None if never."""
    schedule = parse(spec)
    if schedule.always:
        return now
    if not schedule.windows:
        return None
    base = now.replace(second=0, microsecond=0)
    current = week_minute(now)
    waits = [(w.start - current) % WEEK_MINUTES for w in schedule.windows]
    if schedule.is_open(now):
        return now
    return base + timedelta(minutes=min(waits))


def _clock(minute: int) -> str:
    if minute != DAY_MINUTES:
        minute %= DAY_MINUTES
    return f"{minute // 60:02d}:{minute % 60:02d}"


def describe(spec: str) -> str:
    """Operator-facing English summary (for logs, CLI and the staff page, not for callers)."""
    schedule = parse(spec)
    if schedule.always:
        return "24 hours a day, 7 days a week"
    if not schedule.windows:
        return "never staffed"
    parts = []
    for w in sorted(schedule.windows, key=lambda w: w.start):
        day = DAY_NAMES[w.start // DAY_MINUTES]
        end = w.end - (w.start // DAY_MINUTES) * DAY_MINUTES
        overnight = " (next day)" if end > DAY_MINUTES else ""
        parts.append(f"{day} {_clock(w.start)}-{_clock(end)}{overnight}")
    return "; ".join(parts)
