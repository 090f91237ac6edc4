"""Acknowledged writes on replicated Redis: WAIT before a promise, READONLY retried, health.

Real redis-server processes (tests/redis_servers.py): a master, a replica and three Sentinels
shared by these tests (session fixture `replicated`; the master may change between tests, so
each asks the Sentinels), and a plain master + replica pair for the paused-replica case.
"""

from __future__ import annotations

import os
import signal

import pytest

from hotline.escalations import records
from hotline.safety import crypto
from hotline.store import connect
from tests import conftest
from tests.escalation_helpers import add_staff, ask_for_person, sign_in
from tests.phone import Texter
from tests.processes import wait_for
from tests.redis_servers import SERVICE, Server

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")),
    reason="they bring their own redis-servers: run once, in the embedded pass",
)
PROMISE = "will answer here as soon as they are free"
UNCONFIRMED = "could not confirm that your request was saved"


def _app(url: str, tmp_path):
    from hotline.app import create_app

    crypto.configure((conftest.TEST_SECRET,))
    app = create_app(environ=conftest.test_environ(url, tmp_path))
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def sentinel_app(replicated, tmp_path):
    client = connect(replicated.url, timeout=2.0)
    client.flushdb()
    yield _app(replicated.url, tmp_path)
    client.flushdb()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A plain master and one replica, no Sentinel: REDIS_URL names the master directly."""
    folder = tmp_path_factory.mktemp("pair")
    master = Server(folder, "master").start()
    replica = Server(folder, "replica").start("--replicaof", "127.0.0.1", str(master.port))
    wait_for(lambda: replica.client().info("replication")["master_link_status"] == "up", 20)
    yield master, replica
    replica.stop()
    master.stop()


def _replica(replicated) -> Server:
    master = replicated.master_port()
    return next(n for n in replicated.nodes if n.port != master)


def test_through_sentinel_the_promise_follows_the_replica_holding_the_escalation(
    replicated, sentinel_app
):
    texter = Texter(sentinel_app.test_client())
    reply = " ".join(ask_for_person(texter))
    assert PROMISE in reply
    with _replica(replicated).client() as replica:  # read at once: WAIT made it so
        assert replica.zcard(records.OPEN) == 1
    # Staff sign in (the sign-in throttle counts on the same master, through Sentinel too).
    add_staff(connect(replicated.url, timeout=2.0), "ana", ("en",))
    staff = sentinel_app.test_client()
    assert sign_in(staff, "ana", "wrong password here").status_code == 401
    assert connect(replicated.url).keys("LIMITS*"), "the failed sign-in was counted in Redis"
    assert sign_in(staff).status_code == 302
    assert [row["id"] for row in staff.get("/staff/queue.json").get_json()["waiting"]] == ["1"]


def test_no_replica_acknowledging_means_the_texter_hears_the_truth_and_staff_are_told(
    pair, tmp_path
):
    master, replica = pair
    url = f"redis://127.0.0.1:{master.port}/0"
    connect(url).flushdb()
    app = _app(url, tmp_path)
    texter = Texter(app.test_client())
    texter.send("hello")
    texter.send("2")
    texter.send("yes")
    writer = Texter(app.test_client(), number="+19785550177")
    os.kill(replica.process.pid, signal.SIGSTOP)  # the replica stops acknowledging
    try:
        reply = " ".join(texter.send("ANY"))
        own_words = writer.send("my boss keeps my passport and I need help")
    finally:
        os.kill(replica.process.pid, signal.SIGCONT)
    assert UNCONFIRMED in reply and PROMISE not in reply
    assert "will answer in this thread" not in reply  # the flow's own promise is left out too
    assert "1-888-373-7888" in reply and "233733" in reply and "911" in reply
    assert UNCONFIRMED in own_words[0] and "answer you here" not in " ".join(own_words)
    assert "YES or NO" in own_words[-1]  # the conversation goes on: may we text you later?
    r = connect(url)
    assert r.zcard(records.OPEN) == 2  # still queued for staff, with their alerts
    assert r.llen("rq:queue:hotline-default") + r.llen("rq:queue:hotline-urgent") == 2
    # The replica back: the next conversation is promised again.
    wait_for(lambda: r.execute_command("WAIT", 1, 100) >= 1, 10)
    other = Texter(app.test_client(), number="+19785550144")
    assert PROMISE in " ".join(ask_for_person(other))


def test_a_write_that_meets_a_demoted_master_is_retried_on_the_new_one(replicated, sentinel_app):
    texter = Texter(sentinel_app.test_client())
    texter.send("hello")  # the app's connection now sits on the current master
    old = replicated.master_port()
    with replicated.sentinels[0].client() as sentinel:
        sentinel.execute_command("SENTINEL", "FAILOVER", SERVICE)
    new = replicated.wait_for_promotion(old)
    with replicated.node(old).client() as demoted:
        wait_for(lambda: demoted.execute_command("ROLE")[0] == "slave", 20, why="old demoted")
    reply = " ".join(ask_for_person(texter))
    assert PROMISE in reply, reply
    with replicated.node(new).client() as master:
        assert master.zcard(records.OPEN) == 1


def test_a_read_only_node_is_unhealthy_and_texters_get_the_fallback(replicated, tmp_path):
    replica = _replica(replicated)
    app = _app(f"redis://127.0.0.1:{replica.port}/0", tmp_path)
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["redis"] == "read-only replica"
    assert any("not a master" in p for p in body["problems"])
    texts = Texter(client).send("hello")
    assert texts and all("911" in t and "233733" in t for t in texts)
