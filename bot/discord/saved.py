"""Saved settings on Discord: what the next carousel uses, and where a change is saved.

A server's own settings apply to every member, as a content team expects; a server that set nothing
leaves each member their personal settings (see :func:`saved_settings`).
"""

import logging
from typing import TYPE_CHECKING, Any

import discord
from pydantic import ValidationError

from bot.discord.common import PLATFORM
from bot.discord.transformers import InputRejected
from contract import RenderOptions
from contract.choices import CHOICE_FIELDS, choice_label
from contract.options import LOOK_FIELDS

if TYPE_CHECKING:
    from bot.settings_model import Effective, Source
    from bot.settings_store import SettingsStore

log = logging.getLogger(__name__)

NO_STORE = "This bot doesn't keep settings; give the options with /carousel instead."
SERVER_ONLY = "Server settings can only be saved inside a server."
ADMINS_ONLY = "Only members who can manage this server can change its settings."
CTA_LINK_NEEDED = (
    "The link call to action needs an address, so add cta_link (e.g. cta_link:example.com/newsletter) "
    "or pick another cta."
)
SERVER_WINS = (
    "This server has its own settings, so carousels made here use those; yours apply in servers "
    "without settings and in direct messages."
)


async def saved_settings(store: "SettingsStore", interaction: discord.Interaction[Any]) -> "Effective":
    """What the next carousel uses, and where each value comes from.

    A server's own settings apply to every member, as a content team expects; a server that set
    nothing leaves each member their personal settings.
    """
    from bot.settings_model import chat_scope, user_scope
    from bot.settings_store import effective

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
    from bot.settings_model import ImageRef

    if value is None:
        return "not set"
    if isinstance(value, ImageRef):
        return "set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if path == "brand.handle":
        return f"@{value}"
    if path in CHOICE_FIELDS:  # "Midnight", "4:5 portrait", "JPEG": as the menus name them
        return choice_label(path, value)
    return str(value)


def describe_settings(settings: "Effective", paths: tuple[str, ...] = LOOK_FIELDS) -> str:
    """One line per setting: its value and where it comes from (unset look settings are left out)."""
    lines = []
    for path in paths:
        value = settings.value(path)
        if value is None and not path.startswith("brand."):
            continue
        source = settings.sources.get(path) if value is not None else None
        label = path.removeprefix("brand.")
        lines.append(
            f"**{label}**: {describe_value(path, value)}" + (f" ({where_from(source)})" if source else "")
        )
    return "\n".join(lines)


def where_from(source: "Source") -> str:
    """Where a value comes from, as Discord calls it: a server's settings, not a group's."""
    return source.describe().replace("group", "server")


def settings_scope(interaction: discord.Interaction[Any], server: bool) -> str:
    """Where a change is saved: the person, or (``server``, Manage Server only) the whole server."""
    from bot.settings_model import chat_scope, user_scope

    if not server:
        return user_scope(PLATFORM, interaction.user.id)
    if interaction.guild_id is None:
        raise InputRejected(SERVER_ONLY)
    if not interaction.permissions.manage_guild:
        raise InputRejected(ADMINS_ONLY)
    return chat_scope(PLATFORM, interaction.guild_id)


async def server_note(store: "SettingsStore", interaction: discord.Interaction[Any], server: bool) -> str:
    """A sentence when personal settings were saved where the server's own settings win."""
    from bot.settings_model import chat_scope

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


def store_of(interaction: discord.Interaction[Any]) -> "SettingsStore":
    store = getattr(interaction.client, "store", None)
    if store is None:
        raise InputRejected(NO_STORE)
    return store


def link_chooses_link_cta(given: dict[str, Any]) -> dict[str, Any]:
    """A ``cta_link`` given without ``cta`` is given to be shown: the call to action becomes Link."""
    if given.get("cta_link") and not given.get("cta"):
        return {**given, "cta": "link"}
    return given


def refuse_link_cta_without_link(given: dict[str, Any], saved_link: str | None) -> None:
    """``cta:link`` with no link given nor saved would print the thread's own address: refused."""
    if given.get("cta") == "link" and not given.get("cta_link") and not saved_link:
        raise InputRejected(CTA_LINK_NEEDED)


async def after_change(
    store: "SettingsStore", interaction: discord.Interaction[Any], server: bool
) -> tuple["Effective", str]:
    """What to show after a change, and the note saying the server's settings win (or "").

    A member who saves their own settings in a server with settings of its own reads what they saved
    (not the server's values, which would read as if nothing had been saved), then the note."""
    from bot.settings_model import user_scope
    from bot.settings_store import effective

    note = await server_note(store, interaction, server)
    if note:
        return await effective(store, user_scope(PLATFORM, interaction.user.id), is_group=False), note
    return await saved_settings(store, interaction), note
