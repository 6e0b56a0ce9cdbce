"""Groups for a content team: whose result it is, per-person pickers, what non-admins are shown."""

from __future__ import annotations

import copy

from bot.telegram import texts
from contract.rerender import job_ref
from tests.bot.telegram.conftest import Chat
from tests.bot.telegram.test_buttons_and_limits import GROUP, delivered_result
from tests.fakes.telegram_api import FakeTelegramAPI
from themes import list_themes

ASKER, MEMBER, ADMIN = 7, 9, 11


def other_theme(chat: Chat) -> str:
    return next(t.name for t in list_themes() if t.name != chat.payloads()[-1]["options"]["theme"])


def alerts(fake: FakeTelegramAPI) -> list[str]:
    answers = fake.calls_to("answerCallbackQuery")
    return [str(c.params.get("text")) for c in answers if c.params.get("show_alert")]


async def test_only_the_requester_or_an_admin_rerenders_a_result_in_a_group(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    job_id, result = await delivered_result(chat, fake, GROUP, user_id=ASKER)
    ref, theme = job_ref(job_id), other_theme(chat)
    fake.set_member_status(GROUP, ADMIN, "administrator")
    sent_before = len(fake.calls_to("sendMessage"))
    keyboard = copy.deepcopy(result["reply_markup"])

    await chat.press(result, f"rr:{ref}:theme", user_id=MEMBER)  # opening a picker
    await chat.press(result, f"rr:{ref}:theme:{theme}", user_id=MEMBER)  # an old in-place keyboard
    await chat.press(result, f"rr:{ref}:ratio:1:1", user_id=MEMBER)

    assert alerts(fake) == [texts.RERENDER_NOT_YOURS] * 3
    assert len(chat.jobs()) == 1  # nothing was re-rendered
    assert len(fake.calls_to("sendMessage")) == sent_before  # no picker, no status
    assert fake.calls_to("editMessageReplyMarkup") == []
    assert result["reply_markup"] == keyboard

    await chat.press(result, f"rr:{ref}:ratio:1:1", user_id=ADMIN)
    await chat.press(result, f"rr:{ref}:format:jpeg", user_id=ASKER)
    assert [j.args[0]["options"]["ratio"] for j in chat.jobs()[1:]] == ["1:1", "4:5"]
    assert chat.jobs()[-1].args[0]["options"]["format"] == "jpeg"
    assert [j.args[0]["reply"]["user_id"] for j in chat.jobs()[1:]] == [ADMIN, ASKER]


async def test_a_picker_in_a_group_is_one_persons_reply_and_the_shared_keyboard_stays(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    job_id, result = await delivered_result(chat, fake, GROUP, user_id=ASKER, thread_id=77)
    ref, theme = job_ref(job_id), other_theme(chat)
    keyboard = copy.deepcopy(result["reply_markup"])
    fake.set_member_status(GROUP, ADMIN, "administrator")

    await chat.press(result, f"rr:{ref}:theme", user_id=ASKER)

    assert fake.calls_to("editMessageReplyMarkup") == []  # the result's buttons did not change
    assert fake.messages[(GROUP, result["message_id"])]["reply_markup"] == keyboard
    [toast] = fake.calls_to("answerCallbackQuery")
    assert toast.params["text"] == texts.PICKER_SENT.format(field="theme")
    picker_call = fake.calls_to("sendMessage")[-1]
    assert picker_call.params["text"] == texts.PICKER_FOR.format(name="Ada", field="theme")
    assert picker_call.params["reply_parameters"]["message_id"] == result["message_id"]
    assert picker_call.params["message_thread_id"] == 77  # in the result's topic
    picker = picker_call.response["result"]
    buttons = [b for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons[:-1]] == [f"rr:{ref}:theme:{t.name}" for t in list_themes()]
    assert buttons[-1] == {"text": "✕ Close", "callback_data": f"rr:{ref}"}

    # nobody else can use it, not even an admin (who can open a picker of their own)
    await chat.press(picker, f"rr:{ref}:theme:{theme}", user_id=ADMIN)
    await chat.press(picker, f"rr:{ref}", user_id=MEMBER)
    assert alerts(fake) == [texts.PICKER_NOT_YOURS.format(name="Ada")] * 2
    assert len(chat.jobs()) == 1 and (GROUP, picker["message_id"]) in fake.messages

    # its owner picks: the picker turns into the re-render's status message
    await chat.press(picker, f"rr:{ref}:theme:{theme}", user_id=ASKER)
    rerun = chat.payloads()[-1]
    assert rerun["options"]["theme"] == theme
    assert rerun["reply"]["status_message_id"] == picker["message_id"]
    assert rerun["reply"]["thread_id"] == 77
    label = next(t.label for t in list_themes() if t.name == theme)
    status = fake.messages[(GROUP, picker["message_id"])]
    assert status["text"] == texts.QUEUED_RERENDER.format(field="theme", value=label)
    assert "reply_markup" not in status
    assert fake.messages[(GROUP, result["message_id"])]["reply_markup"] == keyboard


async def test_a_picker_closes_for_its_owner(chat: Chat, fake: FakeTelegramAPI) -> None:
    job_id, result = await delivered_result(chat, fake, GROUP, user_id=ASKER)
    await chat.press(result, f"rr:{job_ref(job_id)}:ratio", user_id=ASKER)
    picker = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(picker, f"rr:{job_ref(job_id)}", user_id=ASKER)
    assert (GROUP, picker["message_id"]) in fake.deleted
    assert len(chat.jobs()) == 1


async def test_members_who_are_not_admins_are_not_shown_pickers_they_cannot_use(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    for command in ("/theme", "/ratio", "/format", "/cta", "/brand", "/settings", "/preset", "/send"):
        await chat.say(GROUP, command, user_id=MEMBER)
    replies = fake.calls_to("sendMessage")
    assert len(replies) == 8
    assert all("reply_markup" not in c.params for c in replies)  # nothing to tap and be refused on
    texts_sent = [str(c.params["text"]) for c in replies]
    assert texts_sent[:4] == [
        texts.GROUP_CHOICE_BY_ADMINS.format(label="theme", value="Paper"),
        texts.GROUP_CHOICE_BY_ADMINS.format(label="ratio", value="4:5 portrait"),
        texts.GROUP_CHOICE_BY_ADMINS.format(label="format", value="PNG"),
        texts.GROUP_CHOICE_BY_ADMINS.format(label="call to action", value="Follow"),
    ]
    assert texts_sent[4].startswith("This group's brand kit, set by its admins:\n• name: not set")
    assert texts_sent[5].startswith(texts.SETTINGS_GROUP)
    assert texts_sent[5].endswith(texts.GROUP_SETTINGS_BY_ADMINS)
    assert texts_sent[6] == texts.GROUP_PRESETS_NONE
    assert texts_sent[7] == (
        "This group's admins choose how the slides arrive: here they come as an album of photos."
    )

    # an admin gets the pickers
    fake.set_member_status(GROUP, ADMIN, "administrator")
    await chat.say(GROUP, "/theme", user_id=ADMIN)
    await chat.say(GROUP, "/settings", user_id=ADMIN)
    theme_picker, settings = fake.calls_to("sendMessage")[-2:]
    assert theme_picker.params["reply_markup"]["inline_keyboard"]
    assert settings.params["reply_markup"]["inline_keyboard"]

    # a member tapping a menu button on the admin's /settings is refused, and it stays as it is
    shown = settings.response["result"]
    await chat.press(shown, "set:menu:theme", user_id=MEMBER)
    assert alerts(fake) == [texts.ADMINS_ONLY]
    assert fake.calls_to("editMessageText") == [] and fake.calls_to("editMessageReplyMarkup") == []
