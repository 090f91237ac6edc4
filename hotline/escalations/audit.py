"""The audit log: who did what, when, to which escalation. Never message text or numbers."""

from __future__ import annotations

import json
import time

import redis

from hotline.store import key

AUDIT = key("audit")
KEEP = 100_000


def record(r: redis.Redis, who: str, action: str, escalation: str = "", detail: str = "") -> None:
    """Append one line; `detail` is staff words (a reveal reason, an outcome), never texter text."""
    line = {"at": time.time(), "who": who, "action": action, "escalation": escalation,
            "detail": detail[:200]}  # fmt: skip
    pipe = r.pipeline(transaction=False)
    pipe.lpush(AUDIT, json.dumps(line))
    pipe.ltrim(AUDIT, 0, KEEP - 1)
    pipe.execute()


def recent(r: redis.Redis, limit: int = 200) -> list[dict]:
    """Newest first."""
    return [json.loads(raw) for raw in r.lrange(AUDIT, 0, limit - 1)]
