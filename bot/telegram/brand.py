"""/brand: the brand kit (name, @handle, avatar, logo, accent colour, footer, watermark)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.settings_model import FIELDS, Effective, Look
from bot.settings_store import effective, update_value
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    ON_OFF,
    deps,
    describe_value,
    edit_view,
    ensure_may_change,
    is_group,
    may_change_settings,
    scope_note,
    scope_of,
)
from bot.telegram.conversation import TEXT_INPUT_FIELDS, ask_for, store_text_value
from contract.options import FIELD_LABELS, PICTURE_FIELDS


def brand_lines(eff: Effective) -> str:
    return "\n".join(
        f"• {FIELD_LABELS[f].removeprefix('brand ')}: {describe_value(f, eff.value(f))}"
        for f in FIELDS
        if f.startswith("brand.")
    )


def brand_view(eff: Effective, note: str) -> tuple[str, InlineKeyboardMarkup]:
    text = texts.BRAND_TITLE.format(scope=note, lines=brand_lines(eff))
    return text, kb.brand_keyboard(bool(eff.value("brand.watermark")))


async def brand(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/brand shows the kit; /brand <field> [value] changes one part of it."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    store = deps(context).store
    if not args:
        eff = await effective(store, scope_of(update), is_group=is_group(update))
        if not await may_change_settings(update, context):  # a group member: the kit, no buttons
            await message.reply_text(texts.GROUP_BRAND_BY_ADMINS.format(lines=brand_lines(eff)))
            return
        text, markup = brand_view(eff, scope_note(update))
        await message.reply_text(text, reply_markup=markup)
        return
    if not await ensure_may_change(update, context):
        return
    sub, value = args[0].lower(), " ".join(args[1:]).strip()
    if sub == kb.CLEAR:
        state = await store.state(scope_of(update))
        await store.set_personal(scope_of(update), state.personal.model_copy(update={"brand": Look().brand}))
        await message.reply_text(texts.BRAND_CLEARED)
        return
    if sub == "watermark":
        if value.lower() not in ON_OFF:
            await message.reply_text(texts.BRAND_USAGE)
            return
        await update_value(store, scope_of(update), "brand.watermark", ON_OFF[value.lower()])
        await message.reply_text(texts.SET_DONE.format(label="watermark", value=value.lower()))
        return
    field = f"brand.{sub}"
    if field in PICTURE_FIELDS or (field in TEXT_INPUT_FIELDS and not value):
        await ask_for(update, context, field)
        return
    if field not in TEXT_INPUT_FIELDS:
        await message.reply_text(texts.BRAND_USAGE)
        return
    await store_text_value(update, context, scope_of(update), field, value)


async def brand_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``brand:{field}`` asks for a value; ``brand:clear`` clears the kit."""
    query = update.callback_query
    assert query is not None and query.data is not None
    sub = kb.parse_brand_data(query.data)
    if sub is None:
        await query.answer()
        return
    if not await ensure_may_change(update, context):
        return
    store = deps(context).store
    if sub == kb.CLEAR:
        state = await store.state(scope_of(update))
        await store.set_personal(scope_of(update), state.personal.model_copy(update={"brand": Look().brand}))
        await query.answer(texts.BRAND_CLEARED)
        eff = await effective(store, scope_of(update), is_group=is_group(update))
        await edit_view(update, *brand_view(eff, scope_note(update)))
        return
    field = f"brand.{sub}"
    if field not in PICTURE_FIELDS and field not in TEXT_INPUT_FIELDS:
        await query.answer()
        return
    await query.answer()
    await ask_for(update, context, field)
