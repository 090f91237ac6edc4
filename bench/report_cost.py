"""Benchmark: what an admin's report costs, for a range of N escalations.

Run: .venv/bin/python bench/report_cost.py [--escalations 20000] [--days 365]

Fills an embedded Redis with the report data of N escalations spread over DAYS days (the
hashes the hotline writes: rpt:day:<date>, rpt:esc:<id>, rpt:escs; written here directly,
as this measures reading, not writing), then times reports.compute over the whole range and
over the last 7 days. No Flask: the figures and charts add milliseconds on top.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.escalations import reports  # noqa: E402
from hotline.store import EmbeddedRedis, connect  # noqa: E402


def fill(r, escalations: int, days: int, end: date) -> None:
    rng = random.Random(16)
    pipe = r.pipeline(transaction=False)
    for d in range(days):
        day = (end - timedelta(days=d)).isoformat()
        pipe.hset(reports.day_key(day), mapping={"contacts:sms:en": rng.randint(5, 40),
                                                 "contacts:sms:es": rng.randint(0, 10),
                                                 "urgent": rng.randint(0, 3)})  # fmt: skip
    for i in range(1, escalations + 1):
        day = end - timedelta(days=rng.randrange(days))
        row = {"day": day.isoformat(), "channel": rng.choice(["sms", "sms", "voice"]),
               "language": rng.choice(["en", "en", "es"]), "kind": rng.choice(["help", "tip"]),
               "priority": rng.choice(["1", "2", "3"]), "outcome": "referred"}  # fmt: skip
        if rng.random() < 0.8:
            row["first_reply"] = str(rng.uniform(10, 1800))
        pipe.hset(reports.esc_key(str(i)), mapping=row)
        pipe.zadd(reports.ESCS, {str(i): day.toordinal()})
        if i % 1000 == 0:
            pipe.execute()
    pipe.execute()


def timed(r, start: date, end: date, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        began = time.perf_counter()
        reports.compute(r, start, end)
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--escalations", type=int, default=20000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedRedis(Path(folder), persist=False)
        r = connect(server.start(), timeout=30.0)
        end = date(2026, 11, 29)
        fill(r, args.escalations, args.days, end)
        year = timed(r, end - timedelta(days=args.days - 1), end, args.rounds)
        week = timed(r, end - timedelta(days=6), end, args.rounds)
        server.stop()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{args.escalations} escalations over {args.days} days")
    print(f"whole range: median {statistics.median(year):.0f} ms, max {max(year):.0f} ms")
    print(f"last 7 days: median {statistics.median(week):.1f} ms, max {max(week):.1f} ms")


if __name__ == "__main__":
    main()
