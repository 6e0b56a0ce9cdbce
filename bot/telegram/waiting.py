"""Links over the rate limit wait their turn in line instead of being turned away.

A link that comes while its sender or its chat is over the limit (:mod:`bot.telegram.ratelimit`), or
while earlier links of that chat are still waiting, joins the chat's line: its status message says
how many links are ahead of it and is edited as it moves up. A per-chat task (:func:`wake`) starts
the head of the line as soon as the limits allow, first come first served; the job is the one the
link would have started at once, built when the link came.

The line is kept in Redis when configured (:mod:`bot.telegram.line`), so nothing waiting is lost
when the bot restarts: the next bot process picks every chat's line up again at start
(:func:`resume`). Without Redis it lives in memory, like the rest of an all-in-one process. A chat's
line is bounded (``WAITING_LINKS_PER_CHAT``); a link beyond that is told so in one sentence.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.exceptions import RedisError
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application

from bot.settings_model import JobRecord
from bot.telegram import texts
from bot.telegram.common import PLATFORM, BotDeps, deps_of
from bot.telegram.line import Waiting
from bot.telegram.ratelimit import carousel_peek_s, carousel_wait_s, chat_limit
from contract import JobPayload
from contract.rerender import job_ref

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often the head of a line checks whether the limits let it through


def place_text(ahead: int, wait_s: int) -> str:
    if ahead:
        return texts.LINE_PLACE.format(ahead=ahead)
    return texts.LINE_NEXT.format(seconds=max(wait_s, 1))


async def ahead_of(application: Application, chat: str, user: int | str) -> int:
    """How many waiting links of ``chat`` go before a new link from ``user``: every one when the chat
    or the sender is held back; otherwise only those not held back by their own sender's limit (a
    link whose sender is over their limit lets the next person's go first, so it is not "ahead")."""
    d = deps_of(application)
    items = await d.line.items(chat)
    if not items:
        return 0
    if await d.limiter.peek(*chat_limit(PLATFORM, chat)) or await carousel_peek_s(
        d.limiter, PLATFORM, user, chat
    ):
        return len(items)
    ahead = 0
    for item in items:
        try:
            payload = JobPayload.model_validate(Waiting.model_validate_json(item).payload)
        except ValueError:
            continue
        if not await carousel_peek_s(d.limiter, PLATFORM, payload.reply.user_id or "", chat):
            ahead += 1
    return ahead


async def join(
    application: Application, payload: JobPayload, images: dict[str, str], told: int, cap: int
) -> int | None:
    """Put a link in its chat's line, its status message already saying ``told`` links are ahead of
    it; None when the line is full."""
    item = Waiting(payload=payload.to_job_arg(), images=images, joined_at=time.time(), told=told)
    ahead = await deps_of(application).line.join(str(payload.reply.chat_id), item.model_dump_json(), cap)
    if ahead is not None:
        wake(application, str(payload.reply.chat_id))
    return ahead


def wake(application: Application, chat: str, announce: bool = False) -> None:
    """Make sure the chat's line moves: one task per chat, started when it is not running."""
    tasks = deps_of(application).line_tasks
    task = tasks.get(chat)
    if task is None or task.done():
        drain = _drain(application, chat, announce)
        tasks[chat] = asyncio.get_running_loop().create_task(drain, name=f"line-{chat}")


async def resume(application: Application) -> None:
    """At start: every line a previous bot process left moves again."""
    for chat in await deps_of(application).line.chats():
        wake(application, chat, announce=True)  # their places may have changed since they were said


async def stop(application: Application) -> None:
    """At shutdown: the lines stop moving (what waits stays in the store for the next process)."""
    tasks = list(deps_of(application).line_tasks.values())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    deps_of(application).line_tasks.clear()


async def _drain(application: Application, chat: str, announce: bool = False) -> None:
    """Start waiting links as the limits allow, oldest first; a link held back only by its own
    sender's limit lets the next person's go first. When nothing can start, the links still waiting
    learn their places (after a link left the line, or at ``announce``)."""
    d = deps_of(application)
    said: dict[str, int] = {}  # waiting link → the place its status message shows now
    while True:
        try:
            items = await d.line.items(chat)
            if not items:
                return
            started = False
            for item in items:
                try:
                    waiting = Waiting.model_validate_json(item)
                    payload = JobPayload.model_validate(waiting.payload)
                except ValueError:
                    log.warning("dropping an unreadable waiting link in chat %s", chat)
                    await d.line.remove(chat, item)
                    started = True
                    break
                user = payload.reply.user_id or ""
                if await d.limiter.peek(*chat_limit(PLATFORM, chat)):
                    break  # the chat's own limit holds everyone back
                if await carousel_peek_s(d.limiter, PLATFORM, user, chat):
                    continue  # this sender's limit: the next one may go
                await carousel_wait_s(d.limiter, PLATFORM, user, chat)  # counted like any carousel
                await _set_status(application.bot, payload, texts.LINE_TURN)
                await _submit(d, application.bot, payload, waiting.images)
                await d.line.remove(chat, item)
                started = True
                break
            if started:
                announce = True
                continue
            if announce:
                await _announce_places(application, chat, items, said)
                announce = False
            await asyncio.sleep(POLL_S)
        except asyncio.CancelledError:
            raise
        except Exception:  # Redis away, a failed edit…: the line waits and tries again
            log.exception("the waiting line of chat %s could not move", chat)
            await asyncio.sleep(POLL_S)


async def _announce_places(
    application: Application, chat: str, items: list[str], said: dict[str, int]
) -> None:
    """Each link still waiting whose place changed learns its new one."""
    d = deps_of(application)
    for gone in set(said) - set(items):
        del said[gone]
    for ahead, item in enumerate(items):
        waiting = Waiting.model_validate_json(item)
        if said.get(item, waiting.told) == ahead:
            continue
        payload = JobPayload.model_validate(waiting.payload)
        wait = await carousel_peek_s(d.limiter, PLATFORM, payload.reply.user_id or "", chat)
        await _set_status(application.bot, payload, place_text(ahead, wait))
        said[item] = ahead


async def _submit(d: BotDeps, bot: Bot, payload: JobPayload, images: dict[str, str]) -> None:
    """Submit the waiting link's job and keep its record (for the buttons under its result). Redis
    away raises, so the link stays in line and is tried again; another failure is said in its status."""
    try:
        job_id = await asyncio.to_thread(d.queue.submit, payload)
    except RedisError:
        raise
    except Exception:
        log.exception("submitting a waiting link's job failed")
        await _set_status(bot, payload, texts.QUEUE_DOWN)
        return
    record = JobRecord(job_id=job_id, payload=payload.to_job_arg(), images=images, submitted_at=time.time())
    try:
        await d.store.remember_job(job_ref(job_id), record)
    except RedisError:  # the job is queued: never start it twice for its buttons
        log.warning("job %s is queued but its record was not kept (Redis away)", job_id)
    log.info("queued waiting job %s for chat %s", job_id, payload.reply.chat_id)


async def _set_status(bot: Bot, payload: JobPayload, text: str) -> None:
    reply = payload.reply
    if reply.status_message_id is None:
        return
    try:
        await bot.edit_message_text(text, chat_id=reply.chat_id, message_id=int(reply.status_message_id))
    except TelegramError as exc:  # deleted by someone, or unchanged: the link keeps its place
        log.info("could not update a waiting link's status in chat %s: %s", reply.chat_id, exc)
