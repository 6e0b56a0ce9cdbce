"""The command tree's commands, family by family, fresh for one tree.

* :mod:`bot.discord.carousel` — ``/carousel`` and the "Make carousel" message menu
* :mod:`bot.discord.settings_commands` — ``/defaults`` and ``/settings``
* :mod:`bot.discord.brand` — ``/brand``
* :mod:`bot.discord.presets` — ``/preset save|load|delete|list``
* :mod:`bot.discord.rerender` — the menus under a delivered carousel (dynamic items, not commands)
"""

from typing import Any

from discord import app_commands

from bot.discord.brand import brand_commands
from bot.discord.carousel import carousel_commands
from bot.discord.presets import preset_commands
from bot.discord.settings_commands import settings_commands
from bot.discord.transformers import ThemeTransformer, theme_transformer


def build_commands(
    themes: ThemeTransformer | None = None,
) -> list[app_commands.Command[Any, ..., Any] | app_commands.ContextMenu | app_commands.Group]:
    """``/carousel``, "Make carousel", ``/defaults``, ``/brand``, ``/preset`` and ``/settings``."""
    theme_option = themes or theme_transformer()
    return [
        *carousel_commands(theme_option),
        *settings_commands(theme_option),
        *brand_commands(),
        *preset_commands(),
    ]
