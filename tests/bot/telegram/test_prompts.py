"""Questions the bot asks (a brand name, a CTA link…) never get in the way: a command or a thread link
closes them, a Cancel button and /cancel drop them, they expire, and unknown commands are answered."""

from __future__ import annotations

import copy

from redis import Redis

from bot.settings_model import chat_scope, user_scope
from bot.settings_store import RedisSettingsStore, effective
from bot.telegram import texts
from tests.bot.telegram.conftest import BOT_USERNAME, Chat
from tests.conftest import REDIS_URL
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.limits import PROMPT_EXPIRES_S, TELEGRAM_CALLBACK_DATA_MAX_BYTES

GROUP = -1001234567890
X_LINK = "https://x.com/jack/status/20"


def buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def brand_name(store: RedisSettingsStore, scope: str) -> object:
    return (await effective(store, scope, is_group=scope.startswith("chat"))).value("brand.name")


async def test_a_command_then_a_thread_link_makes_a_carousel_not_a_brand_name(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/brand")
    kit = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(kit, "brand:name", user_id=42)
    assert chat.last_reply() == texts.ASK_VALUE["brand.name"].format(whose="your")
    await chat.say(42, "/settings")  # the question is over
    await chat.say(42, X_LINK)

    assert [p["source"] for p in chat.payloads()] == [X_LINK]
    assert chat.last_reply() == texts.QUEUED
    assert await brand_name(store, user_scope("telegram", 42)) is None
    await chat.say(42, "Carousel Weekly")  # no question is open any more
    assert chat.last_reply() == texts.PRIVATE_HINT


async def test_a_thread_link_sent_instead_of_an_answer_makes_a_carousel_and_closes_the_question(
    chat: Chat, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/cta link")
    assert chat.last_reply() == texts.ASK_VALUE["cta_link"]
    await chat.say(42, X_LINK)
    assert [p["source"] for p in chat.payloads()] == [X_LINK]
    assert (await effective(store, user_scope("telegram", 42), is_group=False)).value("cta_link") is None
    await chat.say(42, "example.com/newsletter")
    assert chat.last_reply() == texts.PRIVATE_HINT

    # a link that is not a thread is still a fine answer to "send the link for the last slide"
    await chat.say(42, "/cta link")
    await chat.say(42, "https://example.com/newsletter")
    assert (await effective(store, user_scope("telegram", 42), is_group=False)).value(
        "cta_link"
    ) == "https://example.com/newsletter"


async def test_a_picture_question_is_closed_by_a_thread_link(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/brand avatar")
    await chat.say(42, X_LINK)
    assert len(chat.payloads()) == 1
    await chat.send(fake.user_message(chat_id=42, photo=png()))
    assert chat.last_reply() == texts.PICTURE_WITHOUT_ASK


async def test_every_private_question_has_a_cancel_button_that_drops_it(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/brand name")
    ask = fake.calls_to("sendMessage")[-1].response["result"]
    [cancel] = buttons(ask)
    assert cancel["text"] == texts.ASK_CANCEL_BUTTON
    assert len(cancel["callback_data"].encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES

    await chat.press(ask, cancel["callback_data"], user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert "text" not in answer.params  # the message itself says it
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["text"] == "Cancelled — I'm no longer waiting for the brand name."
    assert not buttons(edit.response["result"])
    await chat.say(42, "Carousel Weekly")
    assert chat.last_reply() == texts.PRIVATE_HINT
    assert await brand_name(store, user_scope("telegram", 42)) is None


async def test_a_cancel_button_under_an_answered_question_cancels_nothing_else(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/brand name")
    old = copy.deepcopy(fake.calls_to("sendMessage")[-1].response["result"])  # as the client still shows it
    await chat.say(42, "Carousel Weekly")
    await chat.say(42, "/brand footer")  # a newer question
    await chat.press(old, buttons(old)[0]["callback_data"], user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.NOTHING_TO_CANCEL
    # the answer already took the button away; a press that still comes (an old client, a question
    # that expired with its button) takes it away again
    first, again = fake.calls_to("editMessageReplyMarkup")
    assert first.params["message_id"] == again.params["message_id"] == old["message_id"]
    assert not buttons(again.response["result"])
    await chat.say(42, "carousel.example")  # still answers the newer question
    assert chat.last_reply() == texts.SET_DONE.format(label="footer", value="carousel.example")
    assert await brand_name(store, user_scope("telegram", 42)) == "Carousel Weekly"


async def test_cancel_command(chat: Chat) -> None:
    await chat.say(42, "/cancel")
    assert chat.last_reply() == texts.NOTHING_TO_CANCEL
    await chat.say(42, "/cta text")
    await chat.say(42, "/cancel")
    assert chat.last_reply() == "Cancelled — I'm no longer waiting for the CTA text."
    await chat.say(42, "Read the whole thread")
    assert chat.last_reply() == texts.PRIVATE_HINT
    await chat.say(42, "/brand logo")
    await chat.say(42, "/cancel")
    assert chat.last_reply() == "Cancelled — I'm no longer waiting for the logo."


async def test_in_a_group_the_question_says_how_to_cancel_and_a_reply_link_makes_a_carousel(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/brand name", user_id=8)
    ask = fake.calls_to("sendMessage")[-1]
    assert ask.params["text"] == (
        f"{texts.ASK_VALUE['brand.name'].format(whose=texts.WHOSE_GROUP)} "
        f"{texts.ASK_CANCEL_HINT}"
    )
    assert ask.params["reply_markup"]["force_reply"] is True  # the reply field, for a privacy-mode bot
    await chat.say(GROUP, X_LINK, user_id=8, reply_to=ask.response["result"])
    assert [p["source"] for p in chat.payloads()] == [X_LINK]
    assert await brand_name(store, chat_scope("telegram", GROUP)) is None

    await chat.say(GROUP, "/brand name", user_id=8)
    ask = fake.calls_to("sendMessage")[-1]
    await chat.say(GROUP, f"/cancel@{BOT_USERNAME}", user_id=8, reply_to=ask.response["result"])
    assert chat.last_reply() == "Cancelled — I'm no longer waiting for the brand name."
    await chat.say(GROUP, "Content Team", user_id=8, reply_to=ask.response["result"])
    assert await brand_name(store, chat_scope("telegram", GROUP)) is None


async def test_another_bots_command_in_a_group_leaves_the_question_open(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/brand name", user_id=8)
    ask = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.say(GROUP, "/poll@other_bot", user_id=8)
    await chat.say(GROUP, "/weather", user_id=8)
    await chat.say(GROUP, "Content Team", user_id=8, reply_to=ask)
    assert await brand_name(store, chat_scope("telegram", GROUP)) == "Content Team"


async def test_a_question_expires_after_a_few_minutes(chat: Chat, prefix: str) -> None:
    await chat.say(42, "/brand accent")
    redis = Redis.from_url(REDIS_URL)
    try:
        [key] = list(redis.scan_iter(f"{prefix}settings:pending:*"))
        assert 0 < redis.ttl(key) <= PROMPT_EXPIRES_S <= 5 * 60
        redis.delete(key)  # as if the minutes had passed
    finally:
        redis.close()
    await chat.say(42, "#1D9BF0")
    assert chat.last_reply() == texts.PRIVATE_HINT


async def test_unknown_commands_point_to_help_in_private_and_when_addressed_in_a_group(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    await chat.say(42, "/foo")
    assert chat.last_reply() == texts.UNKNOWN_COMMAND
    sent = len(chat.replies())
    await chat.say(GROUP, "/foo", user_id=7)  # may be another bot's
    await chat.say(GROUP, "/foo@other_bot", user_id=7)
    assert len(chat.replies()) == sent
    await chat.say(GROUP, f"/foo@{BOT_USERNAME}", user_id=7)
    assert chat.last_reply() == texts.UNKNOWN_COMMAND
    assert len(chat.replies()) == sent + 1


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), "#224466").save(out, "PNG")
    return out.getvalue()


async def test_cta_link_sets_the_link_and_chooses_link(chat: Chat, store: RedisSettingsStore) -> None:
    await chat.say(42, "/cta link example.com/newsletter")
    assert chat.last_reply() == "Done — the last slide now links to https://example.com/newsletter."
    await chat.say(42, X_LINK)
    options = chat.payloads()[-1]["options"]
    assert (options["cta"], options["cta_link"]) == ("link", "https://example.com/newsletter")

    await chat.say(42, "/cta follow")  # the link stays saved for later
    await chat.say(43, "/cta link")  # the answer to the question does the same
    await chat.say(43, "https://example.org/join")
    assert chat.last_reply() == "Done — the last slide now links to https://example.org/join."
    eff = await effective(store, user_scope("telegram", 43), is_group=False)
    assert (eff.value("cta"), eff.value("cta_link")) == ("link", "https://example.org/join")


async def test_choosing_link_without_an_address_is_refused(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/cta")
    picker = fake.calls_to("sendMessage")[-1].response["result"]
    assert "set:cta:link" in [b["callback_data"] for b in buttons(picker)]
    await chat.press(picker, "set:cta:link", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.CTA_LINK_NEEDED and answer.params["show_alert"] is True
    eff = await effective(store, user_scope("telegram", 42), is_group=False)
    assert eff.value("cta") == "follow"

    await chat.say(42, "/cta link example.com/newsletter")
    await chat.say(42, "/cta save")
    await chat.press(picker, "set:cta:link", user_id=42)  # with a saved address, Link is fine
    assert fake.calls_to("answerCallbackQuery")[-1].params["text"] == texts.SET_DONE.format(
        label="call to action", value="Link"
    )


async def test_a_question_that_is_over_loses_its_cancel_button(chat: Chat, fake: FakeTelegramAPI) -> None:
    """Answered, replaced by a command, a thread link, /cancel or another question: the question's words
    stay, its ✖ Cancel goes, so nothing is left to tap that would only say there is nothing to cancel."""

    async def ask(command: str) -> tuple[int, int]:
        await chat.say(42, command)
        question = fake.calls_to("sendMessage")[-1].response["result"]
        assert [b["text"] for b in buttons(question)] == [texts.ASK_CANCEL_BUTTON]
        return 42, question["message_id"]

    def cancel_shown(key: tuple[int, int]) -> bool:
        return bool(buttons(fake.messages[key]))

    answered = await ask("/brand name")
    await chat.say(42, "Ada Lovelace")
    assert not cancel_shown(answered)
    assert fake.messages[answered]["text"] == texts.ASK_VALUE["brand.name"].format(whose="your")

    replaced = await ask("/cta link")
    await chat.say(42, "/settings")
    assert not cancel_shown(replaced)

    by_link = await ask("/brand handle")
    await chat.say(42, X_LINK)
    assert not cancel_shown(by_link)

    cancelled = await ask("/brand footer")
    await chat.say(42, "/cancel")
    assert not cancel_shown(cancelled)
    assert chat.last_reply() == texts.CANCELLED.format(what="footer")

    first = await ask("/brand avatar")
    await chat.say(42, "/brand")  # the kit's Logo button asks another question
    kit = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(kit, "brand:logo", user_id=42)
    assert not cancel_shown(first)
    logo_question = (42, fake.calls_to("sendMessage")[-1].response["result"]["message_id"])
    assert cancel_shown(logo_question)
    await chat.press(kit, "brand:name", user_id=42)  # and another: the logo question's button goes too
    assert not cancel_shown(logo_question)
