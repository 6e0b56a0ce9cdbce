"""Wiring of the Telegram front-end: handlers by command family, commands menu, flood control, polling.

The families: :mod:`~bot.telegram.carousel` (links, text, files, /start, /help),
:mod:`~bot.telegram.choices` (/theme, /ratio, /format, /cta), :mod:`~bot.telegram.brand`,
:mod:`~bot.telegram.presets`, :mod:`~bot.telegram.settings_menu` (/settings, /reset, ``set:`` buttons),
:mod:`~bot.telegram.group` (/autolink), :mod:`~bot.telegram.rerender` and :mod:`~bot.telegram.caption`
(buttons under a result) and
:mod:`~bot.telegram.conversation` (answers to the bot's questions).
"""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import BotCommand, BotCommandScopeAllGroupChats, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.settings_store import SettingsStore, make_store
from bot.telegram import (
    brand,
    caption,
    carousel,
    choices,
    conversation,
    group,
    max_posts,
    next_posts,
    presets,
    rerender,
    settings_menu,
    waiting,
)
from bot.telegram import keyboards as kb
from bot.telegram.common import DEPS_KEY, BotDeps, deps_of, error
from bot.telegram.line import LineStore, make_line_store
from bot.telegram.ratelimit import RateLimiter, make_rate_limiter
from bot.telegram.texts import AUTOLINK_COMMAND, COMMANDS
from contract import redact
from contract.next_posts import NEXT_PREFIX
from contract.rerender import CAPTION_PREFIX, RERENDER_PREFIX
from worker.config import Settings
from worker.limits import TELEGRAM_FLOOD_RETRIES
from worker.queue import JobQueue, make_queue

log = logging.getLogger(__name__)

# Written by `carousel themes --preview out/themes`; /theme sends it when it exists (a file, or the
# first PNG in a folder).
DEFAULT_THEME_PREVIEW = Path("out/themes")


def find_theme_preview(path: Path | None) -> Path | None:
    if path is None:
        return None
    if path.is_dir():
        sheets = sorted(path.glob("*.png"))
        return sheets[0] if sheets else None
    return path


async def register_commands(application: Application) -> None:
    """post_init: the command menus (setMyCommands): private chats get the default one, groups add
    /autolink (a group setting, meaningless in a private chat)."""
    await application.bot.set_my_commands([BotCommand(name, about) for name, about in COMMANDS])
    await application.bot.set_my_commands(
        [BotCommand(name, about) for name, about in (*COMMANDS, AUTOLINK_COMMAND)],
        scope=BotCommandScopeAllGroupChats(),
    )


async def start_up(application: Application) -> None:
    """post_init: the command menus, and the links a previous process left waiting move again."""
    await register_commands(application)
    await waiting.resume(application)


async def close_store(application: Application) -> None:
    """post_shutdown: the waiting lines stop (what waits stays stored), links held for Redis are
    dropped, and the store's connections close."""
    await waiting.stop(application)
    await deps_of(application).held.close()
    await deps_of(application).store.close()


def build_application(
    settings: Settings,
    queue: JobQueue,
    *,
    store: SettingsStore | None = None,
    limiter: RateLimiter | None = None,
    line: LineStore | None = None,
    theme_preview: Path | None = DEFAULT_THEME_PREVIEW,
    updater: bool = True,
) -> Application:
    """The bot, ready for ``run_polling`` (or ``initialize`` + ``process_update`` in tests)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    redact.install([settings.telegram_bot_token, settings.discord_bot_token])  # no token in any log line
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .rate_limiter(AIORateLimiter(max_retries=TELEGRAM_FLOOD_RETRIES))  # 429s are waited out
        .post_init(start_up)
        .post_shutdown(close_store)
    )
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[DEPS_KEY] = BotDeps(
        settings=settings,
        queue=queue,
        store=store or make_store(settings.redis_url),
        limiter=limiter or make_rate_limiter(settings.redis_url),
        line=line or make_line_store(settings.redis_url),
        theme_preview=find_theme_preview(theme_preview),
    )

    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE
    # first, before any command runs: a command for this bot closes the question the bot asked
    application.add_handler(
        MessageHandler(new_message & filters.COMMAND, conversation.command_drops_question), group=-1
    )
    for command, handler in (
        ("start", carousel.start),
        ("cancel", conversation.cancel),
        ("help", carousel.help_command),
        ("carousel", carousel.carousel),
        ("theme", choices.theme),
        ("ratio", choices.ratio),
        ("format", choices.format_command),
        ("send", choices.send_command),
        ("cta", choices.cta),
        ("maxposts", max_posts.max_posts_command),
        ("brand", brand.brand),
        ("preset", presets.preset),
        ("settings", settings_menu.settings_command),
        ("reset", settings_menu.reset),
        ("autolink", group.autolink),
    ):
        application.add_handler(CommandHandler(command, handler, filters=new_message))
    # one callback handler per keyboard, told apart by the callback data's prefix
    for prefix, handler in (
        (RERENDER_PREFIX, rerender.rerender_button),
        (CAPTION_PREFIX, caption.caption_button),
        (NEXT_PREFIX, next_posts.next_posts_button),
        (kb.SET_PREFIX, settings_menu.settings_button),
        (kb.BRAND_PREFIX, brand.brand_button),
        (kb.PRESET_PREFIX, presets.preset_button),
        (kb.ASK_PREFIX, conversation.cancel_button),
        (kb.AUTOLINK_PREFIX, group.autolink_button),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=rf"^{prefix}{kb.SEP}"))
    # plain messages: answers to the bot's questions come first (see bot.telegram.conversation)
    application.add_handler(MessageHandler(new_message & filters.PHOTO, carousel.photo))
    application.add_handler(MessageHandler(new_message & filters.Document.ALL, carousel.document))
    application.add_handler(
        MessageHandler(new_message & private & filters.TEXT & ~filters.COMMAND, carousel.private_text)
    )
    application.add_handler(
        MessageHandler(
            new_message & groups & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, carousel.group_message
        )
    )
    # every other update gets an answer, or a deliberate silence: unknown buttons stop their spinner
    # with a sentence; in a private chat unknown commands, stickers and the like get a sentence;
    # in groups the bot stays quiet about what was not meant for it (an unknown /foo@this_bot is answered)
    application.add_handler(CallbackQueryHandler(carousel.unknown_button))
    application.add_handler(MessageHandler(new_message & filters.COMMAND, carousel.unknown_command))
    application.add_handler(MessageHandler(new_message & private, carousel.not_understood))
    application.add_error_handler(error)
    return application


def run_polling(settings: Settings, theme_preview: Path | None = DEFAULT_THEME_PREVIEW) -> None:
    """`carousel telegram`: long polling; an embedded worker when REDIS_URL is unset."""
    queue = make_queue(settings)
    if not settings.redis_url:
        log.info("REDIS_URL is not set: jobs run in this process and settings live in memory")
    application = build_application(settings, queue, theme_preview=theme_preview)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        shutdown = getattr(queue, "shutdown", None)
        if callable(shutdown):
            shutdown()
