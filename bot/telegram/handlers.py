"""Telegram handlers: parse the update, read or store settings, enqueue a job by its dotted path, answer.

Every handler has the same signature ``async (update, context) -> None``; the dependencies (queue,
settings store, rate limiter) live in ``application.bot_data`` (see :func:`deps`). Nothing here
renders or fetches a thread: that is the worker's job, reached only through :class:`JobPayload`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot.settings_store import (
    FIELDS,
    PRESET_NAME_MAX,
    PRESETS_PER_SCOPE_MAX,
    RERENDER_REPEAT_WINDOW_S,
    Effective,
    ImageRef,
    JobRecord,
    Look,
    PendingInput,
    SettingsStore,
    chat_scope,
    effective,
    update_value,
    user_scope,
)
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.ratelimit import RateLimiter, carousel_wait_s
from contract import TELEGRAM_FILE_PREFIX, JobPayload, RenderOptions, ReplyAddress
from contract.choices import CHOICE_FIELDS, choice_label, choice_values, choices, typed_choice
from contract.links import find_link
from contract.options import FIELD_LABELS, PICTURE_FIELDS
from contract.rerender import RERENDER_PREFIX, job_ref, parse_rerender
from contract.text import reads_as_thread
from contract.values import ValueRejected, parse_setting
from worker.config import Settings
from worker.limits import TELEGRAM_ANSWER_CALLBACK_MAX, TEXT_MAX_CHARS, TEXT_UPLOAD_MAX_BYTES
from worker.queue import JobQueue

log = logging.getLogger(__name__)

PLATFORM: Literal["telegram"] = "telegram"
DEPS_KEY = "carousel"
TEXT_FILE_SUFFIXES = (".md", ".markdown", ".txt")
TEXT_MIME_TYPES = ("text/plain", "text/markdown", "text/x-markdown")
IMAGE_FIELDS = PICTURE_FIELDS
TEXT_INPUT_FIELDS = ("brand.name", "brand.handle", "brand.accent", "brand.footer", "cta_text", "cta_link")
PRESET_NAME = re.compile(rf"^[\w-]{{1,{PRESET_NAME_MAX}}}$")
ON_OFF = {"on": True, "off": False}


@dataclass
class BotDeps:
    settings: Settings
    queue: JobQueue
    store: SettingsStore
    limiter: RateLimiter
    theme_preview: Path | None = None  # a preview sheet of all themes, sent with /theme when present


def deps_of(application: Application) -> BotDeps:
    return typing.cast(BotDeps, application.bot_data[DEPS_KEY])


def deps(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    return deps_of(context.application)


# --- choices ------------------------------------------------------------------------------------


CHOOSE_TEXT = {
    "theme": texts.CHOOSE_THEME,
    "ratio": texts.CHOOSE_RATIO,
    "format": texts.CHOOSE_FORMAT,
    "cta": texts.CHOOSE_CTA,
}


# --- where are we ---------------------------------------------------------------------------------


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


def scope_of(update: Update) -> str:
    """The settings owner: the person in a private chat, the group in a group."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and chat.type != ChatType.PRIVATE:
        return chat_scope(PLATFORM, chat.id)
    assert user is not None
    return user_scope(PLATFORM, user.id)


def whose(update: Update) -> str:
    return texts.WHOSE_GROUP if is_group(update) else texts.WHOSE_PRIVATE


def scope_note(update: Update) -> str:
    return " " + texts.GROUP_SETTINGS_NOTE if is_group(update) else ""


def topic_id(message: Message) -> int | None:
    """The forum topic a message belongs to (replies go to the same topic)."""
    return message.message_thread_id if message.is_topic_message else None


def pending_key(update: Update) -> str:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return f"{PLATFORM}:{chat.id}:{user.id}"


async def may_change_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In private chats always; in groups only the chat's administrators (checked with getChatMember)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator posting as the group
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def ensure_may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if await may_change_settings(update, context):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(texts.ADMINS_ONLY, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.ADMINS_ONLY)
    return False


# --- links and text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundLink:
    url: str | None  # the first supported thread link
    others: int  # further supported links in the same message
    has_url: bool  # the message holds some link at all (supported or not)


def links_in(message: Message | None) -> FoundLink:
    if message is None:
        return FoundLink(None, 0, False)
    text = message.text or message.caption or ""
    kinds: list[str | None] = [MessageEntity.URL, MessageEntity.TEXT_LINK]
    entities = message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    hidden = [e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url]
    match = find_link(" ".join([text, *hidden]))
    if match is None:
        return FoundLink(None, 0, bool(entities))
    return FoundLink(match.ref.url, match.others, True)


def mentions_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    username = (context.bot.username or "").lower()
    if message.text:
        entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    else:
        entities = message.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{username}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == context.bot.id:
            return True
    return False


def replies_to_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    reply = message.reply_to_message
    return bool(reply and reply.from_user and reply.from_user.id == context.bot.id)


# --- starting a carousel --------------------------------------------------------------------------


async def resolve_images(context: ContextTypes.DEFAULT_TYPE, file_ids: dict[str, str]) -> dict[str, str]:
    """Telegram file ids → ``telegram-file:{file_path}`` references, at enqueue time (the worker adds
    its token to download them; no token goes into a job payload)."""
    urls: dict[str, str] = {}
    for field, file_id in file_ids.items():
        try:
            file = await context.bot.get_file(file_id)
        except TelegramError:
            log.warning("could not resolve %s file %s; the carousel goes without it", field, file_id)
            continue
        if file.file_path:
            # PTB makes the path absolute with the bot's base_file_url, which holds the token
            path = file.file_path.removeprefix(context.bot.base_file_url).lstrip("/")
            urls[field] = f"{TELEGRAM_FILE_PREFIX}{path}"
    return urls


def image_file_ids(eff: Effective) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in IMAGE_FIELDS:
        ref = eff.value(field)
        if isinstance(ref, ImageRef) and ref.file_id:
            out[field] = ref.file_id
    return out


async def submit(
    context: ContextTypes.DEFAULT_TYPE, payload: JobPayload, status: Message, images: dict[str, str]
) -> str | None:
    """Enqueue; on failure the status message says so in one sentence."""
    d = deps(context)
    try:
        job_id = await asyncio.to_thread(d.queue.submit, payload)
    except Exception:
        log.exception("submitting a render job failed")
        await status.edit_text(texts.QUEUE_DOWN)
        return None
    record = JobRecord(job_id=job_id, payload=payload.to_job_arg(), images=images, submitted_at=time.time())
    await d.store.remember_job(job_ref(job_id), record)
    log.info("queued job %s for chat %s", job_id, payload.reply.chat_id)
    return job_id


async def rate_limited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return await carousel_wait_s(deps(context).limiter, PLATFORM, user.id, chat.id)


async def start_carousel(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    source: str,
    kind: Literal["link", "text"] = "link",
    others: int = 0,
) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    wait = await rate_limited(update, context)
    if wait:
        await message.reply_text(texts.RATE_LIMITED.format(seconds=wait), do_quote=True)
        return
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
    file_ids = image_file_ids(eff)
    options = eff.render_options(await resolve_images(context, file_ids))
    if kind == "text" and not (options.brand.name or options.brand.handle):
        # pasted text has no author of its own: it is the sender's
        brand = options.brand.model_copy(update={"name": user.full_name, "handle": user.username})
        options = options.model_copy(update={"brand": brand})
    if kind == "text":
        status_text = texts.QUEUED_TEXT
    elif others:
        status_text = texts.QUEUED_FIRST_OF.format(count=others + 1)
    else:
        status_text = texts.QUEUED
    status = await message.reply_text(status_text, do_quote=True)
    reply = ReplyAddress(
        platform=PLATFORM,
        chat_id=chat.id,
        thread_id=topic_id(message),
        reply_to_message_id=message.message_id,
        status_message_id=status.message_id,
        user_id=user.id,
    )
    payload = JobPayload(source=source, source_kind=kind, options=options, reply=reply)
    await submit(context, payload, status, file_ids)


async def start_from_link(update: Update, context: ContextTypes.DEFAULT_TYPE, found: FoundLink) -> bool:
    """Start a carousel for ``found``; say so when the link isn't one we read. False: no link at all."""
    message = update.effective_message
    assert message is not None
    if found.url:
        await start_carousel(update, context, found.url, "link", found.others)
        return True
    if found.has_url:
        await message.reply_text(texts.NOT_A_THREAD_LINK, do_quote=True)
        return True
    return False


# --- commands ---------------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.START)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.HELP)


async def carousel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/carousel <link>, or /carousel in reply to a message with a link."""
    message = update.effective_message
    assert message is not None
    if await start_from_link(update, context, links_in(message)):
        return
    if await start_from_link(update, context, links_in(message.reply_to_message)):
        return
    await message.reply_text(texts.NO_LINK_IN_COMMAND, do_quote=True)


def choice_view(field: str, eff: Effective, note: str) -> tuple[str, InlineKeyboardMarkup]:
    current = eff.value(field)
    per_row = 3 if field == "theme" else kb.BUTTONS_PER_ROW
    return CHOOSE_TEXT[field].format(scope=note), kb.choice_keyboard(field, choices(field), current, per_row)


async def _choice_command(update: Update, context: ContextTypes.DEFAULT_TYPE, field: str) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        if await ensure_may_change(update, context):
            await set_choice(update, context, field, typed_choice(field, " ".join(context.args)))
        return
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
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
    await _choice_command(update, context, "theme")


async def ratio(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _choice_command(update, context, "ratio")


async def format_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _choice_command(update, context, "format")


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
    await _choice_command(update, context, "cta")


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


def describe_value(field: str, value: Any) -> str:
    if value is None:
        return texts.NOT_SET
    if isinstance(value, ImageRef):
        return "set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if field == "brand.handle":
        return f"@{value}"
    if field in CHOICE_FIELDS:
        return choice_label(field, value)
    return str(value)


def brand_view(eff: Effective, note: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        f"• {FIELD_LABELS[f].removeprefix('brand ')}: {describe_value(f, eff.value(f))}"
        for f in FIELDS
        if f.startswith("brand.")
    ]
    text = texts.BRAND_TITLE.format(scope=note, lines="\n".join(lines))
    return text, kb.brand_keyboard(bool(eff.value("brand.watermark")))


async def brand(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/brand shows the kit; /brand <field> [value] changes one part of it."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    store = deps(context).store
    if not args:
        eff = await effective(store, scope_of(update), is_group=is_group(update))
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
    if field in IMAGE_FIELDS or (field in TEXT_INPUT_FIELDS and not value):
        await ask_for(update, context, field)
        return
    if field not in TEXT_INPUT_FIELDS:
        await message.reply_text(texts.BRAND_USAGE)
        return
    await store_text_value(update, context, scope_of(update), field, value)


async def preset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preset save|load|delete NAME, /preset list (or just /preset)."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list":
        text, markup = await preset_view(update, context)
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
    names = sorted(await store.preset_names(scope), key=natural_key)
    if not names:
        return texts.PRESET_NONE, None
    active = (await store.state(scope)).active_preset
    lines = "\n".join(f"{'✓' if n == active else '•'} {n}" for n in names)
    return texts.PRESET_LIST.format(scope=scope_note(update), lines=lines), kb.preset_keyboard(names, active)


def natural_key(name: str) -> list[Any]:
    """Sort key: "p2" before "p10", case ignored."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]


async def existing_preset_name(store: SettingsStore, scope: str, name: str) -> str | None:
    """The saved preset ``name`` refers to, ignoring case ("work" finds "Work")."""
    names = await store.preset_names(scope)
    if name in names:
        return name
    return next((n for n in names if n.casefold() == name.casefold()), None)


async def save_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    store = deps(context).store
    scope = scope_of(update)
    state = await store.state(scope)
    existing = await existing_preset_name(store, scope, name)
    if existing is None and len(await store.preset_names(scope)) >= PRESETS_PER_SCOPE_MAX:
        return texts.PRESET_TOO_MANY.format(limit=PRESETS_PER_SCOPE_MAX)
    below = await store.preset(scope, state.active_preset) if state.active_preset else None
    look = state.personal.over(below or Look())
    if existing is not None and existing != name:
        await store.delete_preset(scope, existing)  # one preset per name, spelt as last saved
    await store.save_preset(scope, name, look)
    await store.set_active_preset(scope, name)
    await store.set_personal(scope, Look())
    return (texts.PRESET_UPDATED if existing else texts.PRESET_SAVED).format(name=name)


async def load_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    store = deps(context).store
    scope = scope_of(update)
    existing = await existing_preset_name(store, scope, name)
    if existing is None:
        return texts.PRESET_MISSING.format(name=name)
    await store.set_active_preset(scope, existing)
    await store.set_personal(scope, Look())
    return texts.PRESET_LOADED.format(name=existing)


async def delete_preset(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> str:
    store = deps(context).store
    scope = scope_of(update)
    existing = await existing_preset_name(store, scope, name)
    if existing is None or not await store.delete_preset(scope, existing):
        return texts.PRESET_MISSING.format(name=name)
    if (await store.state(scope)).active_preset == existing:
        await store.set_active_preset(scope, None)
    return texts.PRESET_DELETED.format(name=existing)


def settings_text(eff: Effective, group: bool, autolink: bool) -> str:
    lines = [texts.SETTINGS_GROUP if group else texts.SETTINGS_PRIVATE]
    unset: list[str] = []
    for field in FIELDS:
        value = eff.value(field)
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
    await message.reply_text(
        settings_text(eff, group, autolink), reply_markup=kb.settings_keyboard(group, autolink)
    )


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if not await ensure_may_change(update, context):
        return
    await deps(context).store.reset(scope_of(update))
    await message.reply_text(texts.RESET_GROUP_DONE if is_group(update) else texts.RESET_DONE)


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


# --- plain messages ----------------------------------------------------------------------------------


async def awaited_picture(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The picture field (avatar, logo) the bot asked this person for and still waits for."""
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return None
    await store.set_pending(pending_key(update), pending)
    return pending.field if pending.field in IMAGE_FIELDS else None


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


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message: an answer the bot asked for, a link, a text to lay out, or a hint."""
    message = update.effective_message
    assert message is not None
    if await take_pending_text(update, context):
        return
    if await start_from_link(update, context, links_in(message)):
        return
    text = message.text or ""
    if reads_as_thread(text):
        await start_carousel(update, context, text, "text")
        return
    picture = await awaited_picture(update, context)
    if picture is not None:
        await message.reply_text(texts.PICTURE_STILL_WAITING.format(what=FIELD_LABELS[picture]))
        return
    await message.reply_text(texts.PRIVATE_HINT)


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message: an answer to the bot, a mention with a link, or (auto-link) a pasted link."""
    message = update.effective_message
    assert message is not None
    if replies_to_bot(message, context) and await take_pending_text(update, context):
        return
    if mentions_bot(message, context):
        if await start_from_link(update, context, links_in(message)):
            return
        if await start_from_link(update, context, links_in(message.reply_to_message)):
            return
        await message.reply_text(texts.NO_LINK_IN_COMMAND, do_quote=True)
        return
    if (await deps(context).store.state(scope_of(update))).autolink:
        found = links_in(message)
        if found.url:  # in auto-link mode, other links are none of our business
            await start_carousel(update, context, found.url, "link", found.others)


async def take_picture(update: Update, context: ContextTypes.DEFAULT_TYPE, file_id: str) -> bool:
    message = update.effective_message
    assert message is not None
    store = deps(context).store
    pending = await store.pop_pending(pending_key(update))
    if pending is None:
        return False
    if pending.field not in IMAGE_FIELDS:
        await store.set_pending(pending_key(update), pending)
        return False
    await update_value(store, pending.scope, pending.field, ImageRef(file_id=file_id))
    saved = texts.PICTURE_SAVED_GROUP if is_group(update) else texts.PICTURE_SAVED
    await message.reply_text(saved.format(what=FIELD_LABELS[pending.field]))
    return True


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo: the avatar or logo the bot asked for; in private, else a caption link or a hint."""
    message = update.effective_message
    assert message is not None and message.photo
    if is_group(update) and not replies_to_bot(message, context):
        if message.caption:
            await group_message(update, context)
        return
    if await take_picture(update, context, message.photo[-1].file_id):
        return
    if is_group(update):
        return
    if not await start_from_link(update, context, links_in(message)):
        await message.reply_text(texts.PICTURE_WITHOUT_ASK)


def is_text_file(file_name: str | None, mime_type: str | None) -> bool:
    name = (file_name or "").lower()
    return name.endswith(TEXT_FILE_SUFFIXES) or (mime_type or "") in TEXT_MIME_TYPES


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file: an image for the brand kit, or (private) a .md/.txt to lay out as a text carousel."""
    message = update.effective_message
    assert message is not None and message.document is not None
    doc = message.document
    if is_group(update) and not replies_to_bot(message, context):
        if message.caption:
            await group_message(update, context)
        return
    if (doc.mime_type or "").startswith("image/") and await take_picture(update, context, doc.file_id):
        return
    if is_group(update):
        return
    if not is_text_file(doc.file_name, doc.mime_type):
        await message.reply_text(texts.TEXT_FILE_TYPE)
        return
    if doc.file_size is not None and doc.file_size > TEXT_UPLOAD_MAX_BYTES:
        await message.reply_text(texts.TEXT_FILE_TOO_BIG.format(kb=TEXT_UPLOAD_MAX_BYTES // 1024))
        return
    file = await context.bot.get_file(doc.file_id)
    data = bytes(await file.download_as_bytearray())
    if len(data) > TEXT_UPLOAD_MAX_BYTES:
        await message.reply_text(texts.TEXT_FILE_TOO_BIG.format(kb=TEXT_UPLOAD_MAX_BYTES // 1024))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        await message.reply_text(texts.TEXT_FILE_UNREADABLE)
        return
    if not text.strip():
        await message.reply_text(texts.TEXT_FILE_UNREADABLE)
        return
    if len(text) > TEXT_MAX_CHARS:
        await message.reply_text(texts.TEXT_TOO_LONG.format(chars=TEXT_MAX_CHARS))
        return
    await start_carousel(update, context, text, "text")


# --- buttons -----------------------------------------------------------------------------------------


async def _edit_markup(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _edit_view(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show another view in the pressed message (a text message), or as a new message under a photo."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    elif isinstance(message, Message):
        await message.reply_text(text, reply_markup=markup)


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
    if field == "menu":
        await open_menu(update, context, value)
        return
    if not await ensure_may_change(update, context):
        return
    if field in CHOICE_FIELDS:
        if await set_choice(update, context, field, value):
            eff = await effective(store, scope_of(update), is_group=group)
            await _edit_markup(update, choice_view(field, eff, "")[1])
        return
    if field == "watermark" and value in ON_OFF:
        await update_value(store, scope_of(update), "brand.watermark", ON_OFF[value])
        await query.answer(texts.SET_DONE.format(label="watermark", value=value))
        eff = await effective(store, scope_of(update), is_group=group)
        await _edit_view(update, *brand_view(eff, scope_note(update)))
        return
    if field == "autolink" and value in ON_OFF and group:
        answer = await set_autolink(update, context, ON_OFF[value])
        await query.answer(answer[:TELEGRAM_ANSWER_CALLBACK_MAX])
        eff = await effective(store, scope_of(update), is_group=group)
        await _edit_view(
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
        await _edit_view(update, *choice_view(name, eff, scope_note(update)))
    elif name == "brand":
        await _edit_view(update, *brand_view(eff, scope_note(update)))
    elif name == "preset":
        await _edit_view(update, *(await preset_view(update, context)))


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
        await _edit_view(update, *brand_view(eff, scope_note(update)))
        return
    field = f"brand.{sub}"
    if field not in IMAGE_FIELDS and field not in TEXT_INPUT_FIELDS:
        await query.answer()
        return
    await query.answer()
    await ask_for(update, context, field)


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
    await _edit_view(update, *(await preset_view(update, context)))


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
    if request.field is None:
        await query.answer()
        await _edit_markup(update, kb.rerender_keyboard(record.job_id))
        return
    if request.value is None:
        await query.answer(texts.RERENDER_CHOOSE.format(field=request.field))
        current = getattr(original.options, request.field)
        options = choices(request.field)
        await _edit_markup(
            update, kb.rerender_choices_keyboard(record.job_id, request.field, options, current)
        )
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
    await _edit_markup(update, kb.rerender_keyboard(record.job_id))
    await rerender(update, context, record, original, request.field, request.value)


async def rerender(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    record: JobRecord,
    original: JobPayload,
    field: str,
    value: str,
) -> None:
    """The same source and reply address with one option changed, and a new status message."""
    user = update.effective_user
    assert user is not None
    reply = original.reply
    status = await context.bot.send_message(
        reply.chat_id,
        texts.QUEUED_RERENDER.format(field=FIELD_LABELS[field], value=choice_label(field, value)),
        message_thread_id=reply.thread_id,
        reply_parameters=(
            ReplyParameters(message_id=int(reply.reply_to_message_id), allow_sending_without_reply=True)
            if reply.reply_to_message_id is not None
            else None
        ),
    )
    urls = await resolve_images(context, record.images)  # fresh download URLs for the brand pictures
    brand = original.options.brand.model_dump()
    brand.update({field_path.removeprefix("brand.") + "_url": url for field_path, url in urls.items()})
    options = RenderOptions.model_validate({**original.options.model_dump(), field: value, "brand": brand})
    payload = JobPayload(
        source=original.source,
        source_kind=original.source_kind,
        options=options,
        reply=reply.model_copy(update={"status_message_id": status.message_id, "user_id": user.id}),
        rerender_of=record.job_id,
    )
    await submit(context, payload, status, record.images)


# --- errors --------------------------------------------------------------------------------------------


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback; tell the person one short sentence."""
    log.error("handling an update failed: %s", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(texts.ERROR)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


def callback_patterns() -> Sequence[tuple[str, Any]]:
    """(regex, handler) for every inline keyboard this bot builds."""
    return (
        (rf"^{RERENDER_PREFIX}{kb.SEP}", rerender_button),
        (rf"^{kb.SET_PREFIX}{kb.SEP}", settings_button),
        (rf"^{kb.BRAND_PREFIX}{kb.SEP}", brand_button),
        (rf"^{kb.PRESET_PREFIX}{kb.SEP}", preset_button),
    )
