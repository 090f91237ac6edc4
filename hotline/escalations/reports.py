"""Figures a program manager can give a funder, kept apart from conversations.

What is kept (prefix hotline:), none of it a number, message text, ZIP, name or exact time:
  rpt:day:{YYYY-MM-DD}  hash of counters for one day in HOTLINE_TIMEZONE:
                        contacts:{channel}:{language}, urgent (messages or speech triage
                        flagged as danger), delete (DELETE requests)
  rpt:esc:{id}          hash, one per escalation: day, channel, language, kind, priority,
                        outcome, first_reply (seconds from the escalation to the first staff
                        reply written to it), left ("1": the texter sent STOP while it was open)
  rpt:escs              zset of escalation ids, score = the day's ordinal (date.toordinal())
Each expires HOTLINE_REPORT_DAYS after it was last written (default 730); `hotline purge`
trims rpt:escs. They are written inside the Lua scripts and pipelines where the events
happen (conversation.CREATE_OR_JOIN, queue.RESOLVE, sms_state.COMMIT, actions.reply,
erase), so /sms costs no extra round trip. DELETE keeps them: they hold nothing about the
person, only that a conversation of that kind happened that day.

Definitions (README, "Reports"):
  contact       a texter's first message with no live session (HOTLINE_SESSION_TTL), or a
                call reaching /voice; counted once, under the language the session ends the
                day in (a language switch moves it).
  answered      a staff reply was written to an SMS escalation that asked for a person (every
                kind but a tip); time to first reply = that moment minus the escalation's
                creation. p50/p90: nearest rank over the answered ones.
  within 5 min  answered in 300 s or less, as a share of all SMS escalations for a person
                (unanswered ones count as not within).
  abandoned     an SMS escalation for a person that never got a staff reply, and whose
                texter left: sent STOP or DELETE while it was open, or staff resolved it as
                `no_response`.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import redis

from hotline import clock
from hotline.store import key

DAY = 86400
WITHIN = 300  # seconds: "answered within 5 minutes"
ESCS = key("rpt", "escs")
ESC_PREFIX = key("rpt", "esc", "")
ABANDON_OUTCOMES = ("no_response", "erased")

# KEYS: the escalation's report record. ARGV: field, value pairs. Writes only a record that
# exists (escalations from before reports, or past report retention, are left alone).
SET_IF_KEPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 0
"""

# KEYS: the escalation's report record. ARGV: seconds since the escalation was created.
FIRST_REPLY = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSETNX', KEYS[1], 'first_reply', ARGV[1]) end
return 0
"""


@dataclass(frozen=True)
class ReportConfig:
    """HOTLINE_REPORT_DAYS (how long report records are kept) and HOTLINE_REPORT_MIN_COUNT
    (a count below it is shown as "<N", so a small count cannot point to a person)."""

    keep_days: int = 730
    min_count: int = 5

    @classmethod
    def from_env(cls) -> ReportConfig:
        get = os.environ.get
        return cls(int(get("HOTLINE_REPORT_DAYS", "730")),
                   max(1, int(get("HOTLINE_REPORT_MIN_COUNT", "5"))))  # fmt: skip

    @property
    def ttl(self) -> int:
        return self.keep_days * DAY


def day_key(day: str) -> str:
    return key("rpt", "day", day)


def esc_key(escalation_id: str) -> str:
    return ESC_PREFIX + escalation_id


def local_day(at: float, timezone: str) -> date:
    """The calendar day of epoch second `at` in the hotline's time zone."""
    return datetime.fromtimestamp(at, ZoneInfo(timezone)).date()


def contact_field(channel: str, language: str) -> str:
    return f"contacts:{channel}:{language}"


def first_reply(r, escalation_id: str, seconds: float) -> None:
    """Note the first staff reply's delay (on a pipeline: queued with the reply)."""
    script = r.register_script(FIRST_REPLY)
    script(keys=[esc_key(escalation_id)], args=[round(max(0.0, seconds), 3)], client=r)


def mark(r, escalation_id: str, **values: str) -> None:
    """Set fields of an escalation's report record if it is kept (works on a pipeline)."""
    args = [item for pair in values.items() for item in pair]
    r.register_script(SET_IF_KEPT)(keys=[esc_key(escalation_id)], args=args, client=r)


def count(r, day: date, field_name: str, ttl: int, by: int = 1) -> None:
    """Add to one day's counter (voice; SMS counts inside its commit script)."""
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(day_key(day.isoformat()), field_name, by)
    pipe.expire(day_key(day.isoformat()), ttl)
    pipe.execute()


def purge(r: redis.Redis, keep_days: int, today: date) -> int:
    """Drop index entries of report records older than keep_days (their hashes expire)."""
    return int(r.zremrangebyscore(ESCS, "-inf", (today - timedelta(days=keep_days)).toordinal()))


# -- computing a report ----------------------------------------------------------------------
@dataclass
class Report:
    """Every figure for [start, end] (inclusive, local days), before small-count suppression."""

    start: date
    end: date
    days: list[str] = field(default_factory=list)
    contacts: dict[str, Counter] = field(default_factory=dict)  # day -> "sms:en" -> n
    by_kind: Counter = field(default_factory=Counter)
    by_priority: Counter = field(default_factory=Counter)
    by_outcome: Counter = field(default_factory=Counter)  # "" = still open
    escalations: int = 0
    for_person: int = 0  # SMS escalations for a person (the base of the timing figures)
    answered: int = 0
    within: int = 0
    p50: float | None = None
    p90: float | None = None
    abandoned: int = 0
    urgent: int = 0
    deletes: int = 0

    @property
    def within_share(self) -> float | None:
        return self.within / self.for_person if self.for_person else None


def nearest_rank(values: list[float], q: float) -> float | None:
    """The q-quantile by nearest rank (the ceil(q*n)-th smallest); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def compute(r: redis.Redis, start: date, end: date) -> Report:
    """The report for local days start..end: 2 round trips plus one per escalation page.

    Work grows with the escalations of the range (an admin's page, never a poll).
    """
    report = Report(start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    report.days = [d.isoformat() for d in days]
    pipe = r.pipeline(transaction=False)
    for d in report.days:
        pipe.hgetall(day_key(d))
    pipe.zrangebyscore(ESCS, start.toordinal(), end.toordinal())
    *day_rows, ids = pipe.execute()
    for d, row in zip(report.days, day_rows, strict=True):
        report.contacts[d] = Counter(
            {k.split(":", 1)[1]: int(v) for k, v in row.items() if k.startswith("contacts:")}
        )
        report.urgent += int(row.get("urgent", 0))
        report.deletes += int(row.get("delete", 0))
    delays: list[float] = []
    for offset in range(0, len(ids), 500):
        pipe = r.pipeline(transaction=False)
        for escalation_id in ids[offset : offset + 500]:
            pipe.hgetall(esc_key(escalation_id))
        for row in pipe.execute():
            if not row.get("day"):
                continue
            report.escalations += 1
            report.by_kind[row.get("kind", "")] += 1
            report.by_priority[row.get("priority", "")] += 1
            report.by_outcome[row.get("outcome", "")] += 1
            if row.get("channel") != "sms" or row.get("kind") == "tip":
                continue
            report.for_person += 1
            if row.get("first_reply", "") != "":
                seconds = float(row["first_reply"])
                delays.append(seconds)
                report.within += seconds <= WITHIN
            elif row.get("left") == "1" or row.get("outcome") in ABANDON_OUTCOMES:
                report.abandoned += 1
    report.answered = len(delays)
    report.p50, report.p90 = nearest_rank(delays, 0.5), nearest_rank(delays, 0.9)
    return report


CONTACT_VAR = "contact"  # in an SMS session: "day|language" under which it was counted


def sms_counts(
    before, after, *, urgent: bool, deleted: bool, blocked: bool, language: str, timezone: str
) -> tuple[str, int, list[tuple[str, int]]]:
    """The report counters one inbound SMS adds, for sms_state.commit (no extra round trip).

    before/after: the texter's session as read and as it will be saved (engine Sessions or
    None). A message with no live session before is a new contact, counted under the
    session's language (`language` when there is none); a language switch later the same
    day moves the contact to the new language. The session remembers what was counted
    (CONTACT_VAR). A blocked texter's messages are not contacts. Returns (day key, ttl,
    [(field, amount)...]).
    """
    config = ReportConfig.from_env()
    today = local_day(clock.now(), timezone).isoformat()
    pairs: list[tuple[str, int]] = []
    if urgent:
        pairs.append(("urgent", 1))
    if deleted:
        pairs.append(("delete", 1))
    lang = after.language if after is not None else language
    if before is None and not blocked:
        pairs.append((contact_field("sms", lang), 1))
        if after is not None:
            after.vars[CONTACT_VAR] = f"{today}|{lang}"
    elif before is not None and after is not None:
        day, _, counted = str(before.vars.get(CONTACT_VAR) or "").partition("|")
        if day == today and counted and counted != lang:
            pairs += [(contact_field("sms", counted), -1), (contact_field("sms", lang), 1)]
            after.vars[CONTACT_VAR] = f"{today}|{lang}"
    return day_key(today), config.ttl, pairs
