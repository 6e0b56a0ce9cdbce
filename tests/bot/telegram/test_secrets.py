"""No bot token in the bot's log lines, even at DEBUG where httpx logs every request URL."""

from __future__ import annotations

import logging

import pytest

from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI


async def test_bot_logs_carry_no_token(
    chat: Chat, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await chat.say(42, "/start")
    await chat.say(42, "/theme")
    assert fake.calls_to("sendMessage")
    logged = caplog.text
    assert "/sendMessage" in logged  # httpx logged the request lines...
    assert "<redacted>" in logged  # ...with the token taken out
    assert fake.token not in logged
    assert fake.token.split(":", 1)[1] not in logged
