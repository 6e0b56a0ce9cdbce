"""Telegram delivery against the fake Bot API: albums, captions, PDF, buttons, flood control, file_ids."""

from __future__ import annotations

import io
import os
import time
from typing import Any

import pytest
from PIL import Image, ImageDraw

from contract import ReplyAddress
from contract.rerender import job_ref, parse_caption, parse_rerender
from contract.rerender import telegram_rerender_keyboard as rerender_keyboard
from rendering.api import Carousel
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.delivery.common import (
    DeliveryDeferred,
    ResultSummary,
    caption_text,
    ellipsize,
    safe_filename,
    split_groups,
    utf16_len,
)
from worker.delivery.pacing import LocalPacer, Pacer, RedisPacer
from worker.delivery.telegram import (
    TelegramAPIError,
    TelegramClient,
    TelegramDelivery,
    method_url,
)
from worker.limits import (
    TELEGRAM_CALLBACK_DATA_MAX_BYTES,
    TELEGRAM_CAPTION_MAX,
    TELEGRAM_MEDIA_GROUP_MAX,
    TELEGRAM_PHOTO_MAX_BYTES,
)
from worker.results import ResultStore

CHAT = 4242
USER_MESSAGE = 17
JOB_ID = "3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8"


def slide_png(number: int, size: tuple[int, int] = (1080, 1350)) -> bytes:
    """A distinguishable slide: its number drawn on a colour that depends on it."""
    image = Image.new("RGB", size, ((number * 40) % 256, (number * 90) % 256, 160))
    ImageDraw.Draw(image).text((40, 40), f"slide {number}", fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def carousel_of(count: int, title: str = "How LLM inference works") -> Carousel:
    return Carousel(
        slides=[slide_png(i) for i in range(1, count + 1)],
        image_format="png",
        pdf=b"%PDF-1.4\n% a stand-in document\n",
        title=title,
        size=(1080, 1350),
    )


def summary_of(carousel: Carousel) -> ResultSummary:
    return ResultSummary(carousel.title, "Ada Lovelace", "ada", carousel.slide_count)


def make_delivery(
    fake: FakeTelegramAPI,
    *,
    thread_id: int | None = None,
    status_message_id: int | None = None,
    store: ResultStore | None = None,
    pacer: Pacer | None = None,
) -> TelegramDelivery:
    reply = ReplyAddress(
        platform="telegram",
        chat_id=CHAT,
        thread_id=thread_id,
        reply_to_message_id=USER_MESSAGE,
        status_message_id=status_message_id,
    )
    client = TelegramClient(fake.token, fake.api_url, pacer=pacer)
    return TelegramDelivery(reply, client, store)


def album_uploads(fake: FakeTelegramAPI) -> list[bytes]:
    """Every photo the fake received, in the order it was sent."""
    out: list[bytes] = []
    for call in fake.calls:
        if call.method == "sendMediaGroup" and call.response["ok"]:
            for item in call.params["media"]:
                out.append(call.files[item["media"].removeprefix("attach://")])
        elif call.method == "sendPhoto" and call.response["ok"]:
            out.append(call.files["photo"])
    return out


def test_method_url_follows_the_base_url_rules_of_python_telegram_bot() -> None:
    assert (
        method_url("https://api.telegram.org/bot", "1:A", "getMe") == "https://api.telegram.org/bot1:A/getMe"
    )
    assert method_url("http://h:1/x/{token}/y", "1:A", "getMe") == "http://h:1/x/1:A/y/getMe"


@pytest.mark.parametrize("count", [1, 2, 10, 11, 20, 21])
def test_album_is_sent_in_order_in_balanced_groups_of_at_most_ten(
    fake_telegram: FakeTelegramAPI, count: int
) -> None:
    carousel = carousel_of(count)
    delivery = make_delivery(fake_telegram)
    sent = delivery.send_result(
        [f for f in _slide_files(carousel)],
        _pdf(carousel),
        summary_of(carousel),
        rerender_keyboard(JOB_ID),
    )

    groups = fake_telegram.calls_to("sendMediaGroup")
    singles = fake_telegram.calls_to("sendPhoto")
    sizes = [len(c.params["media"]) for c in groups] + [1 for _ in singles]
    assert sum(sizes) == count
    assert all(2 <= len(c.params["media"]) <= TELEGRAM_MEDIA_GROUP_MAX for c in groups)
    assert max(sizes) - min(sizes) <= 1, sizes  # balanced: 11 → 6 + 5, never 10 + 1
    assert len(sizes) == -(-count // TELEGRAM_MEDIA_GROUP_MAX)
    if count == 1:
        assert not groups and len(singles) == 1
    # same bytes, same order
    assert album_uploads(fake_telegram) == carousel.slides
    assert sent.groups == sizes if count > 1 else sent.groups == [1]
    # every uploaded slide decodes as a 1080×1350 PNG
    for data in album_uploads(fake_telegram):
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("PNG", (1080, 1350))
    # the PDF comes last, replying to the user's message, with the re-render buttons
    assert fake_telegram.calls[-1].method == "sendDocument"
    for call in fake_telegram.calls:
        assert call.params["chat_id"] == CHAT
        assert call.params["reply_parameters"] == {
            "message_id": USER_MESSAGE,
            "allow_sending_without_reply": True,
        }
    document = fake_telegram.calls[-1]
    assert document.filenames["document"] == "how-llm-inference-works.pdf"
    assert document.files["document"] == carousel.pdf
    assert document.params["reply_markup"] == rerender_keyboard(JOB_ID)
    assert sent.document_message_id == document.response["result"]["message_id"]


def test_caption_sits_on_the_first_photo_only_and_names_title_author_and_count(
    fake_telegram: FakeTelegramAPI,
) -> None:
    carousel = carousel_of(12)
    make_delivery(fake_telegram).send_result(
        _slide_files(carousel), _pdf(carousel), summary_of(carousel), None
    )
    items = [item for c in fake_telegram.calls_to("sendMediaGroup") for item in c.params["media"]]
    assert [bool(i.get("caption")) for i in items] == [True] + [False] * 11
    caption = items[0]["caption"]
    assert "How LLM inference works" in caption
    assert "Ada Lovelace (@ada)" in caption
    assert "12 slides" in caption


def test_long_titles_are_ellipsized_to_telegram_caption_limit() -> None:
    title = "🧵 " + "A very long thread title about inference " * 60
    caption = caption_text(ResultSummary(title, "Ada", "ada", 20), TELEGRAM_CAPTION_MAX)
    assert utf16_len(caption) <= TELEGRAM_CAPTION_MAX
    assert "…" in caption
    assert caption.endswith("by Ada (@ada)\n20 slides")
    assert ellipsize("short", 10) == "short"
    assert utf16_len(ellipsize("😀" * 20, 9)) <= 9


def test_long_caption_is_accepted_by_the_api(fake_telegram: FakeTelegramAPI) -> None:
    carousel = carousel_of(2, title="word " * 400)
    make_delivery(fake_telegram).send_result(
        _slide_files(carousel), _pdf(carousel), summary_of(carousel), None
    )
    caption = fake_telegram.calls_to("sendMediaGroup")[0].params["media"][0]["caption"]
    assert len(caption) <= TELEGRAM_CAPTION_MAX
    assert fake_telegram.calls_to("sendMediaGroup")[0].response["ok"]


def test_topic_replies_carry_the_message_thread_id(fake_telegram: FakeTelegramAPI) -> None:
    carousel = carousel_of(3)
    delivery = make_delivery(fake_telegram, thread_id=77)
    delivery.status("Fetching thread…")
    delivery.send_result(_slide_files(carousel), _pdf(carousel), summary_of(carousel), None)
    sends = [c for c in fake_telegram.calls if c.method.startswith("send")]
    assert sends and all(c.params["message_thread_id"] == 77 for c in sends)


def test_flood_control_429_is_waited_out_and_retried(fake_telegram: FakeTelegramAPI) -> None:
    carousel = carousel_of(3)
    fake_telegram.fail_next("sendMediaGroup", retry_after=1)
    started = time.monotonic()
    make_delivery(fake_telegram).send_result(
        _slide_files(carousel), _pdf(carousel), summary_of(carousel), None
    )
    attempts = fake_telegram.calls_to("sendMediaGroup")
    assert [c.response["ok"] for c in attempts] == [False, True]
    assert attempts[0].response["parameters"] == {"retry_after": 1}
    assert attempts[1].at - attempts[0].at >= 1.0
    assert time.monotonic() - started >= 1.0
    assert album_uploads(fake_telegram) == carousel.slides


def test_flood_control_gives_up_after_bounded_retries(fake_telegram: FakeTelegramAPI) -> None:
    client = TelegramClient(fake_telegram.token, fake_telegram.api_url, flood_retries=1)
    fake_telegram.fail_next("sendMessage", retry_after=1)
    fake_telegram.fail_next("sendMessage", retry_after=1)
    with pytest.raises(TelegramAPIError) as info:
        client.send_message(CHAT, "hello")
    assert info.value.code == 429
    assert len(fake_telegram.calls_to("sendMessage")) == 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def deferring_delivery(fake: FakeTelegramAPI, chat: int, pacer: Pacer) -> TelegramDelivery:
    """As a worker with Redis delivers: a send that would wait raises instead of sleeping."""
    reply = ReplyAddress(platform="telegram", chat_id=chat, reply_to_message_id=USER_MESSAGE)
    return TelegramDelivery(reply, TelegramClient(fake.token, fake.api_url, pacer=pacer, defer=True))


def test_private_chat_gets_a_whole_carousel_in_one_burst(fake_telegram: FakeTelegramAPI) -> None:
    carousel = carousel_of(21)  # three media groups and the PDF
    delivery = deferring_delivery(fake_telegram, CHAT, LocalPacer(clock=FakeClock()))
    sent = delivery.deliver(carousel, summary_of(carousel), JOB_ID, None)  # would raise if it had to wait
    assert sent["groups"] == [7, 7, 7]
    assert album_uploads(fake_telegram) == carousel.slides
    assert len(fake_telegram.calls_to("sendDocument")) == 1


def test_group_over_its_minute_limit_is_deferred_then_resumed_without_repeats(
    fake_telegram: FakeTelegramAPI,
) -> None:
    group = -1001234
    clock = FakeClock()
    pacer = LocalPacer(group_window=(2, 60.0), clock=clock)
    carousel = carousel_of(12)  # two media groups and the PDF: three messages, the group takes two now
    with pytest.raises(DeliveryDeferred) as info:
        deferring_delivery(fake_telegram, group, pacer).deliver(carousel, summary_of(carousel), JOB_ID, None)
    assert info.value.seconds == pytest.approx(60.0)
    assert info.value.state["sent"]["groups"] == [6, 6]
    assert not fake_telegram.calls_to("sendDocument")

    clock.now += 59.0
    with pytest.raises(DeliveryDeferred) as again:  # still within the minute: nothing goes
        deferring_delivery(fake_telegram, group, pacer).deliver(
            carousel, summary_of(carousel), JOB_ID, None, resume=info.value.state
        )
    assert again.value.seconds == pytest.approx(1.0)

    clock.now += 1.0
    sent = deferring_delivery(fake_telegram, group, pacer).deliver(
        carousel, summary_of(carousel), JOB_ID, None, resume=again.value.state
    )
    assert sent["groups"] == [6, 6] and sent["document_message_id"] is not None
    assert len(sent["photo_message_ids"]) == 12
    assert album_uploads(fake_telegram) == carousel.slides  # every slide once, in order
    assert len(fake_telegram.calls_to("sendDocument")) == 1


def test_flood_wait_mid_album_hands_on_from_the_refused_group(fake_telegram: FakeTelegramAPI) -> None:
    clock = FakeClock()
    pacer = LocalPacer(clock=clock)
    carousel = carousel_of(12)
    fake_telegram.fail_next("sendMediaGroup", retry_after=3, after=1)
    with pytest.raises(DeliveryDeferred) as info:
        deferring_delivery(fake_telegram, CHAT, pacer).deliver(carousel, summary_of(carousel), JOB_ID, None)
    assert info.value.seconds == 3
    assert info.value.state["sent"]["groups"] == [6]
    assert pacer.reserve(str(CHAT)) == pytest.approx(3.0)  # the chat is held for retry_after

    clock.now += 3.0
    deferring_delivery(fake_telegram, CHAT, pacer).deliver(
        carousel, summary_of(carousel), JOB_ID, None, resume=info.value.state
    )
    answers = [c.response["ok"] for c in fake_telegram.calls_to("sendMediaGroup")]
    assert answers == [True, False, True]
    assert album_uploads(fake_telegram) == carousel.slides
    captions = [m.get("caption") for c in fake_telegram.calls_to("sendMediaGroup") for m in c.params["media"]]
    assert sum(1 for c in captions if c) == 1  # the album caption only on the very first photo


def test_redis_pacer_shares_a_group_limit_and_a_flood_hold_between_workers(redis_conn: Any) -> None:
    bot = f"test-{os.urandom(4).hex()}"
    one = RedisPacer(redis_conn, bot, group_window=(3, 60.0))
    two = RedisPacer(redis_conn, bot, group_window=(3, 60.0))
    group, private = "-100777", "777"
    assert [one.reserve(group), two.reserve(group), one.reserve(group)] == [0.0, 0.0, 0.0]
    wait = two.reserve(group)
    assert 59.0 < wait <= 60.0  # the fourth send this minute waits for the first to age out
    assert all(two.reserve(private) == 0.0 for _ in range(20))  # a private chat is not paced per chat
    one.hold(private, 5.0)
    assert 4.0 < two.reserve(private) <= 5.0
    assert one.reserve("-100778") == 0.0  # another group has its own minute


def test_redis_pacer_keeps_the_bot_wide_rate(redis_conn: Any) -> None:
    pacer = RedisPacer(redis_conn, f"test-{os.urandom(4).hex()}", bot_window=(5, 1.0))
    answers = [pacer.reserve(str(1000 + i)) for i in range(6)]  # six different private chats
    assert answers[:5] == [0.0] * 5
    assert 0.0 < answers[5] <= 1.0


def test_oversized_png_slide_is_sent_as_jpeg_within_photo_limit(fake_telegram: FakeTelegramAPI) -> None:
    noise = Image.frombytes("RGB", (1900, 1900), os.urandom(1900 * 1900 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = out.getvalue()
    assert len(big) > TELEGRAM_PHOTO_MAX_BYTES
    carousel = Carousel(
        slides=[slide_png(1), big], image_format="png", pdf=b"%PDF-1.4\n", title="t", size=(1, 1)
    )
    make_delivery(fake_telegram).send_result(
        _slide_files(carousel), _pdf(carousel), summary_of(carousel), None
    )
    first, second = album_uploads(fake_telegram)
    assert first == carousel.slides[0]
    assert len(second) <= TELEGRAM_PHOTO_MAX_BYTES
    with Image.open(io.BytesIO(second)) as image:
        assert image.format == "JPEG" and image.size == (1900, 1900)


def test_status_message_is_posted_edited_and_removed(fake_telegram: FakeTelegramAPI) -> None:
    delivery = make_delivery(fake_telegram)
    delivery.status("Fetching thread…")
    delivery.status("Fetching thread…")  # unchanged text: no call
    delivery.status("Rendering 3/12")
    delivery.finish()
    assert fake_telegram.methods() == ["sendMessage", "editMessageText", "deleteMessage"]
    posted = fake_telegram.calls_to("sendMessage")[0].response["result"]["message_id"]
    assert fake_telegram.deleted == [(CHAT, posted)]


def test_failure_replaces_the_status_message_with_one_sentence(fake_telegram: FakeTelegramAPI) -> None:
    delivery = make_delivery(fake_telegram)
    delivery.status("Fetching thread…")
    delivery.fail("That post is private or protected, so I can't read it.")
    texts = [m["text"] for m in fake_telegram.messages.values()]
    assert texts == ["That post is private or protected, so I can't read it."]


def test_failure_without_status_message_is_a_reply(fake_telegram: FakeTelegramAPI) -> None:
    make_delivery(fake_telegram).fail("I couldn't read that input.")
    (call,) = fake_telegram.calls
    assert call.method == "sendMessage" and call.params["text"] == "I couldn't read that input."
    assert call.params["reply_parameters"]["message_id"] == USER_MESSAGE


def test_rerender_buttons_fit_callback_limit_and_parse_in_the_front_end() -> None:
    keyboard = rerender_keyboard(JOB_ID)
    buttons = [b for row in keyboard["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [
        f"rr:{job_ref(JOB_ID)}:theme",
        f"rr:{job_ref(JOB_ID)}:ratio",
        f"rr:{job_ref(JOB_ID)}:format",
        f"caption:{job_ref(JOB_ID)}",  # the "📝 Caption" button, on a row of its own
    ]
    assert [len(row) for row in keyboard["inline_keyboard"]] == [3, 1]
    assert buttons[-1]["text"] == "📝 Caption"
    assert all(len(b["callback_data"].encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES for b in buttons)
    parsed = parse_rerender(buttons[0]["callback_data"])
    assert parsed is not None and (parsed.job, parsed.field) == (job_ref(JOB_ID), "theme")
    assert parse_rerender(buttons[-1]["callback_data"]) is None
    assert parse_caption(buttons[-1]["callback_data"]) == job_ref(JOB_ID)


def test_identical_result_is_resent_by_file_id_without_upload(
    fake_telegram: FakeTelegramAPI, redis_conn, unique_prefix: str
) -> None:
    store = ResultStore(redis_conn, prefix=f"{unique_prefix}:")
    carousel = carousel_of(11)
    first = make_delivery(fake_telegram, store=store).deliver(
        carousel, summary_of(carousel), JOB_ID, "content-1"
    )
    assert first["reused_file_ids"] is False
    uploads_before = sum(len(c.files) for c in fake_telegram.calls)
    assert uploads_before == 12  # 11 slides + the PDF
    calls_before = len(fake_telegram.calls)

    again = make_delivery(fake_telegram, store=store).deliver_cached("content-1", "second-job")
    assert again is not None and again["reused_file_ids"] is True
    second = fake_telegram.calls[calls_before:]
    assert [c.method for c in second] == ["sendMediaGroup", "sendMediaGroup", "sendDocument"]
    assert all(not c.files for c in second)  # nothing uploaded
    assert all(c.response["ok"] for c in second)
    resent = [fake_telegram.download(i["media"]) for c in second[:2] for i in c.params["media"]]
    assert resent == carousel.slides
    assert fake_telegram.download(second[2].params["document"]) == carousel.pdf
    assert second[0].params["media"][0]["caption"] == caption_text(summary_of(carousel), TELEGRAM_CAPTION_MAX)
    assert second[2].params["reply_markup"] == rerender_keyboard("second-job")
    # an unknown result is not sent at all
    assert make_delivery(fake_telegram, store=store).deliver_cached("content-2", "x") is None


def test_file_ids_refused_by_telegram_fall_back_to_rendering(
    redis_conn, unique_prefix: str, fake_telegram: FakeTelegramAPI
) -> None:
    store = ResultStore(redis_conn, prefix=f"{unique_prefix}:")
    carousel = carousel_of(2)
    make_delivery(fake_telegram, store=store).deliver(carousel, summary_of(carousel), JOB_ID, "content-1")
    fake_telegram.files.clear()  # Telegram no longer knows these file_ids
    calls_before = len(fake_telegram.calls)
    delivery = make_delivery(fake_telegram, store=store)
    assert delivery.deliver_cached("content-1", JOB_ID) is None
    assert store.sent_files(delivery.bot, "content-1") is None
    refused = fake_telegram.calls[calls_before:]
    assert [(c.method, c.response["ok"]) for c in refused] == [("sendMediaGroup", False)]


def test_safe_filename() -> None:
    assert safe_filename("How LLM inference works!", "pdf") == "how-llm-inference-works.pdf"
    assert safe_filename("Café — déjà vu", "pdf") == "cafe-deja-vu.pdf"
    assert safe_filename("Как работает", "pdf") == "carousel.pdf"
    assert len(safe_filename("word " * 100, "pdf")) <= 64


def test_pdf_is_named_after_the_title_or_else_the_author() -> None:
    from worker.delivery.telegram import pdf_file

    named = pdf_file(b"%PDF", ResultSummary("How LLM inference works!", "Ada", "ada_l", 3))
    assert named.filename == "how-llm-inference-works.pdf"
    cyrillic = pdf_file(b"%PDF", ResultSummary("Как работает вывод", "Ада", "ada_l", 3))
    assert cyrillic.filename == "ada-l-carousel.pdf"
    nothing = pdf_file(b"%PDF", ResultSummary("🧵", "", "", 3))
    assert nothing.filename == "carousel.pdf"


def test_caption_of_a_capped_thread_names_the_cap() -> None:
    capped = ResultSummary("Title", "Ada", "ada", 22, posts_shown=20, posts_total=40)
    assert (
        caption_text(capped, TELEGRAM_CAPTION_MAX) == "Title\nby Ada (@ada)\n22 slides · first 20 of 40 posts"
    )
    whole = ResultSummary("Title", "Ada", "ada", 7, posts_shown=5, posts_total=None)
    assert caption_text(whole, TELEGRAM_CAPTION_MAX) == "Title\nby Ada (@ada)\n7 slides"


def test_split_groups() -> None:
    assert split_groups(1, 10, 2) == [1]
    assert split_groups(11, 10, 2) == [6, 5]
    assert split_groups(20, 10, 2) == [10, 10]
    assert split_groups(21, 10, 2) == [7, 7, 7]
    assert split_groups(0, 10, 2) == []


def _slide_files(carousel: Carousel):
    from worker.delivery.telegram import slide_files

    return slide_files(carousel.slides)


def _pdf(carousel: Carousel):
    from worker.delivery.telegram import pdf_file

    return pdf_file(carousel.pdf, summary_of(carousel))


def test_a_busy_group_skips_the_status_but_still_hears_a_failure(fake_telegram: FakeTelegramAPI) -> None:
    group = -1005678
    clock = FakeClock()
    pacer = LocalPacer(group_window=(1, 60.0), clock=clock)
    assert pacer.reserve(str(group)) == 0.0  # another job's message used this minute
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    reply = ReplyAddress(platform="telegram", chat_id=group, reply_to_message_id=USER_MESSAGE)
    client = TelegramClient(fake_telegram.token, fake_telegram.api_url, pacer=pacer, defer=True, sleep=sleep)
    delivery = TelegramDelivery(reply, client)
    delivery.status("Fetching thread…")  # would have to wait: skipped, the job goes on
    assert not fake_telegram.calls_to("sendMessage") and not slept
    delivery.fail("Sorry, that post was deleted.")  # the job's last word waits for the chat's pace
    assert slept == [pytest.approx(60.0)]
    sent = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")]
    assert sent == ["Sorry, that post was deleted."]
    assert client.defer  # later sends still hand on rather than wait


def test_files_delivery_deferred_in_a_busy_group_resumes_without_repeats(
    fake_telegram: FakeTelegramAPI,
) -> None:
    """Original files go as documents, ≤ 10 per media group, and resume after a hand-on like an album."""
    from dataclasses import replace

    group = -1001235
    clock = FakeClock()
    pacer = LocalPacer(group_window=(1, 60.0), clock=clock)
    carousel = carousel_of(12)
    summary = replace(summary_of(carousel), delivery="files")
    with pytest.raises(DeliveryDeferred) as info:
        deferring_delivery(fake_telegram, group, pacer).deliver(carousel, summary, JOB_ID, None)
    assert info.value.state["sent"]["groups"] == [6]

    clock.now += 60.0
    with pytest.raises(DeliveryDeferred) as again:
        deferring_delivery(fake_telegram, group, pacer).deliver(
            carousel, summary, JOB_ID, None, resume=info.value.state
        )
    clock.now += 60.0
    sent = deferring_delivery(fake_telegram, group, pacer).deliver(
        carousel, summary, JOB_ID, None, resume=again.value.state
    )
    assert sent["groups"] == [6, 6] and sent["document_message_id"] is not None
    groups = fake_telegram.calls_to("sendMediaGroup")
    assert [len(c.params["media"]) for c in groups] == [6, 6]
    assert {m["type"] for c in groups for m in c.params["media"]} == {"document"}
    documents = [c.files[m["media"].removeprefix("attach://")] for c in groups for m in c.params["media"]]
    assert documents == carousel.slides  # each file once, in order, exactly as made
    names = [c.filenames[m["media"].removeprefix("attach://")] for c in groups for m in c.params["media"]]
    assert names == [f"slide-{i:02d}.png" for i in range(1, 13)]
    (pdf,) = fake_telegram.calls_to("sendDocument")
    assert pdf.params["reply_markup"]["inline_keyboard"]


def test_a_handed_on_delivery_keeps_how_it_is_sent_and_what_it_went_without() -> None:
    """The summary travels as JSON in the hand-off job: the ZIP and the named logo survive it."""
    import json
    import zipfile
    from dataclasses import asdict, replace

    from contract.job import DeliveryPayload, ReplyAddress
    from worker.delivery.telegram import document_caption, slide_items

    carousel = carousel_of(3)
    summary = replace(summary_of(carousel), delivery="zip", unusable=(("logo", "too_large"),))
    reply = ReplyAddress(platform="telegram", chat_id=CHAT)
    handed = DeliveryPayload(job_id=JOB_ID, reply=reply, summary=asdict(summary))
    back = DeliveryPayload.model_validate(json.loads(json.dumps(handed.to_job_arg())))
    resumed = ResultSummary(**back.summary)

    [archive], sent_as = slide_items(carousel, resumed)
    assert sent_as == "document" and archive.filename == "how-llm-inference-works.zip"
    assert archive.data is not None
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        assert [opened.read(n) for n in opened.namelist()] == carousel.slides
    assert document_caption(resumed).startswith(
        "⚠️ The brand kit's logo is too large to use — send a smaller one with /brand logo."
    )
