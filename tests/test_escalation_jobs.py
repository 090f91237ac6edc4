"""RQ jobs with a real worker: on-call alerts, staff replies (Outbox and Twilio's REST client)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from rq.registry import StartedJobRegistry

from hotline.escalations import accounts, actions, jobs, queue, records
from hotline.escalations.actions import ReplyRefused
from hotline.escalations.senders import read_outbox
from hotline.escalations.texter import staff_desk
from hotline.queues import DEFAULT, get_queue
from hotline.store import connect
from tests import conftest
from tests.escalation_helpers import add_staff, ask_for_person, only_id, run_jobs
from tests.phone import Texter

TEXTER = "+19785550123"


@pytest.fixture()
def app(make_app, monkeypatch):
    monkeypatch.setenv("HOTLINE_ALERT_EVERYONE_AFTER", "600")
    monkeypatch.setenv("HOTLINE_REPLY_RETRY_DELAYS", "0,0")
    return make_app()


@pytest.fixture()
def texter(app):
    return Texter(app.test_client(), number=TEXTER)


def test_alert_goes_to_matching_on_call_staff_without_texter_details(app, texter, redis_client):
    add_staff(redis_client, "ana", ("en",), phone="+16175550111")
    add_staff(redis_client, "luz", ("es",), phone="+16175550122")
    accounts.add(redis_client, "off", "x" * 12, ("en",), phone="+16175550133", on_call=False)
    ask_for_person(texter, "yes", "call me maybe")
    run_jobs(app)
    alerts = [m for m in read_outbox(redis_client) if m["kind"] == "alert"]
    assert [m["to"] for m in alerts] == ["+16175550111"]
    assert TEXTER not in alerts[0]["body"] and "call me maybe" not in alerts[0]["body"]
    assert "new escalation waiting" in alerts[0]["body"]
    escalation_id = only_id(redis_client)
    with app.app_context():
        jobs.alert(escalation_id, 2)  # after the wait, unclaimed: everyone on call
    alerts = [m["to"] for m in read_outbox(redis_client) if m["kind"] == "alert"]
    assert sorted(alerts) == ["+16175550111", "+16175550122"]
    assert records.load(redis_client, escalation_id).alerts == 2


def test_no_second_round_once_claimed(app, texter, redis_client):
    add_staff(redis_client, "luz", ("es",))
    ask_for_person(texter)
    queue.claim(redis_client, only_id(redis_client), "luz")
    run_jobs(app)
    assert read_outbox(redis_client) == []


def _reply(app, redis_client, text: str) -> str:
    escalation_id = only_id(redis_client)
    with app.test_request_context():
        desk = staff_desk()
        staff = accounts.get(redis_client, "ana")
        actions.claim(desk, staff, escalation_id)
        actions.reply(desk, staff, records.load(redis_client, escalation_id), text)
    return escalation_id


def test_staff_reply_reaches_the_texter_and_their_answer_comes_back(app, texter, redis_client):
    add_staff(redis_client)
    ask_for_person(texter)
    escalation_id = _reply(app, redis_client, "Hi, I am Ana. Are you safe right now?")
    run_jobs(app)
    sent = [m for m in read_outbox(redis_client) if m["kind"] == "reply"]
    assert sent == [sent[0]] and sent[0]["to"] == TEXTER
    assert sent[0]["body"] == "Hi, I am Ana. Are you safe right now?"
    assert records.transcript(redis_client, escalation_id)[-1].state == "sent"
    assert texter.send("yes, thank you") == []  # claimed: the advocate answers, not a robot
    assert records.transcript(redis_client, escalation_id)[-1].text == "yes, thank you"


def test_reply_box_closed_without_consent_unless_they_are_texting(app, texter, redis_client):
    add_staff(redis_client)
    ask_for_person(texter, "no")
    escalation_id = only_id(redis_client)
    record = records.load(redis_client, escalation_id)
    with app.test_request_context():
        desk = staff_desk()
        assert desk.gate(record).allowed  # they wrote a moment ago
        old = time.time() - 3600
        redis_client.hset(records.record_key(escalation_id), "last_inbound", old)
        gate = desk.gate(records.load(redis_client, escalation_id))
        assert not gate.allowed and "did not say it is safe" in gate.reason
        actions.claim(desk, accounts.get(redis_client, "ana"), escalation_id)
        with pytest.raises(ReplyRefused):
            actions.reply(desk, accounts.get(redis_client, "ana"),
                          records.load(redis_client, escalation_id), "hello")  # fmt: skip
    assert redis_client.llen("rq:queue:hotline-urgent") == 0


def test_a_stop_after_queueing_blocks_the_send(app, texter, redis_client):
    add_staff(redis_client)
    ask_for_person(texter)
    escalation_id = _reply(app, redis_client, "Hello")
    texter.send("STOP")
    run_jobs(app)
    assert [m for m in read_outbox(redis_client) if m["kind"] == "reply"] == []
    last = [e for e in records.transcript(redis_client, escalation_id) if e.by == "staff"][-1]
    assert last.state == "failed" and "STOP" in last.error


def test_resolve_says_goodbye_only_when_safe_and_returns_to_menu(app, texter, redis_client):
    add_staff(redis_client)
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    with app.test_request_context():
        desk, staff = staff_desk(), accounts.get(redis_client, "ana")
        actions.claim(desk, staff, escalation_id)
        actions.resolve(desk, staff, records.load(redis_client, escalation_id), "referred")
    run_jobs(app)
    [goodbye] = [m for m in read_outbox(redis_client) if m["kind"] == "reply"]
    assert goodbye["body"].startswith("Thanks for writing") and "911" in goodbye["body"]
    assert "Reply with a number" in texter.reply("hello again")


# -- Twilio's REST client, against the local stand-in of its Messages API ---------------------
@pytest.fixture()
def prod_app(make_app, monkeypatch, twilio_standin):
    monkeypatch.setenv("HOTLINE_REPLY_RETRY_DELAYS", "0,0")
    monkeypatch.setenv("HOTLINE_ALERT_EVERYONE_AFTER", "600")
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_standin.url)
    return make_app(
        HOTLINE_ENV="production", HOTLINE_STAFFED_HOURS="24/7",
        TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_PHONE_NUMBER="+16175550100",
    )  # fmt: skip


def _reply_through_twilio(prod_app, redis_client) -> str:
    add_staff(redis_client, "ana", ("en",), phone="")
    texter = Texter(prod_app.test_client(), number=TEXTER)
    ask_for_person(texter)
    get_queue(connect(prod_app.config["REDIS_URL"], decode=False), DEFAULT).empty()  # no alerts
    escalation_id = _reply(prod_app, redis_client, "Hello from Ana")
    run_jobs(prod_app)
    return escalation_id


def test_twilio_send_uses_the_rest_api(prod_app, redis_client, twilio_standin):
    escalation_id = _reply_through_twilio(prod_app, redis_client)
    [message] = twilio_standin.messages
    assert (message.to, message.from_, message.body) == (TEXTER, "+16175550100", "Hello from Ana")
    assert records.transcript(redis_client, escalation_id)[-1].state == "sent"
    assert read_outbox(redis_client) == []


def test_twilio_5xx_is_checked_with_twilio_then_sent_once(prod_app, redis_client, twilio_standin):
    twilio_standin.fail_next = [500]
    escalation_id = _reply_through_twilio(prod_app, redis_client)
    assert twilio_standin.creates() == 2 and twilio_standin.lists() == 1  # looked, then resent
    assert twilio_standin.bodies(TEXTER) == ["Hello from Ana"]
    assert records.transcript(redis_client, escalation_id)[-1].state == "sent"


def test_twilio_429_is_retried_without_a_lookup(prod_app, redis_client, twilio_standin):
    twilio_standin.fail_next = [429]
    escalation_id = _reply_through_twilio(prod_app, redis_client)
    assert twilio_standin.creates() == 2 and twilio_standin.lists() == 0
    assert records.transcript(redis_client, escalation_id)[-1].state == "sent"


def test_twilio_4xx_is_not_retried_and_the_failure_shows(prod_app, redis_client, twilio_standin):
    twilio_standin.fail_next = [400]
    escalation_id = _reply_through_twilio(prod_app, redis_client)
    assert twilio_standin.creates() == 1 and twilio_standin.messages == []
    last = records.transcript(redis_client, escalation_id)[-1]
    assert last.state == "failed" and "400" in last.error


def test_network_errors_are_retried_and_the_final_failure_shows(
    prod_app, redis_client, monkeypatch
):
    from tests.processes import free_port

    monkeypatch.setenv("TWILIO_API_BASE_URL", f"http://127.0.0.1:{free_port()}")  # refused
    escalation_id = _reply_through_twilio(prod_app, redis_client)
    last = records.transcript(redis_client, escalation_id)[-1]
    assert last.state == "failed" and "network error" in last.error
    job_ids = get_queue(connect(prod_app.config["REDIS_URL"], decode=False), "hotline-urgent")
    assert len(job_ids.failed_job_registry) == 0  # the job ended; the transcript says why


# -- a worker killed mid-job ---------------------------------------------------------------------
def _hanging_proxy() -> tuple[socket.socket, int, list]:
    """A 'proxy' that accepts connections and never answers: a job through it hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(server.accept()[0]) for _ in range(16)],
                     daemon=True).start()  # fmt: skip
    return server, server.getsockname()[1], held


def test_worker_killed_mid_alert_loses_no_escalation(
    app, texter, redis_client, redis_url, tmp_path
):
    add_staff(redis_client, "ana", ("en",), phone="+16175550111")
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    proxy, port, held = _hanging_proxy()
    env = {
        **os.environ,
        **conftest.test_environ(redis_url, tmp_path),
        "HOTLINE_ENV": "production",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_PHONE_NUMBER": "+16175550100",
        "HTTPS_PROXY": f"http://127.0.0.1:{port}",
        "HOTLINE_ALERT_EVERYONE_AFTER": "0",
    }
    worker = subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker"], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        rq = connect(redis_url, decode=False)
        registries = [
            StartedJobRegistry(q, connection=rq) for q in ("hotline-default", "hotline-urgent")
        ]
        deadline = time.monotonic() + 20
        while not any(len(reg) for reg in registries) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(len(reg) for reg in registries), "the alert job never started"
        while not held and time.monotonic() < deadline + 20:
            time.sleep(0.05)  # until it is inside the Twilio call, stuck on the proxy
        assert held, "the alert job never reached Twilio"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        proxy.close()
    record = records.load(redis_client, escalation_id)
    assert record.status == "waiting" and escalation_id in redis_client.zrange(
        records.WAITING, 0, -1
    )
    run_jobs(app)  # a healthy worker: the follow-up alert (scheduled before the send) goes out
    assert [m["to"] for m in read_outbox(redis_client) if m["kind"] == "alert"] == ["+16175550111"]
    queue.claim(redis_client, escalation_id, "ana")
