"""Transient chat-API errors are retried where it is safe, and nothing that arrived is sent again.

The fake Bot API answers 500/502, 429 with a long ``retry_after``, or carries a call out and answers
too late for the client (a timeout after the call was applied). Each time the chat ends up with the
whole album and its PDF, each exactly once.
"""

from __future__ import annotations

import io
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader
from redis import Redis
from rq import Queue, Worker
from rq.command import send_kill_horse_command

from contract import ReplyAddress
from rendering.api import Carousel
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import OwnRedis, documents_by_chat, submit_link, telegram_env, wait_for
from worker.delivery import DeliveryDeferred, ResultSummary
from worker.delivery.telegram import TelegramClient, TelegramDelivery
from worker.queue import RQJobQueue

SLIDES = 16  # two media groups of 8


def _carousel(count: int = SLIDES) -> Carousel:
    slides = []
    for i in range(count):
        buf = io.BytesIO()
        Image.new("RGB", (108, 135), (20 * i % 255, 90, 160)).save(buf, "PNG")
        slides.append(buf.getvalue())
    return Carousel(slides=slides, image_format="png", pdf=b"%PDF-1.4\n%%EOF\n", title="T", size=(108, 135))


SUMMARY = ResultSummary(title="A thread", author_name="Ada", author_handle="ada", slide_count=SLIDES)


def _delivery(
    fake: FakeTelegramAPI, chat: int, *, timeout: float = 5.0, defer: bool = False
) -> TelegramDelivery:
    client = TelegramClient(
        fake.token, fake.api_url, http=httpx.Client(timeout=httpx.Timeout(timeout)), defer=defer
    )
    status = client.send_message(chat, "Sending…")["message_id"]
    return TelegramDelivery(ReplyAddress(platform="telegram", chat_id=chat, status_message_id=status), client)


def _arrived(fake: FakeTelegramAPI, chat: int) -> tuple[int, int]:
    """(photos, documents) that reached ``chat`` — counted from the fake's stored messages."""
    photos = documents = 0
    for (chat_id, _), message in list(fake.messages.items()):
        if str(chat_id) != str(chat):
            continue
        photos += "photo" in message
        documents += "document" in message
    return photos, documents


def _chat() -> int:
    return 10**9 + secrets.randbelow(10**9)


def test_5xx_answers_are_retried_without_resending(fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.fail_next("sendMediaGroup", error_code=500, description="Internal Server Error")
    fake_telegram.fail_next("sendMediaGroup", error_code=502, description="Bad Gateway")
    fake_telegram.fail_next("sendDocument", error_code=500, description="Internal Server Error")
    chat = _chat()
    delivery = _delivery(fake_telegram, chat)
    sent = delivery.deliver(_carousel(), SUMMARY, "job-5xx", None)
    delivery.close()
    assert len(sent["photo_message_ids"]) == SLIDES and sent["document_message_id"]
    assert _arrived(fake_telegram, chat) == (SLIDES, 1)


@pytest.mark.parametrize("method", ["sendMediaGroup", "sendDocument"])
def test_a_timeout_after_the_call_was_applied_is_not_sent_again(
    fake_telegram: FakeTelegramAPI, method: str
) -> None:
    fake_telegram.answer_late_next(method, 3.0)  # carried out, answered after the client gave up
    chat = _chat()
    delivery = _delivery(fake_telegram, chat, timeout=1.0)
    sent = delivery.deliver(_carousel(), SUMMARY, f"job-late-{method}", None)
    delivery.close()
    assert len(sent["photo_message_ids"]) == SLIDES and sent["document_message_id"]
    assert _arrived(fake_telegram, chat) == (SLIDES, 1)  # not 24 photos, not 2 PDFs


def test_a_long_flood_wait_is_handed_on_and_resumed_without_resending(fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.fail_next("sendMediaGroup", retry_after=120, after=1)  # the second group: wait 2 minutes
    chat = _chat()
    first = _delivery(fake_telegram, chat, defer=True)
    with pytest.raises(DeliveryDeferred) as deferred:
        first.deliver(_carousel(), SUMMARY, "job-flood", None)
    first.close()
    assert deferred.value.seconds >= 120
    assert _arrived(fake_telegram, chat) == (8, 0)
    # two minutes later, the delivery job (another worker, its own pace) continues after group one
    client = TelegramClient(fake_telegram.token, fake_telegram.api_url, defer=True)
    later = TelegramDelivery(first.reply, client)
    sent = later.deliver(_carousel(), SUMMARY, "job-flood", None, resume=deferred.value.state)
    later.close()
    assert len(sent["photo_message_ids"]) == SLIDES
    assert _arrived(fake_telegram, chat) == (SLIDES, 1)


def test_a_worker_killed_mid_delivery_continues_from_the_first_group_not_sent(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    line = "a paragraph long enough to fill a slide of its own, more or less. " * 3
    texts = [f"Post {i}: {line}" for i in range(14)]
    texts = [t.strip() for t in texts]
    thread = unique_x_thread(texts)
    # the second group fails four times in a row: time to kill the worker between the two groups
    for after in (1, 0, 0, 0):
        fake_telegram.fail_next("sendMediaGroup", error_code=500, description="Server Error", after=after)
    chat = _chat()
    submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat)

    def failed_group() -> bool:
        return any(not (c.response or {}).get("ok") for c in fake_telegram.calls_to("sendMediaGroup"))

    wait_for(failed_group, f"the second group to fail\n{worker.output}", 180)
    connection = Redis.from_url(own_redis.url)
    (running,) = Worker.all(queue=Queue(queue_name, connection=connection))
    send_kill_horse_command(connection, running.name)
    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 180)
    time.sleep(1.0)
    photos, documents = _arrived(fake_telegram, chat)
    [document] = [c for c in fake_telegram.calls_to("sendDocument") if (c.response or {}).get("ok")]
    pages = len(PdfReader(io.BytesIO(next(iter(document.files.values())))).pages)
    assert documents == 1 and photos == pages  # every slide once: group one was not sent again
    connection.close()
