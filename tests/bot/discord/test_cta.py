"""The closing slide's call to action on Discord: a link given is a link shown, Link needs a link, and
``cta_link`` is checked before anything is queued."""

from __future__ import annotations

from bot.discord.saved import CTA_LINK_NEEDED
from bot.settings_model import user_scope
from bot.settings_store import MemorySettingsStore, effective
from contract.values import LINK_INVALID
from tests.bot.discord.support import THREAD_LINK, USER_ID, Bot, jobs, private_answer, slash
from tests.fakes.discord_api import FakeDiscord
from worker.queue import RQJobQueue


async def test_a_cta_link_that_is_not_a_link_is_refused_privately(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(fake, link=THREAD_LINK, cta="link", cta_link="not a url")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == LINK_INVALID
    assert jobs(queue) == []


async def test_link_without_a_link_is_refused_privately_before_anything_is_queued(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(fake, link=THREAD_LINK, cta="link")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == CTA_LINK_NEEDED
    assert jobs(queue) == []
    assert not fake.find("PATCH", "/webhooks/")  # nothing public was posted


async def test_a_cta_link_given_alone_chooses_link(fake: FakeDiscord, bot: Bot, queue: RQJobQueue) -> None:
    payload, _, _ = slash(fake, link=THREAD_LINK, cta_link="example.com/newsletter")
    await bot.dispatch(payload)
    assert bot.errors == []
    (job,) = jobs(queue)
    options = job.args[0]["options"]
    assert (options["cta"], options["cta_link"]) == ("link", "https://example.com/newsletter")


async def test_defaults_save_a_link_with_the_link_cta_and_refuse_link_without_one(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    payload, interaction_id, token = slash(fake, "defaults", cta="link")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == CTA_LINK_NEEDED
    assert (await store.state(user_scope("discord", USER_ID))).personal.is_empty()

    payload, interaction_id, token = slash(fake, "defaults", cta_link="not a url")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == LINK_INVALID

    payload, interaction_id, token = slash(fake, "defaults", cta_link="example.com/newsletter")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"].startswith("Saved.")
    eff = await effective(store, user_scope("discord", USER_ID), is_group=False)
    assert (eff.value("cta"), eff.value("cta_link")) == ("link", "https://example.com/newsletter")

    payload, interaction_id, token = slash(fake, "defaults", cta="save")
    await bot.dispatch(payload)
    payload, interaction_id, token = slash(fake, "defaults", cta="link")  # the saved link is enough now
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"].startswith("Saved.")
    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    options = job.args[0]["options"]
    assert (options["cta"], options["cta_link"]) == ("link", "https://example.com/newsletter")
