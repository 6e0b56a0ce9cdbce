"""The "📝 Caption" button under a delivered carousel: a ready-to-paste post text for LinkedIn or
Instagram, with the alt text of every slide.

The front-end only checks the press and queues a :class:`~contract.job.PostTextPayload` naming the job
(its reference is in the callback data, see :mod:`contract.rerender`); a worker builds the text from
what it kept of that job and sends it to the chat, as a reply to the result.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import texts
from bot.telegram.common import PLATFORM, deps
from contract import JobPayload, ReplyAddress
from contract.job import PostTextPayload
from contract.rerender import parse_caption

log = logging.getLogger(__name__)

CAPTION_REPEAT_WINDOW_S = 10  # the same person pressing again within this gets one post text


async def caption_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``caption:{job}``: queue the post text of that job for this chat."""
    query = update.callback_query
    assert query is not None
    ref = parse_caption(query.data or "")
    if ref is None:
        await query.answer()
        return
    d = deps(context)
    record = await d.store.job(ref)
    if record is None:
        await query.answer(texts.CAPTION_GONE, show_alert=True)
        return
    original = JobPayload.model_validate(record.payload)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or str(chat.id) != str(original.reply.chat_id):
        await query.answer(texts.RERENDER_OTHER_CHAT, show_alert=True)
        return
    if not await d.store.claim(f"{PLATFORM}:caption:{ref}:{user.id}", CAPTION_REPEAT_WINDOW_S):
        await query.answer(texts.CAPTION_REPEAT)
        return
    result = query.message
    reply = ReplyAddress(
        platform=PLATFORM,
        chat_id=chat.id,
        thread_id=original.reply.thread_id,
        reply_to_message_id=result.message_id if result is not None else None,
        user_id=user.id,
    )
    try:
        await asyncio.to_thread(d.queue.submit_post_text, PostTextPayload(job=ref, reply=reply))
    except Exception:
        log.exception("queueing the post text of %s failed", ref)
        await query.answer(texts.QUEUE_DOWN, show_alert=True)
        return
    await query.answer(texts.CAPTION_TOAST)
