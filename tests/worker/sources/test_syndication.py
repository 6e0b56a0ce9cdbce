"""The syndication fallback for X posts: used only when FxTwitter fails, mapped like FxTwitter."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from contract.errors import (
    PostDeleted,
    PostNotFound,
    PostPrivate,
    PostRemoved,
    RateLimited,
    SourceUnavailable,
)
from tests.fakes.sources import FakeSources
from worker.cache import ThreadCache
from worker.http import USER_AGENT
from worker.limits import HTTP_MAX_ATTEMPTS
from worker.sources import resolve
from worker.sources.syndication import display_text, syndication_token, to_fx_status


def run(link: str, settings, client, cache: ThreadCache | None = None, max_posts: int = 100):
    return resolve(link, settings=settings, client=client, cache=cache, max_posts=max_posts)


def fx_down(fake: FakeSources, status: int = 503) -> None:
    fake.fail_next("/fx/2/thread/", status, times=HTTP_MAX_ATTEMPTS, headers={"Retry-After": "0"})


# ------------------------------------------------------------------------------------------- token


def test_token_matches_the_documented_example() -> None:
    assert syndication_token("20") == "6dq1a2xwd93"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_token_matches_javascript_for_many_ids() -> None:
    rng = random.Random(20)
    ids = ["20", "1", "1000000000000000", "1800000000000000101"]
    ids += [str(rng.randrange(10, 10**19)) for _ in range(400)]
    ids += [str(rng.randrange(10**17, 2 * 10**18)) for _ in range(400)]
    script = (
        "const ids = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(ids.map(id => ((Number(id) / 1e15) * Math.PI)"
        ".toString(6 ** 2).replace(/(0+|\\.)/g, ''))));"
    )
    out = subprocess.run(
        ["node", "-e", script], input=json.dumps(ids), capture_output=True, text=True, timeout=30, check=True
    )
    expected = json.loads(out.stdout)
    assert [syndication_token(i) for i in ids] == expected


# ---------------------------------------------------------------------------------------- fallback


def test_not_used_while_fxtwitter_answers(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(3)
    assert [p.id for p in run(t.url, settings, client).posts] == t.ids
    fake.fail_next("/fx/2/thread/", 500, times=HTTP_MAX_ATTEMPTS - 1, headers={"Retry-After": "0"})
    assert [p.id for p in run(t.url, settings, client).posts] == t.ids  # retries were enough
    assert fake.count("/syndication/") == 0


@pytest.mark.parametrize(
    ("status", "error"), [(404, PostNotFound), (401, PostPrivate), (429, RateLimited), (400, PostNotFound)]
)
def test_not_used_when_fxtwitter_gives_a_definite_answer(fake, settings, client, status, error) -> None:
    t = fake.add_x_thread(1)
    fake.fail_next(
        "/fx/2/thread/",
        status,
        times=HTTP_MAX_ATTEMPTS,
        body={"code": status, "message": "x"},
        headers={"Retry-After": "0"},
    )
    with pytest.raises(error):
        run(t.url, settings, client)
    assert fake.count("/syndication/") == 0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_fall_back_to_syndication(fake: FakeSources, settings, client, status: int) -> None:
    t = fake.add_x_thread(["only post & <more> https://example.com/a?b=1&c=2"], photos_on={0: 2})
    fx_down(fake, status)
    thread = run(t.url, settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert thread.posts[0].text == t.texts[0]
    assert [m.alt for m in thread.posts[0].media] == ["Photo 1 of post 1", "Photo 2 of post 1"]
    assert fake.count("/fx/2/thread/") == HTTP_MAX_ATTEMPTS and fake.count("/syndication/") == 1
    (call,) = [r for r in fake.requests if r.path.startswith("/syndication/")]
    assert call.path == "/syndication/tweet-result"
    assert call.query == {"id": t.ids[0], "lang": "en", "token": syndication_token(t.ids[0])}
    assert call.headers["user-agent"] == USER_AGENT


def test_timeout_falls_back_to_syndication(fake: FakeSources, settings) -> None:
    t = fake.add_x_thread(1)
    for _ in range(HTTP_MAX_ATTEMPTS):
        fake.stall_next("/fx/2/thread/", 1.0)
    with httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=0.2) as quick:
        thread = run(t.url, settings, quick)
    assert [p.id for p in thread.posts] == t.ids
    assert fake.count("/fx/2/thread/") == HTTP_MAX_ATTEMPTS and fake.count("/syndication/") == 1


def test_walks_up_through_the_authors_posts_only(fake: FakeSources, settings, client) -> None:
    question = fake.add_x_thread(["A question for alice?"], handle="bob")
    t = fake.add_x_thread(5, handle="alice", reply_to=question.ids[0])
    fx_down(fake)
    thread = run(f"https://x.com/alice/status/{t.ids[-1]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids
    # the focal post, then one call per parent by alice; bob's post is never fetched
    assert fake.count("/syndication/") == 5
    assert question.ids[0] not in [r.query.get("id") for r in fake.requests]


def test_from_the_first_post_only_that_post(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(4)
    fx_down(fake)
    thread = run(t.url, settings, client)
    assert [p.id for p in thread.posts] == t.ids[:1]  # no downward data in the fallback


def test_fallback_thread_equals_the_fxtwitter_thread(fake: FakeSources, settings, client) -> None:
    bob = fake.add_x_thread(["Quote me"], handle="bob", photos_on={0: 1})
    alice = fake.x_user("alice")
    root = fake.x_status(
        "1/ Caches & <queues>: https://example.com/x?y=1&z=2 read this",
        user=alice,
        reply_to=fake.x_statuses[bob.ids[0]],
        photos=[fake.x_photo("p1.png", alt="A chart"), fake.x_photo("p2.png")],
    )
    fake.add_x_status(root)
    video = fake.x_status("2/ a clip", user=alice, reply_to=root, videos=[fake.x_video("clip.png")])
    fake.add_x_status(video)
    quoting = fake.x_status("3/ as bob said", user=alice, reply_to=video, quote=fake.x_statuses[bob.ids[0]])
    fake.add_x_status(quoting)
    link = f"https://x.com/alice/status/{quoting['id']}"

    through_fx = run(link, settings, client)
    fx_down(fake)
    through_syndication = run(link, settings, client)

    assert [p.id for p in through_fx.posts] == [root["id"], video["id"], quoting["id"]]
    assert through_syndication == through_fx
    assert fake.count("/syndication/") == 3


def test_long_posts_use_the_shortened_text(fake: FakeSources, settings, client) -> None:
    long_text = "A long post. " * 40
    t = fake.add_x_thread([long_text])
    fx_down(fake)
    (post,) = run(t.url, settings, client).posts
    assert long_text.startswith(post.text.rstrip("…").rstrip()) and len(post.text) < len(long_text)


def test_tombstone_is_a_removed_post(fake: FakeSources, settings, client) -> None:
    fake.add_x_tombstone("1900000000000000999")
    fx_down(fake)
    with pytest.raises(PostDeleted) as err:
        run("https://x.com/alice/status/1900000000000000999", settings, client)
    assert err.value.message == PostRemoved.message


def test_empty_answer_is_not_found(fake: FakeSources, settings, client) -> None:
    fx_down(fake)
    with pytest.raises(PostNotFound) as err:
        run("https://x.com/alice/status/1900000000000000998", settings, client)
    assert err.value.message == PostNotFound.message
    assert fake.count("/syndication/") == 1


def test_both_failing_is_source_unavailable(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    fx_down(fake)
    fake.fail_next("/syndication/", 429, times=HTTP_MAX_ATTEMPTS, headers={"Retry-After": "0"})
    with pytest.raises(SourceUnavailable):
        run(t.url, settings, client)
    assert fake.count("/syndication/") == HTTP_MAX_ATTEMPTS


def test_failing_parent_ends_the_walk(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(3)
    fx_down(fake)
    last = fake.x_statuses[t.ids[-1]]
    fake.fail_next("/syndication/", 200, body=fake.syndication_tweet(last))  # the focal post is fine ...
    fake.fail_next("/syndication/", 200, body={})  # ... but its parent cannot be read
    thread = run(f"https://x.com/alice/status/{t.ids[-1]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids[-1:]
    assert fake.count("/syndication/") == 2


@pytest.fixture
def cache(redis_url: str) -> Iterator[ThreadCache]:
    conn = redis.Redis.from_url(redis_url)
    prefix = f"test-syndication-{uuid.uuid4().hex}:"
    yield ThreadCache(conn, prefix=prefix)
    for key in conn.scan_iter(match=prefix + "*"):
        conn.delete(key)


def test_fallback_threads_are_not_cached(fake: FakeSources, settings, client, cache) -> None:
    t = fake.add_x_thread(3)
    fx_down(fake)
    assert len(run(t.url, settings, client, cache).posts) == 1
    assert cache.get(f"thread:x:{t.ids[0]}") is None
    # FxTwitter is back: the whole thread, fetched (and now cached)
    assert [p.id for p in run(t.url, settings, client, cache).posts] == t.ids
    assert cache.get(f"thread:x:{t.ids[0]}") is not None


# ----------------------------------------------------------------------------------------- mapping


def test_mapping_of_a_syndication_tweet() -> None:
    tweet = {
        "__typename": "Tweet",
        "id_str": "1800000000000000555",
        "text": "@bob @carl Yes &amp; no: https://t.co/abc123 https://t.co/media1",
        "display_text_range": [11, 37],
        "created_at": "2024-06-01T10:00:00.000Z",
        "entities": {
            "urls": [{"url": "https://t.co/abc123", "expanded_url": "https://example.com/?a=1&b=2"}],
            "media": [{"url": "https://t.co/media1"}],
        },
        "user": {
            "id_str": "12",
            "name": "Dana",
            "screen_name": "dana",
            "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
        },
        "mediaDetails": [
            {
                "type": "animated_gif",
                "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/G.jpg",
                "original_info": {"width": 480, "height": 270},
                "video_info": {
                    "variants": [{"content_type": "video/mp4", "url": "https://video.twimg.com/g.mp4"}]
                },
            },
            {
                "type": "photo",
                "media_url_https": "https://pbs.twimg.com/media/P.jpg",
                "ext_alt_text": "A cat",
                "original_info": {"width": 1200, "height": 800},
            },
        ],
        "in_reply_to_status_id_str": "1800000000000000554",
        "in_reply_to_screen_name": "bob",
        "note_tweet": {"id": "x"},
        "quoted_tweet": {
            "id_str": "1800000000000000400",
            "text": "quoted",
            "user": {"id_str": "13", "name": "Eve", "screen_name": "eve"},
            "video": {"poster": "https://pbs.twimg.com/ext_tw_video_thumb/V.jpg"},
        },
    }
    status = to_fx_status(tweet)
    assert status["text"] == "Yes & no: https://example.com/?a=1&b=2 …"  # a long post, cut: marked
    assert status["url"] == "https://x.com/dana/status/1800000000000000555"
    assert status["author"]["avatar_url"] == "https://pbs.twimg.com/profile_images/1/a_200x200.jpg"
    assert status["replying_to"] == {"screen_name": "bob", "status": "1800000000000000554"}
    assert [(m["type"], m.get("thumbnail_url") or m["url"]) for m in status["media"]["all"]] == [
        ("gif", "https://pbs.twimg.com/tweet_video_thumb/G.jpg"),
        ("photo", "https://pbs.twimg.com/media/P.jpg?name=orig"),
    ]
    assert status["media"]["photos"][0]["altText"] == "A cat"
    quote = status["quote"]
    assert quote["author"]["screen_name"] == "eve" and quote["quote"] is None
    assert quote["media"]["videos"][0]["thumbnail_url"] == "https://pbs.twimg.com/ext_tw_video_thumb/V.jpg"


def test_display_text_keeps_text_that_only_looks_like_a_range() -> None:
    # a display range that would cut real words (not reply mentions) is not applied
    assert display_text({"text": "Hello world", "display_text_range": [6, 11]}) == "Hello world"
    assert display_text({"text": "@a hi", "display_text_range": [3, 5]}) == "hi"
    assert display_text({"text": "see https://t.co/unknown1"}) == "see https://t.co/unknown1"
