"""Telegram while Redis is away: a link is answered "busy, your carousel is queued" and started once
Redis is back (see :mod:`bot.held`), exactly once.

Two moments can meet Redis away. Before anything was said (the rate limit, the saved settings, an open
question are all in Redis): the error handler holds the whole update (:func:`redis_away`), answers
with the "busy" sentence, and the update is processed again once Redis answers — its status message
then becomes the "busy" one (:func:`status_reply`). After the status was sent, when the job itself
cannot be queued: :func:`hold_job` keeps the finished payload and queues it later.

A group message that was not addressed to the bot gets no answer during an outage (it may not have
been for us: whether auto-link is on is in Redis too); it is held quietly when it holds a link.
"""

from __future__ import annotations

import asyncio
import logging
import math

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.common import PLATFORM, addressed_to_bot, command_of, deps
from contract import JobPayload
from contract.sentences import BUSY_QUEUED, HELD_GIVEN_UP
from worker.limits import HELD_LINK_MAX_AGE_S

log = logging.getLogger(__name__)


def held_key(chat_id: int | str, message_id: int | str | None) -> str:
    return f"{PLATFORM}:{chat_id}:{message_id}"


def _message_key(update: Update) -> str | None:
    message = update.message  # a new message (an edit is not a new request)
    return held_key(message.chat_id, message.message_id) if message is not None else None


def addressed(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A private message, a command, a mention of the bot or a reply to it: meant for the bot."""
    from bot.telegram.carousel import mentions_bot, replies_to_bot

    if message.chat.type == ChatType.PRIVATE:
        return True
    command = command_of(message)
    if command is not None and (command[1] is None or addressed_to_bot(command[1], context)):
        return True
    return mentions_bot(message, context) or replies_to_bot(message, context)


def carries_carousel(message: Message, context: ContextTypes.DEFAULT_TYPE, to_us: bool) -> bool:
    """Whether the message asks for a carousel: a thread link (in it, or in the message a command or
    mention answers), or in a private chat a text that reads as a thread."""
    from bot.telegram.carousel import links_in
    from contract.text import reads_as_thread

    if links_in(message).url:
        return True
    if to_us and links_in(message.reply_to_message).url:
        return True
    return message.chat.type == ChatType.PRIVATE and reads_as_thread(message.text or "")


async def redis_away(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """An update whose handler met Redis away: held and answered here (True), or the caller says its
    sentence (False: nothing to hold, or too many held)."""
    key = _message_key(update)
    message = update.message
    if key is None or message is None:
        return False
    held = deps(context).held
    if held.replaying(key):  # its second try met Redis away again: keep it, say nothing more
        held.still_away(key)
        return True
    to_us = addressed(message, context)
    if not carries_carousel(message, context, to_us):
        return not to_us  # a group's chatter during an outage is not answered
    application = context.application

    async def start() -> None:
        await application.process_update(update)

    if not held.hold(key, message.chat_id, start, give_up):
        return False
    if to_us:
        held.set_status(key, await message.reply_text(BUSY_QUEUED, do_quote=True))
    return True


async def status_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> Message:
    """The message that shows a new carousel's progress: the "busy" one, when this update was held
    during an outage, or else a new reply."""
    message = update.effective_message
    assert message is not None
    key = _message_key(update)
    busy = deps(context).held.status(key) if key is not None else None
    if isinstance(busy, Message):
        try:
            edited = await busy.edit_text(text)
            if isinstance(edited, Message):
                return edited
        except TelegramError:
            log.warning("could not reuse the busy message for %s", key, exc_info=True)
    return await message.reply_text(text, do_quote=True)


async def hold_job(
    context: ContextTypes.DEFAULT_TYPE, payload: JobPayload, status: Message, images: dict[str, str]
) -> bool:
    """Queue ``payload`` once Redis is back; ``status`` says so meanwhile. False: too many held."""
    d = deps(context)

    from bot.telegram.carousel import remember

    async def start() -> None:
        job_id = await asyncio.to_thread(d.queue.submit, payload)
        log.info("queued held job %s for chat %s", job_id, payload.reply.chat_id)
        await remember(context, job_id, payload, images)

    key = f"{held_key(status.chat_id, status.message_id)}:job"
    if not d.held.hold(key, status.chat_id, start, give_up):
        return False
    d.held.set_status(key, status)
    try:
        await status.edit_text(BUSY_QUEUED)
    except TelegramError:
        log.warning("could not say that job of chat %s is held", status.chat_id, exc_info=True)
    return True


async def give_up(status: object) -> None:
    """A link held too long: its "busy" message says so (a quiet hold stays quiet)."""
    if isinstance(status, Message):
        await status.edit_text(HELD_GIVEN_UP.format(minutes=math.ceil(HELD_LINK_MAX_AGE_S / 60)))
