"""Saved settings for the chat front-ends: personal and group settings, brand kits, presets.

Platform-neutral: Telegram and Discord front-ends share it. Records are pydantic models stored as
JSON, in Redis when ``REDIS_URL`` is set (they survive restarts), in memory otherwise; both stores
have the same async interface.

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

Redis keys (``prefix`` defaults to ``carousel:settings:``):

* ``{prefix}scope:{scope}`` — hash: ``personal`` (Look JSON), ``active_preset``, ``autolink``
* ``{prefix}presets:{scope}`` — hash: preset name → Look JSON
* ``{prefix}job:{ref}`` — submitted job (JobRecord JSON), expires after JOB_RECORD_TTL_S
* ``{prefix}pending:{key}`` — a value the bot asked for (PendingInput JSON), expires after PENDING_INPUT_TTL_S
* ``{prefix}cache:{key}`` — small cached values (e.g. an uploaded preview's file_id)
* ``{prefix}claim:{key}`` — a short-lived "already done" mark (e.g. a re-render button just pressed)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from contract import Brand, RenderOptions
from contract.options import BRAND_DOT, SETTING_FIELDS

DEFAULT_PREFIX = "carousel:settings:"
JOB_RECORD_TTL_S = 7 * 24 * 3600
PENDING_INPUT_TTL_S = 10 * 60
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
    ratio: str | None = None
    format: str | None = None
    max_posts: int | None = None
    cta: str | None = None
    cta_text: str | None = None
    cta_link: str | None = None
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
        fields: dict[str, Any] = {
            k: v
            for k, v in {
                "theme": look.theme,
                "ratio": look.ratio,
                "format": look.format,
                "max_posts": look.max_posts,
                "cta": look.cta,
                "cta_text": look.cta_text,
                "cta_link": look.cta_link,
            }.items()
            if v is not None
        }
        return RenderOptions(brand=brand, **fields)


def default_look() -> Look:
    defaults = RenderOptions()
    brand = defaults.brand
    return Look(
        theme=defaults.theme,
        ratio=defaults.ratio,
        format=defaults.format,
        max_posts=defaults.max_posts,
        cta=defaults.cta,
        cta_text=defaults.cta_text,
        cta_link=defaults.cta_link,
        brand=BrandKit(
            name=brand.name,
            handle=brand.handle,
            accent=brand.accent,
            footer=brand.footer,
            watermark=brand.watermark,
        ),
    )


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


# --- stores ---------------------------------------------------------------------------------------


class SettingsStore(Protocol):
    async def state(self, scope: str) -> ScopeState: ...
    async def set_personal(self, scope: str, look: Look) -> None: ...
    async def set_active_preset(self, scope: str, name: str | None) -> None: ...
    async def set_autolink(self, scope: str, on: bool) -> None: ...
    async def reset(self, scope: str) -> None: ...
    async def save_preset(self, scope: str, name: str, look: Look) -> None: ...
    async def preset(self, scope: str, name: str) -> Look | None: ...
    async def preset_names(self, scope: str) -> list[str]: ...
    async def delete_preset(self, scope: str, name: str) -> bool: ...
    async def remember_job(self, ref: str, record: JobRecord) -> None: ...
    async def job(self, ref: str) -> JobRecord | None: ...
    async def set_pending(self, key: str, pending: PendingInput) -> None: ...
    async def pop_pending(self, key: str) -> PendingInput | None: ...
    async def cached(self, key: str) -> str | None: ...
    async def cache(self, key: str, value: str) -> None: ...
    async def claim(self, key: str, ttl_s: int) -> bool:
        """True the first time within ``ttl_s`` seconds; False while an earlier claim holds."""
        ...

    async def close(self) -> None: ...


async def effective(store: SettingsStore, scope: str, *, is_group: bool) -> Effective:
    state = await store.state(scope)
    preset = await store.preset(scope, state.active_preset) if state.active_preset else None
    return resolve(state, preset, is_group=is_group)


async def update_value(store: SettingsStore, scope: str, path: str, value: Any) -> None:
    """Set one value in the scope's own (personal or group) layer; ``None`` unsets it."""
    state = await store.state(scope)
    await store.set_personal(scope, state.personal.with_value(path, value))


class MemorySettingsStore:
    """The same interface in process memory (no REDIS_URL): lost on restart."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._states: dict[str, ScopeState] = {}
        self._presets: dict[str, dict[str, Look]] = {}
        self._expiring: dict[str, tuple[float, str]] = {}
        self._clock = clock

    def _put(self, key: str, value: str, ttl: float | None) -> None:
        self._expiring[key] = (self._clock() + ttl if ttl else float("inf"), value)

    def _get(self, key: str) -> str | None:
        item = self._expiring.get(key)
        if item is None or item[0] <= self._clock():
            self._expiring.pop(key, None)
            return None
        return item[1]

    async def state(self, scope: str) -> ScopeState:
        return self._states.get(scope, ScopeState())

    async def set_personal(self, scope: str, look: Look) -> None:
        self._states[scope] = (await self.state(scope)).model_copy(update={"personal": look})

    async def set_active_preset(self, scope: str, name: str | None) -> None:
        self._states[scope] = (await self.state(scope)).model_copy(update={"active_preset": name})

    async def set_autolink(self, scope: str, on: bool) -> None:
        self._states[scope] = (await self.state(scope)).model_copy(update={"autolink": on})

    async def reset(self, scope: str) -> None:
        self._states[scope] = (await self.state(scope)).model_copy(
            update={"personal": Look(), "active_preset": None}
        )

    async def save_preset(self, scope: str, name: str, look: Look) -> None:
        self._presets.setdefault(scope, {})[name] = look

    async def preset(self, scope: str, name: str) -> Look | None:
        return self._presets.get(scope, {}).get(name)

    async def preset_names(self, scope: str) -> list[str]:
        return sorted(self._presets.get(scope, {}))

    async def delete_preset(self, scope: str, name: str) -> bool:
        return self._presets.get(scope, {}).pop(name, None) is not None

    async def remember_job(self, ref: str, record: JobRecord) -> None:
        self._put(f"job:{ref}", record.model_dump_json(), JOB_RECORD_TTL_S)

    async def job(self, ref: str) -> JobRecord | None:
        raw = self._get(f"job:{ref}")
        return JobRecord.model_validate_json(raw) if raw else None

    async def set_pending(self, key: str, pending: PendingInput) -> None:
        self._put(f"pending:{key}", pending.model_dump_json(), PENDING_INPUT_TTL_S)

    async def pop_pending(self, key: str) -> PendingInput | None:
        raw = self._get(f"pending:{key}")
        self._expiring.pop(f"pending:{key}", None)
        return PendingInput.model_validate_json(raw) if raw else None

    async def cached(self, key: str) -> str | None:
        return self._get(f"cache:{key}")

    async def cache(self, key: str, value: str) -> None:
        self._put(f"cache:{key}", value, None)

    async def claim(self, key: str, ttl_s: int) -> bool:
        if self._get(f"claim:{key}") is not None:
            return False
        self._put(f"claim:{key}", "1", ttl_s)
        return True

    async def close(self) -> None:
        return None


class RedisSettingsStore:
    """Settings in Redis (see the module docstring for the keys)."""

    def __init__(self, redis: Any, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisSettingsStore:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, decode_responses=True), prefix)

    def _scope_key(self, scope: str) -> str:
        return f"{self.prefix}scope:{scope}"

    def _presets_key(self, scope: str) -> str:
        return f"{self.prefix}presets:{scope}"

    async def state(self, scope: str) -> ScopeState:
        raw = await self.redis.hgetall(self._scope_key(scope))
        return ScopeState(
            personal=Look.model_validate_json(raw["personal"]) if raw.get("personal") else Look(),
            active_preset=raw.get("active_preset") or None,
            autolink=raw.get("autolink") == "1",
        )

    async def set_personal(self, scope: str, look: Look) -> None:
        await self.redis.hset(self._scope_key(scope), "personal", look.model_dump_json(exclude_none=True))

    async def set_active_preset(self, scope: str, name: str | None) -> None:
        if name:
            await self.redis.hset(self._scope_key(scope), "active_preset", name)
        else:
            await self.redis.hdel(self._scope_key(scope), "active_preset")

    async def set_autolink(self, scope: str, on: bool) -> None:
        await self.redis.hset(self._scope_key(scope), "autolink", "1" if on else "0")

    async def reset(self, scope: str) -> None:
        await self.redis.hdel(self._scope_key(scope), "personal", "active_preset")

    async def save_preset(self, scope: str, name: str, look: Look) -> None:
        await self.redis.hset(self._presets_key(scope), name, look.model_dump_json(exclude_none=True))

    async def preset(self, scope: str, name: str) -> Look | None:
        raw = await self.redis.hget(self._presets_key(scope), name)
        return Look.model_validate_json(raw) if raw else None

    async def preset_names(self, scope: str) -> list[str]:
        return sorted(await self.redis.hkeys(self._presets_key(scope)))

    async def delete_preset(self, scope: str, name: str) -> bool:
        return bool(await self.redis.hdel(self._presets_key(scope), name))

    async def remember_job(self, ref: str, record: JobRecord) -> None:
        await self.redis.set(f"{self.prefix}job:{ref}", record.model_dump_json(), ex=JOB_RECORD_TTL_S)

    async def job(self, ref: str) -> JobRecord | None:
        raw = await self.redis.get(f"{self.prefix}job:{ref}")
        return JobRecord.model_validate_json(raw) if raw else None

    async def set_pending(self, key: str, pending: PendingInput) -> None:
        await self.redis.set(f"{self.prefix}pending:{key}", pending.model_dump_json(), ex=PENDING_INPUT_TTL_S)

    async def pop_pending(self, key: str) -> PendingInput | None:
        raw = await self.redis.getdel(f"{self.prefix}pending:{key}")
        return PendingInput.model_validate_json(raw) if raw else None

    async def cached(self, key: str) -> str | None:
        value = await self.redis.get(f"{self.prefix}cache:{key}")
        return str(value) if value is not None else None

    async def cache(self, key: str, value: str) -> None:
        await self.redis.set(f"{self.prefix}cache:{key}", value)

    async def claim(self, key: str, ttl_s: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}claim:{key}", "1", ex=ttl_s, nx=True))

    async def close(self) -> None:
        await self.redis.aclose()


def make_store(redis_url: str | None, prefix: str = DEFAULT_PREFIX) -> SettingsStore:
    if redis_url:
        return RedisSettingsStore.from_url(redis_url, prefix)
    return MemorySettingsStore()
