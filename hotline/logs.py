"""Logging that cannot leak a texter: numbers, emails, query strings and exception messages.

The mask is applied where every record is made (the log record factory), so it holds for
every logger and handler: ours, Flask's, gunicorn's, RQ's and pytest's. A traceback keeps its
frames (file, line, function, source line) and each exception's type, never its message: a
message can quote a texter's words ("invalid literal ... 'he will kill me'"). Request lines
keep their path, never their query string (a staff page's ?where=01852 is where someone is).
"""

from __future__ import annotations

import logging
import re
import traceback

PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")  # server addresses, not people: left readable
QUERY = re.compile(r"((?:^|[\s\"'])/[^\s?\"']*)\?[^\s\"']*")  # "GET /path?where=01852 HTTP/1.1"
# In a formatted traceback, the line naming an exception starts in column 0 with its type.
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(:.*)$", re.M)
_installed = False


def mask(text: str) -> str:
    return EMAIL.sub("[email]", PHONE.sub(_phone, QUERY.sub(r"\1?[query]", text)))


def _phone(match: re.Match[str]) -> str:
    return match.group(0) if IPV4.match(match.group(0)) else "[number]"


def mask_traceback(text: str) -> str:
    """A formatted traceback with each exception's message withheld (types and frames kept)."""
    if "Traceback (most recent call last)" not in text:
        return text
    return mask(EXCEPTION_LINE.sub(r"\1 (message withheld)", text))


def safe_traceback(exc_info) -> str:
    """Format exc_info as logging would, minus exception messages."""
    return mask_traceback("".join(traceback.format_exception(*exc_info)).rstrip("\n"))


def install_log_filter() -> None:
    """Make every log record's message, traceback and stack masked, once per process."""
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
        record.msg, record.args = mask_traceback(mask(message)), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = safe_traceback(record.exc_info)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True


def where(exc: BaseException) -> str:
    """An exception's type and innermost file:line, never its message (it may hold a text)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return type(exc).__name__ + place
