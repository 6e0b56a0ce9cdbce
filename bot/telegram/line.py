"""Where links over the rate limit wait their turn (see :mod:`bot.telegram.waiting`): in Redis when
configured, so a restart loses nothing; in memory otherwise.

Redis keys (``prefix`` defaults to ``carousel:line:``): ``{prefix}chat:{chat_id}`` — a list of
waiting links (:class:`Waiting` JSON), oldest first; ``{prefix}chats`` — the set of chats with a line.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

DEFAULT_PREFIX = "carousel:line:"


class Waiting(BaseModel):
    """One link waiting its turn: the job it starts (its status message named in the reply address)."""

    payload: dict  # a JobPayload, as submitted
    images: dict[str, str] = {}  # brand-picture file ids, for the job record
    joined_at: float = 0.0
    told: int = -1  # the place its status message said when it joined (links ahead of it)


class LineStore(Protocol):
    async def join(self, chat: str, item: str, cap: int) -> int | None:
        """Append ``item``; the number of items ahead of it, or None when the line is full."""
        ...

    async def items(self, chat: str) -> list[str]: ...

    async def remove(self, chat: str, item: str) -> None: ...

    async def chats(self) -> list[str]: ...


class MemoryLineStore:
    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    async def join(self, chat: str, item: str, cap: int) -> int | None:
        line = self._lines.setdefault(chat, [])
        if len(line) >= cap:
            return None
        line.append(item)
        return len(line) - 1

    async def items(self, chat: str) -> list[str]:
        return list(self._lines.get(chat, []))

    async def remove(self, chat: str, item: str) -> None:
        line = self._lines.get(chat, [])
        if item in line:
            line.remove(item)
        if not line:
            self._lines.pop(chat, None)

    async def chats(self) -> list[str]:
        return list(self._lines)


# one round trip each, so two joins can't both take the last place and an emptied line leaves the set
_JOIN = """
local n = redis.call('LLEN', KEYS[1])
if n >= tonumber(ARGV[2]) then return -1 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[3])
return n
"""
_REMOVE = """
redis.call('LREM', KEYS[1], 1, ARGV[1])
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1
"""


class RedisLineStore:
    def __init__(self, redis: Any, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis  # a redis.asyncio.Redis (decode_responses=True)
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisLineStore:
        from redis.asyncio import Redis

        from worker.config import redis_options  # reconnect and retry after a Redis restart

        return cls(Redis.from_url(url, decode_responses=True, **redis_options(asyncio=True)), prefix)

    def _keys(self, chat: str) -> list[str]:
        return [f"{self.prefix}chat:{chat}", f"{self.prefix}chats"]

    async def join(self, chat: str, item: str, cap: int) -> int | None:
        ahead = int(await self.redis.eval(_JOIN, 2, *self._keys(chat), item, cap, chat))
        return None if ahead < 0 else ahead

    async def items(self, chat: str) -> list[str]:
        return list(await self.redis.lrange(self._keys(chat)[0], 0, -1))

    async def remove(self, chat: str, item: str) -> None:
        await self.redis.eval(_REMOVE, 2, *self._keys(chat), item, chat)

    async def chats(self) -> list[str]:
        return sorted(await self.redis.smembers(f"{self.prefix}chats"))


def make_line_store(redis_url: str | None, prefix: str = DEFAULT_PREFIX) -> LineStore:
    if redis_url:
        return RedisLineStore.from_url(redis_url, prefix)
    return MemoryLineStore()
