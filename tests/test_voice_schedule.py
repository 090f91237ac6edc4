"""Staffed hours: the schedule that decides whether a caller is put through to a person."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.schedule import ScheduleError, describe, is_open, local_now, next_open, parse

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-02 is a Monday; day 0 = Monday."""
    return datetime(2026, 11, 2 + day, hour, minute, tzinfo=NY)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(0, 9, 0), True),
        (at(0, 8, 59), False),
        (at(4, 16, 59), True),
        (at(4, 17, 0), False),
        (at(5, 12), False),
        (at(6, 12), False),
    ],
)
def test_default_weekday_office_hours(when, expected):
    assert is_open("mon-fri 09:00-17:00", when) is expected


def test_several_rules_and_day_lists():
    spec = "mon,wed 10:00-12:00, 13:00-15:00; sat 10:00-14:00"
    assert is_open(spec, at(0, 11)) and is_open(spec, at(2, 14)) and is_open(spec, at(5, 10))
    assert not is_open(spec, at(0, 12, 30)) and not is_open(spec, at(1, 11))


def test_comma_between_rules_after_a_time():
    spec = "mon-fri 09:00-17:00, sat 10:00-14:00"
    assert is_open(spec, at(5, 11)) and not is_open(spec, at(6, 11))


def test_overnight_window_runs_into_the_next_day_and_across_sunday():
    spec = "fri-sun 22:00-06:00"
    assert is_open(spec, at(4, 23)) and is_open(spec, at(5, 3))
    assert is_open(spec, at(0, 5, 59))  # Sunday 22:00 to Monday 06:00
    assert not is_open(spec, at(0, 6)) and not is_open(spec, at(3, 23))


@pytest.mark.parametrize("spec", ["24/7", "always", " 24/7 "])
def test_always(spec):
    assert all(is_open(spec, at(d, h)) for d in range(7) for h in (0, 12, 23))


@pytest.mark.parametrize("spec", ["", "never", "closed"])
def test_never(spec):
    assert not any(is_open(spec, at(d, h)) for d in range(7) for h in (0, 12, 23))
    assert next_open(spec, at(0, 12)) is None


def test_daily_and_full_day_names():
    assert is_open("daily 08:00-24:00", at(6, 23, 59))
    assert is_open("Monday-Tuesday 08:00-09:00", at(1, 8, 30))


@pytest.mark.parametrize("spec", ["mon-fry 09:00-17:00", "mon-fri 9-5", "mon-fri 25:00-26:00", "x"])
def test_errors_name_the_bad_part(spec):
    with pytest.raises(ScheduleError, match="staffed hours"):
        parse(spec)


def test_next_open():
    spec = "mon-fri 09:00-17:00"
    assert next_open(spec, at(4, 18)) == at(7, 9)  # Friday evening: Monday 9:00
    assert next_open(spec, at(0, 8, 30)) == at(0, 9)
    assert next_open(spec, at(0, 10)) == at(0, 10)


def test_describe():
    assert describe("mon-tue 09:00-17:00") == "Monday 09:00-17:00; Tuesday 09:00-17:00"
    assert describe("sat 22:00-02:00") == "Saturday 22:00-02:00 (next day)"
    assert describe("sun 08:00-24:00") == "Sunday 08:00-24:00"
    assert describe("24/7").startswith("24 hours")


def test_local_now_is_in_the_zone():
    assert local_now("America/New_York").tzinfo == NY
