"""Staff accounts in Redis: argon2 password hashes, languages, phone, role, on-call, disabled.

Wrong passwords are throttled per client address and name by the sign-in route (flask-limiter),
never by locking the account, so nobody can lock its owner out. argon2 is slow on purpose:
at most HOTLINE_ARGON2_CONCURRENCY checks run at once per process (default 1), so a flood of
sign-ins cannot take every CPU from the webhooks; under gevent they run in its thread pool.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.escalations import staff_sessions
from hotline.store import key

ROLES = ("advocate", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
ALL = key("staff", "all")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a real password, used to even out timing")
_SLOTS = threading.BoundedSemaphore(int(os.environ.get("HOTLINE_ARGON2_CONCURRENCY", "1")))
SLOT_WAIT = 10.0  # seconds a sign-in waits for an argon2 slot before it is told to retry
T = TypeVar("T")


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked."""


class SignInBusy(RuntimeError):
    """Every argon2 slot stayed busy (a sign-in flood): the person should try again shortly."""


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    languages: tuple[str, ...]
    phone: str = ""
    on_call: bool = False
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def account_key(name: str) -> str:
    return key("staff", name)


def add(
    r: redis.Redis, name: str, password: str, languages: tuple[str, ...], role: str = "advocate",
    phone: str = "", on_call: bool | None = None,
) -> Staff:  # fmt: skip
    """Create an account (the name must be new)."""
    if not NAME.match(name):
        raise AccountError("names are 2-32 lowercase letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {ROLES}")
    _check_password(password)
    staff = Staff(name, role, languages, phone, bool(phone) if on_call is None else on_call)
    mapping = _mapping(staff) | {"hash": _hasher.hash(password), "created": str(time.time())}
    if not r.hsetnx(account_key(name), "name", name):
        raise AccountError(f"{name!r} already exists")
    r.hset(account_key(name), mapping=mapping)
    r.sadd(ALL, name)
    return staff


def _mapping(staff: Staff) -> dict[str, str]:
    return {
        "name": staff.name,
        "role": staff.role,
        "languages": ",".join(staff.languages),
        "phone": staff.phone,
        "on_call": "1" if staff.on_call else "0",
    }


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")


def set_password(r: redis.Redis, name: str, password: str) -> int:
    """A new password; every session of that person ends. Returns how many ended."""
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    _check_password(password)
    r.hset(account_key(name), "hash", _hasher.hash(password))
    return staff_sessions.revoke_all_for(r, name)


def disable(r: redis.Redis, name: str) -> int:
    """No more sign-ins, every session ended now; the account and its audit trail stay."""
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    r.hset(account_key(name), mapping={"disabled": str(time.time()), "on_call": "0"})
    return staff_sessions.revoke_all_for(r, name)


def enable(r: redis.Redis, name: str) -> None:
    """Allow sign-ins again (the person signs in afresh)."""
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    r.hdel(account_key(name), "disabled")


def get(r: redis.Redis, name: str) -> Staff | None:
    return from_hash(r.hgetall(account_key(name)))


def from_hash(data: dict[str, str]) -> Staff | None:
    """An account as stored (its hash); None when there is none."""
    if not data or "role" not in data:
        return None
    langs = tuple(lang for lang in data.get("languages", "").split(",") if lang)
    return Staff(
        data["name"], data["role"], langs, data.get("phone", ""), data["on_call"] == "1",
        disabled=bool(data.get("disabled")),
    )  # fmt: skip


def everyone(r: redis.Redis) -> list[Staff]:
    return [s for s in (get(r, name) for name in sorted(r.smembers(ALL))) if s]


def set_on_call(r: redis.Redis, name: str, on_call: bool) -> None:
    r.hset(account_key(name), "on_call", "1" if on_call else "0")


def _check(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _off_the_loop(fn: Callable[..., T], *args: object) -> T:
    """Run a CPU-bound call so it does not stall other requests: under gevent, in its pool."""
    monkey = sys.modules.get("gevent.monkey")  # imported (and used) only by gevent workers
    if monkey is not None and monkey.is_module_patched("socket"):
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def _verify(hashed: str, password: str) -> bool:
    """Always runs argon2 (also for unknown names), so timing does not tell who exists.

    SignInBusy when no argon2 slot frees up within SLOT_WAIT seconds.
    """
    if not _SLOTS.acquire(timeout=SLOT_WAIT):
        raise SignInBusy("too many sign-ins at once")
    try:
        return _off_the_loop(_check, hashed, password)
    finally:
        _SLOTS.release()


def authenticate(r: redis.Redis, name: str, password: str) -> Staff | None:
    """The account when the password is right and the account is enabled; else None.

    Raises SignInBusy under a flood (see _verify). Counting and throttling failures is the
    sign-in route's job (per address and name), never a lock on the account.
    """
    name = name.strip().lower()
    data = r.hgetall(account_key(name)) if NAME.match(name) else {}
    ok = _verify(data.get("hash") or _DUMMY, password) and bool(data.get("hash"))
    if not ok or data.get("disabled"):
        return None
    return get(r, name)


def exists(r: redis.Redis, name: str) -> bool:
    return bool(NAME.match(name)) and bool(r.exists(account_key(name)))


def set_languages(r: redis.Redis, name: str, languages: tuple[str, ...]) -> None:
    """The languages a person works in (their queue is ordered by them); at least one."""
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    if not languages:
        raise AccountError("choose at least one language")
    r.hset(account_key(name), "languages", ",".join(languages))


def set_phone(r: redis.Redis, name: str, phone: str) -> None:
    """The number alerts go to and voice transfers ring ("" = none)."""
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    r.hset(account_key(name), "phone", phone)
