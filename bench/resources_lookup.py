"""Benchmark: nearest-5 with a category filter over 100,000 synthetic New England resources.

Run: .venv/bin/python bench/resources_lookup.py [--count 100000] [--queries 20000]
     [--redis-url redis://...]   (default: a throwaway embedded redis-server on a unix socket)

Measures the app's code path, `hotline.resources.search` (+ `format_sms`), one query at a time.
Synthetic entries use the short code 211 as their phone: no invented numbers anywhere.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import zipcodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.resources import format_sms, load_labels, rebuild_index, search  # noqa: E402
from hotline.resources.directory import Directory  # noqa: E402
from hotline.resources.models import CATEGORIES, Resource  # noqa: E402
from hotline.store import EmbeddedRedis, connect  # noqa: E402

NEW_ENGLAND = ("MA", "NH", "VT", "ME", "CT", "RI")


def synthetic(count: int, rng: random.Random) -> list[Resource]:
    """Resources scattered around real New England ZIP centroids (a few km of jitter)."""
    zips = [z for z in zipcodes.list_all() if z["state"] in NEW_ENGLAND and z["lat"]]
    out = []
    for i in range(count):
        z = rng.choice(zips)
        lat = float(z["lat"]) + rng.uniform(-0.03, 0.03)
        lon = float(z["long"]) + rng.uniform(-0.03, 0.03)
        cats = rng.sample(CATEGORIES, k=rng.randint(1, 3))
        out.append(
            Resource.model_validate(
                {
                    "id": f"synthetic-{i}",
                    "name": f"Synthetic service {i}",
                    "categories": cats,
                    "phones": [{"number": "211", "kind": "hotline"}],
                    "location": {"town": z["city"], "coordinates": "given", "lat": lat, "lon": lon},
                    "hours": rng.choice(["24/7", {"mon-fri": "09:00-17:00"}, None]),
                    "languages": rng.sample(["en", "es", "pt", "km", "ht", "vi"], k=2),
                    "provenance": {
                        "sources": [{"url": "synthetic", "date": "2026"}],
                        "recorded": "2026-01-01",
                        "confidence": rng.choice(["high", "medium", "low"]),
                    },
                }
            )
        )
    return out


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def measure(r, queries: list[tuple[str, str]], labels: dict | None) -> dict[str, float]:
    times = []
    for zip_code, cat in queries:
        start = time.perf_counter()
        result = search(r, zip_code, category=cat, limit=5)
        if labels is not None:
            format_sms(result, labels)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    total_s = sum(times) / 1000
    return {
        "p50": percentile(times, 0.50),
        "p90": percentile(times, 0.90),
        "p99": percentile(times, 0.99),
        "max": times[-1],
        "mean": statistics.fmean(times),
        "rate": len(times) / total_s,
    }


def machine(r) -> str:
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    names = [ln.split(":", 1)[1].strip() for ln in model.splitlines() if "Model name" in ln]
    name = names[0] if names else "?"
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cores} cores, {name}; Python {platform.python_version()}; "
        f"Redis {r.info('server')['redis_version']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    server = None
    url = args.redis_url
    if not url:
        server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="bench-redis-")), persist=False)
        url = server.start()
    r = connect(url, timeout=5.0)
    try:
        t0 = time.perf_counter()
        resources = synthetic(args.count, rng)
        t1 = time.perf_counter()
        rebuild_index(r, Directory(resources, "bench"))
        t2 = time.perf_counter()
        print(f"machine: {machine(r)}")
        print(f"{args.count} resources: generated in {t1 - t0:.1f}s, indexed in {t2 - t1:.1f}s")

        ma_zips = [z["zip_code"] for z in zipcodes.filter_by(state="MA")]
        queries = [(rng.choice(ma_zips), rng.choice(CATEGORIES)) for _ in range(args.queries)]
        measure(r, queries[:500], None)  # warm up: geocode tables, script cache
        labels = load_labels(ROOT / "flows")["en"]
        for name, lab in (("search", None), ("search+format_sms", labels)):
            s = measure(r, queries, lab)
            print(
                f"{name}: {args.queries} queries, p50 {s['p50']:.3f} ms, p90 {s['p90']:.3f} ms, "
                f"p99 {s['p99']:.3f} ms, max {s['max']:.2f} ms, "
                f"mean {s['mean']:.3f} ms, {s['rate']:.0f} queries/s (one client)"
            )
    finally:
        r.close()
        if server:
            server.stop()


if __name__ == "__main__":
    main()
