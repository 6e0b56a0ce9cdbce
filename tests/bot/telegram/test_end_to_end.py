"""The bot, a real Redis, a real `carousel worker` process and the fake Bot API, end to end."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from redis import Redis

from bot.settings_store import JobRecord
from contract.rerender import job_ref
from tests.bot.telegram.conftest import REDIS_URL, Chat
from tests.fakes.telegram_api import FakeTelegramAPI
from themes import list_themes
from worker.config import Settings

pytestmark = pytest.mark.e2e

DELIVERY_TIMEOUT_S = 120
TEXT = (
    "Five things I learned shipping a side project\n\n"
    "Ship the smallest useful thing first, then listen.\n\n"
    "Write the README before the code: it is the design.\n\n"
    "Automate the boring release steps on day one.\n\n"
    "Say no to features that nobody asked for twice."
)


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
