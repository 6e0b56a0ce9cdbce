"""Named presets of one scope (a person, a group or a server): the store work both front-ends share.

Saving stores the scope's current look (active preset + its own values) under a name and makes it
active; loading makes a preset active and clears the values on top of it; names ignore case ("work"
finds "Work") and sort naturally ("p2" before "p10"). The sentences are each front-end's own.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from bot.settings_model import PRESET_NAME_MAX, PRESETS_PER_SCOPE_MAX, Look
from bot.settings_store import SettingsStore

PRESET_NAME = re.compile(rf"^[\w-]{{1,{PRESET_NAME_MAX}}}$")

Saved = Literal["saved", "updated", "too_many"]


def natural_key(name: str) -> list[Any]:
    """Sort key: "p2" before "p10", case ignored."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]


async def preset_names(store: SettingsStore, scope: str) -> list[str]:
    return sorted(await store.preset_names(scope), key=natural_key)


async def existing_preset_name(store: SettingsStore, scope: str, name: str) -> str | None:
    """The saved preset ``name`` refers to, ignoring case ("work" finds "Work")."""
    names = await store.preset_names(scope)
    if name in names:
        return name
    return next((n for n in names if n.casefold() == name.casefold()), None)


async def save_preset(store: SettingsStore, scope: str, name: str) -> Saved:
    """Save the scope's current look as ``name`` and make it active ("too_many": nothing saved)."""
    state = await store.state(scope)
    existing = await existing_preset_name(store, scope, name)
    if existing is None and len(await store.preset_names(scope)) >= PRESETS_PER_SCOPE_MAX:
        return "too_many"
    below = await store.preset(scope, state.active_preset) if state.active_preset else None
    look = state.personal.over(below or Look())
    if existing is not None and existing != name:
        await store.delete_preset(scope, existing)  # one preset per name, spelt as last saved
    await store.save_preset(scope, name, look)
    await store.set_active_preset(scope, name)
    await store.set_personal(scope, Look())
    return "updated" if existing else "saved"


async def load_preset(store: SettingsStore, scope: str, name: str) -> str | None:
    """Make preset ``name`` active (values on top cleared); its saved spelling, or None if there is none."""
    existing = await existing_preset_name(store, scope, name)
    if existing is None:
        return None
    await store.set_active_preset(scope, existing)
    await store.set_personal(scope, Look())
    return existing


async def delete_preset(store: SettingsStore, scope: str, name: str) -> str | None:
    """Delete preset ``name``; its saved spelling, or None if there is none."""
    existing = await existing_preset_name(store, scope, name)
    if existing is None or not await store.delete_preset(scope, existing):
        return None
    if (await store.state(scope)).active_preset == existing:
        await store.set_active_preset(scope, None)
    return existing
