"""The hotline's RQ queues: JSON job arguments (never pickle), urgent work first."""

from __future__ import annotations

import redis
from rq import Queue
from rq.serializers import JSONSerializer

URGENT, DEFAULT = "hotline-urgent", "hotline-default"
QUEUES = (URGENT, DEFAULT)  # a worker drains them in this order


class HotlineQueue(Queue):
    """RQ's Queue with JSON as the default serializer, so every copy RQ makes of it (a
    WorkerPool's workers, registry clean-up) reads the hotline's jobs the same way."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("serializer") is None:
            kwargs["serializer"] = JSONSerializer
        super().__init__(*args, **kwargs)


def get_queue(connection: redis.Redis, name: str = DEFAULT, is_async: bool = True) -> Queue:
    """A queue on a bytes (decode_responses=False) connection, as RQ requires."""
    return HotlineQueue(name, connection=connection, is_async=is_async)


def all_queues(connection: redis.Redis) -> list[Queue]:
    return [get_queue(connection, name) for name in QUEUES]
