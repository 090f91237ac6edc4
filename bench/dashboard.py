"""The dashboard's queue poll with thousands open: its server time, and what it costs /sms.

1. Server time of /staff/queue.json with OPEN open escalations (in-process, the real app and
   Redis): an unchanged poll (If-None-Match: 304), a changed one (a page per section), and
   for reference the old way's read (every open record, unsealed).
2. /sms throughput under gunicorn (the bench/sms_load.py texters) with no dashboard open,
   then with ADVOCATES dashboards polling every 1.5 s as staff.js does (If-None-Match),
   alternated ROUNDS times, on the same Redis holding the OPEN escalations.

    .venv/bin/python bench/dashboard.py --open 5000 --advocates 10 --seconds 12 --rounds 2
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import sms_load  # noqa: E402
from hotline.store import EmbeddedRedis, connect  # noqa: E402

SECRET = "bench-secret"
PASSWORD = "correct horse battery"
LANGUAGES = ("en", "es", "pt", "km", "ht", "vi")


def seed(url: str, count: int) -> None:
    """`count` open escalations: mixed languages, kinds and priorities, a tenth claimed."""
    from hotline.escalations import queue, records
    from hotline.escalations.records import Entry, Escalation

    r = connect(url, timeout=30)
    now = time.time()
    for i in range(1, count + 1):
        record = Escalation(
            str(i), "sms", LANGUAGES[i % len(LANGUAGES)], 1 + i % 3, "asked for a person",
            "tip" if i % 7 == 0 else "help", f"who{i}", consent="yes", safe_time="after 6pm",
            created=now - 86_400 + i, number=f"+1978{i:07d}", details={"where": "Lowell"},
        )  # fmt: skip
        records.save_new(r, record)
        records.append(r, str(i), Entry(at=now, by="texter", text="I need to talk to someone"))
        if i % 10 == 0:
            queue.claim(r, str(i), "ana")
    r.set(records.NEXT_ID, count)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    return f"p50 {1000 * statistics.median(ordered):7.2f} ms  p99 {1000 * p99:7.2f} ms"


def server_time(url: str, tmp: str) -> None:
    """Time the view in-process (Flask test client: the server's own work, no network)."""
    from hotline.app import create_app
    from hotline.escalations import queue, records
    from tests.escalation_helpers import add_staff, sign_in

    app = create_app(environ=env_for(url, tmp, 0))
    r = connect(url, timeout=30)
    add_staff(r, "ana", ("en", "es"))
    client = app.test_client()
    assert sign_in(client, "ana").status_code == 302
    first = client.get("/staff/queue.json")
    etag = first.headers["ETag"]
    unchanged = []
    for _ in range(300):
        started = time.perf_counter()
        response = client.get("/staff/queue.json", headers={"If-None-Match": etag})
        unchanged.append(time.perf_counter() - started)
        assert response.status_code == 304
    changed, size = [], 0
    for _ in range(100):
        r.incr(records.VERSION)
        started = time.perf_counter()
        response = client.get("/staff/queue.json", headers={"If-None-Match": etag})
        changed.append(time.perf_counter() - started)
        size = len(response.data)
    old = []
    for _ in range(3):
        started = time.perf_counter()
        queue.open_escalations(r)  # what every poll did before: every record, unsealed
        old.append(time.perf_counter() - started)
    print(f"unchanged poll (304)      {percentiles(unchanged)}  (300 polls)")
    print(f"changed poll (a page)     {percentiles(changed)}  {size / 1024:.1f} KiB  (100 polls)")
    print(f"old read (all open)       {percentiles(old)}  (3 reads)")


def env_for(url: str, tmp: str, port: int) -> dict[str, str]:
    return {**os.environ, "HOTLINE_ENV": "production", "TWILIO_AUTH_TOKEN": sms_load.TOKEN,
            "HOTLINE_SECRET_KEY": SECRET, "REDIS_URL": url, "HOTLINE_ALLOW_OUTBOX": "1",
            "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}", "HOTLINE_DATA_DIR": tmp,
            "HOTLINE_ACCESS_LOG": "/dev/null"}  # fmt: skip


class Dashboard(threading.Thread):
    """One advocate's open queue page: signs in over HTTP, then polls like staff.js."""

    def __init__(self, port: int, name: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.name, self.stop = port, name, stop
        self.cookies: dict[str, str] = {}
        self.statuses: dict[int, int] = {}

    def request(self, method: str, path: str, body: str = "", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    k, _, v = value.split(";", 1)[0].partition("=")
                    self.cookies[k] = v
            return response, data
        finally:
            conn.close()

    def sign_in(self) -> None:
        _, page = self.request("GET", "/staff/login")
        token = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"name": self.name, "password": PASSWORD, "csrf": token})
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        response, _ = self.request("POST", "/staff/login", form, form_type)
        assert response.status == 302, response.status

    def run(self) -> None:
        etag = ""
        while not self.stop.is_set():
            headers = {"Accept": "application/json"}
            if etag:
                headers["If-None-Match"] = etag
            response, _ = self.request("GET", "/staff/queue.json", headers=headers)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.status == 200:
                etag = response.getheader("ETag") or ""
            self.stop.wait(1.5)


def redis_cpu(r) -> float:
    """CPU seconds the redis-server process has used (user + system, INFO cpu)."""
    info = r.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def throughput(url: str, tmp: str, args) -> None:
    from tests.escalation_helpers import add_staff

    r = connect(url, timeout=30)
    names = [f"adv{i}" for i in range(args.advocates)]
    for name in names:
        add_staff(r, name, ("en", "es"))
    port = sms_load.free_port()
    proc = sms_load.serve("hotline.app:create_app()", port, env_for(url, tmp, port), args.workers)
    try:
        sms_load.load(port, 4, 2)  # warm-up
        rows = []
        for round_ in range(args.rounds):
            for advocates in (0, args.advocates):
                stop = threading.Event()
                boards = [Dashboard(port, name, stop) for name in names[:advocates]]
                for board in boards:
                    board.sign_in()
                for board in boards:
                    board.start()
                cpu = redis_cpu(r)
                result = sms_load.load(port, args.concurrency, args.seconds)
                per_message = 1000 * (redis_cpu(r) - cpu) / max(1, result["requests"])
                stop.set()
                for board in boards:
                    board.join()
                polls: dict[int, int] = {}
                for board in boards:
                    for status, n in board.statuses.items():
                        polls[status] = polls.get(status, 0) + n
                rows.append((round_ + 1, advocates, result, polls))
                print(f"round {round_ + 1}, {advocates:2} dashboards: {result['rps']:6.1f} "
                      f"req/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                      f"errors {result['errors']}  polls {polls}  Redis CPU "
                      f"{per_message:.3f} ms/message", flush=True)  # fmt: skip
        base = statistics.mean(row[2]["rps"] for row in rows if row[1] == 0)
        loaded = statistics.mean(row[2]["rps"] for row in rows if row[1] == args.advocates)
        print(f"/sms throughput with {args.advocates} dashboards: {loaded / base:.3f} of without "
              f"({100 * (1 - loaded / base):+.1f}% cut)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=5000)
    parser.add_argument("--advocates", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--script", choices=sorted(sms_load.SCRIPTS), default="mixed")
    args = parser.parse_args()
    sms_load.SCRIPT = sms_load.SCRIPTS[args.script]
    from hotline.safety import crypto

    crypto.configure((SECRET,))
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", persist=False)
        url = server.start()
        try:
            started = time.monotonic()
            seed(url, args.open)
            print(f"{args.open} open escalations seeded in {time.monotonic() - started:.1f} s; "
                  f"/sms script {args.script}, concurrency {args.concurrency}, {args.workers} "
                  f"sync gunicorn workers, {args.seconds:.0f} s per run")  # fmt: skip
            server_time(url, tmp)
            throughput(url, tmp, args)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
