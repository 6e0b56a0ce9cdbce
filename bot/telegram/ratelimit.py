"""Per-user and per-chat request limits (fixed windows): in Redis when configured, in memory otherwise.

Redis keys: ``{prefix}{key}:{window index}`` counters that expire with their window
(``prefix`` defaults to ``carousel:ratelimit:``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from worker.limits import (
    CAROUSELS_PER_CHAT,
    CAROUSELS_PER_CHAT_WINDOW_S,
    CAROUSELS_PER_USER,
    CAROUSELS_PER_USER_WINDOW_S,
)

DEFAULT_PREFIX = "carousel:ratelimit:"


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: int) -> float:
        """Count one request; 0 when allowed, else the seconds until the window resets."""
        ...

    async def peek(self, key: str, limit: int, window_s: int) -> float:
        """What :meth:`hit` would answer, without counting anything."""
        ...


class MemoryRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window index, count)
        self._clock = clock

    async def hit(self, key: str, limit: int, window_s: int) -> float:
        now = self._clock()
        index = int(now // window_s)
        seen, count = self._windows.get(key, (index, 0))
        count = count + 1 if seen == index else 1
        self._windows[key] = (index, count)
        return 0.0 if count <= limit else (index + 1) * window_s - now

    async def peek(self, key: str, limit: int, window_s: int) -> float:
        now = self._clock()
        index = int(now // window_s)
        seen, count = self._windows.get(key, (index, 0))
        count = count if seen == index else 0
        return 0.0 if count < limit else (index + 1) * window_s - now


class RedisRateLimiter:
    def __init__(
        self, redis: Any, prefix: str = DEFAULT_PREFIX, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.prefix = prefix
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisRateLimiter:
        from redis.asyncio import Redis

        from worker.config import redis_options  # reconnect and retry after a Redis restart

        return cls(Redis.from_url(url, decode_responses=True, **redis_options(asyncio=True)), prefix)

    async def hit(self, key: str, limit: int, window_s: int) -> float:
        now = self._clock()
        index = int(now // window_s)
        counter = f"{self.prefix}{key}:{index}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(counter)
            pipe.expire(counter, window_s + 1)
            count, _ = await pipe.execute()
        return 0.0 if int(count) <= limit else (index + 1) * window_s - now

    async def peek(self, key: str, limit: int, window_s: int) -> float:
        now = self._clock()
        index = int(now // window_s)
        count = await self.redis.get(f"{self.prefix}{key}:{index}")
        return 0.0 if int(count or 0) < limit else (index + 1) * window_s - now


def make_rate_limiter(redis_url: str | None, prefix: str = DEFAULT_PREFIX) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, prefix)
    return MemoryRateLimiter()


def chat_limit(platform: str, chat_id: int | str) -> tuple[str, int, int]:
    """The limiter key, limit and window of one chat's carousels."""
    return f"{platform}:chat:{chat_id}", CAROUSELS_PER_CHAT, CAROUSELS_PER_CHAT_WINDOW_S


async def carousel_peek_s(limiter: RateLimiter, platform: str, user_id: int | str, chat_id: int | str) -> int:
    """Whole seconds until this person could start a carousel here, counting nothing (0: now)."""
    wait = max(
        await limiter.peek(f"{platform}:user:{user_id}", CAROUSELS_PER_USER, CAROUSELS_PER_USER_WINDOW_S),
        await limiter.peek(*chat_limit(platform, chat_id)),
    )
    return math.ceil(wait) if wait else 0


async def carousel_wait_s(limiter: RateLimiter, platform: str, user_id: int | str, chat_id: int | str) -> int:
    """Whole seconds to wait before this person may start another carousel here (0: go ahead)."""
    wait = await limiter.hit(f"{platform}:user:{user_id}", CAROUSELS_PER_USER, CAROUSELS_PER_USER_WINDOW_S)
    if not wait:
        wait = await limiter.hit(*chat_limit(platform, chat_id))
    return math.ceil(wait) if wait else 0
