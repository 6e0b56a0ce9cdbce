"""Group rules: /autolink (any pasted thread link starts a carousel), for the group's admins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    ON_OFF,
    deps,
    edit_view,
    ensure_may_change,
    is_group,
    may_change_settings,
    scope_of,
)
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX


async def autolink(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/autolink shows the state (with On/Off buttons for admins); /autolink on|off changes it."""
    message = update.effective_message
    assert message is not None
    if not is_group(update):
        await message.reply_text(texts.AUTOLINK_PRIVATE)
        return
    args = context.args or []
    if not args:
        on = (await deps(context).store.state(scope_of(update))).autolink
        if not await may_change_settings(update, context):
            # the privacy-mode note asks for what only an admin can do: members hear the state alone
            state = texts.AUTOLINK_ON if on else texts.AUTOLINK_OFF
            await message.reply_text(texts.AUTOLINK_MEMBER.format(state=state))
            return
        await message.reply_text(autolink_state(context, on), reply_markup=kb.autolink_keyboard(on))
        return
    if len(args) != 1 or args[0].lower() not in ON_OFF:
        await message.reply_text(texts.AUTOLINK_USAGE)
        return
    if not await ensure_may_change(update, context):
        return
    await message.reply_text(await set_autolink(update, context, ON_OFF[args[0].lower()]))


async def autolink_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``al:on`` / ``al:off`` under /autolink (admins only; others are told so)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    on = kb.parse_autolink_data(query.data)
    if on is None or not is_group(update):
        await query.answer()
        return
    if not await ensure_may_change(update, context):
        return
    state = await set_autolink(update, context, on)
    await query.answer(state.split("\n")[0][:TELEGRAM_ANSWER_CALLBACK_MAX])
    await edit_view(update, state, kb.autolink_keyboard(on))


def autolink_state(context: ContextTypes.DEFAULT_TYPE, on: bool) -> str:
    if not on:
        return texts.AUTOLINK_OFF
    if context.bot.bot.can_read_all_group_messages:
        return texts.AUTOLINK_ON
    return f"{texts.AUTOLINK_ON}\n\n{texts.AUTOLINK_PRIVACY}"


async def set_autolink(update: Update, context: ContextTypes.DEFAULT_TYPE, on: bool) -> str:
    await deps(context).store.set_autolink(scope_of(update), on)
    return autolink_state(context, on)
