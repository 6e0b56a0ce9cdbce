"""Submitting render jobs: to RQ on Redis, or to an embedded in-process worker when REDIS_URL is unset."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from contract import FAILURE_CALLBACK_PATH, JOB_PATH, JobPayload
from contract.job import POST_TEXT_JOB_PATH, PostTextPayload, delivery_queue_name
from worker.config import Settings, redis_options
from worker.limits import (
    JOB_FAILURE_TTL_S,
    JOB_RESULT_TTL_S,
    JOB_RETRIES,
    JOB_TIMEOUT_S,
    JOB_WATCH_INTERVAL_S,
    JOB_WATCH_TTL_S,
)

log = logging.getLogger(__name__)


class JobQueue(Protocol):
    def submit(self, payload: JobPayload) -> str: ...

    def submit_post_text(self, payload: PostTextPayload) -> str: ...


# the worker-side job that tells the user of a vanished job (by dotted path, like JOB_PATH)
LOST_JOB_PATH = "worker.jobs.report_lost"
LOST_JOB_TIMEOUT_S = 60
POST_TEXT_TIMEOUT_S = 60  # building and sending a post text: a few messages, no rendering
DONE_STATUSES = frozenset({"finished", "failed", "stopped", "canceled"})


class RQJobQueue:
    """Jobs go to Redis; `carousel worker` processes (any number, any machine) run them.

    The queue also watches the jobs it submitted: one that vanishes from Redis before it finished
    (Redis restarted without persistence, or wiped) is noticed within ``watch_interval``, and a
    small job is queued that tells its user (any worker runs it), instead of "Queued" forever.
    """

    def __init__(
        self,
        redis_url: str,
        name: str,
        *,
        watch: bool = True,
        watch_interval: float = JOB_WATCH_INTERVAL_S,
    ) -> None:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.connection = Redis.from_url(redis_url, **redis_options())
        self.queue = Queue(name, connection=self.connection, serializer=JSONSerializer)
        self.watch = JobWatch(self.queue, watch_interval) if watch else None

    def submit(self, payload: JobPayload) -> str:
        from rq import Callback, Retry

        job = self.queue.enqueue(
            JOB_PATH,
            payload.to_job_arg(),
            job_timeout=JOB_TIMEOUT_S,
            result_ttl=JOB_RESULT_TTL_S,
            failure_ttl=JOB_FAILURE_TTL_S,
            on_failure=Callback(FAILURE_CALLBACK_PATH),
            # a dead work horse or worker: run once more (the job body's own failures are final)
            retry=Retry(max=JOB_RETRIES),
        )
        if self.watch is not None:
            self.watch.add(job.id, payload)
        return job.id

    def submit_post_text(self, payload: PostTextPayload) -> str:
        """A "📝 Caption" press: on the delivery queue, which workers serve before new renders."""
        from rq import Queue
        from rq.serializers import JSONSerializer

        queue = Queue(
            delivery_queue_name(self.queue.name), connection=self.connection, serializer=JSONSerializer
        )
        job = queue.enqueue(
            POST_TEXT_JOB_PATH,
            payload.to_job_arg(),
            job_timeout=POST_TEXT_TIMEOUT_S,
            result_ttl=JOB_RESULT_TTL_S,
            failure_ttl=JOB_FAILURE_TTL_S,
        )
        return job.id


class JobWatch:
    """Submitted jobs, checked every ``interval`` on a daemon thread until they finish or fail."""

    def __init__(self, queue: Any, interval: float) -> None:
        self.queue = queue
        self.connection = queue.connection
        self.interval = interval
        self._jobs: dict[str, tuple[JobPayload, float]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, job_id: str, payload: JobPayload) -> None:
        with self._lock:
            self._jobs[job_id] = (payload, time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="job-watch", daemon=True)
                self._thread.start()

    def pending(self) -> int:
        with self._lock:
            return len(self._jobs)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self.check()
            except Exception:  # the watch must outlive anything; the next round tries again
                log.exception("job watch round failed")

    def check(self) -> list[str]:
        """One round: drop finished jobs, tell the users of vanished ones; returns the vanished ids."""
        from redis.exceptions import RedisError

        with self._lock:
            jobs = dict(self._jobs)
        statuses: dict[str, Any] = {}
        try:
            with self.connection.pipeline(transaction=False) as pipe:
                for job_id in jobs:
                    pipe.hget(self.queue.job_class.key_for(job_id), "status")
                for job_id, status in zip(jobs, pipe.execute(), strict=True):
                    statuses[job_id] = status
        except RedisError as exc:  # Redis away: nothing can be said about any job this round
            log.info("job watch: Redis unreachable (%s)", exc.__class__.__name__)
            return []
        vanished: list[str] = []
        now = time.monotonic()
        for job_id, (_, since) in jobs.items():
            status = statuses.get(job_id)
            text = status.decode() if isinstance(status, bytes) else status
            if text is None:
                vanished.append(job_id)
            elif text not in DONE_STATUSES and now - since < JOB_WATCH_TTL_S:
                continue
            with self._lock:
                self._jobs.pop(job_id, None)
        for job_id in vanished:
            log.error("job %s vanished from Redis before it finished; its user will be told", job_id)
            try:
                self.queue.enqueue(
                    LOST_JOB_PATH,
                    jobs[job_id][0].to_job_arg(),
                    job_id,
                    job_timeout=LOST_JOB_TIMEOUT_S,
                    result_ttl=JOB_RESULT_TTL_S,
                    failure_ttl=JOB_FAILURE_TTL_S,
                )
            except RedisError:
                log.exception("job %s: could not queue the message about it", job_id)
        return vanished


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

    def submit_post_text(self, payload: PostTextPayload) -> str:
        from worker import jobs

        job_id = uuid.uuid4().hex
        future = self._pool.submit(jobs.run_post_text, payload.to_job_arg())
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
