"""Signed /sms webhooks from many simulated texters against the hotline and the floor app.

Both run under gunicorn with the same settings (2 sync workers by default), one after the
other, against the same embedded Redis. Prints requests/s, p50/p99 and the throughput ratio,
and the Redis round trips one inbound message costs (counted in-process on the connection).

    .venv/bin/python bench/sms_load.py --concurrency 32 --seconds 15
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.channels.twilio_auth import sign  # noqa: E402
from hotline.store import EmbeddedRedis, connect  # noqa: E402

TOKEN = "bench-token"
# "mixed": a conversation that walks menus, questions, keywords, a tip and a request for a
# person (each queues an escalation, ~10 round trips) and two messages inside the conversation.
# "menu": menus and information only, the common case. Neither does directory lookups.
SCRIPTS = {
    "mixed": ["hi", "4", "1", "0", "5", "0", "3", "a man keeps their passports", "Main St", "no",
              "no", "menu", "2", "yes", "after 6pm", "menu", "6", "2", "1", "0"],
    "menu": ["hi", "4", "1", "0", "5", "0", "6", "2", "4", "0", "1", "0", "purple", "menu"],
}  # fmt: skip
SCRIPT = SCRIPTS["mixed"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    target: str, port: int, env: dict[str, str], workers: int, threads: int = 1
) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", target]  # fmt: skip
    if threads > 1:
        cmd[1:1] = ["--worker-class", "gthread", "--threads", str(threads)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


def post_sms(port: int, base: str, number: str, body: str, sid: str, timeout: float = 10) -> int:
    """One signed /sms webhook on a new TCP connection, as Twilio sends it; the HTTP status."""
    form = {"From": number, "To": "+16175550100", "Body": body, "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}  # fmt: skip
    headers = {"X-Twilio-Signature": sign(base + "/sms", form, TOKEN),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/sms", urllib.parse.urlencode(form), headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def texter(
    index: int, port: int, base: str, stop: float, latencies: list, errors: list, run: int = 0
) -> None:
    """One texter walking SCRIPT until `stop`. run > 0 gives other numbers and MessageSids, so
    a later run is not answered from the reply cache of an earlier one."""
    number = f"+1978{555 + run:03d}{index:04d}"
    step = 0
    while time.monotonic() < stop:
        body = SCRIPT[step % len(SCRIPT)]
        started = time.perf_counter()
        try:
            status = post_sms(port, base, number, body, f"SM{run:04d}{index:08d}{step:020d}")
            if status != 200:
                errors.append(status)
        except OSError as exc:
            errors.append(repr(exc))
        latencies.append(time.perf_counter() - started)
        step += 1


def load(port: int, concurrency: int, seconds: float, run: int = 0) -> dict[str, float]:
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors: list = []
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=texter, args=(i, port, base, stop, latencies, errors, run))
        for i in range(concurrency)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": len(errors),
        "rps": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
    }


def round_trips(url: str, env: dict[str, str]) -> float:
    """Redis round trips per inbound message, counted on the client connection in-process."""
    import redis.connection

    from hotline.app import create_app
    from hotline.devphone import DevPhone

    os.environ.update(env)
    phone = DevPhone(create_app())
    for body in SCRIPT:  # warm up (script load, connections)
        phone.text(body, "+19785550999")
    count = 0
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        nonlocal count
        count += 1
        return original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        for body in SCRIPT:
            phone.text(body, "+19785550998")
    finally:
        redis.connection.AbstractConnection.send_packed_command = original
    return count / len(SCRIPT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--script", choices=sorted(SCRIPTS), default="mixed")
    parser.add_argument("--threads", type=int, default=1, help=">1: gthread workers (both apps)")
    args = parser.parse_args()
    global SCRIPT
    SCRIPT = SCRIPTS[args.script]
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", persist=False)
        url = server.start()
        results = {}
        for name, target in (("floor", "bench.floor_app:create_floor_app()"),
                             ("hotline", "hotline.app:create_app()")):  # fmt: skip
            connect(url).flushdb()
            port = free_port()
            env = {**os.environ, "HOTLINE_ENV": "production", "TWILIO_AUTH_TOKEN": TOKEN,
                   "HOTLINE_SECRET_KEY": "bench-secret", "REDIS_URL": url,
                   "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
                   "HOTLINE_DATA_DIR": tmp, "HOTLINE_ALLOW_OUTBOX": "1"}  # fmt: skip
            proc = serve(target, port, env, args.workers, args.threads)
            try:
                load(port, 4, 2)  # warm-up
                results[name] = load(port, args.concurrency, args.seconds)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        trips = round_trips(url, {"HOTLINE_ENV": "production", "TWILIO_AUTH_TOKEN": TOKEN,
                                  "HOTLINE_SECRET_KEY": "bench-secret", "REDIS_URL": url,
                                  "HOTLINE_PUBLIC_URL": "", "HOTLINE_DATA_DIR": tmp,
                                  "HOTLINE_ALLOW_OUTBOX": "1"})  # fmt: skip
        server.stop()
    kind = f"gthread x{args.threads}" if args.threads > 1 else "sync"
    print(f"script {args.script}, concurrency {args.concurrency}, {args.workers} {kind} gunicorn "
          f"workers, {args.seconds:.0f} s each")  # fmt: skip
    for name, r in results.items():
        print(
            f"{name:8} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  requests {r['requests']}  errors {r['errors']}"
        )
    print(f"ratio hotline/floor: {results['hotline']['rps'] / results['floor']['rps']:.2f}")
    print(f"Redis round trips per inbound message: {trips:.2f}")


if __name__ == "__main__":
    main()
