"""The Discord front-end: a ``discord.Client`` with an application-command tree.

Only wiring lives here: where the REST API and gateway are, the tree and its one error handler,
and ``run``. Rendering happens in the workers; results come back through Discord's HTTP API.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.discord.caption import CaptionButton
from bot.discord.commands import build_commands
from bot.discord.common import tell
from bot.discord.next_posts import NextPostsButton
from bot.discord.rerender import RerenderMenu
from bot.discord.transformers import InputRejected, ThemeTransformer
from bot.held import HeldLinks
from contract import redact
from contract.errors import GENERIC_FAILURE, UserError
from contract.sentences import QUEUE_DOWN
from worker.config import Settings
from worker.queue import JobQueue, make_queue

if TYPE_CHECKING:
    from bot.settings_store import SettingsStore

log = logging.getLogger(__name__)

UNREADABLE_OPTION = "I couldn't read the “{name}” option. Please check it and try again."
STALE_COMMAND = "I don't have that command any more, so type / to see the ones I have."
STALE_COMPONENT = (
    "That button or menu no longer does anything, so please make the carousel again with /carousel."
)


def sentence_for(error: app_commands.AppCommandError) -> str | None:
    """The sentence a user should read for ``error``; None when it is a bug (log it)."""
    if isinstance(error, InputRejected):
        return error.sentence
    if isinstance(error, app_commands.TransformerError):
        cause = error.__cause__
        if isinstance(cause, InputRejected):
            return cause.sentence
        return UNREADABLE_OPTION.format(name=getattr(error.transformer, "_error_display_name", "option"))
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserError):
        return error.original.message
    if isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
        return STALE_COMMAND  # a command Discord still shows from an older version of the bot
    return None


def answered_elsewhere(client: discord.Client, interaction: discord.Interaction[Any]) -> bool:
    """Whether a view, a dynamic item or a modal of this process takes this component or modal
    interaction (the lookup discord.py's view store makes when it dispatches one)."""
    store = getattr(client._connection, "_view_store", None)
    if store is None:  # not a discord.py this was written for: leave the interaction alone
        return True
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is discord.InteractionType.modal_submit:
        return custom_id in store._modals
    if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
        return True
    key = (data.get("component_type"), custom_id)
    message_id = interaction.message.id if interaction.message is not None else None
    return key in store._views.get(message_id, {}) or key in store._views.get(None, {})


class CarouselTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        from redis.exceptions import RedisError

        sentence = sentence_for(error)
        original = getattr(error, "original", None)
        if sentence is None and isinstance(original, RedisError):  # Redis away: say so, stay up
            log.warning("command failed: Redis unreachable (%s)", original.__class__.__name__)
            sentence = QUEUE_DOWN
        if sentence is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed", command, exc_info=error)
            sentence = GENERIC_FAILURE
        await tell(interaction, sentence)


class CarouselBot(discord.Client):
    def __init__(
        self,
        settings: Settings,
        queue: JobQueue,
        *,
        store: SettingsStore | None = None,
        themes: ThemeTransformer | None = None,
    ) -> None:
        super().__init__(intents=discord.Intents.default())
        self.settings = settings
        self.queue = queue
        self.store = store
        self.tree = CarouselTree(self)
        self.held = HeldLinks()  # links that came while Redis was away, started once it is back
        for command in build_commands(themes):
            self.tree.add_command(command)
        # the menus and the buttons (caption, next posts) under every delivered carousel, across restarts
        self.add_dynamic_items(RerenderMenu, CaptionButton, NextPostsButton)

    async def setup_hook(self) -> None:
        synced = await self.tree.sync()
        log.info("synced %d application commands", len(synced))

    async def close(self) -> None:
        await self.held.close()
        await super().close()

    async def on_ready(self) -> None:
        log.info("Discord bot ready as %s", self.user)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A button, menu or form nothing here answers (made by an older version of the bot, or a
        view that timed out) gets one private sentence instead of Discord's "interaction failed".

        Every interaction's token is named to the log redaction first: no later line carries it."""
        redact.remember(interaction.token)
        kinds = (discord.InteractionType.component, discord.InteractionType.modal_submit)
        if interaction.type not in kinds or answered_elsewhere(self, interaction):
            return
        data: Any = interaction.data or {}
        log.info("interaction with unknown component %r answered", data.get("custom_id"))
        await tell(interaction, STALE_COMPONENT)


def point_at(settings: Settings) -> None:
    """Send REST calls (including interaction callbacks and webhooks) and the gateway where configured.

    discord.py has no public option for either; both are process-wide class attributes it reads
    when it builds a request or connects.
    """
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        import yarl

        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def build_client(settings: Settings, queue: JobQueue, *, store: SettingsStore | None = None) -> CarouselBot:
    redact.install([settings.discord_bot_token, settings.telegram_bot_token])  # no token in any log line
    point_at(settings)
    return CarouselBot(settings, queue, store=store)


def make_store(settings: Settings) -> SettingsStore:
    from bot.settings_store import MemorySettingsStore, RedisSettingsStore

    if settings.redis_url:
        from worker.config import redis_options
        from worker.limits import DISCORD_REDIS_CONNECT_TIMEOUT_S, DISCORD_REDIS_RETRIES

        # what a command or menu reads before answering must fail within Discord's 3 s when Redis is away
        quick = redis_options(
            asyncio=True, retries=DISCORD_REDIS_RETRIES, connect_timeout_s=DISCORD_REDIS_CONNECT_TIMEOUT_S
        )
        return RedisSettingsStore.from_url(settings.redis_url, redis=quick)
    return MemorySettingsStore()


def run(settings: Settings) -> None:
    """Run the bot until interrupted (an embedded worker runs jobs when REDIS_URL is unset)."""
    if not settings.discord_bot_token:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    queue = make_queue(settings)
    client = build_client(settings, queue, store=make_store(settings))
    try:
        client.run(settings.discord_bot_token, log_handler=None)
    finally:
        shutdown = getattr(queue, "shutdown", None)
        if shutdown is not None:
            shutdown()
