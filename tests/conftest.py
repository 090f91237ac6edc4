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
