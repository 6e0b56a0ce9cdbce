"""Where saved settings live: in Redis when ``REDIS_URL`` is set (they survive restarts), in memory
otherwise; both stores have the same async interface. The records and how their layers combine are
:mod:`bot.settings_model`.

Redis keys (``prefix`` defaults to ``carousel:settings:``):

* ``{prefix}scope:{scope}`` — hash: ``personal`` (Look JSON), ``active_preset``, ``autolink``
* ``{prefix}presets:{scope}`` — hash: preset name → Look JSON
* ``{prefix}job:{ref}`` — submitted job (JobRecord JSON), expires after JOB_RECORD_TTL_S
* ``{prefix}pending:{key}`` — a value the bot asked for (PendingInput JSON), expires after PENDING_INPUT_TTL_S
* ``{prefix}cache:{key}`` — small cached values (an uploaded preview's file_id; whose a picker message is)
* ``{prefix}claim:{key}`` — a short-lived "already done" mark (e.g. a re-render button just pressed)
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from bot.settings_model import (
    Effective,
    JobRecord,
    Look,
    PendingInput,
    ScopeState,
    resolve,
)
from worker.limits import PROMPT_EXPIRES_S

DEFAULT_PREFIX = "carousel:settings:"
JOB_RECORD_TTL_S = 7 * 24 * 3600
PENDING_INPUT_TTL_S = PROMPT_EXPIRES_S


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
    async def cache(self, key: str, value: str, ttl_s: int | None = None) -> None: ...
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

    async def cache(self, key: str, value: str, ttl_s: int | None = None) -> None:
        self._put(f"cache:{key}", value, ttl_s)

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
    def from_url(
        cls, url: str, prefix: str = DEFAULT_PREFIX, *, redis: dict[str, Any] | None = None
    ) -> RedisSettingsStore:
        """``redis``: client options instead of :func:`worker.config.redis_options` (Discord's, quicker)."""
        from redis.asyncio import Redis

        from worker.config import redis_options  # reconnect and retry after a Redis restart

        options = redis if redis is not None else redis_options(asyncio=True)
        return cls(Redis.from_url(url, decode_responses=True, **options), prefix)

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

    async def cache(self, key: str, value: str, ttl_s: int | None = None) -> None:
        await self.redis.set(f"{self.prefix}cache:{key}", value, ex=ttl_s)

    async def claim(self, key: str, ttl_s: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}claim:{key}", "1", ex=ttl_s, nx=True))

    async def close(self) -> None:
        await self.redis.aclose()


def make_store(redis_url: str | None, prefix: str = DEFAULT_PREFIX) -> SettingsStore:
    if redis_url:
        return RedisSettingsStore.from_url(redis_url, prefix)
    return MemorySettingsStore()
