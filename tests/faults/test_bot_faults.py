"""The Telegram bot through a Redis restart, and every update it gets answered (or deliberately not)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import OwnRedis, documents_by_chat, telegram_env, wait_for
from worker.config import Settings
from worker.queue import RQJobQueue

ERROR = "Sorry, something went wrong on my side — please try again."


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegramAPI, fake_sources: FakeSources, own_redis: OwnRedis, queue_name: str
) -> AsyncIterator[Application]:
    from bot.telegram.app import build_application

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=own_redis.url,
        queue_name=queue_name,
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        telegram_file_url=fake_telegram.file_url,
        fxtwitter_api_url=fake_sources.fx_url,
    )
    queue = RQJobQueue(own_redis.url, queue_name)
    app = build_application(settings, queue, theme_preview=None, updater=False)
    await app.initialize()
    yield app
    from bot.telegram.common import deps_of

    await deps_of(app).held.close()
    await app.shutdown()


async def say(app: Application, fake: FakeTelegramAPI, chat: int, text: str) -> None:
    await app.process_update(Update.de_json(fake.user_message(chat_id=chat, text=text), app.bot))


def texts_to(fake: FakeTelegramAPI, chat: int) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in fake.calls
        if c.method in ("sendMessage", "editMessageText") and str(c.params.get("chat_id")) == str(chat)
    ]


async def test_the_bot_keeps_taking_links_through_a_redis_restart(
    bot: Application,
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
) -> None:
    import asyncio

    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    chats = [10**9 + secrets.randbelow(10**9) for _ in range(3)]
    before = unique_x_thread(["Sent before the restart.", "Second post."])
    await say(bot, fake_telegram, chats[0], before.url)
    await asyncio.to_thread(own_redis.restart, 1.0)
    for chat in chats[1:]:
        thread = unique_x_thread([f"Sent after the restart to {chat}.", "Second post."])
        await say(bot, fake_telegram, chat, thread.url)
    for chat in chats:
        await asyncio.to_thread(
            wait_for, lambda c=chat: documents_by_chat(fake_telegram).get(c), f"the PDF\n{worker.output}", 120
        )
    assert documents_by_chat(fake_telegram) == dict.fromkeys(chats, 1)
    assert not any(ERROR in texts_to(fake_telegram, chat) for chat in chats)


async def test_a_link_sent_while_redis_is_down_is_queued_in_the_bot_and_delivered_once_it_is_back(
    bot: Application,
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
) -> None:
    import asyncio

    from prometheus_client import REGISTRY

    from bot.telegram.common import deps_of
    from contract.sentences import BUSY_QUEUED, QUEUE_DOWN

    def held(outcome: str) -> float:
        return REGISTRY.get_sample_value("carousel_held_total", {"outcome": outcome}) or 0.0

    started_before = held("started")
    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    chat, group = 10**9 + secrets.randbelow(10**9), -(10**12 + secrets.randbelow(10**9))
    thread = unique_x_thread(["Sent while Redis is down.", "It arrives once Redis is back."])
    await asyncio.to_thread(own_redis.stop)
    await say(bot, fake_telegram, chat, thread.url)
    assert texts_to(fake_telegram, chat) == [BUSY_QUEUED]  # not "can't start carousels right now"
    await say(bot, fake_telegram, group, "lunch at noon, anyone?")  # not for the bot: not answered
    assert texts_to(fake_telegram, group) == []
    await asyncio.sleep(3.0)  # rounds of the held link meet Redis away: still no second answer
    assert texts_to(fake_telegram, chat) == [BUSY_QUEUED] and len(deps_of(bot).held) == 1

    await asyncio.to_thread(own_redis.start)
    await asyncio.to_thread(
        wait_for, lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 120
    )
    await asyncio.sleep(2.0)  # nothing is sent twice
    assert documents_by_chat(fake_telegram) == {chat: 1}
    assert len(fake_telegram.calls_to("sendMediaGroup")) == 1 and len(deps_of(bot).held) == 0
    assert held("started") == started_before + 1  # what operators see on /metrics
    said = texts_to(fake_telegram, chat)
    assert QUEUE_DOWN not in said and ERROR not in said
    # the "busy" message became the status message: the bot's one message before the carousel
    [busy] = [c for c in fake_telegram.calls_to("sendMessage") if str(c.params["chat_id"]) == str(chat)]
    edits = [
        str(c.params["text"])
        for c in fake_telegram.calls_to("editMessageText")
        if c.params["message_id"] == busy.response["result"]["message_id"]
    ]
    assert busy.params["text"] == BUSY_QUEUED and edits[0].startswith("⏳ Queued")
    await say(bot, fake_telegram, chat, unique_x_thread(["Once Redis is back.", "Second."]).url)
    assert texts_to(fake_telegram, chat)[-1].startswith("⏳ Queued")


async def test_too_many_links_while_redis_is_down_get_the_outage_sentence(
    bot: Application, fake_telegram: FakeTelegramAPI, unique_x_thread: Callable[..., Any], own_redis: OwnRedis
) -> None:
    import asyncio

    from bot.held import HeldLinks
    from bot.telegram.common import deps_of
    from contract.sentences import BUSY_QUEUED, QUEUE_DOWN

    deps_of(bot).held = HeldLinks(limit=1)
    chat = 10**9 + secrets.randbelow(10**9)
    await asyncio.to_thread(own_redis.stop)
    await say(bot, fake_telegram, chat, unique_x_thread(["First while down.", "Second."]).url)
    await say(bot, fake_telegram, chat, unique_x_thread(["Over the bound.", "Second."]).url)
    assert texts_to(fake_telegram, chat) == [BUSY_QUEUED, QUEUE_DOWN]
    await deps_of(bot).held.close()


def _sticker_update(fake: FakeTelegramAPI, chat: int) -> dict:
    update = fake.user_message(chat_id=chat, text="")
    update["message"]["sticker"] = {
        "file_id": "CAACAgIAAxk", "file_unique_id": "AgAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    }
    return update


async def test_every_update_gets_an_answer(bot: Application, fake_telegram: FakeTelegramAPI) -> None:
    from bot.telegram import texts

    chat = 10**9 + secrets.randbelow(10**9)
    await say(bot, fake_telegram, chat, "/frobnicate now")
    await bot.process_update(Update.de_json(_sticker_update(fake_telegram, chat), bot.bot))
    said = texts_to(fake_telegram, chat)
    assert texts.UNKNOWN_COMMAND in said and texts.NOT_UNDERSTOOD in said

    sent = await bot.bot.send_message(chat, "an old message with an old keyboard")
    press = fake_telegram.callback_query(sent.to_dict(), "zz:from-an-old-version", user_id=chat)
    await bot.process_update(Update.de_json(press, bot.bot))
    [answer] = fake_telegram.calls_to("answerCallbackQuery")
    assert answer.params.get("text") == texts.UNKNOWN_BUTTON  # the spinner stops, with a sentence


async def test_a_rerender_button_works_only_in_the_chat_of_its_job(
    bot: Application, fake_telegram: FakeTelegramAPI, own_redis: OwnRedis, queue_name: str
) -> None:
    from redis import Redis
    from rq import Queue

    from bot.telegram import texts
    from contract.rerender import rerender_data

    owner, stranger = (10**9 + secrets.randbelow(10**9) for _ in range(2))
    await say(bot, fake_telegram, owner, "https://x.com/someone/status/1234567890123")
    queue = Queue(queue_name, connection=Redis.from_url(own_redis.url))
    [job_id] = queue.job_ids
    data = rerender_data(job_id, "theme", "aurora")

    sent = await bot.bot.send_message(stranger, "a message in another chat")
    press = fake_telegram.callback_query(sent.to_dict(), data, user_id=stranger)
    await bot.process_update(Update.de_json(press, bot.bot))
    [answer] = fake_telegram.calls_to("answerCallbackQuery")
    assert answer.params.get("text") == texts.RERENDER_OTHER_CHAT
    assert queue.job_ids == [job_id]  # nothing new was queued
    assert not any("Re-rendering" in t for t in texts_to(fake_telegram, owner))


async def test_a_job_the_queue_cannot_take_waits_in_the_bot_and_is_queued_once(
    fake_telegram: FakeTelegramAPI, own_redis: OwnRedis, queue_name: str, unique_x_thread: Callable[..., Any]
) -> None:
    """Settings, limits and the waiting line answered (kept apart from the queue's Redis), the queue's
    Redis is away."""
    import asyncio

    from redis import Redis
    from rq import Queue

    from bot.settings_store import MemorySettingsStore
    from bot.telegram.app import build_application
    from bot.telegram.common import deps_of
    from bot.telegram.line import MemoryLineStore
    from bot.telegram.ratelimit import MemoryRateLimiter
    from contract.rerender import job_ref
    from contract.sentences import BUSY_QUEUED

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=own_redis.url,
        queue_name=queue_name,
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        telegram_file_url=fake_telegram.file_url,
    )
    app = build_application(
        settings,
        RQJobQueue(own_redis.url, queue_name),
        store=MemorySettingsStore(),
        limiter=MemoryRateLimiter(),
        line=MemoryLineStore(),
        theme_preview=None,
        updater=False,
    )
    await app.initialize()
    try:
        chat = 10**9 + secrets.randbelow(10**9)
        await asyncio.to_thread(own_redis.stop)
        await say(app, fake_telegram, chat, unique_x_thread(["Queued in the bot.", "Second."]).url)
        said = texts_to(fake_telegram, chat)
        assert said[0].startswith("⏳ Queued") and said[-1] == BUSY_QUEUED  # the status says it waits
        await asyncio.to_thread(own_redis.start)
        await asyncio.to_thread(wait_for, lambda: not len(deps_of(app).held), "the held job to go", 60)
        queue = Queue(queue_name, connection=Redis.from_url(own_redis.url))
        assert len(queue.job_ids) == 1  # queued once
        assert await deps_of(app).store.job(job_ref(queue.job_ids[0])) is not None  # its buttons work
    finally:
        await deps_of(app).held.close()
        await app.shutdown()


async def test_a_group_link_in_auto_link_mode_is_held_quietly_and_started_once_redis_is_back(
    bot: Application, fake_telegram: FakeTelegramAPI, unique_x_thread: Callable[..., Any], own_redis: OwnRedis
) -> None:
    """Whether auto-link is on is in Redis too: during an outage a pasted group link is kept without a
    word (it may not have been for the bot), and handled as usual once Redis answers."""
    import asyncio

    from redis import Redis
    from rq import Queue

    from bot.settings_model import chat_scope
    from bot.telegram.common import deps_of

    group = -(10**12 + secrets.randbelow(10**9))
    await deps_of(bot).store.set_autolink(chat_scope("telegram", group), True)
    await asyncio.to_thread(own_redis.stop)
    await say(bot, fake_telegram, group, f"worth a read {unique_x_thread(['Pasted.', 'Second.']).url}")
    assert texts_to(fake_telegram, group) == [] and len(deps_of(bot).held) == 1

    await asyncio.to_thread(own_redis.start)
    await asyncio.to_thread(wait_for, lambda: not len(deps_of(bot).held), "the held link to start", 60)
    said = texts_to(fake_telegram, group)
    assert len(said) == 1 and said[0].startswith("⏳ Queued")  # the usual status, said once
    queue = Queue(deps_of(bot).settings.queue_name, connection=Redis.from_url(own_redis.url))
    assert len(queue.job_ids) == 1
