"""Sending results back to the chat a job came from.

Every platform's delivery speaks the same small protocol, so the job body is platform-neutral:
``status(text)`` shows progress, ``fail(sentence)`` tells the user what went wrong, ``deliver(...)``
sends the slides and the PDF, ``deliver_cached(...)`` re-sends an identical earlier result without
rendering (or returns None), ``finish()`` removes the status message.

A delivery made with a Redis ``connection`` paces its sends with limits shared by every worker and
never sleeps for them: ``deliver``/``deliver_cached`` raise
:class:`~worker.delivery.common.DeliveryDeferred` when the rest must wait, and take its ``state`` as
``resume`` later. Without one (the embedded queue), it waits in place.

``post_text(messages)`` answers a "📝 Caption" press: the texts go to the chat (Telegram) or, on
Discord, privately to the person who pressed (their deferred ephemeral response, then follow-ups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from contract import ReplyAddress
from worker.config import Settings
from worker.delivery.common import DeliveryDeferred, ResultSummary

if TYPE_CHECKING:
    from rendering.api import Carousel
    from worker.results import ResultStore

__all__ = ["Delivery", "DeliveryDeferred", "DeliveryUnavailable", "ResultSummary", "make_delivery"]


class DeliveryUnavailable(RuntimeError):
    """The worker cannot reach the platform the job came from (not configured)."""


class Delivery(Protocol):
    def status(self, text: str) -> None: ...

    def fail(self, sentence: str) -> None: ...

    def finish(self) -> None: ...

    def deliver(
        self,
        carousel: Carousel,
        summary: ResultSummary,
        job_id: str,
        content_key: str | None,
        resume: Mapping[str, Any] | None = None,
        alt_texts: Sequence[str] | None = None,
    ) -> dict: ...

    def deliver_cached(
        self,
        content_key: str,
        job_id: str,
        resume: Mapping[str, Any] | None = None,
        changed: tuple[tuple[str, str], ...] = (),
    ) -> dict | None: ...

    def post_text(self, messages: Sequence[str]) -> None: ...

    def close(self) -> None: ...


def make_delivery(
    reply: ReplyAddress,
    settings: Settings,
    store: ResultStore | None = None,
    *,
    connection: Any = None,
) -> Delivery:
    """The delivery for ``reply.platform``, configured from ``settings``.

    ``connection``: Redis, to share the chat pacing with every worker and defer rather than sleep.
    """
    from contract import redact

    redact.install([settings.telegram_bot_token, settings.discord_bot_token])  # whoever runs the job
    if reply.platform == "telegram":
        from worker.delivery.pacing import RedisPacer, local_pacer
        from worker.delivery.telegram import TelegramClient, TelegramDelivery
        from worker.results import bot_key

        token = settings.telegram_bot_token
        if not token:
            raise DeliveryUnavailable("TELEGRAM_BOT_TOKEN is not set on this worker")
        api_url = settings.telegram_api_url
        if connection is not None:
            pacer = RedisPacer(connection, bot_key(api_url, token))
            client = TelegramClient(token, api_url, pacer=pacer, defer=True)
        else:
            client = TelegramClient(token, api_url, pacer=local_pacer())
        return TelegramDelivery(reply, client, store)
    if reply.platform == "discord":
        from worker.delivery.discord import DiscordDelivery

        if not settings.discord_bot_token and not reply.interaction_token:
            raise DeliveryUnavailable("DISCORD_BOT_TOKEN is not set on this worker")
        return DiscordDelivery(reply, settings)
    raise DeliveryUnavailable(f"unknown platform {reply.platform!r}")
