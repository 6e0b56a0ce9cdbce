"""The "Next posts" button under a capped carousel: the following posts as a carousel of their own.

The worker puts it under a result that left posts out (format: :mod:`contract.next_posts`). The
new job has the same source and options with ``posts_offset`` moved on, and names the pressed
result's job in ``rerender_of``, so the worker takes the thread that job kept instead of fetching it.
"""

from __future__ import annotations

from telegram import ReplyParameters, Update
from telegram.ext import ContextTypes

from bot.settings_model import RERENDER_REPEAT_WINDOW_S
from bot.telegram import texts
from bot.telegram.carousel import rate_limited, resubmit
from bot.telegram.common import PLATFORM, deps, may_rerender
from contract import JobPayload
from contract.next_posts import parse_next_posts
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX


async def next_posts_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``nx:{job}:{offset}:{first}:{last}``: the posts after a capped result, as a new carousel."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    request = parse_next_posts(query.data)
    if request is None:
        await query.answer()
        return
    record = await deps(context).store.job(request.job)
    if record is None:
        await query.answer(texts.RERENDER_GONE, show_alert=True)
        return
    original = JobPayload.model_validate(record.payload)
    chat = update.effective_chat
    if chat is None or str(chat.id) != str(original.reply.chat_id):  # replayed elsewhere: not honoured
        await query.answer(texts.RERENDER_OTHER_CHAT, show_alert=True)
        return
    if not await may_rerender(update, context, original.reply.user_id):
        await query.answer(texts.NEXT_POSTS_NOT_YOURS, show_alert=True)
        return
    wait = await rate_limited(update, context)
    if wait:
        await query.answer(texts.RATE_LIMITED.format(seconds=wait), show_alert=True)
        return
    pressed = f"{PLATFORM}:next:{request.job}:{request.offset}"
    if not await deps(context).store.claim(pressed, RERENDER_REPEAT_WINDOW_S):
        await query.answer(texts.NEXT_POSTS_REPEAT.format(span=request.span))
        return
    await query.answer(texts.NEXT_POSTS_TOAST.format(span=request.span)[:TELEGRAM_ANSWER_CALLBACK_MAX])

    reply = original.reply
    status = await context.bot.send_message(
        reply.chat_id,
        texts.QUEUED_NEXT_POSTS.format(span=request.span),
        message_thread_id=reply.thread_id,
        reply_parameters=(
            ReplyParameters(message_id=int(reply.reply_to_message_id), allow_sending_without_reply=True)
            if reply.reply_to_message_id is not None
            else None
        ),
    )
    await resubmit(context, record, status, user.id, {"posts_offset": request.offset})
