"""The buttons under a delivered carousel: pick another theme, ratio or format, get it re-rendered.

The worker posts them (format: :mod:`contract.rerender`); the job behind them is found in the
settings store's job record, saved when it was submitted, and the new job names it in
``rerender_of`` so the worker renders the thread it kept instead of fetching it again.
"""

from __future__ import annotations

from telegram import ReplyParameters, Update
from telegram.ext import ContextTypes

from bot.settings_model import RERENDER_REPEAT_WINDOW_S, JobRecord
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.carousel import rate_limited, resolve_images, submit
from bot.telegram.common import PLATFORM, deps, edit_markup
from contract import JobPayload, RenderOptions
from contract.choices import choice_label, choice_values, choices
from contract.options import FIELD_LABELS
from contract.rerender import parse_rerender
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX


async def rerender_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rr:{job}[:{field}[:{value}]]`` under a delivered carousel: pick a field, a value, re-render."""
    query = update.callback_query
    assert query is not None and query.data is not None
    request = parse_rerender(query.data)
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
    if request.field is None:
        await query.answer()
        await edit_markup(update, kb.rerender_keyboard(record.job_id))
        return
    if request.value is None:
        await query.answer(texts.RERENDER_CHOOSE.format(field=request.field))
        current = getattr(original.options, request.field)
        options = choices(request.field)
        await edit_markup(
            update, kb.rerender_choices_keyboard(record.job_id, request.field, options, current)
        )
        return
    if request.value not in choice_values(request.field):
        await query.answer(texts.UNKNOWN_CHOICE.format(choices=", ".join(choice_values(request.field))))
        return
    label = FIELD_LABELS[request.field]
    value_label = choice_label(request.field, request.value)
    if request.value == getattr(original.options, request.field):
        await query.answer(texts.RERENDER_SAME.format(field=label, value=value_label))
        return
    wait = await rate_limited(update, context)
    if wait:
        await query.answer(texts.RATE_LIMITED.format(seconds=wait), show_alert=True)
        return
    pressed = f"{PLATFORM}:rerender:{request.job}:{request.field}:{request.value}"
    if not await deps(context).store.claim(pressed, RERENDER_REPEAT_WINDOW_S):
        await query.answer(texts.RERENDER_REPEAT.format(value=value_label))
        return
    await query.answer(
        texts.RERENDER_TOAST.format(field=label, value=value_label)[:TELEGRAM_ANSWER_CALLBACK_MAX]
    )
    await edit_markup(update, kb.rerender_keyboard(record.job_id))
    await rerender(update, context, record, original, request.field, request.value)


async def rerender(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    record: JobRecord,
    original: JobPayload,
    field: str,
    value: str,
) -> None:
    """The same source and reply address with one option changed, and a new status message."""
    user = update.effective_user
    assert user is not None
    reply = original.reply
    status = await context.bot.send_message(
        reply.chat_id,
        texts.QUEUED_RERENDER.format(field=FIELD_LABELS[field], value=choice_label(field, value)),
        message_thread_id=reply.thread_id,
        reply_parameters=(
            ReplyParameters(message_id=int(reply.reply_to_message_id), allow_sending_without_reply=True)
            if reply.reply_to_message_id is not None
            else None
        ),
    )
    urls = await resolve_images(context, record.images)  # fresh download URLs for the brand pictures
    brand = original.options.brand.model_dump()
    brand.update({field_path.removeprefix("brand.") + "_url": url for field_path, url in urls.items()})
    options = RenderOptions.model_validate({**original.options.model_dump(), field: value, "brand": brand})
    payload = JobPayload(
        source=original.source,
        source_kind=original.source_kind,
        options=options,
        reply=reply.model_copy(update={"status_message_id": status.message_id, "user_id": user.id}),
        rerender_of=record.job_id,
    )
    await submit(context, payload, status, record.images)
