"""Never a dead end: Redis stopped, restarted or slow mid-conversation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hotline.store import EmbeddedRedis, connect
from tests.phone import Texter

NATIONAL = "1-888-373-7888"


@pytest.fixture()
def own_redis(tmp_path: Path):
    """A Redis server this test may stop and start (persisted, like the embedded default)."""
    server = EmbeddedRedis(tmp_path / "own-redis", persist=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def texter_on_own_redis(make_app, own_redis):
    app = make_app(REDIS_URL=own_redis.url, HOTLINE_REDIS_TIMEOUT="0.3")
    return Texter(app.test_client())


def assert_fallback(texts: list[str]) -> None:
    assert texts, "never silence while Redis is down"
    assert all("911" in t and NATIONAL in t and "233733" in t for t in texts)


def test_redis_stopped_mid_conversation_then_back(texter_on_own_redis, own_redis):
    texter = texter_on_own_redis
    texter.send("hello")
    assert "ZIP code or town" in texter.reply("1")
    own_redis.stop()
    assert_fallback(texter.send("01852"))
    assert texter.client.get("/healthz").status_code == 503
    assert texter.client.get("/readyz").status_code == 503
    assert texter.client.get("/livez").status_code == 200
    own_redis.start()
    assert texter.client.get("/readyz").status_code == 200
    assert texter.client.get("/healthz").get_json()["redis"] == "ok"
    # The session survived (append-only file): the conversation goes on where it was.
    assert "did not understand" not in texter.reply("purple")
    assert "ZIP code" in texter.reply("purple")


def test_slow_redis_answers_with_the_fallback_in_time(texter_on_own_redis, own_redis):
    texter = texter_on_own_redis
    texter.send("hello")
    blocker = threading.Thread(
        target=lambda: connect(own_redis.url, timeout=5).execute_command("DEBUG", "SLEEP", "1.5")
    )
    blocker.start()
    time.sleep(0.1)
    started = time.monotonic()
    texts = texter.send("4")
    elapsed = time.monotonic() - started
    blocker.join()
    assert_fallback(texts)
    assert elapsed < 1.2


def test_spanish_texter_gets_both_languages_when_redis_is_down(texter_on_own_redis, own_redis):
    texter = texter_on_own_redis
    texter.send("ESPAÑOL")
    own_redis.stop()
    texts = texter.send("1")
    assert_fallback(texts)
    assert any("Emergencia" in t for t in texts) and any("Emergency" in t for t in texts)


def test_a_bug_in_the_sms_path_still_answers_with_911_not_a_500(texter, monkeypatch, caplog):
    """Fault injection: the engine raises mid-turn (a message that would hold text)."""
    from hotline.engine import Engine

    def broken(self, session, event):
        raise ValueError(f"boom while reading {event.text!r}")

    texter.send("hello")
    monkeypatch.setattr(Engine, "step", broken)
    assert_fallback(texter.send("my secret words"))
    assert "ValueError" in caplog.text and "my secret words" not in caplog.text
