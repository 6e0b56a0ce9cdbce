"""Secrets never logged: the redacting record factory, on every logger, and a whole worker's log."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Callable
from typing import Any

import httpx

from contract import JobPayload, ReplyAddress, redact
from contract.options import Brand, RenderOptions
from tests.fakes.discord_api import APPLICATION_ID, FakeDiscord
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import OwnRedis, documents_by_chat, submit_link, telegram_env, wait_for
from worker.queue import RQJobQueue

BOT_TOKEN = "7312345678:AAH" + "x" * 32
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE." + "y" * 38
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OkZha2VUb2tlbg" + "z" * 40


def test_every_logger_is_redacted_whatever_its_handler() -> None:
    redact.install([DISCORD_TOKEN])
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    names = [
        "httpx",
        "httpcore",
        "telegram.ext.Application",
        "discord.http",
        "discord.gateway",
        "rq.worker",
        "worker.media",
    ]
    for name in names:  # each with its own handler, not propagating: no root-level filter helps here
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
    try:
        api = "https://api.telegram.org"
        logging.getLogger("httpx").info("HTTP Request: POST %s/bot%s/sendMessage", api, BOT_TOKEN)
        logging.getLogger("httpcore").debug("send_request_headers url=%r", f"/file/bot{BOT_TOKEN}/a.jpg")
        logging.getLogger("telegram.ext.Application").info("token is %s", BOT_TOKEN)
        logging.getLogger("discord.http").debug(
            "POST https://discord.com/api/v10/webhooks/123456789012345678/%s/messages/@original",
            INTERACTION_TOKEN,
        )
        logging.getLogger("rq.worker").info("Authorization: Bot %s", DISCORD_TOKEN)
        # a job's payload (RQ's job description) and a gateway event (discord.py at DEBUG), token by name
        reply = {"platform": "discord", "interaction_token": INTERACTION_TOKEN[::-1], "chat_id": "1"}
        logging.getLogger("rq.worker").info("default: worker.jobs.render_carousel(%r)", {"reply": reply})
        event = {"t": "INTERACTION_CREATE", "d": {"id": "1", "token": INTERACTION_TOKEN[1:], "type": 2}}
        logging.getLogger("discord.gateway").debug("For Shard ID %s: WebSocket Event: %s", None, event)
        # a token named to the redaction as it arrived, wherever it shows up
        redact.remember(INTERACTION_TOKEN[2:])
        logging.getLogger("worker.media").warning(
            "left out %s", f"https://cdn.example/a.png?t={INTERACTION_TOKEN[2:]}"
        )
        try:
            raise httpx.ConnectError(f"failed https://api.telegram.org/file/bot{BOT_TOKEN}/photos/x.jpg")
        except httpx.ConnectError:
            logging.getLogger("worker.media").exception("image left out")
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).propagate = True
    text = out.getvalue()
    assert text.count("<redacted>") >= 9
    for secret in (
        BOT_TOKEN,
        BOT_TOKEN.split(":")[1],
        DISCORD_TOKEN,
        INTERACTION_TOKEN,
        INTERACTION_TOKEN[::-1],
        INTERACTION_TOKEN[1:],
        INTERACTION_TOKEN[2:],
    ):
        assert secret not in text, text


def test_a_verbose_worker_logs_no_token(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    # --verbose: httpx logs every Bot API request line, token in the path; a brand avatar that cannot
    # be downloaded is logged with the file URL the worker built from its token
    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()}, verbose=True)
    thread = unique_x_thread(["A thread signed with a brand whose avatar is gone.", "Second post."])
    chat = 10**9 + secrets.randbelow(10**9)
    options = RenderOptions(brand=Brand(name="Ada", avatar_url="telegram-file:photos/file_404.jpg"))
    submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat, options=options)
    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 120)
    logged = worker.output
    assert "file/bot<redacted>/photos/file_404.jpg" in logged  # the left-out avatar's URL, token taken out
    assert fake_telegram.token not in logged
    assert fake_telegram.token.split(":", 1)[1] not in logged


def test_a_verbose_discord_worker_logs_no_token(
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    # --verbose: httpx logs every request line, an interaction webhook's token in its path; a 429 is
    # logged with the path it waited on; a refused token sends the worker to the bot-token routes
    channel, requester = "1200000000000000001", "1300000000000000009"
    with FakeDiscord(bot_token=DISCORD_TOKEN) as fake:
        env = {"DISCORD_API_URL": fake.api_base, "DISCORD_BOT_TOKEN": DISCORD_TOKEN, **fake_sources.env()}
        worker = spawn_worker(own_redis.url, env, verbose=True)
        queue = RQJobQueue(own_redis.url, queue_name)
        thread = unique_x_thread(["A thread posted back to Discord.", "Second post.", "Third post."])
        live, refused = (INTERACTION_TOKEN + secrets.token_urlsafe(24) for _ in range(2))
        worker.secrets.update({live, refused})  # the spawn_worker fixture greps the log for them too
        fake.expire_token(refused)
        fake.rate_limit_next("POST", f"/webhooks/{APPLICATION_ID}/{live}", retry_after=0.2)
        for token in (live, refused):
            fake.open_interaction(token, channel)
            reply = ReplyAddress(
                platform="discord",
                chat_id=channel,
                user_id=requester,
                application_id=APPLICATION_ID,
                interaction_token=token,
                status_message_id="@original",
                response_message_id=fake.original_id(token),
            )
            queue.submit(JobPayload(source=thread.url, reply=reply))

        def pdfs() -> int:
            return sum(
                1 for c in fake.calls if c.status == 200 and any(f.filename.endswith(".pdf") for f in c.files)
            )

        wait_for(lambda: pdfs() == 2, f"both PDFs\n{worker.output}", 120)
    logged = worker.output
    assert "Discord rate limit on POST /webhooks/" in logged and "/webhooks/<redacted>" not in logged
    assert f"/webhooks/{APPLICATION_ID}/<redacted>" in logged  # the waited-on path, token taken out
    assert "interaction token refused" in logged  # the second job went through the channel
    for secret in (live, refused, DISCORD_TOKEN):
        assert secret not in logged
