"""/settings (what the next carousel uses, and where each value comes from), /reset, and the
``set:`` buttons that open or change one setting from there."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.settings_model import FIELDS, Effective
from bot.settings_store import effective, update_value
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.brand import brand_view
from bot.telegram.choices import choice_view, set_choice
from bot.telegram.common import (
    ON_OFF,
    deps,
    describe_value,
    edit_markup,
    edit_view,
    ensure_may_change,
    is_group,
    may_change_settings,
    scope_note,
    scope_of,
)
from bot.telegram.group import set_autolink
from bot.telegram.max_posts import FIELD as MAX_POSTS
from bot.telegram.max_posts import max_posts_view, set_max_posts
from bot.telegram.presets import preset_view
from contract.choices import CHOICE_FIELDS
from contract.options import FIELD_LABELS, THEME_FILE_FIELD
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX


def settings_text(eff: Effective, group: bool, autolink: bool) -> str:
    lines = [texts.SETTINGS_GROUP if group else texts.SETTINGS_PRIVATE]
    unset: list[str] = []
    for field in FIELDS:
        value = eff.value(field)
        if value is None and field == THEME_FILE_FIELD:
            continue  # only there with a theme of one's own
        if value is None:
            unset.append(FIELD_LABELS[field])
            continue
        source = eff.sources.get(field)
        origin = source.describe() if source else "default"
        lines.append(f"• {FIELD_LABELS[field]}: {describe_value(field, value)} — {origin}")
    if unset:
        lines.append(texts.SETTINGS_NOT_SET.format(labels=", ".join(unset)))
    if group:
        lines.append(texts.AUTOLINK_STATE.format(state="on" if autolink else "off"))
    lines.append("")
    lines.append(texts.SETTINGS_PRECEDENCE_GROUP if group else texts.SETTINGS_PRECEDENCE_PRIVATE)
    return texts.fit_message("\n".join(lines))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    store = deps(context).store
    scope = scope_of(update)
    group = is_group(update)
    eff = await effective(store, scope, is_group=group)
    autolink = (await store.state(scope)).autolink
    text = settings_text(eff, group, autolink)
    if not await may_change_settings(update, context):  # a group member: what is used, no buttons
        await message.reply_text(texts.fit_message(f"{text}\n{texts.GROUP_SETTINGS_BY_ADMINS}"))
        return
    await message.reply_text(text, reply_markup=kb.settings_keyboard(group, autolink))


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if not await ensure_may_change(update, context):
        return
    await deps(context).store.reset(scope_of(update))
    await message.reply_text(texts.RESET_GROUP_DONE if is_group(update) else texts.RESET_DONE)


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``set:{field}:{value}`` — a choice from a settings keyboard (``set:menu:{name}`` opens one)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parsed = kb.parse_set_data(query.data)
    if parsed is None:
        await query.answer()
        return
    field, value = parsed
    store = deps(context).store
    group = is_group(update)
    if not await ensure_may_change(update, context):  # opening a menu too: it changes a shared message
        return
    if field == "menu":
        await open_menu(update, context, value)
        return
    if field == MAX_POSTS:
        await set_max_posts(update, context, value)
        return
    if field in CHOICE_FIELDS:
        if await set_choice(update, context, field, value):
            eff = await effective(store, scope_of(update), is_group=group)
            await edit_markup(update, choice_view(field, eff, "")[1])
        return
    if field == "watermark" and value in ON_OFF:
        await update_value(store, scope_of(update), "brand.watermark", ON_OFF[value])
        await query.answer(texts.SET_DONE.format(label="watermark", value=value))
        eff = await effective(store, scope_of(update), is_group=group)
        await edit_view(update, *brand_view(eff, scope_note(update)))
        return
    if field == "autolink" and value in ON_OFF and group:
        answer = await set_autolink(update, context, ON_OFF[value])
        await query.answer(answer[:TELEGRAM_ANSWER_CALLBACK_MAX])
        eff = await effective(store, scope_of(update), is_group=group)
        await edit_view(
            update, settings_text(eff, group, ON_OFF[value]), kb.settings_keyboard(group, ON_OFF[value])
        )
        return
    await query.answer()


async def open_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
    if name in CHOICE_FIELDS:
        await edit_view(update, *choice_view(name, eff, scope_note(update)))
    elif name == "brand":
        await edit_view(update, *brand_view(eff, scope_note(update)))
    elif name == "preset":
        await edit_view(update, *(await preset_view(update, context)))
    elif name == MAX_POSTS:
        await edit_view(update, *max_posts_view(eff, scope_note(update)))
