"""History: a texter's earlier conversations for the advocate holding the current one, and
small indexes so admins find a conversation by id, date, outcome, language or channel
without reading every record.

Keys (prefix hotline:), every score an escalation's creation time (epoch seconds):
  esc:ix:all                  zset: every escalation
  esc:ix:language:{code}      zset: by language
  esc:ix:channel:{sms|voice}  zset: by channel
  esc:ix:outcome:{code}       zset: by outcome, added at resolve
Written in the same Lua step as the event (conversation.CREATE_OR_JOIN, queue.RESOLVE).
DELETE (erase.py) removes the texter's escalations from all of them; `hotline purge` drops
the entries of escalations past retention (or already expired by Redis). A texter's earlier
conversations come from esc:who:{who}, the index DELETE already uses, which expires with
retention after their latest resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis

from hotline.escalations import records
from hotline.escalations.records import Escalation
from hotline.store import key

ALL = key("esc", "ix", "all")
INDEX_PREFIX = key("esc", "ix", "")
FACETS = ("language", "channel", "outcome")
PAGE = 50  # results shown per search
EARLIER = 20  # earlier conversations shown to the claimant, newest first


def facet_key(facet: str, value: str) -> str:
    return INDEX_PREFIX + f"{facet}:{value}"


def index_keys(record: Escalation) -> list[str]:
    """Every history index that may hold this escalation."""
    found = [ALL, facet_key("language", record.language), facet_key("channel", record.channel)]
    if record.outcome:
        found.append(facet_key("outcome", record.outcome))
    return found


def forget(pipe, record: Escalation) -> None:
    """Queue the removal of this escalation from every history index (DELETE, purge)."""
    for k in index_keys(record):
        pipe.zrem(k, record.id)


def may_see_history(record: Escalation, staff_name: str, is_admin: bool) -> bool:
    """Only the advocate who holds the conversation now (or an admin) sees the same texter's
    other conversations: the link between them is itself something to protect."""
    held = record.status == "claimed" and record.assignee == staff_name
    return bool(record.who) and (held or is_admin)


def earlier(r: redis.Redis, record: Escalation) -> list[Escalation]:
    """The same texter's other conversations still kept (retention), newest first.

    Linked by the keyed hash of the number (records.who_key), never the number. Two round
    trips; at most EARLIER records.
    """
    if not record.who:
        return []
    ids = [i for i in r.smembers(records.who_key(record.who)) if i != record.id]
    ids = sorted(ids, key=int, reverse=True)[:EARLIER]
    return [e for e in records.load_many(r, ids) if e.who == record.who]


@dataclass(frozen=True)
class Search:
    """What an admin asks for: each part optional; days are local dates, inclusive."""

    escalation_id: str = ""
    start: date | None = None
    end: date | None = None
    outcome: str = ""
    language: str = ""
    channel: str = ""


def bounds(start: date | None, end: date | None, timezone: str) -> tuple[float, float]:
    """Epoch seconds of the first moment of `start` and the last of `end`, local time."""
    zone = ZoneInfo(timezone)
    low = datetime.combine(start, time.min, zone).timestamp() if start else float("-inf")
    high = (datetime.combine(end + timedelta(days=1), time.min, zone).timestamp() - 1e-6
            if end else float("inf"))  # fmt: skip
    return low, high


def find(r: redis.Redis, search: Search, timezone: str) -> list[Escalation]:
    """Escalations matching every given part, newest first, at most PAGE.

    An id is one direct read. Otherwise the narrowest index given (outcome, language, channel,
    else all) is read by creation time within the dates, and the other parts are checked on
    the records read: work grows with the matches in that index and date range, never with
    every record kept.
    """
    if search.escalation_id:
        record = records.load(r, search.escalation_id) if search.escalation_id.isdigit() else None
        return [record] if record else []
    low, high = bounds(search.start, search.end, timezone)
    given = [(f, getattr(search, f)) for f in FACETS if getattr(search, f)]
    index = facet_key(*given[0]) if given else ALL
    found: list[Escalation] = []
    offset = 0
    while len(found) < PAGE:
        ids = r.zrevrangebyscore(index, high, low, start=offset, num=PAGE * 2)
        if not ids:
            break
        offset += len(ids)
        for record in records.load_many(r, ids):
            if all(getattr(record, f) == v for f, v in given):
                found.append(record)
    return found[:PAGE]


def purge(r: redis.Redis, cutoff: float) -> int:
    """Drop index entries of escalations created before `cutoff` whose record is gone."""
    dropped = 0
    for index in [ALL, *r.scan_iter(match=INDEX_PREFIX + "*:*", count=1000)]:
        ids = r.zrangebyscore(index, "-inf", cutoff)
        if not ids:
            continue
        pipe = r.pipeline(transaction=False)
        for escalation_id in ids:
            pipe.exists(records.record_key(escalation_id))
        gone = [i for i, alive in zip(ids, pipe.execute(), strict=True) if not alive]
        if gone:
            dropped += r.zrem(index, *gone)
    return dropped
