"""Discord's REST API as the worker speaks it: no gateway, no discord.py.

One :meth:`DiscordREST.request` per call: connection errors and 5xx answers are retried with backoff,
429 answers waited out (their ``retry_after``, as long as the caller's ``wait_budget`` allows: an
interaction webhook may wait while its token and the job live) a bounded number of times, an
interaction webhook that no longer accepts its token raises :class:`TokenGone` (the caller switches
to the channel and the bot token), and anything else that still fails becomes a
:class:`DeliveryError` with a sentence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from contract.errors import UserError
from worker.http import tls_context
from worker.limits import (
    DISCORD_BACKOFF_BASE_S,
    DISCORD_HTTP_RETRIES,
    DISCORD_RETRY_AFTER_MAX_S,
    DISCORD_WAIT_SHOWN_S,
    HTTP_TIMEOUT_S,
)

log = logging.getLogger(__name__)

# Discord error codes that mean "this interaction token is no longer usable"
TOKEN_GONE_CODES = frozenset({10015, 10062, 50027})
TOKEN_GONE_STATUSES = frozenset({401, 404})
REQUEST_TOO_LARGE = 40005


class DeliveryError(UserError):
    message = "I made your carousel but couldn't post it to Discord. Please try again in a moment."


class TokenGone(Exception):
    """The interaction webhook refused the token: switch to the channel."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str
    description: str | None = None


class DiscordREST:
    """An HTTP client for ``api_url`` (Discord's, a REST proxy, or a local fake in tests).

    ``client`` is closed by :meth:`close` only when this object created it; ``sleep`` is how it
    waits between attempts (injectable, so tests do not wait).
    """

    def __init__(
        self,
        api_url: str,
        bot_token: str | None,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api = api_url.rstrip("/")
        self.bot_token = bot_token
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=HTTP_TIMEOUT_S, verify=tls_context())
        self._sleep = sleep

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        bot: bool = False,
        wait_budget: Callable[[], float] | None = None,
        on_wait: Callable[[float], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """One call (``bot``: with the bot token); retried on 429 and 5xx; :class:`TokenGone` when an
        interaction webhook refuses its token, :class:`DeliveryError` for anything else that fails.

        ``wait_budget``: how many seconds a 429 may still be waited out (asked at each 429); by default
        :data:`~worker.limits.DISCORD_RETRY_AFTER_MAX_S`. ``on_wait`` is told of a 429 wait of at least
        :data:`~worker.limits.DISCORD_WAIT_SHOWN_S` before it is slept through."""
        headers = {}
        if bot:
            if not self.bot_token:
                raise DeliveryError(
                    "The Discord interaction expired and no bot token is configured to post the result."
                )
            headers["Authorization"] = f"Bot {self.bot_token}"
        for attempt in range(DISCORD_HTTP_RETRIES + 1):
            try:
                response = self.client.request(method, self.api + path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                if attempt == DISCORD_HTTP_RETRIES:
                    raise DeliveryError() from exc
                self._sleep(DISCORD_BACKOFF_BASE_S * 2**attempt)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                budget = wait_budget() if wait_budget is not None else DISCORD_RETRY_AFTER_MAX_S
                if wait > budget or attempt == DISCORD_HTTP_RETRIES:
                    log.warning(
                        "Discord rate limit on %s %s: %.1f s is longer than the %.1f s left",
                        method,
                        path,
                        wait,
                        budget,
                    )
                    raise DeliveryError(
                        "Discord is rate-limiting me right now, so please try again in a minute."
                    )
                log.info("Discord rate limit on %s %s: waiting %.2f s", method, path, wait)
                if on_wait is not None and wait >= DISCORD_WAIT_SHOWN_S:
                    on_wait(wait)
                self._sleep(wait)
                continue
            if response.status_code >= 500 and attempt < DISCORD_HTTP_RETRIES:
                self._sleep(DISCORD_BACKOFF_BASE_S * 2**attempt)
                continue
            if response.is_success:
                return response.json() if response.content else None
            code = _error_code(response)
            if not bot and (code in TOKEN_GONE_CODES or response.status_code in TOKEN_GONE_STATUSES):
                raise TokenGone()
            log.error("Discord %s %s failed: %s %s", method, path, response.status_code, response.text[:500])
            if code == REQUEST_TOO_LARGE or response.status_code == 413:
                raise DeliveryError("The carousel is larger than Discord allows in this channel.")
            raise DeliveryError()
        raise DeliveryError()  # pragma: no cover - the loop returns or raises


def _retry_after(response: httpx.Response) -> float:
    try:
        value = response.json().get("retry_after")
        if value is not None:
            return max(0.0, float(value))
    except (ValueError, AttributeError):
        pass
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def _error_code(response: httpx.Response) -> int | None:
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None
