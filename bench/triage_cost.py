"""Benchmark: what danger triage costs per message, in-process, on the shipped lexicon.

Run: .venv/bin/python bench/triage_cost.py [--rounds 20]

Scores every message of the labelled corpus (tests/triage_corpus, both parts, every shipped
language) alone and with two earlier messages in the window, as the SMS webhook does, and
prints the median and p99 per message. No Redis, no Flask: the cost `decide()` adds.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.triage_corpus import PARTS, Judge, languages, load  # noqa: E402


def messages() -> list[str]:
    out: list[str] = []
    for language in languages():
        for part in PARTS:
            for entries in load(language, part).values():
                for entry in entries:
                    out += [entry] if isinstance(entry, str) else entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    judge = Judge()
    corpus = messages()
    earlier = ["hi", "I am not sure what to say"]
    for window in ([], earlier):
        times: list[float] = []
        cpu: list[float] = []  # this thread's CPU time: what a loaded, shared machine hides
        for _ in range(args.rounds):
            for text in corpus:
                start, start_cpu = time.perf_counter(), time.thread_time()
                judge.triage.assess(text, window)
                cpu.append(time.thread_time() - start_cpu)
                times.append(time.perf_counter() - start)
        times.sort()
        cpu.sort()
        p99 = times[int(len(times) * 0.99)]
        cpu_p99 = cpu[int(len(cpu) * 0.99)]
        print(
            f"window {len(window)}: {len(corpus)} messages x {args.rounds}: "
            f"median {statistics.median(times) * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us; "
            f"CPU median {statistics.median(cpu) * 1e6:.0f} us, p99 {cpu_p99 * 1e6:.0f} us"
        )
    print(f"python {platform.python_version()}, {platform.machine()}")


if __name__ == "__main__":
    main()
