"""``/brand``: sign your carousels (name, handle, accent colour, footer, watermark, pictures).

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations of the
commands built inside this module's function at definition time.
"""

import logging
from typing import Any, Optional

import discord
from discord import app_commands

from bot.discord.saved import (
    after_change,
    describe_settings,
    saved_settings,
    settings_scope,
    store_of,
)
from bot.discord.transformers import AccentTransformer, HandleTransformer, picture_url
from contract.options import BRAND_FIELDS
from worker.limits import BRAND_TEXT_MAX, CTA_TEXT_MAX

log = logging.getLogger(__name__)


def brand_commands() -> list[app_commands.Command[Any, ..., Any]]:
    """``/brand``: name, handle, accent, footer, watermark, avatar and logo."""

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
        from bot.settings_model import ImageRef
        from bot.settings_store import update_value

        store = store_of(interaction)
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
                from bot.settings_model import BrandKit

                state = await store.state(scope)
                await store.set_personal(scope, state.personal.model_copy(update={"brand": BrandKit()}))
            for path, value in changes.items():
                await update_value(store, scope, path, value)
        if changes or clear:
            shown, note = await after_change(store, interaction, server)
            whose = "This server's" if server else "Your own" if note else "Your"
            head = f"Saved. {whose} brand kit:" if changes else f"{whose} brand kit is cleared."
        else:
            shown, note = await saved_settings(store, interaction), ""
            head = "The brand kit your next carousel uses (give options to change it):"
        kit = describe_settings(shown, BRAND_FIELDS)
        await interaction.response.send_message(f"{head}\n{kit}{note}", ephemeral=True)

    return [brand]
