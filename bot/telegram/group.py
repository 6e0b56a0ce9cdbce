"""Group rules: /autolink (any pasted thread link starts a carousel), for the group's admins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import texts
from bot.telegram.common import ON_OFF, deps, ensure_may_change, is_group, scope_of


async def autolink(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/autolink on|off — in a group, any pasted thread link starts a carousel (admins only)."""
    message = update.effective_message
    assert message is not None
    if not is_group(update):
        await message.reply_text(texts.AUTOLINK_PRIVATE)
        return
    args = context.args or []
    if len(args) != 1 or args[0].lower() not in ON_OFF:
        await message.reply_text(texts.AUTOLINK_USAGE)
        return
    if not await ensure_may_change(update, context):
        return
    await message.reply_text(await set_autolink(update, context, ON_OFF[args[0].lower()]))


async def set_autolink(update: Update, context: ContextTypes.DEFAULT_TYPE, on: bool) -> str:
    await deps(context).store.set_autolink(scope_of(update), on)
    if not on:
        return texts.AUTOLINK_OFF
    if context.bot.bot.can_read_all_group_messages:
        return texts.AUTOLINK_ON
    return f"{texts.AUTOLINK_ON}\n\n{texts.AUTOLINK_PRIVACY}"
