"""Links over the rate limit wait their turn in line, with their place shown, and survive a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.settings_store import RedisSettingsStore
from bot.telegram import texts, waiting
from bot.telegram.app import build_application
from bot.telegram.line import RedisLineStore
from bot.telegram.ratelimit import RedisRateLimiter
from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.config import Settings
from worker.limits import CAROUSELS_PER_USER, CAROUSELS_PER_USER_WINDOW_S, WAITING_LINKS_PER_CHAT
from worker.queue import RQJobQueue

X_LINK = "https://x.com/jack/status/20"
GROUP = -1001234567890
ASKER, OTHER = 7, 8


async def until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the bot's own tasks run until ``predicate`` holds."""
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def status_texts(fake: FakeTelegramAPI, message_id: int) -> list[str]:
    """What one status message said: as sent, then each edit."""
    sent = [c for c in fake.calls_to("sendMessage") if c.response["result"]["message_id"] == message_id]
    edits = [c for c in fake.calls_to("editMessageText") if c.params["message_id"] == message_id]
    return [str(c.params["text"]) for c in sent + edits]


async def test_links_over_the_limit_wait_in_line_with_their_place_and_start_in_turn(
    chat: Chat, fake: FakeTelegramAPI, clock: list[float]
) -> None:
    for _ in range(CAROUSELS_PER_USER):
        await chat.say(GROUP, f"/carousel {X_LINK}", user_id=ASKER)
    assert len(chat.jobs()) == CAROUSELS_PER_USER
    for _ in range(CAROUSELS_PER_USER + 1):  # a whole window's worth more, and one
        await chat.say(GROUP, f"/carousel {X_LINK}", user_id=ASKER)
    waiting_statuses = [c.response["result"]["message_id"] for c in fake.calls_to("sendMessage")[-6:]]
    said = [status_texts(fake, m)[0] for m in waiting_statuses]
    # the clock sits 1 s into the window
    assert said == [texts.LINE_NEXT.format(seconds=CAROUSELS_PER_USER_WINDOW_S - 1)] + [
        texts.LINE_PLACE.format(ahead=n) for n in range(1, 6)
    ]
    assert said[2] == "⏳ Queued — 2 ahead of you; this message changes as your link moves up."
    assert len(chat.jobs()) == CAROUSELS_PER_USER  # nothing dropped, nothing started yet

    # another member, not over any limit, goes first at once: the links held back by their own
    # sender's limit are not ahead of them, so they are never told "6 ahead of you"
    await chat.say(GROUP, f"/carousel {X_LINK}", user_id=OTHER)
    assert len(chat.jobs()) == CAROUSELS_PER_USER + 1
    assert chat.payloads()[-1]["reply"]["user_id"] == OTHER
    other_status = chat.payloads()[-1]["reply"]["status_message_id"]
    assert status_texts(fake, other_status) == [texts.QUEUED]

    # the next window: the asker's next five start in order; the last one moves up to the front
    clock[0] += CAROUSELS_PER_USER_WINDOW_S
    await until(lambda: len(chat.jobs()) == 2 * CAROUSELS_PER_USER + 1)
    started = [p["reply"]["status_message_id"] for p in chat.payloads()[-CAROUSELS_PER_USER:]]
    # (in order, unless the window turned while the line was being looked through)
    assert sorted(started) == waiting_statuses[:CAROUSELS_PER_USER]
    assert all(status_texts(fake, m)[-1] == texts.LINE_TURN for m in started)
    last = waiting_statuses[CAROUSELS_PER_USER]
    await until(lambda: len(status_texts(fake, last)) == 2)
    # told once as it joined and once when its place changed (not for every link that left)
    assert status_texts(fake, last) == [
        texts.LINE_PLACE.format(ahead=5),
        texts.LINE_NEXT.format(seconds=CAROUSELS_PER_USER_WINDOW_S - 1),
    ]

    clock[0] += CAROUSELS_PER_USER_WINDOW_S
    await until(lambda: len(chat.jobs()) == 2 * CAROUSELS_PER_USER + 2)
    assert chat.payloads()[-1]["reply"]["status_message_id"] == last
    assert status_texts(fake, last)[-1] == texts.LINE_TURN


async def test_the_line_is_bounded_and_says_so_in_one_sentence(chat: Chat, fake: FakeTelegramAPI) -> None:
    for _ in range(CAROUSELS_PER_USER + WAITING_LINKS_PER_CHAT):
        await chat.say(42, X_LINK)
    sent = len(fake.calls_to("sendMessage"))
    await chat.say(42, X_LINK)
    assert chat.last_reply() == texts.LINE_FULL.format(count=WAITING_LINKS_PER_CHAT)
    assert chat.last_reply().startswith("10 links are already waiting in this chat, so send this one")
    assert len(fake.calls_to("sendMessage")) == sent + 1
    assert len(chat.jobs()) == CAROUSELS_PER_USER


async def test_a_waiting_link_survives_a_restart_of_the_bot(
    chat: Chat,
    fake: FakeTelegramAPI,
    clock: list[float],
    settings: Settings,
    rq_queue: RQJobQueue,
    store: RedisSettingsStore,
    limiter: RedisRateLimiter,
    line: RedisLineStore,
) -> None:
    for _ in range(CAROUSELS_PER_USER + 1):
        await chat.say(42, X_LINK)
    status = fake.calls_to("sendMessage")[-1].response["result"]["message_id"]
    await waiting.stop(chat.app)  # the bot goes away with a link waiting
    await chat.app.shutdown()

    again = build_application(
        settings, rq_queue, store=store, limiter=limiter, line=line, theme_preview=None, updater=False
    )
    await again.initialize()
    try:
        assert again.post_init is not None
        await again.post_init(again)  # as run_polling does at start
        clock[0] += CAROUSELS_PER_USER_WINDOW_S
        await until(lambda: len(chat.jobs()) == CAROUSELS_PER_USER + 1)
        for _ in range(100):  # it leaves the line once its job is on the queue
            if not await line.items("42"):
                break
            await asyncio.sleep(0.05)
    finally:
        await waiting.stop(again)
        await again.shutdown()
        await chat.app.initialize()  # for the fixture's own shutdown
    assert chat.payloads()[-1]["reply"]["status_message_id"] == status
    assert status_texts(fake, status)[-1] == texts.LINE_TURN
    assert await line.items("42") == []
