"""/healthz and /metrics for `carousel worker` and the bots, on ``METRICS_PORT``.

``/healthz`` answers 200 ``ok`` while the process can reach Redis (or needs none), 503 with the
reason otherwise: a supervisor or a load balancer restarts or skips the process. ``/metrics`` is
Prometheus' text format: the process's metrics, the work horses' (multiprocess mode, see
worker/metrics.py) and the depth of each queue, read from Redis when scraped.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_metrics() -> str:
    """Before prometheus_client is imported: let forked work horses report to this process."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        folder = tempfile.mkdtemp(prefix="carousel-metrics-")
        os.environ[MULTIPROC_ENV] = folder
    return folder


class QueueDepth:
    """A collector: jobs waiting in each queue, and jobs started, scheduled and failed."""

    def __init__(self, connection: Any, queue_names: Iterable[str]) -> None:
        self.connection = connection
        self.queue_names = list(queue_names)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily
        from redis.exceptions import RedisError
        from rq import Queue

        waiting = GaugeMetricFamily("carousel_queue_depth", "Jobs waiting in the queue", labels=["queue"])
        registry = GaugeMetricFamily(
            "carousel_queue_jobs",
            "Jobs by RQ registry (started, scheduled, failed)",
            labels=["queue", "state"],
        )
        try:
            for name in self.queue_names:
                queue = Queue(name, connection=self.connection)
                waiting.add_metric([name], queue.count)
                registry.add_metric([name, "started"], queue.started_job_registry.count)
                registry.add_metric([name, "scheduled"], queue.scheduled_job_registry.count)
                registry.add_metric([name, "failed"], queue.failed_job_registry.count)
        except RedisError:
            log.info("queue depth not available: Redis unreachable")
            return
        yield waiting
        yield registry


def redis_health(connection: Any) -> Callable[[], str | None]:
    def check() -> str | None:
        from redis.exceptions import RedisError

        try:
            connection.ping()
        except RedisError as exc:
            return f"redis unreachable ({exc.__class__.__name__})"
        return None

    return check


def serve(
    port: int,
    *,
    health: Callable[[], str | None] = lambda: None,
    connection: Any = None,
    queue_names: Iterable[str] = (),
) -> ThreadingHTTPServer:
    """Start the /healthz and /metrics server on a daemon thread; returns it (``.shutdown()``)."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client import multiprocess as mp
    from prometheus_client.registry import REGISTRY

    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    if connection is not None and queue_names:
        registry.register(QueueDepth(connection, queue_names))  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                problem = health()
                self._send(503 if problem else 200, (problem or "ok").encode(), "text/plain")
            elif path == "/metrics":
                self._send(200, generate_latest(registry), "text/plain; version=0.0.4; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="ops-http", daemon=True).start()
    log.info("health and metrics on :%d (/healthz, /metrics)", port)
    return server
