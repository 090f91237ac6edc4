"""GET /healthz: 200 when Redis answers, 503 when it does not."""

from __future__ import annotations

import redis
from flask import Blueprint, jsonify

from hotline.store import get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        get_redis().ping()
    except (redis.RedisError, OSError):
        return jsonify(status="unavailable", redis="down"), 503
    return jsonify(status="ok", redis="ok")
