"""`carousel worker`: an RQ worker that outlives Redis restarts, and notices dead workers quickly.

* A work horse killed mid-job (the kernel's OOM killer, a crash in a C library) fails its job the
  RQ way; the job was enqueued with ``Retry`` (worker/queue.py), so it runs once more, and a job
  that kills its horse twice is a poison job: its user gets one sentence (worker/jobs.py).
* A whole worker tree killed (main process, scheduler and horse) stops heartbeating; its job is
  abandoned after :data:`~worker.limits.WORKER_HEARTBEAT_GRACE_S` (RQ's own margin is a minute) and
  another worker's maintenance, run every :data:`~worker.limits.WORKER_MAINTENANCE_INTERVAL_S`
  (RQ's default is ten minutes), re-runs it.
* Redis going away (a restart, a failover, a network cut) ends RQ's work loop; here the worker waits
  for Redis with exponential backoff and starts working again, instead of exiting.
* Each work horse runs under an address-space limit (:data:`~worker.limits.JOB_MEMORY_MAX_BYTES`):
  a job that would need more gets a ``MemoryError`` (told to its user as a sentence) instead of
  taking the machine's memory.
"""

from __future__ import annotations

import logging
import resource
import signal
import time
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from worker.config import Settings, redis_options
from worker.limits import (
    JOB_MEMORY_MAX_BYTES,
    REDIS_RECONNECT_FIRST_S,
    REDIS_RECONNECT_MAX_S,
    WORKER_HEARTBEAT_GRACE_S,
    WORKER_MAINTENANCE_INTERVAL_S,
    WORKER_MONITOR_INTERVAL_S,
    WORKER_TTL_S,
)

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def limit_memory(max_bytes: int = JOB_MEMORY_MAX_BYTES) -> None:
    """Cap this process's address space (never raising a limit that is already lower)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    if soft != resource.RLIM_INFINITY and soft <= max_bytes:
        return
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, hard))


class CarouselWorker(Worker):
    """RQ's forking worker with short heartbeats, a memory-capped horse and Redis hiccups tolerated."""

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        interval: float = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = max(0.0, min(job.timeout - working_time, interval))
        return int(interval) + WORKER_HEARTBEAT_GRACE_S

    def maintain_heartbeats(self, job: Any, execution: Any) -> None:
        # Redis away for a moment while a horse works: the horse carries on; the next beat retries.
        try:
            super().maintain_heartbeats(job, execution)
        except REDIS_DOWN as exc:
            log.warning("heartbeat for job %s failed (%s); Redis unreachable, carrying on", job.id, exc)

    def main_work_horse(self, job: Any, queue: Any) -> None:
        try:
            limit_memory()
        except (ValueError, OSError):
            log.warning("could not limit the work horse's memory", exc_info=True)
        super().main_work_horse(job, queue)


def make_worker(connection: Redis, settings: Settings) -> CarouselWorker:
    from contract.job import delivery_queue_name
    from worker.jobs import report_killed_horse

    # due deliveries first (a few uploads for whoever has waited longest), then renders
    queues = [
        Queue(name, connection=connection, serializer=JSONSerializer)
        for name in (delivery_queue_name(settings.queue_name), settings.queue_name)
    ]
    return CarouselWorker(
        queues,
        connection=connection,
        serializer=JSONSerializer,
        work_horse_killed_handler=report_killed_horse,
        job_monitoring_interval=WORKER_MONITOR_INTERVAL_S,
        maintenance_interval=WORKER_MAINTENANCE_INTERVAL_S,
        worker_ttl=WORKER_TTL_S,
    )


def wait_for_redis(connection: Redis, first: float = REDIS_RECONNECT_FIRST_S) -> None:
    """Block until Redis answers, waiting ``first`` seconds, then twice as long each time (capped)."""
    wait = first
    while True:
        try:
            connection.ping()
            return
        except RedisError as exc:
            log.warning("Redis unreachable (%s); retrying in %.1fs", exc.__class__.__name__, wait)
        time.sleep(wait)
        wait = min(wait * 2, REDIS_RECONNECT_MAX_S)


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    """Work until asked to stop (SIGTERM/SIGINT) or, with ``burst``, until the queue is empty."""
    assert settings.redis_url
    connection = Redis.from_url(settings.redis_url, **redis_options())
    while True:
        wait_for_redis(connection)
        worker = make_worker(connection, settings)
        try:
            worker.work(burst=burst, with_scheduler=True)
        except REDIS_DOWN as exc:
            log.warning("worker %s lost Redis (%s)", worker.name, exc.__class__.__name__)
        if burst or _stop_requested(worker):
            return 0
        log.warning("worker %s stopped working; starting again once Redis answers", worker.name)
        # Between workers, a SIGTERM ends the process (nothing is running), a SIGINT raises.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _stop_requested(worker: Worker) -> bool:
    asked = getattr(worker, "_shutdown_requested_date", None) or getattr(worker, "_stop_requested", False)
    return bool(asked)
