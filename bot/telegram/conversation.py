"""Questions the bot asks and the answers it waits for (a brand name, an accent colour, an avatar…).

``/brand name`` without a value, a brand-kit button or ``/cta link`` asks; the person's next message
(in a group: their reply to the question) answers. The open question is kept in the settings store,
keyed by chat and person, not in the process: it survives a restart and any bot replica can take the
answer (python-telegram-bot's ``ConversationHandler`` would keep it in one process's memory).
"""

from __future__ import annotations

from telegram import ForceReply, Message, MessageEntity, Update
from telegram.ext import ContextTypes

from bot.settings_model import ImageRef, PendingInput
from bot.settings_store import update_value
from bot.telegram import texts
from bot.telegram.common import deps, is_group, pending_key, scope_of, topic_id, whose
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
    await deps(context).store.set_pending(
        pending_key(update), PendingInput(scope=scope_of(update), field=field)
    )
    message = update.effective_message
    ask = texts.ASK_VALUE[field].format(whose=whose(update))
    if update.callback_query is None and message is not None:
        force = ForceReply(selective=True) if is_group(update) else None
        await message.reply_text(ask, reply_markup=force)
        return
    if not is_group(update):
        await context.bot.send_message(chat.id, ask)
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
    shown = f"@{stored}" if field == "brand.handle" else stored
    await message.reply_text(texts.SET_DONE.format(label=FIELD_LABELS[field], value=shown))


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
    if pending.field not in TEXT_INPUT_FIELDS:
        await store.set_pending(pending_key(update), pending)  # still waiting for a picture
        return False
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
    await update_value(store, pending.scope, THEME_FILE_FIELD, text)
    await update_value(store, pending.scope, "theme", CUSTOM_THEME)
    await message.reply_text(THEME_FILE_SAVED.format(label=label, file=name))
    return True
