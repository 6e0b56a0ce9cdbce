"""Saved settings, as values: scopes, the records kept for them, and how layers combine.

Platform-neutral: Telegram and Discord front-ends share it; :mod:`bot.settings_store` keeps these
records (pydantic models stored as JSON).

A *scope* owns settings: a person (``telegram:user:42``) or a group (``telegram:chat:-1001``).
Each scope has its own *personal* layer of values, optionally an *active preset*, named presets,
and (groups) the auto-link switch.

Precedence (later wins), and what ``/settings`` names as the source of each value:

* private chat — ``default`` ← the person's active ``preset`` ← the person's ``personal`` values;
* group — ``default`` ← the group's active preset (``group preset``) ← the ``group``'s values.
  Members' personal settings are not used in groups: every member's carousel carries the group's
  brand kit and look, which only the group's administrators can change.

Loading a preset makes it the active layer and clears the personal values on top of it; saving a
preset stores the current preset+personal values under a name and makes it active.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from contract import Brand, RenderOptions
from contract.options import (
    BRAND_DOT,
    BRAND_FIELDS,
    CUSTOM_THEME,
    LOOK_FIELDS,
    PICTURE_FIELDS,
    SETTING_FIELDS,
    THEME_FILE_FIELD,
)

PRESET_NAME_MAX = 24
PRESETS_PER_SCOPE_MAX = 20
RERENDER_REPEAT_WINDOW_S = 10  # the same re-render button pressed again within this starts nothing


def user_scope(platform: str, user_id: int | str) -> str:
    return f"{platform}:user:{user_id}"


def chat_scope(platform: str, chat_id: int | str) -> str:
    return f"{platform}:chat:{chat_id}"


# --- records --------------------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ImageRef(_Record):
    """An image the user gave us: a platform file id (resolved to a URL at enqueue time) or a URL."""

    file_id: str | None = None
    url: str | None = None


class BrandKit(_Record):
    name: str | None = None
    handle: str | None = None
    avatar: ImageRef | None = None
    logo: ImageRef | None = None
    accent: str | None = None
    footer: str | None = None
    watermark: bool | None = None


class Look(_Record):
    """One layer of settings; ``None`` means "not set here, ask the layer below"."""

    theme: str | None = None
    theme_file: str | None = None  # the TOML text of a theme sent as a file (theme "custom")
    ratio: str | None = None
    format: str | None = None
    max_posts: int | None = None
    cta: str | None = None
    cta_text: str | None = None
    cta_link: str | None = None
    delivery: str | None = None  # album, files or zip (how the slides are sent)
    brand: BrandKit = BrandKit()

    def get(self, path: str) -> Any:
        if path.startswith(BRAND_DOT):
            return getattr(self.brand, path[len(BRAND_DOT) :])
        return getattr(self, path)

    def with_value(self, path: str, value: Any) -> Look:
        if path not in FIELDS:
            raise KeyError(path)
        if path.startswith(BRAND_DOT):
            brand = self.brand.model_copy(update={path[len(BRAND_DOT) :]: value})
            return self.model_copy(update={"brand": brand})
        return self.model_copy(update={path: value})

    def values(self) -> dict[str, Any]:
        """The values set in this layer, by field path."""
        return {path: self.get(path) for path in FIELDS if self.get(path) is not None}

    def over(self, below: Look) -> Look:
        """This layer on top of ``below``."""
        merged = below
        for path, value in self.values().items():
            merged = merged.with_value(path, value)
        return merged

    def is_empty(self) -> bool:
        return not self.values()


FIELDS = SETTING_FIELDS  # the saved settings, by path, as the contract names them


class ScopeState(_Record):
    personal: Look = Look()
    active_preset: str | None = None
    autolink: bool = False


class JobRecord(_Record):
    """A submitted job, kept so a re-render can reuse its source and reply address."""

    job_id: str
    payload: dict[str, Any]
    images: dict[str, str] = {}  # brand picture field -> platform file id, re-resolved on re-render
    submitted_at: float = 0.0


class PendingInput(_Record):
    """The bot asked this person for a value (``brand.name``, ``brand.avatar``, …) for ``scope``."""

    scope: str
    field: str
    # the question's message (private chat: chat id, message id), whose ✖ Cancel goes with the question
    question_chat_id: int | None = None
    question_id: int | None = None


# --- effective settings and where they come from ------------------------------------------------


class Layer(StrEnum):
    DEFAULT = "default"
    GROUP = "group"
    PRESET = "preset"
    PERSONAL = "personal"


@dataclass(frozen=True)
class Source:
    layer: Layer
    preset: str | None = None
    is_group: bool = False

    def describe(self) -> str:
        if self.layer is Layer.PRESET:
            return f"{'group preset' if self.is_group else 'preset'} “{self.preset}”"
        return self.layer.value


@dataclass(frozen=True)
class Effective:
    """What the next carousel will use, with the source of every value."""

    look: Look  # every field that has a value (defaults included)
    sources: Mapping[str, Source]

    def value(self, path: str) -> Any:
        return self.look.get(path)

    def render_options(self, images: Mapping[str, str | None] | None = None) -> RenderOptions:
        """RenderOptions for the job; ``images`` maps "brand.avatar"/"brand.logo" to resolved URLs."""
        images = images or {}
        look = self.look
        b = look.brand
        brand = Brand(
            name=b.name,
            handle=b.handle,
            avatar_url=images.get("brand.avatar") or (b.avatar.url if b.avatar else None),
            logo_url=images.get("brand.logo") or (b.logo.url if b.logo else None),
            accent=b.accent,
            footer=b.footer,
            watermark=bool(b.watermark),
        )
        fields = {path: look.get(path) for path in LOOK_FIELDS if look.get(path) is not None}
        if look.theme == CUSTOM_THEME and look.theme_file:
            fields[THEME_FILE_FIELD] = look.theme_file
        elif look.theme == CUSTOM_THEME:
            fields.pop("theme")  # the file is gone: the default look
        return RenderOptions(brand=brand, **fields)


def default_look() -> Look:
    """The options' own defaults as a settings layer (brand pictures have none)."""
    defaults = RenderOptions()
    look = Look()
    for path in LOOK_FIELDS:
        look = look.with_value(path, getattr(defaults, path))
    for path in BRAND_FIELDS:
        if path not in PICTURE_FIELDS:
            look = look.with_value(path, getattr(defaults.brand, path.removeprefix(BRAND_DOT)))
    return look


def resolve(state: ScopeState, preset: Look | None, *, is_group: bool) -> Effective:
    """default ← active preset ← personal (the scope's own values)."""
    layers: list[tuple[Look, Source]] = [(default_look(), Source(Layer.DEFAULT))]
    if preset is not None and state.active_preset:
        layers.append((preset, Source(Layer.PRESET, state.active_preset, is_group)))
    own = Layer.GROUP if is_group else Layer.PERSONAL
    layers.append((state.personal, Source(own, is_group=is_group)))
    look = Look()
    sources: dict[str, Source] = {}
    for layer, source in layers:
        for path, value in layer.values().items():
            look = look.with_value(path, value)
            sources[path] = source
    return Effective(look=look, sources=sources)
