"""Settings commands, presets, the group-admin rule and /settings provenance."""

from __future__ import annotations

from bot.settings_model import PRESET_NAME_MAX, chat_scope, user_scope
from bot.settings_store import RedisSettingsStore, effective
from bot.telegram import texts
from contract import TELEGRAM_FILE_PREFIX, RenderOptions
from contract.values import ACCENT_INVALID
from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI
from themes import list_themes

GROUP = -1001234567890
X_LINK = "https://x.com/jack/status/20"


def other_themes() -> list[str]:
    """Theme names other than the default, so every test really changes something."""
    return [t.name for t in list_themes() if t.name != RenderOptions().theme]


def theme_label(name: str) -> str:
    return next(t.label for t in list_themes() if t.name == name)


def settings_line(text: str, label: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(f"• {label}:")]
    return line


async def test_theme_keyboard_then_a_press_stores_the_choice(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/theme")
    keyboard_message = fake.calls_to("sendMessage")[-1].response["result"]
    buttons = [b for row in keyboard_message["reply_markup"]["inline_keyboard"] for b in row]
    assert {b["callback_data"] for b in buttons} == {f"set:theme:{t.name}" for t in list_themes()}
    chosen = other_themes()[0]

    await chat.press(keyboard_message, f"set:theme:{chosen}", user_id=42)

    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.SET_DONE.format(label="theme", value=theme_label(chosen))
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("theme") == chosen
    # the keyboard now ticks the choice
    [edit] = fake.calls_to("editMessageReplyMarkup")
    ticked = [
        b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row if "✓" in b["text"]
    ]
    assert len(ticked) == 1 and chosen.lower() in ticked[0].lower()
    # and the next carousel uses it
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["theme"] == chosen


async def test_ratio_format_and_cta_from_commands(chat: Chat) -> None:
    await chat.say(42, "/ratio 1:1")
    await chat.say(42, "/format jpeg")
    await chat.say(42, "/cta save")
    await chat.say(42, "/cta text Follow for more threads like this")
    await chat.say(42, "/cta link example.com/newsletter")
    await chat.say(42, "/ratio 3:2")
    assert chat.last_reply().startswith("That isn't one of the choices")
    await chat.say(42, X_LINK)
    options = chat.payloads()[-1]["options"]
    assert (options["ratio"], options["format"], options["cta"]) == ("1:1", "jpeg", "link")  # /cta link
    assert options["cta_text"] == "Follow for more threads like this"
    assert options["cta_link"] == "https://example.com/newsletter"


async def test_brand_kit_with_avatar_photo(chat: Chat, fake: FakeTelegramAPI) -> None:
    import io
    import json

    from PIL import Image

    await chat.say(42, "/brand name Ada Lovelace")
    await chat.say(42, "/brand handle @ada_writes")
    await chat.say(42, "/brand accent #1d9bf0")
    await chat.say(42, "/brand accent blue")
    assert chat.last_reply() == ACCENT_INVALID
    await chat.say(42, "/brand footer adalovelace.example")
    await chat.say(42, "/brand watermark on")
    await chat.say(42, "/brand avatar")
    assert chat.last_reply() == texts.ASK_VALUE["brand.avatar"].format(whose="your")
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "#1D9BF0").save(picture, "PNG")
    update = fake.user_message(chat_id=42, photo=picture.getvalue())
    await chat.send(update)
    assert chat.last_reply() == texts.PICTURE_SAVED.format(what="avatar")

    await chat.say(42, X_LINK)
    brand = chat.payloads()[-1]["options"]["brand"]
    assert brand["name"] == "Ada Lovelace"
    assert brand["handle"] == "ada_writes"
    assert brand["accent"] == "#1D9BF0"
    assert brand["footer"] == "adalovelace.example"
    assert brand["watermark"] is True
    # the avatar is resolved with getFile at enqueue time to a file reference without the bot token,
    # which the worker turns into a download URL with its own token
    largest = update["message"]["photo"][-1]
    stored = fake.files[largest["file_id"]]
    assert brand["avatar_url"] == f"{TELEGRAM_FILE_PREFIX}{stored.file_path}"
    assert fake.token not in json.dumps(chat.payloads()[-1])
    import httpx

    from worker.config import Settings
    from worker.media import download_url

    worker_settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=fake.token,
        telegram_file_url=fake.file_url,
    )
    assert httpx.get(download_url(brand["avatar_url"], worker_settings)).content == picture.getvalue()


async def test_brand_button_asks_and_the_next_message_answers(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/brand")
    kit = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(kit, "brand:name", user_id=42)
    assert chat.last_reply() == texts.ASK_VALUE["brand.name"].format(whose="your")
    await chat.say(42, "Carousel Weekly")
    assert chat.last_reply() == texts.SET_DONE.format(label="brand name", value="Carousel Weekly")
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["brand"]["name"] == "Carousel Weekly"


async def test_presets_save_list_load_delete(chat: Chat, store: RedisSettingsStore) -> None:
    scope = user_scope("telegram", 42)
    first, second = other_themes()[:2]
    await chat.say(42, f"/theme {first}")
    await chat.say(42, "/ratio 1:1")
    await chat.say(42, "/preset save launch")
    assert chat.last_reply() == texts.PRESET_SAVED.format(name="launch")

    await chat.say(42, f"/theme {second}")
    await chat.say(42, "/preset save weekly")
    await chat.say(42, "/preset list")
    listing = chat.last_reply()
    assert "• launch" in listing and "✓ weekly" in listing  # weekly was saved last, so it is active

    await chat.say(42, "/preset load launch")
    assert chat.last_reply() == texts.PRESET_LOADED.format(name="launch")
    eff = await effective(store, scope, is_group=False)
    assert (eff.value("theme"), eff.value("ratio")) == (first, "1:1")
    assert eff.sources["theme"].describe() == "preset “launch”"

    await chat.say(42, "/preset load nothere")
    assert chat.last_reply() == texts.PRESET_MISSING.format(name="nothere")
    await chat.say(42, "/preset save bad name")
    assert chat.last_reply() == texts.PRESET_NAME_INVALID.format(limit=PRESET_NAME_MAX)
    await chat.say(42, "/preset save bad!")
    assert chat.last_reply() == texts.PRESET_NAME_INVALID.format(limit=PRESET_NAME_MAX)
    await chat.say(42, "/preset save")
    assert chat.last_reply() == texts.PRESET_USAGE

    await chat.say(42, "/preset delete launch")
    assert chat.last_reply() == texts.PRESET_DELETED.format(name="launch")
    assert await store.preset_names(scope) == ["weekly"]
    eff = await effective(store, scope, is_group=False)
    assert eff.value("theme") == RenderOptions().theme  # the active preset is gone
    await chat.say(42, "/preset delete weekly")
    await chat.say(42, "/preset list")
    assert chat.last_reply() == texts.PRESET_NONE


async def test_preset_buttons_load_and_delete(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    first = other_themes()[0]
    await chat.say(42, f"/theme {first}")
    await chat.say(42, "/preset save alpha")
    await chat.say(42, "/reset")
    await chat.say(42, "/preset list")
    listing = fake.calls_to("sendMessage")[-1].response["result"]
    data = [b["callback_data"] for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert data == ["ps:load:alpha", "ps:del:alpha"]
    await chat.press(listing, "ps:load:alpha", user_id=42)
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("theme") == first
    await chat.press(listing, "ps:del:alpha", user_id=42)
    assert await store.preset_names(user_scope("telegram", 42)) == []
    assert len(fake.calls_to("answerCallbackQuery")) == 2


async def test_settings_shows_each_value_and_where_it_comes_from(chat: Chat) -> None:
    first, second = other_themes()[:2]
    await chat.say(42, f"/theme {first}")
    await chat.say(42, "/ratio 9:16")
    await chat.say(42, "/preset save story")  # theme + ratio now come from the preset
    await chat.say(42, f"/theme {second}")  # a personal tweak on top of it
    await chat.say(42, "/brand name Ada")

    await chat.say(42, "/settings")
    text = chat.last_reply()
    assert text.startswith(texts.SETTINGS_PRIVATE)
    assert settings_line(text, "theme") == f"• theme: {theme_label(second)} — personal"
    assert settings_line(text, "ratio") == "• ratio: 9:16 story — preset “story”"
    assert settings_line(text, "format") == "• format: PNG — default"
    assert settings_line(text, "brand name") == "• brand name: Ada — personal"
    # what has no value is listed once, not as a line each
    assert "not set" not in text
    assert "Not set: CTA text, CTA link, brand @handle, avatar, logo, accent colour, footer." in text
    assert texts.SETTINGS_PRECEDENCE_PRIVATE in text

    await chat.say(42, "/reset")
    await chat.say(42, "/settings")
    text = chat.last_reply()
    assert settings_line(text, "theme") == f"• theme: {theme_label(RenderOptions().theme)} — default"
    assert settings_line(text, "ratio") == "• ratio: 4:5 portrait — default"


async def test_only_group_admins_change_group_settings(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    chosen = other_themes()[0]
    member, admin = 7, 8
    fake.set_member_status(GROUP, admin, "administrator")

    await chat.say(GROUP, f"/theme {chosen}", user_id=member)
    assert chat.last_reply() == texts.ADMINS_ONLY
    checks = fake.calls_to("getChatMember")
    assert [(c.params["chat_id"], c.params["user_id"]) for c in checks] == [(GROUP, member)]
    eff = await effective(store, chat_scope("telegram", GROUP), is_group=True)
    assert eff.value("theme") == RenderOptions().theme

    await chat.say(GROUP, f"/theme {chosen}", user_id=admin)
    assert chat.last_reply() == texts.SET_DONE.format(label="theme", value=theme_label(chosen))
    await chat.say(GROUP, "/brand name Content Team", user_id=admin)

    # a member's button press is refused too (with an alert, and the query answered)
    await chat.say(GROUP, "/ratio", user_id=member)
    keyboard = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(keyboard, "set:ratio:1:1", user_id=member)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.ADMINS_ONLY and answer.params["show_alert"] is True

    # every member's carousel uses the group kit; members' personal settings don't leak in
    await chat.say(member, "/ratio 16:9")  # the member's own private setting
    await chat.say(GROUP, f"/carousel {X_LINK}", user_id=member)
    options = chat.payloads()[-1]["options"]
    assert options["theme"] == chosen
    assert options["brand"]["name"] == "Content Team"
    assert options["ratio"] == RenderOptions().ratio

    await chat.say(GROUP, "/settings", user_id=member)
    text = chat.last_reply()
    assert text.startswith(texts.SETTINGS_GROUP)
    assert settings_line(text, "theme") == f"• theme: {theme_label(chosen)} — group"
    assert settings_line(text, "ratio") == "• ratio: 4:5 portrait — default"


async def test_creator_counts_as_admin(chat: Chat, fake: FakeTelegramAPI) -> None:
    fake.set_member_status(GROUP, 5, "creator")
    await chat.say(GROUP, "/format jpeg", user_id=5)
    assert chat.last_reply() == texts.SET_DONE.format(label="format", value="JPEG")


async def test_group_admin_sets_the_group_logo_by_replying_with_a_picture(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    import io

    from PIL import Image

    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/brand logo", user_id=8)
    ask = fake.calls_to("sendMessage")[-1]
    assert ask.params["text"] == (
        texts.ASK_VALUE["brand.logo"].format(whose="this group's") + " " + texts.ASK_CANCEL_HINT
    )
    assert ask.params["reply_markup"]["force_reply"] is True  # so the answer reaches a privacy-mode bot
    logo = io.BytesIO()
    Image.new("RGBA", (120, 40), (20, 20, 20, 255)).save(logo, "PNG")
    update = fake.user_message(
        chat_id=GROUP, user_id=8, photo=logo.getvalue(), reply_to=ask.response["result"]
    )
    await chat.send(update)
    assert chat.last_reply() == texts.PICTURE_SAVED_GROUP.format(what="logo")
    assert "your" not in texts.PICTURE_SAVED_GROUP + ask.params["text"]  # it is the group's, not mine
    eff = await effective(store, chat_scope("telegram", GROUP), is_group=True)
    assert eff.value("brand.logo").file_id == update["message"]["photo"][-1]["file_id"]
    assert eff.sources["brand.logo"].describe() == "group"

    await chat.say(GROUP, f"/carousel {X_LINK}", user_id=7)  # any member's carousel carries it
    logo_url = chat.payloads()[-1]["options"]["brand"]["logo_url"]
    assert logo_url.startswith(TELEGRAM_FILE_PREFIX) and fake.token not in logo_url


async def test_settings_buttons_open_each_menu(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/settings")
    panel = fake.calls_to("sendMessage")[-1].response["result"]
    data = [b["callback_data"] for row in panel["reply_markup"]["inline_keyboard"] for b in row]
    menus = ("theme", "ratio", "format", "delivery", "cta", "brand", "preset", "max_posts")
    assert data == [f"set:menu:{m}" for m in menus]
    await chat.press(panel, "set:menu:ratio", user_id=42)
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["text"] == texts.CHOOSE_RATIO.format(scope="")
    ratio_data = [b["callback_data"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]
    assert ratio_data == ["set:ratio:4:5", "set:ratio:1:1", "set:ratio:9:16", "set:ratio:16:9"]
    await chat.press(panel, "set:menu:brand", user_id=42)
    assert fake.calls_to("editMessageText")[-1].params["text"].startswith("Brand kit")
    assert len(fake.calls_to("answerCallbackQuery")) == 2


async def test_typed_choices_accept_what_people_write(chat: Chat) -> None:
    await chat.say(42, "/format jpg")
    assert chat.last_reply() == texts.SET_DONE.format(label="format", value="JPEG")
    await chat.say(42, "/ratio 4x5")
    assert chat.last_reply() == texts.SET_DONE.format(label="ratio", value="4:5 portrait")
    await chat.say(42, "/ratio square")
    chosen = other_themes()[0]
    await chat.say(42, f"/theme {theme_label(chosen).upper()}")
    await chat.say(42, X_LINK)
    options = chat.payloads()[-1]["options"]
    assert (options["format"], options["ratio"], options["theme"]) == ("jpeg", "1:1", chosen)


async def test_preset_names_ignore_case_and_an_overwrite_says_updated(
    chat: Chat, store: RedisSettingsStore
) -> None:
    scope = user_scope("telegram", 42)
    first, second = other_themes()[:2]
    await chat.say(42, f"/theme {first}")
    await chat.say(42, "/preset save Work")
    await chat.say(42, f"/theme {second}")
    await chat.say(42, "/preset save work")
    assert chat.last_reply() == texts.PRESET_UPDATED.format(name="work")
    assert await store.preset_names(scope) == ["work"]  # one preset, not two that differ in case
    await chat.say(42, "/reset")
    await chat.say(42, "/preset load WORK")
    assert chat.last_reply() == texts.PRESET_LOADED.format(name="work")
    assert (await effective(store, scope, is_group=False)).value("theme") == second


async def test_preset_list_sorts_numbers_naturally(chat: Chat) -> None:
    for name in ("p10", "p2", "Alpha", "p1"):
        await chat.say(42, f"/preset save {name}")
    await chat.say(42, "/preset list")
    names = [line[2:] for line in chat.last_reply().splitlines()[1:]]
    assert names == ["Alpha", "p1", "p2", "p10"]


async def test_text_while_a_picture_is_awaited_gets_a_reminder(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/brand logo")
    await chat.say(42, "here it is")
    assert chat.last_reply() == texts.PICTURE_STILL_WAITING.format(what="logo")
    await chat.send(fake.user_message(chat_id=42, photo=png(40, 40)))
    assert chat.last_reply() == texts.PICTURE_SAVED.format(what="logo")
    await chat.say(42, "hello again")
    assert chat.last_reply() == texts.PRIVATE_HINT


async def test_a_group_brand_button_names_the_admin_so_the_reply_field_opens_for_them(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/brand", user_id=8, thread_id=77)
    kit = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(kit, "brand:footer", user_id=8)

    ask = fake.calls_to("sendMessage")[-1]
    assert ask.params["text"] == "Ada, send the footer text for this group's slides. Reply /cancel to stop."
    assert ask.params["reply_markup"] == {"force_reply": True, "selective": True}
    [mention] = ask.params["entities"]
    assert (mention["type"], mention["offset"], mention["length"]) == ("text_mention", 0, 3)
    assert mention["user"]["id"] == 8
    assert ask.params["message_thread_id"] == 77
    await chat.say(GROUP, "team.example", user_id=8, reply_to=ask.response["result"])
    eff = await effective(store, chat_scope("telegram", GROUP), is_group=True)
    assert eff.value("brand.footer") == "team.example"


def png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#224466").save(out, "PNG")
    return out.getvalue()


async def test_send_picks_how_the_slides_arrive_and_settings_show_it(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/send")
    picker = fake.calls_to("sendMessage")[-1]
    assert picker.params["text"] == texts.CHOOSE_DELIVERY.format(scope="")
    keyboard = picker.response["result"]["reply_markup"]["inline_keyboard"]
    buttons = [(b["text"], b["callback_data"]) for row in keyboard for b in row]
    assert buttons == [
        ("✓ Album of photos", "set:delivery:album"),
        ("Original files", "set:delivery:files"),
        ("ZIP of the slides", "set:delivery:zip"),
    ]

    await chat.press(picker.response["result"], "set:delivery:files", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Done — delivery: Original files"
    await chat.say(42, "/settings")
    assert settings_line(chat.last_reply(), "delivery") == "• delivery: Original files — personal"
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["delivery"] == "files"

    await chat.say(42, "/send zip")
    assert chat.last_reply() == "Done — delivery: ZIP of the slides"
    await chat.say(42, "/send photos")
    assert chat.last_reply() == "Done — delivery: Album of photos"
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("delivery") == "album"
