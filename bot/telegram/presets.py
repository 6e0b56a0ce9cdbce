"""/preset save|load|delete NAME and /preset list: named sets of settings, per person or group."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import presets
from bot.presets import PRESET_NAME
from bot.settings_model import PRESET_NAME_MAX, PRESETS_PER_SCOPE_MAX
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    deps,
    edit_view,
    ensure_may_change,
    may_change_settings,
    scope_note,
    scope_of,
)
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX


async def preset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preset save|load|delete NAME, /preset list (or just /preset)."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list":
        text, markup = await preset_view(update, context)
        if not await may_change_settings(update, context):  # a group member: the list, no buttons
            names = await deps(context).store.preset_names(scope_of(update))
            await message.reply_text(text if names else texts.GROUP_PRESETS_NONE)
            return
        await message.reply_text(text, reply_markup=markup)
        return
    if action not in ("save", "load", "delete") or len(args) < 2:
        await message.reply_text(texts.PRESET_USAGE)
        return
    name = " ".join(args[1:])
    if not PRESET_NAME.match(name) or not kb.fits_callback(kb.PRESET_PREFIX, kb.PRESET_DELETE, name):
        await message.reply_text(texts.PRESET_NAME_INVALID.format(limit=PRESET_NAME_MAX))
        return
    if not await ensure_may_change(update, context):
        return
    if action == "save":
        await message.reply_text(await save_preset(update, context, name))
    elif action == "load":
        await message.reply_text(await load_preset(update, context, name))
    else:
        await message.reply_text(await delete_preset(update, context, name))


async def preset_view(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str, InlineKeyboardMarkup | None]:
    store = deps(context).store
    scope = scope_of(update)
    names = await presets.preset_names(store, scope)
    if not names:
        return texts.PRESET_NONE, None
    active = (await store.state(scope)).active_preset
    lines = "\n".join(f"{'✓' if n == active else '•'} {n}" for n in names)
    return texts.PRESET_LIST.format(scope=scope_note(update), lines=lines), kb.preset_keyboard(names, active)


async def save_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    saved = await presets.save_preset(deps(context).store, scope_of(update), name)
    if saved == "too_many":
        return texts.PRESET_TOO_MANY.format(limit=PRESETS_PER_SCOPE_MAX)
    return (texts.PRESET_UPDATED if saved == "updated" else texts.PRESET_SAVED).format(name=name)


async def load_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    loaded = await presets.load_preset(deps(context).store, scope_of(update), name)
    if loaded is None:
        return texts.PRESET_MISSING.format(name=name)
    return texts.PRESET_LOADED.format(name=loaded)


async def delete_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    deleted = await presets.delete_preset(deps(context).store, scope_of(update), name)
    if deleted is None:
        return texts.PRESET_MISSING.format(name=name)
    return texts.PRESET_DELETED.format(name=deleted)


async def preset_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``ps:load:{name}`` / ``ps:del:{name}``."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parsed = kb.parse_preset_data(query.data)
    if parsed is None:
        await query.answer()
        return
    if not await ensure_may_change(update, context):
        return
    action, name = parsed
    if action == kb.PRESET_LOAD:
        answer = await load_preset(update, context, name)
    else:
        answer = await delete_preset(update, context, name)
    await query.answer(answer[:TELEGRAM_ANSWER_CALLBACK_MAX])
    await edit_view(update, *(await preset_view(update, context)))
