"""Staff accounts in Redis: argon2 password hashes, languages, phone, role, on-call, lock-out."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.store import key

ROLES = ("advocate", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
ALL = key("staff", "all")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a real password, used to even out timing")


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    languages: tuple[str, ...]
    phone: str = ""
    on_call: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def account_key(name: str) -> str:
    return key("staff", name)


def _fails_key(name: str) -> str:
    return key("staff", name, "fails")


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


def set_password(r: redis.Redis, name: str, password: str) -> None:
    if not r.exists(account_key(name)):
        raise AccountError(f"no staff account {name!r}")
    _check_password(password)
    r.hset(account_key(name), "hash", _hasher.hash(password))
    r.delete(_fails_key(name))


def get(r: redis.Redis, name: str) -> Staff | None:
    data = r.hgetall(account_key(name))
    if not data or "role" not in data:
        return None
    langs = tuple(lang for lang in data.get("languages", "").split(",") if lang)
    return Staff(data["name"], data["role"], langs, data.get("phone", ""), data["on_call"] == "1")


def everyone(r: redis.Redis) -> list[Staff]:
    return [s for s in (get(r, name) for name in sorted(r.smembers(ALL))) if s]


def set_on_call(r: redis.Redis, name: str, on_call: bool) -> None:
    r.hset(account_key(name), "on_call", "1" if on_call else "0")


def _verify(hashed: str, password: str) -> bool:
    """Always runs argon2 (also for unknown names), so timing does not tell who exists."""
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def locked(r: redis.Redis, name: str, max_failures: int) -> bool:
    return int(r.get(_fails_key(name)) or 0) >= max_failures


def authenticate(
    r: redis.Redis, name: str, password: str, max_failures: int, lock_seconds: int
) -> Staff | None:
    """The account when the password is right and it is not locked; failures are counted."""
    name = name.strip().lower()
    data = r.hgetall(account_key(name)) if NAME.match(name) else {}
    ok = _verify(data.get("hash") or _DUMMY, password) and bool(data.get("hash"))
    if locked(r, name, max_failures):
        return None
    if not ok:
        pipe = r.pipeline(transaction=True)
        pipe.incr(_fails_key(name))
        pipe.expire(_fails_key(name), lock_seconds)
        pipe.execute()
        return None
    r.delete(_fails_key(name))
    return get(r, name)
