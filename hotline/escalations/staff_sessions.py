"""Staff sign-in sessions, kept server-side in Redis so they can be ended. No Flask here.

The browser's cookie holds only a random id (256 bits). Redis keeps the session under a
SHA-256 of that id, so neither a Redis dump nor a log line gives a usable cookie:

  staff:session:{sha256(id)}  hash: name, created, seen (epoch seconds), data (sealed JSON:
                              flash messages and whatever a page keeps between requests);
                              its TTL is the idle timeout, renewed by every request
  staff:sessions:{name}       set: that person's session hashes (revoke_all_for)

A session ends on sign-out (revoke), on a password change or `hotline staff disable NAME`
(revoke_all_for), after `idle` seconds without a request, and `lifetime` seconds after
sign-in, whichever comes first. Flask-Session was not used: it cannot end every session of
one person, stores a session for every anonymous visitor, and keeps data unsealed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field

import redis

from hotline.safety.crypto import seal, unseal
from hotline.store import key

# KEYS: session, that person's set. ARGV: now, idle, lifetime, account key prefix ("": none).
# Returns the session's fields (name, created, seen, data) then, with a prefix, the fields of
# the account `prefix .. name` as name, value pairs; renews it; or {} if it ended.
LOAD = """
local s = redis.call('HMGET', KEYS[1], 'name', 'created', 'seen', 'data')
if not s[1] then return {} end
local now, idle, life = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if now - tonumber(s[3]) > idle or now - tonumber(s[2]) > life then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2] .. s[1], KEYS[1])
  return {}
end
redis.call('HSET', KEYS[1], 'seen', ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(idle))
if ARGV[4] and ARGV[4] ~= '' then
  for _, v in ipairs(redis.call('HGETALL', ARGV[4] .. s[1])) do table.insert(s, v) end
end
return s
"""


@dataclass(frozen=True)
class StaffSession:
    """One signed-in browser: whose it is, since when, last request, and its page data."""

    key: str  # the Redis key (the SHA-256 of the cookie's id, never the id)
    name: str
    created: float
    seen: float
    data: dict = field(default_factory=dict)
    account: dict[str, str] | None = None  # the account's hash, when load() was asked for it


def new_id() -> str:
    """A cookie value: 43 URL-safe characters, 256 random bits."""
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    """Where a cookie's session lives: a hash of the id, so Redis never holds the id."""
    return key("staff", "session", hashlib.sha256(session_id.encode()).hexdigest())


def _person_key(name: str) -> str:
    return key("staff", "sessions", name)


def create(
    r: redis.Redis, name: str, idle: int, lifetime: int = 24 * 3600, now: float | None = None
) -> str:
    """Start a session for `name`; returns the id for the cookie. One round trip.

    idle, lifetime: seconds, as load() will be given them; the person's set of sessions
    expires `lifetime` after their latest sign-in, when every session in it has ended.
    """
    session_id, at = new_id(), now or time.time()
    k = session_key(session_id)
    pipe = r.pipeline(transaction=True)
    pipe.hset(k, mapping={"name": name, "created": at, "seen": at, "data": seal("{}")})
    pipe.expire(k, idle)
    pipe.sadd(_person_key(name), k)
    pipe.expire(_person_key(name), max(idle, lifetime))
    pipe.execute()
    return session_id


def load(
    r: redis.Redis,
    session_id: str,
    idle: int,
    lifetime: int,
    now: float | None = None,
    account_prefix: str = "",
) -> StaffSession | None:
    """The live session for this cookie id, renewed; None when it ended. One round trip.

    account_prefix: the key prefix of staff accounts; given, the same round trip also reads
    the session's account (StaffSession.account, {} when it no longer exists).
    """
    k = session_key(session_id)
    out = r.register_script(LOAD)(
        keys=[k, _person_key("")], args=[now or time.time(), idle, lifetime, account_prefix]
    )
    if not out:
        return None
    name, created, seen, data, *rest = out
    account = dict(zip(rest[::2], rest[1::2], strict=True)) if account_prefix else None
    return StaffSession(
        k, name, float(created), float(seen), json.loads(unseal(data) or "{}"), account
    )


def save_data(r: redis.Redis, session_id: str, data: dict) -> None:
    """Keep a page's data (flash messages) with the session, sealed, if it still exists."""
    k = session_key(session_id)
    if r.exists(k):
        r.hset(k, "data", seal(json.dumps(data)))


def touch(r: redis.Redis, session_key_: str, at: float | None = None) -> None:
    """Set when the session was last used (the idle clock); for tools and tests."""
    r.hset(session_key_, "seen", at or time.time())


def revoke(r: redis.Redis, session_id: str) -> None:
    """End this browser's session (sign-out)."""
    revoke_key(r, session_key(session_id))


def revoke_key(r: redis.Redis, session_key_: str) -> None:
    name = r.hget(session_key_, "name")
    pipe = r.pipeline(transaction=True)
    pipe.delete(session_key_)
    if name:
        pipe.srem(_person_key(name), session_key_)
    pipe.execute()


def revoke_all_for(r: redis.Redis, name: str) -> int:
    """End every session of one person (password change, account disabled); how many ended."""
    keys = list(r.smembers(_person_key(name)))
    pipe = r.pipeline(transaction=True)
    for k in keys:
        pipe.delete(k)
    pipe.delete(_person_key(name))
    results = pipe.execute()
    return sum(int(n) for n in results[: len(keys)])


def all_for(r: redis.Redis, name: str) -> list[StaffSession]:
    """Every live session of one person, oldest first (for an accounts page)."""
    found = []
    for k in r.smembers(_person_key(name)):
        data = r.hgetall(k)
        if data:
            found.append(StaffSession(k, name, float(data["created"]), float(data["seen"])))
        else:
            r.srem(_person_key(name), k)  # expired by its idle TTL
    return sorted(found, key=lambda s: s.created)


def signed_in(r: redis.Redis, names: list[str]) -> set[str]:
    """Which of these people have a live session now (two round trips, whatever the count)."""
    pipe = r.pipeline(transaction=False)
    for name in names:
        pipe.smembers(_person_key(name))
    held = {name: sorted(keys) for name, keys in zip(names, pipe.execute(), strict=True) if keys}
    pipe = r.pipeline(transaction=False)
    for keys in held.values():
        pipe.exists(*keys)  # a session key lives only while its session does (idle TTL)
    return {name for name, live in zip(held, pipe.execute(), strict=True) if live}
