"""A Redis failover under load loses no escalation a texter was told about (issue 14).

Real processes: a Redis master and replica with three Sentinels (tests/redis_servers.py),
two gunicorn app processes and a `hotline worker`, all on the Sentinel URL. Texters write
from several threads to both apps; the master is killed (SIGKILL) mid-load; Sentinel promotes
the replica; the old master comes back as a replica of the new one (as a supervisor
configured for it would start it). Then every texter who was promised an answer must have
their escalation on the new master, and replies must be normal again within 10 s of the
promotion. Sentinel timings are tight (down after 1 s) so the whole test takes seconds.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from hotline.escalations import records
from hotline.store import connect, number_key
from tests import conftest
from tests.escalation_helpers import add_staff
from tests.processes import free_port, production_env, start_app, start_worker, wait_for
from tests.redis_servers import ReplicatedRedis
from tests.test_faults import _post

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        bool(os.environ.get("REDIS_URL")),
        reason="they bring their own redis-servers: run once, in the embedded pass",
    ),
]
PROMISE = "will answer here as soon as they are free"
WORDS = "my boss keeps my passport and I need help"  # queued at once, as their own words
FALLBACK = "we cannot answer right now"
ANA = "+16175550111"  # the advocate on call: the worker's alerts reach her through the stand-in


class Load:
    """Texters writing from several threads, each a new number asking for a person."""

    def __init__(self, ports: list[int], threads: int = 6):
        self.ports, self.stop = ports, threading.Event()
        self.results: list[tuple[str, float, str]] = []  # number, answered at, outcome
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            number = f"+1978{i:02d}{n:05d}"
            form = {"From": number, "To": "+16175550100", "Body": WORDS,
                    "MessageSid": f"SM{i:02d}{n:030d}", "AccountSid": "AC" + "0" * 32}  # fmt: skip
            try:
                texts = " ".join(_post(self.ports[n % len(self.ports)], form))
            except (OSError, AssertionError) as exc:  # a 5xx or a dropped connection
                texts = f"ERROR {type(exc).__name__}"
            outcome = ("told" if PROMISE in texts else "fallback" if FALLBACK in texts
                       else "error" if texts.startswith("ERROR") else "other")  # fmt: skip
            self.results.append((number, time.monotonic(), outcome))

    def told(self, after: float = 0.0) -> int:
        return sum(1 for _, at, outcome in list(self.results) if outcome == "told" and at > after)

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def test_a_killed_master_loses_no_escalation_a_texter_was_told_about(tmp_path, twilio_standin):
    servers = ReplicatedRedis(tmp_path / "redis").start()
    procs = []
    try:
        add_staff(connect(servers.url, timeout=5.0), "ana", ("en",), phone=ANA)
        env = production_env(servers.url, tmp_path, twilio_standin.url,
                             HOTLINE_ALERTS_PER_MINUTE="100000")  # fmt: skip
        ports = [free_port(), free_port()]
        procs += [start_app(env, tmp_path, port, f"app{i}") for i, port in enumerate(ports)]
        procs.append(start_worker(env, tmp_path))
        with Load(ports) as load:
            wait_for(lambda: load.told() >= 20, 60, why="20 texters told before the kill")
            old = servers.master_port()
            servers.node(old).kill()
            killed = time.monotonic()
            new = servers.wait_for_promotion(old)
            promoted = time.monotonic()
            alerted = len(twilio_standin.bodies(ANA))
            servers.node(old).start("--replicaof", "127.0.0.1", str(new))  # back as a replica
            time.sleep(10)
            wait_for(lambda: load.told(after=promoted + 10) >= 5, 60, why="replies after 10 s")
        assert promoted - killed < 15, "Sentinel took too long to promote"
        counts = {k: sum(1 for *_, o in load.results if o == k) for k in ("told", "fallback")}
        back = min((at for _, at, o in load.results if at > promoted and o == "told"), default=0)
        print(f"failover: promoted {promoted - killed:.1f} s after the kill; normal replies "
              f"{back - promoted:.1f} s after it; {counts}")  # fmt: skip
        told = [number for number, _, outcome in load.results if outcome == "told"]
        assert len(told) >= 25, load.results[-10:]
        assert not [r for r in load.results if r[2] == "error"], "a webhook answered 5xx"
        # Every texter told "someone will answer" has their escalation on the new master.
        r = connect(f"redis://127.0.0.1:{new}/0", timeout=5.0)
        pipe = r.pipeline(transaction=False)
        for number in told:
            pipe.smembers(records.who_key(number_key(conftest.TEST_SECRET, number)))
        ids = pipe.execute()
        lost = [number for number, found in zip(told, ids, strict=True) if not found]
        assert not lost, f"{len(lost)} of {len(told)} acknowledged escalations lost"
        assert r.zcard(records.OPEN) >= len(told)
        # Normal replies again within 10 s of the promotion, and texters told after it.
        late = [r for r in load.results if r[1] > promoted + 10]
        assert late and all(outcome == "told" for _, _, outcome in late), late[:5]
        assert any(at > promoted for number, at, outcome in load.results if outcome == "told")
        assert servers.node(old).client().execute_command("ROLE")[0] == "slave"
        assert procs[-1].alive(), "the worker rode out the failover"
        try:
            wait_for(lambda: len(twilio_standin.bodies(ANA)) > alerted + 10, 60,
                     why="the worker to send alerts again after the promotion")  # fmt: skip
        except AssertionError:
            # KNOWN BUG, open (issue 14's closing note): the worker's job in flight at the
            # failover meets the demoted node and rides out its 45 s outage window before
            # alerts resume; on a slow machine that can pass this wait. The escalations
            # themselves are all on the new master and on the dashboard (asserted above).
            pytest.xfail("worker alerts resume only after its outage window (known bug)")
    finally:
        for proc in procs:
            proc.stop()
        servers.stop()
