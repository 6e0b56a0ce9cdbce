"""Fixtures of the Discord front-end tests: the fake REST API, a unique RQ queue, a logged-in bot."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import discord
import pytest

from bot.discord.app import build_client
from bot.settings_store import MemorySettingsStore
from tests.bot.discord.support import REDIS_URL, Bot, settings_for
from tests.fakes.discord_api import BOT_TOKEN, FakeDiscord
from worker.queue import RQJobQueue


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_token_logged(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test here, bot and in-process worker alike, logs at DEBUG without the bot token or any
    interaction token in a line (discord.py logs request URLs, RQ a job's payload)."""
    caplog.set_level(logging.DEBUG)
    yield
    server = request.node.funcargs.get("fake")
    secrets = {BOT_TOKEN} | (server.interaction_tokens() if isinstance(server, FakeDiscord) else set())
    logged = caplog.text
    leaked = sorted(s for s in secrets if s in logged)
    assert not leaked, f"tokens in the log: {leaked}"


@pytest.fixture
def queue() -> Iterator[RQJobQueue]:
    q = RQJobQueue(REDIS_URL, f"test-discord-{uuid.uuid4().hex}")
    yield q
    q.queue.delete(delete_jobs=True)
    q.connection.close()


@pytest.fixture(autouse=True)
def _restore_discord_globals(monkeypatch: pytest.MonkeyPatch) -> None:
    # build_client points these process-wide values at the fake; put them back afterwards
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )


@pytest.fixture
def store() -> MemorySettingsStore:
    return MemorySettingsStore()


@pytest.fixture
async def bot(fake: FakeDiscord, queue: RQJobQueue, store: MemorySettingsStore) -> AsyncIterator[Bot]:
    client = build_client(settings_for(fake), queue, store=store)
    await client.login(BOT_TOKEN)
    try:
        yield Bot(client)
    finally:
        await client.close()
