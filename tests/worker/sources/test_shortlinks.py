"""t.co short links: looked up at the (fake) short-link service, never followed past it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from contract.errors import (
    ArticleLinkNeedsPost,
    NotAThreadLink,
    PostNotFound,
    ShortLinkUnsupported,
    SourceUnavailable,
)
from tests.fakes.sources import FakeSources
from worker.cache import ThreadCache
from worker.http import get_with_retry
from worker.limits import HTTP_MAX_ATTEMPTS, SHORT_LINK_MAX_BYTES, SHORT_LINK_MAX_HOPS
from worker.sources import fetch, find_link, resolve
from worker.sources.shortlinks import target_in_html


def run(link: str, settings, client, cache: ThreadCache | None = None):
    return resolve(link, settings=settings, client=client, cache=cache, max_posts=100)


@pytest.mark.parametrize("as_page", [False, True], ids=["301-location", "200-meta-refresh"])
def test_short_link_to_an_x_thread(fake: FakeSources, settings, client, as_page: bool) -> None:
    t = fake.add_x_thread(3)
    short = fake.add_short_link(t.url + "?s=20", html=as_page)
    thread = run(f"look: {short}", settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert fake.count("/tco/") == 1 and fake.count("/fx/2/thread/") == 1
    code = short.rsplit("/", 1)[-1]
    assert [r.path for r in fake.requests if r.path.startswith("/tco/")] == [f"/tco/{code}"]


def test_short_link_to_bluesky_and_mastodon(fake: FakeSources, settings, client) -> None:
    b = fake.add_bsky_thread(2)
    m = fake.add_mastodon_thread(2)
    assert [p.text for p in run(fake.add_short_link(b.url), settings, client).posts] == b.texts
    assert len(run(fake.add_short_link(m.url), settings, client).posts) == 2


def test_short_link_chain_within_the_bound(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    link = t.url
    for _ in range(SHORT_LINK_MAX_HOPS):
        link = fake.add_short_link(link)
    assert [p.id for p in run(link, settings, client).posts] == t.ids
    assert fake.count("/tco/") == SHORT_LINK_MAX_HOPS


def test_redirect_hops_are_bounded(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    link = t.url
    for _ in range(SHORT_LINK_MAX_HOPS + 1):
        link = fake.add_short_link(link)
    with pytest.raises(ShortLinkUnsupported):
        run(link, settings, client)
    assert fake.count("/tco/") == SHORT_LINK_MAX_HOPS and fake.count("/fx/") == 0


def test_short_link_loop_stops(fake: FakeSources, settings, client) -> None:
    fake.add_short_link("https://t.co/LoopB", code="LoopA")
    fake.add_short_link("https://t.co/LoopA", code="LoopB")
    with pytest.raises(ShortLinkUnsupported):
        run("https://t.co/LoopA", settings, client)
    assert fake.count("/tco/") == SHORT_LINK_MAX_HOPS


@pytest.mark.parametrize(
    "target",
    [
        "https://example.com/blog/2024/post",
        "https://x.com/jack",
        f"http://127.0.0.1:1/{'a' * 10}",
        "javascript:alert(1)",
    ],
)
def test_target_that_is_not_a_post_is_refused_without_fetching_it(
    fake: FakeSources, settings, client, target: str
) -> None:
    short = fake.add_short_link(target)
    with pytest.raises(NotAThreadLink) as err:
        run(short, settings, client)
    assert err.value.message == ShortLinkUnsupported.message
    assert "t.co" in err.value.message and err.value.message != NotAThreadLink.message
    # only the short-link service was asked
    assert fake.count() == fake.count("/tco/") == 1


def test_relative_location_is_another_short_link(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(1)
    fake.add_short_link(t.url, code="Final1")
    fake.add_short_link("/Final1", code="Start1")
    assert [p.id for p in run("https://t.co/Start1", settings, client).posts] == t.ids
    assert fake.count("/tco/") == 2


def test_short_link_to_an_article_id_asks_for_the_post(fake: FakeSources, settings, client) -> None:
    short = fake.add_short_link("https://x.com/i/article/1900000000000000001")
    with pytest.raises(ArticleLinkNeedsPost):
        run(short, settings, client)
    assert fake.count("/fx/") == 0


def test_unknown_short_link_is_not_found(fake: FakeSources, settings, client) -> None:
    with pytest.raises(PostNotFound):
        run("https://t.co/Nope000000", settings, client)
    assert fake.count("/tco/") == 1


def test_short_link_service_failing_is_retried_then_unavailable(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(1)
    short = fake.add_short_link(t.url)
    fake.fail_next("/tco/", 503, times=HTTP_MAX_ATTEMPTS, headers={"Retry-After": "0"})
    with pytest.raises(SourceUnavailable):
        run(short, settings, client)
    assert fake.count("/tco/") == HTTP_MAX_ATTEMPTS and fake.count("/fx/") == 0


def test_fetch_expands_a_short_ref_too(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    match = find_link(fake.add_short_link(t.url))
    assert match is not None and match.ref.kind == "short"
    assert [p.id for p in fetch(match.ref, settings=settings, client=client).posts] == t.ids


@pytest.fixture
def cache(redis_url: str) -> Iterator[ThreadCache]:
    conn = redis.Redis.from_url(redis_url)
    prefix = f"test-shortlinks-{uuid.uuid4().hex}:"
    yield ThreadCache(conn, prefix=prefix)
    for key in conn.scan_iter(match=prefix + "*"):
        conn.delete(key)


def test_short_link_and_post_link_share_the_cache(fake: FakeSources, settings, client, cache) -> None:
    t = fake.add_x_thread(2)
    short = fake.add_short_link(t.url)
    first = run(short, settings, client, cache)
    second = run(t.url, settings, client, cache)
    third = run(short, settings, client, cache)
    assert first == second == third
    assert fake.count("/fx/") == 1  # the thread was fetched once
    assert fake.count("/tco/") == 2  # each short link is still looked up (cheap, and it may change)


@pytest.mark.parametrize(
    ("page", "target"),
    [
        (
            '<head><noscript><META http-equiv="refresh" content="0;URL=https://x.com/a/status/12"></noscript>'
            "<title>https://x.com/a/status/12</title></head>",
            "https://x.com/a/status/12",
        ),
        ("<meta content='0; url=https://bsky.app/profile/a.b/post/3k' http-equiv='Refresh'>", None),
        ('<meta http-equiv=refresh content="1;url=https://x.com/a/status/12?s=20&amp;t=x">', None),
        ("<html><title> https://x.com/b/status/34 </title></html>", "https://x.com/b/status/34"),
        ("<html><title>Redirecting</title></html>", ""),
        ('<meta name="referrer" content="always">', ""),
    ],
)
def test_target_in_html_shapes(page: str, target: str | None) -> None:
    found = target_in_html(page)
    if target is None:  # read from the refresh tag itself
        assert found is not None and found.startswith("https://") and "&amp;" not in found
    elif target == "":
        assert found is None
    else:
        assert found == target


def test_capped_read_stops_at_the_byte_limit(fake: FakeSources, client: httpx.Client) -> None:
    endless = fake.add_endless("never-ends.html", content_type="text/html")
    response = get_with_retry(client, endless, max_bytes=SHORT_LINK_MAX_BYTES)
    assert response.status_code == 200 and len(response.content) == SHORT_LINK_MAX_BYTES
