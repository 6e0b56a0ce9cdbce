"""Past the cap on Telegram: "Next posts" under a capped result, ``posts:1-8,11``, and /maxposts.

The end-to-end test runs the bot's Application, Redis, RQ and a ``carousel worker`` process against
the fake Bot API and the fake FxTwitter; the others stand in for the worker where only the bot acts.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from bot.settings_store import RedisSettingsStore
from bot.telegram import keyboards as kb
from bot.telegram import texts
from bot.telegram.max_posts import PICKS
from contract.next_posts import NextPosts, telegram_next_button
from contract.rerender import job_ref, telegram_rerender_keyboard
from contract.values import MAX_POSTS_INVALID, POSTS_INVALID
from tests.bot.telegram.conftest import Chat
from tests.bot.telegram.test_end_to_end import DELIVERY_TIMEOUT_S, result_keys, submitted  # noqa: F401
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.limits import MAX_POSTS_CEILING, TELEGRAM_CALLBACK_DATA_MAX_BYTES

X_LINK = "https://x.com/jack/status/20"
POSTS = [
    f"Note {k}: the {word} of it, in a sentence or two that reads well on a slide."
    for k, word in enumerate(("alpha", "bravo", "charlie", "delta", "echo"), start=1)
]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def buttons(call: Any) -> list[dict]:
    return [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


@pytest.mark.e2e
async def test_a_capped_result_offers_the_next_posts_and_they_come_from_the_kept_thread(
    chat: Chat,
    fake: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    worker_process: Callable[..., Any],
    result_keys: list[str],  # noqa: F811
    prefix: str,
) -> None:
    worker = worker_process(
        env={
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.api_url,
            "TELEGRAM_FILE_URL": fake.file_url,
            **fake_sources.env(),
        }
    )
    thread = unique_x_thread(POSTS)
    await chat.say(42, "/maxposts 2")
    assert chat.last_reply() == texts.MAX_POSTS_DONE.format(label="max posts", value=2)
    await chat.say(42, thread.url)
    [job] = submitted(prefix)
    result_keys.append(job.job_id)

    def delivered(count: int) -> Any:
        try:
            return fake.wait_for("sendDocument", timeout=DELIVERY_TIMEOUT_S, count=count)[-1]
        except TimeoutError:
            pytest.fail(f"no PDF number {count}; worker log:\n{worker.output}")

    first = delivered(1)
    caption = fake.calls_to("sendMediaGroup")[0].params["media"][0]["caption"]
    assert caption.splitlines()[-1].endswith(" · first 2 of 5 posts"), caption
    assert first.params["caption"].endswith("➡️ The next 2 posts are one tap away.")
    [more] = [b for b in buttons(first) if b["callback_data"].startswith("nx:")]
    assert more == {"text": "➡️ Next posts 3–4", "callback_data": f"nx:{job_ref(job.job_id)}:2:3:4"}
    text = pdf_text(first.files["document"])
    assert "Note 2" in text and "Note 3" not in text

    # the source forgets the thread: the next carousel can only come from the one the job kept
    fake_sources.x_statuses.clear()
    fetches = fake_sources.count("/fx/")
    result = fake.messages[(42, first.response["result"]["message_id"])]
    sent_before = len(fake.calls_to("sendMessage"))
    await chat.press(result, more["callback_data"], user_id=42)
    [status] = fake.calls_to("sendMessage")[sent_before:]
    assert status.params["text"] == texts.QUEUED_NEXT_POSTS.format(span="posts 3–4")
    assert [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")] == ["On it: posts 3–4."]
    nxt = submitted(prefix)[-1]
    result_keys.append(nxt.job_id)
    assert nxt.payload["rerender_of"] == job.job_id
    assert nxt.payload["options"]["posts_offset"] == 2

    second = delivered(2)
    assert fake_sources.count("/fx/") == fetches  # no thread fetched (pictures may be)
    text = pdf_text(second.files["document"])
    assert "Note 3" in text and "Note 4" in text and "Note 2" not in text and "Note 5" not in text
    assert second.filenames["document"].endswith("-posts-3-4.pdf")  # its name says which posts
    assert "posts" not in first.filenames["document"]
    caption = fake.calls_to("sendMediaGroup")[-1].params["media"][0]["caption"]
    assert caption.splitlines()[-1].endswith(" · posts 3–4 of 5"), caption
    [last] = [b for b in buttons(second) if b["callback_data"].startswith("nx:")]
    assert last == {"text": "➡️ Next post 5", "callback_data": f"nx:{job_ref(nxt.job_id)}:4:5:5"}
    assert second.params["reply_parameters"]["message_id"] == first.params["reply_parameters"]["message_id"]

    # the last post: a carousel of its own, and nothing after it
    result = fake.messages[(42, second.response["result"]["message_id"])]
    await chat.press(result, last["callback_data"], user_id=42)
    result_keys.append(submitted(prefix)[-1].job_id)
    third = delivered(3)
    assert "Note 5" in pdf_text(third.files["document"])
    assert not [b for b in buttons(third) if b["callback_data"].startswith("nx:")]
    assert "next" not in third.params["caption"]


async def delivered_result(chat: Chat, fake: FakeTelegramAPI, following: NextPosts) -> tuple[str, dict]:
    """Start a job, then stand in for the worker: the PDF with re-render and "Next posts" buttons."""
    await chat.say(42, X_LINK)
    job = chat.jobs()[-1]
    response = await chat.app.bot.send_document(42, b"%PDF-1.4 stand-in", filename="thread.pdf")
    message = fake.messages[(42, response.message_id)]
    keyboard = telegram_rerender_keyboard(job.id)
    keyboard["inline_keyboard"].append([telegram_next_button(job.id, following)])
    message["reply_markup"] = keyboard
    return job.id, message


async def test_next_posts_pressed_twice_quickly_makes_one_carousel(chat: Chat, fake: FakeTelegramAPI) -> None:
    job_id, result = await delivered_result(chat, fake, NextPosts(offset=20, numbers=(21, 22, 23, 24)))
    data = f"nx:{job_ref(job_id)}:20:21:24"
    for _ in range(2):
        await chat.press(result, data, user_id=42)
    assert len(chat.jobs()) == 2
    answers = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
    assert answers == [
        "On it: posts 21–24.",
        "The carousel of posts 21–24 was asked for a moment ago, so it's on its way or already here.",
    ]
    original, following = chat.payloads()
    assert following["options"] == {**original["options"], "posts_offset": 20}
    assert following["rerender_of"] == job_id and following["source"] == original["source"]


async def test_in_a_group_next_posts_are_for_the_requester_and_admins(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    group = -100888
    await chat.say(group, f"/carousel {X_LINK}", user_id=7)
    job = chat.jobs()[-1]
    response = await chat.app.bot.send_document(group, b"%PDF-1.4 stand-in", filename="thread.pdf")
    result = fake.messages[(group, response.message_id)]
    data = f"nx:{job_ref(job.id)}:20:21:24"
    fake.set_member_status(group, 9, "member")
    await chat.press(result, data, user_id=9)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.NEXT_POSTS_NOT_YOURS
    assert len(chat.jobs()) == 1
    await chat.press(result, data, user_id=7)
    assert len(chat.jobs()) == 2 and chat.payloads()[-1]["options"]["posts_offset"] == 20


async def test_next_posts_of_a_forgotten_carousel_says_it_is_too_old(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    await chat.say(42, "/help")
    message = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(message, f"nx:{uuid.uuid4().hex}:20:21:24", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == texts.RERENDER_GONE
    assert chat.jobs() == []


async def test_the_next_posts_button_stays_while_a_re_render_menu_is_open(
    chat: Chat, fake: FakeTelegramAPI
) -> None:
    job_id, result = await delivered_result(chat, fake, NextPosts(offset=20, numbers=(21, 22)))
    ref = job_ref(job_id)
    await chat.press(result, f"rr:{ref}:ratio", user_id=42)
    menu = fake.calls_to("editMessageReplyMarkup")[-1].params["reply_markup"]["inline_keyboard"]
    assert menu[-1] == [{"text": "➡️ Next posts 21–22", "callback_data": f"nx:{ref}:20:21:22"}]
    await chat.press(result, f"rr:{ref}", user_id=42)  # back
    back = fake.calls_to("editMessageReplyMarkup")[-1].params["reply_markup"]
    assert back == result["reply_markup"]


def test_next_posts_data_fits_telegram_callback_data() -> None:
    widest = NextPosts(offset=240, numbers=(241, 250))
    data = telegram_next_button(str(uuid.uuid4()), widest)["callback_data"]
    assert len(data.encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES
    assert NextPosts(offset=20, numbers=tuple(range(21, 41))).label == "➡️ Next posts 21–40"
    scattered = NextPosts(offset=20, numbers=(21, 23, 25, 27, 29, 31, 33, 35, 37))
    assert scattered.label == "➡️ Next 9 posts"  # a long list is named by its count


async def test_carousel_with_chosen_posts(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(-100777, f"/carousel {X_LINK} posts:1-3,5", user_id=7)
    [payload] = chat.payloads()
    assert payload["options"]["posts"] == [1, 2, 3, 5]
    assert payload["source"] == X_LINK
    assert chat.last_reply() == texts.QUEUED_POSTS.format(posts="posts 1–3, 5")

    await chat.say(42, f"{X_LINK} posts:4")  # a private chat: the link alone works too
    assert chat.payloads()[-1]["options"]["posts"] == [4]
    assert chat.last_reply() == "⏳ Queued post 4 of that thread — I'll update this message as I work on it."


@pytest.mark.parametrize("written", ["posts:3-1", "posts:a-b", "posts:", "posts:0"])
async def test_a_bad_post_selection_is_one_sentence_and_no_job(
    chat: Chat, fake: FakeTelegramAPI, written: str
) -> None:
    await chat.say(42, f"/carousel {X_LINK} {written}")
    assert chat.last_reply() == POSTS_INVALID
    assert chat.jobs() == []


async def test_maxposts_sets_it_settings_show_it_and_the_next_carousel_uses_it(
    chat: Chat, fake: FakeTelegramAPI, store: RedisSettingsStore
) -> None:
    await chat.say(42, "/settings")
    assert "• max posts: 20 — default" in chat.last_reply()
    await chat.say(42, "/maxposts 12")
    assert chat.last_reply() == (
        "Done — max posts: 12; the rest of a longer thread comes with a “Next posts” button."
    )
    await chat.say(42, "/settings")
    assert "• max posts: 12 — personal" in chat.last_reply()
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["max_posts"] == 12

    for bad in ("0", str(MAX_POSTS_CEILING + 1), "twelve"):
        await chat.say(42, f"/maxposts {bad}")
        assert chat.last_reply() == MAX_POSTS_INVALID
    await chat.say(42, "/settings")
    assert "• max posts: 12 — personal" in chat.last_reply()


async def test_maxposts_picker_from_the_command_and_from_settings(chat: Chat, fake: FakeTelegramAPI) -> None:
    await chat.say(42, "/maxposts")
    picker = fake.calls_to("sendMessage")[-1]
    assert picker.params["text"].startswith(
        "Choose how many of a thread's posts one carousel takes — now 20, or send /maxposts"
    )
    datas = [b["callback_data"] for row in picker.params["reply_markup"]["inline_keyboard"] for b in row]
    assert datas == [f"set:max_posts:{n}" for n in PICKS]
    labels = [b["text"] for row in picker.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "✓ 20" in labels

    await chat.press(picker.response["result"], "set:max_posts:30", user_id=42)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"].startswith("Done — max posts: 30;")
    ticked = fake.calls_to("editMessageReplyMarkup")[-1].params["reply_markup"]["inline_keyboard"]
    assert "✓ 30" in [b["text"] for row in ticked for b in row]
    await chat.say(42, X_LINK)
    assert chat.payloads()[-1]["options"]["max_posts"] == 30

    # /settings has a button for it too
    await chat.say(42, "/settings")
    settings = fake.calls_to("sendMessage")[-1]
    assert "set:menu:max_posts" in [
        b["callback_data"] for row in settings.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    await chat.press(settings.response["result"], "set:menu:max_posts", user_id=42)
    view = fake.calls_to("editMessageText")[-1].params
    assert "now 30" in view["text"]


async def test_only_group_admins_set_max_posts(chat: Chat, fake: FakeTelegramAPI) -> None:
    fake.set_member_status(-100555, 7, "member")
    await chat.say(-100555, "/maxposts 5", user_id=7)
    assert chat.last_reply() == texts.ADMINS_ONLY
    await chat.say(-100555, "/maxposts", user_id=7)  # no picker they could not use
    assert chat.last_reply() == "This group's admins choose how many posts a carousel takes: 20 here."
    assert "reply_markup" not in fake.calls_to("sendMessage")[-1].params


def test_help_and_the_command_menu_name_maxposts_and_posts() -> None:
    assert ("maxposts", "How many posts one carousel takes") in texts.COMMANDS
    assert "/maxposts" in texts.HELP and "posts:1-8,11" in texts.HELP and "Next posts" in texts.HELP
    assert kb.callback_data("set", "max_posts", str(MAX_POSTS_CEILING))
