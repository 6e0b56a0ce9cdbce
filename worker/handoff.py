"""Deliveries that must wait for a chat's pace are handed to a later job, never slept through.

A render job sends its result at once when the chat's limits allow (a private chat always takes the
first carousel in one burst). When a send would have to wait — a group's 20 messages a minute are
used up, or Telegram answered 429 with a ``retry_after`` — the job keeps the encoded slides and PDF
in Redis (``carousel:job:{ref}:files``, a hash with a TTL), schedules a delivery job on the delivery
queue for when the wait is over, and returns: its worker renders the next carousel meanwhile.
The delivery job picks up after the last message that went out (the state the platform's delivery
recorded), and hands itself on again if it has to wait again.

Every ``carousel worker`` listens on the delivery queue before the render queue: a due delivery is a
few uploads for a user who has waited longest.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import timedelta
from typing import Any

from contract.job import DELIVERY_JOB_PATH, FAILURE_CALLBACK_PATH, DeliveryPayload, delivery_queue_name
from rendering.api import Carousel
from worker.limits import (
    DELIVERY_FILES_TTL_S,
    JOB_FAILURE_TTL_S,
    JOB_RESULT_TTL_S,
    JOB_RETRIES,
    JOB_TIMEOUT_S,
)
from worker.results import PREFIX, job_ref

log = logging.getLogger(__name__)

META = b"meta"
PDF = b"pdf"
MIN_DELAY_S = 1  # RQ's scheduler looks at scheduled jobs about once a second


def files_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_ref(job_id)}:files"


def stash_files(connection: Any, job_id: str, carousel: Carousel) -> None:
    """Keep a rendered carousel's files in Redis for the job that will deliver them."""
    meta = {"image_format": carousel.image_format, "title": carousel.title, "size": list(carousel.size)}
    mapping: dict[bytes, bytes] = {META: json.dumps(meta).encode(), PDF: carousel.pdf}
    for i, data in enumerate(carousel.slides):
        mapping[f"slide:{i}".encode()] = data
    key = files_key(job_id)
    with connection.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, DELIVERY_FILES_TTL_S)
        pipe.execute()


def load_files(connection: Any, job_id: str) -> Carousel | None:
    """The files :func:`stash_files` kept, or None once they expired."""
    raw: dict[bytes, bytes] = connection.hgetall(files_key(job_id))
    if not raw or META not in raw or PDF not in raw:
        return None
    meta = json.loads(raw[META])
    count = sum(1 for k in raw if k.startswith(b"slide:"))
    slides = [raw[f"slide:{i}".encode()] for i in range(count)]
    width, height = meta["size"]
    return Carousel(
        slides=slides,
        image_format=meta["image_format"],
        pdf=raw[PDF],
        title=meta["title"],
        size=(width, height),
    )


def drop_files(connection: Any, job_id: str) -> None:
    connection.delete(files_key(job_id))


def hand_off(connection: Any, queue_name: str, payload: DeliveryPayload, seconds: float) -> str:
    """Schedule the delivery job ``seconds`` from now on the delivery queue; returns its id."""
    from rq import Callback, Queue, Retry
    from rq.serializers import JSONSerializer

    queue = Queue(delivery_queue_name(queue_name), connection=connection, serializer=JSONSerializer)
    delay = max(MIN_DELAY_S, math.ceil(seconds))
    job = queue.enqueue_in(
        timedelta(seconds=delay),
        DELIVERY_JOB_PATH,
        payload.to_job_arg(),
        job_timeout=JOB_TIMEOUT_S,
        result_ttl=JOB_RESULT_TTL_S,
        failure_ttl=JOB_FAILURE_TTL_S,
        on_failure=Callback(FAILURE_CALLBACK_PATH),
        retry=Retry(max=JOB_RETRIES),  # its worker dying: run once more, resuming after what was sent
    )
    log.info("job %s: delivery handed on, due in %d s (delivery job %s)", payload.job_id, delay, job.id)
    return str(job.id)
