"""Never lost, never doubled, in one process: twins, the reply cache, replies and alerts once.

The fault tests with separate processes are in test_faults.py; these race threads against the
same real Redis and run jobs with a real (non-forking) worker, Twilio being the local stand-in.
"""

from __future__ import annotations

import time

import pytest

from hotline.engine import Escalate
from hotline.escalations import accounts, actions, conversation, records
from hotline.escalations.senders import read_outbox
from hotline.escalations.texter import desk, staff_desk
from tests.escalation_helpers import add_staff, ask_for_person, only_id, run_jobs
from tests.phone import Texter, new_sid
from tests.processes import at_once

TEXTER = "+19785550123"


def _every_value(r) -> str:
    """Everything Redis holds, as text (to look for anything kept in clear)."""
    out = []
    for k in r.scan_iter(count=1000):
        kind = r.type(k)
        if kind == "string":
            out.append(r.get(k) or "")
        elif kind == "list":
            out += r.lrange(k, 0, -1)
        elif kind == "hash":
            out += [f"{f}={v}" for f, v in r.hgetall(k).items()]
        elif kind == "set":
            out += list(r.smembers(k))
        elif kind == "zset":
            out += r.zrange(k, 0, -1)
    return "\n".join(out)


# -- twins ---------------------------------------------------------------------------------
def test_the_same_sid_from_many_threads_acts_once(app, redis_client):
    form = Texter(None, number=TEXTER).form("he took my passport")
    texters = [Texter(app.test_client(), number=TEXTER) for _ in range(6)]
    replies = at_once([lambda t=t: t.post(form).get_data(as_text=True) for t in texters])
    assert len(set(replies)) == 1 and "911" in replies[0]
    escalation_id = only_id(redis_client)
    words = [e.text for e in records.transcript(redis_client, escalation_id) if e.by == "texter"]
    assert words == ["he took my passport"]


def test_two_messages_at_once_are_handled_one_after_the_other(app, redis_client):
    texter = Texter(app.test_client(), number=TEXTER)
    for body in ("hello", "2", "yes"):
        texter.send(body)
    other = Texter(app.test_client(), number=TEXTER)
    at_once([lambda: texter.send("ANY"), lambda: other.send("are you there?")])
    escalation_id = only_id(redis_client)
    record = records.load(redis_client, escalation_id)
    words = [e.text for e in records.transcript(redis_client, escalation_id) if e.by == "texter"]
    assert len(words) == 1 and {words[0], record.safe_time} == {"ANY", "are you there?"}


def test_creating_an_escalation_is_one_atomic_step(app, redis_client):
    action = Escalate(node="queue_person", reason="asked for a person", escalation="help",
                      priority=2, language="en")  # fmt: skip

    def open_one():
        with app.app_context():
            return conversation.open_escalation(desk("sms"), action, "sms", TEXTER)

    at_once([open_one for _ in range(8)])
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    notes = [e.text for e in records.transcript(redis_client, escalation_id)]
    assert notes.count("asked for a person") == 1 and len(notes) == 8  # 7 "asked again"


def test_an_alert_lost_with_the_process_that_created_the_escalation_goes_out_later(
    app, redis_client
):
    """The process died between creating the escalation and queueing its alert."""
    add_staff(redis_client, "ana", ("en",), phone="+16175550111")
    action = Escalate(node="queue_person", reason="asked for a person", escalation="help",
                      priority=2, language="en")  # fmt: skip
    with app.app_context():
        conversation.open_escalation(desk("sms"), action, "sms", TEXTER)  # and no alert queued
    ask_for_person(Texter(app.test_client(), number=TEXTER))  # asks again: joins it
    run_jobs(app)
    ask_for_person(Texter(app.test_client(), number=TEXTER))  # and again: alerted already
    run_jobs(app)
    assert [m["to"] for m in read_outbox(redis_client) if m["kind"] == "alert"] == ["+16175550111"]


def test_a_failed_turn_does_not_hold_up_the_texters_next_message(texter, monkeypatch):
    from hotline.engine import Engine

    texter.send("hello")
    real = Engine.step
    monkeypatch.setattr(Engine, "step", lambda *a: (_ for _ in ()).throw(ValueError("boom")))
    assert any("911" in t for t in texter.send("4"))  # the static fallback
    monkeypatch.setattr(Engine, "step", real)
    started = time.monotonic()
    assert "Reply with a number" in texter.reply("0")
    assert time.monotonic() - started < 1.0


def test_a_message_waits_for_the_texters_earlier_one_then_takes_over_a_stuck_one(app):
    from hotline.channels.sms_state import SmsState
    from hotline.store import get_redis

    with app.app_context():
        r, secret = get_redis(), app.extensions["hotline.settings"].secret_key
        stuck = SmsState(r, secret, TEXTER, 3600)
        assert stuck.claim("SMstuck").in_flight == ""  # a process took the lease and died
        twin = SmsState(r, secret, TEXTER, 3600).claim("SMstuck", wait=0.3)
        assert twin.in_flight == "twin" and twin.earlier_reply is None
        started = time.monotonic()
        later = SmsState(r, secret, TEXTER, 3600).claim("SMlater", wait=0.3)
        assert later.in_flight == "" and time.monotonic() - started >= 0.3  # waited, then took it
        assert stuck.commit("SMstuck", "<Response/>", None) is None  # its late commit still lands
        assert SmsState(r, secret, TEXTER, 3600).read("SMstuck").earlier_reply == "<Response/>"


# -- the reply cache (issue 12, item 8) --------------------------------------------------------
def test_cached_replies_are_sealed(texter, redis_client):
    texter.send("hello")
    texter.send("1")
    assert "outside Massachusetts" in texter.reply("90210")
    held = _every_value(redis_client)
    assert "outside Massachusetts" not in held and "Reply with a number" not in held


def test_delete_erases_the_cached_replies(texter):
    texter.send("hello")
    texter.send("1")
    sid = new_sid()
    assert "outside Massachusetts" in "\n".join(texter.send("90210", sid=sid))
    texter.send("DELETE")
    assert texter.send("90210", sid=sid) == []  # a late retry of that message: nothing back


# -- staff replies: once, reconciled with Twilio, never sent blind -------------------------------
@pytest.fixture()
def prod_app(make_app, monkeypatch, twilio_standin):
    monkeypatch.setenv("HOTLINE_REPLY_RETRY_DELAYS", "0,0")
    monkeypatch.setenv("HOTLINE_ALERT_EVERYONE_AFTER", "600")
    monkeypatch.setenv("HOTLINE_JOB_TIMEOUT", "2")
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_standin.url)
    return make_app(
        HOTLINE_ENV="production", TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_PHONE_NUMBER="+16175550100",
    )  # fmt: skip


def _queue_reply(app, r, text: str) -> tuple[str, int]:
    if accounts.get(r, "ana") is None:
        add_staff(r, "ana", ("en",), phone="")
    ask_for_person(Texter(app.test_client(), number=TEXTER))
    escalation_id = only_id(r)
    with app.test_request_context():
        d, ana = staff_desk(), accounts.get(r, "ana")
        actions.claim(d, ana, escalation_id)
        return escalation_id, actions.reply(d, ana, records.load(r, escalation_id), text)


def test_a_reply_whose_answer_was_lost_is_not_sent_twice(prod_app, redis_client, twilio_standin):
    """Twilio took the message; the job died waiting for the answer; the retry checks first."""
    escalation_id, index = _queue_reply(prod_app, redis_client, "Hello from Ana")
    twilio_standin.hold_creates = 12.0  # longer than a job may run, and than the HTTP timeout
    run_jobs(prod_app)
    assert twilio_standin.bodies(TEXTER) == ["Hello from Ana"] and twilio_standin.creates() == 1
    assert twilio_standin.lists() >= 1
    assert records.entry_at(redis_client, escalation_id, index).state == "sent"


def test_a_reply_that_cannot_be_confirmed_is_shown_as_delivery_unknown(
    prod_app, redis_client, twilio_standin, ana
):
    escalation_id, index = _queue_reply(prod_app, redis_client, "Hello from Ana")
    twilio_standin.hold_creates = 12.0
    twilio_standin.fail_lists = True  # Twilio's Messages list is not answering
    run_jobs(prod_app)
    assert twilio_standin.creates() == 1
    assert records.entry_at(redis_client, escalation_id, index).state == "unknown"
    page = ana.get(f"/staff/e/{escalation_id}").get_data(as_text=True)
    assert "delivery unknown, check before resending" in page


def test_a_reply_whose_last_attempt_died_mid_send_shows_delivery_unknown(
    prod_app, redis_client, twilio_standin, monkeypatch
):
    monkeypatch.setenv("HOTLINE_REPLY_RETRY_DELAYS", "")  # one attempt only
    escalation_id, index = _queue_reply(prod_app, redis_client, "Hello from Ana")
    twilio_standin.hold_creates = 12.0  # the job is stopped (timeout) while Twilio holds it
    run_jobs(prod_app)
    assert twilio_standin.creates() == 1
    entry = records.entry_at(redis_client, escalation_id, index)
    assert entry.state == "unknown"


# -- alerts: capped per escalation and per minute ------------------------------------------------
@pytest.fixture()
def capped_app(make_app, monkeypatch):
    monkeypatch.setenv("HOTLINE_ALERT_EVERYONE_AFTER", "600")
    monkeypatch.setenv("HOTLINE_ALERTS_PER_ESCALATION", "3")
    monkeypatch.setenv("HOTLINE_ALERTS_PER_MINUTE", "4")
    return make_app()


def _alerts(r) -> list[dict]:
    return [m for m in read_outbox(r, 500) if m["kind"] == "alert"]


def test_alerts_are_capped_per_escalation(capped_app, redis_client):
    for i in range(5):
        add_staff(redis_client, f"staff{i}", ("en",), phone=f"+1617555020{i}")
    ask_for_person(Texter(capped_app.test_client(), number=TEXTER))
    run_jobs(capped_app)
    assert len(_alerts(redis_client)) == 3
    escalation_id = only_id(redis_client)
    assert records.load(redis_client, escalation_id).alerts == 3
    notes = [e.text for e in records.transcript(redis_client, escalation_id)]
    assert any("limit" in n for n in notes), notes


def test_alerts_are_capped_per_minute_across_escalations(capped_app, redis_client):
    add_staff(redis_client, "ana", ("en",), phone="+16175550111")
    minute = int(time.time() // 60)
    for i in range(7):
        ask_for_person(Texter(capped_app.test_client(), number=f"+1978555030{i}"))
    run_jobs(capped_app)
    crossed = int(time.time() // 60) != minute
    assert len(_alerts(redis_client)) == 4 or (crossed and len(_alerts(redis_client)) <= 8)
    assert len(redis_client.zrange(records.OPEN, 0, -1)) == 7  # nothing lost: all on the queue
