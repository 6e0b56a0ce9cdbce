"""The Discord front-end against a local fake of Discord's REST API and a real RQ queue on Redis.

The client logs in for real (REST only, no gateway), syncs its command tree, and receives real
INTERACTION_CREATE payloads through the same parser the gateway feeds.
"""

from __future__ import annotations

from datetime import UTC

import discord

from bot.discord.app import build_client
from bot.discord.saved import ADMINS_ONLY, SERVER_WINS
from bot.settings_model import Look, chat_scope, user_scope
from bot.settings_store import MemorySettingsStore
from contract import JOB_PATH
from contract.errors import NotAThreadLink
from tests.bot.discord.support import (
    CANONICAL,
    CHANNEL_ID,
    CHANNEL_MESSAGE,
    DEFERRED,
    GUILD_ID,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    MESSAGE_ID,
    MESSAGE_MENU,
    STRING,
    THREAD_LINK,
    USER_ID,
    Bot,
    jobs,
    menu,
    other_user,
    private_answer,
    settings_for,
    slash,
    suggestions,
    typing,
)
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, BOT_USER_ID, EPHEMERAL, FakeDiscord
from worker.config import Settings
from worker.limits import DISCORD_DEFER_WITHIN_S, MAX_POSTS_CEILING
from worker.queue import RQJobQueue


async def test_login_syncs_the_commands_with_their_options(fake: FakeDiscord, bot: Bot) -> None:
    me, app = fake.calls[0], fake.calls[1]
    assert (me.method, me.path, me.authorization) == ("GET", "/users/@me", f"Bot {BOT_TOKEN}")
    assert app.path == "/oauth2/applications/@me"
    assert bot.client.user is not None and str(bot.client.user.id) == BOT_USER_ID
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    commands = {c["name"]: c for c in sync.json}
    assert set(commands) == {"carousel", "Make carousel", "defaults", "brand", "preset", "settings"}
    assert commands["Make carousel"]["type"] == MESSAGE_MENU
    options = {o["name"]: o for o in commands["carousel"]["options"]}
    assert list(options) == [
        "link",
        "theme",
        "ratio",
        "format",
        "cta",
        "cta_text",
        "cta_link",
        "max_posts",
        "delivery",
        "posts",
    ]
    assert options["link"]["required"] is True and options["link"]["type"] == STRING
    assert [c["value"] for c in options["ratio"]["choices"]] == ["4:5", "1:1", "9:16", "16:9"]
    assert [c["value"] for c in options["format"]["choices"]] == ["png", "jpeg"]
    assert [c["value"] for c in options["cta"]["choices"]] == ["follow", "save", "link", "none"]
    assert options["theme"]["autocomplete"] is True and not options["theme"].get("choices")
    assert [c["value"] for c in options["delivery"]["choices"]] == ["album", "files", "zip"]
    defaults = {o["name"]: o for o in commands["defaults"]["options"]}
    assert [c["value"] for c in defaults["delivery"]["choices"]] == ["album", "files", "zip"]
    assert (options["max_posts"]["min_value"], options["max_posts"]["max_value"]) == (1, MAX_POSTS_CEILING)
    assert all(o["description"] for o in options.values())


async def test_slash_command_defers_and_enqueues_the_job(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(
        fake,
        link=f"look at this {THREAD_LINK} and this https://bsky.app/profile/a.bsky.social/post/3k",
        theme="midnight",
        ratio="1:1",
        format="jpeg",
        max_posts=12,
    )
    await bot.dispatch(payload)
    assert bot.errors == []

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json == {"type": DEFERRED}
    assert callback.status == 200 and callback.authorization is None

    (job,) = jobs(queue)
    assert job.func_name == JOB_PATH
    assert job.enqueued_at is not None
    enqueued = job.enqueued_at.replace(tzinfo=job.enqueued_at.tzinfo or UTC).timestamp()
    assert callback.at <= enqueued + 0.01  # deferred before the job existed
    assert callback.at - fake.calls[0].at < DISCORD_DEFER_WITHIN_S
    (arg,) = job.args
    assert arg["source"] == CANONICAL and arg["source_kind"] == "link"
    assert arg["reply"] == {
        "platform": "discord",
        "chat_id": CHANNEL_ID,
        "thread_id": None,
        "reply_to_message_id": None,
        "status_message_id": "@original",
        "user_id": USER_ID,
        "application_id": APPLICATION_ID,
        "interaction_token": token,
        "response_message_id": fake.original_id(token),  # the bot token edits it once the token is gone
        "guild_id": GUILD_ID,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    options = arg["options"]
    assert (options["theme"], options["ratio"], options["format"], options["max_posts"]) == (
        "midnight",
        "1:1",
        "jpeg",
        12,
    )
    assert options["cta"] == "follow"  # not given: the default

    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    assert status.json["content"].startswith("⏳ Queued: <https://x.com/ada/status/1790000000000000001>")
    assert "1 more link" in status.json["content"]
    assert status.at <= enqueued + 0.01  # never overwrites the worker's progress


async def test_unsupported_link_gets_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(fake, link="https://example.com/blog/post-1")
    await bot.dispatch(payload)

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE
    assert callback.json["data"]["content"] == NotAThreadLink.message
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert queue.queue.count == 0
    assert not fake.find("PATCH", "/webhooks/")
    assert len(bot.errors) == 1


async def test_message_menu_makes_a_carousel_of_that_message(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = menu(fake, f"Great thread 👇 {THREAD_LINK}")
    await bot.dispatch(payload)
    assert bot.errors == []

    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json == {"type": DEFERRED}
    (job,) = jobs(queue)
    (arg,) = job.args
    assert arg["source"] == CANONICAL
    assert arg["reply"]["reply_to_message_id"] == MESSAGE_ID
    assert arg["reply"]["interaction_token"] == token and arg["reply"]["chat_id"] == CHANNEL_ID


async def test_message_menu_takes_pasted_paragraphs_as_text(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    text = (
        "Why slides beat walls of text.\n\nPeople swipe; they do not scroll.\n\nSo make each idea one slide."
    )
    payload, _, _ = menu(fake, text)
    await bot.dispatch(payload)
    assert bot.errors == []
    (job,) = jobs(queue)
    assert (job.args[0]["source"], job.args[0]["source_kind"]) == (text, "text")
    assert job.args[0]["text_author"] is None  # their own words: signed with their brand kit


async def test_another_members_pasted_text_is_credited_to_them(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    text = "Debugging is twice as hard as writing.\n\nSo write simply.\n\nThen ship it and watch it run."
    payload, _, token = menu(fake, text, author=other_user())
    await bot.dispatch(payload)
    assert bot.errors == []
    (job,) = jobs(queue)
    assert job.args[0]["text_author"] == {"name": "Grace Hopper", "handle": "grace"}
    # the public status does not call Grace's words Ada's
    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    assert status.json["content"] == "⏳ Queued: Grace Hopper's message"
    assert job.args[0]["reply"]["user_id"] == USER_ID  # the result still goes to the person who asked


async def test_a_boosted_servers_upload_limit_travels_with_the_job(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, _, _ = slash(fake, link=THREAD_LINK, attachment_size_limit=50 * 1024 * 1024)
    await bot.dispatch(payload)
    assert bot.errors == []
    (job,) = jobs(queue)
    assert job.args[0]["reply"]["attachment_size_limit"] == 50 * 1024 * 1024


async def test_message_menu_on_a_short_message_says_why(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = menu(fake, "lol")
    await bot.dispatch(payload)
    (callback,) = fake.find("POST", f"/interactions/{interaction_id}/{token}/callback")
    assert callback.json["type"] == CHANNEL_MESSAGE and callback.json["data"]["flags"] & EPHEMERAL
    assert callback.json["data"]["content"].endswith(".")
    assert queue.queue.count == 0


async def test_saved_settings_apply_and_command_options_win(fake: FakeDiscord, queue: RQJobQueue) -> None:
    store = MemorySettingsStore()
    await store.set_personal(user_scope("discord", USER_ID), Look(theme="ocean", ratio="9:16", cta="save"))
    client = build_client(settings_for(fake), queue, store=store)
    await client.login(BOT_TOKEN)
    try:
        bot = Bot(client)
        payload, _, _ = slash(fake, link=THREAD_LINK, ratio="1:1")
        await bot.dispatch(payload)
        # a server that set its own look gives it to every member
        await store.set_personal(chat_scope("discord", GUILD_ID), Look(theme="brutalist"))
        payload, _, _ = slash(fake, link=THREAD_LINK)
        await bot.dispatch(payload)
    finally:
        await client.close()
    assert bot.errors == []
    personal, server = (job.args[0]["options"] for job in jobs(queue))
    assert (personal["theme"], personal["ratio"], personal["cta"]) == ("ocean", "1:1", "save")
    assert (server["theme"], server["ratio"], server["cta"]) == ("brutalist", "4:5", "follow")


async def test_defaults_are_saved_privately_and_used_next(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(fake, "defaults", theme="ocean", ratio="9:16", delivery="files")
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert "**theme**: Ocean (personal)" in shown and "**ratio**: 9:16 story (personal)" in shown
    assert "**format**: PNG (default)" in shown

    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    options = job.args[0]["options"]
    assert (options["theme"], options["ratio"], options["delivery"]) == ("ocean", "9:16", "files")

    payload, interaction_id, token = slash(fake, "settings")
    await bot.dispatch(payload)
    assert "**theme**: Ocean (personal)" in private_answer(fake, interaction_id, token)["content"]
    assert bot.errors == []


async def test_server_defaults_need_manage_server(fake: FakeDiscord, bot: Bot) -> None:
    store = bot.client.store
    assert store is not None
    payload, interaction_id, token = slash(fake, "defaults", theme="bold", server=True)
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == ADMINS_ONLY
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.is_empty()

    admin = MEMBER_PERMISSIONS | MANAGE_GUILD
    payload, interaction_id, token = slash(fake, "defaults", admin, theme="bold", server=True)
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert shown.startswith("Saved. Carousels made in this server use:\n**theme**: Bold (server)")
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.theme == "bold"

    # a member saving their own look here reads what they saved, and that the server's settings win
    payload, interaction_id, token = slash(fake, "defaults", theme="ocean")
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert shown.startswith("Saved. Your own settings:\n**theme**: Ocean (personal)")
    assert shown.endswith(SERVER_WINS)
    payload, interaction_id, token = slash(fake, "defaults", reset=True)
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"].startswith(
        "Cleared. Your own settings:\n**theme**: Paper (default)"
    )


def test_client_is_pointed_at_the_configured_api_and_gateway(fake: FakeDiscord, queue: RQJobQueue) -> None:
    import yarl

    gateway = "ws://127.0.0.1:9/gateway"
    settings = Settings(discord_api_url=fake.api_base + "/", discord_gateway_url=gateway)
    build_client(settings, queue)
    assert fake.api_base == discord.http.Route.BASE
    assert discord.http.Route("GET", "/users/@me").url == f"{fake.api_base}/users/@me"
    assert yarl.URL(gateway) == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


async def test_theme_is_suggested_by_label_as_it_is_typed(fake: FakeDiscord, bot: Bot) -> None:
    payload, interaction_id, token = typing(fake, link=THREAD_LINK, theme="MID", focused="theme")
    await bot.dispatch(payload)
    assert suggestions(fake, interaction_id, token) == [{"name": "Midnight", "value": "midnight"}]

    payload, interaction_id, token = typing(fake, link=THREAD_LINK, theme="", focused="theme")
    await bot.dispatch(payload)
    offered = suggestions(fake, interaction_id, token)
    assert {"name": "Paper", "value": "paper"} in offered and len(offered) == 16  # every theme, labelled
    assert all(o["name"][0].isupper() and o["name"] != o["value"] for o in offered)
    assert bot.errors == []


async def test_a_theme_typed_by_its_label_is_taken(fake: FakeDiscord, bot: Bot, queue: RQJobQueue) -> None:
    payload, _, _ = slash(fake, link=THREAD_LINK, theme="Midnight")
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert job.args[0]["options"]["theme"] == "midnight"

    payload, interaction_id, token = slash(fake, link=THREAD_LINK, theme="Neon")
    await bot.dispatch(payload)
    sentence = private_answer(fake, interaction_id, token)["content"]
    assert sentence.startswith("There is no theme called “Neon”. Try one of: Aurora, Blueprint,")
    assert sentence.endswith("Sunset.")
