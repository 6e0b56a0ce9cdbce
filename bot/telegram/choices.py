"""/theme, /ratio, /format, /cta and /send: a keyboard of choices, or a typed value (``/ratio square``)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.settings_model import Effective
from bot.settings_store import effective, update_value
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    PLATFORM,
    deps,
    describe_value,
    ensure_may_change,
    is_group,
    may_change_settings,
    scope_note,
    scope_of,
)
from bot.telegram.conversation import ask_for, store_text_value
from contract.choices import choice_label, choice_values, choices, typed_choice
from contract.options import CUSTOM_THEME, FIELD_LABELS, THEME_FILE_FIELD

CHOOSE_TEXT = {
    "theme": texts.CHOOSE_THEME,
    "ratio": texts.CHOOSE_RATIO,
    "format": texts.CHOOSE_FORMAT,
    "cta": texts.CHOOSE_CTA,
    "delivery": texts.CHOOSE_DELIVERY,
}


def choice_view(field: str, eff: Effective, note: str) -> tuple[str, InlineKeyboardMarkup]:
    current = eff.value(field)
    per_row = 3 if field == "theme" else kb.BUTTONS_PER_ROW
    return CHOOSE_TEXT[field].format(scope=note), kb.choice_keyboard(field, choices(field), current, per_row)


async def choice_command(update: Update, context: ContextTypes.DEFAULT_TYPE, field: str) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        if await ensure_may_change(update, context):
            typed = " ".join(context.args)
            if field == "theme" and typed.strip().lower() == CUSTOM_THEME:  # a theme of one's own
                await ask_for(update, context, THEME_FILE_FIELD)
                return
            await set_choice(update, context, field, typed_choice(field, typed))
        return
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
    if not await may_change_settings(update, context):  # a group member: no picker they can't use
        current = eff.value(field)
        if field == "delivery" and current in texts.DELIVERY_AS:
            said = texts.GROUP_DELIVERY_BY_ADMINS.format(value=texts.DELIVERY_AS[current])
        else:
            value = describe_value(field, current)
            said = texts.GROUP_CHOICE_BY_ADMINS.format(label=FIELD_LABELS[field], value=value)
        await message.reply_text(said)
        return
    text, markup = choice_view(field, eff, scope_note(update))
    if field == "theme" and await send_theme_preview(update, context, markup):
        return
    await message.reply_text(text, reply_markup=markup)


async def set_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, field: str, value: str) -> bool:
    """Store a choice in the scope's own layer (the caller checked the admin rule)."""
    allowed = choice_values(field)
    message = update.effective_message
    if value not in allowed:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.UNKNOWN_CHOICE.format(choices=", ".join(allowed)))
        elif message is not None:
            await message.reply_text(texts.UNKNOWN_CHOICE.format(choices=", ".join(allowed)))
        return False
    if field == "cta" and value == "link":
        eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
        if not eff.value("cta_link"):  # Link with no address would print the thread's own URL
            if update.callback_query is not None:
                await update.callback_query.answer(texts.CTA_LINK_NEEDED, show_alert=True)
            elif message is not None:
                await message.reply_text(texts.CTA_LINK_NEEDED)
            return False
    await update_value(deps(context).store, scope_of(update), field, value)
    done = texts.SET_DONE.format(label=FIELD_LABELS[field], value=choice_label(field, value))
    if update.callback_query is not None:
        await update.callback_query.answer(done)
    elif message is not None:
        await message.reply_text(done)
    return True


async def send_theme_preview(
    update: Update, context: ContextTypes.DEFAULT_TYPE, markup: InlineKeyboardMarkup
) -> bool:
    """Send the themes preview sheet (uploaded once, then re-sent by file_id) with the keyboard."""
    message = update.effective_message
    path = deps(context).theme_preview
    if message is None or path is None or not path.is_file():
        return False
    store = deps(context).store
    cache_key = f"{PLATFORM}:theme-preview:{path.stat().st_mtime_ns}:{path.stat().st_size}"
    caption = texts.fit_caption(texts.THEME_PREVIEW_CAPTION + scope_note(update))
    file_id = await store.cached(cache_key)
    if file_id:
        await message.reply_photo(file_id, caption=caption, reply_markup=markup)
        return True
    with path.open("rb") as fh:
        sent = await message.reply_photo(fh, caption=caption, reply_markup=markup)
    if sent.photo:
        await store.cache(cache_key, sent.photo[-1].file_id)
    return True


async def theme(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await choice_command(update, context, "theme")


async def ratio(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await choice_command(update, context, "ratio")


async def format_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await choice_command(update, context, "format")


async def send_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/send, /send album|files|zip: how the slides arrive (the PDF always comes too)."""
    await choice_command(update, context, "delivery")


async def cta(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cta, /cta follow|save|link|none, /cta text <words>, /cta link <url>."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if args and args[0].lower() in ("text", "link"):
        if not await ensure_may_change(update, context):
            return
        field = "cta_text" if args[0].lower() == "text" else "cta_link"
        value = " ".join(args[1:]).strip()
        if not value:
            await ask_for(update, context, field)
            return
        await store_text_value(update, context, scope_of(update), field, value)
        return
    await choice_command(update, context, "cta")
