"""How fast a bot may send to a chat: the Bot API's published limits, shared by every worker.

Telegram's limits (../shared/facts/platform-limits.md, the Bot FAQ "My bot is hitting limits", and
python-telegram-bot's ``AIORateLimiter``, which applies exactly these):

- about 30 messages per second for the whole bot;
- at most 20 messages per minute in one group (any chat whose id is negative: groups, supergroups,
  channels);
- a private chat takes short bursts: no wait is imposed there beyond the bot-wide rate, so the first
  carousel a user asks for goes out as fast as the uploads go;
- a 429 answer's ``retry_after`` holds every send to that chat until it has passed.

A send request counts once, whether it carries one photo or a media group of ten (as
python-telegram-bot's limiter counts it; Telegram does not document how it counts an album).

:meth:`Pacer.reserve` never sleeps: it answers 0 and counts the send, or answers how long to wait
and counts nothing. The caller decides what waiting means — the worker hands the rest of the
delivery to a later job rather than sleeping while it holds a worker.

:class:`RedisPacer` keeps the windows in Redis (one atomic script per send), so two workers sending
to the same group share its 20 a minute; :class:`LocalPacer` keeps them in this process (embedded
queue, tests).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from worker.limits import (
    TELEGRAM_GROUP_MESSAGES_PER_MINUTE,
    TELEGRAM_MESSAGES_PER_SECOND,
)

Window = tuple[int, float]  # (sends allowed, within this many seconds)
BOT_WINDOW: Window = (TELEGRAM_MESSAGES_PER_SECOND, 1.0)
GROUP_WINDOW: Window = (TELEGRAM_GROUP_MESSAGES_PER_MINUTE, 60.0)
PREFIX = "carousel:tg:pace:"


def is_group(chat: str) -> bool:
    """Telegram's group, supergroup and channel ids are negative; a private chat's is the user's id."""
    return chat.startswith("-")


class Pacer(Protocol):
    def reserve(self, chat: str) -> float:
        """0.0: send to ``chat`` now (the send is counted); else the seconds to wait first."""
        ...

    def hold(self, chat: str, seconds: float) -> None:
        """Telegram asked for a pause (429 ``retry_after``): nothing goes to ``chat`` until it passed."""
        ...


class LocalPacer:
    """The windows in this process's memory."""

    def __init__(
        self,
        bot_window: Window = BOT_WINDOW,
        group_window: Window = GROUP_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_window = bot_window
        self.group_window = group_window
        self.clock = clock
        self._lock = threading.Lock()
        self._sends: dict[str, deque[float]] = {}
        self._holds: dict[str, float] = {}

    def _windows(self, chat: str) -> list[tuple[str, Window]]:
        out = [("bot", self.bot_window)]
        if is_group(chat):
            out.append((f"chat:{chat}", self.group_window))
        return out

    def reserve(self, chat: str) -> float:
        with self._lock:
            now = self.clock()
            wait = self._holds.get(chat, 0.0) - now
            for key, (limit, span) in self._windows(chat):
                sends = self._sends.setdefault(key, deque())
                while sends and sends[0] <= now - span:
                    sends.popleft()
                if len(sends) >= limit:
                    wait = max(wait, sends[0] + span - now)
            if wait > 0:
                return wait
            for key, _ in self._windows(chat):
                self._sends[key].append(now)
            return 0.0

    def hold(self, chat: str, seconds: float) -> None:
        with self._lock:
            until = self.clock() + seconds
            self._holds[chat] = max(self._holds.get(chat, 0.0), until)


_LOCAL: LocalPacer | None = None
_LOCAL_LOCK = threading.Lock()


def local_pacer() -> LocalPacer:
    """The pacer every delivery in this process shares (the embedded queue has no Redis)."""
    global _LOCAL
    with _LOCAL_LOCK:
        if _LOCAL is None:
            _LOCAL = LocalPacer()
        return _LOCAL


# KEYS[1]: the chat's hold (ms timestamp); KEYS[2..]: sliding windows (sorted sets of send times).
# ARGV[1]: a unique member; then (limit, window ms) for each window key. Returns the wait in ms.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local hold = tonumber(redis.call('GET', KEYS[1]) or '0')
if hold > now then wait = hold - now end
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 * i - 2])
  local span = tonumber(ARGV[2 * i - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - span)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + span - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 1]))
end
return 0
"""

_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 1000) end
return until_ms
"""


class RedisPacer:
    """The windows in Redis, shared by every worker sending as the same bot."""

    def __init__(
        self,
        connection: Any,
        bot: str,
        bot_window: Window = BOT_WINDOW,
        group_window: Window = GROUP_WINDOW,
    ) -> None:
        self.connection = connection
        self.bot = bot
        self.bot_window = bot_window
        self.group_window = group_window
        self._reserve = connection.register_script(_RESERVE)
        self._hold = connection.register_script(_HOLD)

    def _key(self, what: str) -> str:
        return f"{PREFIX}{self.bot}:{what}"

    def reserve(self, chat: str) -> float:
        keys = [self._key(f"hold:{chat}"), self._key("bot")]
        args: list[Any] = [secrets.token_hex(8), *_window_args(self.bot_window)]
        if is_group(chat):
            keys.append(self._key(f"chat:{chat}"))
            args.extend(_window_args(self.group_window))
        return int(self._reserve(keys=keys, args=args)) / 1000

    def hold(self, chat: str, seconds: float) -> None:
        self._hold(keys=[self._key(f"hold:{chat}")], args=[max(1, int(seconds * 1000))])


def _window_args(window: Window) -> list[int]:
    limit, span = window
    return [limit, int(span * 1000)]
