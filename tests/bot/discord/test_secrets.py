"""No token in the Discord bot's log lines, even at DEBUG, where discord.py logs every gateway event
(an INTERACTION_CREATE carries the interaction's token) and every REST request URL."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.discord.app import build_client
from bot.settings_store import MemorySettingsStore
from tests.bot.discord.support import REDIS_URL, THREAD_LINK, slash
from tests.fakes.discord_api import BOT_TOKEN, FakeDiscord
from worker.config import Settings
from worker.queue import RQJobQueue


async def test_gateway_events_and_requests_are_logged_without_tokens(
    fake: FakeDiscord, queue: RQJobQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(
        discord_api_url=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        discord_bot_token=BOT_TOKEN,
        redis_url=REDIS_URL,
    )
    client = build_client(settings, queue, store=MemorySettingsStore())
    running = asyncio.create_task(client.start(BOT_TOKEN))  # login, command sync, then the gateway
    try:
        assert await asyncio.to_thread(fake.identified.wait, 20), "the bot never identified"
        payload, _, token = slash(fake, link=THREAD_LINK)
        fake.send_event("INTERACTION_CREATE", payload)  # as Discord delivers a slash command
        deadline = time.monotonic() + 20
        while queue.queue.count == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert queue.queue.count == 1, "the slash command queued no job"
    finally:
        await client.close()
        await asyncio.wait_for(running, 10)

    logged = caplog.text
    assert "WebSocket Event" in logged and "INTERACTION_CREATE" in logged  # the event was logged...
    assert f"/interactions/{payload['id']}/" in logged  # ...and the callback's URL
    assert "<redacted>" in logged
    assert token not in logged and BOT_TOKEN not in logged
