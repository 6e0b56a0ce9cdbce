"""What operators see: Prometheus metrics of the render jobs (prometheus_client).

``carousel worker`` sets ``PROMETHEUS_MULTIPROC_DIR`` before anything imports prometheus_client, so
the work horses (one forked process per job) add to the figures their parent serves on /metrics
(see worker/ops.py). Names: ``carousel_jobs_total{outcome}``, ``carousel_render_seconds``,
``carousel_delivery_seconds``, ``carousel_fetch_errors_total{source,error}``,
``carousel_retries_total{what}``; the queue depths are read from Redis when scraped.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SECONDS = (0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320)

JOBS = Counter(
    "carousel_jobs",
    "Render jobs by outcome: delivered, reused (re-sent by file_id), handed_on (delivery continues in "
    "a delivery job), refused (a sentence to the user), failed, poison (killed its worker twice), lost",
    ["outcome"],
)
RENDER_SECONDS = Histogram("carousel_render_seconds", "Time to render one carousel", buckets=SECONDS)
DELIVERY_SECONDS = Histogram(
    "carousel_delivery_seconds", "Time to send one carousel to the chat", buckets=SECONDS
)
FETCH_ERRORS = Counter(
    "carousel_fetch_errors", "Threads that could not be read, by source and error", ["source", "error"]
)
RETRIES = Counter(
    "carousel_retries",
    "Things tried again: job (its worker died), chat_api (a 5xx or lost connection), fetch (a source)",
    ["what"],
)
