"""Links kept while Redis is away (bot/held.py): bounded, oldest first, each started once, given up with
a sentence when held too long. The outage itself is exercised with a real Redis in tests/faults."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError

from bot.held import HeldLinks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def settle(held: HeldLinks, rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.02)
        if not len(held):
            return


async def test_held_starts_run_oldest_first_and_each_once_when_redis_answers() -> None:
    redis_up = False
    started: list[str] = []

    def start_for(name: str) -> Any:
        async def start() -> None:
            if not redis_up:
                raise RedisConnectionError("Connection refused")
            started.append(name)

        return start

    held = HeldLinks(first_pause_s=0.01, max_pause_s=0.02)
    assert held.hold("a", 1, start_for("a")) and held.hold("b", 2, start_for("b"))
    assert held.hold("a", 1, start_for("a"))  # the same link again: still held once
    await asyncio.sleep(0.1)
    assert started == [] and len(held) == 2
    redis_up = True
    await settle(held)
    assert started == ["a", "b"] and len(held) == 0
    await asyncio.sleep(0.05)
    assert started == ["a", "b"]  # never again
    await held.close()


async def test_the_bounds_refuse_more_links_and_the_oldest_are_given_up_with_their_status() -> None:
    clock = Clock()
    told: list[Any] = []

    async def away() -> None:
        raise RedisConnectionError("Connection refused")

    async def give_up(status: Any) -> None:
        told.append(status)

    held = HeldLinks(limit=3, per_chat=2, max_age_s=60, first_pause_s=0.01, max_pause_s=0.01, clock=clock)
    assert held.hold("a", "chat-1", away, give_up) and held.hold("b", "chat-1", away, give_up)
    assert not held.hold("c", "chat-1", away, give_up)  # a third from one chat
    assert held.hold("d", "chat-2", away, give_up)
    assert not held.hold("e", "chat-3", away, give_up)  # a fourth in all
    held.set_status("a", "the busy message of a")
    clock.now += 61
    await settle(held)
    assert len(held) == 0 and told == ["the busy message of a", None, None]
    await held.close()


async def test_a_start_that_says_still_away_is_kept() -> None:
    tries = 0
    held = HeldLinks(first_pause_s=0.01, max_pause_s=0.01)

    async def start() -> None:  # as Telegram's replayed update: its error handler marks it
        nonlocal tries
        tries += 1
        assert held.replaying("k")
        if tries < 3:
            held.still_away("k")

    held.hold("k", 1, start)
    await settle(held, rounds=50)
    assert tries == 3 and len(held) == 0 and not held.replaying("k")
    await held.close()
