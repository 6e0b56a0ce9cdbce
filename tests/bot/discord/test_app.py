"""The Discord front-end against a local fake of Discord's REST API and a real RQ queue on Redis.

The client logs in for real (REST only, no gateway), syncs its command tree, and receives real
INTERACTION_CREATE payloads through the same parser the gateway feeds.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC
from typing import Any

import discord
import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from bot.discord.app import CarouselBot, build_client
from bot.discord.commands import ADMINS_ONLY
from bot.settings_store import Look, MemorySettingsStore, chat_scope, user_scope
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, BOT_USER_ID, EPHEMERAL, FakeDiscord
from worker.config import Settings
from worker.contract import JOB_PATH
from worker.errors import NotAThreadLink
from worker.limits import DISCORD_DEFER_WITHIN_S, MAX_POSTS_CEILING
from worker.queue import RQJobQueue

REDIS_URL = "redis://127.0.0.1:6379/0"
GUILD_ID = "1500000000000000001"
CHANNEL_ID = "1500000000000000002"
USER_ID = "1500000000000000003"
MESSAGE_ID = "1500000000000000004"
THREAD_LINK = "https://x.com/ada/status/1790000000000000001?s=20&t=abc"
CANONICAL = "https://x.com/ada/status/1790000000000000001"
DEFERRED = 5
CHANNEL_MESSAGE = 4
SLASH, MESSAGE_MENU = 1, 3
STRING = 3
BOOLEAN = 5
MEMBER_PERMISSIONS = 2248473465835073  # everyday member rights, without Manage Server
MANAGE_GUILD = 1 << 5


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


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


class Bot:
    """A logged-in client and the errors its tree handled."""

    def __init__(self, client: CarouselBot) -> None:
        self.client = client
        self.errors: list[Exception] = []
        handler = client.tree.on_error

        async def record(interaction: discord.Interaction[Any], error: Any) -> None:
            self.errors.append(error)
            await handler(interaction, error)

        client.tree.on_error = record  # type: ignore[method-assign]

    async def dispatch(self, payload: dict[str, Any]) -> None:
        """Feed an INTERACTION_CREATE as the gateway would, and wait for the command to finish."""
        before = set(asyncio.all_tasks())
        self.client._connection.parsers["INTERACTION_CREATE"](payload)
        await asyncio.sleep(0)
        tasks = [t for t in asyncio.all_tasks() - before if t.get_name() == "CommandTree-invoker"]
        assert tasks, "the tree did not start the command"
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


def _settings(fake: FakeDiscord) -> Settings:
    return Settings(discord_api_url=fake.api_base, discord_bot_token=BOT_TOKEN, redis_url=REDIS_URL)


@pytest.fixture
async def bot(fake: FakeDiscord, queue: RQJobQueue) -> AsyncIterator[Bot]:
    client = build_client(_settings(fake), queue, store=MemorySettingsStore())
    await client.login(BOT_TOKEN)
    try:
        yield Bot(client)
    finally:
        await client.close()


def _user() -> dict[str, Any]:
    return {"id": USER_ID, "username": "ada", "discriminator": "0", "global_name": "Ada", "avatar": None}


def _message(content: str) -> dict[str, Any]:
    return {
        "id": MESSAGE_ID,
        "channel_id": CHANNEL_ID,
        "guild_id": GUILD_ID,
        "author": _user(),
        "content": content,
        "timestamp": "2026-01-02T03:04:05.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }


def _interaction(
    data: dict[str, Any], permissions: int = MEMBER_PERMISSIONS
) -> tuple[dict[str, Any], str, str]:
    """A guild APPLICATION_COMMAND interaction as Discord sends it; returns (payload, id, token)."""
    interaction_id = str(1600000000000000000 + uuid.uuid4().int % 10**15)
    token = f"tok-{uuid.uuid4().hex}"
    payload = {
        "id": interaction_id,
        "application_id": APPLICATION_ID,
        "type": 2,
        "version": 1,
        "token": token,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "2248473465835073",
        "attachment_size_limit": 10 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "guild_id": GUILD_ID,
        "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
        "channel_id": CHANNEL_ID,
        "channel": {
            "id": CHANNEL_ID,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": "general",
            "position": 0,
            "permissions": "2248473465835073",
        },
        "member": {
            "user": _user(),
            "roles": [],
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "flags": 0,
            "permissions": str(permissions),
            "deaf": False,
            "mute": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
        },
        "data": data,
    }
    return payload, interaction_id, token


def _command_id(fake: FakeDiscord, name: str) -> str:
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    return next(c["id"] for c in sync.reply if c["name"] == name)


def _option_type(value: Any) -> int:
    return BOOLEAN if isinstance(value, bool) else 4 if isinstance(value, int) else STRING


def _slash(
    fake: FakeDiscord, name: str = "carousel", permissions: int = MEMBER_PERMISSIONS, **options: Any
) -> tuple[dict[str, Any], str, str]:
    return _interaction(
        {
            "id": _command_id(fake, name),
            "name": name,
            "type": SLASH,
            "options": [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()],
        },
        permissions,
    )


def _menu(fake: FakeDiscord, content: str) -> tuple[dict[str, Any], str, str]:
    return _interaction(
        {
            "id": _command_id(fake, "Make carousel"),
            "name": "Make carousel",
            "type": MESSAGE_MENU,
            "target_id": MESSAGE_ID,
            "resolved": {"messages": {MESSAGE_ID: _message(content)}},
        }
    )


def _jobs(queue: RQJobQueue) -> list[Job]:
    return [Job.fetch(i, connection=queue.connection, serializer=JSONSerializer) for i in queue.queue.job_ids]


async def test_login_syncs_the_commands_with_their_options(fake: FakeDiscord, bot: Bot) -> None:
    me, app = fake.calls[0], fake.calls[1]
    assert (me.method, me.path, me.authorization) == ("GET", "/users/@me", f"Bot {BOT_TOKEN}")
    assert app.path == "/oauth2/applications/@me"
    assert bot.client.user is not None and str(bot.client.user.id) == BOT_USER_ID
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    commands = {c["name"]: c for c in sync.json}
    assert set(commands) == {"carousel", "Make carousel", "defaults", "settings"}
    assert commands["Make carousel"]["type"] == MESSAGE_MENU
    options = {o["name"]: o for o in commands["carousel"]["options"]}
    assert list(options) == ["link", "theme", "ratio", "format", "cta", "cta_text", "cta_link", "max_posts"]
    assert options["link"]["required"] is True and options["link"]["type"] == STRING
    assert [c["value"] for c in options["ratio"]["choices"]] == ["4:5", "1:1", "9:16", "16:9"]
    assert [c["value"] for c in options["format"]["choices"]] == ["png", "jpeg"]
    assert [c["value"] for c in options["cta"]["choices"]] == ["follow", "save", "link", "none"]
    assert "paper" in [c["value"] for c in options["theme"]["choices"]]
    assert (options["max_posts"]["min_value"], options["max_posts"]["max_value"]) == (1, MAX_POSTS_CEILING)
    assert all(o["description"] for o in options.values())


async def test_slash_command_defers_and_enqueues_the_job(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = _slash(
        fake,
        link=f"look at this {THREAD_LINK} and this https://bsky.app/profile/a.bsky.social/post/3k",
        theme="midnight",
        ratio="1:1",
        format="jpeg",
        max_posts=12,
    )
    await bot.dispatch(payload)
    assert bot.errors == []

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json == {"type": DEFERRED}
    assert callback.status == 200 and callback.authorization is None

    (job,) = _jobs(queue)
    assert job.func_name == JOB_PATH
    assert job.enqueued_at is not None
    enqueued = job.enqueued_at.replace(tzinfo=job.enqueued_at.tzinfo or UTC).timestamp()
    assert callback.at <= enqueued + 0.01  # deferred before the job existed
    assert callback.at - fake.calls[0].at < DISCORD_DEFER_WITHIN_S
    (arg,) = job.args
    assert arg["source"] == CANONICAL and arg["source_kind"] == "link"
    assert arg["reply"] == {
        "platform": "discord",
        "chat_id": CHANNEL_ID,
        "thread_id": None,
        "reply_to_message_id": None,
        "status_message_id": "@original",
        "user_id": USER_ID,
        "application_id": APPLICATION_ID,
        "interaction_token": token,
    }
    options = arg["options"]
    assert (options["theme"], options["ratio"], options["format"], options["max_posts"]) == (
        "midnight",
        "1:1",
        "jpeg",
        12,
    )
    assert options["cta"] == "follow"  # not given: the default

    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    assert status.json["content"].startswith("⏳ Queued: <https://x.com/ada/status/1790000000000000001>")
    assert "1 more link" in status.json["content"]
    assert status.at <= enqueued + 0.01  # never overwrites the worker's progress


async def test_unsupported_link_gets_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = _slash(fake, link="https://example.com/blog/post-1")
    await bot.dispatch(payload)

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE
    assert callback.json["data"]["content"] == NotAThreadLink.message
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert queue.queue.count == 0
    assert not fake.find("PATCH", "/webhooks/")
    assert len(bot.errors) == 1


async def test_message_menu_makes_a_carousel_of_that_message(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = _menu(fake, f"Great thread 👇 {THREAD_LINK}")
    await bot.dispatch(payload)
    assert bot.errors == []

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json == {"type": DEFERRED}
    (job,) = _jobs(queue)
    (arg,) = job.args
    assert arg["source"] == CANONICAL
    assert arg["reply"]["reply_to_message_id"] == MESSAGE_ID
    assert arg["reply"]["interaction_token"] == token and arg["reply"]["chat_id"] == CHANNEL_ID


async def test_message_menu_takes_pasted_paragraphs_as_text(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    text = (
        "Why slides beat walls of text.\n\nPeople swipe; they do not scroll.\n\nSo make each idea one slide."
    )
    payload, _, _ = _menu(fake, text)
    await bot.dispatch(payload)
    assert bot.errors == []
    (job,) = _jobs(queue)
    assert (job.args[0]["source"], job.args[0]["source_kind"]) == (text, "text")


async def test_message_menu_on_a_short_message_says_why(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = _menu(fake, "lol")
    await bot.dispatch(payload)
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE and callback.json["data"]["flags"] & EPHEMERAL
    assert callback.json["data"]["content"].endswith(".")
    assert queue.queue.count == 0


async def test_saved_settings_apply_and_command_options_win(fake: FakeDiscord, queue: RQJobQueue) -> None:
    store = MemorySettingsStore()
    await store.set_personal(user_scope("discord", USER_ID), Look(theme="ocean", ratio="9:16", cta="save"))
    client = build_client(_settings(fake), queue, store=store)
    await client.login(BOT_TOKEN)
    try:
        bot = Bot(client)
        payload, _, _ = _slash(fake, link=THREAD_LINK, ratio="1:1")
        await bot.dispatch(payload)
        # a server that set its own look gives it to every member
        await store.set_personal(chat_scope("discord", GUILD_ID), Look(theme="brutalist"))
        payload, _, _ = _slash(fake, link=THREAD_LINK)
        await bot.dispatch(payload)
    finally:
        await client.close()
    assert bot.errors == []
    personal, server = (job.args[0]["options"] for job in _jobs(queue))
    assert (personal["theme"], personal["ratio"], personal["cta"]) == ("ocean", "1:1", "save")
    assert (server["theme"], server["ratio"], server["cta"]) == ("brutalist", "4:5", "follow")


def _answer(fake: FakeDiscord, interaction_id: str, token: str) -> dict[str, Any]:
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE and callback.json["data"]["flags"] & EPHEMERAL
    return callback.json["data"]


async def test_defaults_are_saved_privately_and_used_next(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = _slash(fake, "defaults", theme="ocean", ratio="9:16")
    await bot.dispatch(payload)
    shown = _answer(fake, interaction_id, token)["content"]
    assert "**theme**: ocean (personal)" in shown and "**ratio**: 9:16 (personal)" in shown
    assert "**format**: png (default)" in shown

    payload, _, _ = _slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = _jobs(queue)
    assert (job.args[0]["options"]["theme"], job.args[0]["options"]["ratio"]) == ("ocean", "9:16")

    payload, interaction_id, token = _slash(fake, "settings")
    await bot.dispatch(payload)
    assert "**theme**: ocean (personal)" in _answer(fake, interaction_id, token)["content"]
    assert bot.errors == []


async def test_server_defaults_need_manage_server(fake: FakeDiscord, bot: Bot) -> None:
    store = bot.client.store
    assert store is not None
    payload, interaction_id, token = _slash(fake, "defaults", theme="bold", server=True)
    await bot.dispatch(payload)
    assert _answer(fake, interaction_id, token)["content"] == ADMINS_ONLY
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.is_empty()

    admin = MEMBER_PERMISSIONS | MANAGE_GUILD
    payload, interaction_id, token = _slash(fake, "defaults", permissions=admin, theme="bold", server=True)
    await bot.dispatch(payload)
    assert "**theme**: bold (group)" in _answer(fake, interaction_id, token)["content"]
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.theme == "bold"


def test_client_is_pointed_at_the_configured_api_and_gateway(fake: FakeDiscord, queue: RQJobQueue) -> None:
    import yarl

    gateway = "ws://127.0.0.1:9/gateway"
    settings = Settings(discord_api_url=fake.api_base + "/", discord_gateway_url=gateway)
    build_client(settings, queue)
    assert fake.api_base == discord.http.Route.BASE
    assert discord.http.Route("GET", "/users/@me").url == f"{fake.api_base}/users/@me"
    assert yarl.URL(gateway) == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
