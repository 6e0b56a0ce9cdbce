"""``/defaults`` and ``/settings``: the look a person (or, with ``server``, a whole server) saves.

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations of the
commands built inside this module's function at definition time.
"""

import logging
from typing import Any, Optional

import discord
from discord import app_commands

from bot.discord.common import choices_of
from bot.discord.saved import (
    after_change,
    describe_settings,
    link_chooses_link_cta,
    merge_options,
    refuse_link_cta_without_link,
    saved_settings,
    settings_scope,
    store_of,
)
from bot.discord.transformers import LinkValueTransformer
from contract import RenderOptions
from contract.choices import CTA_DESCRIPTIONS, DELIVERY_DESCRIPTIONS
from contract.options import (
    BRAND_FIELDS,
    CTAS,
    CUSTOM_THEME,
    DELIVERIES,
    FORMATS,
    RATIOS,
    THEME_FILE_FIELD,
)
from contract.sentences import THEME_FILE_TOO_BIG
from contract.theme_file import ThemeFileRejected, is_theme_file, read_theme_file, too_big
from themes.loader import MAX_THEME_FILE_BYTES
from worker.limits import DISCORD_CTA_TEXT_MAX, MAX_POSTS_CEILING

log = logging.getLogger(__name__)
NOT_A_THEME_FILE = '{file} isn\'t a .toml theme file, so please attach one (start from extends = "paper").'


def settings_commands(theme_option: Any) -> list[app_commands.Command[Any, ..., Any]]:
    """``/defaults`` saves the look; ``/settings`` shows what the next carousel uses."""

    @app_commands.command(name="defaults", description="Save the look your next carousels use")
    @app_commands.describe(
        theme="Look of the slides",
        ratio="Slide shape",
        format="Image format of the slides",
        cta="Closing slide",
        cta_text="Your own closing-slide text",
        cta_link="Link shown on the closing slide (chooses cta: link)",
        max_posts="Use at most this many posts of a thread",
        delivery="How the slides arrive: pictures, the original files, or one ZIP (the PDF always comes)",
        server="Save them for everyone in this server (needs Manage Server)",
        reset="Forget the saved settings first",
        theme_file='Your own theme: a .toml file (extends = "paper", then what you change)',
    )
    @app_commands.choices(
        ratio=choices_of(RATIOS),
        format=choices_of(FORMATS),
        cta=choices_of(CTAS, CTA_DESCRIPTIONS),
        delivery=choices_of(DELIVERIES, DELIVERY_DESCRIPTIONS),
    )
    async def defaults(
        interaction: discord.Interaction[Any],
        theme: Optional[app_commands.Transform[str, theme_option]] = None,  # noqa: UP045
        ratio: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        format: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
        cta_text: Optional[app_commands.Range[str, 1, DISCORD_CTA_TEXT_MAX]] = None,  # noqa: UP045
        cta_link: Optional[app_commands.Transform[str, LinkValueTransformer]] = None,  # noqa: UP045
        max_posts: Optional[app_commands.Range[int, 1, MAX_POSTS_CEILING]] = None,  # noqa: UP045
        server: bool = False,
        reset: bool = False,
        theme_file: Optional[discord.Attachment] = None,  # noqa: UP045
        delivery: Optional[app_commands.Choice[str]] = None,  # noqa: UP045
    ) -> None:
        from bot.settings_store import update_value

        store = store_of(interaction)
        scope = settings_scope(interaction, server)
        own_theme: str | None = None
        if theme_file is not None:
            try:
                own_theme = await _read_theme_file(theme_file)
            except ThemeFileRejected as rejected:
                await interaction.response.send_message(rejected.sentence, ephemeral=True)
                return
        given = link_chooses_link_cta(
            {
                "theme": theme,
                "ratio": ratio.value if ratio else None,
                "format": format.value if format else None,
                "cta": cta.value if cta else None,
                "cta_text": cta_text,
                "cta_link": cta_link,
                "max_posts": max_posts,
                "delivery": delivery.value if delivery else None,
            }
        )
        if given["cta"] == "link" and not cta_link:
            from bot.settings_store import effective

            saved = None if reset else (await effective(store, scope, is_group=server)).value("cta_link")
            refuse_link_cta_without_link(given, saved)
        if own_theme is not None:
            given["theme"], given[THEME_FILE_FIELD] = CUSTOM_THEME, own_theme
        merge_options(RenderOptions(), given)  # checked by the contract before anything is saved
        if reset:
            await store.reset(scope)
        for path, value in given.items():
            if value is not None:
                await update_value(store, scope, path, value)
        shown, note = await after_change(store, interaction, server)
        done = "Saved" if any(v is not None for v in given.values()) or not reset else "Cleared"
        if server:
            head = f"{done}. Carousels made in this server use:"
        elif note:
            head = f"{done}. Your own settings:"
        else:
            head = f"{done}. Your next carousel uses:"
        await interaction.response.send_message(f"{head}\n{describe_settings(shown)}{note}", ephemeral=True)

    @app_commands.command(name="settings", description="Show what your next carousel will use")
    async def show_settings(interaction: discord.Interaction[Any]) -> None:
        settings = await saved_settings(store_of(interaction), interaction)
        current = describe_settings(settings)
        kit = describe_settings(settings, BRAND_FIELDS)
        await interaction.response.send_message(
            f"Your next carousel uses:\n{current}\n\nBrand kit:\n{kit}", ephemeral=True
        )

    return [defaults, show_settings]


async def _read_theme_file(attachment: discord.Attachment) -> str:
    """The TOML text of an attached theme file, checked; ``ThemeFileRejected`` says what is wrong."""
    name = attachment.filename
    if not is_theme_file(name):
        raise ThemeFileRejected(NOT_A_THEME_FILE.format(file=name))
    if too_big(attachment.size):
        raise ThemeFileRejected(THEME_FILE_TOO_BIG.format(file=name, kb=MAX_THEME_FILE_BYTES // 1024))
    text, _label = read_theme_file(await attachment.read(), name)
    return text
