"""The Procfile's `web` process under attack, measured from outside (test_serving, bench/).

Starts exactly what the Procfile says (on a free port), then runs the attacks of issue 12 while
signed /sms webhooks measure latency: clients that send their headers one byte a second, and
threads of failed sign-ins (each attempt from another address when `spread` is set, as a botnet
would, so every one reaches argon2 instead of the cheap throttle).
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from hotline.channels.twilio_auth import sign

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "serving-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web() -> str:
    """The `web:` command of the Procfile, as a platform would run it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line[len("web:") :].strip()
    raise RuntimeError("the Procfile has no web process")


def start_web(redis_url: str, data_dir: Path, port: int, trusted_proxies: int = 0, **extra: str):
    """The Procfile's web process in production settings; returns (process, environment)."""
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "HOTLINE_ENV": "production",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_SECRET_KEY": "serving-secret-0123456789abcdef",
        "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": redis_url,
        "HOTLINE_ALLOW_OUTBOX": "1",
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_FLOWS_DIR": str(ROOT / "flows"),
        "HOTLINE_RESOURCES_DIR": str(ROOT / "data"),
        "HOTLINE_STAFFED_HOURS": "24/7",
        "HOTLINE_TRUSTED_PROXIES": str(trusted_proxies),
        "HOTLINE_ACCESS_LOG": "/dev/null",
        **extra,
    }
    command = procfile_web().replace("${PORT:-5000}", str(port)).replace("$PORT", str(port))
    command = command.replace("0.0.0.0", "127.0.0.1")
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/readyz", timeout=2)[0] == 200:
                return proc, env
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"the web process exited: {shlex.quote(command)}")
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError("the web process did not answer /readyz")


def stop(proc: subprocess.Popen) -> None:
    """Quick shutdown (SIGINT: gunicorn does not wait for the attackers' connections)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


# -- what is measured: signed /sms webhooks, one at a time, a new connection each ------------
@dataclass
class Measured:
    latencies: list[float] = field(default_factory=list)  # seconds, answered 200
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies) or [float("nan")]
        return {
            "n": len(self.latencies),
            "failed": len(self.failures),
            "p50_ms": statistics.median(lat) * 1000,
            "p95_ms": lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000,
            "max_ms": lat[-1] * 1000,
        }


def measure_sms(port: int, seconds: float, timeout: float = 10.0) -> Measured:
    base, out, step = f"http://127.0.0.1:{port}", Measured(), 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        step += 1
        form = {"From": f"+1978555{step % 50:04d}", "To": "+16175550100",
                "Body": ["hi", "4", "0", "5", "0"][step % 5], "MessageSid": f"SM{step:032d}",
                "AccountSid": "AC" + "0" * 32}  # fmt: skip
        headers = {"X-Twilio-Signature": sign(base + "/sms", form, TOKEN),
                   "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("POST", "/sms", urllib.parse.urlencode(form), headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                out.latencies.append(time.perf_counter() - started)
            else:
                out.failures.append(f"HTTP {response.status}")
        except OSError as exc:
            out.failures.append(type(exc).__name__)
        finally:
            conn.close()
        time.sleep(0.05)
    return out


# -- the attacks ---------------------------------------------------------------------------
class SlowHeaders:
    """`count` sockets, each sending a request's headers one byte every `interval` seconds,
    reconnecting when the server closes it."""

    HEAD = b"POST /sms HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * 400 + b"\r\n\r\n"

    def __init__(self, port: int, count: int, interval: float = 1.0):
        self.port, self.count, self.interval = port, count, interval
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._one, daemon=True) for _ in range(count)]

    def _one(self) -> None:
        while not self.done.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    for byte in self.HEAD:
                        if self.done.is_set():
                            return
                        s.sendall(bytes([byte]))
                        time.sleep(self.interval)
            except OSError:
                time.sleep(0.2)

    def __enter__(self) -> SlowHeaders:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()


def slow_body_answer(port: int, give_up: float = 30.0) -> tuple[str, float]:
    """Send complete headers, then a declared body a byte a second; the server's first line
    and how long it took to answer ("" if it never did within give_up seconds)."""
    started = time.monotonic()
    head = (b"POST /sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 300\r\n\r\n")  # fmt: skip
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(head)
        while time.monotonic() - started < give_up:
            try:
                s.sendall(b"a")
                data = s.recv(200)
                if data:
                    return data.split(b"\r\n")[0].decode(), time.monotonic() - started
            except TimeoutError:
                continue
            except OSError:
                return "closed", time.monotonic() - started
    return "", time.monotonic() - started


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class SignInFlood:
    """`threads` threads of failed sign-ins; with `spread`, each from a different address
    (X-Forwarded-For, believed because the server trusts one proxy)."""

    def __init__(self, port: int, threads: int, spread: bool = False):
        self.port, self.spread = port, spread
        self.done = threading.Event()
        self.answers: dict[int, int] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._one, args=(i,), daemon=True)
                        for i in range(threads)]  # fmt: skip

    def _one(self, index: int) -> None:
        n = 0
        while not self.done.is_set():
            n += 1
            address = f"10.{index}.{n // 250 % 250}.{n % 250 + 1}" if self.spread else ""
            try:
                status = self._attempt(address)
            except OSError:
                status = 0
            with self.lock:
                self.answers[status] = self.answers.get(status, 0) + 1

    def _attempt(self, address: str) -> int:
        extra = {"X-Forwarded-For": address} if address else {}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", "/staff/login", headers=extra)
            page = conn.getresponse()
            html = page.read().decode()
            cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
            token = CSRF.search(html).group(1) if CSRF.search(html) else ""
            body = urllib.parse.urlencode({"name": "ana", "password": "wrong password!",
                                           "csrf": token})  # fmt: skip
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                       **extra}  # fmt: skip
            conn.request("POST", "/staff/login", body, headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def __enter__(self) -> SignInFlood:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
