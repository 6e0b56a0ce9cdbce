"""/maxposts: how many of a thread's posts one carousel takes (a number, or a picker).

A longer thread is not cut short for good: its result carries a "Next posts" button for the rest.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.settings_model import Effective
from bot.settings_store import effective, update_value
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.common import (
    deps,
    edit_markup,
    ensure_may_change,
    is_group,
    may_change_settings,
    scope_note,
    scope_of,
)
from contract.options import FIELD_LABELS
from contract.values import ValueRejected, parse_max_posts
from worker.limits import DEFAULT_MAX_POSTS, MAX_POSTS_CEILING

FIELD = "max_posts"
# the picker's numbers (any other from 1 to the ceiling is typed: /maxposts 12)
PICKS: tuple[int, ...] = tuple(
    sorted({n for n in (5, 10, 15, DEFAULT_MAX_POSTS, 30, 50, MAX_POSTS_CEILING) if n <= MAX_POSTS_CEILING})
)


def max_posts_view(eff: Effective, note: str) -> tuple[str, InlineKeyboardMarkup]:
    current = eff.value(FIELD)
    text = texts.CHOOSE_MAX_POSTS.format(scope=note, current=current, ceiling=MAX_POSTS_CEILING)
    choices = [(str(n), str(n)) for n in PICKS]
    return text, kb.choice_keyboard(FIELD, choices, str(current))


async def max_posts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/maxposts shows the picker; /maxposts 12 sets it."""
    message = update.effective_message
    assert message is not None
    if context.args:
        if await ensure_may_change(update, context):
            await set_max_posts(update, context, " ".join(context.args))
        return
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
    if not await may_change_settings(update, context):  # a group member: no picker they can't use
        await message.reply_text(texts.GROUP_MAX_POSTS_BY_ADMINS.format(value=eff.value(FIELD)))
        return
    text, markup = max_posts_view(eff, scope_note(update))
    await message.reply_text(text, reply_markup=markup)


async def set_max_posts(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> bool:
    """Store it in the scope's own layer (the caller checked the admin rule); a bad number is one sentence."""
    query, message = update.callback_query, update.effective_message
    try:
        value = parse_max_posts(typed)
    except ValueRejected as rejected:
        if query is not None:
            await query.answer(rejected.sentence)
        elif message is not None:
            await message.reply_text(rejected.sentence)
        return False
    store = deps(context).store
    await update_value(store, scope_of(update), FIELD, value)
    done = texts.MAX_POSTS_DONE.format(label=FIELD_LABELS[FIELD], value=value)
    if query is not None:
        await query.answer(done)
        eff = await effective(store, scope_of(update), is_group=is_group(update))
        await edit_markup(update, max_posts_view(eff, "")[1])
    elif message is not None:
        await message.reply_text(done)
    return True
