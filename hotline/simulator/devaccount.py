"""The development advocate account `make run` creates once, so the staff side works at once."""

from __future__ import annotations

import secrets

import redis

from hotline.escalations import accounts, audit

DEV_NAME = "dev"
DEV_LANGUAGES = ("en", "es")


def ensure_dev_account(r: redis.Redis, name: str = DEV_NAME) -> str | None:
    """Create the account with a random password; return it, or None if it already exists."""
    if accounts.get(r, name) is not None:
        return None
    password = secrets.token_urlsafe(12)
    try:
        accounts.add(r, name, password, DEV_LANGUAGES, "advocate")
    except accounts.AccountError:
        return None  # created by another process just now
    audit.record(r, "cli", "staff add", detail=f"{name} (advocate, development account)")
    return password
