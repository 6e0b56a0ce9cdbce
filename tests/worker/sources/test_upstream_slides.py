"""The upstream-shaped fixtures all the way to slides: link cards, polls and custom emoji are drawn
as slide elements, and kept as text in the PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from contract.options import RenderOptions
from rendering.api import render_carousel
from rendering.display import Emoji, Link, Picture, Rect, Slide
from rendering.model import Thread
from rendering.pipeline import layout_slides
from tests.fakes.sources import FakeSources, load_fixture
from worker.sources import resolve


def _images(thread: Thread) -> dict[str, Image.Image]:
    """Stand-ins for every image the thread names (the tests fetch nothing from outside)."""
    out: dict[str, Image.Image] = {}
    for k, m in enumerate(thread.media()):
        size = (64, 64) if "emoji" in m.url or "avatar" in m.url else (800, 419)
        out[m.url] = Image.new("RGBA", size, (40 + 20 * k % 200, 120, 200, 255))
    return out


def _visible(slide: Slide) -> str:
    return " ".join(" ".join(t.text for t in slide.texts() if t.color[3] > 0).split())


def _pdf_text(thread: Thread) -> str:
    car = render_carousel(thread, RenderOptions(), _images(thread))
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(car.pdf)).pages).split())


@pytest.fixture
def x_thread(fake: FakeSources, settings, client) -> Thread:
    body = load_fixture("x/thread-features.json")
    fake.serve_json(f"/fx/2/thread/{body['status']['id']}", body)
    return resolve(body["status"]["url"], settings=settings, client=client, max_posts=20)


@pytest.fixture
def bsky_thread(fake: FakeSources, settings, client) -> Thread:
    fake.serve_json(
        "/bsky/xrpc/com.atproto.identity.resolveHandle", load_fixture("bluesky/resolveHandle-quinn.json")
    )
    fake.serve_json(
        "/bsky/xrpc/app.bsky.feed.getPostThread", load_fixture("bluesky/getPostThread-cards.json")
    )
    link = "https://bsky.app/profile/quinn.bsky.social/post/3lmcard0aa"
    return resolve(link, settings=settings, client=client, max_posts=20)


@pytest.fixture
def masto_thread(fake: FakeSources, settings, client) -> Thread:
    status = load_fixture("mastodon/status-features.json")
    fake.serve_json(f"/masto/api/v1/statuses/{status['id']}", status)
    fake.serve_json(
        f"/masto/api/v1/statuses/{status['id']}/context", load_fixture("mastodon/context-features.json")
    )
    return resolve(status["url"], settings=settings, client=client, max_posts=20)


def test_x_slides_title_poll_card_and_player(x_thread: Thread) -> None:
    doc, slides = layout_slides(x_thread, RenderOptions(), _images(x_thread))
    assert doc.title.startswith("How MVCC bloat creeps up")
    assert not any(t.text.startswith("@samortiz") for s in slides for t in s.texts())
    text = " ".join(_visible(s) for s in slides)
    # the poll: every option with its percentage, and the count
    for label in ("autovacuum_vacuum_scale_factor", "fillfactor", "51.5%", "23.5%", "25%"):
        assert label in text
    assert "800 votes · Final results" in text
    poll_slide = next(s for s in slides if "fillfactor" in _visible(s))
    fills = [r for r in poll_slide.items if isinstance(r, Rect) and r.fill and r.radius > 0]
    tracks = sorted((r for r in fills if r.box[2] > 700 and r.box[3] < 120), key=lambda r: r.box[1])
    rows = {r.box[1] for r in tracks}
    bars = sorted((r for r in fills if r.box[1] in rows and r.box[2] < 700), key=lambda r: r.box[1])
    assert len(tracks) == 3 and len(bars) == 3
    widths = [b.box[2] / tracks[0].box[2] for b in bars]
    assert widths == pytest.approx([0.515, 0.235, 0.25], abs=0.02)
    # the link card and the YouTube player, each a card linking to its page, its image inside
    links = {i.url for s in slides for i in s.items if isinstance(i, Link)}
    assert "https://www.postgresql.org/docs/current/routine-vacuuming.html" in links
    assert "https://www.youtube.com/watch?v=Zx8YgqCvPzQ" in links
    assert "https://x.com/pg_docs" in links  # a mention, linked
    pictures = {i.key for s in slides for i in s.items if isinstance(i, Picture)}
    assert "https://img.youtube.com/vi/Zx8YgqCvPzQ/maxresdefault.jpg" in pictures
    assert "PostgreSQL: Documentation: 18: 24.1. Routine" in text
    # bold and italic runs of the long post, and the deleted quote
    texts = [t for s in slides for t in s.texts()]
    [bold] = [t for t in texts if "VACUUM FULL on a busy" in t.text]
    [italic] = [t for t in texts if "it takes an ACCESS" in t.text]
    [plain] = [t for t in texts if t.text.startswith("The fix, in the order")]
    assert len({bold.font, italic.font, plain.font}) == 3  # bold, italic and regular faces
    assert "Quoted post unavailable" in text


def test_bluesky_card_only_post_gets_its_card(bsky_thread: Thread) -> None:
    doc, slides = layout_slides(bsky_thread, RenderOptions(), _images(bsky_thread))
    card_slide = next(s for s in slides if "How Bees Count" in _visible(s))
    assert "quantamagazine.org" in _visible(card_slide)
    assert any(isinstance(i, Link) and "quantamagazine" in i.url for i in card_slide.items)
    assert any(isinstance(i, Picture) and "bafkreithumbquanta" in i.key for i in card_slide.items)
    links = {i.url for s in slides for i in s.items if isinstance(i, Link)}
    assert "https://bsky.app/profile/did:plc:ravioli5example9q8w7xyz" in links
    assert sum("Quoted post unavailable" in _visible(s) for s in slides) == 2
    pdf = _pdf_text(bsky_thread)
    assert "The quiet revolution in battery chemistry" in pdf and "How Bees Count" in pdf


def test_mastodon_custom_emoji_inline_at_text_size(masto_thread: Thread) -> None:
    images = _images(masto_thread)
    doc, slides = layout_slides(masto_thread, RenderOptions(), images)
    assert ":blobcatcoffee:" not in doc.title and doc.title.startswith("Sourdough hydration")
    coffee = next(e.url for e in masto_thread.posts[0].emojis)
    verified = masto_thread.author.emojis[0].url
    for s in slides:
        assert ":verified:" not in _visible(s) and ":blobcatcoffee:" not in _visible(s)
    body = next(s for s in slides if s.template != "cover" and "Sourdough hydration" in _visible(s))
    words = [t for t in body.texts() if t.color[3] > 0 and "hydration" in t.text]
    [emoji] = [i for i in body.items if isinstance(i, Picture) and i.key == coffee]
    [thread_emoji] = [i for i in body.items if isinstance(i, Emoji)]  # the 🧵 after it
    assert emoji.box[3] == pytest.approx(words[0].size, rel=0.25)  # at text size
    assert emoji.box[1] == pytest.approx(thread_emoji.box[1]) and emoji.box[3] == thread_emoji.box[3]
    assert any(isinstance(i, Picture) and i.key == verified for i in body.items)  # in the name
    pdf = _pdf_text(masto_thread)
    assert ":blobcatcoffee:" in pdf  # kept as text in the PDF


def test_mastodon_slides_warning_quote_and_poll(masto_thread: Thread) -> None:
    doc, slides = layout_slides(masto_thread, RenderOptions(), _images(masto_thread))
    text = " ".join(_visible(s) for s in slides)
    assert "RE:" not in text
    assert "Content warning: strong bread opinions" in text
    warned = next(s for s in slides if "Wetter doughs" in _visible(s))
    assert not any(t.text.strip() in ("2.", "2/") for t in warned.texts())
    quoting = next(s for s in slides if "One wrong digit ruins a loaf" in _visible(s))
    assert not any(t.text.strip() == "3." for t in quoting.texts())
    assert "Eugen" in _visible(quoting)
    for label in ("65–70%", "70–75%", "55%", "40 votes · Final results", "Dough hydration | King Arthur"):
        assert label in text
    pdf = _pdf_text(masto_thread)
    assert "Content warning: strong bread opinions" in pdf and "70–75%" in pdf


def test_a_link_card_stays_with_its_text_on_a_short_slide(x_thread: Thread) -> None:
    _, slides = layout_slides(x_thread, RenderOptions(ratio="16:9"), _images(x_thread))
    [slide] = [s for s in slides if "explains the rules" in _visible(s)]
    card = "https://www.postgresql.org/docs/current/routine-vacuuming.html"
    [link] = [i for i in slide.items if isinstance(i, Link) and i.url == card]
    x, y, w, h = slide.content_box
    assert link.box[1] + link.box[3] <= y + h + 1  # the whole card, on this slide
