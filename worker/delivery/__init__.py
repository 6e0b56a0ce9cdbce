"""Sending results back to the chat a job came from.

Every platform's delivery speaks the same small protocol, so the job body is platform-neutral:
``status(text)`` shows progress, ``fail(sentence)`` tells the user what went wrong, ``deliver(...)``
sends the slides and the PDF, ``deliver_cached(...)`` re-sends an identical earlier result without
rendering (or returns None), ``finish()`` removes the status message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from contract import ReplyAddress
from worker.config import Settings
from worker.delivery.common import ResultSummary

if TYPE_CHECKING:
    from rendering.api import Carousel
    from worker.results import ResultStore

__all__ = ["Delivery", "DeliveryUnavailable", "ResultSummary", "make_delivery"]


class DeliveryUnavailable(RuntimeError):
    """The worker cannot reach the platform the job came from (not configured)."""


class Delivery(Protocol):
    def status(self, text: str) -> None: ...

    def fail(self, sentence: str) -> None: ...

    def finish(self) -> None: ...

    def deliver(
        self, carousel: Carousel, summary: ResultSummary, job_id: str, content_key: str | None
    ) -> dict: ...

    def deliver_cached(self, content_key: str, job_id: str) -> dict | None: ...

    def close(self) -> None: ...


def make_delivery(reply: ReplyAddress, settings: Settings, store: ResultStore | None = None) -> Delivery:
    """The delivery for ``reply.platform``, configured from ``settings``."""
    if reply.platform == "telegram":
        from worker.delivery.telegram import TelegramClient, TelegramDelivery

        if not settings.telegram_bot_token:
            raise DeliveryUnavailable("TELEGRAM_BOT_TOKEN is not set on this worker")
        client = TelegramClient(settings.telegram_bot_token, settings.telegram_api_url)
        return TelegramDelivery(reply, client, store)
    if reply.platform == "discord":
        from worker.delivery.discord import DiscordDelivery

        if not settings.discord_bot_token and not reply.interaction_token:
            raise DeliveryUnavailable("DISCORD_BOT_TOKEN is not set on this worker")
        return DiscordDelivery(reply, settings)
    raise DeliveryUnavailable(f"unknown platform {reply.platform!r}")
