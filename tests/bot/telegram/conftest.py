"""The Telegram front-end against the local fake Bot API, a real Redis and a real RQ queue."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from telegram import Update
from telegram.ext import Application

from bot.settings_store import RedisSettingsStore
from bot.telegram import waiting
from bot.telegram.app import build_application
from bot.telegram.line import RedisLineStore
from bot.telegram.ratelimit import RedisRateLimiter
from tests.conftest import REDIS_URL, unique_token  # TEST_REDIS_URL, as the worker processes use
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.config import Settings
from worker.queue import RQJobQueue

BOT_USERNAME = "carousel_test_bot"


@pytest.fixture
def fake() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI(token=unique_token()) as api:  # file_ids (and their caches) are per bot
        yield api


@pytest.fixture(autouse=True)
def _no_token_logged(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test here (bot, and workers run in-process) logs at DEBUG — httpx puts each Bot API URL,
    token in its path, in a line — and no line may carry the bot token."""
    caplog.set_level(logging.DEBUG)
    yield
    api = request.node.funcargs.get("fake")
    if isinstance(api, FakeTelegramAPI):
        logged = caplog.text
        secret = api.token.split(":", 1)[1]
        assert api.token not in logged and secret not in logged, "the bot token was logged"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix no other test (or person) uses; its keys are deleted afterwards."""
    value = f"test:bot:{uuid.uuid4().hex}:"
    yield value
    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(f"{value}*"))
    if keys:
        redis.delete(*keys)
    redis.close()


@pytest.fixture
def queue_name(prefix: str) -> Iterator[str]:
    name = f"test-bot-{uuid.uuid4().hex}"
    yield name
    redis = Redis.from_url(REDIS_URL)
    Queue(name, connection=redis, serializer=JSONSerializer).delete(delete_jobs=True)
    redis.close()


@pytest.fixture
def settings(fake: FakeTelegramAPI, queue_name: str) -> Settings:
    return Settings(
        redis_url=REDIS_URL,
        telegram_bot_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_file_url=fake.file_url,
        queue_name=queue_name,
    )


@pytest.fixture
def rq_queue(settings: Settings) -> RQJobQueue:
    assert settings.redis_url
    return RQJobQueue(settings.redis_url, settings.queue_name)


@pytest.fixture
def clock() -> list[float]:
    """The rate limiter's time, fixed one second into a window (tests move it by hand)."""
    return [1_800_000_000.0 + 1.0]


@pytest.fixture
async def store(prefix: str) -> AsyncIterator[RedisSettingsStore]:
    s = RedisSettingsStore.from_url(REDIS_URL, prefix=f"{prefix}settings:")
    yield s
    await s.close()


@pytest.fixture
async def limiter(prefix: str, clock: list[float]) -> AsyncIterator[RedisRateLimiter]:
    from redis.asyncio import Redis as AsyncRedis

    redis = AsyncRedis.from_url(REDIS_URL, decode_responses=True)
    yield RedisRateLimiter(redis, prefix=f"{prefix}ratelimit:", clock=lambda: clock[0])
    await redis.aclose()


@pytest.fixture
async def line(prefix: str) -> AsyncIterator[RedisLineStore]:
    """Where links over the rate limit wait (a key prefix of this test's own)."""
    from redis.asyncio import Redis as AsyncRedis

    redis = AsyncRedis.from_url(REDIS_URL, decode_responses=True)
    yield RedisLineStore(redis, prefix=f"{prefix}line:")
    await redis.aclose()


@pytest.fixture
async def app(
    settings: Settings,
    rq_queue: RQJobQueue,
    store: RedisSettingsStore,
    limiter: RedisRateLimiter,
    line: RedisLineStore,
) -> AsyncIterator[Application]:
    application = build_application(
        settings, rq_queue, store=store, limiter=limiter, line=line, theme_preview=None, updater=False
    )
    await application.initialize()
    yield application
    await waiting.stop(application)  # the lines' tasks (post_shutdown runs only under run_polling)
    await application.shutdown()


class Chat:
    """Drives the bot: builds real Update JSON with the fake's helpers and processes it."""

    def __init__(self, app: Application, fake: FakeTelegramAPI, rq_queue: RQJobQueue) -> None:
        self.app = app
        self.fake = fake
        self.rq_queue = rq_queue

    async def send(self, update: dict) -> dict:
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return update

    async def say(self, chat_id: int, text: str, **kwargs: Any) -> dict:
        """A user message; mentions of the bot get their entity like on the real server."""
        update = self.fake.user_message(chat_id=chat_id, text=text, entities=entities(text), **kwargs)
        return await self.send(update)

    async def press(self, message: dict, data: str, user_id: int = 1001) -> dict:
        return await self.send(self.fake.callback_query(message, data, user_id=user_id))

    def replies(self) -> list[str]:
        """Texts of the messages the bot sent, in order."""
        return [str(c.params.get("text")) for c in self.fake.calls_to("sendMessage")]

    def last_reply(self) -> str:
        replies = self.replies()
        assert replies, f"the bot sent no message; calls: {self.fake.methods()}"
        return replies[-1]

    def jobs(self) -> list[Any]:
        return self.rq_queue.queue.get_jobs()

    def payloads(self) -> list[dict]:
        return [job.args[0] for job in self.jobs()]


def entities(text: str) -> list[dict]:
    """url, bot_command and mention entities with UTF-16 offsets, as Telegram sends them."""
    import re

    def utf16(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    out = []
    for m in re.finditer(r"https?://\S+|(?<!\S)/[A-Za-z0-9_]+(?:@\w+)?|(?<!\S)@\w{5,32}", text):
        token = m.group(0)
        kind = "url" if token.startswith("http") else "bot_command" if token.startswith("/") else "mention"
        out.append({"type": kind, "offset": utf16(text[: m.start()]), "length": utf16(token)})
    return out


@pytest.fixture
def chat(app: Application, fake: FakeTelegramAPI, rq_queue: RQJobQueue) -> Chat:
    return Chat(app, fake, rq_queue)
