"""The one place where phone numbers and message text are written to and read from Redis.

PLACEHOLDER: plain pass-through for now. The safety issue (6) replaces these two functions
with Fernet encryption (HOTLINE_SECRET_KEY); every caller already goes through them.
"""

from __future__ import annotations


def seal(plain: str) -> str:
    """Prepare a number or a message text for storage (pass-through until encryption lands)."""
    return plain


def unseal(stored: str | None) -> str:
    """Read back what seal() stored (pass-through until encryption lands)."""
    return stored or ""
