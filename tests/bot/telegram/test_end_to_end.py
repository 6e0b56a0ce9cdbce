"""End to end: a link or pasted text in a Telegram chat comes back as an album and a PDF.

Real pieces: the bot's Application (fed a real ``Update``), Redis, RQ, a ``carousel worker``
subprocess, the renderer. Faked (outside the machine): the Telegram Bot API and FxTwitter, as local
HTTP servers speaking their wire formats.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from redis import Redis
from telegram import Update

from bot.settings_model import JobRecord
from bot.telegram.app import build_application
from contract.rerender import job_ref
from tests.bot.telegram.conftest import REDIS_URL, Chat
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from themes import list_themes
from worker.config import Settings
from worker.limits import TELEGRAM_MEDIA_GROUP_MAX
from worker.queue import RQJobQueue

pytestmark = pytest.mark.e2e

DELIVERY_TIMEOUT_S = 120
TEXT = (
    "Five things I learned shipping a side project\n\n"
    "Ship the smallest useful thing first, then listen.\n\n"
    "Write the README before the code: it is the design.\n\n"
    "Automate the boring release steps on day one.\n\n"
    "Say no to features that nobody asked for twice."
)

TEXTS = [
    "How LLM inference works, a thread 🧵 Tokens go in, logits come out, one step at a time.",
    "First the prompt is processed in one parallel prefill pass that fills the KV cache.",
    "Then decoding produces one token per step, reading every cached key and value again.",
    "Batching many requests together keeps the accelerator busy: throughput goes up.",
    "Speculative decoding lets a small draft model guess ahead; the big model verifies.",
]
WORDS = ("prefill", "decoding", "Batching", "Speculative", "accelerator")


@pytest.fixture
def result_keys() -> Iterator[list[str]]:
    """Job ids whose worker-side records (carousel:job:{ref}:*) are removed afterwards."""
    job_ids: list[str] = []
    yield job_ids
    redis = Redis.from_url(REDIS_URL)
    for job_id in job_ids:
        keys = list(redis.scan_iter(f"carousel:job:{job_ref(job_id)}:*"))
        keys += list(redis.scan_iter(f"carousel:job:{job_id}:*"))
        if keys:
            redis.delete(*keys)
    redis.close()


def submitted(prefix: str) -> list[JobRecord]:
    """The jobs the bot submitted (a worker may already have taken them off the queue), oldest first."""
    redis = Redis.from_url(REDIS_URL)
    try:
        records = [
            JobRecord.model_validate_json(redis.get(k) or b"")
            for k in redis.scan_iter(f"{prefix}settings:job:*")
        ]
    finally:
        redis.close()
    return sorted(records, key=lambda r: r.submitted_at)


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


async def test_pasted_text_comes_back_as_album_and_pdf_then_rerenders_with_another_theme(
    chat: Chat,
    fake: FakeTelegramAPI,
    settings: Settings,
    worker_process: Callable[..., Any],
    result_keys: list[str],
    prefix: str,
) -> None:
    host = fake.url.removeprefix("http://")
    worker = worker_process(
        env={
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.api_url,
            "TELEGRAM_FILE_URL": fake.file_url,
            "MEDIA_HOSTS": host,  # brand pictures come from the (fake) Telegram file server
        }
    )
    # a brand kit with an avatar the person sends as a photo
    await chat.say(42, "/brand name Ada Lovelace")
    await chat.say(42, "/brand avatar")
    avatar = io.BytesIO()
    Image.new("RGB", (96, 96), "#E4572E").save(avatar, "PNG")
    await chat.send(fake.user_message(chat_id=42, photo=avatar.getvalue()))

    update = await chat.say(42, TEXT)
    [job] = submitted(prefix)
    result_keys.append(job.job_id)
    try:
        [document] = fake.wait_for("sendDocument", timeout=DELIVERY_TIMEOUT_S)
    except TimeoutError:
        pytest.fail(f"no PDF delivered; worker log:\n{worker.output}")

    album = [upload for call in fake.calls_to("sendMediaGroup") for upload in call.uploads]
    assert len(album) >= 2
    assert {png_size(data) for _, _, data in album} == {(1080, 1350)}
    pdf = document.uploads[0][2]
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "README" in words and "Ada Lovelace" in words
    assert document.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    markup = document.params["reply_markup"]["inline_keyboard"]
    [theme_data] = [
        b["callback_data"] for row in markup for b in row if b["callback_data"].endswith(":theme")
    ]
    assert theme_data == f"rr:{job_ref(job.job_id)}:theme"

    # press "Theme", pick another one: a second job re-renders the same thread
    result = fake.messages[(42, document.response["result"]["message_id"])]
    await chat.press(result, theme_data, user_id=42)
    first_theme = job.payload["options"]["theme"]
    other = next(t.name for t in list_themes() if t.name != first_theme)
    await chat.press(result, f"rr:{job_ref(job.job_id)}:theme:{other}", user_id=42)
    rerun = submitted(prefix)[-1]
    result_keys.append(rerun.job_id)
    assert rerun.payload["rerender_of"] == job.job_id
    assert rerun.payload["options"]["theme"] == other
    try:
        fake.wait_for("sendDocument", timeout=DELIVERY_TIMEOUT_S, count=2)
    except TimeoutError:
        pytest.fail(f"no re-rendered PDF delivered; worker log:\n{worker.output}")
    second = fake.calls_to("sendDocument")[-1]
    assert second.uploads and second.uploads[0][2] != pdf  # a new PDF in the other theme

    # each caption credits the writer (pasted text: no link) and the re-render says what changed
    first_items = [c.params["media"][0] for c in fake.calls_to("sendMediaGroup")]
    first_caption, second_caption = (item["caption"] for item in first_items if "caption" in item)
    assert first_caption.splitlines()[1] == "Written by Ada Lovelace"
    other_label = next(t.label for t in list_themes() if t.name == other)
    assert second_caption.splitlines()[1:] == [
        "Written by Ada Lovelace",
        first_caption.splitlines()[2],  # the slide count
        f"Re-rendered: theme {other_label}",
    ]
    assert second.uploads[0][1] != document.uploads[0][1]  # and the PDFs are named apart

    # 📝 Caption under the re-rendered result: the worker sends the post text, then the alt texts
    again = fake.messages[(42, second.response["result"]["message_id"])]
    [[caption_button]] = again["reply_markup"]["inline_keyboard"][1:]
    await chat.press(again, caption_button["callback_data"], user_id=42)

    def alt_text_sent() -> bool:
        return any(str(c.params.get("text", "")).startswith("Alt text") for c in fake.calls_to("sendMessage"))

    try:
        fake.wait_until(alt_text_sent, DELIVERY_TIMEOUT_S)
    except TimeoutError:
        pytest.fail(f"no post text sent; worker log:\n{worker.output}")
    texts = [str(c.params["text"]) for c in fake.calls_to("sendMessage")]
    post = texts[-2]
    assert post.startswith("Five things I learned shipping a side project\n\n")
    assert post.endswith("\n\nWritten by Ada Lovelace") and "Ship the smallest useful thing first" in post
    assert texts[-1].splitlines()[1].startswith("1. Five things I learned shipping a side project")


async def test_pasted_link_comes_back_as_album_and_pdf(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    worker_process: Callable[..., Any],
    redis_url: str,
    queue_name: str,
) -> None:
    telegram_env = {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_URL": fake_telegram.api_url,
        "TELEGRAM_FILE_URL": fake_telegram.file_url,
    }
    worker = await asyncio.to_thread(worker_process, {**telegram_env, **fake_sources.env()})
    thread = unique_x_thread(TEXTS, handle="inference_notes", name="Inference Notes")

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=redis_url,
        queue_name=queue_name,
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        telegram_file_url=fake_telegram.file_url,
        fxtwitter_api_url=fake_sources.fx_url,
        media_hosts=fake_sources.media_host,
    )
    app = build_application(settings, RQJobQueue(redis_url, queue_name), updater=False)
    await app.initialize()
    try:
        user_id = 10**9 + secrets.randbelow(10**9)  # settings and rate limits are per user: a fresh one
        raw = fake_telegram.user_message(chat_id=user_id, text=f"Can you make this one? {thread.url}")
        update = Update.de_json(raw, app.bot)
        await app.process_update(update)

        try:
            await asyncio.to_thread(fake_telegram.wait_for, "sendDocument", DELIVERY_TIMEOUT_S)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{worker.output}") from exc
    finally:
        await app.shutdown()

    original = raw["message"]["message_id"]
    groups = fake_telegram.calls_to("sendMediaGroup")
    assert groups, fake_telegram.methods()
    slides: list[bytes] = []
    for call in groups:
        assert call.response["ok"]
        assert 2 <= len(call.params["media"]) <= TELEGRAM_MEDIA_GROUP_MAX
        assert call.params["chat_id"] == user_id
        assert call.params["reply_parameters"]["message_id"] == original
        slides += [call.files[item["media"].removeprefix("attach://")] for item in call.params["media"]]
    assert len(slides) >= 3  # the cover, the posts (short ones share a slide), the closing slide
    for data in slides:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes fully: a truncated PNG fails here
            assert (image.format, image.size) == ("PNG", (1080, 1350))

    (document,) = fake_telegram.calls_to("sendDocument")
    assert document.params["chat_id"] == user_id
    assert document.params["reply_parameters"]["message_id"] == original
    pdf = document.files["document"]
    assert pdf.startswith(b"%PDF")
    assert document.filenames["document"].endswith(".pdf")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    for word in WORDS:
        assert word in text, (word, text[:400])
    assert document.params["reply_markup"]["inline_keyboard"]  # re-render buttons under the result

    # the bot posted a status message; the worker showed progress in it and removed it at the end
    status_id = fake_telegram.calls_to("sendMessage")[0].response["result"]["message_id"]
    edits = [
        c.params["text"]
        for c in fake_telegram.calls_to("editMessageText")
        if c.params["message_id"] == status_id
    ]
    assert "Fetching thread…" in edits and "Sending…" in edits
    assert any(e.startswith("Rendering ") for e in edits), edits
    await asyncio.to_thread(
        fake_telegram.wait_until, lambda: (user_id, status_id) in fake_telegram.deleted, 10
    )

    # a re-theme button under the PDF renders again from the saved thread, without fetching it
    fetches = fake_sources.count("/fx/")
    theme_button = document.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert theme_button.endswith(":theme")
    press = fake_telegram.callback_query(
        document.response["result"], f"{theme_button}:midnight", user_id=user_id
    )
    await app.initialize()
    try:
        await app.process_update(Update.de_json(press, app.bot))
        try:
            await asyncio.to_thread(fake_telegram.wait_for, "sendDocument", DELIVERY_TIMEOUT_S, 2)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{worker.output}") from exc
    finally:
        await app.shutdown()
    assert fake_sources.count("/fx/") == fetches
    second = fake_telegram.calls_to("sendDocument")[1]
    assert second.params["reply_parameters"]["message_id"] == original
    assert second.files["document"] != pdf  # another theme, another document
    assert WORDS[0] in " ".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(second.files["document"])).pages
    )


async def test_send_zip_then_pasted_text_comes_back_as_one_zip_and_the_pdf(
    chat: Chat,
    fake: FakeTelegramAPI,
    settings: Settings,
    worker_process: Callable[..., Any],
    result_keys: list[str],
    prefix: str,
) -> None:
    import zipfile

    worker = worker_process(
        env={
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.api_url,
            "TELEGRAM_FILE_URL": fake.file_url,
        }
    )
    await chat.say(42, "/send")
    picker = fake.calls_to("sendMessage")[-1].response["result"]
    await chat.press(picker, "set:delivery:zip", user_id=42)
    await chat.say(42, "/format jpeg")
    await chat.say(42, TEXT)
    [job] = submitted(prefix)
    result_keys.append(job.job_id)
    try:
        archive, pdf = fake.wait_for("sendDocument", timeout=DELIVERY_TIMEOUT_S, count=2)
    except TimeoutError:
        pytest.fail(f"no ZIP and PDF delivered; worker log:\n{worker.output}")

    assert not fake.calls_to("sendMediaGroup") and not fake.calls_to("sendPhoto")
    assert archive.filenames["document"].endswith(".zip") and pdf.filenames["document"].endswith(".pdf")
    with zipfile.ZipFile(io.BytesIO(archive.files["document"])) as opened:
        names = opened.namelist()
        assert names and all(n.startswith("slide-") and n.endswith(".jpg") for n in names)
        with Image.open(io.BytesIO(opened.read(names[0]))) as slide:
            assert (slide.format, slide.size) == ("JPEG", (1080, 1350))
    assert pdf.params["reply_markup"]["inline_keyboard"]  # the re-render buttons sit under the PDF
