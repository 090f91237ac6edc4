"""/sms latency while the Procfile's web process is attacked (issue 12, item 7).

Runs the Procfile's `web` command (gunicorn -c gunicorn.conf.py) on a free port against an
embedded Redis, then measures signed /sms webhooks (one at a time, a new connection each):
quiet, with N clients sending their headers a byte a second, with T threads of failed sign-ins
from rotating addresses (every attempt reaches argon2), and with both at once.

    .venv/bin/python bench/serving_attack.py --slow 40 --flood 8 --seconds 10
    .venv/bin/python bench/serving_attack.py --procfile-web "gunicorn --workers 2 --bind \
        127.0.0.1:\\$PORT 'hotline.app:create_app()'"   # the first version's line, to compare
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.store import EmbeddedRedis, connect  # noqa: E402
from tests import serving  # noqa: E402
from tests.escalation_helpers import add_staff  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=40, help="slow-header sockets")
    parser.add_argument("--flood", type=int, default=8, help="sign-in flood threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per phase")
    parser.add_argument("--procfile-web", default="", help="another web command to compare")
    args = parser.parse_args()
    if args.procfile_web:
        serving.procfile_web = lambda: args.procfile_web  # type: ignore[assignment]

    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    redis_server = EmbeddedRedis(work / "redis", persist=False)
    url = redis_server.start()
    r = connect(url, timeout=5.0)
    r.flushdb()
    add_staff(r, "ana")
    port = serving.free_port()
    proc, _ = serving.start_web(url, work, port, trusted_proxies=1)
    print(f"web: {serving.procfile_web()}")
    print("| phase | /sms answered | failed | p50 ms | p95 ms | max ms | sign-in answers |")
    print("|---|---|---|---|---|---|---|")
    try:
        for phase in ("quiet", "slow headers", "sign-in flood", "both"):
            slow = serving.SlowHeaders(port, args.slow if "slow" in phase or phase == "both" else 0)
            flood = serving.SignInFlood(
                port, args.flood if "flood" in phase or phase == "both" else 0, spread=True
            )
            with slow, flood:
                time.sleep(2 if phase != "quiet" else 0)
                m = serving.measure_sms(port, args.seconds).summary()
            answers = ", ".join(f"{k}: {v}" for k, v in sorted(flood.answers.items())) or "-"
            print(f"| {phase} | {m['n']} | {m['failed']} | {m['p50_ms']:.0f} | "
                  f"{m['p95_ms']:.0f} | {m['max_ms']:.0f} | {answers} |")  # fmt: skip
            time.sleep(2)  # let the attackers' connections drain between phases
    finally:
        serving.stop(proc)
        redis_server.stop()


if __name__ == "__main__":
    main()
