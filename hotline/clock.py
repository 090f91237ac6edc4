"""The hotline's clock: epoch seconds, injectable so a test or a replay can drive time.

Everything that stamps a time a report reads (an escalation's creation, a claim, the first
staff reply, a resolution, a block, a contact's day) asks `now()` rather than time.time(), so
a test can seed a week of escalations with known timings through the real code paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable

_source: Callable[[], float] = time.time


def now() -> float:
    """Seconds since the epoch (UTC), from the installed source (time.time by default)."""
    return _source()


def use(source: Callable[[], float] | None) -> None:
    """Install a clock (a callable returning epoch seconds); None puts time.time back."""
    global _source
    _source = source or time.time
