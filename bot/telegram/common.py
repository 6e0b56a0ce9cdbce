"""What every Telegram handler needs: its dependencies, where the update comes from, who may change
settings there, and how a pressed button's message is redrawn.

Every handler has the same signature ``async (update, context) -> None``; the dependencies (queue,
settings store, rate limiter) live in ``application.bot_data`` (see :func:`deps`). Nothing in this
front-end renders or fetches a thread: that is the worker's job, reached only through the contract's
:class:`~contract.job.JobPayload` on the queue.
"""

from __future__ import annotations

import asyncio
import logging
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot.held import HeldLinks
from bot.settings_model import ImageRef, chat_scope, user_scope
from bot.settings_store import SettingsStore
from bot.telegram import texts
from bot.telegram.line import LineStore, MemoryLineStore
from bot.telegram.ratelimit import RateLimiter
from contract.choices import CHOICE_FIELDS, choice_label
from contract.options import THEME_FILE_FIELD
from worker.config import Settings
from worker.queue import JobQueue

log = logging.getLogger(__name__)

PLATFORM: Literal["telegram"] = "telegram"
DEPS_KEY = "carousel"
ON_OFF = {"on": True, "off": False}


@dataclass
class BotDeps:
    settings: Settings
    queue: JobQueue
    store: SettingsStore
    limiter: RateLimiter
    theme_preview: Path | None = None  # a preview sheet of all themes, sent with /theme when present
    held: HeldLinks = field(default_factory=HeldLinks)  # links that came while Redis was away
    line: LineStore = field(default_factory=MemoryLineStore)  # links waiting for the rate limit
    line_tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # chat → the task moving it


def deps_of(application: Application) -> BotDeps:
    return typing.cast(BotDeps, application.bot_data[DEPS_KEY])


def deps(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    return deps_of(context.application)


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


def scope_of(update: Update) -> str:
    """The settings owner: the person in a private chat, the group in a group."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and chat.type != ChatType.PRIVATE:
        return chat_scope(PLATFORM, chat.id)
    assert user is not None
    return user_scope(PLATFORM, user.id)


def whose(update: Update) -> str:
    return texts.WHOSE_GROUP if is_group(update) else texts.WHOSE_PRIVATE


def scope_note(update: Update) -> str:
    return " " + texts.GROUP_SETTINGS_NOTE if is_group(update) else ""


def topic_id(message: Message) -> int | None:
    """The forum topic a message belongs to (replies go to the same topic)."""
    return message.message_thread_id if message.is_topic_message else None


def pending_key(update: Update) -> str:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return f"{PLATFORM}:{chat.id}:{user.id}"


def command_of(message: Message | None) -> tuple[str, str | None] | None:
    """``/foo@some_bot args`` → ``("foo", "some_bot")``; ``/foo`` → ``("foo", None)``; None: no command."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    name, _, target = message.parse_entity(first)[1:].partition("@")
    return name.lower(), target.lower() or None


def addressed_to_bot(target: str | None, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A command's ``@bot`` part names this bot."""
    return target is not None and target == (context.bot.username or "").lower()


async def may_change_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In private chats always; in groups only the chat's administrators (checked with getChatMember)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator posting as the group
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def may_rerender(
    update: Update, context: ContextTypes.DEFAULT_TYPE, requester: int | str | None
) -> bool:
    """A result is re-rendered by the person who asked for it, or (in a group) by an administrator."""
    user = update.effective_user
    if not is_group(update) or (user is not None and str(user.id) == str(requester)):
        return True
    return await may_change_settings(update, context)


def picker_key(chat_id: int | str, message_id: int) -> str:
    """Settings-store cache key naming who a picker message (choices sent to one person) belongs to."""
    return f"{PLATFORM}:picker:{chat_id}:{message_id}"


async def ensure_may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if await may_change_settings(update, context):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(texts.ADMINS_ONLY, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.ADMINS_ONLY)
    return False


async def edit_markup(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def edit_view(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show another view in the pressed message (a text message), or as a new message under a photo."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    elif isinstance(message, Message):
        await message.reply_text(text, reply_markup=markup)


def describe_value(field: str, value: Any) -> str:
    if value is None:
        return texts.NOT_SET
    if isinstance(value, ImageRef):
        return "set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if field == "brand.handle":
        return f"@{value}"
    if field == THEME_FILE_FIELD:
        return "sent as a file"
    if field in CHOICE_FIELDS:
        return choice_label(field, value)
    return str(value)


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback; tell the person one short sentence."""
    from redis.exceptions import RedisError

    away = isinstance(context.error, RedisError)
    if away:  # a restart or an outage, not a bug: one line, no traceback
        log.warning("handling an update met Redis away (%s)", context.error.__class__.__name__)
    else:
        log.error("handling an update failed: %s", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if away:
        from bot.telegram.outage import redis_away

        if await redis_away(update, context):  # a link: "busy, queued", started once Redis is back
            return
    # Redis away (a restart, an outage): the sentence says so, the next message will work again
    sentence = texts.QUEUE_DOWN if away else texts.ERROR
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(sentence)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(sentence)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
