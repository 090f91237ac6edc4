"""A burst of escalations: how long alert and reply jobs wait in the queue before they start.

The hotline under gunicorn (2 sync workers, production settings), `hotline worker
--processes 2`, a throwaway redis-server (append-only, as in production) and the local
stand-in of Twilio's Messages API (tests/twilio_standin.py, in its own process) that every
alert and reply really goes to over HTTP. Before the burst, --claimed texters ask for a
person and are claimed by an advocate; during it, signed "/sms" messages that the danger
lexicon flags ("he took my passport") arrive from new numbers at --rate a second for
--seconds (each queues an urgent escalation and its alert job), and staff replies to the
claimed conversations are queued at --replies a second. Job start latency is RQ's
started_at - enqueued_at of every job, read back from Redis afterwards.

    .venv/bin/python bench/job_burst.py --rate 25 --seconds 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sms_load import TOKEN, free_port, post_sms, serve  # noqa: E402
from hotline.store import EmbeddedRedis, connect  # noqa: E402

ACCOUNT = "AC" + "1" * 32
ADVOCATE_PHONE = "+16175550111"


def post(port: int, public: str, number: str, body: str, sid: str) -> float:
    """A signed /sms webhook; seconds it took (raises unless it answered 200)."""
    started = time.perf_counter()
    status = post_sms(port, public, number, body, sid, timeout=30)
    if status != 200:
        raise RuntimeError(f"/sms answered {status}")
    return time.perf_counter() - started


def wait_until_idle(rq, queues, timeout: float = 300) -> None:
    from rq.registry import StartedJobRegistry

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = sum(len(q) for q in queues) + sum(
            len(StartedJobRegistry(q.name, connection=rq)) for q in queues
        )
        if not busy:
            return
        time.sleep(0.2)
    raise RuntimeError("the workers did not finish")


def job_latencies(rq, queues, since: float) -> dict[str, list[float]]:
    """started_at - enqueued_at (seconds) of every finished or failed job, by function."""
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    ids = []
    for q in queues:
        ids += FinishedJobRegistry(q.name, connection=rq).get_job_ids()
        ids += FailedJobRegistry(q.name, connection=rq).get_job_ids()
    out: dict[str, list[float]] = {}
    for job in Job.fetch_many(ids, connection=rq, serializer=queues[0].serializer):
        if job is None or not job.started_at or not job.enqueued_at:
            continue
        if job.enqueued_at.timestamp() < since:
            continue
        name = job.func_name.rsplit(".", 1)[-1]
        out.setdefault(name, []).append((job.started_at - job.enqueued_at).total_seconds())
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=25, help="escalations a second")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--replies", type=float, default=5, help="staff replies a second")
    parser.add_argument("--claimed", type=int, default=40, help="conversations replied to")
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", persist=True)
        url = server.start()
        standin_port, web_port = free_port(), free_port()
        public = f"http://127.0.0.1:{web_port}"
        env = {
            **os.environ,
            "HOTLINE_ENV": "production",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "HOTLINE_SECRET_KEY": "bench-secret",
            "REDIS_URL": url,
            "HOTLINE_PUBLIC_URL": public,
            "HOTLINE_DATA_DIR": tmp,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_PHONE_NUMBER": "+16175550100",
            "HOTLINE_STAFFED_HOURS": "24/7",
            "TWILIO_API_BASE_URL": f"http://127.0.0.1:{standin_port}",
            "HOTLINE_ALERTS_PER_MINUTE": "1000000",
        }  # fmt: skip (every alert goes out)
        ours = ("HOTLINE", "TWILIO", "REDIS")
        os.environ.update({k: v for k, v in env.items() if k.startswith(ours)})
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.twilio_standin", "--port", str(standin_port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        ]
        try:
            procs.append(serve("hotline.app:create_app()", web_port, env, 2))
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "worker", "--processes",
                 str(args.processes)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))  # fmt: skip
            run_burst(args, url, web_port, public)
        finally:
            for proc in reversed(procs):
                proc.terminate()
                proc.wait(timeout=30)
            server.stop()


def run_burst(args, url: str, port: int, public: str) -> None:
    from hotline.app import create_app
    from hotline.escalations import accounts, actions, queue, records
    from hotline.escalations.texter import staff_desk
    from hotline.queues import all_queues

    r, rq = connect(url, timeout=10), connect(url, timeout=10, decode=False)
    queues = all_queues(rq)
    accounts.add(r, "ana", "correct horse battery", ("en",), "advocate", ADVOCATE_PHONE)
    app = create_app()
    claimed = []
    for i in range(args.claimed):  # conversations the replies go to, claimed before the burst
        number = f"+1978556{i:04d}"
        for step, body in enumerate(("hello", "2", "yes", "ANY")):
            post(port, public, number, body, f"SMpre{i:08d}{step:019d}")
    wait_until_idle(rq, queues)
    with app.test_request_context():
        desk, ana = staff_desk(), accounts.get(r, "ana")
        for escalation in queue.open_escalations(r):
            actions.claim(desk, ana, escalation.id)
            claimed.append(escalation.id)

    total = int(args.rate * args.seconds)
    webhook: list[float] = []
    started = time.time()
    t0 = time.monotonic()

    def replies() -> None:
        with app.test_request_context():
            desk, ana = staff_desk(), accounts.get(r, "ana")
            for n in range(int(args.replies * args.seconds)):
                time.sleep(max(0.0, t0 + n / args.replies - time.monotonic()))
                record = records.load(r, claimed[n % len(claimed)])
                actions.reply(desk, ana, record, f"Hello, this is Ana ({n}).")

    replier = threading.Thread(target=replies)
    replier.start()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for n in range(total):
            time.sleep(max(0.0, t0 + n / args.rate - time.monotonic()))
            number, sid = f"+1978557{n:04d}", f"SMburst{n:08d}{0:019d}"
            futures.append(pool.submit(post, port, public, number, "he took my passport", sid))
        webhook = [f.result() for f in futures]
    replier.join()
    sent_in = time.monotonic() - t0
    wait_until_idle(rq, queues)
    latencies = job_latencies(rq, queues, started)
    everything = [x for values in latencies.values() for x in values]
    replies_sent = int(args.replies * args.seconds)
    print(f"burst: {total} urgent escalations in {sent_in:.1f} s ({total / sent_in:.1f}/s), "
          f"{replies_sent} staff replies; {args.processes} worker processes")  # fmt: skip
    print(f"/sms latency: p50 {1000 * statistics.median(webhook):.0f} ms, "
          f"p99 {1000 * pct(webhook, 0.99):.0f} ms")  # fmt: skip
    for name, values in sorted(latencies.items()) + [("all jobs", everything)]:
        print(f"{name:10} n={len(values):4}  start latency p50 {statistics.median(values):.3f} s"
              f"  p99 {pct(values, 0.99):.3f} s  max {max(values):.3f} s")  # fmt: skip
    print("target: p99 <= 2 s:", "met" if pct(everything, 0.99) <= 2 else "MISSED")


if __name__ == "__main__":
    main()
