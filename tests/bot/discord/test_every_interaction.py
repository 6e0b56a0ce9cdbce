"""Every interaction Discord sends the bot gets an answer: a button or menu from an older version, a form
nothing waits for, a command Discord still shows after it was removed, a re-render menu used in a channel
other than its carousel's — each one private sentence, and nothing queued."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.discord.app import STALE_COMMAND, STALE_COMPONENT
from bot.discord.rerender import OTHER_CHANNEL, RERENDER_GONE
from bot.settings_model import JobRecord
from bot.settings_store import MemorySettingsStore
from contract import JobPayload, RenderOptions, ReplyAddress
from contract.rerender import job_ref
from tests.bot.discord.support import (
    CHANNEL_ID,
    MESSAGE_COMPONENT,
    USER_ID,
    Bot,
    component,
    interaction,
    message,
    private_answer,
)
from tests.fakes.discord_api import FakeDiscord
from worker.delivery.discord import rerender_components
from worker.queue import RQJobQueue

MODAL_SUBMIT = 5
BUTTON = 2
OTHER_CHANNEL_ID = "1500000000000000099"
# the tasks discord.py starts for an interaction: the tree, a dynamic item, and the on_interaction event
TASKS = ("CommandTree-invoker", "discord-ui-dynamic-item-", "discord.py: on_interaction")


async def dispatch(bot: Bot, payload: dict[str, Any]) -> None:
    """Feed an INTERACTION_CREATE as the gateway would; wait for everything it started."""
    before = set(asyncio.all_tasks())
    bot.client._connection.parsers["INTERACTION_CREATE"](payload)
    await asyncio.sleep(0)
    tasks = [t for t in asyncio.all_tasks() - before if t.get_name().startswith(TASKS)]
    assert tasks, "nothing started for the interaction"
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


def callbacks(fake: FakeDiscord, interaction_id: str, token: str) -> list[Any]:
    return fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")


async def test_a_button_from_an_older_version_gets_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    old = {
        **message("an old result"),
        "components": [
            {
                "type": 1,
                "components": [{"type": BUTTON, "style": 1, "label": "Old", "custom_id": "v1:again:42"}],
            }
        ],
    }
    payload, interaction_id, token = interaction(
        {"custom_id": "v1:again:42", "component_type": BUTTON}, kind=MESSAGE_COMPONENT
    )
    payload["message"] = old
    await dispatch(bot, payload)
    assert private_answer(fake, interaction_id, token)["content"] == STALE_COMPONENT
    assert queue.queue.count == 0


async def test_a_form_nothing_waits_for_gets_one_private_sentence(fake: FakeDiscord, bot: Bot) -> None:
    payload, interaction_id, token = interaction(
        {"custom_id": "brand-form-from-before-a-restart", "components": []}, kind=MODAL_SUBMIT
    )
    await dispatch(bot, payload)
    assert private_answer(fake, interaction_id, token)["content"] == STALE_COMPONENT


async def test_a_command_removed_since_gets_one_private_sentence(fake: FakeDiscord, bot: Bot) -> None:
    payload, interaction_id, token = interaction({"id": "1700000000000000001", "name": "oldstyle", "type": 1})
    await dispatch(bot, payload)
    assert private_answer(fake, interaction_id, token)["content"] == STALE_COMMAND
    assert bot.errors and all(type(e).__name__ == "CommandNotFound" for e in bot.errors)


async def test_a_menu_the_bot_knows_is_answered_once(fake: FakeDiscord, bot: Bot) -> None:
    result = {**message("old result"), "components": rerender_components("0" * 32)}
    pick, pick_id, token = component(result, f"rr:{'0' * 32}:theme", "bold")
    await dispatch(bot, pick)
    assert len(callbacks(fake, pick_id, token)) == 1  # its own sentence, not the stale one too
    assert private_answer(fake, pick_id, token)["content"] == RERENDER_GONE


async def test_a_re_render_menu_works_only_in_the_channel_of_its_carousel(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    job_id = f"{time.time_ns():x}-job"
    reply = ReplyAddress(
        platform="discord", chat_id=CHANNEL_ID, user_id=USER_ID, status_message_id="@original"
    )
    payload = JobPayload(source="https://x.com/ada/status/1", options=RenderOptions(), reply=reply)
    await store.remember_job(job_ref(job_id), JobRecord(job_id=job_id, payload=payload.to_job_arg()))
    result = {**message("**A thread** by Ada"), "components": rerender_components(job_id)}

    pick, pick_id, token = component(result, f"rr:{job_ref(job_id)}:theme", "bold")
    pick["channel_id"] = pick["channel"]["id"] = pick["message"]["channel_id"] = OTHER_CHANNEL_ID
    await dispatch(bot, pick)
    assert private_answer(fake, pick_id, token)["content"] == OTHER_CHANNEL
    assert queue.queue.count == 0

    here, here_id, here_token = component(result, f"rr:{job_ref(job_id)}:theme", "bold")
    await dispatch(bot, here)
    assert len(callbacks(fake, here_id, here_token)) == 1 and queue.queue.count == 1  # its own channel
