"""Helpers for the Discord front-end tests: real INTERACTION_CREATE payloads and a logged-in client.

Payloads are shaped as Discord's gateway sends them and go through the parser the gateway feeds
(``client._connection.parsers["INTERACTION_CREATE"]``).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import discord
from rq.job import Job
from rq.serializers import JSONSerializer

from bot.discord.app import CarouselBot
from tests.conftest import REDIS_URL  # TEST_REDIS_URL, or the local default
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, EPHEMERAL, FakeDiscord
from worker.config import Settings
from worker.queue import RQJobQueue

GUILD_ID = "1500000000000000001"
CHANNEL_ID = "1500000000000000002"
USER_ID = "1500000000000000003"
MESSAGE_ID = "1500000000000000004"
THREAD_LINK = "https://x.com/ada/status/1790000000000000001?s=20&t=abc"
CANONICAL = "https://x.com/ada/status/1790000000000000001"
CHANNEL_MESSAGE, DEFERRED, AUTOCOMPLETE_RESULT = 4, 5, 8  # interaction callback types
SLASH, MESSAGE_MENU = 1, 3
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
SUB_COMMAND = 1
STRING_SELECT = 3
STRING, INTEGER, BOOLEAN, ATTACHMENT = 3, 4, 5, 11
MEMBER_PERMISSIONS = 2248473465835073  # everyday member rights, without Manage Server
MANAGE_GUILD = 1 << 5
# the tasks discord.py starts for a slash command / a dynamic component
HANDLER_TASKS = ("CommandTree-invoker", "discord-ui-dynamic-item-")


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
        """Feed an INTERACTION_CREATE as the gateway would, and wait for its handler to finish."""
        before = set(asyncio.all_tasks())
        self.client._connection.parsers["INTERACTION_CREATE"](payload)
        await asyncio.sleep(0)
        tasks = [t for t in asyncio.all_tasks() - before if t.get_name().startswith(HANDLER_TASKS)]
        assert tasks, "no handler started for the interaction"
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


def settings_for(fake: FakeDiscord) -> Settings:
    return Settings(discord_api_url=fake.api_base, discord_bot_token=BOT_TOKEN, redis_url=REDIS_URL)


OTHER_USER_ID = "1500000000000000005"
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # what Discord gives an interaction in a server without boosts


def user(user_id: str = USER_ID) -> dict[str, Any]:
    return {"id": user_id, "username": "ada", "discriminator": "0", "global_name": "Ada", "avatar": None}


def other_user() -> dict[str, Any]:
    """Another member of the server, who wrote a message Ada uses."""
    return {
        "id": OTHER_USER_ID,
        "username": "grace",
        "discriminator": "0",
        "global_name": "Grace Hopper",
        "avatar": None,
    }


def message(content: str, author: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": MESSAGE_ID,
        "channel_id": CHANNEL_ID,
        "guild_id": GUILD_ID,
        "author": author or user(),
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


def interaction(
    data: dict[str, Any],
    permissions: int = MEMBER_PERMISSIONS,
    *,
    kind: int = APPLICATION_COMMAND,
    user_id: str = USER_ID,
    fake: FakeDiscord | None = None,
    attachment_size_limit: int = DEFAULT_UPLOAD_LIMIT,
) -> tuple[dict[str, Any], str, str]:
    """A guild interaction as Discord sends it; returns (payload, id, token).

    With ``fake``, the fake learns the interaction (its channel, and the upload limit it enforces).
    """
    interaction_id = str(1600000000000000000 + uuid.uuid4().int % 10**15)
    token = f"tok-{uuid.uuid4().hex}"
    if fake is not None:
        fake.open_interaction(token, CHANNEL_ID, attachment_size_limit=attachment_size_limit)
    payload = {
        "id": interaction_id,
        "application_id": APPLICATION_ID,
        "type": kind,
        "version": 1,
        "token": token,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "2248473465835073",
        "attachment_size_limit": attachment_size_limit,
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
            "user": user(user_id),
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


def command_id(fake: FakeDiscord, name: str) -> str:
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    return next(c["id"] for c in sync.reply if c["name"] == name)


def option_type(value: Any) -> int:
    return BOOLEAN if isinstance(value, bool) else INTEGER if isinstance(value, int) else STRING


def slash(
    fake: FakeDiscord,
    command: str = "carousel",
    permissions: int = MEMBER_PERMISSIONS,
    /,
    *,
    resolved: dict[str, Any] | None = None,
    option_types: dict[str, int] | None = None,
    attachment_size_limit: int = DEFAULT_UPLOAD_LIMIT,
    **options: Any,
) -> tuple[dict[str, Any], str, str]:
    types = option_types or {}
    data: dict[str, Any] = {
        "id": command_id(fake, command),
        "name": command,
        "type": SLASH,
        "options": [
            {"name": k, "type": types.get(k, option_type(v)), "value": v} for k, v in options.items()
        ],
    }
    if resolved:
        data["resolved"] = resolved
    return interaction(data, permissions, fake=fake, attachment_size_limit=attachment_size_limit)


def subcommand(
    fake: FakeDiscord,
    command: str,
    name: str,
    permissions: int = MEMBER_PERMISSIONS,
    /,
    *,
    focused: str | None = None,
    **options: Any,
) -> tuple[dict[str, Any], str, str]:
    """``/command name option:value …``; with ``focused``, the autocomplete request for that option."""
    given = [{"name": k, "type": option_type(v), "value": v} for k, v in options.items()]
    for option in given:
        if option["name"] == focused:
            option["focused"] = True
    data = {
        "id": command_id(fake, command),
        "name": command,
        "type": SLASH,
        "options": [{"name": name, "type": SUB_COMMAND, "options": given}],
    }
    kind = AUTOCOMPLETE if focused else APPLICATION_COMMAND
    return interaction(data, permissions, kind=kind, fake=fake)


def typing(
    fake: FakeDiscord, command: str = "carousel", /, *, focused: str, **options: Any
) -> tuple[dict[str, Any], str, str]:
    """The autocomplete request Discord sends while ``focused`` is being typed into ``/command``."""
    payload, interaction_id, token = slash(fake, command, **options)
    payload["type"] = AUTOCOMPLETE
    for option in payload["data"]["options"]:
        if option["name"] == focused:
            option["focused"] = True
    return payload, interaction_id, token


def suggestions(fake: FakeDiscord, interaction_id: str, token: str) -> list[dict[str, Any]]:
    """What the bot suggested for an autocomplete request."""
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == AUTOCOMPLETE_RESULT
    return list(callback.json["data"]["choices"])


def menu(
    fake: FakeDiscord, content: str, author: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str, str]:
    """The "Make carousel" menu on a message saying ``content`` (by ``author``: by default the asker)."""
    return interaction(
        {
            "id": command_id(fake, "Make carousel"),
            "name": "Make carousel",
            "type": MESSAGE_MENU,
            "target_id": MESSAGE_ID,
            "resolved": {"messages": {MESSAGE_ID: message(content, author)}},
        },
        fake=fake,
    )


def component(
    result: dict[str, Any],
    custom_id: str,
    *values: str,
    user_id: str = USER_ID,
    permissions: int = MEMBER_PERMISSIONS,
) -> tuple[dict[str, Any], str, str]:
    """Someone (the same person by default) picks ``values`` in the menu ``custom_id`` of ``result``."""
    payload, interaction_id, token = interaction(
        {"custom_id": custom_id, "component_type": STRING_SELECT, "values": list(values)},
        permissions,
        kind=MESSAGE_COMPONENT,
        user_id=user_id,
    )
    payload["message"] = {**result, "channel_id": CHANNEL_ID}
    return payload, interaction_id, token


def jobs(queue: RQJobQueue) -> list[Job]:
    return [Job.fetch(i, connection=queue.connection, serializer=JSONSerializer) for i in queue.queue.job_ids]


def private_answer(fake: FakeDiscord, interaction_id: str, token: str) -> dict[str, Any]:
    """The one ephemeral message an interaction was answered with."""
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE and callback.json["data"]["flags"] & EPHEMERAL
    return dict(callback.json["data"])
