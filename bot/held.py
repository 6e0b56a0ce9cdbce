"""Links that arrive while Redis is away: kept in the bot's process, started once Redis is back.

Redis holds the queue, the saved settings and the rate limits, so a link sent during a Redis restart
or outage cannot be started at once. Instead of "try again later", a front-end hands the start to
:class:`HeldLinks` and tells the person their carousel is queued. A background task tries the held
starts again, oldest first, with a growing pause (a round stops at the first one that still meets
Redis away); each start runs to success once and is then forgotten, so it is queued exactly once.

Bounded: at most ``HELD_LINKS_MAX`` starts, ``HELD_LINKS_PER_CHAT`` from one chat (the rate limit
lives in Redis too), each for ``HELD_LINK_MAX_AGE_S`` — after that its ``give_up`` tells the person
(given the message that said "queued", if the front-end kept one with :meth:`set_status`).
A held start lives in this process only: a bot restarted during the outage forgets it.

A start signals "Redis still away" by raising :class:`redis.exceptions.RedisError`, or — when it runs
through a framework that catches errors itself (Telegram's error handler) — by :meth:`still_away`
while it runs (:meth:`replaying` tells that handler it is a held start's second try).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter, Gauge
from redis.exceptions import RedisError

from worker.limits import (
    HELD_LINK_MAX_AGE_S,
    HELD_LINKS_MAX,
    HELD_LINKS_PER_CHAT,
    HELD_RETRY_FIRST_S,
    HELD_RETRY_MAX_S,
)

log = logging.getLogger(__name__)

HELD_NOW = Gauge("carousel_held_links", "Links the bot keeps while Redis is away (see bot/held.py)")
HELD = Counter(
    "carousel_held",
    "Links that came while Redis was away, by outcome: held, started (queued once Redis was back), "
    "given_up (held too long), refused (too many held: the person was told to try again)",
    ["outcome"],
)

Start = Callable[[], Awaitable[Any]]
GiveUp = Callable[[Any], Awaitable[None]]  # called with the held link's status message (or None)


@dataclass
class Held:
    key: str
    chat: str
    start: Start
    give_up: GiveUp | None
    since: float
    status: Any = field(default=None)  # the "busy, queued" message the start may take over


class HeldLinks:
    def __init__(
        self,
        *,
        limit: int = HELD_LINKS_MAX,
        per_chat: int = HELD_LINKS_PER_CHAT,
        max_age_s: float = HELD_LINK_MAX_AGE_S,
        first_pause_s: float = HELD_RETRY_FIRST_S,
        max_pause_s: float = HELD_RETRY_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.per_chat = per_chat
        self.max_age_s = max_age_s
        self.first_pause_s = first_pause_s
        self.max_pause_s = max_pause_s
        self.clock = clock
        self._items: list[Held] = []
        self._replaying: set[str] = set()
        self._away: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def hold(self, key: str, chat: str | int, start: Start, give_up: GiveUp | None = None) -> bool:
        """Keep ``start`` until Redis is back; False when the process or this chat holds too many."""
        if any(item.key == key for item in self._items):
            return True
        chat = str(chat)
        if len(self._items) >= self.limit or sum(i.chat == chat for i in self._items) >= self.per_chat:
            log.warning("Redis away and %d links held: not holding another from %s", len(self._items), chat)
            HELD.labels("refused").inc()
            return False
        self._items.append(Held(key, chat, start, give_up, self.clock()))
        HELD.labels("held").inc()
        HELD_NOW.inc()
        log.info("Redis away: holding %s until it is back (%d held)", key, len(self._items))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain(), name="held-links")
        return True

    def set_status(self, key: str, status: Any) -> None:
        """The message that told the person their link is queued (its start may take it over)."""
        for item in self._items:
            if item.key == key:
                item.status = status

    def status(self, key: str) -> Any:
        """The "queued" message kept for the start running now under ``key`` (None: there is none)."""
        if key not in self._replaying:
            return None
        return next((item.status for item in self._items if item.key == key), None)

    def replaying(self, key: str) -> bool:
        """Whether the held start under ``key`` is being tried again right now."""
        return key in self._replaying

    def still_away(self, key: str) -> None:
        """The start being tried met Redis away again: keep it for the next round."""
        self._away.add(key)

    async def close(self) -> None:
        """Stop trying (the bot shuts down): what is still held is forgotten."""
        HELD_NOW.dec(len(self._items))
        self._items.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _drain(self) -> None:
        pause = self.first_pause_s
        while self._items:
            await asyncio.sleep(pause)
            await self._drop_expired()
            while self._items:
                item = self._items[0]
                if not await self._try(item):
                    break
                self._items.remove(item)
                HELD_NOW.dec()
                HELD.labels("started").inc()
                pause = self.first_pause_s
            else:
                break
            pause = min(pause * 2, self.max_pause_s)

    async def _try(self, item: Held) -> bool:
        """One try of a held start: True when it ran (it is done), False when Redis is still away."""
        self._replaying.add(item.key)
        self._away.discard(item.key)
        try:
            await item.start()
        except RedisError as exc:
            log.info("held %s: Redis still away (%s)", item.key, exc.__class__.__name__)
            return False
        except Exception:  # a bug in the start: it is not tried forever
            log.exception("held %s failed when started again", item.key)
            return True
        finally:
            self._replaying.discard(item.key)
        if item.key in self._away:
            self._away.discard(item.key)
            return False
        log.info("held %s started, Redis is back (%d still held)", item.key, len(self._items) - 1)
        return True

    async def _drop_expired(self) -> None:
        now = self.clock()
        for item in [i for i in self._items if now - i.since > self.max_age_s]:
            self._items.remove(item)
            HELD_NOW.dec()
            HELD.labels("given_up").inc()
            log.warning("held %s given up after %.0f s without Redis", item.key, now - item.since)
            if item.give_up is not None:
                try:
                    await item.give_up(item.status)
                except Exception:
                    log.warning("could not tell %s that its link was given up", item.key, exc_info=True)
