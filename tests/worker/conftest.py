"""What every worker test shares: its log, captured at DEBUG, never shows a token the test used."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture(autouse=True)
def _no_token_logged(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Jobs run in-process here (the whole body: fetch, render, deliver): httpx logs each Bot API URL
    with the bot token in its path, the Discord delivery its webhook paths on a 429 or a failure."""
    caplog.set_level(logging.DEBUG)
    yield
    secrets: set[str] = set()
    for value in request.node.funcargs.values():
        if isinstance(value, FakeTelegramAPI):
            secrets.update({value.token, value.token.split(":", 1)[1]})
        elif isinstance(value, FakeDiscord):
            secrets.update({value.bot_token, *value.interaction_tokens()})
    logged = caplog.text
    leaked = sorted(s for s in secrets if s in logged)
    assert not leaked, f"tokens in the log: {leaked}"
