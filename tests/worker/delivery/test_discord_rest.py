"""The worker's Discord REST client on its own: retries, rate limits and refused tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.discord_api import BOT_TOKEN, FakeDiscord
from worker.delivery.discord_rest import DeliveryError, DiscordREST, TokenGone

APP_ID = "1100000000000000001"
TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5"
CHANNEL = "1200000000000000001"


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


def test_a_rate_limit_is_waited_out_with_the_injected_sleep(fake: FakeDiscord) -> None:
    waits: list[float] = []
    fake.rate_limit_next("POST", f"/channels/{CHANNEL}", retry_after=7.5)
    rest = DiscordREST(fake.api_base, BOT_TOKEN, sleep=waits.append)
    try:
        message = rest.request("POST", f"/channels/{CHANNEL}/messages", json={"content": "hi"}, bot=True)
    finally:
        rest.close()
    assert waits == [7.5]  # Discord's retry_after, waited through the injected sleep, not the clock
    assert message["content"] == "hi"
    assert [c.status for c in fake.find("POST", f"/channels/{CHANNEL}")] == [429, 200]
    assert all(c.authorization == f"Bot {BOT_TOKEN}" for c in fake.calls)


def test_a_refused_interaction_token_is_told_apart(fake: FakeDiscord) -> None:
    fake.expire_token(TOKEN)
    rest = DiscordREST(fake.api_base, BOT_TOKEN, sleep=lambda s: None)
    with pytest.raises(TokenGone):
        rest.request("PATCH", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original", json={"content": "x"})
    rest.close()
    (call,) = fake.calls
    assert call.authorization is None  # a webhook call never carries the bot token


def test_a_bot_call_without_a_bot_token_is_one_sentence_and_no_request(fake: FakeDiscord) -> None:
    rest = DiscordREST(fake.api_base, None)
    with pytest.raises(DeliveryError) as caught:
        rest.request("POST", f"/channels/{CHANNEL}/messages", json={"content": "x"}, bot=True)
    rest.close()
    assert "bot token" in caught.value.message and caught.value.message.endswith(".")
    assert fake.calls == []
