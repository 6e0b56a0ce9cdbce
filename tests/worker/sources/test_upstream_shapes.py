"""Sources fed with response bodies built on the upstream projects' own types, snapshots and
documented examples (see tests/fixtures/sources/README.md for which file follows which upstream file):
link cards, custom emoji, reply mentions, polls, YouTube players, quote fallbacks, content warnings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rendering.model import Thread
from tests.fakes.sources import FakeSources, load_fixture
from worker.media import check_url
from worker.sources import resolve
from worker.sources.fxtwitter import thread_from_response
from worker.sources.syndication import to_fx_status


def run(link: str, settings, client) -> Thread:
    return resolve(link, settings=settings, client=client, max_posts=200)


# ------------------------------------------------------------------------------------------------ X


@pytest.fixture
def x_thread(fake: FakeSources, settings, client) -> Thread:
    body = load_fixture("x/thread-features.json")
    fake.serve_json(f"/fx/2/thread/{body['status']['id']}", body)
    return run(body["status"]["url"], settings, client)


def test_x_reply_mentions_before_the_display_range_are_dropped(x_thread: Thread) -> None:
    assert [p.id[-3:] for p in x_thread.posts] == ["101", "102", "103", "104", "105"]
    texts = [p.text for p in x_thread.posts]
    assert texts[0].startswith("How MVCC bloat creeps up")
    assert texts[2].startswith("3/ Quick poll")  # the counter leads again, so it can be stripped
    assert not any(t.startswith("@samortiz") or "[@samortiz]" in t for t in texts)


def test_x_mentions_in_the_text_are_linked(x_thread: Thread) -> None:
    assert "[@pg_docs](https://x.com/pg_docs) explains the rules" in x_thread.posts[1].text


def test_x_youtube_player_is_a_link_card_not_a_video(x_thread: Thread) -> None:
    post = x_thread.posts[3]
    assert post.media == ()  # no empty video box
    card = post.card
    assert card is not None and card.video
    assert card.url == "https://www.youtube.com/watch?v=Zx8YgqCvPzQ"
    assert card.site == "youtube.com"
    assert card.image is not None
    assert card.image.url == "https://img.youtube.com/vi/Zx8YgqCvPzQ/maxresdefault.jpg"
    assert (card.image.width, card.image.height) == (1280, 720)
    check_url(card.image.url, ())  # the source named it: any https host on a public address is fine


def test_x_poll_with_votes_and_percentages(x_thread: Thread) -> None:
    poll = x_thread.posts[2].poll
    assert poll is not None and poll.closed and poll.total_votes == 800
    assert [(o.label, o.votes, o.percent) for o in poll.options] == [
        ("autovacuum_vacuum_scale_factor", 412, 51.5),
        ("fillfactor", 188, 23.5),
        ("Nothing, I ran VACUUM FULL", 200, 25.0),
    ]
    assert poll.ends_at == datetime(2025, 3, 2, 9, 7, tzinfo=UTC)


def test_x_link_card(x_thread: Thread) -> None:
    card = x_thread.posts[1].card
    assert card is not None and not card.video
    assert card.url == "https://www.postgresql.org/docs/current/routine-vacuuming.html"
    assert card.title == "PostgreSQL: Documentation: 18: 24.1. Routine Vacuuming"
    assert card.description.startswith("PostgreSQL databases require periodic maintenance")
    assert card.site == "postgresql.org"
    assert card.image is not None and card.image.url.startswith("https://pbs.twimg.com/card_img/")
    assert (card.image.width, card.image.height) == (800, 419)
    urls = [m.url for m in x_thread.media()]
    assert card.image.url in urls  # downloaded with the thread's other images


def test_x_note_tweet_bold_and_italic(x_thread: Thread) -> None:
    text = x_thread.posts[4].text
    assert "**Never run VACUUM FULL on a busy table**: *it takes an ACCESS EXCLUSIVE lock* and" in text


def test_x_quote_of_a_deleted_post_is_kept_as_unavailable(x_thread: Thread) -> None:
    quote = x_thread.posts[4].quote
    assert quote is not None and quote.unavailable and quote.text == ""


def test_syndication_card_and_cut_long_post() -> None:
    status = to_fx_status(load_fixture("x/syndication-note-tweet-card.json"))
    thread = thread_from_response({"status": status, "thread": None})
    post = thread.posts[0]
    assert post.text.endswith("The dashboards are in the write-up https://ellenpark.dev/posts/bloat …")
    card = post.card
    assert card is not None
    assert card.url == "https://ellenpark.dev/posts/bloat"  # the t.co card URL, expanded
    assert card.title == "How we shrank a 41 GB table to 10 GB"
    assert card.site == "ellenpark.dev"
    assert card.image is not None and card.image.width == 800


def test_syndication_poll_and_reply_mentions() -> None:
    status = to_fx_status(load_fixture("x/syndication-poll.json"))
    post = thread_from_response({"status": status, "thread": None}).posts[0]
    assert post.text == "3/ Quick poll before the fixes: what did you change first?"
    poll = post.poll
    assert poll is not None and poll.closed and poll.total_votes == 800
    assert [(o.label, o.votes, o.percent) for o in poll.options] == [
        ("autovacuum_vacuum_scale_factor", 412, 51.5),
        ("fillfactor", 188, 23.5),
        ("Nothing, I ran VACUUM FULL", 200, 25.0),
    ]


# ------------------------------------------------------------------------------------------ Bluesky


@pytest.fixture
def bsky_thread(fake: FakeSources, settings, client) -> Thread:
    fake.serve_json(
        "/bsky/xrpc/com.atproto.identity.resolveHandle", load_fixture("bluesky/resolveHandle-quinn.json")
    )
    fake.serve_json(
        "/bsky/xrpc/app.bsky.feed.getPostThread", load_fixture("bluesky/getPostThread-cards.json")
    )
    return run("https://bsky.app/profile/quinn.bsky.social/post/3lmcard0aa", settings, client)


def test_bluesky_external_embeds_are_link_cards(bsky_thread: Thread) -> None:
    assert [p.id for p in bsky_thread.posts] == [
        "3lmcard0aa",
        "3lmcard1bb",
        "3lmcard2cc",
        "3lmcard3dd",
        "3lmcard4ee",
    ]
    first, only_card, with_quote = bsky_thread.posts[:3]
    assert first.card is not None
    assert first.card.url == "https://www.nature.com/articles/d41586-025-00001-1"
    assert first.card.title == "The quiet revolution in battery chemistry"
    assert first.card.description == "Sodium-ion cells are leaving the lab."
    assert first.card.site == "nature.com"
    assert first.card.image is not None and first.card.image.url.startswith("https://cdn.bsky.app/img/")
    # a post that is only a card keeps its link, title and image
    assert only_card.text == "" and only_card.card is not None
    assert only_card.card.title == "How Bees Count"
    # a quote with a card as its media: both
    assert with_quote.card is not None and with_quote.card.title == "The Last Lighthouse Keepers"
    assert with_quote.quote is not None and with_quote.quote.text == "Long read, worth it."


def test_bluesky_quote_of_a_deleted_or_blocked_post_is_unavailable(bsky_thread: Thread) -> None:
    deleted, blocked = bsky_thread.posts[3:5]
    assert deleted.quote is not None and deleted.quote.unavailable
    assert blocked.quote is not None and blocked.quote.unavailable


def test_bluesky_mentions_are_linked(bsky_thread: Thread) -> None:
    text = bsky_thread.posts[0].text
    assert text == (
        "Three links worth your weekend, with "
        "[@rav.bsky.social](https://bsky.app/profile/did:plc:ravioli5example9q8w7xyz) 🧵"
    )


# ----------------------------------------------------------------------------------------- Mastodon


@pytest.fixture
def masto_thread(fake: FakeSources, settings, client) -> Thread:
    status = load_fixture("mastodon/status-features.json")
    fake.serve_json(f"/masto/api/v1/statuses/{status['id']}", status)
    fake.serve_json(
        f"/masto/api/v1/statuses/{status['id']}/context", load_fixture("mastodon/context-features.json")
    )
    return run(status["url"], settings, client)


def test_mastodon_custom_emoji_of_posts_and_accounts(masto_thread: Thread) -> None:
    author = masto_thread.author
    assert author.name == "Gina :verified:"
    assert [(e.shortcode, e.url) for e in author.emojis] == [
        (
            "verified",
            "https://cdn.masto.host/bakerssocial/custom_emojis/images/000/011/739/static/verified.png",
        )
    ]
    first = masto_thread.posts[0]
    assert ":blobcatcoffee:" in first.text
    assert [e.shortcode for e in first.emojis] == ["blobcatcoffee"]
    assert first.emojis[0].url.endswith("/static/blobcatcoffee.png")
    urls = [m.url for m in masto_thread.media()]
    assert first.emojis[0].url in urls and author.emojis[0].url in urls


def test_mastodon_shared_cdn_media_are_acceptable(masto_thread: Thread) -> None:
    for media in masto_thread.media():
        check_url(media.url, ())  # cdn.masto.host and files.mastodon.social: named by the source


def test_mastodon_reply_prefix_mentions_are_dropped(masto_thread: Thread) -> None:
    first, second = masto_thread.posts[:2]
    assert "@<span>kim</span>" not in first.text and "@<span>kim</span>" not in second.text
    assert first.text.startswith("<p>Sourdough hydration, the short version")
    assert second.text.startswith("<p>2/ Wetter doughs")


def test_mastodon_quote_inline_fallback_is_dropped(masto_thread: Thread) -> None:
    quoting = masto_thread.posts[2]
    assert "quote-inline" not in quoting.text and "RE:" not in quoting.text
    assert quoting.text.startswith("<p>3/ One wrong digit")
    assert quoting.quote is not None and quoting.quote.author.name == "Eugen"


def test_mastodon_content_warning_is_kept_apart_from_the_text(masto_thread: Thread) -> None:
    warned = masto_thread.posts[1]
    assert warned.content_warning == "strong bread opinions"
    assert "strong bread opinions" not in warned.text


def test_mastodon_poll(masto_thread: Thread) -> None:
    poll = masto_thread.posts[3].poll
    assert poll is not None and poll.closed and poll.total_votes == 40
    assert [(o.label, o.votes, o.percent) for o in poll.options] == [
        ("65–70%", 10, 25.0),
        ("70–75%", 22, 55.0),
        ("Over 75%", 8, 20.0),
    ]


def test_mastodon_preview_card(masto_thread: Thread) -> None:
    card = masto_thread.posts[0].card
    assert card is not None
    assert card.url == "https://www.kingarthurbaking.com/pro/reference/hydration"
    assert card.title == "Dough hydration | King Arthur Baking"
    assert card.site == "King Arthur Baking"
    assert card.image is not None and (card.image.width, card.image.height) == (400, 209)
    assert masto_thread.posts[2].card is None  # a quote post's link is the quote, not a card
