"""Fetched threads cached in Redis, keyed by the canonical post id, so re-rendering never re-fetches.

The cache is an optimisation: a Redis failure or an unreadable entry is logged and treated as a miss.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from pydantic import ValidationError
from redis.exceptions import RedisError

from rendering.model import Thread
from worker.limits import THREAD_CACHE_TTL_S

log = logging.getLogger(__name__)


class ThreadCache:
    def __init__(self, redis: Any, ttl: int = THREAD_CACHE_TTL_S, *, prefix: str = "carousel:") -> None:
        self.redis = redis
        self.ttl = int(ttl)
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> Thread | None:
        try:
            raw = self.redis.get(self._key(key))
        except RedisError:
            log.warning("thread cache read failed for %s", key, exc_info=True)
            return None
        if raw is None:
            return None
        try:
            return Thread.model_validate_json(raw)
        except (ValidationError, ValueError):
            log.warning("thread cache entry %s unreadable; dropping it", key)
            with contextlib.suppress(RedisError):
                self.redis.delete(self._key(key))
            return None

    def put(self, key: str, thread: Thread) -> None:
        try:
            self.redis.set(self._key(key), thread.model_dump_json(), ex=self.ttl)
        except RedisError:
            log.warning("thread cache write failed for %s", key, exc_info=True)
