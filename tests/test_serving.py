"""Production serving (issue 12, item 7): the Procfile's web process keeps answering /sms
while clients send headers a byte a second and a botnet floods the sign-in page."""

from __future__ import annotations

import time

import pytest

from tests.escalation_helpers import add_staff
from tests.serving import (
    SignInFlood,
    SlowHeaders,
    free_port,
    get,
    measure_sms,
    slow_body_answer,
    start_web,
    stop,
)

pytestmark = pytest.mark.slow


def test_webhooks_keep_answering_under_slow_headers_and_a_sign_in_flood(
    redis_url, redis_client, tmp_path
):
    add_staff(redis_client, "ana")
    port = free_port()
    proc, _ = start_web(redis_url, tmp_path, port, trusted_proxies=1, HOTLINE_BODY_SECONDS="3")
    try:
        with SlowHeaders(port, count=40), SignInFlood(port, threads=8, spread=True) as flood:
            time.sleep(2)  # both attacks running
            measured = measure_sms(port, seconds=8)
            health = get(port, "/readyz")[0]
            deadline = time.monotonic() + 20  # on a loaded machine argon2 takes a second or more
            while not flood.answers.get(401) and time.monotonic() < deadline:
                time.sleep(0.5)
        summary = measured.summary()
        assert not measured.failures, (measured.failures[:5], summary)
        # Held by slow headers, a sync worker never answers (the request times out); 5 s leaves
        # room for a machine whose 2 cores are shared with other suites (p95 2.1 s seen there).
        assert summary["n"] >= 20 and summary["p95_ms"] < 5000, summary
        assert health == 200
        assert flood.answers.get(401, 0) > 0, flood.answers  # the flood did reach argon2
        # a body sent a byte a second is cut off too (HOTLINE_BODY_SECONDS), not kept for ever
        first_line, seconds = slow_body_answer(port)
        assert first_line.startswith("HTTP/1.1 408") and seconds < 20, (first_line, seconds)
    finally:
        stop(proc)
