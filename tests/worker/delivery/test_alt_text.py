"""What the pictures show reaches the chat: in the album's caption (Telegram) and as each
attachment's description (Discord), never printed on the slide itself."""

from __future__ import annotations

from rendering.model import Author, Media, Post, Thread
from rendering.result import Carousel
from worker.delivery.common import caption_text
from worker.delivery.discord import _slide_alt
from worker.jobs import summarize
from worker.limits import TELEGRAM_CAPTION_MAX

A = Author(name="Priya Raman", handle="priyaships")


def _carousel(alts: tuple[str, ...]) -> Carousel:
    return Carousel(
        slides=[b""] * len(alts), image_format="png", pdf=b"", title="Numbers", size=(1080, 1350), alts=alts
    )


def test_the_album_caption_names_what_each_picture_shows() -> None:
    thread = Thread(
        author=A, posts=(Post(id="1", author=A, text="Numbers", media=(Media(url="https://x/p.png"),)),)
    )
    summary = summarize(thread, _carousel(("", "Throughput after: 2,950 tokens per second", "")))
    caption = caption_text(summary, TELEGRAM_CAPTION_MAX)
    assert caption.splitlines()[0] == "Numbers"
    assert "🖼 2: Throughput after: 2,950 tokens per second" in caption


def test_alt_text_never_pushes_the_caption_past_telegrams_limit() -> None:
    thread = Thread(author=A, posts=(Post(id="1", author=A, text="Numbers"),))
    summary = summarize(thread, _carousel(tuple("a picture of a very long chart " * 20 for _ in range(6))))
    caption = caption_text(summary, TELEGRAM_CAPTION_MAX)
    assert len(caption.encode("utf-16-le")) // 2 <= TELEGRAM_CAPTION_MAX
    assert caption.startswith("Numbers\n")


def test_a_discord_attachment_describes_its_picture() -> None:
    car = _carousel(("", "A GPU utilisation chart, mostly flat"))
    assert _slide_alt(car, 2, "Numbers", 2) == "Numbers: slide 2 of 2. A GPU utilisation chart, mostly flat"
    assert _slide_alt(car, 1, "Numbers", 2) == "Numbers: slide 1 of 2"
