"""Logging that cannot leak a texter: phone numbers and email addresses are masked."""

from __future__ import annotations

import logging
import re

PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def mask(text: str) -> str:
    return EMAIL.sub("[email]", PHONE.sub("[number]", text))


class MaskingFilter(logging.Filter):
    """Rewrites every record's message with numbers and addresses masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


def install_log_filter() -> None:
    """Mask on every handler of the root logger (and future ones, via the root's filters)."""
    root = logging.getLogger()
    if not any(isinstance(f, MaskingFilter) for f in root.filters):
        root.addFilter(MaskingFilter())
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
