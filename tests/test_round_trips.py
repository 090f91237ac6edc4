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


def test_a_message_inside_an_open_conversation_costs_two_round_trips(texter, redis_client):
    from hotline.escalations import records
    from tests.escalation_helpers import ask_for_person

    ask_for_person(texter)
    for body in ("are you there?", "I am at work until 6"):
        with round_trips() as count:
            replies = texter.send(body)
        assert count[0] <= 2, body
        assert replies and "received" in replies[0]
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    words = [e.text for e in records.transcript(redis_client, escalation_id) if e.by == "texter"]
    assert words == ["are you there?", "I am at work until 6"]
