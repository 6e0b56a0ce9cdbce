"""The buttons under a delivered carousel: pick another theme, ratio or format, get it re-rendered.

The worker posts them (format: :mod:`contract.rerender`); the job behind them is found in the
settings store's job record, saved when it was submitted, and the new job names it in
``rerender_of`` so the worker renders the thread it kept instead of fetching it again.

In a group the keyboard under a result is shared by everyone, so it never changes there: only the
person who asked for the carousel (or an admin) may re-render it, and the choices they open come as
a *picker* — a reply to the result, addressed to them, whose buttons only they can use (the settings
store remembers whose it is). A private message would keep the group tidier, but Telegram refuses
it to anyone who never opened a chat with the bot (most members of a group), so the reply in the
group is the one that always arrives. Picking a value turns the picker into the re-render's status
message. In a private chat the choices simply replace the buttons under the result.
"""

from __future__ import annotations

from telegram import Message, ReplyParameters, Update, User
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.settings_model import RERENDER_REPEAT_WINDOW_S, JobRecord
from bot.settings_store import JOB_RECORD_TTL_S
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.carousel import rate_limited, resubmit
from bot.telegram.common import PLATFORM, deps, edit_markup, is_group, may_rerender, picker_key
from contract import JobPayload
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
    chat, user, message = update.effective_chat, update.effective_user, query.message
    if chat is None or str(chat.id) != str(original.reply.chat_id):  # replayed elsewhere: not honoured
        await query.answer(texts.RERENDER_OTHER_CHAT, show_alert=True)
        return
    assert user is not None
    owner = None
    if isinstance(message, Message) and is_group(update):
        owner = await deps(context).store.cached(picker_key(chat.id, message.message_id))
    if owner is not None:  # a picker message: its buttons are for the one person who opened it
        owner_id, _, owner_name = owner.partition(":")
        if owner_id != str(user.id):
            await query.answer(texts.PICKER_NOT_YOURS.format(name=owner_name), show_alert=True)
            return
    elif request.field is not None and not await may_rerender(update, context, original.reply.user_id):
        await query.answer(texts.RERENDER_NOT_YOURS, show_alert=True)
        return
    if request.field is None:
        await query.answer()
        if owner is not None and isinstance(message, Message):
            await close_picker(message)
        else:
            await edit_markup(update, kb.keeping_other_rows(kb.rerender_keyboard(record.job_id), message))
        return
    if request.value is None:
        current = getattr(original.options, request.field)
        options = choices(request.field)
        if is_group(update) and owner is None and isinstance(message, Message):
            # the shared keyboard stays as it is: the choices go to this person alone
            await query.answer(texts.PICKER_SENT.format(field=request.field))
            where = original.reply.thread_id
            await open_picker(context, message, record.job_id, request.field, options, current, user, where)
            return
        await query.answer(texts.RERENDER_CHOOSE.format(field=request.field))
        choices_markup = kb.rerender_choices_keyboard(record.job_id, request.field, options, current)
        await edit_markup(update, kb.keeping_other_rows(choices_markup, message))
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
    if owner is not None and isinstance(message, Message):  # the picker becomes the status message
        await rerender(update, context, record, original, request.field, request.value, status=message)
        return
    await edit_markup(update, kb.keeping_other_rows(kb.rerender_keyboard(record.job_id), message))
    await rerender(update, context, record, original, request.field, request.value)


async def open_picker(
    context: ContextTypes.DEFAULT_TYPE,
    result: Message,
    job_id: str,
    field: str,
    options: list[tuple[str, str]],
    current: str | None,
    user: User,
    thread_id: int | None,
) -> None:
    """The choices for ``field``, as a reply to the result addressed to ``user`` (theirs alone)."""
    picker = await context.bot.send_message(
        result.chat_id,
        texts.PICKER_FOR.format(name=user.first_name, field=field),
        message_thread_id=thread_id,
        reply_parameters=ReplyParameters(message_id=result.message_id, allow_sending_without_reply=True),
        reply_markup=kb.rerender_choices_keyboard(job_id, field, options, current, back=kb.CLOSE),
    )
    await deps(context).store.cache(
        picker_key(picker.chat_id, picker.message_id), f"{user.id}:{user.first_name}", JOB_RECORD_TTL_S
    )


async def close_picker(picker: Message) -> None:
    """Remove a picker its owner closed (its buttons only, if Telegram won't delete it any more)."""
    try:
        await picker.delete()
    except BadRequest:
        await picker.edit_reply_markup(reply_markup=None)


async def rerender(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    record: JobRecord,
    original: JobPayload,
    field: str,
    value: str,
    *,
    status: Message | None = None,
) -> None:
    """The same source and reply address with one option changed, and a status message: a new one,
    or ``status`` (a picker) rewritten into it."""
    user = update.effective_user
    assert user is not None
    reply = original.reply
    queued = texts.QUEUED_RERENDER.format(field=FIELD_LABELS[field], value=choice_label(field, value))
    if status is not None:
        await status.edit_text(queued, reply_markup=None)
    else:
        status = await context.bot.send_message(
            reply.chat_id,
            queued,
            message_thread_id=reply.thread_id,
            reply_parameters=(
                ReplyParameters(message_id=int(reply.reply_to_message_id), allow_sending_without_reply=True)
                if reply.reply_to_message_id is not None
                else None
            ),
        )
    await resubmit(context, record, status, user.id, {field: value})
