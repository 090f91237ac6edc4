"""What finding a first message's language costs (hotline/languages/detect.py): loading
py3langid's model once, and detect() per message over the labelled first messages
(tests/language_corpus/first_messages.yaml), by how each language was found.

    .venv/bin/python bench/detect_cost.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import yaml

from hotline.flows import load_hotline
from hotline.languages import detect as detection

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    hotline, _ = load_hotline(ROOT / "flows")
    corpus = yaml.safe_load((ROOT / "tests/language_corpus/first_messages.yaml").read_text())
    messages = [m for ms in corpus.values() for m in ms]
    started = time.perf_counter()
    detection.preload()
    print(f"model load: {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    by_how: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        for message in messages:
            t0 = time.perf_counter()
            found = detection.detect(message, hotline)
            by_how[found.how].append(time.perf_counter() - t0)
    for how, times in sorted(by_how.items()):
        times.sort()
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"{how:11s} n={len(times):6d}  p50 {p50 * 1e6:7.1f} us  p99 {p99 * 1e6:7.1f} us")


if __name__ == "__main__":
    main()
