"""Shared fixtures: a real Redis server (embedded, or REDIS_URL), the app, its client and runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from hotline.store import EmbeddedRedis, connect

ROOT = Path(__file__).resolve().parent.parent
TEST_TOKEN = "test-auth-token"
TEST_SECRET = "test-secret-key-0123456789"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when the run names one (CI's second pass); otherwise an embedded server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False)
    yield server.start()
    server.stop()


@pytest.fixture()
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A clean database for each test."""
    client = connect(redis_url, timeout=5.0)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_environ(redis_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a hotline under test: signed webhooks, a known secret, real Redis."""
    return {
        "HOTLINE_ENV": "test",
        "TWILIO_AUTH_TOKEN": TEST_TOKEN,
        "HOTLINE_SECRET_KEY": TEST_SECRET,
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "REDIS_URL": redis_url,
        "HOTLINE_DATA_DIR": str(tmp_path / "state"),
        "HOTLINE_FLOWS_DIR": str(ROOT / "flows"),
        "HOTLINE_RESOURCES_DIR": str(ROOT / "data"),
        "HOTLINE_STAFFED_HOURS": "24/7",  # tests never depend on the clock; set it to test hours
        "HOTLINE_ALLOW_OUTBOX": "1",  # a production app under test without Twilio is a drill
        **extra,
    }


PUBLIC_URL = "https://hotline.example.org"


@pytest.fixture()
def make_app(redis_client: redis.Redis, redis_url: str, tmp_path: Path):
    """Build an app with extra environment variables (e.g. a short session TTL)."""
    from hotline.app import create_app

    def build(**extra: str):
        app = create_app(environ=test_environ(redis_url, tmp_path, **extra))
        app.config["TESTING"] = True
        return app

    return build


@pytest.fixture()
def app(make_app):
    return make_app()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def ana(app, redis_client):
    """A client signed in to the staff dashboard as the advocate ana (English, Spanish)."""
    from tests.escalation_helpers import add_staff, sign_in

    add_staff(redis_client, "ana", ("en", "es"))
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture()
def twilio_standin():
    """The local stand-in for Twilio's Messages REST API (point TWILIO_API_BASE_URL at .url)."""
    from tests import twilio_standin as standin

    server = standin.start()
    yield server
    standin.stop(server)


@pytest.fixture()
def texter(client):
    from tests.phone import Texter

    return Texter(client)


@pytest.fixture()
def shipped(redis_client):
    """Redis holding the search index of the shipped directory (data/)."""
    from hotline.resources import load_directory, rebuild_index

    rebuild_index(redis_client, load_directory(ROOT / "data"))
    return redis_client


@pytest.fixture(scope="session", autouse=True)
def quick_argon2() -> Iterator[None]:
    """Real argon2, with the cheapest parameters, for every hash made inside the test process.

    The production parameters cost about 0.2 s a hash on purpose; tests make hundreds of
    accounts. Processes the tests start (gunicorn, workers) keep the production parameters.
    """
    from argon2 import PasswordHasher

    from hotline.escalations import accounts

    saved = accounts._hasher, accounts._DUMMY
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts._DUMMY = accounts._hasher.hash("not a real password, used to even out timing")
    yield
    accounts._hasher, accounts._DUMMY = saved


# Tests that never touch the shared Redis, bring their own redis-server, or drive real
# processes and a browser (whose behaviour does not depend on which Redis answers) run once,
# in the embedded pass: CI's REDIS_URL pass repeats only what talks to the standalone server.
OWN_SERVER_FIXTURES = {"own_redis", "replicated", "pair"}
ONCE_MARKERS = {"faults", "slow", "browser"}


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py marks its tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("REDIS_URL"):
        return
    once = pytest.mark.skip(reason="runs once, in the embedded pass")
    for item in items:
        markers = {m.name for m in item.iter_markers()}
        names = set(item.fixturenames)
        if markers & ONCE_MARKERS or OWN_SERVER_FIXTURES & names or "redis_url" not in names:
            item.add_marker(once)


@pytest.fixture(scope="session")
def replicated(tmp_path_factory: pytest.TempPathFactory):
    """A real master, one replica and three Sentinels (tests/redis_servers.py), shared by the
    tests that only read and write through it (a failover test starts its own)."""
    from tests.redis_servers import ReplicatedRedis

    servers = ReplicatedRedis(tmp_path_factory.mktemp("replicated")).start()
    yield servers
    servers.stop()
