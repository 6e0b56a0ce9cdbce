"""``/preset save|load|delete|list``: named looks, personal or (with ``server``) the server's.

Preset names are suggested as the user types (autocomplete), from the scope the command works on.

No ``from __future__ import annotations`` here: discord.py reads the parameter annotations of the
commands built inside this module's function at definition time.
"""

import logging
from typing import Any

import discord
from discord import app_commands

from bot import presets
from bot.discord.common import PLATFORM
from bot.discord.saved import server_note, settings_scope, store_of
from bot.settings_model import PRESET_NAME_MAX, PRESETS_PER_SCOPE_MAX
from worker.limits import DISCORD_CHOICES_MAX, DISCORD_OPTION_TEXT_MAX

log = logging.getLogger(__name__)

SAVED = "Saved preset “{name}”{where} and made it active: the next carousels use it."
UPDATED = "Updated preset “{name}”{where} and made it active: the next carousels use it."
LOADED = "Loaded preset “{name}”{where}: the next carousels use it (changes made on top of it were cleared)."
DELETED = "Deleted preset “{name}”{where}."
MISSING = "There's no preset called “{name}”{where}; /preset list shows them."
NONE_YET = "No presets{where} yet: set the look with /defaults, then save it with /preset save."
LISTED = "Presets{where} (✓ = active):\n{lines}"
TOO_MANY = "There are {limit} presets{where} already, so delete one first with /preset delete."
BAD_NAME = "A preset name is 1 to {limit} letters, digits, - or _, without spaces."
SERVER = " for this server"

NAME_HELP = "The preset's name"
SERVER_HELP = "The server's presets instead of yours (changing them needs Manage Server)"


async def preset_suggestions(
    interaction: discord.Interaction[Any], typed: str
) -> list[app_commands.Choice[str]]:
    """The saved presets whose name contains what was typed: the person's, or the server's with ``server``."""
    from bot.settings_model import chat_scope, user_scope

    store = getattr(interaction.client, "store", None)
    if store is None:
        return []
    guild = interaction.guild_id
    if getattr(interaction.namespace, "server", False) and guild is not None:
        scope = chat_scope(PLATFORM, guild)
    else:
        scope = user_scope(PLATFORM, interaction.user.id)
    wanted = typed.strip().casefold()
    names = [n for n in await presets.preset_names(store, scope) if wanted in n.casefold()]
    return [
        app_commands.Choice(name=n[:DISCORD_OPTION_TEXT_MAX], value=n) for n in names[:DISCORD_CHOICES_MAX]
    ]


def preset_commands() -> list[app_commands.Group]:
    """The ``/preset`` group: save, load, delete and list."""
    group = app_commands.Group(name="preset", description="Save a look under a name and switch between looks")

    async def answer(interaction: discord.Interaction[Any], text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True)

    @group.command(name="save", description="Save the look your next carousel uses under a name")
    @app_commands.describe(name="A short name: letters, digits, - or _", server=SERVER_HELP)
    @app_commands.autocomplete(name=preset_suggestions)
    async def save(
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, PRESET_NAME_MAX],
        server: bool = False,
    ) -> None:
        name = name.strip()
        if not presets.PRESET_NAME.match(name):
            await answer(interaction, BAD_NAME.format(limit=PRESET_NAME_MAX))
            return
        scope = settings_scope(interaction, server)
        where = SERVER if server else ""
        saved = await presets.save_preset(store_of(interaction), scope, name)
        if saved == "too_many":
            await answer(interaction, TOO_MANY.format(limit=PRESETS_PER_SCOPE_MAX, where=where))
            return
        sentence = (UPDATED if saved == "updated" else SAVED).format(name=name, where=where)
        await answer(interaction, sentence + await server_note(store_of(interaction), interaction, server))

    @group.command(name="load", description="Use a saved preset for your next carousels")
    @app_commands.describe(name=NAME_HELP, server=SERVER_HELP)
    @app_commands.autocomplete(name=preset_suggestions)
    async def load(interaction: discord.Interaction[Any], name: str, server: bool = False) -> None:
        scope = settings_scope(interaction, server)
        where = SERVER if server else ""
        loaded = await presets.load_preset(store_of(interaction), scope, name.strip())
        sentence = MISSING if loaded is None else LOADED
        note = "" if loaded is None else await server_note(store_of(interaction), interaction, server)
        await answer(interaction, sentence.format(name=loaded or name.strip(), where=where) + note)

    @group.command(name="delete", description="Forget a saved preset")
    @app_commands.describe(name=NAME_HELP, server=SERVER_HELP)
    @app_commands.autocomplete(name=preset_suggestions)
    async def delete(interaction: discord.Interaction[Any], name: str, server: bool = False) -> None:
        scope = settings_scope(interaction, server)
        where = SERVER if server else ""
        deleted = await presets.delete_preset(store_of(interaction), scope, name.strip())
        sentence = MISSING if deleted is None else DELETED
        await answer(interaction, sentence.format(name=deleted or name.strip(), where=where))

    @group.command(name="list", description="Show the saved presets")
    @app_commands.describe(server=SERVER_HELP)
    async def list_presets(interaction: discord.Interaction[Any], server: bool = False) -> None:
        from bot.settings_model import chat_scope, user_scope

        store = store_of(interaction)
        where = SERVER if server else ""
        if server and interaction.guild_id is not None:  # anyone may look; changing needs Manage Server
            scope = chat_scope(PLATFORM, interaction.guild_id)
        else:
            scope = (
                settings_scope(interaction, server) if server else user_scope(PLATFORM, interaction.user.id)
            )
        names = await presets.preset_names(store, scope)
        if not names:
            await answer(interaction, NONE_YET.format(where=where))
            return
        active = (await store.state(scope)).active_preset
        lines = "\n".join(f"{'✓' if n == active else '•'} {n}" for n in names)
        await answer(interaction, LISTED.format(where=where, lines=lines))

    return [group]
