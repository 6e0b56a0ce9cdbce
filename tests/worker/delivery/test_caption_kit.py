"""The caption kit: who made the carousel and where it is, what a re-render changed, and the post
text the "📝 Caption" button sends — read as a person reads them, within each platform's limits."""

from __future__ import annotations

from pathlib import Path

from contract.options import RenderOptions
from rendering.api import render_carousel
from rendering.model import Author, Post, Thread
from worker.delivery.common import ResultSummary, caption_text, result_filename, utf16_len
from worker.jobs import changes, summarize
from worker.limits import DISCORD_MESSAGE_MAX, TELEGRAM_CAPTION_MAX, TELEGRAM_MESSAGE_MAX
from worker.post_text import ALT_HEADING, post_messages, post_text, slide_descriptions, split_message
from worker.sources import load_local

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "sample-thread.json"
LINK = "https://x.com/mayabuilds/status/1800000000000000100"
ADA = Author(name="Ada Lovelace", handle="ada")


def _sample() -> Thread:
    return load_local(SAMPLE)


def test_the_caption_credits_the_author_and_links_the_source_post() -> None:
    summary = ResultSummary(
        "How LLM inference actually works",
        "Maya Chen",
        "mayabuilds",
        11,
        source_url=LINK,
        kind="thread",
    )
    assert caption_text(summary, TELEGRAM_CAPTION_MAX) == (
        "How LLM inference actually works\n"
        f"Thread by Maya Chen (@mayabuilds) · {LINK}\n"
        "11 slides"
    )


def test_pasted_text_credits_its_writer_without_a_link_and_nobody_when_unsigned() -> None:
    signed = Thread(source="text", author=ADA, posts=(Post(id="1", author=ADA, text="Ship small."),))
    carousel = render_carousel(signed, RenderOptions(), {})
    caption = caption_text(summarize(signed, carousel), TELEGRAM_CAPTION_MAX)
    assert caption.splitlines()[1] == "Written by Ada Lovelace (@ada)"
    assert "http" not in caption

    nobody = Author(name="Thread")  # what pasted text is signed with when nobody is known
    unsigned = Thread(source="text", author=nobody, posts=(Post(id="1", author=nobody, text="Ship small."),))
    caption = caption_text(summarize(unsigned, carousel), TELEGRAM_CAPTION_MAX)
    assert "by Thread" not in caption and caption.splitlines()[1] == f"{carousel.slide_count} slides"


def test_a_tight_caption_cuts_the_title_and_never_the_link() -> None:
    summary = ResultSummary(
        "A very long title about inference " * 40,
        "Someone with a remarkably long display name " * 12,
        "ada",
        20,
        source_url=LINK,
        kind="thread",
        alts=("a chart of tokens per second " * 10,) * 5,
    )
    caption = caption_text(summary, TELEGRAM_CAPTION_MAX)
    assert utf16_len(caption) <= TELEGRAM_CAPTION_MAX
    credit = caption.splitlines()[1]
    assert credit.endswith(f" · {LINK}") and "…" in credit  # the name gave way, the link is whole
    assert caption.splitlines()[0].endswith("…")


def test_a_rerender_names_what_changed_in_its_caption_and_pdf_name() -> None:
    first = RenderOptions()
    again = RenderOptions(theme="midnight", ratio="1:1")
    changed = changes(first, again)
    assert changed == (("theme", "midnight"), ("ratio", "1:1"))
    thread = _sample()
    carousel = render_carousel(thread, again, {})
    summary = summarize(thread, carousel, changed=changed)
    caption = caption_text(summary, TELEGRAM_CAPTION_MAX)
    assert caption.splitlines()[3] == "Re-rendered: theme Midnight, ratio 1:1"
    name = result_filename(summary, "pdf")
    assert name.endswith("-midnight-1x1.pdf") and name.startswith("how-llm-inference")
    assert len(name) <= 64

    # two versions of the same thread never share a name or a caption
    other = summarize(thread, carousel, changed=changes(first, RenderOptions(theme="paper", format="jpeg")))
    assert result_filename(other, "pdf").endswith("-jpeg.pdf")  # paper is the default: not a change
    assert result_filename(other, "pdf") != name
    assert "Re-rendered: format JPEG" in caption_text(other, TELEGRAM_CAPTION_MAX)
    # the first carousel names no change
    plain = summarize(thread, carousel)
    assert "Re-rendered" not in caption_text(plain, TELEGRAM_CAPTION_MAX)
    assert result_filename(plain, "pdf") == "how-llm-inference-actually-works-clearly-explained.pdf"


def test_the_post_text_of_the_sample_reads_as_a_post() -> None:
    thread = _sample()
    carousel = render_carousel(thread, RenderOptions(), {})
    summary = summarize(thread, carousel)
    text = post_text(thread, summary.title)
    assert text == (
        "How LLM inference actually works, clearly explained\n\n"
        "Most people treat it as magic. It isn't. Here's the whole path from prompt to token → in 9 posts 👇"
        f"\n\nThread by Maya Chen (@mayabuilds) · {LINK}"
    )
    descriptions = slide_descriptions(carousel.texts, carousel.alts)
    assert len(descriptions) == carousel.slide_count and all(descriptions)
    assert descriptions[0] == (
        "How LLM inference actually works, clearly explained. A thread by Maya Chen (@mayabuilds)."
    )
    assert descriptions[2].startswith("Step 2: Prefill. All prompt tokens go through the network")
    assert descriptions[-1] == "Closing slide."
    messages = post_messages(thread, summary.title, descriptions, TELEGRAM_MESSAGE_MAX, utf16_len)
    assert messages[0] == text  # the post is a message of its own, to copy whole
    assert messages[1].startswith(ALT_HEADING + "\n1. How LLM inference")
    assert f"\n{carousel.slide_count}. Closing slide." in messages[-1]


def test_the_threads_own_hashtags_come_along_once_each() -> None:
    posts = (
        Post(id="1", author=ADA, text="Shipping small things #buildinpublic #IndieDev"),
        Post(id="2", author=ADA, text="Write the README first. It is the design. #indiedev #1 and x.com/a#b"),
        Post(id="3", author=ADA, text="Say no to features nobody asked for twice. #product"),
    )
    thread = Thread(url="https://x.com/ada/status/1", author=ADA, posts=posts)
    text = post_text(thread, "Shipping small things")
    hook, body, tags, credit = text.split("\n\n")
    assert hook == "Shipping small things"
    assert body == "Write the README first. It is the design. Say no to features nobody asked for twice."
    assert tags == "#buildinpublic #IndieDev #product"
    assert credit == "Thread by Ada Lovelace (@ada) · https://x.com/ada/status/1"


def test_long_alt_text_is_split_between_lines_within_each_platforms_limit() -> None:
    thread = _sample()
    descriptions = [f"Slide words {k}: " + "a sentence about memory bandwidth. " * 12 for k in range(20)]
    for limit, measure in ((TELEGRAM_MESSAGE_MAX, utf16_len), (DISCORD_MESSAGE_MAX, len)):
        messages = post_messages(thread, "How LLM inference works", descriptions, limit, measure)
        assert len(messages) >= 3 and all(measure(m) <= limit for m in messages)
        lines = [line for m in messages[1:] for line in m.splitlines()]
        assert lines[0] == ALT_HEADING and len(lines) == 21  # no slide's line was cut in two
    # one line longer than a message is cut between words
    pieces = split_message("word " * 1000, DISCORD_MESSAGE_MAX)
    assert len(pieces) == 3 and all(len(p) <= DISCORD_MESSAGE_MAX for p in pieces)


def test_bluesky_and_mastodon_threads_read_well_as_caption_and_post_text() -> None:
    """The recorded fixtures, fetched through the fake instance and AppView as a job would."""
    from tests.fakes.sources import FakeSources, load_fixture
    from worker.http import make_client
    from worker.sources import resolve

    with FakeSources() as fake:
        status = load_fixture("mastodon/status-recorded.json")
        fake.serve_json(f"/masto/api/v1/statuses/{status['id']}", status)
        context = load_fixture("mastodon/context-recorded.json")
        fake.serve_json(f"/masto/api/v1/statuses/{status['id']}/context", context)
        fake.serve_json(
            "/bsky/xrpc/com.atproto.identity.resolveHandle", load_fixture("bluesky/resolveHandle-erin.json")
        )
        fake.serve_json(
            "/bsky/xrpc/app.bsky.feed.getPostThread", load_fixture("bluesky/getPostThread-recorded.json")
        )
        settings = fake.settings()
        with make_client(settings) as client:
            mastodon = resolve(status["url"], settings=settings, client=client, max_posts=20)
            bluesky = resolve(
                "https://bsky.app/profile/erin.bsky.social/post/3kfocal000001",
                settings=settings,
                client=client,
                max_posts=20,
            )

    carousel = render_carousel(mastodon, RenderOptions(), {})
    summary = summarize(mastodon, carousel)
    assert caption_text(summary, TELEGRAM_CAPTION_MAX).splitlines()[:2] == [
        "Sourdough in 4 steps",
        f"Thread by Gina 🌿 (@gina@fosstodon.example) · {status['url']}",
    ]
    assert post_text(mastodon, summary.title) == (
        "Sourdough in 4 steps\n\n"
        "Feed your starter & wait. Mix flour, water, salt. Rest 1 h.\n\n"
        "#baking\n\n"  # the hashtag of the instance's HTML, once
        f"Thread by Gina 🌿 (@gina@fosstodon.example) · {status['url']}"
    )

    carousel = render_carousel(bluesky, RenderOptions(), {})
    summary = summarize(bluesky, carousel)
    root = "https://bsky.app/profile/erin.bsky.social/post/3kroot0000001"
    assert caption_text(summary, TELEGRAM_CAPTION_MAX).splitlines()[1] == (
        f"Thread by Erin Park (@erin.bsky.social) · {root}"
    )
    # "the ? operator" is not the end of a sentence; a sentence whose link shows shortened is left out
    assert post_text(bluesky, summary.title).split("\n\n")[1] == (
        "Errors are values: use Result and the ? operator. Lifetimes next. "
        "Last one: cargo clippy is your friend."
    )
    descriptions = slide_descriptions(carousel.texts, carousel.alts)
    assert "Quoted post by" in descriptions[2] and descriptions[-1] == "Closing slide."
