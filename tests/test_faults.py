"""Never lost, never doubled: faults injected into real processes (issue 11).

Each test runs its own redis-server (append-only, on a unix socket in its temporary folder),
real `hotline worker` processes and, where the app itself must race, two gunicorn processes;
Twilio's REST API is the local stand-in (tests/twilio_standin.py). Kills are SIGKILL to a
whole process group (a host dying), restarts are SIGTERM to redis-server. Margins are wide:
the machine running them is shared.
"""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from urllib.parse import urlencode

import pytest

from hotline.channels.twilio_auth import sign
from hotline.escalations import accounts, actions, records
from hotline.escalations.texter import staff_desk
from hotline.safety import crypto
from hotline.store import connect
from tests import conftest, processes
from tests.escalation_helpers import add_staff, ask_for_person, only_id
from tests.phone import Texter, message_texts
from tests.processes import at_once, production_env, start_app, start_worker, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        bool(os.environ.get("REDIS_URL")),
        reason="they bring their own redis-server: run once, in the embedded pass",
    ),
]

TEXTER = "+19785550123"
ANA, LUZ = "+16175550111", "+16175550122"


@pytest.fixture()
def own_redis(tmp_path):
    server = processes.private_redis(tmp_path)
    yield server
    server.stop()


@pytest.fixture()
def r(own_redis):
    """A client of the test's own Redis (escalation data unsealed with the test key)."""
    crypto.configure((conftest.TEST_SECRET,))
    client = connect(own_redis.url, timeout=5.0)
    yield client
    client.close()


@pytest.fixture()
def standin(twilio_standin):
    return twilio_standin


@pytest.fixture()
def workers():
    """Start workers through this; every one still running is stopped after the test."""
    started: list[processes.Proc] = []

    def start(env, folder, name="worker", *args):
        proc = start_worker(env, folder, name, *args)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def _escalations_of(r, number: str) -> list[records.Escalation]:
    every = records.load_many(r, r.zrange(records.OPEN, 0, -1))
    return [e for e in every if e.number == number]


def _texter_words(r, escalation_id: str) -> list[str]:
    return [e.text for e in records.transcript(r, escalation_id) if e.by == "texter"]


# -- Redis clients: patient workers, quick webhooks ---------------------------------------------
def test_a_worker_client_waits_out_a_redis_restart_and_a_webhook_client_does_not(own_redis):
    from redis.exceptions import ConnectionError as RedisDown

    from hotline.store import ride_out_outages

    webhook, worker = connect(own_redis.url), ride_out_outages(connect(own_redis.url), 10)
    assert webhook.ping() and worker.ping()
    own_redis.stop()
    restart = threading.Timer(3.0, own_redis.start)
    restart.start()
    started = time.monotonic()
    with pytest.raises(RedisDown):
        webhook.ping()  # the webhook's client fails at once: it answers with the fallback
    assert time.monotonic() - started < 1.0
    assert worker.ping()  # the worker's client waited for the restart
    assert time.monotonic() - started >= 2.5
    restart.join()


# -- twins: the same MessageSid, or two quick messages, at two app processes at once ----------
def _post(port: int, form: dict[str, str]) -> list[str]:
    headers = {"X-Twilio-Signature": sign(conftest.PUBLIC_URL + "/sms", form, conftest.TEST_TOKEN),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/sms", urlencode(form), headers)
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    assert response.status == 200, body
    return message_texts(body)


@pytest.fixture()
def two_apps(own_redis, tmp_path):
    """Two app processes (gunicorn, one sync worker each) on the same Redis."""
    env = production_env(own_redis.url, tmp_path)
    ports = [processes.free_port(), processes.free_port()]
    apps = [start_app(env, tmp_path, port, f"app{i}") for i, port in enumerate(ports)]
    yield ports
    for app in apps:
        app.stop()


def _form(number: str, body: str, sid: str | None = None) -> dict[str, str]:
    return Texter(None, number=number).form(body, sid)


def test_the_same_message_sid_at_two_app_processes_at_once_acts_once(two_apps, r):
    """A Twilio retry racing the original: one urgent escalation, their words once."""
    numbers = [f"+1978555{1000 + i:04d}" for i in range(8)]
    for number in numbers:
        form = _form(number, "he took my passport")
        replies = at_once([lambda p=port, f=form: _post(p, f) for port in two_apps])
        assert replies[0] == replies[1], "both deliveries get the same reply"
        assert any("911" in text for text in replies[0])
    for number in numbers:
        [escalation] = _escalations_of(r, number)
        assert escalation.priority == 1
        assert _texter_words(r, escalation.id) == ["he took my passport"]


def test_two_quick_messages_at_the_queue_step_make_one_escalation(two_apps, r):
    """'ANY' and a second message sent at once: one escalation, the other words go to staff."""
    numbers = [f"+1978555{2000 + i:04d}" for i in range(12)]
    for number in numbers:
        for body in ("hello", "2", "yes"):
            _post(two_apps[0], _form(number, body))
    for number in numbers:
        first, second = _form(number, "ANY"), _form(number, "are you there?")
        at_once([lambda f=first: _post(two_apps[0], f), lambda f=second: _post(two_apps[1], f)])
    for number in numbers:
        [escalation] = _escalations_of(r, number)
        words = _texter_words(r, escalation.id)
        assert len(words) == 1 and {words[0], escalation.safe_time} == {"ANY", "are you there?"}


# -- workers and Redis faults ------------------------------------------------------------------
@pytest.fixture()
def hotline(make_app, own_redis, monkeypatch):
    """The app in this process on the test's Redis: to queue escalations and staff replies."""
    monkeypatch.setenv("HOTLINE_REPLY_RETRY_DELAYS", "1,1,1")
    return make_app(REDIS_URL=own_redis.url)


def _staff_reply(app, r, escalation_id: str, text: str) -> int:
    with app.test_request_context():
        desk, ana = staff_desk(), accounts.get(r, "ana")
        record = records.load(r, escalation_id)
        if record.status == "waiting":
            actions.claim(desk, ana, escalation_id)
        return actions.reply(desk, ana, records.load(r, escalation_id), text)


def _state(r, escalation_id: str, index: int) -> str:
    entry = records.entry_at(r, escalation_id, index)
    return entry.state if entry else ""


def test_worker_and_its_scheduler_ride_out_a_redis_restart(
    hotline, own_redis, r, standin, tmp_path, workers
):
    """Redis restarts while the worker is inside a job (Twilio holds the first alert)."""
    add_staff(r, "ana", ("en",), phone=ANA)
    add_staff(r, "luz", ("es",), phone=LUZ)
    ask_for_person(Texter(hotline.test_client(), number=TEXTER))
    escalation_id = only_id(r)
    env = production_env(own_redis.url, tmp_path, standin.url, HOTLINE_ALERT_EVERYONE_AFTER="12",
                         HOTLINE_JOB_TIMEOUT="30")  # fmt: skip
    standin.hold_creates = 4.0
    worker = workers(env, tmp_path)
    wait_for(lambda: standin.bodies(ANA), 30, why="the first alert (to ana) to reach Twilio")
    alerted_at = time.monotonic()

    own_redis.stop()  # SIGTERM, as a restart or a failover does
    time.sleep(2.0)
    own_redis.start()  # the append-only file brings the queues and the schedule back
    standin.hold_creates = 0.0
    time.sleep(3.0)  # the held alert returns: the job records it in the restarted Redis
    assert worker.alive(), worker.output()
    wait_for(lambda: records.load(r, escalation_id).alerts == 1, 20, why="the alert recorded")

    # The second round, scheduled before the restart, still goes out (the scheduler lived).
    wait_for(lambda: standin.bodies(LUZ), 40, why="the second-round alert (scheduler)")
    assert time.monotonic() - alerted_at < 12 + 20
    # A reply queued after the restart is sent, once.
    index = _staff_reply(hotline, r, escalation_id, "Hello from Ana")
    wait_for(lambda: _state(r, escalation_id, index) == "sent", 30, why="the reply to be sent")
    assert standin.bodies(TEXTER) == ["Hello from Ana"]
    assert worker.alive(), worker.output()
    assert len(standin.bodies(ANA)) == 1 and len(standin.bodies(LUZ)) == 1


def test_a_worker_killed_mid_send_leads_to_one_delivery(
    hotline, own_redis, r, standin, tmp_path, workers
):
    """Twilio accepted the reply, the worker died before hearing back: reconciled, not resent."""
    add_staff(r, "ana", ("en",), phone="")
    ask_for_person(Texter(hotline.test_client(), number=TEXTER))
    escalation_id = only_id(r)
    env = production_env(own_redis.url, tmp_path, standin.url, HOTLINE_JOB_TIMEOUT="4",
                         HOTLINE_REPLY_RETRY_DELAYS="1,1,1")  # fmt: skip
    standin.hold_creates = 60.0
    first = workers(env, tmp_path, "first")
    wait_for(lambda: r.smembers("rq:workers"), 30, why="the first worker")
    index = _staff_reply(hotline, r, escalation_id, "Hello from Ana")
    wait_for(lambda: standin.creates() == 1, 30, why="the worker to reach Twilio")
    first.kill(signal.SIGKILL)
    killed_at = time.monotonic()
    standin.hold_creates = 0.0

    workers(env, tmp_path, "second")
    wait_for(lambda: _state(r, escalation_id, index) == "sent", 45, why="the reply reconciled")
    assert time.monotonic() - killed_at < 30 + 10  # re-queued within 30 s (+ start-up)
    assert standin.bodies(TEXTER) == ["Hello from Ana"] and standin.creates() == 1
    assert standin.lists() >= 1, "checked with Twilio before any second send"


def _scheduler_holder(r) -> int:
    """The pid of the process group whose scheduler holds the hotline's scheduler lock."""
    name = r.get("rq:scheduler-lock:hotline-urgent")
    pid = r.hget(f"rq:scheduler:{name}", "pid") if name else None
    return os.getpgid(int(pid)) if pid else 0


@pytest.mark.parametrize("restart_redis", [False, True], ids=["killed", "killed+redis-restart"])
def test_scheduled_work_runs_on_time_after_the_scheduling_worker_dies(
    hotline, own_redis, r, standin, tmp_path, workers, restart_redis
):
    """The second alert round is due 8 s after the first; the worker scheduling it dies."""
    add_staff(r, "ana", ("en",), phone=ANA)
    add_staff(r, "luz", ("es",), phone=LUZ)
    env = production_env(own_redis.url, tmp_path, standin.url, HOTLINE_ALERT_EVERYONE_AFTER="8")
    started = [workers(env, tmp_path, "a")]
    wait_for(lambda: _scheduler_holder(r), 30, why="a scheduler")
    started.append(workers(env, tmp_path, "b"))
    wait_for(lambda: len(r.smembers("rq:workers")) == 2, 30, why="two workers")
    ask_for_person(Texter(hotline.test_client(), number=TEXTER))
    wait_for(lambda: standin.bodies(ANA), 30, why="the first alert")
    due = time.monotonic() + 8
    holder = _scheduler_holder(r)
    [scheduling] = [w for w in started if w.pid == holder]
    [other] = [w for w in started if w.pid != holder]
    scheduling.kill(signal.SIGKILL)
    if restart_redis:
        own_redis.stop()
        time.sleep(1.0)
        own_redis.start()  # the dead scheduler's lock comes back from the append-only file
    wait_for(lambda: standin.bodies(LUZ), 45, why="the second round")
    assert time.monotonic() - due < 15, "the second round ran late"
    assert other.alive(), other.output()
