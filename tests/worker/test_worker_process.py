"""A real `carousel worker` process whose work horse dies mid-job still tells the user."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.command import send_kill_horse_command
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from contract import JobPayload, ReplyAddress
from contract.errors import GENERIC_FAILURE
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.delivery.telegram import TelegramClient
from worker.queue import RQJobQueue

CHAT = 7272
WAIT_S = 60.0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_work_horse_is_told_to_the_user_once(
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
    thread = unique_x_thread(["A thread that will never finish rendering.", "Second post."])
    fake_sources.stall_next("/fx/2/thread/", 30)  # the job hangs while fetching: time to kill it

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
        wait_for(lambda: job.get_status(refresh=True) == JobStatus.STARTED, "the job to start")
        wait_for(lambda: fake_sources.count("/fx/2/thread/"), "the worker to fetch the thread")
        (rq_worker,) = Worker.all(queue=Queue(queue_name, connection=connection))
        send_kill_horse_command(connection, rq_worker.name)

        def told() -> list[str]:
            return [
                c.params["text"]
                for c in fake_telegram.calls
                if c.method in ("sendMessage", "editMessageText") and c.params.get("text") == GENERIC_FAILURE
            ]

        wait_for(told, f"the failure sentence in the chat\n{worker.output}")
        wait_for(lambda: job.get_status(refresh=True) == JobStatus.FAILED, "the job to be marked failed")
        time.sleep(1.0)  # nothing more arrives: the user hears it once
        assert len(told()) == 1
        assert not fake_telegram.calls_to("sendMediaGroup")
    finally:
        connection.close()
