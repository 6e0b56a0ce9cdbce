"""``/preset`` on Discord against the fake REST API: named looks saved, suggested as they are typed,
loaded into the next carousel, listed and deleted — personal, or the server's with Manage Server."""

from __future__ import annotations

from bot.discord.saved import ADMINS_ONLY, SERVER_WINS
from tests.bot.discord.support import (
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    THREAD_LINK,
    Bot,
    jobs,
    private_answer,
    slash,
    subcommand,
    suggestions,
)
from tests.fakes.discord_api import FakeDiscord
from worker.queue import RQJobQueue


async def _say(
    bot: Bot, fake: FakeDiscord, action: str, permissions: int = MEMBER_PERMISSIONS, /, **options: object
) -> str:
    """``/preset action …``, and the private answer."""
    payload, interaction_id, token = subcommand(fake, "preset", action, permissions, **options)
    await bot.dispatch(payload)
    return str(private_answer(fake, interaction_id, token)["content"])


async def test_a_saved_preset_is_suggested_loaded_and_used(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, _, _ = slash(fake, "defaults", theme="midnight", ratio="1:1")
    await bot.dispatch(payload)
    assert await _say(bot, fake, "save", name="Launch") == (
        "Saved preset “Launch” and made it active: the next carousels use it."
    )
    payload, _, _ = slash(fake, "defaults", theme="paper")
    await bot.dispatch(payload)
    assert await _say(bot, fake, "save", name="weekly-2") == (
        "Saved preset “weekly-2” and made it active: the next carousels use it."
    )

    payload, interaction_id, token = subcommand(fake, "preset", "load", name="la", focused="name")
    await bot.dispatch(payload)
    assert suggestions(fake, interaction_id, token) == [{"name": "Launch", "value": "Launch"}]
    payload, interaction_id, token = subcommand(fake, "preset", "delete", name="", focused="name")
    await bot.dispatch(payload)
    assert [c["value"] for c in suggestions(fake, interaction_id, token)] == ["Launch", "weekly-2"]

    assert await _say(bot, fake, "load", name="launch") == (
        "Loaded preset “Launch”: the next carousels use it (changes made on top of it were cleared)."
    )
    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert (job.args[0]["options"]["theme"], job.args[0]["options"]["ratio"]) == ("midnight", "1:1")

    assert await _say(bot, fake, "list") == "Presets (✓ = active):\n✓ Launch\n• weekly-2"
    assert await _say(bot, fake, "delete", name="weekly-2") == "Deleted preset “weekly-2”."
    assert (
        await _say(bot, fake, "load", name="nope")
        == "There's no preset called “nope”; /preset list shows them."
    )
    assert await _say(bot, fake, "save", name="two words") == (
        "A preset name is 1 to 24 letters, digits, - or _, without spaces."
    )
    assert bot.errors == []


async def test_server_presets_need_manage_server_to_change(fake: FakeDiscord, bot: Bot) -> None:
    assert await _say(bot, fake, "list", server=True) == (
        "No presets for this server yet: set the look with /defaults, then save it with /preset save."
    )
    assert await _say(bot, fake, "save", name="brand", server=True) == ADMINS_ONLY
    admin = MEMBER_PERMISSIONS | MANAGE_GUILD
    payload, _, _ = slash(fake, "defaults", admin, theme="bold", server=True)
    await bot.dispatch(payload)
    assert await _say(bot, fake, "save", admin, name="brand", server=True) == (
        "Saved preset “brand” for this server and made it active: the next carousels use it."
    )
    payload, interaction_id, token = subcommand(fake, "preset", "load", name="", server=True, focused="name")
    await bot.dispatch(payload)
    assert suggestions(fake, interaction_id, token) == [{"name": "brand", "value": "brand"}]
    payload, interaction_id, token = subcommand(fake, "preset", "load", name="", focused="name")
    await bot.dispatch(payload)
    assert suggestions(fake, interaction_id, token) == []  # the member's own presets: none

    # a member's own preset does not apply in this server: saving and loading it say so
    said = await _say(bot, fake, "save", name="mine")
    assert said == f"Saved preset “mine” and made it active: the next carousels use it.\n\n{SERVER_WINS}"
    said = await _say(bot, fake, "load", name="mine")
    assert said.endswith(f"(changes made on top of it were cleared).\n\n{SERVER_WINS}")
