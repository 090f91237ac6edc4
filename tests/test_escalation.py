"""The texter's side of an escalation: queued, routed to staff, told the wait, back to menu."""

from __future__ import annotations

import time

import pytest

from hotline.escalations import queue, records
from hotline.escalations.queue import QueueError
from hotline.escalations.wait import estimate_minutes
from tests.escalation_helpers import ask_for_person


@pytest.fixture()
def open_app(make_app):
    return make_app(HOTLINE_STAFFED_HOURS="24/7")


@pytest.fixture()
def texter(open_app):
    from tests.phone import Texter

    return Texter(open_app.test_client())


def test_asking_for_a_person_queues_an_escalation_with_consent(texter, redis_client):
    texts = ask_for_person(texter, "yes", "weekdays after 6pm")
    assert any(
        "as soon as they are free" in t and "911" in t and "1-888-373-7888" in t for t in texts
    )
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    record = records.load(redis_client, escalation_id)
    assert (record.kind, record.priority, record.language, record.channel) == (
        "help",
        2,
        "en",
        "sms",
    )
    assert (record.consent, record.safe_time, record.status) == (
        "yes",
        "weekdays after 6pm",
        "waiting",
    )
    assert record.number == texter.number
    assert texter.number not in redis_client.hget(records.record_key(escalation_id), "who")


def test_while_open_the_texters_words_go_to_staff_not_the_menu(texter, redis_client):
    ask_for_person(texter)
    reply = texter.send("4")  # would be "Signs to watch for" in the menu
    assert len(reply) == 1 and reply[0].startswith("Thanks, your message was received")
    assert "911" in reply[0]
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    said = [(e.by, e.text) for e in records.transcript(redis_client, escalation_id)]
    assert ("texter", "4") in said


def test_claimed_conversation_gets_no_automatic_reply(texter, redis_client):
    ask_for_person(texter)
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    queue.claim(redis_client, escalation_id, "ana")
    assert texter.send("are you there?") == []
    assert records.transcript(redis_client, escalation_id)[-1].text == "are you there?"


def test_menu_shows_the_menu_and_the_conversation_stays_open(texter, redis_client):
    ask_for_person(texter)
    assert "Reply with a number" in texter.reply("MENU")
    assert "Watch for" in texter.reply("4")  # a menu choice still works
    texter.send("are you still there? he is coming back")  # free text: to the advocate
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    lines = [e.text for e in records.transcript(redis_client, escalation_id) if e.by == "texter"]
    assert lines[-3:] == ["MENU", "4", "are you still there? he is coming back"]


def test_stop_still_works_in_a_conversation(texter, redis_client):
    ask_for_person(texter)
    assert "unsubscribed" in texter.reply("STOP")
    assert texter.send("hello") == []


def test_resolved_escalation_returns_the_texter_to_the_menu(texter, redis_client):
    ask_for_person(texter)
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    queue.claim(redis_client, escalation_id, "ana")
    queue.resolve(redis_client, escalation_id, "ana", "connected")
    assert "Reply with a number" in texter.reply("thanks")
    assert redis_client.zcard(records.OPEN) == 0
    assert records.load(redis_client, escalation_id).outcome == "connected"


def test_out_of_hours_gives_the_24_7_line_and_911_and_still_queues(make_app, redis_client):
    from tests.phone import Texter

    texter = Texter(make_app(HOTLINE_STAFFED_HOURS="mon 00:00-00:01").test_client())
    texts = ask_for_person(texter)
    hours = [t for t in texts if "Our team is back" in t]
    assert hours and "Monday at 00:00" in hours[0]
    assert "911" in hours[0] and "1-888-373-7888" in hours[0] and "233733" in hours[0]
    assert redis_client.zcard(records.WAITING) == 1
    assert "Our team is back" in texter.reply("still there?")


def test_spanish_texter_gets_spanish_texts(make_app, redis_client):
    from tests.phone import Texter

    texter = Texter(make_app(HOTLINE_STAFFED_HOURS="never").test_client())
    texter.send("ESPAÑOL")
    texter.send("2")
    texter.send("si")
    texts = texter.send("CUALQUIERA")
    assert any("le respondera aqui" in t for t in texts)
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    assert records.load(redis_client, escalation_id).language == "es"


def test_wait_estimate_uses_real_claim_times(texter, redis_client):
    redis_client.lpush(queue.WAITS, 600, 600, 600)  # three recent claims took 10 minutes
    texts = ask_for_person(texter)
    assert any("about 10 min" in t for t in texts)
    assert estimate_minutes([60.0, 60.0], 0) is None  # too little history: no made-up number
    assert estimate_minutes([600.0, 600.0, 600.0], 2) == 30


def test_asking_twice_joins_the_open_escalation(texter, redis_client):
    ask_for_person(texter)
    texter.send("MENU")
    ask_for_person(texter, "no")
    assert redis_client.zcard(records.OPEN) == 1
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    assert records.load(redis_client, escalation_id).consent == "no"  # the newest answer wins


def test_a_tip_is_its_own_kind_and_urgent_when_someone_is_in_danger(texter, redis_client):
    texter.send("hello")
    texter.send("3")
    texter.send("Two women never leave the shop")
    texter.send("Main St, Lowell")
    reply = texter.reply("yes")
    assert "911" in reply
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    record = records.load(redis_client, escalation_id)
    assert (record.kind, record.priority) == ("tip", 1)
    assert record.details["tip_what"] == "Two women never leave the shop"
    view = queue.view_for(redis_client, ("en",))
    assert [e.id for e in view.tips] == [escalation_id] and view.waiting == []


def test_queue_order_is_priority_then_language_then_waiting_time(redis_client):
    from hotline.escalations.records import Escalation

    now = time.time()
    made = [
        Escalation("1", "sms", "es", 3, "r", "help", "w1", created=now - 300),
        Escalation("2", "sms", "en", 3, "r", "help", "w2", created=now - 100),
        Escalation("3", "sms", "en", 1, "r", "help", "w3", created=now - 10),
        Escalation("4", "sms", "en", 3, "r", "help", "w4", created=now - 200),
    ]
    for e in made:
        records.save_new(redis_client, e)
    assert [e.id for e in queue.open_escalations(redis_client)] == ["3", "1", "4", "2"]
    assert [e.id for e in queue.view_for(redis_client, ("en",)).waiting] == ["3", "4", "2", "1"]
    assert [e.id for e in queue.view_for(redis_client, ("es",)).waiting] == ["3", "1", "4", "2"]


def test_claim_is_atomic_one_winner_among_many(redis_client, redis_url):
    from concurrent.futures import ThreadPoolExecutor

    from hotline.escalations.records import Escalation
    from hotline.store import connect

    records.save_new(redis_client, Escalation("9", "sms", "en", 2, "r", "help", "w", created=1.0))

    def try_claim(name: str) -> bool:
        try:
            queue.claim(connect(redis_url, timeout=5.0), "9", name)
            return True
        except QueueError:
            return False

    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(try_claim, [f"staff{i}" for i in range(16)]))
    assert wins.count(True) == 1
    assert records.load(redis_client, "9").assignee in {f"staff{i}" for i in range(16)}
    assert redis_client.zcard(records.WAITING) == 0 and redis_client.zcard(records.OPEN) == 1


def test_release_puts_it_back_in_its_place(redis_client):
    from hotline.escalations.records import Escalation

    for i, created in ((1, 100.0), (2, 200.0)):
        records.save_new(redis_client, Escalation(str(i), "sms", "en", 2, "r", "help", f"w{i}",
                                                  created=created))  # fmt: skip
    queue.claim(redis_client, "1", "ana")
    with pytest.raises(QueueError):
        queue.release(redis_client, "1", "ben")
    queue.release(redis_client, "1", "ana")
    assert redis_client.zrange(records.WAITING, 0, -1) == ["1", "2"]
