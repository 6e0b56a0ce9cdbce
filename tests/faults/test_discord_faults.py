"""The Discord bot through a Redis outage: a /carousel sent while Redis is down is answered "busy, your
carousel is queued", kept in the bot, and queued — then delivered — exactly once when Redis is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import discord
import pytest

from bot.discord.app import build_client, make_store
from bot.settings_store import RedisSettingsStore
from contract.sentences import BUSY_QUEUED, QUEUE_DOWN
from tests.bot.discord.support import DEFERRED, Bot, slash
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, FakeDiscord
from tests.fakes.sources import FakeSources
from tests.faults.conftest import OwnRedis, wait_for
from worker.config import Settings
from worker.queue import RQJobQueue


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


@pytest.fixture
async def bot(
    fake: FakeDiscord, own_redis: OwnRedis, queue_name: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    # build_client points these process-wide values at the fake; put them back afterwards
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_api_url=fake.api_base,
        discord_bot_token=BOT_TOKEN,
        redis_url=own_redis.url,
        queue_name=queue_name,
    )
    store = make_store(settings)  # as `carousel discord` makes it
    assert isinstance(store, RedisSettingsStore)
    client = build_client(settings, RQJobQueue(own_redis.url, queue_name), store=store)
    await client.login(BOT_TOKEN)
    try:
        yield Bot(client)
    finally:
        await client.close()
        await store.close()


def status_texts(fake: FakeDiscord, token: str) -> list[str]:
    edits = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    return [str((c.json or {}).get("content")) for c in edits if c.json and "content" in c.json]


def deliveries(fake: FakeDiscord, token: str) -> list[Any]:
    """Follow-up messages that carried files (the album and the PDF)."""
    return [c for c in fake.find("POST", f"/webhooks/{APPLICATION_ID}/{token}") if c.files]


async def test_a_carousel_asked_for_while_redis_is_down_is_queued_in_the_bot_and_delivered_once(
    fake: FakeDiscord,
    bot: Bot,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
) -> None:
    env = {"DISCORD_API_URL": fake.api_base, "DISCORD_BOT_TOKEN": BOT_TOKEN, **fake_sources.env()}
    worker = spawn_worker(own_redis.url, env)
    thread = unique_x_thread(["Asked for while Redis is down.", "It arrives once Redis is back."])
    await asyncio.to_thread(own_redis.stop)

    payload, interaction_id, token = slash(fake, link=thread.url)
    await bot.dispatch(payload)
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json == {"type": DEFERRED}  # within Discord's 3 s, before any Redis call
    assert status_texts(fake, token) == [BUSY_QUEUED] and bot.errors == []
    await asyncio.sleep(3.0)  # rounds of the held start meet Redis away: nothing more is said
    assert status_texts(fake, token) == [BUSY_QUEUED] and len(bot.client.held) == 1

    await asyncio.to_thread(own_redis.start)
    await asyncio.to_thread(
        wait_for, lambda: any(f.filename.endswith(".pdf") for c in deliveries(fake, token) for f in c.files),
        f"the PDF\n{worker.output}", 120,
    )
    await asyncio.sleep(2.0)  # nothing is sent twice
    pdfs = [f for c in deliveries(fake, token) for f in c.files if f.filename.endswith(".pdf")]
    assert len(pdfs) == 1 and len(bot.client.held) == 0
    said = status_texts(fake, token)
    assert said[1].startswith("⏳ Queued: <") and QUEUE_DOWN not in said


async def test_with_redis_down_a_menu_and_a_command_are_answered_within_discords_three_seconds(
    fake: FakeDiscord, bot: Bot, own_redis: OwnRedis
) -> None:
    """Menus and commands that read Redis before answering: the sentence arrives while Discord still
    waits for it (3 s), not after the interaction has failed."""
    import time

    from tests.bot.discord.support import component, message, private_answer
    from worker.delivery.discord import rerender_components
    from worker.limits import DISCORD_DEFER_WITHIN_S

    await asyncio.to_thread(own_redis.stop)
    result = {**message("a result"), "components": rerender_components("0" * 32)}
    pick, pick_id, pick_token = component(result, f"rr:{'0' * 32}:theme", "bold")
    settings, settings_id, settings_token = slash(fake, "settings")
    asked = [(pick, pick_id, pick_token), (settings, settings_id, settings_token)]
    for payload, interaction_id, token in asked:
        started = time.time()
        await bot.dispatch(payload)
        assert private_answer(fake, interaction_id, token)["content"] == QUEUE_DOWN
        (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
        assert callback.at - started < DISCORD_DEFER_WITHIN_S, callback.at - started


async def test_a_worker_killed_between_two_discord_messages_continues_after_the_first(
    fake: FakeDiscord,
    bot: Bot,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    from redis import Redis
    from rq import Queue, Worker
    from rq.command import send_kill_horse_command

    env = {"DISCORD_API_URL": fake.api_base, "DISCORD_BOT_TOKEN": BOT_TOKEN, **fake_sources.env()}
    worker = spawn_worker(own_redis.url, env)
    line = "a paragraph long enough to fill a slide of its own, more or less. " * 3
    thread = unique_x_thread([f"{i}/ Post {i}: {line}".strip() for i in range(1, 15)])
    payload, _, token = slash(fake, link=thread.url)
    webhook = f"/webhooks/{APPLICATION_ID}/{token}"
    # the album's second message waits out a long rate limit: time to kill the worker between the two
    fake.rate_limit_next("POST", webhook, retry_after=30, after=1)
    await bot.dispatch(payload)

    limited = lambda: [c for c in fake.find("POST", webhook) if c.status == 429]  # noqa: E731
    await asyncio.to_thread(wait_for, limited, f"the second message to wait\n{worker.output}", 120)
    connection = Redis.from_url(own_redis.url)
    (running,) = Worker.all(queue=Queue(queue_name, connection=connection))
    send_kill_horse_command(connection, running.name)

    def pdf_sent() -> bool:
        sent = [f for c in deliveries(fake, token) if c.status == 200 for f in c.files]
        return any(f.filename.endswith(".pdf") for f in sent)

    await asyncio.to_thread(wait_for, pdf_sent, f"the PDF\n{worker.output}", 120)
    await asyncio.sleep(1.0)
    posted = [c for c in deliveries(fake, token) if c.status == 200]
    names = [f.filename for c in posted for f in c.files]
    assert len(posted) == 2 and len(names) == len(set(names)), names  # message one was not posted again
    assert names[-1].endswith(".pdf") and len(names) > 10
    connection.close()
