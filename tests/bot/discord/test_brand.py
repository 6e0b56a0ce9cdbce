"""/brand: a brand kit saved through the settings store, personally or for the server, and applied to
/carousel; pictures are slash-command attachments, kept as their (signed, expiring) Discord links."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from PIL import Image
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.discord.saved import ADMINS_ONLY, SERVER_WINS
from bot.discord.transformers import NOT_A_PICTURE
from bot.settings_model import chat_scope, user_scope
from bot.settings_store import MemorySettingsStore
from contract.values import ACCENT_INVALID, HANDLE_INVALID
from tests.bot.discord.support import (
    ATTACHMENT,
    BOOLEAN,
    GUILD_ID,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    REDIS_URL,
    STRING,
    THREAD_LINK,
    USER_ID,
    Bot,
    jobs,
    private_answer,
    slash,
)
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, FakeDiscord
from worker.config import Settings
from worker.media import check_url
from worker.queue import RQJobQueue

TEXTS = [
    "Quokkas are small marsupials that live on Rottnest Island. A thread 🧵",
    "They get their energy from plants, which in turn rely on photosynthesis.",
]


AVATAR, LOGO = (10, 200, 90), (250, 200, 0)
COLOUR_TOLERANCE = 12
MIN_PIXELS = 100  # of a picture's colour for it to count as drawn


def _has_colour(png: bytes, colour: tuple[int, int, int]) -> bool:
    with Image.open(io.BytesIO(png)) as image:
        pixels = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    close = sum(
        n
        for n, rgb in pixels
        if all(abs(a - b) <= COLOUR_TOLERANCE for a, b in zip(rgb, colour, strict=True))
    )
    return close >= MIN_PIXELS


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(out, format="PNG")
    return out.getvalue()


def _brand(fake: FakeDiscord, permissions: int = MEMBER_PERMISSIONS, **options: Any) -> tuple[dict, str, str]:
    """/brand with ``options``; bytes given for avatar/logo become attachments (PNG unless a tuple)."""
    resolved: dict[str, Any] = {}
    types: dict[str, int] = {}
    for field in ("avatar", "logo"):
        if field in options:
            value = options[field]
            data, content_type = value if isinstance(value, tuple) else (value, "image/png")
            attachment = fake.add_attachment(f"{field}.png", data, content_type)
            resolved[attachment["id"]] = attachment
            options[field] = attachment["id"]
            types[field] = ATTACHMENT
    return slash(
        fake,
        "brand",
        permissions,
        resolved={"attachments": resolved} if resolved else None,
        option_types=types,
        **options,
    )


async def test_brand_is_a_synced_command_with_attachment_options(fake: FakeDiscord, bot: Bot) -> None:
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    (brand,) = [c for c in sync.json if c["name"] == "brand"]
    options = {o["name"]: o for o in brand["options"]}
    assert list(options) == [
        "name",
        "handle",
        "accent",
        "footer",
        "watermark",
        "avatar",
        "logo",
        "clear",
        "server",
    ]
    assert (options["avatar"]["type"], options["logo"]["type"]) == (ATTACHMENT, ATTACHMENT)
    assert (options["watermark"]["type"], options["accent"]["type"]) == (BOOLEAN, STRING)
    assert not any(o.get("required") for o in options.values())
    assert all(o["description"] for o in options.values())


async def test_a_personal_brand_kit_signs_the_next_carousel(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    payload, interaction_id, token = _brand(
        fake,
        name="Ada Lovelace",
        handle="@ada.codes",
        accent="1d9bf0",
        footer="Follow for more notes",
        watermark=True,
        avatar=_png((200, 40, 40)),
    )
    await bot.dispatch(payload)
    assert bot.errors == []
    shown = private_answer(fake, interaction_id, token)["content"]
    assert shown.startswith("Saved. Your brand kit:")
    for line in (
        "**name**: Ada Lovelace (personal)",
        "**handle**: @ada.codes (personal)",
        "**accent**: #1D9BF0 (personal)",
        "**watermark**: on (personal)",
        "**avatar**: set (personal)",
        "**logo**: not set",
    ):
        assert line in shown
    saved = (await store.state(user_scope("discord", USER_ID))).personal.brand
    avatar_url = payload["data"]["resolved"]["attachments"][saved.avatar.url.split("/cdn/")[1].split("/")[0]][
        "url"
    ]
    assert saved.avatar.url == avatar_url and saved.accent == "#1D9BF0" and saved.handle == "ada.codes"

    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    brand = job.args[0]["options"]["brand"]
    assert brand == {
        "name": "Ada Lovelace",
        "handle": "ada.codes",
        "avatar_url": avatar_url,
        "logo_url": None,
        "accent": "#1D9BF0",
        "footer": "Follow for more notes",
        "watermark": True,
    }

    payload, interaction_id, token = slash(fake, "settings")
    await bot.dispatch(payload)
    assert "**name**: Ada Lovelace (personal)" in private_answer(fake, interaction_id, token)["content"]


def test_discord_attachment_links_are_a_host_the_worker_downloads_from() -> None:
    url = "https://cdn.discordapp.com/ephemeral-attachments/1/2/avatar.png?ex=6a00&is=69ff&hm=ab"
    check_url(url, Settings(_env_file=None).extra_media_hosts)  # type: ignore[call-arg]  # raises if refused


async def test_the_worker_draws_the_attached_avatar(
    fake: FakeDiscord,
    bot: Bot,
    queue: RQJobQueue,
    fake_sources: Any,
    unique_x_thread: Callable[..., Any],
    settings_env: Callable[..., Any],
) -> None:
    """The whole way: /brand with a picture → /carousel → a worker downloads it from the attachment link."""
    fake_host = fake.api_base.split("/")[2]
    env = {k.lower(): v for k, v in fake_sources.env().items()}
    env["media_hosts"] = f"{env['media_hosts']},{fake_host}"
    settings_env(discord_api_url=fake.api_base, discord_bot_token=BOT_TOKEN, redis_url=REDIS_URL, **env)
    payload, _, _ = _brand(fake, name="Quokka Facts", avatar=_png(AVATAR), logo=_png(LOGO))
    await bot.dispatch(payload)
    thread = unique_x_thread(TEXTS)
    payload, _, token = slash(fake, link=thread.url)
    await bot.dispatch(payload)
    assert bot.errors == []

    SimpleWorker([queue.queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    downloads = [c for c in fake.find("GET", "/cdn/") if c.status == 200]
    assert len(downloads) == 2  # the avatar and the logo, from their attachment links
    posts = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{token}")
    assert posts and all(c.status == 200 for c in posts)
    slides = [f.data for c in posts for f in c.files if f.filename.startswith("slide-")]
    assert all(_has_colour(s, LOGO) for s in slides)  # the logo in every footer
    assert _has_colour(slides[-1], AVATAR)  # the avatar beside the brand's name on the closing slide


async def test_an_expired_picture_link_is_left_out_and_said(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    from bot.settings_model import ImageRef
    from bot.settings_store import update_value

    scope = user_scope("discord", USER_ID)
    stale = f"https://cdn.discordapp.com/attachments/1/2/logo.png?ex={int(time.time()) - 60:x}&is=0&hm=ab"
    fresh = f"https://cdn.discordapp.com/attachments/1/3/me.png?ex={int(time.time()) + 3600:x}&is=0&hm=ab"
    await update_value(store, scope, "brand.logo", ImageRef(url=stale))
    await update_value(store, scope, "brand.avatar", ImageRef(url=fresh))
    payload, _, token = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    brand = job.args[0]["options"]["brand"]
    assert (brand["logo_url"], brand["avatar_url"]) == (None, fresh)
    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    assert "The logo in the brand kit can't be downloaded from Discord any more" in status.json["content"]
    assert status.json["content"].endswith("attach it again with /brand.")


async def test_server_brand_needs_manage_server_and_signs_every_member(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    payload, interaction_id, token = _brand(fake, name="Team Quokka", server=True)
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == ADMINS_ONLY
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.is_empty()

    admin = MEMBER_PERMISSIONS | MANAGE_GUILD
    payload, interaction_id, token = _brand(fake, admin, name="Team Quokka", accent="#0a0a0a", server=True)
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert shown.startswith("Saved. This server's brand kit:") and "**name**: Team Quokka (server)" in shown

    # a member's own kit does not apply here: they read what they saved (not the server's kit, which
    # would read as if nothing had been saved), are told so, and the server's kit signs the carousel
    payload, interaction_id, token = _brand(fake, name="Ada")
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert shown.startswith("Saved. Your own brand kit:\n**name**: Ada (personal)")
    assert shown.endswith(SERVER_WINS) and "Team Quokka" not in shown
    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert (job.args[0]["options"]["brand"]["name"], job.args[0]["options"]["brand"]["accent"]) == (
        "Team Quokka",
        "#0A0A0A",
    )


async def test_bad_values_are_one_private_sentence_and_save_nothing(
    fake: FakeDiscord, bot: Bot, store: MemorySettingsStore
) -> None:
    cases = [
        ({"accent": "blue"}, ACCENT_INVALID),
        ({"handle": "ada lovelace"}, HANDLE_INVALID),
        (
            {"name": "Ada", "avatar": (b"%PDF-1.7 not a picture", "application/pdf")},
            NOT_A_PICTURE.format(field="avatar"),
        ),
    ]
    for options, sentence in cases:
        payload, interaction_id, token = _brand(fake, **options)
        await bot.dispatch(payload)
        assert private_answer(fake, interaction_id, token)["content"] == sentence
    assert (await store.state(user_scope("discord", USER_ID))).personal.is_empty()


async def test_clear_forgets_the_kit_but_not_the_look(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    payload, _, _ = slash(fake, "defaults", theme="ocean")
    await bot.dispatch(payload)
    payload, _, _ = _brand(fake, name="Ada", watermark=True, avatar=_png((1, 2, 3)))
    await bot.dispatch(payload)
    payload, interaction_id, token = _brand(fake, clear=True)
    await bot.dispatch(payload)
    shown = private_answer(fake, interaction_id, token)["content"]
    assert (
        shown.startswith("Your brand kit is cleared.")
        and "**name**: not set" in shown
        and "**avatar**: not set" in shown
    )

    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    options = job.args[0]["options"]
    assert options["theme"] == "ocean"
    assert (options["brand"]["name"], options["brand"]["avatar_url"], options["brand"]["watermark"]) == (
        None,
        None,
        False,
    )


OWN_THEME = 'extends = "paper"\nlabel = "Acme"\n\n[layout]\nfamily = "editorial"\n'


def _defaults_with_theme_file(
    fake: FakeDiscord,
    body: str,
    name: str = "acme.toml",
    permissions: int = MEMBER_PERMISSIONS,
    **options: Any,
) -> tuple[dict, str, str]:
    attachment = fake.add_attachment(name, body.encode(), "application/toml")
    return slash(
        fake,
        "defaults",
        permissions,
        resolved={"attachments": {attachment["id"]: attachment}},
        option_types={"theme_file": ATTACHMENT},
        theme_file=attachment["id"],
        **options,
    )


async def test_defaults_with_a_theme_file_draw_the_next_carousel_with_it(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    payload, interaction_id, token = _defaults_with_theme_file(fake, OWN_THEME)
    await bot.dispatch(payload)
    assert bot.errors == []
    shown = private_answer(fake, interaction_id, token)["content"]
    assert "**theme**: your own theme file (personal)" in shown
    look = (await store.state(user_scope("discord", USER_ID))).personal
    assert (look.theme, look.theme_file) == ("custom", OWN_THEME)

    payload, _, _ = slash(fake, link=THREAD_LINK)
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert (job.args[0]["options"]["theme"], job.args[0]["options"]["theme_file"]) == ("custom", OWN_THEME)


async def test_a_bad_theme_file_is_told_with_its_line_and_field_and_nothing_is_saved(
    fake: FakeDiscord, bot: Bot, store: MemorySettingsStore
) -> None:
    bad = 'extends = "paper"\n\n[colors]\ntext = "#EEEEEE"\n'
    payload, interaction_id, token = _defaults_with_theme_file(fake, bad, "broken.toml", ratio="1:1")
    await bot.dispatch(payload)
    answer = private_answer(fake, interaction_id, token)["content"]
    assert answer.startswith("broken.toml can't be used")
    assert "broken.toml: line 4: colors.text: contrast" in answer
    assert (await store.state(user_scope("discord", USER_ID))).personal.is_empty()

    payload, interaction_id, token = _defaults_with_theme_file(fake, OWN_THEME, "notes.txt")
    await bot.dispatch(payload)
    assert "isn't a .toml theme file" in private_answer(fake, interaction_id, token)["content"]


async def test_a_server_theme_file_needs_manage_server(
    fake: FakeDiscord, bot: Bot, store: MemorySettingsStore
) -> None:
    payload, interaction_id, token = _defaults_with_theme_file(fake, OWN_THEME, server=True)
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == ADMINS_ONLY
    payload, _, _ = _defaults_with_theme_file(fake, OWN_THEME, "team.toml", MANAGE_GUILD, server=True)
    await bot.dispatch(payload)
    assert (await store.state(chat_scope("discord", GUILD_ID))).personal.theme_file == OWN_THEME


async def test_a_picture_discord_gives_no_type_is_taken_and_judged_by_its_bytes(
    fake: FakeDiscord, bot: Bot, store: MemorySettingsStore
) -> None:
    """A PNG uploaded without an extension Discord knows arrives as application/octet-stream (or with
    no type): it is saved, and the worker recognises it by its bytes when it renders."""
    for content_type in ("application/octet-stream", ""):
        payload, interaction_id, token = _brand(fake, avatar=(_png((9, 9, 9)), content_type))
        await bot.dispatch(payload)
        assert private_answer(fake, interaction_id, token)["content"].startswith("Saved. Your brand kit:")
    state = await store.state(user_scope("discord", USER_ID))
    assert state.personal.brand.avatar is not None
