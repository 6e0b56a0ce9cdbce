"""What starts a carousel, and what the job on the queue carries."""

from __future__ import annotations

from bot.settings_store import RedisSettingsStore
from bot.telegram import texts
from contract import JOB_PATH, JobPayload, RenderOptions
from contract.rerender import job_ref
from tests.bot.telegram.conftest import BOT_USERNAME, Chat
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.queue import RQJobQueue

GROUP = -1001234567890
X_LINK = "https://x.com/jack/status/20"
BSKY_LINK = "https://bsky.app/profile/jay.bsky.team/post/3kabcdefg2x"


def status_call(fake: FakeTelegramAPI):
    calls = fake.calls_to("sendMessage")
    assert calls, f"no status message; calls: {fake.methods()}"
    return calls[-1]


async def test_private_link_enqueues_a_render_job_with_the_reply_address(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    update = await chat.say(42, f"please make this one {X_LINK}")

    [job] = chat.jobs()
    assert job.func_name == JOB_PATH
    payload = JobPayload.model_validate(job.args[0])
    status = status_call(fake)
    assert status.params["text"] == texts.QUEUED
    assert status.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert payload.source == X_LINK
    assert payload.source_kind == "link"
    assert payload.rerender_of is None
    assert payload.options == RenderOptions()  # nothing chosen yet: the defaults
    assert payload.reply.platform == "telegram"
    assert payload.reply.chat_id == 42
    assert payload.reply.user_id == 42
    assert payload.reply.thread_id is None
    assert payload.reply.reply_to_message_id == update["message"]["message_id"]
    assert payload.reply.status_message_id == status.response["result"]["message_id"]
    # kept for the re-render buttons under the result
    record = await store.job(job_ref(job.id))
    assert record is not None and record.job_id == job.id and record.payload == job.args[0]


async def test_several_links_use_the_first_and_say_so(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, f"{BSKY_LINK} and also {X_LINK}")
    [payload] = chat.payloads()
    assert payload["source"] == BSKY_LINK
    assert status_call(fake).params["text"] == texts.QUEUED_FIRST_OF.format(count=2)


async def test_unsupported_link_gets_one_clear_sentence(chat: Chat) -> None:
    await chat.say(42, "https://example.com/blog/my-post")
    assert chat.last_reply() == texts.NOT_A_THREAD_LINK
    assert chat.jobs() == []


async def test_private_chatter_without_a_link_gets_a_hint(chat: Chat) -> None:
    await chat.say(42, "hello there")
    assert chat.last_reply() == texts.PRIVATE_HINT
    assert chat.jobs() == []


async def test_pasted_paragraphs_become_a_text_carousel(chat: Chat) -> None:
    text = "Why carousels work\n\nPeople swipe.\n\nThey save posts they can come back to."
    await chat.say(42, text)
    [payload] = chat.payloads()
    assert payload["source_kind"] == "text"
    assert payload["source"] == text
    assert chat.last_reply() == texts.QUEUED_TEXT


async def test_markdown_file_is_downloaded_and_enqueued_as_text(chat: Chat, fake: FakeTelegramAPI) -> None:
    body = "# Notes\n\nFirst point.\n\nSecond point, with more words.\n"
    file_id = fake.add_file(body.encode(), kind="document", file_name="notes.md", mime_type="text/markdown")
    update = fake.user_message(chat_id=42)
    update["message"]["document"] = {
        "file_id": file_id,
        "file_unique_id": "AQADnotes",
        "file_name": "notes.md",
        "mime_type": "text/markdown",
        "file_size": len(body.encode()),
    }
    await chat.send(update)
    assert [c.params["file_id"] for c in fake.calls_to("getFile")] == [file_id]
    [payload] = chat.payloads()
    assert payload["source_kind"] == "text"
    assert payload["source"] == body


async def test_oversized_text_file_is_refused_without_downloading(chat: Chat, fake: FakeTelegramAPI) -> None:
    from worker.limits import TEXT_UPLOAD_MAX_BYTES

    update = fake.user_message(chat_id=42)
    update["message"]["document"] = {
        "file_id": "BQACAgIAAxk-big",
        "file_unique_id": "AQADbig",
        "file_name": "book.txt",
        "mime_type": "text/plain",
        "file_size": TEXT_UPLOAD_MAX_BYTES + 1,
    }
    await chat.send(update)
    assert chat.last_reply() == texts.TEXT_FILE_TOO_BIG.format(kb=TEXT_UPLOAD_MAX_BYTES // 1024)
    assert fake.calls_to("getFile") == []
    assert chat.jobs() == []


async def test_carousel_command_in_a_group(chat: Chat, fake: FakeTelegramAPI) -> None:
    update = await chat.say(GROUP, f"/carousel@{BOT_USERNAME} {X_LINK}", user_id=7)
    [payload] = chat.payloads()
    assert payload["source"] == X_LINK
    assert payload["reply"]["chat_id"] == GROUP
    assert payload["reply"]["user_id"] == 7
    assert payload["reply"]["reply_to_message_id"] == update["message"]["message_id"]
    assert status_call(fake).params["chat_id"] == GROUP


async def test_carousel_command_without_a_link_explains_itself(chat: Chat) -> None:
    await chat.say(GROUP, "/carousel", user_id=7)
    assert chat.last_reply() == texts.NO_LINK_IN_COMMAND
    assert chat.jobs() == []


async def test_mention_with_a_link_in_a_group(chat: Chat) -> None:
    await chat.say(GROUP, f"@{BOT_USERNAME} {BSKY_LINK}", user_id=7)
    [payload] = chat.payloads()
    assert payload["source"] == BSKY_LINK


async def test_pasted_link_in_a_group_is_ignored_unless_autolink_is_on(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    await chat.say(GROUP, f"look {X_LINK}", user_id=7)
    assert chat.jobs() == []
    assert fake.calls_to("sendMessage") == []

    fake.set_member_status(GROUP, 8, "administrator")
    await chat.say(GROUP, "/autolink on", user_id=8)
    assert texts.AUTOLINK_ON in chat.last_reply()
    assert texts.AUTOLINK_PRIVACY in chat.last_reply()  # the fake bot has privacy mode on

    await chat.say(GROUP, f"look {X_LINK}", user_id=7)
    [payload] = chat.payloads()
    assert payload["source"] == X_LINK
    # other links stay none of the bot's business in auto-link mode
    await chat.say(GROUP, "https://example.com/news", user_id=7)
    assert len(chat.jobs()) == 1


async def test_reply_with_carousel_uses_the_replied_message_link(chat: Chat, fake: FakeTelegramAPI) -> None:
    original = fake.user_message(chat_id=GROUP, text=f"great thread {X_LINK}", user_id=9)["message"]
    update = await chat.say(GROUP, "/carousel", user_id=7, reply_to=original)
    [payload] = chat.payloads()
    assert payload["source"] == X_LINK
    assert payload["reply"]["user_id"] == 7
    assert payload["reply"]["reply_to_message_id"] == update["message"]["message_id"]


async def test_forum_topic_is_carried_to_the_job_and_the_status_message(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    await chat.say(GROUP, f"/carousel {X_LINK}", user_id=7, thread_id=77)
    [payload] = chat.payloads()
    assert payload["reply"]["thread_id"] == 77
    assert status_call(fake).params["message_thread_id"] == 77


async def test_queue_down_is_told_in_the_status_message(
    chat: Chat, fake: FakeTelegramAPI, settings, store, limiter
) -> None:
    from bot.telegram.app import build_application
    from bot.telegram.common import deps_of
    from contract.sentences import BUSY_QUEUED

    dead = RQJobQueue("redis://127.0.0.1:1/0", settings.queue_name)  # nothing listens there
    application = build_application(
        settings, dead, store=store, limiter=limiter, theme_preview=None, updater=False
    )
    await application.initialize()
    try:
        await Chat(application, fake, dead).say(42, X_LINK)
        assert len(deps_of(application).held) == 1  # queued once Redis answers (tests/faults)
    finally:
        await deps_of(application).held.close()
        await application.shutdown()
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["text"] == BUSY_QUEUED
    assert edit.params["message_id"] == status_call(fake).response["result"]["message_id"]
