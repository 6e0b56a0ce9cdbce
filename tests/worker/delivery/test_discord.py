"""Discord delivery against a local fake of Discord's REST API (real HTTP, real multipart)."""

from __future__ import annotations

import io
import random
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from contract import Brand, JobPayload, RenderOptions, ReplyAddress
from contract.rerender import RERENDER_TEMPLATE, job_ref
from rendering.api import Carousel
from tests.fakes.discord_api import BOT_TOKEN, EPHEMERAL, FakeDiscord
from worker.config import Settings
from worker.delivery.common import ResultSummary
from worker.delivery.discord import (
    DeliveryError,
    DiscordDelivery,
    Upload,
    fit_slide,
    plan_messages,
)
from worker.limits import (
    DISCORD_CUSTOM_ID_MAX,
    DISCORD_FILES_PER_MESSAGE,
    DISCORD_FOLLOWUP_WINDOW_S,
    DISCORD_SELECT_OPTIONS_MAX,
)

APP_ID = "1100000000000000001"
TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5"
CHANNEL = "1200000000000000001"
TITLE = "How LLM Inference Works"
AUTHOR = "Ada (@ada)"


def _png(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (108, 135), (i * 20 % 256, 40, 200 - i * 10)).save(out, format="PNG")
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=(540, 675))
    for i in range(pages):
        doc.drawString(40, 600, f"{TITLE} page {i + 1}")
        doc.showPage()
    doc.save()
    return out.getvalue()


def _carousel(n: int) -> Carousel:
    return Carousel(
        slides=[_png(i) for i in range(n)], image_format="png", pdf=_pdf(n), title=TITLE, size=(1080, 1350)
    )


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


def _settings(fake: FakeDiscord, *, bot_token: str | None = BOT_TOKEN) -> Settings:
    return Settings(discord_api_url=fake.api_base, discord_bot_token=bot_token)


def _reply(**overrides: object) -> ReplyAddress:
    fields: dict = dict(
        platform="discord",
        chat_id=CHANNEL,
        application_id=APP_ID,
        interaction_token=TOKEN,
        user_id="1300000000000000009",
        status_message_id="@original",
    )
    fields.update(overrides)
    return ReplyAddress(**fields)


def test_twelve_slides_go_in_two_followups_with_the_pdf_last(fake: FakeDiscord) -> None:
    carousel = _carousel(12)
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        messages = delivery.send_carousel(carousel, author=AUTHOR)

    posts = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert [c.status for c in posts] == [200, 200]
    assert len(messages) == 2 and all(m["attachments"] for m in messages)
    first, second = posts
    assert [f.filename for f in first.files] == [f"slide-{i:02d}.png" for i in range(1, 11)]
    assert [f.filename for f in second.files] == ["slide-11.png", "slide-12.png", "carousel.pdf"]
    assert len(first.files) == DISCORD_FILES_PER_MESSAGE
    # bytes arrive intact, in order, with the right types
    sent = [f.data for f in first.files + second.files[:2]]
    assert sent == carousel.slides
    assert second.files[-1].data == carousel.pdf and second.files[-1].data.startswith(b"%PDF")
    assert {f.content_type for f in first.files} == {"image/png"}
    assert second.files[-1].content_type == "application/pdf"
    for call in posts:
        assert call.query["wait"] == "true"
        assert call.authorization is None  # interaction webhooks carry no bot token
        payload = call.payload
        assert [a["id"] for a in payload["attachments"]] == list(range(len(call.files)))
        assert [a["filename"] for a in payload["attachments"]] == [f.filename for f in call.files]
        assert (
            TITLE in payload["content"] and AUTHOR in payload["content"] and "12 slides" in payload["content"]
        )
        assert payload["allowed_mentions"] == {"parse": []}
    assert "(1/2)" in first.payload["content"] and "(2/2)" in second.payload["content"]
    assert first.payload["attachments"][2]["description"] == f"{TITLE}: slide 3 of 12"
    assert not fake.find("POST", "/channels/")


def test_ten_slides_put_the_pdf_in_a_message_of_its_own(fake: FakeDiscord) -> None:
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.send_carousel(_carousel(10))
    posts = fake.find("POST", "/webhooks/")
    assert [len(c.files) for c in posts] == [10, 1]
    assert posts[1].files[0].filename == "carousel.pdf"


def test_progress_edits_the_original_response(fake: FakeDiscord) -> None:
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.progress("Fetching thread…")
        delivery.progress("Fetching thread…")  # unchanged: not sent again
        delivery.progress("Rendering 7/12")
        delivery.finish("Done: 12 slides and a PDF below.")

    edits = fake.find("PATCH", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original")
    assert [c.json["content"] for c in edits] == [
        "Fetching thread…",
        "Rendering 7/12",
        "Done: 12 slides and a PDF below.",
    ]
    assert all(c.status == 200 for c in edits)


def test_an_error_is_told_privately_and_the_public_status_goes(fake: FakeDiscord) -> None:
    sentence = "I couldn't find that post: it may have been deleted or the link is wrong."
    original = fake.original_id(TOKEN)  # the deferred "⏳ Queued…" response everyone in the channel sees
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.progress("Fetching thread…")
        delivery.send_error(sentence)
    (followup,) = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert followup.status == 200 and followup.json["content"] == sentence
    assert followup.json["flags"] & EPHEMERAL  # only the person who asked sees it
    (delete,) = fake.find("DELETE", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original")
    assert delete.status == 204 and fake.content_of(original) is None
    assert followup.at <= delete.at  # told first, so a failed deletion never leaves them with nothing
    assert not fake.find("POST", "/channels/")


def test_rate_limit_is_waited_out(fake: FakeDiscord) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    fake.rate_limit_next("POST", f"/webhooks/{APP_ID}", retry_after=0.25)
    fake.rate_limit_next("PATCH", f"/webhooks/{APP_ID}", retry_after=0.1)
    with DiscordDelivery(_reply(), _settings(fake), sleep=sleep) as delivery:
        delivery.progress("Sending…")
        delivery.send_carousel(_carousel(3))

    assert waits == [0.1, 0.25]
    posts = fake.find("POST", "/webhooks/")
    assert [c.status for c in posts] == [429, 200]
    assert [f.filename for f in posts[0].files] == [f.filename for f in posts[1].files]  # same upload again
    assert [c.status for c in fake.find("PATCH", "/webhooks/")] == [429, 200]


def test_a_long_rate_limit_becomes_one_sentence(fake: FakeDiscord) -> None:
    fake.rate_limit_next("POST", "/webhooks/", retry_after=3600)
    delivery = DiscordDelivery(_reply(), _settings(fake), sleep=lambda s: None)
    with delivery, pytest.raises(DeliveryError) as caught:
        delivery.send_carousel(_carousel(2))
    assert "rate-limiting" in caught.value.message


def test_without_a_token_the_bot_posts_to_the_channel(fake: FakeDiscord) -> None:
    reply = _reply(interaction_token=None, status_message_id=None, reply_to_message_id="1400000000000000001")
    with DiscordDelivery(reply, _settings(fake)) as delivery:
        delivery.progress("Fetching thread…")
        delivery.progress("Rendering 4/12")
        delivery.send_carousel(_carousel(12), author=AUTHOR)
        delivery.finish()

    assert not fake.find("POST", "/webhooks/") and not fake.find("PATCH", "/webhooks/")
    channel = f"/channels/{CHANNEL}/messages"
    status_post, first, second = fake.find("POST", channel)
    assert all(c.authorization == f"Bot {BOT_TOKEN}" for c in (status_post, first, second))
    assert all(200 <= c.status < 300 for c in fake.calls)
    assert status_post.json["content"] == "Fetching thread…"
    (edit,) = fake.find("PATCH", channel)
    assert edit.json["content"] == "Rendering 4/12"
    assert [len(first.files), len(second.files)] == [10, 3]
    assert second.files[-1].filename == "carousel.pdf"
    assert first.payload["message_reference"]["message_id"] == "1400000000000000001"
    (delete,) = fake.find("DELETE", channel)
    assert edit.path == delete.path  # the status message the worker posted is removed at the end


def test_an_old_interaction_falls_back_to_the_channel(fake: FakeDiscord) -> None:
    issued = datetime.now(UTC) - timedelta(seconds=DISCORD_FOLLOWUP_WINDOW_S + 1)
    with DiscordDelivery(_reply(), _settings(fake), issued_at=issued) as delivery:
        delivery.send_carousel(_carousel(2))
    assert not fake.find("POST", "/webhooks/")
    (post,) = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert [f.filename for f in post.files] == ["slide-01.png", "slide-02.png", "carousel.pdf"]


def test_a_refused_token_switches_to_the_channel(fake: FakeDiscord) -> None:
    fake.expire_token(TOKEN)
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.progress("Rendering…")
        delivery.send_carousel(_carousel(2))
    assert [c.status for c in fake.find("PATCH", "/webhooks/")] == [401]
    assert not fake.find("POST", "/webhooks/")  # no second try with a dead token
    posts = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert [c.status for c in posts] == [200, 200]
    assert posts[0].json["content"] == "Rendering…" and len(posts[1].files) == 3


def test_expired_interaction_without_bot_token_is_one_sentence(fake: FakeDiscord) -> None:
    delivery = DiscordDelivery(_reply(interaction_token=None), _settings(fake, bot_token=None))
    with delivery, pytest.raises(DeliveryError) as caught:
        delivery.send_carousel(_carousel(1))
    assert caught.value.message.endswith(".") and "bot token" in caught.value.message
    assert fake.calls == []


def test_an_oversized_png_slide_is_sent_as_jpeg() -> None:
    rng = random.Random(7)
    noise = Image.frombytes("RGB", (400, 400), bytes(rng.getrandbits(8) for _ in range(400 * 400 * 3)))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    png = out.getvalue()
    limit = len(png) // 2
    data, fmt, smaller = fit_slide(png, "png", limit)
    assert fmt == "jpeg" and len(data) <= limit and not smaller
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (400, 400)
    assert fit_slide(png, "png", len(png)) == (png, "png", False)


def test_batches_respect_the_request_size() -> None:
    uploads = [Upload(f"s{i}", b"x" * 40, "image/png") for i in range(5)]
    batches = plan_messages(uploads, files_per_message=10, request_max_bytes=100)
    assert [[u.filename for u in b] for b in batches] == [["s0", "s1"], ["s2", "s3"], ["s4"]]


def test_the_job_protocol_sends_the_result_and_marks_the_status_done(fake: FakeDiscord) -> None:
    summary = ResultSummary(title=TITLE, author_name="Ada", author_handle="ada", slide_count=3)
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.status("Rendering 3/3")
        delivery.status("Sending…")  # a stage change right after: not held back
        sent = delivery.deliver(_carousel(3), summary, "job-1", None)
        assert delivery.deliver_cached("key", "job-1") is None
        delivery.finish()

    (post,) = fake.find("POST", "/webhooks/")
    assert sent["message_ids"] == [post.reply["id"]]
    assert "Ada (@ada)" in post.payload["content"]
    assert post.files[-1].filename == "how-llm-inference-works.pdf"  # named after the title
    assert post.payload["attachments"][-1]["filename"] == "how-llm-inference-works.pdf"
    edits = [c.json["content"] for c in fake.find("PATCH", "/webhooks/")]
    assert edits == ["Rendering 3/3", "Sending…", "✅ Done: 3 slides and the PDF below."]


def test_a_pasted_text_job_arrives_in_discord(fake: FakeDiscord) -> None:
    """The whole job body (worker.jobs.run_job): pasted text → rendered slides → Discord follow-ups."""
    from pypdf import PdfReader

    from worker.jobs import run_job

    paragraphs = [
        f"Point {i}: carousels turn long threads into slides people swipe through." for i in range(1, 6)
    ]
    payload = JobPayload(source="\n\n".join(paragraphs), source_kind="text", reply=_reply())
    result = run_job(payload.to_job_arg(), uuid.uuid4().hex, settings=_settings(fake))

    assert result["ok"] is True
    posts = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert posts and all(c.status == 200 for c in posts)
    files = [f for c in posts for f in c.files]
    assert files[-1].filename.startswith("point-1-carousels-turn") and files[-1].filename.endswith(".pdf")
    slides = files[:-1]
    assert len(slides) == result["slides"] and all(len(c.files) <= DISCORD_FILES_PER_MESSAGE for c in posts)
    for part in slides:
        with Image.open(io.BytesIO(part.data)) as image:
            assert image.format == "PNG" and image.size == (1080, 1350)
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(files[-1].data)).pages)
    assert "carousels turn long threads" in " ".join(text.split())
    statuses = [
        c.json["content"] for c in fake.find("PATCH", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original")
    ]
    assert statuses[0] == "Reading your text…" and statuses[-1].startswith("✅ Done")  # nothing fetched
    assert "Sending…" in statuses


@pytest.mark.parametrize(
    ("title", "handle", "expected"),
    [
        ("Ünïcode café: 10 lessons!", "ada", "unicode-cafe-10-lessons.pdf"),
        ("Как работают большие модели", "ivan_dev", "ivan-dev-carousel.pdf"),  # no Latin letters: the author
        ("大模型推理", "", "carousel.pdf"),  # neither: the generic name
    ],
)
def test_the_pdf_is_named_after_the_thread(fake: FakeDiscord, title: str, handle: str, expected: str) -> None:
    summary = ResultSummary(title=title, author_name="Someone", author_handle=handle, slide_count=2)
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.deliver(_carousel(2), summary, "job-2", None)
    (post,) = fake.find("POST", "/webhooks/")
    assert [f.filename for f in post.files] == ["slide-01.png", "slide-02.png", expected]
    assert [a["filename"] for a in post.payload["attachments"]] == [f.filename for f in post.files]
    assert post.files[-1].data.startswith(b"%PDF")


def test_the_channel_fallback_names_the_pdf_too(fake: FakeDiscord) -> None:
    summary = ResultSummary(title=TITLE, author_name="Ada", author_handle="ada", slide_count=2)
    with DiscordDelivery(_reply(interaction_token=None), _settings(fake)) as delivery:
        delivery.deliver(_carousel(2), summary, "job-3", None)
    (post,) = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert post.payload["attachments"][-1]["filename"] == "how-llm-inference-works.pdf"


def test_the_result_carries_menus_to_re_render_it(fake: FakeDiscord) -> None:
    from themes import theme_names

    job_id = str(uuid.uuid4())
    summary = ResultSummary(title=TITLE, author_name="Ada", author_handle="ada", slide_count=12)
    with DiscordDelivery(_reply(), _settings(fake)) as delivery:
        delivery.deliver(_carousel(12), summary, job_id, None)
    first, last = fake.find("POST", "/webhooks/")
    assert "components" not in first.payload  # only the message with the PDF has the menus
    rows = last.payload["components"]
    assert [r["type"] for r in rows] == [1, 1, 1, 1]  # action rows: one select each, then the button
    [caption] = rows[3]["components"]
    assert caption == {
        "type": 2,  # a button…
        "style": 2,  # …grey
        "label": "Caption",
        "emoji": {"name": "📝"},
        "custom_id": f"caption:{job_ref(job_id)}",
    }
    selects = [c for r in rows[:3] for c in r["components"]]
    assert [s["type"] for s in selects] == [3, 3, 3]  # string selects
    assert [s["custom_id"] for s in selects] == [
        f"rr:{job_ref(job_id)}:{f}" for f in ("theme", "ratio", "format")
    ]
    for select in selects:
        assert len(select["custom_id"]) <= DISCORD_CUSTOM_ID_MAX
        match = re.fullmatch(RERENDER_TEMPLATE, select["custom_id"])
        assert match is not None and match["ref"] == job_ref(job_id)
        assert 1 <= len(select["options"]) <= DISCORD_SELECT_OPTIONS_MAX
        assert (select["min_values"], select["max_values"]) == (1, 1) and select["placeholder"]
        assert all(o["label"] and len(o["value"]) <= 100 for o in select["options"])
    theme, ratio, image_format = ([o["value"] for o in s["options"]] for s in selects)
    assert theme == sorted(theme_names())[:DISCORD_SELECT_OPTIONS_MAX]
    assert ratio == ["4:5", "1:1", "9:16", "16:9"] and image_format == ["png", "jpeg"]
    assert [o["label"] for o in selects[2]["options"]] == ["PNG", "JPEG"]
    assert last.reply["components"] == rows  # Discord keeps them on the message


def test_the_channel_fallback_carries_the_menus_too(fake: FakeDiscord) -> None:
    summary = ResultSummary(title=TITLE, author_name="Ada", author_handle="ada", slide_count=2)
    with DiscordDelivery(_reply(interaction_token=None), _settings(fake)) as delivery:
        delivery.deliver(_carousel(2), summary, "job-4", None)
    (post,) = fake.find("POST", f"/channels/{CHANNEL}/messages")
    custom_ids = [c["custom_id"] for row in post.payload["components"] for c in row["components"]]
    assert custom_ids == ["rr:job-4:theme", "rr:job-4:ratio", "rr:job-4:format", "caption:job-4"]


def test_a_capped_thread_says_how_many_posts_it_shows(fake: FakeDiscord) -> None:
    """24 pasted paragraphs with max_posts 20: the result message says "first 20 of 24 posts"."""
    from worker.jobs import run_job

    paragraphs = [f"Idea {i}: one short point per slide keeps people swiping." for i in range(1, 25)]
    options = RenderOptions(max_posts=20, format="jpeg")
    payload = JobPayload(source="\n\n".join(paragraphs), source_kind="text", options=options, reply=_reply())
    result = run_job(payload.to_job_arg(), uuid.uuid4().hex, settings=_settings(fake))

    assert result["ok"] is True
    posts = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert posts and all(c.status == 200 for c in posts)
    for post in posts:
        assert "first 20 of 24 posts" in post.payload["content"], post.payload["content"]


def test_a_brand_picture_the_slides_went_without_is_named_in_the_result(fake: FakeDiscord) -> None:
    """An avatar attached with /brand that is no picture: the result says so and how to fix it."""
    from urllib.parse import urlsplit

    from worker.jobs import run_job

    avatar = fake.add_attachment("me.png", b"<html>not a picture</html>", "application/octet-stream")
    logo = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 90)).save(logo, "PNG")
    good = fake.add_attachment("logo.png", logo.getvalue(), "application/octet-stream")
    brand = {"name": "Ada", "avatar_url": avatar["url"], "logo_url": good["url"]}
    paragraphs = [f"Point {i}: a carousel is a thread people swipe through." for i in range(1, 4)]
    payload = JobPayload(
        source="\n\n".join(paragraphs), source_kind="text", options=RenderOptions(brand=brand), reply=_reply()
    )
    settings = _settings(fake).model_copy(update={"media_hosts": urlsplit(fake.api_base).netloc})
    assert run_job(payload.to_job_arg(), uuid.uuid4().hex, settings=settings)["ok"] is True

    first = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")[0]
    lines = first.payload["content"].splitlines()
    assert lines[1:] == [
        "Written by Ada",  # pasted text: its writer, no link
        "⚠️ The brand kit's avatar could not be read as a picture — "
        "send it again with the avatar option of /brand.",
    ]


# --- the interaction's upload limit, an expired token, long rate limits ------------------------

GUILD = "1200000000000000002"
USER = "1300000000000000009"


def _noise_png(seed: int, size: tuple[int, int] = (400, 500)) -> bytes:
    """A slide that compresses badly (noise), so its PNG is far larger than its JPEG."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _noisy_carousel(n: int, pdf: bytes | None = None) -> Carousel:
    slides = [_noise_png(i) for i in range(n)]
    return Carousel(slides=slides, image_format="png", pdf=pdf or _pdf(n), title=TITLE, size=(400, 500))


def _limited(fake: FakeDiscord, limit: int, **overrides: object) -> ReplyAddress:
    """The reply address of an interaction whose attachment_size_limit is ``limit``; the fake enforces it."""
    fake.open_interaction(TOKEN, CHANNEL, attachment_size_limit=limit)
    return _reply(attachment_size_limit=limit, **overrides)


def _jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def test_slides_above_the_interactions_limit_are_sent_as_jpeg(fake: FakeDiscord) -> None:
    carousel = _noisy_carousel(2)
    limit = 300 * 1024  # a noise PNG of 400×500 is ~600 KB; as a JPEG it fits at full size
    assert all(len(s) > limit for s in carousel.slides)
    with DiscordDelivery(_limited(fake, limit), _settings(fake)) as delivery:
        delivery.send_carousel(carousel)
        delivery.finish()
    (post,) = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert post.status == 200
    assert [f.filename for f in post.files] == ["slide-01.jpg", "slide-02.jpg", "carousel.pdf"]
    assert all(len(f.data) <= limit for f in post.files)
    assert [_jpeg_size(f.data) for f in post.files[:2]] == [(400, 500), (400, 500)]
    assert fake.find("PATCH", "/webhooks/")[-1].json["content"] == "✅ Done: 2 slides and the PDF below."


def test_slides_are_made_smaller_when_a_jpeg_is_still_too_large(fake: FakeDiscord) -> None:
    limit = 60 * 1024  # below any full-size JPEG of the noise, above a half-size one
    with DiscordDelivery(_limited(fake, limit), _settings(fake)) as delivery:
        delivery.send_carousel(_noisy_carousel(2))
        delivery.finish()
    (post,) = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert post.status == 200 and all(len(f.data) <= limit for f in post.files)
    width, height = _jpeg_size(post.files[0].data)
    assert width < 400 and abs(width / height - 0.8) < 0.01  # smaller, same shape
    done = fake.find("PATCH", "/webhooks/")[-1].json["content"]
    assert (
        done == "✅ Done: 2 slides (made smaller to fit this channel's 60 KB upload limit) and the PDF below."
    )


def test_slides_that_never_fit_leave_the_pdf_alone(fake: FakeDiscord) -> None:
    carousel = _noisy_carousel(2)
    limit = 4 * 1024  # the PDF fits; no JPEG of the noise does, even at half size
    assert len(carousel.pdf) <= limit
    with DiscordDelivery(_limited(fake, limit), _settings(fake)) as delivery:
        delivery.send_carousel(carousel)
        delivery.finish()
    pdf_post, note = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert [f.filename for f in pdf_post.files] == ["carousel.pdf"] and pdf_post.status == 200
    assert pdf_post.payload["content"].split("\n")[0] == f"**{TITLE}** · PDF"  # not "2 slides + PDF"
    assert note.json["content"] == (
        "The slides are larger than the 4 KB per file this channel accepts, even as smaller JPEGs, "
        "so only the PDF was sent."
    )
    assert fake.find("PATCH", "/webhooks/")[-1].json["content"] == "✅ Done: the PDF below."


def test_nothing_that_fits_is_one_sentence_and_no_upload(fake: FakeDiscord) -> None:
    with (
        DiscordDelivery(_limited(fake, 1000), _settings(fake)) as delivery,
        pytest.raises(DeliveryError) as caught,
    ):
        delivery.send_carousel(_noisy_carousel(2))
    assert caught.value.message == (
        "This carousel is larger than the 1 KB per file this channel accepts, even with smaller slides, "
        "so I couldn't send it; try fewer posts with max_posts."
    )
    assert not fake.find("POST", "/webhooks/")


def test_a_boosted_server_gets_a_pdf_above_ten_megabytes(fake: FakeDiscord) -> None:
    big_pdf = b"%PDF-1.7\n" + random.Random(3).randbytes(12 * 1024 * 1024)  # 12 MiB: above the default
    carousel = Carousel(
        slides=[_png(1), _png(2)], image_format="png", pdf=big_pdf, title=TITLE, size=(108, 135)
    )
    with DiscordDelivery(_limited(fake, 50 * 1024 * 1024), _settings(fake)) as delivery:
        delivery.send_carousel(carousel)
    (post,) = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert post.status == 200
    assert [f.filename for f in post.files] == ["slide-01.png", "slide-02.png", "carousel.pdf"]
    assert post.files[-1].data == big_pdf


def test_a_boosted_servers_limit_holds_in_the_channel_after_the_token_expired(fake: FakeDiscord) -> None:
    big_pdf = b"%PDF-1.7\n" + random.Random(5).randbytes(12 * 1024 * 1024)
    carousel = Carousel(slides=[_png(1)], image_format="png", pdf=big_pdf, title=TITLE, size=(108, 135))
    fake.expire_token(TOKEN)
    reply = _limited(fake, 50 * 1024 * 1024, response_message_id=fake.original_id(TOKEN))
    with DiscordDelivery(reply, _settings(fake)) as delivery:
        delivery.send_carousel(carousel)
    (post,) = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert post.status == 200 and post.authorization == f"Bot {BOT_TOKEN}"
    assert [f.filename for f in post.files] == ["slide-01.png", "carousel.pdf"]


def test_the_default_limit_keeps_a_large_pdf_back_with_a_sentence(fake: FakeDiscord) -> None:
    big_pdf = b"%PDF-1.7\n" + random.Random(4).randbytes(11 * 1024 * 1024)
    carousel = Carousel(slides=[_png(1)], image_format="png", pdf=big_pdf, title=TITLE, size=(108, 135))
    with DiscordDelivery(_limited(fake, 10 * 1024 * 1024), _settings(fake)) as delivery:
        delivery.send_carousel(carousel)
    slides, note = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert [f.filename for f in slides.files] == ["slide-01.png"]
    assert slides.payload["content"].split("\n")[0] == f"**{TITLE}** · 1 slide"  # not "1 slide + PDF"
    assert note.json["content"] == (
        "The PDF (11 MB) is larger than the 10 MB per file this channel accepts, "
        "so only the slides were sent."
    )


def test_after_an_expired_token_the_original_points_to_the_result_that_names_the_requester(
    fake: FakeDiscord,
) -> None:
    original = fake.original_id(TOKEN)
    fake.expire_token(TOKEN)
    reply = _reply(response_message_id=original, guild_id=GUILD, user_id=USER)
    summary = ResultSummary(title=TITLE, author_name="Ada", author_handle="ada", slide_count=2)
    with DiscordDelivery(reply, _settings(fake)) as delivery:
        delivery.progress("Rendering 1/2")
        delivery.deliver(_carousel(2), summary, "job-5", None)
        delivery.finish()

    assert [c.status for c in fake.find("PATCH", "/webhooks/")] == [401]  # tried once, then the bot token
    edits = fake.find("PATCH", f"/channels/{CHANNEL}/messages/{original}")
    assert [c.authorization for c in edits] == [f"Bot {BOT_TOKEN}"] * 2 and all(
        c.status == 200 for c in edits
    )
    assert edits[0].json["content"] == "Rendering 1/2"
    (result,) = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert result.payload["content"].startswith(f"<@{USER}> **{TITLE}** by Ada (@ada)")
    assert result.payload["allowed_mentions"] == {"parse": [], "users": [USER]}  # pings the requester only
    assert result.payload["message_reference"]["message_id"] == original
    link = f"https://discord.com/channels/{GUILD}/{CHANNEL}/{result.reply['id']}"
    assert fake.content_of(original) == f"✅ Done: 2 slides and the PDF, posted here: {link}"
    assert not fake.find("DELETE", "/channels/")


def test_an_original_the_bot_cannot_edit_gives_way_to_a_status_it_removes(fake: FakeDiscord) -> None:
    fake.expire_token(TOKEN)
    reply = _reply(response_message_id="1400000000000000077", guild_id=GUILD, user_id=USER)  # gone
    with DiscordDelivery(reply, _settings(fake)) as delivery:
        delivery.progress("Rendering 1/2")
        delivery.send_carousel(_carousel(2))
        delivery.finish()
    status, result = fake.find("POST", f"/channels/{CHANNEL}/messages")
    assert status.json["content"] == "Rendering 1/2"
    assert result.payload["content"].startswith(f"<@{USER}> ")
    (delete,) = fake.find("DELETE", f"/channels/{CHANNEL}/messages/{status.reply['id']}")
    assert delete.status == 204


def test_an_error_after_the_token_expired_names_the_requester_in_the_channel(fake: FakeDiscord) -> None:
    original = fake.original_id(TOKEN)
    fake.expire_token(TOKEN)
    reply = _reply(response_message_id=original, user_id=USER)
    sentence = "That post is private, so I can't read it."
    with DiscordDelivery(reply, _settings(fake)) as delivery:
        delivery.send_error(sentence)
    assert fake.content_of(original) == f"<@{USER}> {sentence}"


def test_a_long_rate_limit_is_waited_out_while_the_token_lives(fake: FakeDiscord) -> None:
    waits: list[float] = []
    fake.rate_limit_next("POST", f"/webhooks/{APP_ID}/{TOKEN}", retry_after=120)
    with DiscordDelivery(_reply(), _settings(fake), sleep=waits.append) as delivery:
        delivery.send_carousel(_carousel(2))
    assert waits == [120]
    assert [c.status for c in fake.find("POST", "/webhooks/")] == [429, 200]
    # the two minutes are not spent at "Sending…": the status says what is happening
    (wait,) = fake.find("PATCH", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original")
    assert wait.json["content"] == (
        "⏳ Discord asked me to wait 120 s before posting, so your carousel comes right after."
    )


def test_a_rate_limit_longer_than_the_token_lives_is_one_sentence(fake: FakeDiscord) -> None:
    waits: list[float] = []
    issued = datetime.now(UTC) - timedelta(minutes=13)  # about a minute of the token left
    fake.rate_limit_next("POST", f"/webhooks/{APP_ID}/{TOKEN}", retry_after=120)
    delivery = DiscordDelivery(_reply(), _settings(fake), issued_at=issued, sleep=waits.append)
    with delivery, pytest.raises(DeliveryError) as caught:
        delivery.send_carousel(_carousel(2))
    assert waits == [] and "rate-limiting" in caught.value.message


def test_a_rate_limit_past_the_jobs_deadline_is_one_sentence(fake: FakeDiscord) -> None:
    waits: list[float] = []
    fake.rate_limit_next("POST", f"/webhooks/{APP_ID}/{TOKEN}", retry_after=120)
    delivery = DiscordDelivery(_reply(), _settings(fake), deadline=time.time() + 30, sleep=waits.append)
    with delivery, pytest.raises(DeliveryError):
        delivery.send_carousel(_carousel(2))
    assert waits == []


def test_another_members_pasted_text_is_credited_to_them(fake: FakeDiscord) -> None:
    """Ada made a carousel of Grace's message: Grace is its author, on the slides and in the result."""
    from pypdf import PdfReader

    from contract.job import TextAuthor
    from worker.jobs import run_job

    text = "Debugging is twice as hard as writing.\n\nSo write simply.\n\nThen ship it and watch it run."
    brand = Brand(name="Ada Lovelace", handle="ada")  # the requester's own kit signs only her own text
    payload = JobPayload(
        source=text,
        source_kind="text",
        options=RenderOptions(brand=brand, format="jpeg"),
        reply=_reply(),
        text_author=TextAuthor(name="Grace Hopper", handle="grace"),
    )
    assert run_job(payload.to_job_arg(), uuid.uuid4().hex, settings=_settings(fake))["ok"] is True
    (post,) = fake.find("POST", f"/webhooks/{APP_ID}/{TOKEN}")
    assert "by Grace Hopper (@grace)" in post.payload["content"]
    statuses = [
        c.json["content"] for c in fake.find("PATCH", f"/webhooks/{APP_ID}/{TOKEN}/messages/@original")
    ]
    assert statuses[0] == "Reading Grace Hopper's message…"  # public: not "your text"
    assert "Thread" not in post.payload["content"] and "Ada" not in post.payload["content"]
    pdf = PdfReader(io.BytesIO(post.files[-1].data))
    assert pdf.metadata is not None and pdf.metadata.author and "Grace Hopper" in pdf.metadata.author
