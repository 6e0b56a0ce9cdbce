"""Bluesky threads through the fake AppView."""

from __future__ import annotations

import pytest

from contract.errors import PostDeleted, PostNotFound, PostPrivate, RateLimited
from tests.fakes.sources import FakeSources, load_fixture
from worker.sources import resolve
from worker.sources.bluesky import text_with_links


def run(link, settings, client, max_posts=200):
    return resolve(link, settings=settings, client=client, max_posts=max_posts)


def test_recorded_thread_is_the_authors_chain(fake: FakeSources, settings, client) -> None:
    fake.serve_json(
        "/bsky/xrpc/com.atproto.identity.resolveHandle", load_fixture("bluesky/resolveHandle-erin.json")
    )
    fake.serve_json(
        "/bsky/xrpc/app.bsky.feed.getPostThread", load_fixture("bluesky/getPostThread-recorded.json")
    )
    thread = run("https://bsky.app/profile/erin.bsky.social/post/3kfocal000001", settings, client)
    assert thread.source == "bluesky"
    assert [p.id for p in thread.posts] == [
        "3kroot0000001",
        "3kfocal000001",
        "3kself0000003",
        "3kself0000004",
    ]
    assert thread.author.name == "Erin Park" and thread.author.handle == "erin.bsky.social"
    focal = thread.posts[1]
    # the shortened link text is replaced by the facet's full URL; multi-byte text before it is intact
    assert (
        "Überblick 👉 https://doc.rust-lang.org/book/ch09-00-error-handling.html and more below."
        in focal.text
    )
    assert [(m.alt, m.width) for m in focal.media] == [("A match expression on a Result", 1200), ("", None)]
    assert focal.media[0].url.startswith("https://cdn.bsky.app/img/feed_fullsize/")
    third = thread.posts[2]
    assert third.quote is not None and third.quote.text == "Lifetimes finally clicked for me today."
    assert third.quote.author.handle == "fred.example.com" and third.quote.author.name == "fred.example.com"
    assert [m.alt for m in third.media] == ["Borrow checker diagram"]
    assert thread.posts[3].media[0].kind == "video"
    assert thread.posts[3].url == "https://bsky.app/profile/erin.bsky.social/post/3kself0000004"
    calls = [r for r in fake.requests if r.path.endswith("getPostThread")]
    assert calls[0].query["uri"] == "at://did:plc:erin4q7zk2m3x5v/app.bsky.feed.post/3kfocal000001"
    assert calls[0].query["depth"] == "10" and calls[0].query["parentHeight"] == "80"


@pytest.mark.parametrize("length", [1, 2, 12, 40])
def test_threads_of_any_length(fake: FakeSources, settings, client, length: int) -> None:
    t = fake.add_bsky_thread(length)
    thread = run(t.url, settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert [p.text for p in thread.posts] == t.texts
    # depth 10 per call: longer chains are continued from their last post
    assert fake.count("/bsky/xrpc/app.bsky.feed.getPostThread") == 1 + (length - 1) // 10


def test_from_the_middle_with_other_peoples_replies(fake: FakeSources, settings, client) -> None:
    t = fake.add_bsky_thread(6)
    mid = fake.bsky_posts[f"at://{fake.bsky_handles['carol.bsky.social']}/app.bsky.feed.post/{t.ids[2]}"]
    stranger = fake.bsky_author("zed.bsky.social")
    fake.bsky_post("nice thread", author=stranger, parent=mid)
    thread = run(f"https://bsky.app/profile/carol.bsky.social/post/{t.ids[3]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids


def test_at_uri_with_did(fake: FakeSources, settings, client) -> None:
    t = fake.add_bsky_thread(2)
    did = fake.bsky_handles["carol.bsky.social"]
    thread = run(f"at://{did}/app.bsky.feed.post/{t.ids[0]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert fake.count("/bsky/xrpc/com.atproto.identity.resolveHandle") == 0


def test_unknown_handle_and_missing_post(fake: FakeSources, settings, client) -> None:
    with pytest.raises(PostNotFound) as err:
        run("https://bsky.app/profile/nobody.bsky.social/post/3kabc", settings, client)
    assert "Bluesky account" in err.value.message
    fake.add_bsky_thread(1)
    with pytest.raises(PostNotFound):
        run("https://bsky.app/profile/carol.bsky.social/post/3kmissing", settings, client)


def test_deleted_and_blocked_stubs(fake: FakeSources, settings, client) -> None:
    fake.bsky_handles["erin.bsky.social"] = "did:plc:erin"
    fake.serve_json(
        "/bsky/xrpc/app.bsky.feed.getPostThread",
        {"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x", "notFound": True}},
    )
    with pytest.raises(PostDeleted):
        run("https://bsky.app/profile/erin.bsky.social/post/3kabc", settings, client)
    fake.serve_json(
        "/bsky/xrpc/app.bsky.feed.getPostThread",
        {
            "thread": {
                "$type": "app.bsky.feed.defs#blockedPost",
                "uri": "at://x",
                "blocked": True,
                "author": {"did": "did:plc:erin"},
            }
        },
    )
    with pytest.raises(PostPrivate):
        run("https://bsky.app/profile/erin.bsky.social/post/3kabc", settings, client)


def test_rate_limit_with_retry_after_is_honoured(fake: FakeSources, settings, client) -> None:
    t = fake.add_bsky_thread(2)
    fake.fail_next(
        "/bsky/xrpc/app.bsky.feed.getPostThread",
        429,
        body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"Retry-After": "0"},
    )
    assert [p.id for p in run(t.url, settings, client).posts] == t.ids
    fake.fail_next(
        "/bsky/xrpc/", 429, times=5, body={"error": "RateLimitExceeded"}, headers={"Retry-After": "0"}
    )
    with pytest.raises(RateLimited):
        run("https://bsky.app/profile/carol.bsky.social/post/" + t.ids[1], settings, client)


def test_facets_count_utf8_bytes() -> None:
    text = "héllo 🦀 see exa.mple/lo... ok"
    start = len("héllo 🦀 see ".encode())
    end = start + len(b"exa.mple/lo...")
    record = {
        "text": text,
        "facets": [
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://exa.mple/long/path"}],
            },
            {
                "index": {"byteStart": 0, "byteEnd": 999},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://bad.example"}],
            },
        ],
    }
    assert text_with_links(record) == "héllo 🦀 see https://exa.mple/long/path ok"
