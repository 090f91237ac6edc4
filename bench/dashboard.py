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


def server_time(url: str, tmp: str, advocates: int) -> None:
    """Time the view in-process (Flask test client: the server's own work, no network), and
    weigh its CPU against an inbound message's, both measured in this one process."""
    from hotline.app import create_app
    from hotline.devphone import DevPhone
    from hotline.escalations import queue, records
    from tests.escalation_helpers import add_staff, sign_in

    app = create_app(environ=env_for(url, tmp, 0))
    r = connect(url, timeout=30)
    add_staff(r, "ana", ("en", "es"))
    client = app.test_client()
    assert sign_in(client, "ana").status_code == 302
    tag = {"etag": client.get("/staff/queue.json").headers["ETag"]}

    def timed(count: int, poll) -> tuple[list[float], float]:
        walls, cpu = [], time.process_time()
        for _ in range(count):
            started = time.perf_counter()
            poll()
            walls.append(time.perf_counter() - started)
        return walls, (time.process_time() - cpu) / count

    def unchanged_poll():
        response = client.get("/staff/queue.json", headers={"If-None-Match": tag["etag"]})
        if response.status_code != 304:  # the clock minute turned (it is in the tag)
            tag["etag"] = response.headers["ETag"]

    def changed_poll():  # each advocate's page is their own (unread badges, hand-offs)
        r.incr(records.VERSION)
        changed_poll.size = len(client.get("/staff/queue.json").data)

    timed(50, unchanged_poll)  # warm up
    changed, cpu_build = timed(100, changed_poll)
    tag["etag"] = client.get("/staff/queue.json").headers["ETag"]
    unchanged, cpu_304 = timed(300, unchanged_poll)
    old = []
    for _ in range(3):
        started = time.perf_counter()
        queue.open_escalations(r)  # what every poll did before: every record, unsealed
        old.append(time.perf_counter() - started)
    phone = DevPhone(app)
    for body in sms_load.SCRIPT:  # warm up
        phone.text(body, "+19785550999")
    _, cpu_sms = timed(1, lambda: [phone.text(b, "+19785550998") for b in sms_load.SCRIPT * 3])
    cpu_sms /= 3 * len(sms_load.SCRIPT)
    print(f"unchanged poll (304)      {percentiles(unchanged)}  CPU {1000 * cpu_304:.2f} ms")
    print(f"changed poll, built       {percentiles(changed)}  CPU {1000 * cpu_build:.2f} ms  "
          f"{changed_poll.size / 1024:.1f} KiB")  # fmt: skip
    print(f"old read (all open)       {percentiles(old)}  (3 reads)")
    polls = advocates / 1.5
    quiet, busy = polls * cpu_304, polls * cpu_build
    print(f"/sms message CPU {1000 * cpu_sms:.2f} ms in-process (this run's script)")
    print(f"{advocates} dashboards ({polls:.1f} polls/s): {1000 * quiet:.1f} ms CPU/s with the "
          f"queue unchanged, {1000 * busy:.1f} ms/s with it changing every poll: the CPU of "
          f"{quiet / cpu_sms:.1f} to {busy / cpu_sms:.1f} /sms messages a second")  # fmt: skip


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


def app_cpu(pid: int) -> float:
    """CPU seconds used by a gunicorn master and its workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0.0
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


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
        sms_load.load(port, 4, 2, run=1)  # warm-up
        rows, run = [], 1
        for round_ in range(args.rounds):  # alternate the order: a drifting load cancels out
            order = (0, args.advocates) if round_ % 2 == 0 else (args.advocates, 0)
            for advocates in order:
                run += 1
                stop = threading.Event()
                boards = [Dashboard(port, name, stop) for name in names[:advocates]]
                for board in boards:
                    board.sign_in()
                for board in boards:
                    board.start()
                cpu, app = redis_cpu(r), app_cpu(proc.pid)
                result = sms_load.load(port, args.concurrency, args.seconds, run=run)
                messages = max(1, result["requests"])
                per_message = 1000 * (redis_cpu(r) - cpu) / messages
                app_per_message = 1000 * (app_cpu(proc.pid) - app) / messages
                stop.set()
                for board in boards:
                    board.join()
                polls: dict[int, int] = {}
                for board in boards:
                    for status, n in board.statuses.items():
                        polls[status] = polls.get(status, 0) + n
                rows.append((round_ + 1, advocates, result, polls, app_per_message))
                print(f"round {round_ + 1}, {advocates:2} dashboards: {result['rps']:6.1f} "
                      f"req/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                      f"errors {result['errors']}  polls {polls}  CPU per /sms message: "
                      f"app {app_per_message:.2f} ms, Redis {per_message:.3f} ms",
                      flush=True)  # fmt: skip

        base = statistics.mean(row[2]["rps"] for row in rows if row[1] == 0)
        loaded = statistics.mean(row[2]["rps"] for row in rows if row[1] == args.advocates)
        print(f"/sms throughput with {args.advocates} dashboards: {loaded / base:.3f} of without "
              f"({100 * (1 - loaded / base):+.1f}% cut)")  # fmt: skip
        cpu_base = statistics.mean(row[4] for row in rows if row[1] == 0)
        cpu_loaded = statistics.mean(row[4] for row in rows if row[1] == args.advocates)
        print(f"app CPU per /sms message (dashboards' polls included): {cpu_base:.2f} ms without, "
              f"{cpu_loaded:.2f} ms with: a CPU-bound host serves {cpu_base / cpu_loaded:.3f} "
              f"as many messages ({100 * (1 - cpu_base / cpu_loaded):.1f}% cut)")  # fmt: skip
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
            server_time(url, tmp, args.advocates)
            throughput(url, tmp, args)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
