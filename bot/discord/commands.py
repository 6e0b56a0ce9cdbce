"""The slash command and the message context menu: thin handlers that defer, then enqueue.

Options are checked by transformers before the handler runs (a bad link is answered at once, to
the user alone). The handler defers within Discord's 3 seconds, marks the deferred response as the
status message, and enqueues the render job; the worker edits that message with progress and
posts the album and PDF as follow-ups through the interaction's webhook.

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations of the
commands built inside :func:`build_commands` at definition time.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Literal, Optional

import discord
from discord import app_commands
from pydantic import ValidationError

from bot.discord.transformers import (
    AccentTransformer,
    HandleTransformer,
    InputRejected,
    LinkTransformer,
    LinkValueTransformer,
    ThemeTransformer,
    ThreadSource,
    link_expired,
    picture_url,
    source_from_message,
    theme_transformer,
)
from contract import JobPayload, RenderOptions, ReplyAddress
from contract.choices import CTA_DESCRIPTIONS
from contract.options import CTAS, FORMATS, RATIOS
from contract.rerender import job_ref
from contract.sentences import QUEUE_DOWN
from worker.limits import BRAND_TEXT_MAX, CTA_TEXT_MAX, DISCORD_CTA_TEXT_MAX, MAX_POSTS_CEILING

if TYPE_CHECKING:
    from bot.settings_store import Effective, SettingsStore

log = logging.getLogger(__name__)

PLATFORM: Literal["discord"] = "discord"
STATUS_MESSAGE = "@original"  # the deferred interaction response is the status message
CONTEXT_MENU_NAME = "Make carousel"


SHOWN_SETTINGS = ("theme", "ratio", "format", "cta", "cta_text", "cta_link", "max_posts")
BRAND_SETTINGS = (
    "brand.name",
    "brand.handle",
    "brand.accent",
    "brand.footer",
    "brand.watermark",
    "brand.avatar",
    "brand.logo",
)
NO_STORE = "This bot doesn't keep settings; give the options with /carousel instead."
SERVER_ONLY = "Server settings can only be saved inside a server."
ADMINS_ONLY = "Only members who can manage this server can change its settings."
PICTURE_EXPIRED = (
    "The {fields} in the brand kit can't be downloaded from Discord any more, so this carousel goes "
    "without; attach {it} again with /brand."
)
SERVER_WINS = (
    "This server has its own settings, so carousels made here use those; yours apply in servers "
    "without settings and in direct messages."
)


def _choices(values: tuple[str, ...], labels: dict[str, str] | None = None) -> list[app_commands.Choice[str]]:
    labels = labels or {}
    return [app_commands.Choice(name=labels.get(v, v), value=v) for v in values]


# --- settings ------------------------------------------------------------------------------------


async def saved_settings(store: "SettingsStore", interaction: discord.Interaction[Any]) -> "Effective":
    """What the next carousel uses, and where each value comes from.

    A server's own settings apply to every member, as a content team expects; a server that set
    nothing leaves each member their personal settings.
    """
    from bot.settings_store import chat_scope, effective, user_scope

    if interaction.guild_id is not None:
        scope = chat_scope(PLATFORM, interaction.guild_id)
        state = await store.state(scope)
        if state.active_preset or not state.personal.is_empty():
            return await effective(store, scope, is_group=True)
    return await effective(store, user_scope(PLATFORM, interaction.user.id), is_group=False)


async def saved_options(
    store: "SettingsStore | None", interaction: discord.Interaction[Any]
) -> RenderOptions:
    """The saved options (see :func:`saved_settings`); the defaults without a store."""
    if store is None:
        return RenderOptions()
    return (await saved_settings(store, interaction)).render_options()


def describe_value(path: str, value: Any) -> str:
    from bot.settings_store import ImageRef

    if value is None:
        return "not set"
    if isinstance(value, ImageRef):
        return "set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if path == "brand.handle":
        return f"@{value}"
    return str(value)


def describe_settings(settings: "Effective", paths: tuple[str, ...] = SHOWN_SETTINGS) -> str:
    """One line per setting: its value and where it comes from (unset look settings are left out)."""
    lines = []
    for path in paths:
        value = settings.value(path)
        if value is None and not path.startswith("brand."):
            continue
        source = settings.sources.get(path) if value is not None else None
        label = path.removeprefix("brand.")
        lines.append(
            f"**{label}**: {describe_value(path, value)}" + (f" ({source.describe()})" if source else "")
        )
    return "\n".join(lines)


def settings_scope(interaction: discord.Interaction[Any], server: bool) -> str:
    """Where a change is saved: the person, or (``server``, Manage Server only) the whole server."""
    from bot.settings_store import chat_scope, user_scope

    if not server:
        return user_scope(PLATFORM, interaction.user.id)
    if interaction.guild_id is None:
        raise InputRejected(SERVER_ONLY)
    if not interaction.permissions.manage_guild:
        raise InputRejected(ADMINS_ONLY)
    return chat_scope(PLATFORM, interaction.guild_id)


async def server_note(store: "SettingsStore", interaction: discord.Interaction[Any], server: bool) -> str:
    """A sentence when personal settings were saved where the server's own settings win."""
    from bot.settings_store import chat_scope

    if server or interaction.guild_id is None:
        return ""
    state = await store.state(chat_scope(PLATFORM, interaction.guild_id))
    return f"\n\n{SERVER_WINS}" if state.active_preset or not state.personal.is_empty() else ""


def merge_options(base: RenderOptions, overrides: dict[str, Any]) -> RenderOptions:
    """``base`` with the options given in the command, validated by the contract."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return RenderOptions.model_validate({**base.model_dump(), **given})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputRejected(f"The {where} option isn't valid: {first['msg']}.") from exc


# --- answers -------------------------------------------------------------------------------------


async def tell(interaction: discord.Interaction[Any], sentence: str) -> None:
    """Answer privately when nothing was answered yet; otherwise the status message says it."""
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(content=sentence)
        else:
            await interaction.response.send_message(sentence, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user: %s", sentence, exc_info=True)


# --- the job -------------------------------------------------------------------------------------


def reply_address(interaction: discord.Interaction[Any], *, reply_to: int | None = None) -> ReplyAddress:
    return ReplyAddress(
        platform=PLATFORM,
        chat_id=str(interaction.channel_id),
        user_id=str(interaction.user.id),
        application_id=str(interaction.application_id),
        interaction_token=interaction.token,
        status_message_id=STATUS_MESSAGE,
        reply_to_message_id=str(reply_to) if reply_to is not None else None,
    )


def queued_text(source: ThreadSource) -> str:
    where = f"<{source.source}>" if source.kind == "link" else source.label
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
) -> str:
    """Defer, then enqueue the render job. Returns the job id."""
    await interaction.response.defer(thinking=True)
    client: Any = interaction.client
    base = await saved_options(getattr(client, "store", None), interaction)
    options, expired = without_expired_pictures(merge_options(base, overrides), time.time())
    payload = JobPayload(
        source=source.source,
        source_kind=source.kind,
        options=options,
        reply=reply_address(interaction, reply_to=reply_to),
    )
    status = queued_text(source)
    if expired:
        it = "it" if len(expired) == 1 else "them"
        status += "\n" + PICTURE_EXPIRED.format(fields=" and ".join(expired), it=it)
    # the status says "queued" before the job exists, so a fast worker's progress is never overwritten
    await interaction.edit_original_response(content=status)
    return await submit(interaction, payload)


async def submit(interaction: discord.Interaction[Any], payload: JobPayload) -> str:
    """Enqueue the job and remember its payload (for the re-render menus under its result)."""
    client: Any = interaction.client
    try:
        job_id: str = await asyncio.to_thread(client.queue.submit, payload)
    except Exception as exc:  # the queue is unreachable: one sentence for the user, the trace in the log
        log.exception("submitting a render job failed")
        raise InputRejected(QUEUE_DOWN) from exc
    store: SettingsStore | None = getattr(client, "store", None)
    if store is not None:
        from bot.settings_store import JobRecord

        record = JobRecord(job_id=job_id, payload=payload.to_job_arg(), submitted_at=time.time())
        await store.remember_job(job_ref(job_id), record)
    log.info("job %s queued for %s in channel %s", job_id, interaction.user.id, interaction.channel_id)
    return job_id


# --- the commands --------------------------------------------------------------------------------


def build_commands(
    themes: ThemeTransformer | None = None,
) -> list[app_commands.Command[Any, ..., Any] | app_commands.ContextMenu]:
    """``/carousel``, "Make carousel", ``/defaults``, ``/brand`` and ``/settings``, fresh for one tree."""
    theme_option = themes or theme_transformer()

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
    )
    @app_commands.choices(
        ratio=_choices(RATIOS),
        format=_choices(FORMATS),
        cta=_choices(CTAS, CTA_DESCRIPTIONS),
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
    ) -> None:
        overrides = {
            "theme": theme,
            "ratio": ratio.value if ratio else None,
            "format": format.value if format else None,
            "cta": cta.value if cta else None,
            "cta_text": cta_text,
            "cta_link": cta_link,
            "max_posts": max_posts,
        }
        await start_job(interaction, link, overrides)

    @app_commands.context_menu(name=CONTEXT_MENU_NAME)
    async def make_carousel(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        source = source_from_message(message.content)
        await start_job(interaction, source, {}, reply_to=message.id)

    @app_commands.command(name="defaults", description="Save the look your next carousels use")
    @app_commands.describe(
        theme="Look of the slides",
        ratio="Slide shape",
        format="Image format of the slides",
        cta="Closing slide",
        cta_text="Your own closing-slide text",
        max_posts="Use at most this many posts of a thread",
        server="Save them for everyone in this server (needs Manage Server)",
        reset="Forget the saved settings first",
    )
    @app_commands.choices(
        ratio=_choices(RATIOS), format=_choices(FORMATS), cta=_choices(CTAS, CTA_DESCRIPTIONS)
    )
    async def defaults(
        interaction: discord.Interaction[Any],
        theme: Optional[app_commands.Transform[str, theme_option]] = None,  # noqa: UP045
        ratio: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        format: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta_text: Optional[app_commands.Range[str, 1, DISCORD_CTA_TEXT_MAX]] = None,  # noqa: UP045
        max_posts: Optional[app_commands.Range[int, 1, MAX_POSTS_CEILING]] = None,  # noqa: UP045
        server: bool = False,
        reset: bool = False,
    ) -> None:
        from bot.settings_store import update_value

        store = _store(interaction)
        scope = settings_scope(interaction, server)
        given = {
            "theme": theme,
            "ratio": ratio.value if ratio else None,
            "format": format.value if format else None,
            "cta": cta.value if cta else None,
            "cta_text": cta_text,
            "max_posts": max_posts,
        }
        merge_options(RenderOptions(), given)  # checked by the contract before anything is saved
        if reset:
            await store.reset(scope)
        for path, value in given.items():
            if value is not None:
                await update_value(store, scope, path, value)
        current = describe_settings(await saved_settings(store, interaction))
        note = await server_note(store, interaction, server)
        await interaction.response.send_message(
            f"Saved. Your next carousel uses:\n{current}{note}", ephemeral=True
        )

    @app_commands.command(
        name="brand", description="Sign your carousels: name, handle, colour, footer, pictures"
    )
    @app_commands.describe(
        name="Name shown on the slides",
        handle="Your @handle",
        accent="Accent colour as #RRGGBB",
        footer="Text in the footer of every slide",
        watermark="Put your name or handle on every slide",
        avatar="Your picture, shown with your name",
        logo="Your logo",
        clear="Forget the brand kit first",
        server="Save it for everyone in this server (needs Manage Server)",
    )
    async def brand(
        interaction: discord.Interaction[Any],
        name: Optional[app_commands.Range[str, 1, BRAND_TEXT_MAX]] = None,  # noqa: UP045
        handle: Optional[app_commands.Transform[str, HandleTransformer]] = None,  # noqa: UP045
        accent: Optional[app_commands.Transform[str, AccentTransformer]] = None,  # noqa: UP045
        footer: Optional[app_commands.Range[str, 1, CTA_TEXT_MAX]] = None,  # noqa: UP045
        watermark: Optional[bool] = None,  # noqa: UP045
        avatar: Optional[discord.Attachment] = None,  # noqa: UP045
        logo: Optional[discord.Attachment] = None,  # noqa: UP045
        clear: bool = False,
        server: bool = False,
    ) -> None:
        from bot.settings_store import ImageRef, update_value

        store = _store(interaction)
        given: dict[str, Any] = {
            "brand.name": name.strip() if name else None,
            "brand.handle": handle,
            "brand.accent": accent,
            "brand.footer": footer.strip() if footer else None,
            "brand.watermark": watermark,
            "brand.avatar": ImageRef(url=picture_url(avatar, "avatar")) if avatar else None,
            "brand.logo": ImageRef(url=picture_url(logo, "logo")) if logo else None,
        }
        changes = {path: value for path, value in given.items() if value is not None}
        if changes or clear:
            scope = settings_scope(interaction, server)
            if clear:
                from bot.settings_store import BrandKit

                state = await store.state(scope)
                await store.set_personal(scope, state.personal.model_copy(update={"brand": BrandKit()}))
            for path, value in changes.items():
                await update_value(store, scope, path, value)
        kit = describe_settings(await saved_settings(store, interaction), BRAND_SETTINGS)
        if changes:
            head = "Saved. Your brand kit:"
        elif clear:
            head = "Brand kit cleared."
        else:
            head = "Your brand kit (give options to change it):"
        note = await server_note(store, interaction, server) if changes or clear else ""
        await interaction.response.send_message(f"{head}\n{kit}{note}", ephemeral=True)

    @app_commands.command(name="settings", description="Show what your next carousel will use")
    async def show_settings(interaction: discord.Interaction[Any]) -> None:
        settings = await saved_settings(_store(interaction), interaction)
        current = describe_settings(settings)
        kit = describe_settings(settings, BRAND_SETTINGS)
        await interaction.response.send_message(
            f"Your next carousel uses:\n{current}\n\nBrand kit:\n{kit}", ephemeral=True
        )

    return [carousel, make_carousel, defaults, brand, show_settings]


def _store(interaction: discord.Interaction[Any]) -> "SettingsStore":
    store = getattr(interaction.client, "store", None)
    if store is None:
        raise InputRejected(NO_STORE)
    return store
