"""/autolink: in the groups' command menu (not the private one), and its state with On/Off buttons."""

from __future__ import annotations

from bot.settings_model import chat_scope
from bot.settings_store import RedisSettingsStore
from bot.telegram import texts
from bot.telegram.app import register_commands
from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI

GROUP = -1001234567890
X_LINK = "https://x.com/jack/status/20"


def buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_autolink_is_in_the_group_menu_only(chat: Chat, fake: FakeTelegramAPI) -> None:
    await register_commands(chat.app)
    menus = {
        (call.params.get("scope") or {"type": "default"})["type"]: [
            c["command"] for c in call.params["commands"]
        ]
        for call in fake.calls_to("setMyCommands")
    }
    assert set(menus) == {"default", "all_group_chats"}
    assert "autolink" not in menus["default"]
    assert menus["all_group_chats"] == [*menus["default"], "autolink"]
    assert "cancel" in menus["default"]


async def test_autolink_without_argument_shows_the_state_with_buttons_for_admins(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/autolink", user_id=8)
    shown = fake.calls_to("sendMessage")[-1].response["result"]
    assert shown["text"] == texts.AUTOLINK_OFF
    assert [(b["text"], b["callback_data"]) for b in buttons(shown)] == [("On", "al:on"), ("✓ Off", "al:off")]

    await chat.press(shown, "al:on", user_id=8)
    assert (await store.state(chat_scope("telegram", GROUP))).autolink is True
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.AUTOLINK_ON
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["text"].startswith(texts.AUTOLINK_ON)
    assert texts.AUTOLINK_PRIVACY in edit.params["text"]  # the fake bot has privacy mode on
    assert [b["text"] for b in buttons(edit.response["result"])] == ["✓ On", "Off"]
    await chat.say(GROUP, f"look {X_LINK}", user_id=7)
    assert [p["source"] for p in chat.payloads()] == [X_LINK]


async def test_members_see_the_state_without_buttons_and_cannot_press_them(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/autolink", user_id=7)
    shown = fake.calls_to("sendMessage")[-1].response["result"]
    assert shown["text"] == texts.AUTOLINK_MEMBER.format(state=texts.AUTOLINK_OFF)
    assert buttons(shown) == []

    await chat.say(GROUP, "/autolink", user_id=8)
    admins = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(admins, "al:on", user_id=7)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.ADMINS_ONLY
    assert (await store.state(chat_scope("telegram", GROUP))).autolink is False
    assert fake.calls_to("editMessageText") == []

    # on, with privacy mode on: the note about @BotFather and admin rights is for admins only
    await chat.press(admins, "al:on", user_id=8)
    await chat.say(GROUP, "/autolink", user_id=7)
    assert chat.last_reply() == texts.AUTOLINK_MEMBER.format(state=texts.AUTOLINK_ON)
    assert "BotFather" not in chat.last_reply()


async def test_autolink_in_a_private_chat_says_it_is_a_group_setting(chat: Chat) -> None:
    await chat.say(42, "/autolink")
    assert chat.last_reply() == texts.AUTOLINK_PRIVATE
