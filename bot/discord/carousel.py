"""``/carousel`` and the "Make carousel" message menu: thin handlers that defer, then enqueue.

Options are checked by transformers before the handler runs (a bad link is answered at once, to
the user alone). The handler defers within Discord's 3 seconds, marks the deferred response as the
status message, and enqueues the render job; the worker edits that message with progress and
posts the album and PDF as follow-ups through the interaction's webhook.

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations of the
commands built inside this module's function at definition time.
"""

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Optional

import discord
from discord import app_commands
from redis.exceptions import RedisError

from bot.discord.common import PLATFORM, choices_of
from bot.discord.saved import (
    link_chooses_link_cta,
    merge_options,
    refuse_link_cta_without_link,
    saved_options,
    saved_settings,
)
from bot.discord.transformers import (
    InputRejected,
    LinkTransformer,
    LinkValueTransformer,
    PostsTransformer,
    ThreadSource,
    link_expired,
    source_from_message,
)
from contract import JobPayload, RenderOptions, ReplyAddress
from contract.choices import CTA_DESCRIPTIONS, DELIVERY_DESCRIPTIONS
from contract.job import TextAuthor
from contract.options import CTAS, DELIVERIES, FORMATS, RATIOS
from contract.rerender import job_ref
from contract.sentences import BUSY_QUEUED, HELD_GIVEN_UP, QUEUE_DOWN
from contract.values import posts_phrase
from worker.limits import DISCORD_CTA_TEXT_MAX, HELD_LINK_MAX_AGE_S, MAX_POSTS_CEILING

if TYPE_CHECKING:
    from bot.held import HeldLinks
    from bot.settings_store import SettingsStore

log = logging.getLogger(__name__)

STATUS_MESSAGE = "@original"  # the deferred interaction response is the status message
CONTEXT_MENU_NAME = "Make carousel"
PICTURE_EXPIRED = (
    "The {fields} in the brand kit can't be downloaded from Discord any more, so this carousel goes "
    "without; attach {it} again with /brand."
)


def reply_address(
    interaction: discord.Interaction[Any], *, reply_to: int | None = None, response_id: int | None = None
) -> ReplyAddress:
    """Where the worker answers: the interaction's webhook while its token lives, then the channel.

    ``response_id`` is the original response's message id: with the bot token the worker edits it once
    the token is gone. The per-file upload limit is the one Discord gave this interaction.
    """
    return ReplyAddress(
        platform=PLATFORM,
        chat_id=str(interaction.channel_id),
        user_id=str(interaction.user.id),
        application_id=str(interaction.application_id),
        interaction_token=interaction.token,
        status_message_id=STATUS_MESSAGE,
        reply_to_message_id=str(reply_to) if reply_to is not None else None,
        response_message_id=str(response_id) if response_id is not None else None,
        guild_id=str(interaction.guild_id) if interaction.guild_id is not None else None,
        attachment_size_limit=interaction.filesize_limit or None,
    )


def text_author(interaction: discord.Interaction[Any], message: discord.Message) -> TextAuthor | None:
    """Who wrote a message whose text becomes a carousel, when it is not the person asking."""
    if message.author.id == interaction.user.id:
        return None  # their own text: signed with their brand kit, as in a direct paste
    return TextAuthor(name=message.author.display_name[:100], handle=message.author.name[:100])


def queued_text(source: ThreadSource, author: TextAuthor | None = None) -> str:
    """The public status until a worker takes the job: "⏳ Queued: <link>" (or "your text", or
    "Grace Hopper's message" when the text is another member's)."""
    where = f"<{source.source}>" if source.kind == "link" else source.label
    if source.kind == "text" and author is not None:
        where = f"{author.name}'s message"
    text = f"⏳ Queued: {where}"
    if source.others:
        more = "link" if source.others == 1 else "links"
        text += f"\nI found {source.others} more {more}; I'm using the first one."
    return text


def without_expired_pictures(options: RenderOptions, now: float) -> tuple[RenderOptions, list[str]]:
    """The options without brand pictures whose Discord links have expired, and which those were."""
    brand = options.brand
    gone = {
        field: None
        for field, url in (("avatar_url", brand.avatar_url), ("logo_url", brand.logo_url))
        if url and link_expired(url, now)
    }
    if not gone:
        return options, []
    kept = brand.model_copy(update=gone)
    return options.model_copy(update={"brand": kept}), [f.removesuffix("_url") for f in gone]


async def start_job(
    interaction: discord.Interaction[Any],
    source: ThreadSource,
    overrides: dict[str, Any],
    *,
    reply_to: int | None = None,
    author: TextAuthor | None = None,
) -> str | None:
    """Defer, then enqueue the render job. Returns the job id (None: held until Redis is back)."""
    await interaction.response.defer(thinking=True)
    client: Any = interaction.client

    async def queue_it() -> str:
        base = await saved_options(getattr(client, "store", None), interaction)
        options, expired = without_expired_pictures(merge_options(base, overrides), time.time())
        status = queued_text(source, author)
        if options.posts is not None:  # "⏳ Queued: <link> (posts 1–8, 11)"
            first, _, rest = status.partition("\n")
            status = f"{first} ({posts_phrase(options.posts)})" + (f"\n{rest}" if rest else "")
        if expired:
            it = "it" if len(expired) == 1 else "them"
            status += "\n" + PICTURE_EXPIRED.format(fields=" and ".join(expired), it=it)
        # the status says "queued" before the job exists, so a fast worker's progress is never overwritten
        response = await interaction.edit_original_response(content=status)
        payload = JobPayload(
            source=source.source,
            source_kind=source.kind,
            options=options,
            reply=reply_address(interaction, reply_to=reply_to, response_id=response.id),
            text_author=author if source.kind == "text" else None,
        )
        return await submit(interaction, payload)

    try:
        return await queue_it()
    except RedisError as exc:  # Redis away: the link waits in this process until it is back
        log.warning("starting a carousel met Redis away (%s)", exc.__class__.__name__)
        if not await hold(interaction, queue_it):
            raise InputRejected(QUEUE_DOWN) from exc
        return None


async def hold(interaction: discord.Interaction[Any], start: Callable[[], Awaitable[Any]]) -> bool:
    """Run ``start`` once Redis is back (see :mod:`bot.held`); the response says "busy, queued" meanwhile."""
    held: HeldLinks | None = getattr(interaction.client, "held", None)

    async def give_up(_status: object) -> None:
        minutes = math.ceil(HELD_LINK_MAX_AGE_S / 60)
        await interaction.edit_original_response(content=HELD_GIVEN_UP.format(minutes=minutes))

    key, channel = f"{PLATFORM}:{interaction.id}", str(interaction.channel_id)
    if held is None or not held.hold(key, channel, start, give_up):
        return False
    await interaction.edit_original_response(content=BUSY_QUEUED)
    return True


async def submit(interaction: discord.Interaction[Any], payload: JobPayload) -> str:
    """Enqueue the job and remember its payload (for the re-render menus under its result)."""
    client: Any = interaction.client
    try:
        job_id: str = await asyncio.to_thread(client.queue.submit, payload)
    except RedisError:  # Redis away: the caller holds the job or says so
        raise
    except Exception as exc:  # the queue is unreachable: one sentence for the user, the trace in the log
        log.exception("submitting a render job failed")
        raise InputRejected(QUEUE_DOWN) from exc
    store: SettingsStore | None = getattr(client, "store", None)
    if store is not None:
        from bot.settings_model import JobRecord

        record = JobRecord(job_id=job_id, payload=payload.to_job_arg(), submitted_at=time.time())
        try:
            await store.remember_job(job_ref(job_id), record)
        except RedisError:  # the job is queued: never fail (or hold) it again for its menus
            log.warning("job %s is queued but its record was not kept (Redis away)", job_id)
    log.info("job %s queued for %s in channel %s", job_id, interaction.user.id, interaction.channel_id)
    return job_id


def carousel_commands(
    theme_option: Any,
) -> list[app_commands.Command[Any, ..., Any] | app_commands.ContextMenu]:
    """``/carousel`` and the "Make carousel" message menu."""

    @app_commands.command(name="carousel", description="Turn a thread link into carousel slides and a PDF")
    @app_commands.describe(
        link="A post of the thread: X, Bluesky or Mastodon",
        theme="Look of the slides",
        ratio="Slide shape: 4:5 portrait (default), 1:1, 9:16 story, 16:9 landscape",
        format="Image format of the slides",
        cta="Closing slide",
        cta_text="Your own closing-slide text",
        cta_link="Link shown on the closing slide (with cta: link)",
        max_posts="Use at most this many posts of the thread",
        delivery="How the slides arrive: pictures, the original files, or one ZIP (the PDF always comes)",
        posts="Only these posts, numbered from 1: e.g. 1-8,11",
    )
    @app_commands.choices(
        ratio=choices_of(RATIOS),
        format=choices_of(FORMATS),
        cta=choices_of(CTAS, CTA_DESCRIPTIONS),
        delivery=choices_of(DELIVERIES, DELIVERY_DESCRIPTIONS),
    )
    async def carousel(
        interaction: discord.Interaction[Any],
        link: app_commands.Transform[ThreadSource, LinkTransformer],
        theme: Optional[app_commands.Transform[str, theme_option]] = None,  # noqa: UP045
        ratio: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        format: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta_text: Optional[app_commands.Range[str, 1, DISCORD_CTA_TEXT_MAX]] = None,  # noqa: UP045
        cta_link: Optional[app_commands.Transform[str, LinkValueTransformer]] = None,  # noqa: UP045
        max_posts: Optional[app_commands.Range[int, 1, MAX_POSTS_CEILING]] = None,  # noqa: UP045
        delivery: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        posts: Optional[app_commands.Transform[tuple[int, ...], PostsTransformer]] = None,  # noqa: UP045
    ) -> None:
        overrides = link_chooses_link_cta(
            {
                "theme": theme,
                "ratio": ratio.value if ratio else None,
                "format": format.value if format else None,
                "cta": cta.value if cta else None,
                "cta_text": cta_text,
                "cta_link": cta_link,
                "max_posts": max_posts,
                "delivery": delivery.value if delivery else None,
                "posts": posts,
            }
        )
        if overrides["cta"] == "link" and not cta_link:  # checked before deferring: answered privately
            store = getattr(interaction.client, "store", None)
            saved = await saved_settings(store, interaction) if store is not None else None
            refuse_link_cta_without_link(overrides, saved.value("cta_link") if saved else None)
        await start_job(interaction, link, overrides)

    @app_commands.context_menu(name=CONTEXT_MENU_NAME)
    async def make_carousel(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        source = source_from_message(message.content)
        await start_job(
            interaction, source, {}, reply_to=message.id, author=text_author(interaction, message)
        )

    return [carousel, make_carousel]
