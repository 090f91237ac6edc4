"""Keys across the data's whole life: the number-hash check at start, and `hotline rotate-keys`.

Two keys with two jobs (README, Safety and privacy):
- the sealing keys, HOTLINE_SECRET_KEY (`new,old`): the first seals, every one unseals, and
  `hotline rotate-keys` re-seals everything under the first so the old one can be dropped;
- the hash key (Settings.hash_key: HOTLINE_HASH_KEY, else the oldest sealing key): keys the hash
  that addresses a texter's session, opt-out, rate and escalations. It never changes, because
  an opt-out holds nothing to re-hash from; a start with another hash key over existing data is
  refused instead of silently forgetting every STOP and DELETE.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Callable

import redis

from hotline.config import ConfigError
from hotline.safety.crypto import MARK, Sealer
from hotline.store import PREFIX, key

HASH_CHECK = key("keys", "hash-check")

# What each kind of key holds, for the report (first match wins; "other" for the rest).
KINDS = (
    ("sessions", re.compile(r"session:sms:")),
    ("call state", re.compile(r"voice:call:")),
    ("transcripts", re.compile(r"esc:\d+:log$")),
    ("records", re.compile(r"esc:\d+$")),
    ("outbox", re.compile(r"outbox$")),
    ("reply cache", re.compile(r"sms:reply:")),
    ("staff sessions", re.compile(r"staff:session:")),
)


def _mark(hash_key: str) -> str:
    return hmac.new(hash_key.encode(), b"hotline hash-key check", hashlib.sha256).hexdigest()[:16]


def check_hash_key(r: redis.Redis, hash_key: str, first_key: str = "", explicit: bool = True):
    """Remember which hash key this Redis's data uses; ConfigError if it is another one.

    One GET at start. The mark is an HMAC of a constant, so it says nothing about the key or any
    number. Data written before the mark existed was hashed by earlier versions under the FIRST
    sealing key: with no mark, existing texter data and an implicit hash key that is not that
    first key, the start is refused rather than guessed (first_key, explicit: from Settings).
    """
    mark = _mark(hash_key)
    stored = r.get(HASH_CHECK)
    if stored is None:
        if not explicit and first_key and hash_key != first_key and _texter_data(r):
            raise ConfigError(
                "This Redis holds texters' data hashed by an earlier version under the first "
                "key of HOTLINE_SECRET_KEY. Set HOTLINE_HASH_KEY to that key (see README, "
                "Rotating the key) so STOP, DELETE and open conversations are kept."
            )
        r.set(HASH_CHECK, mark, nx=True)
        stored = r.get(HASH_CHECK)
    if stored != mark:
        raise ConfigError(
            "The numbers in this Redis were hashed under another key: STOP, DELETE and every "
            "open conversation would be lost. Set HOTLINE_HASH_KEY to the key they were hashed "
            "under (the oldest HOTLINE_SECRET_KEY you used; see README, Safety and privacy)."
        )


def _texter_data(r: redis.Redis) -> bool:
    """Whether any texter's session, opt-out or escalation index exists (a scan, once)."""
    patterns = ("optout:*", "session:sms:*", "esc:who:*")
    return any(next(r.scan_iter(match=PREFIX + p, count=1000), None) for p in patterns)


def kind_of(redis_key: str) -> str:
    name = redis_key[len(PREFIX) :]
    return next((kind for kind, pattern in KINDS if pattern.search(name)), "other")


class Rotation:
    """Counts of values re-sealed per kind, and of values no configured key can read."""

    def __init__(self) -> None:
        self.resealed: Counter[str] = Counter()
        self.unreadable: Counter[str] = Counter()

    def report(self) -> str:
        kinds = sorted(set(self.resealed) | {k for k, _ in KINDS})
        lines = [f"{kind}: {self.resealed[kind]} re-sealed" for kind in kinds]
        lines += [f"{kind}: {n} unreadable" for kind, n in sorted(self.unreadable.items())]
        lines.append(f"{sum(self.resealed.values())} re-sealed, "
                     f"{sum(self.unreadable.values())} unreadable")  # fmt: skip
        return "\n".join(lines)


def rotate_all(r: redis.Redis, sealer: Sealer) -> Rotation:
    """Re-seal every sealed value under the sealer's first key, wherever it is stored.

    Strings, hash fields, list items, and string fields inside JSON values, found by their
    mark rather than by a list of keys, so values added by later features are included. Each
    key is rewritten in a WATCH/MULTI transaction (a concurrent write makes it retry), keeping
    its TTL. Unreadable values are counted and left as they are.
    """
    done = Rotation()
    for redis_key in r.scan_iter(match=PREFIX + "*", count=1000):
        kind = kind_of(redis_key)
        while True:
            try:
                _rotate_key(r, redis_key, kind, sealer, done)
                break
            except redis.WatchError:
                continue
    return done


def _rotate_key(r: redis.Redis, redis_key: str, kind: str, sealer: Sealer, done: Rotation):
    counts: Counter[str] = Counter()

    def one(value: str) -> str:
        try:
            new = sealer.rotate(value)
        except ValueError:
            counts["unreadable"] += 1
            return value
        counts["resealed"] += 1
        return new

    with r.pipeline(transaction=True) as pipe:
        pipe.watch(redis_key)
        kind_of_value = pipe.type(redis_key)
        writes: list[Callable[[redis.client.Pipeline], object]] = []
        if kind_of_value == "string":
            value = pipe.get(redis_key) or ""
            new = _rotate_value(value, one)
            if new != value:
                writes.append(lambda p: p.set(redis_key, new, keepttl=True))
        elif kind_of_value == "hash":
            changed = {f: _rotate_value(v, one) for f, v in pipe.hgetall(redis_key).items()}
            changed = {f: v for f, v in changed.items() if MARK in v}
            if changed:
                writes.append(lambda p: p.hset(redis_key, mapping=changed))
        elif kind_of_value == "list":
            for index, value in enumerate(pipe.lrange(redis_key, 0, -1)):
                new = _rotate_value(value, one)
                if new != value:
                    writes.append(lambda p, i=index, v=new: p.lset(redis_key, i, v))
        pipe.multi()
        for write in writes:
            write(pipe)
        pipe.execute()
    done.resealed[kind] += counts["resealed"]
    if counts["unreadable"]:
        done.unreadable[kind] += counts["unreadable"]


def _rotate_value(value: str, one: Callable[[str], str]) -> str:
    """A sealed value, or JSON with sealed strings inside, re-sealed; anything else as it was."""
    if value.startswith(MARK):
        return one(value)
    if MARK not in value or value[:1] not in "{[":
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return value
    return json.dumps(_walk(data, one))


def _walk(data: object, one: Callable[[str], str]) -> object:
    if isinstance(data, str):
        return one(data) if data.startswith(MARK) else data
    if isinstance(data, list):
        return [_walk(item, one) for item in data]
    if isinstance(data, dict):
        return {k: _walk(v, one) for k, v in data.items()}
    return data
