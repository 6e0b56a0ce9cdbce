"""Starting a carousel: /carousel, a link or pasted text in a private chat, a mention or (auto-link) a
pasted link in a group, a .md/.txt file; and /start, /help.

A message that answers a question the bot asked goes to :mod:`bot.telegram.conversation` first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Literal

from redis.exceptions import RedisError
from telegram import Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.settings_model import Effective, ImageRef, JobRecord
from bot.settings_store import effective
from bot.telegram import texts, waiting
from bot.telegram.common import PLATFORM, addressed_to_bot, command_of, deps, is_group, scope_of, topic_id
from bot.telegram.conversation import (
    awaited_picture,
    drop_pending,
    open_question,
    take_pending_text,
    take_picture,
    take_theme_file,
)
from bot.telegram.outage import hold_job, status_reply
from bot.telegram.ratelimit import carousel_wait_s
from contract import TELEGRAM_FILE_PREFIX, JobPayload, RenderOptions, ReplyAddress
from contract.links import find_link
from contract.options import FIELD_LABELS, PICTURE_FIELDS
from contract.rerender import job_ref
from contract.text import reads_as_thread
from contract.theme_file import is_theme_file
from contract.values import ValueRejected, parse_posts, posts_option, posts_phrase
from worker.limits import TEXT_MAX_CHARS, TEXT_UPLOAD_MAX_BYTES, WAITING_LINKS_PER_CHAT

log = logging.getLogger(__name__)

TEXT_FILE_SUFFIXES = (".md", ".markdown", ".txt")
TEXT_MIME_TYPES = ("text/plain", "text/markdown", "text/x-markdown")


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
    for field in PICTURE_FIELDS:
        ref = eff.value(field)
        if isinstance(ref, ImageRef) and ref.file_id:
            out[field] = ref.file_id
    return out


async def remember(
    context: ContextTypes.DEFAULT_TYPE, job_id: str, payload: JobPayload, images: dict[str, str]
) -> None:
    """Keep the job's payload for the re-render buttons; Redis away again just loses those."""
    record = JobRecord(job_id=job_id, payload=payload.to_job_arg(), images=images, submitted_at=time.time())
    try:
        await deps(context).store.remember_job(job_ref(job_id), record)
    except RedisError:  # the job is queued: never fail (or hold) it again for its buttons
        log.warning("job %s is queued but its record was not kept (Redis away)", job_id)


async def resubmit(
    context: ContextTypes.DEFAULT_TYPE, record: JobRecord, status: Message, user_id: int, changes: dict
) -> None:
    """A kept job again with ``changes`` to its options (a re-render, the next posts), its brand
    pictures given fresh download references, its progress in ``status``."""
    original = JobPayload.model_validate(record.payload)
    urls = await resolve_images(context, record.images)
    brand = original.options.brand.model_dump()
    brand.update({field_path.removeprefix("brand.") + "_url": url for field_path, url in urls.items()})
    options = RenderOptions.model_validate({**original.options.model_dump(), **changes, "brand": brand})
    reply = original.reply.model_copy(update={"status_message_id": status.message_id, "user_id": user_id})
    payload = JobPayload(
        source=original.source,
        source_kind=original.source_kind,
        options=options,
        reply=reply,
        rerender_of=record.job_id,
    )
    await submit(context, payload, status, record.images)


async def submit(
    context: ContextTypes.DEFAULT_TYPE, payload: JobPayload, status: Message, images: dict[str, str]
) -> str | None:
    """Enqueue; with Redis away the job waits in this process, else the status says so in one sentence."""
    d = deps(context)
    try:
        job_id = await asyncio.to_thread(d.queue.submit, payload)
    except RedisError as exc:
        log.warning("submitting a render job met Redis away (%s)", exc.__class__.__name__)
        if not await hold_job(context, payload, status, images):
            await status.edit_text(texts.QUEUE_DOWN)
        return None
    except Exception:
        log.exception("submitting a render job failed")
        await status.edit_text(texts.QUEUE_DOWN)
        return None
    await remember(context, job_id, payload, images)
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
    posts: tuple[int, ...] | None = None,
) -> None:
    """``posts``: the post numbers asked for with ``posts:1-8,11`` (None: every post, up to the cap)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    await drop_pending(update, context)  # a carousel asked for instead of an answer: the question is over
    # over the rate limit, or behind links of this chat still waiting: the link waits its turn in line
    queued = len(await deps(context).line.items(str(chat.id)))
    if queued >= WAITING_LINKS_PER_CHAT:
        await message.reply_text(texts.LINE_FULL.format(count=queued), do_quote=True)
        return
    # links held back only by their own senders' limits are not ahead: this one may go first
    ahead = await waiting.ahead_of(context.application, str(chat.id), user.id) if queued else 0
    wait = 0 if ahead else await rate_limited(update, context)
    in_line = bool(ahead or wait)
    eff = await effective(deps(context).store, scope_of(update), is_group=is_group(update))
    file_ids = image_file_ids(eff)
    options = eff.render_options(await resolve_images(context, file_ids))
    if kind == "text" and not (options.brand.name or options.brand.handle):
        # pasted text has no author of its own: it is the sender's
        brand = options.brand.model_copy(update={"name": user.full_name, "handle": user.username})
        options = options.model_copy(update={"brand": brand})
    if posts is not None:
        options = options.model_copy(update={"posts": posts})
    if kind == "text":
        status_text = texts.QUEUED_TEXT
    elif posts is not None:
        status_text = texts.QUEUED_POSTS.format(posts=posts_phrase(posts))
    elif others:
        status_text = texts.QUEUED_FIRST_OF.format(count=others + 1)
    else:
        status_text = texts.QUEUED
    if in_line:
        status_text = waiting.place_text(ahead, wait)
    status = await status_reply(update, context, status_text)
    reply = ReplyAddress(
        platform=PLATFORM,
        chat_id=chat.id,
        thread_id=topic_id(message),
        reply_to_message_id=message.message_id,
        status_message_id=status.message_id,
        user_id=user.id,
    )
    payload = JobPayload(source=source, source_kind=kind, options=options, reply=reply)
    if in_line:
        if await waiting.join(context.application, payload, file_ids, ahead, WAITING_LINKS_PER_CHAT) is None:
            await status.edit_text(texts.LINE_FULL.format(count=WAITING_LINKS_PER_CHAT))
        return
    await submit(context, payload, status, file_ids)


async def start_from_link(update: Update, context: ContextTypes.DEFAULT_TYPE, found: FoundLink) -> bool:
    """Start a carousel for ``found``; say so when the link isn't one we read. False: no link at all."""
    message = update.effective_message
    assert message is not None
    if found.url:
        written = posts_option(message.text or message.caption or "")
        try:
            posts = parse_posts(written) if written is not None else None
        except ValueRejected as rejected:
            await message.reply_text(rejected.sentence, do_quote=True)
            return True
        await start_carousel(update, context, found.url, "link", found.others, posts)
        return True
    if found.has_url:
        await message.reply_text(texts.NOT_A_THREAD_LINK, do_quote=True)
        return True
    return False


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
    if replies_to_bot(message, context):
        if await take_pending_text(update, context):
            return
        found = links_in(message)
        if found.url and await open_question(update, context):  # a thread link instead of the answer
            await start_carousel(update, context, found.url, "link", found.others)
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
    if is_theme_file(doc.file_name):  # a theme of one's own, after /theme custom
        if not await take_theme_file(update, context) and not is_group(update):
            await message.reply_text(texts.THEME_FILE_WITHOUT_ASK)
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


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data no keyboard of this bot makes (an old bot version, a crafted update)."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.UNKNOWN_BUTTON)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command this bot has no handler for: in a private chat, or in a group as /foo@this_bot (a bare
    /foo there may be another bot's)."""
    message = update.effective_message
    if message is None:
        return
    command = command_of(message)
    if is_group(update) and (command is None or not addressed_to_bot(command[1], context)):
        return
    await message.reply_text(texts.UNKNOWN_COMMAND, do_quote=True)


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, a voice note, a location… in a private chat: say what the bot does."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.NOT_UNDERSTOOD, do_quote=True)
