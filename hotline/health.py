"""Health for load balancers and monitors: alive, ready, and healthy are three questions.

- GET /livez: the process answers (200 always). A supervisor restarts a process that stops.
- GET /readyz: this host may take traffic: the app is loaded (flows, settings; this route
  exists only once create_app finished) and Redis answers a PING. 503 otherwise. Point the
  load balancer here, so a host that is still starting or cut off from Redis gets no texters.
- GET /healthz: the whole service works: the node this app writes to is a writable master
  (ROLE, and a test write that expires), and a worker was seen within WORKER_SEEN seconds
  (hotline/worker.py marks it). 503 otherwise, with a JSON body naming each problem. Point
  monitoring (an uptime check that pages someone) here.

Each costs one Redis round trip at most; none reads escalations.
"""

from __future__ import annotations

import time

import redis
from flask import Blueprint, jsonify

from hotline.store import WORKER_SEEN_KEY, get_redis, key

bp = Blueprint("health", __name__)
WORKER_SEEN = 60  # seconds: a worker heartbeats every 5 s or so while idle (worker.py)
PROBE_KEY = key("health", "probe")


@bp.get("/livez")
def livez():
    return jsonify(status="alive")


@bp.get("/readyz")
def readyz():
    try:
        get_redis().ping()
    except (redis.RedisError, OSError):
        return jsonify(status="not ready", redis="down"), 503
    return jsonify(status="ready", redis="ok")


@bp.get("/healthz")
def healthz():
    """200 {"status": "ok", "redis": "ok", "worker": "ok"}, or 503 naming what is wrong."""
    body: dict[str, object] = {"status": "ok", "redis": "ok", "worker": "ok"}
    problems: list[str] = []
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.execute_command("ROLE")
        pipe.get(WORKER_SEEN_KEY)
        pipe.set(PROBE_KEY, "1", px=10_000)
        role, seen, probe = pipe.execute(raise_on_error=False)
    except (redis.RedisError, OSError):
        body |= {"status": "unavailable", "redis": "down", "worker": "unknown"}
        return jsonify(body | {"problems": ["Redis does not answer"]}), 503
    if isinstance(role, Exception) or not role or str(role[0]) != "master":
        body["redis"] = "read-only replica" if not isinstance(role, Exception) else "unknown"
        problems.append("the Redis this host writes to is not a master: writes are refused")
    elif isinstance(probe, Exception):
        body["redis"] = "not writable"
        problems.append(f"a test write failed: {type(probe).__name__}")
    age = time.time() - float(seen) if seen and not isinstance(seen, Exception) else None
    if age is None or age > WORKER_SEEN:
        body["worker"] = "not seen" if age is None else f"last seen {int(age)} s ago"
        problems.append(f"no worker seen in the last {WORKER_SEEN} s: alerts and replies wait")
    if problems:
        body["status"] = "unavailable"
        return jsonify(body | {"problems": problems}), 503
    return jsonify(body)
