"""What the Discord handlers share: the platform name, one way to answer, the option choices."""

import logging
from typing import Any, Literal

import discord
from discord import app_commands

log = logging.getLogger(__name__)

PLATFORM: Literal["discord"] = "discord"


def choices_of(
    values: tuple[str, ...], labels: dict[str, str] | None = None
) -> list[app_commands.Choice[str]]:
    """Slash-command choices for ``values``, named by ``labels`` where given."""
    labels = labels or {}
    return [app_commands.Choice(name=labels.get(v, v), value=v) for v in values]


async def tell(interaction: discord.Interaction[Any], sentence: str) -> None:
    """Answer privately when nothing was answered yet; otherwise the status message says it."""
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(content=sentence)
        else:
            await interaction.response.send_message(sentence, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user: %s", sentence, exc_info=True)
