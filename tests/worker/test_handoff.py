"""A real `carousel worker` hands a delivery that must wait to a later job instead of sleeping on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis import Redis
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from contract import JobPayload, ReplyAddress
from contract.errors import GENERIC_FAILURE
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import wait_for
from worker.delivery.telegram import TelegramClient
from worker.handoff import files_key
from worker.queue import RQJobQueue

CHAT = 8181
POSTS = [  # counted posts long enough for a slide each: more slides than one media group holds
    f"{i}/ Post number {i} of a long thread about caching. " + "It has enough words to fill a slide. " * 4
    for i in range(1, 15)
]


def test_flood_wait_mid_album_is_handed_on_and_finished_once(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    worker_process: Callable[..., Any],
    redis_url: str,
    queue_name: str,
) -> None:
    worker = worker_process(
        {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_URL": fake_telegram.api_url,
            "TELEGRAM_FILE_URL": fake_telegram.file_url,
            **fake_sources.env(),
        }
    )
    thread = unique_x_thread(POSTS)
    fake_telegram.fail_next("sendMediaGroup", retry_after=2, after=1)  # the second media group: 429

    user_message = fake_telegram.user_message(CHAT, thread.url)["message"]["message_id"]
    with TelegramClient(fake_telegram.token, fake_telegram.api_url) as client:
        status = client.send_message(CHAT, "Queued…")["message_id"]
    reply = ReplyAddress(
        platform="telegram", chat_id=CHAT, reply_to_message_id=user_message, status_message_id=status
    )
    job_id = RQJobQueue(redis_url, queue_name).submit(JobPayload(source=thread.url, reply=reply))

    connection = Redis.from_url(redis_url)
    try:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        finished = lambda: job.get_status(refresh=True) == JobStatus.FINISHED  # noqa: E731
        wait_for(finished, f"the render job to finish\n{worker.output}")
        result = job.return_value()
        assert result["ok"] and result["handed_on"], result
        slides = result["slides"]
        assert slides > 10  # two media groups at least

        try:
            fake_telegram.wait_for("sendDocument", timeout=60)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n{worker.output}") from exc
        wait_for(lambda: fake_telegram.calls_to("deleteMessage"), "the status message to go")

        groups = fake_telegram.calls_to("sendMediaGroup")
        assert [c.response["ok"] for c in groups] == [True, False] + [True] * (len(groups) - 2)
        photos = sum(len(c.params["media"]) for c in groups if c.response["ok"])
        assert photos == slides  # every slide exactly once
        assert len(fake_telegram.calls_to("sendDocument")) == 1
        assert groups[-1].at - groups[1].at >= 2.0  # the refused group waited out its retry_after
        texts = [c.params.get("text") for c in fake_telegram.calls]
        assert GENERIC_FAILURE not in texts
        wait_for(lambda: not connection.exists(files_key(job_id)), "the kept files to be dropped")
    finally:
        connection.close()
