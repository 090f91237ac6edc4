"""Performance by design: a menu message costs at most two Redis round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis.connection


@contextmanager
def round_trips() -> Iterator[list[int]]:
    """Count commands (or pipelines) written to any Redis connection in this process."""
    counter = [0]
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        counter[0] += 1
        return original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        yield counter
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


def test_a_menu_message_costs_at_most_two_round_trips(texter):
    texter.send("hello")
    texter.send("4")
    for body in ("0", "5", "0", "HELP", "purple", "6", "1"):
        with round_trips() as count:
            texter.send(body)
        assert count[0] <= 2, body


def test_a_repeated_message_sid_costs_one_round_trip(texter):
    texter.send("hello")
    form = texter.form("4")
    texter.post(form)
    with round_trips() as count:
        assert texter.post(form).status_code == 200
    assert count[0] == 1
