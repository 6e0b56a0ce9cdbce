"""Re-render buttons under a result, rate limits, the command menu, errors, callback-data sizes."""

from __future__ import annotations

import uuid

import pytest

from bot.settings_store import RedisSettingsStore
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.app import start_up
from contract.rerender import job_ref, telegram_rerender_keyboard
from tests.bot.telegram.conftest import Chat
from tests.fakes.telegram_api import FakeTelegramAPI
from themes import list_themes
from worker.limits import TELEGRAM_CALLBACK_DATA_MAX_BYTES

X_LINK = "https://x.com/jack/status/20"
GROUP = -1001234567890


async def delivered_result(chat: Chat, fake: FakeTelegramAPI, chat_id: int, **kwargs) -> tuple[str, dict]:
    """Start a job, then stand in for the worker: post the PDF with its re-render keyboard."""
    await chat.say(chat_id, X_LINK if chat_id > 0 else f"/carousel {X_LINK}", **kwargs)
    job = chat.jobs()[-1]
    response = await chat.app.bot.send_document(
        chat_id, b"%PDF-1.4 stand-in", filename="thread.pdf", reply_markup=None
    )
    message = fake.messages[(chat_id, response.message_id)]
    message["reply_markup"] = telegram_rerender_keyboard(job.id)  # exactly what the worker puts there
    return job.id, message


async def test_rerender_button_enqueues_a_new_job_with_rerender_of(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    job_id, result = await delivered_result(chat, fake, 42)
    original = chat.payloads()[-1]
    [theme_button] = [
        b for b in result["reply_markup"]["inline_keyboard"][0] if b["callback_data"].endswith(":theme")
    ]

    await chat.press(result, theme_button["callback_data"], user_id=42)
    [edit] = fake.calls_to("editMessageReplyMarkup")
    choices = [b["callback_data"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row]
    ref = job_ref(job_id)
    assert choices[:-1] == [f"rr:{ref}:theme:{t.name}" for t in list_themes()]
    assert choices[-1] == f"rr:{ref}"  # back

    new_theme = next(t.name for t in list_themes() if t.name != original["options"]["theme"])
    sent_before = len(fake.calls_to("sendMessage"))
    await chat.press(result, f"rr:{ref}:theme:{new_theme}", user_id=42)

    jobs = chat.jobs()
    assert len(jobs) == 2
    rerun = jobs[-1].args[0]
    assert rerun["rerender_of"] == job_id
    assert rerun["source"] == original["source"]
    assert rerun["options"] == {**original["options"], "theme": new_theme}
    new_status = fake.calls_to("sendMessage")[sent_before:]
    assert len(new_status) == 1
    assert rerun["reply"] == {
        **original["reply"],
        "status_message_id": new_status[0].response["result"]["message_id"],
    }
    assert new_status[0].params["reply_parameters"]["message_id"] == original["reply"]["reply_to_message_id"]
    # the keyboard under the result is back to the three buttons; every press was answered
    assert fake.calls_to("editMessageReplyMarkup")[-1].params["reply_markup"] == result["reply_markup"]
    assert len(fake.calls_to("answerCallbackQuery")) == 2
    # the re-render itself can be re-rendered
    assert await store.job(job_ref(jobs[-1].id)) is not None


async def test_a_rerender_arrives_the_way_its_carousel_did(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/send files")
    job_id, result = await delivered_result(chat, fake, 42)
    assert chat.payloads()[-1]["options"]["delivery"] == "files"
    await chat.say(42, "/send album")  # a later choice is for later carousels
    await chat.press(result, f"rr:{job_ref(job_id)}:ratio:1:1", user_id=42)
    rerun = chat.payloads()[-1]
    assert (rerun["options"]["ratio"], rerun["options"]["delivery"]) == ("1:1", "files")


async def test_rerender_in_a_topic_keeps_the_topic(chat: Chat, fake: FakeTelegramAPI) -> None:
    job_id, result = await delivered_result(chat, fake, GROUP, user_id=7, thread_id=77)
    fake.set_member_status(GROUP, 9, "administrator")  # an admin may re-render anyone's carousel
    await chat.press(result, f"rr:{job_ref(job_id)}:ratio:1:1", user_id=9)
    rerun = chat.payloads()[-1]
    assert rerun["options"]["ratio"] == "1:1"
    assert rerun["reply"]["thread_id"] == 77
    assert rerun["reply"]["user_id"] == 9
    assert fake.calls_to("sendMessage")[-1].params["message_thread_id"] == 77


async def test_rerender_of_an_unknown_job_says_it_is_too_old(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/help")
    message = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(message, f"rr:{uuid.uuid4().hex}:format:jpeg", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.RERENDER_GONE
    assert chat.jobs() == []


async def test_command_menu_is_registered_at_startup(chat: Chat, fake: FakeTelegramAPI) -> None:
    assert chat.app.post_init is start_up
    await chat.app.post_init(chat.app)
    call = fake.calls_to("setMyCommands")[0]  # the default menu (the groups' one: test_autolink.py)
    assert "scope" not in call.params
    names = [c["command"] for c in call.params["commands"]]
    assert names == [
        "start",
        "help",
        "carousel",
        "theme",
        "ratio",
        "format",
        "send",
        "cta",
        "maxposts",
        "brand",
        "preset",
        "settings",
        "reset",
        "cancel",
    ]
    assert all(c["description"] for c in call.params["commands"])


async def test_start_is_three_lines_and_help_covers_every_command(chat: Chat) -> None:
    lines = texts.START.splitlines()
    assert len(lines) == 3 and all(lines)
    assert "/help" in lines[-1]
    for command, _ in texts.COMMANDS:
        if command not in ("start", "help"):
            assert f"/{command}" in texts.HELP, command
    assert "/autolink" in texts.HELP
    assert len(texts.HELP.splitlines()) <= 16


async def test_start_and_help(chat: Chat) -> None:
    await chat.say(42, "/start")
    assert chat.last_reply() == texts.START
    await chat.say(42, "/help")
    assert chat.last_reply() == texts.HELP


async def test_a_failing_handler_logs_and_tells_the_user_one_sentence(
    chat: Chat, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("getChatMember", error_code=400, description="Bad Request: chat not found")
    await chat.say(GROUP, "/theme bold", user_id=7)
    assert chat.last_reply() == texts.ERROR
    assert any(r.exc_info and "chat not found" in str(r.exc_info[1]).lower() for r in caplog.records)


async def test_theme_preview_sheet_is_sent_once_then_by_file_id(
    chat: Chat, fake: FakeTelegramAPI, settings, rq_queue, store, limiter, tmp_path
) -> None:
    import io

    from PIL import Image

    from bot.telegram.app import build_application

    sheet = tmp_path / "themes.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#F4EFE6").save(buffer, "PNG")
    sheet.write_bytes(buffer.getvalue())
    application = build_application(
        settings, rq_queue, store=store, limiter=limiter, theme_preview=tmp_path, updater=False
    )
    await application.initialize()
    try:
        driver = Chat(application, fake, rq_queue)
        await driver.say(42, "/theme")
        await driver.say(42, "/theme")
    finally:
        await application.shutdown()
    first, second = fake.calls_to("sendPhoto")
    assert first.files and not second.files  # uploaded once, then re-sent by file_id
    assert second.params["photo"] == first.response["result"]["photo"][-1]["file_id"]
    markup = second.params["reply_markup"]["inline_keyboard"]
    assert {b["callback_data"] for row in markup for b in row} == {
        f"set:theme:{t.name}" for t in list_themes()
    }


def test_every_keyboard_fits_telegram_callback_limit() -> None:
    job_id = str(uuid.uuid4())  # RQ's job ids
    datas = [b["callback_data"] for row in telegram_rerender_keyboard(job_id)["inline_keyboard"] for b in row]
    for field, values in (
        ("theme", [t.name for t in list_themes()]),
        ("ratio", ["4:5", "1:1", "9:16", "16:9"]),
        ("format", ["png", "jpeg"]),
    ):
        keyboard = kb.rerender_choices_keyboard(job_id, field, [(v, v) for v in values], None)
        datas += [str(b.callback_data) for row in keyboard.inline_keyboard for b in row]
        assert len(keyboard.inline_keyboard[-1]) == 1  # back
        assert sum(len(r) for r in keyboard.inline_keyboard) == len(values) + 1
    keyboard = kb.choice_keyboard("theme", [(t.name, t.label) for t in list_themes()], None)
    datas += [str(b.callback_data) for row in keyboard.inline_keyboard for b in row]
    assert all(1 <= len(d.encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES for d in datas)
    with pytest.raises(ValueError):
        kb.callback_data("x" * (TELEGRAM_CALLBACK_DATA_MAX_BYTES + 1))


async def test_flood_control_is_waited_out(chat: Chat, fake: FakeTelegramAPI) -> None:
    fake.fail_next("sendMessage", retry_after=1)
    await chat.say(42, "/start")
    calls = fake.calls_to("sendMessage")
    assert [c.response["ok"] for c in calls] == [False, True]
    assert calls[1].at - calls[0].at >= 1.0
    assert calls[1].params["text"] == texts.START


async def test_rerender_with_the_value_it_already_has_starts_nothing(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    job_id, result = await delivered_result(chat, fake, 42)
    current = chat.payloads()[-1]["options"]["theme"]
    label = next(t.label for t in list_themes() if t.name == current)

    await chat.press(result, f"rr:{job_ref(job_id)}:theme:{current}", user_id=42)

    assert len(chat.jobs()) == 1
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.RERENDER_SAME.format(field="theme", value=label)


async def test_pressing_the_same_rerender_button_quickly_renders_once(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    job_id, result = await delivered_result(chat, fake, 42)
    other = next(t for t in list_themes() if t.name != chat.payloads()[-1]["options"]["theme"])
    data = f"rr:{job_ref(job_id)}:theme:{other.name}"

    for _ in range(3):
        await chat.press(result, data, user_id=42)

    assert len(chat.jobs()) == 2  # the first carousel and one re-render
    answers = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
    assert answers == [
        texts.RERENDER_TOAST.format(field="theme", value=other.label),
        texts.RERENDER_REPEAT.format(value=other.label),
        texts.RERENDER_REPEAT.format(value=other.label),
    ]
    # one new status message, and it names the theme as the menu does
    statuses = [c.params["text"] for c in fake.calls_to("sendMessage")][1:]
    assert statuses == [texts.QUEUED_RERENDER.format(field="theme", value=other.label)]


def test_the_bots_own_failures_are_one_sentence_each() -> None:
    import re

    from worker.jobs import TIMEOUT_FAILURE

    failures = [
        texts.QUEUE_DOWN,
        texts.ERROR,
        texts.NOT_A_THREAD_LINK,
        texts.RATE_LIMITED.format(seconds=12),
        texts.RERENDER_GONE,
        texts.ADMINS_ONLY,
        texts.RERENDER_NOT_YOURS,
        texts.PICKER_NOT_YOURS.format(name="Ada"),
        TIMEOUT_FAILURE,
    ]
    for sentence in failures:
        assert not re.search(r"[.!?] \w", sentence), sentence
        assert len(sentence) <= 120, sentence


async def test_the_caption_button_queues_a_post_text_for_this_chat(
    chat: Chat, fake: FakeTelegramAPI, queue_name: str
) -> None:
    from rq import Queue
    from rq.serializers import JSONSerializer

    from contract.job import POST_TEXT_JOB_PATH, PostTextPayload, delivery_queue_name

    job_id, result = await delivered_result(chat, fake, GROUP, user_id=7, thread_id=77)
    [[caption]] = result["reply_markup"]["inline_keyboard"][1:]
    assert (caption["text"], caption["callback_data"]) == ("📝 Caption", f"caption:{job_ref(job_id)}")
    connection = chat.rq_queue.connection
    posts = Queue(delivery_queue_name(queue_name), connection=connection, serializer=JSONSerializer)
    try:
        await chat.press(result, caption["callback_data"], user_id=9)
        await chat.press(result, caption["callback_data"], user_id=9)  # a quick second tap: one text
        [job] = posts.get_jobs()  # the delivery queue: workers take it before new renders
    finally:
        posts.delete(delete_jobs=True)
    assert job.func_name == POST_TEXT_JOB_PATH
    asked = PostTextPayload.model_validate(job.args[0])
    assert asked.job == job_ref(job_id)
    assert (asked.reply.chat_id, asked.reply.thread_id, asked.reply.user_id) == (GROUP, 77, 9)
    assert asked.reply.reply_to_message_id == result["message_id"]  # the text answers the result
    first, second = (a.params.get("text") for a in fake.calls_to("answerCallbackQuery"))
    assert (first, second) == (texts.CAPTION_TOAST, texts.CAPTION_REPEAT)
    assert len(chat.jobs()) == 1  # nothing was rendered


async def test_the_caption_button_of_a_forgotten_carousel_says_so(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/help")
    message = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(message, f"caption:{uuid.uuid4().hex}", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.CAPTION_GONE and answer.params["show_alert"] is True
