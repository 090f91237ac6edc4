"""The hotline's RQ worker: no fork per job, patient with Redis, quick to recover dead work.

RQ's own parts, tuned rather than replaced:
- SimpleWorker runs each job in the worker process (RQ's default Worker forks a work horse per
  job: 70-150 ms here, too slow for a burst of alerts). A job that raises is retried by RQ as
  before; a job that kills its process takes only that process down: WorkerPool (or the
  supervisor) starts it again and the job is handed to another worker as abandoned (below).
- Abandoned jobs: RQ re-queues a job whose execution heartbeat expired at its next maintenance
  run. Here an execution lives for the job's timeout plus HEARTBEAT_MARGIN (RQ adds 60 s) and
  maintenance runs every MAINTENANCE seconds (RQ: 10 minutes; an idle worker also wakes from
  its blocking pop that often), so work of a dead worker is re-queued within
  job timeout + HEARTBEAT_MARGIN + MAINTENANCE seconds of its start (25 s with the defaults),
  then waits its retry interval.
- The scheduler (RQScheduler, one per queue set, by lock): a lock whose holder stopped
  heart-beating (killed, or a lock brought back by Redis's append-only file after a restart)
  is released by the next maintenance run of any worker, which starts its own scheduler; RQ
  alone waits for the lock's 61 s expiry and then for its 10-minute maintenance.
- Redis outages: the worker's client retries with backoff for at least store.WORKER_OUTAGE
  seconds (store.ride_out_outages); RQ hands the same policy to its scheduler process.
"""

from __future__ import annotations

import logging
import time

import redis
from rq import SimpleWorker
from rq.job import Job
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock
from rq.serializers import JSONSerializer
from rq.utils import utcparse
from rq.worker_pool import WorkerPool

from hotline.queues import HotlineQueue, all_queues
from hotline.store import WORKER_SEEN_KEY, ride_out_outages

log = logging.getLogger(__name__)

MAINTENANCE = 5  # seconds between maintenance runs (abandoned jobs, dead schedulers)
HEARTBEAT_MARGIN = 5  # seconds an execution outlives its job's timeout before it is abandoned
STALE_SCHEDULER = 5  # seconds without a scheduler heartbeat (RQ's scheduler beats every 1 s)
DEFAULT_TIMEOUT = 15  # seconds, for a job enqueued without one
SEEN_TTL = 300  # seconds the worker mark is kept (/healthz judges its age itself)
LOCK_TTL = 61  # seconds: RQScheduler's lock, its interval (1 s) + 60


class HotlineWorker(SimpleWorker):
    """A non-forking RQ worker with short abandonment and scheduler take-over (module doc)."""

    queue_class = HotlineQueue

    def __init__(self, queues, *args, **kwargs):
        kwargs.setdefault("serializer", JSONSerializer)
        kwargs.setdefault("maintenance_interval", MAINTENANCE)
        kwargs.setdefault("worker_ttl", MAINTENANCE + 15)  # RQ pops with worker_ttl - 15 s
        kwargs.setdefault("queue_class", HotlineQueue)
        kwargs["log_job_description"] = False  # descriptions hold job arguments
        super().__init__(queues, *args, **kwargs)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Seconds an execution is kept alive without news: the job's timeout + a margin."""
        timeout = job.timeout if job.timeout and job.timeout > 0 else DEFAULT_TIMEOUT
        return int(timeout) + HEARTBEAT_MARGIN

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ's heartbeat (three commands, sent three times a job) in one round trip, with
        the mark /healthz reads (a worker was seen, store.WORKER_SEEN_KEY)."""
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
            pipeline.set(WORKER_SEEN_KEY, time.time(), ex=SEEN_TTL)
            return
        with self.connection.pipeline(transaction=False) as pipe:
            super().heartbeat(timeout, pipe)
            pipe.set(WORKER_SEEN_KEY, time.time(), ex=SEEN_TTL)
            pipe.execute()

    def register_birth(self) -> None:
        """RQ's registration, and the mark that a worker is alive (before its first job)."""
        super().register_birth()
        self.connection.set(WORKER_SEEN_KEY, time.time(), ex=SEEN_TTL)

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (abandoned jobs, a scheduler to restart), after freeing dead locks."""
        if self.scheduler is not None:
            try:
                release_stale_scheduler_locks(
                    self.connection, self.queue_names(), self.scheduler.name
                )
            except redis.RedisError as exc:  # the next run tries again
                log.warning("worker: scheduler lock check failed: %s", type(exc).__name__)
        super().run_maintenance_tasks()


def release_stale_scheduler_locks(
    connection: redis.Redis, queue_names: list[str], mine: str = "", now: float | None = None
) -> list[str]:
    """Release scheduler locks whose holder has not beaten for STALE_SCHEDULER seconds.

    mine: this worker's own scheduler's name (never released here). A lock taken less than
    STALE_SCHEDULER seconds ago counts as live while its holder starts. Returns the queue
    names whose lock was released. A live scheduler that lost its lock this way notices at
    its next heartbeat (RQ's take-over rule) and stops scheduling those queues.
    """
    released = []
    now = time.time() if now is None else now
    for name in queue_names:
        lock_key = RQScheduler.get_locking_key(name)
        holder = connection.get(lock_key)
        if holder is None:
            continue
        holder = holder.decode() if isinstance(holder, bytes) else holder
        if holder == mine:
            continue
        last = _parse_utc(connection.hget(SCHEDULER_KEY_TEMPLATE % holder, "last_heartbeat"))
        if last is not None and now - last <= STALE_SCHEDULER:
            continue
        if last is None and connection.ttl(lock_key) > LOCK_TTL - STALE_SCHEDULER:
            continue  # just taken: its scheduler has not beaten yet
        if release_lock(connection, lock_key, holder):
            log.warning("worker: released the scheduler lock of %s (no heartbeat)", name)
            released.append(name)
    return released


def _parse_utc(raw: bytes | str | None) -> float | None:
    if not raw:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    return utcparse(text).timestamp()


def run(connection: redis.Redis, processes: int = 1, burst: bool = False) -> None:
    """Work the hotline's queues (urgent first) with a scheduler, until stopped.

    processes > 1: RQ's WorkerPool runs that many workers and starts a dead one again.
    """
    connection = ride_out_outages(connection)
    if processes <= 1:
        worker = HotlineWorker(all_queues(connection), connection=connection)
        worker.work(burst=burst, with_scheduler=True)
        return
    pool = WorkerPool(
        [q.name for q in all_queues(connection)], connection=connection, num_workers=processes,
        worker_class=HotlineWorker, serializer=JSONSerializer, queue_class=HotlineQueue,
    )  # fmt: skip
    pool.start(burst=burst)
