"""The hotline's RQ queues: JSON job arguments (never pickle), urgent work first."""

from __future__ import annotations

import redis
from rq import Queue
from rq.serializers import JSONSerializer

URGENT, DEFAULT = "hotline-urgent", "hotline-default"
QUEUES = (URGENT, DEFAULT)  # a worker drains them in this order


def get_queue(connection: redis.Redis, name: str = DEFAULT, is_async: bool = True) -> Queue:
    """A queue on a bytes (decode_responses=False) connection, as RQ requires."""
    return Queue(name, connection=connection, serializer=JSONSerializer, is_async=is_async)


def all_queues(connection: redis.Redis) -> list[Queue]:
    return [get_queue(connection, name) for name in QUEUES]
