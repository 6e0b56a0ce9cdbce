"""Submitting render jobs: to RQ on Redis, or to an embedded in-process worker when REDIS_URL is unset."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from contract import FAILURE_CALLBACK_PATH, JOB_PATH, JobPayload
from worker.config import Settings
from worker.limits import JOB_FAILURE_TTL_S, JOB_RESULT_TTL_S, JOB_TIMEOUT_S

log = logging.getLogger(__name__)


class JobQueue(Protocol):
    def submit(self, payload: JobPayload) -> str: ...


class RQJobQueue:
    """Jobs go to Redis; `carousel worker` processes (any number, any machine) run them."""

    def __init__(self, redis_url: str, name: str) -> None:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(name, connection=self.connection, serializer=JSONSerializer)

    def submit(self, payload: JobPayload) -> str:
        from rq import Callback

        job = self.queue.enqueue(
            JOB_PATH,
            payload.to_job_arg(),
            job_timeout=JOB_TIMEOUT_S,
            result_ttl=JOB_RESULT_TTL_S,
            failure_ttl=JOB_FAILURE_TTL_S,
            on_failure=Callback(FAILURE_CALLBACK_PATH),
        )
        return job.id


class EmbeddedJobQueue:
    """No Redis: jobs run in this process on a small thread pool (one person's bot on a laptop)."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="carousel-job")

    def submit(self, payload: JobPayload) -> str:
        from worker import jobs

        job_id = uuid.uuid4().hex
        future = self._pool.submit(jobs.run_job, payload.to_job_arg(), job_id)
        future.add_done_callback(_log_crash)
        return job_id

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def _log_crash(future) -> None:  # type: ignore[no-untyped-def]
    exc = future.exception()
    if exc is not None:
        log.error("embedded job crashed", exc_info=exc)


def make_queue(settings: Settings) -> JobQueue:
    if settings.redis_url:
        return RQJobQueue(settings.redis_url, settings.queue_name)
    return EmbeddedJobQueue()
