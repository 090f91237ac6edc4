"""Logging that cannot leak a texter: phone numbers and email addresses are masked.

The mask is applied where every record is made (the log record factory), so it holds for
every logger and handler: ours, Flask's, gunicorn's, RQ's and pytest's.
"""

from __future__ import annotations

import logging
import re
import traceback

PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")  # server addresses, not people: left readable
_installed = False


def mask(text: str) -> str:
    return EMAIL.sub("[email]", PHONE.sub(_phone, text))


def _phone(match: re.Match[str]) -> str:
    return match.group(0) if IPV4.match(match.group(0)) else "[number]"


def install_log_filter() -> None:
    """Make every log record's message masked, once per process."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = mask(message), None
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True


def where(exc: BaseException) -> str:
    """An exception's type and innermost file:line, never its message (it may hold a text)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return type(exc).__name__ + place
