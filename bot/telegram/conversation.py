"""Questions the bot asks and the answers it waits for (a brand name, an accent colour, an avatar…).

``/brand name`` without a value, a brand-kit button or ``/cta link`` asks; the person's next message
(in a group: their reply to the question) answers. The open question is kept in the settings store,
keyed by chat and person, not in the process: it survives a restart and any bot replica can take the
answer (python-telegram-bot's ``ConversationHandler`` would keep it in one process's memory).

A question is never in the way: it expires after ``PROMPT_EXPIRES_S``; the ✖ Cancel button under it
(in a group, where the reply field takes the message's markup: a reply with /cancel) or ``/cancel``
drops it; any other command for this bot drops it before the command runs; and a thread link is never
taken as an answer — it makes a carousel, and the question is dropped.
"""

from __future__ import annotations

from telegram import ForceReply, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes

from bot.settings_model import ImageRef, PendingInput
from bot.settings_store import update_value
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    addressed_to_bot,
    command_of,
    deps,
    edit_markup,
    edit_view,
    is_group,
    pending_key,
    scope_of,
    topic_id,
    whose,
)
from contract.links import find_link
from contract.options import CUSTOM_THEME, FIELD_LABELS, PICTURE_FIELDS, THEME_FILE_FIELD
from contract.sentences import THEME_FILE_SAVED, THEME_FILE_TOO_BIG
from contract.theme_file import ThemeFileRejected, read_theme_file, too_big
from contract.values import ValueRejected, parse_setting
from themes.loader import MAX_THEME_FILE_BYTES

TEXT_INPUT_FIELDS = ("brand.name", "brand.handle", "brand.accent", "brand.footer", "cta_text", "cta_link")


async def ask_for(update: Update, context: ContextTypes.DEFAULT_TYPE, field: str) -> None:
    """Ask for a value; the person's next message (or reply, in groups) answers it."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    store = deps(context).store
    await retire_question(context, await store.pop_pending(pending_key(update)))  # one question at a time
    pending = PendingInput(scope=scope_of(update), field=field)
    await store.set_pending(pending_key(update), pending)
    message = update.effective_message
    ask = texts.ASK_VALUE[field].format(whose=whose(update))
    if not is_group(update):
        cancel = kb.cancel_keyboard(field, texts.ASK_CANCEL_BUTTON)
        question = await context.bot.send_message(chat.id, ask, reply_markup=cancel)
        # remembered so that its ✖ Cancel goes once the question is answered, dropped or replaced
        asked = {"question_chat_id": chat.id, "question_id": question.message_id}
        await store.set_pending(pending_key(update), pending.model_copy(update=asked))
        return
    ask = f"{ask} {texts.ASK_CANCEL_HINT}"
    if update.callback_query is None and message is not None:
        await message.reply_text(ask, reply_markup=ForceReply(selective=True))
        return
    # A button press has no message of the person's to reply to: name them, so that the selective
    # ForceReply opens the reply field for them (and only them).
    name = user.first_name
    await context.bot.send_message(
        chat.id,
        f"{name}, {ask[0].lower()}{ask[1:]}",
        entities=[MessageEntity(MessageEntity.TEXT_MENTION, 0, utf16_len(name), user=user)],
        reply_markup=ForceReply(selective=True),
        message_thread_id=topic_id(message) if isinstance(message, Message) else None,
    )


def utf16_len(text: str) -> int:
    """Length as Telegram counts entity offsets (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


async def store_text_value(
    update: Update, context: ContextTypes.DEFAULT_TYPE, scope: str, field: str, value: str
) -> None:
    message = update.effective_message
    assert message is not None
    try:
        stored = parse_setting(field, value)
    except ValueRejected as rejected:
        await message.reply_text(rejected.sentence)
        return
    await update_value(deps(context).store, scope, field, stored)
    if field == "cta_link":  # a link is given to be shown: the last slide's call to action becomes Link
        await update_value(deps(context).store, scope, "cta", "link")
        await message.reply_text(texts.CTA_LINK_SET.format(link=stored))
        return
    shown = f"@{stored}" if field == "brand.handle" else stored
    await message.reply_text(texts.SET_DONE.format(label=FIELD_LABELS[field], value=shown))


async def drop_pending(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, retire: bool = True
) -> PendingInput | None:
    """Stop waiting for this person's answer; the question that was open, if any (its ✖ Cancel
    button is taken away unless ``retire`` is false: the caller edits the question itself)."""
    pending = await deps(context).store.pop_pending(pending_key(update))
    if retire:
        await retire_question(context, pending)
    return pending


async def retire_question(context: ContextTypes.DEFAULT_TYPE, pending: PendingInput | None) -> None:
    """A question that is over keeps its words but loses its ✖ Cancel button (private chats: a group's
    question has no button), so nothing is left to tap that would only say there is nothing to cancel."""
    if pending is None or pending.question_id is None or pending.question_chat_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(
            pending.question_chat_id, pending.question_id, reply_markup=None
        )
    except TelegramError:  # deleted, or already without its button: nothing to take away
        return


async def open_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> PendingInput | None:
    """The question the bot waits for this person to answer, left open."""
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is not None:
        await store.set_pending(pending_key(update), pending)
    return pending


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: stop waiting for an answer."""
    message = update.effective_message
    assert message is not None
    dropped = await drop_pending(update, context)
    if dropped is None:
        await message.reply_text(texts.NOTHING_TO_CANCEL)
        return
    await message.reply_text(texts.CANCELLED.format(what=FIELD_LABELS[dropped.field]))


async def cancel_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``ask:cancel:{field}``: the Cancel button under a question (only that question is dropped)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    field = kb.parse_ask_data(query.data)
    pending = await open_question(update, context)
    if field is None or pending is None or pending.field != field:  # answered, expired or replaced
        await query.answer(texts.NOTHING_TO_CANCEL)
        await edit_markup(update, None)
        return
    await drop_pending(update, context, retire=False)
    await query.answer()
    await edit_view(update, texts.CANCELLED.format(what=FIELD_LABELS[field]), None)


async def command_drops_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any command runs: a command for this bot (other than /cancel) drops an open question, so
    ``/brand name`` → ``/settings`` → a link does not take the link as the name."""
    command = command_of(update.effective_message)
    if command is None or command[0] == "cancel":
        return
    name, target = command
    if is_group(update) and target is None and name not in known_commands(context):
        return  # a bare /foo in a group may be meant for another bot
    if target is not None and not addressed_to_bot(target, context):
        return
    await drop_pending(update, context)


def known_commands(context: ContextTypes.DEFAULT_TYPE) -> set[str]:
    """The commands this bot has handlers for."""
    handlers = context.application.handlers.get(0, [])
    return {name for h in handlers if isinstance(h, CommandHandler) for name in h.commands}


def holds_thread_link(message: Message) -> bool:
    return find_link(message.text or message.caption or "") is not None


async def awaited_picture(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The picture field (avatar, logo) the bot asked this person for and still waits for."""
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return None
    await store.set_pending(pending_key(update), pending)
    return pending.field if pending.field in PICTURE_FIELDS else None


async def take_pending_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """If the bot asked this person for a text value, store this message as the answer."""
    message = update.effective_message
    assert message is not None
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return False
    if pending.field not in TEXT_INPUT_FIELDS or holds_thread_link(message):
        # still waiting for a picture; or a thread link, which is made into a carousel, not an answer
        await store.set_pending(pending_key(update), pending)
        return False
    await retire_question(context, pending)
    await store_text_value(update, context, pending.scope, pending.field, message.text or "")
    return True


async def take_picture(update: Update, context: ContextTypes.DEFAULT_TYPE, file_id: str) -> bool:
    message = update.effective_message
    assert message is not None
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return False
    if pending.field not in PICTURE_FIELDS:
        await store.set_pending(pending_key(update), pending)
        return False
    await retire_question(context, pending)
    await update_value(store, pending.scope, pending.field, ImageRef(file_id=file_id))
    saved = texts.PICTURE_SAVED_GROUP if is_group(update) else texts.PICTURE_SAVED
    await message.reply_text(saved.format(what=FIELD_LABELS[pending.field]))
    return True


async def take_theme_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """If the bot asked this person for a theme file, check this .toml and save it as the theme."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return False
    if pending.field != THEME_FILE_FIELD:
        await store.set_pending(pending_key(update), pending)
        return False
    name = doc.file_name or "theme.toml"
    try:
        if too_big(doc.file_size):
            raise ThemeFileRejected(THEME_FILE_TOO_BIG.format(file=name, kb=MAX_THEME_FILE_BYTES // 1024))
        file = await context.bot.get_file(doc.file_id)
        text, label = read_theme_file(bytes(await file.download_as_bytearray()), name)
    except ThemeFileRejected as rejected:
        await store.set_pending(pending_key(update), pending)  # still waiting: a fixed file may follow
        await message.reply_text(rejected.sentence)
        return True
    await retire_question(context, pending)
    await update_value(store, pending.scope, THEME_FILE_FIELD, text)
    await update_value(store, pending.scope, "theme", CUSTOM_THEME)
    await message.reply_text(THEME_FILE_SAVED.format(label=label, file=name))
    return True
