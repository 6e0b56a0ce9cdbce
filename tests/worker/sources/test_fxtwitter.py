"""X threads and Articles through the fake FxTwitter API (recorded and generated responses)."""

from __future__ import annotations

import httpx
import pytest

from contract.errors import (
    AccountUnavailable,
    ArticleLinkNeedsPost,
    ArticleUnavailable,
    NotAThreadLink,
    PostDeleted,
    PostNotFound,
    PostPrivate,
    PostRemoved,
    RateLimited,
    ShortLinkUnsupported,
    SourceUnavailable,
)
from tests.fakes.sources import FakeSources, load_fixture
from worker.config import Settings
from worker.http import make_client
from worker.sources import resolve
from worker.sources.fxtwitter import article_blocks


def run(link: str, settings: Settings, client: httpx.Client, max_posts: int = 100):
    return resolve(link, settings=settings, client=client, max_posts=max_posts)


# ----------------------------------------------------------------------------- recorded responses


def test_recorded_thread_keeps_the_authors_posts_in_order(fake: FakeSources, settings, client) -> None:
    body = load_fixture("x/thread-recorded.json")
    fake.serve_json("/fx/2/thread/1800000000000000101", body)
    thread = run("https://x.com/alicechen/status/1800000000000000101?s=20", settings, client)
    # bob's root post is dropped, the tombstone skipped, the repeated post deduplicated
    assert [p.id for p in thread.posts] == [
        "1800000000000000101",
        "1800000000000000103",
        "1800000000000000104",
    ]
    assert thread.source == "x" and thread.author.handle == "alicechen"
    assert thread.author.avatar_url == body["author"]["avatar_url"]
    first, video, quoting = thread.posts
    assert first.text.startswith("1/ How memory bandwidth")
    assert [(m.kind, m.width, m.height, m.alt) for m in first.media] == [
        ("photo", 1200, 800, "A bar chart of memory bandwidth per GPU"),
        ("photo", 900, 900, ""),
    ]
    assert [(m.kind, m.url) for m in video.media] == [
        ("video", "https://pbs.twimg.com/ext_tw_video_thumb/1800000000000000903/pu/img/thumb.jpg")
    ]
    assert quoting.text == "3/ Carl said it best & I agree → batch more."
    assert quoting.quote is not None and quoting.quote.author.handle == "carl_ml"
    assert quoting.quote.media[0].alt == "Roofline plot"
    assert quoting.created_at is not None and quoting.created_at.year == 2024
    assert fake.requests[0].headers["user-agent"].startswith("thread-carousel/0.1 (+https://")


def test_recorded_article_maps_to_blocks(fake: FakeSources, settings, client) -> None:
    body = load_fixture("x/article-llm-inference.json")
    fake.serve_json("/fx/2/thread/1800000000000000160", body)
    embedded = fake.x_status(
        "Embedded post text", user=fake.x_user("carl_ml"), status_id="1800000000000000104"
    )
    fake.add_x_status(embedded)
    thread = run("https://x.com/alicechen/article/1800000000000000160", settings, client)
    assert thread.source == "x-article"
    assert thread.title == "How LLM Inference Works, Clearly Explained"
    assert (
        thread.cover_image is not None and thread.cover_image.url == "https://pbs.twimg.com/media/GkCover.jpg"
    )
    (post,) = thread.posts
    kinds = [b.kind for b in post.blocks]
    assert kinds == [
        "paragraph",
        "heading",
        "paragraph",
        "code",
        "heading",
        "paragraph",
        "image",
        "heading",
        "paragraph",
        "numbered",
        "numbered",
        "numbered",
        "quote",
        "bullet",
        "bullet",
        "bullet",
        "post",
        "paragraph",
    ]
    blocks = post.blocks
    assert [s.text for s in blocks[0].spans if s.bold] == ["prefill", "decode"]
    assert blocks[1].level == 2 and blocks[1].text == "1. Tokenize"
    link = [s for s in blocks[2].spans if s.href]
    assert [(s.text, s.href) for s in link] == [("tiktoken", "https://github.com/openai/tiktoken")]
    assert blocks[3].language == "python" and blocks[3].text.startswith("import tiktoken\n")
    assert "```" not in blocks[3].text
    assert [s.text for s in blocks[5].spans if s.italic] == ["compute-bound"]
    assert blocks[6].media is not None and blocks[6].media.url == "https://pbs.twimg.com/media/GkPrefill.jpg"
    assert blocks[6].media.width == 1400
    assert [b.number for b in blocks[9:12]] == [1, 2, 3]
    assert [s.text for s in blocks[15].spans if s.strike] == ["almost"]
    assert blocks[16].post is not None and blocks[16].post.text == "Embedded post text"
    # offsets count UTF-16 units: the emoji before the mention takes two
    last = blocks[17]
    assert "".join(s.text for s in last.spans if s.bold) == "@karpathy"
    assert [(s.text, s.href) for s in last.spans if s.href] == [("karpathy", "https://x.com/karpathy")]


def test_article_without_blocks_is_a_clear_failure(fake: FakeSources, settings, client) -> None:
    body = load_fixture("x/article-without-content.json")
    fake.serve_json("/fx/2/thread/1800000000000000160", body)
    fake.serve_json("/fx/2/status/1800000000000000160", {**body, "thread": None})
    with pytest.raises(ArticleUnavailable) as err:
        run("https://x.com/alicechen/status/1800000000000000160", settings, client)
    assert "Article" in err.value.message
    assert fake.count("/fx/2/status/") == 1  # asked once more for the post alone


def test_article_id_link_asks_for_the_post_link(fake: FakeSources, settings, client) -> None:
    with pytest.raises(ArticleLinkNeedsPost) as err:
        run("https://x.com/i/article/1900000000000000001", settings, client)
    assert "post" in err.value.message
    assert fake.count() == 0


def test_article_parser_is_defensive_about_entity_map_shapes() -> None:
    article = {
        "content": {
            "blocks": [
                {
                    "type": "unstyled",
                    "text": "Read the docs now",
                    "entityRanges": [{"key": 7, "offset": 9, "length": 4}],
                    "inlineStyleRanges": [
                        {"offset": 0, "length": 4, "style": "BOLD"},
                        {"offset": 14, "length": 3, "style": "ITALIC"},
                    ],
                },
                {"type": "atomic", "text": " ", "entityRanges": [{"key": 8, "offset": 0, "length": 1}]},
                {"type": "header-one", "text": "Title"},
                {"type": "mystery-type", "text": "Unknown types read as paragraphs"},
            ],
            "entityMap": {
                "7": {"type": "LINK", "data": {"url": "https://docs.example.org"}},
                "8": {"type": "MARKDOWN", "data": {"markdown": "plain code without fences"}},
            },
        }
    }
    blocks = article_blocks(article)
    assert [b.kind for b in blocks] == ["paragraph", "code", "heading", "paragraph"]
    spans = blocks[0].spans
    assert [(s.text, s.bold, s.italic, s.href) for s in spans] == [
        ("Read", True, False, None),
        (" the ", False, False, None),
        ("docs", False, False, "https://docs.example.org"),
        (" ", False, False, None),
        ("now", False, True, None),
    ]
    assert blocks[1].language is None and blocks[1].text == "plain code without fences"
    assert blocks[2].level == 1


# ------------------------------------------------------------------------------------ error states


@pytest.mark.parametrize(
    ("fixture", "status", "error"),
    [
        ("x/deleted.json", 404, PostDeleted),
        ("x/suspended.json", 404, AccountUnavailable),
        ("x/private.json", 401, PostPrivate),
    ],
)
def test_recorded_failures_become_distinct_sentences(fake, settings, client, fixture, status, error) -> None:
    fake.serve_json("/fx/2/thread/1800000000000000777", load_fixture(fixture), status=status)
    with pytest.raises(error) as err:
        run("https://x.com/someone/status/1800000000000000777", settings, client)
    assert err.value.message and err.value.message != PostNotFound.message or error is PostNotFound


def test_error_sentences_are_distinct() -> None:
    classes = [
        NotAThreadLink,
        PostPrivate,
        PostDeleted,
        PostNotFound,
        RateLimited,
        ArticleUnavailable,
        ArticleLinkNeedsPost,
        SourceUnavailable,
        AccountUnavailable,
        PostRemoved,
        ShortLinkUnsupported,
    ]
    messages = [c.message for c in classes]
    assert len(set(messages)) == len(messages)


def test_unknown_post_is_not_found(fake: FakeSources, settings, client) -> None:
    with pytest.raises(PostNotFound):
        run("https://x.com/nobody/status/1234567890", settings, client)


def test_missing_user_agent_is_our_bug_not_the_users(fake: FakeSources, settings, client, caplog) -> None:
    fake.fail_next("/fx/2/thread/", 401, body=load_fixture("x/no-user-agent.json"))
    t = fake.add_x_thread(2)
    with pytest.raises(SourceUnavailable):
        run(t.url, settings, client)
    assert "User-Agent" in caplog.text
    assert fake.count("/syndication/") == 0  # our bug is not hidden behind the fallback
    # and the fake really refuses a request without one, as the real API does
    bare = httpx.get(f"{fake.fx_url}/2/thread/{t.ids[0]}", headers={"User-Agent": ""})
    assert bare.status_code == 401 and "code" not in bare.json()


def test_rate_limited_after_retries(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    fake.fail_next("/fx/2/thread/", 429, times=3, headers={"Retry-After": "0"})
    with pytest.raises(RateLimited):
        run(t.url, settings, client)
    assert fake.count("/fx/2/thread/") == 3


def test_long_retry_after_is_not_slept_through(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(2)
    fake.fail_next("/fx/2/thread/", 429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited):
        run(t.url, settings, client)
    assert fake.count("/fx/2/thread/") == 1


def test_server_errors_are_retried_then_succeed(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(3)
    fake.fail_next("/fx/2/thread/", 500, times=2, headers={"Retry-After": "0"})
    thread = run(t.url, settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert fake.count("/fx/2/thread/") == 3


def test_persistent_server_errors_are_source_unavailable(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(1)
    fake.fail_next("/fx/2/thread/", 500, times=3, headers={"Retry-After": "0"})
    fake.fail_next("/syndication/", 500, times=3, headers={"Retry-After": "0"})  # the fallback fails too
    with pytest.raises(SourceUnavailable):
        run(t.url, settings, client)
    assert fake.count("/fx/2/thread/") == 3 and fake.count("/syndication/") == 3


def test_unreachable_api_is_source_unavailable() -> None:
    dead = Settings(  # type: ignore[call-arg]
        _env_file=None,
        fxtwitter_api_url="http://127.0.0.1:9",
        syndication_url="http://127.0.0.1:9",
        media_hosts="127.0.0.1:9",
    )
    with make_client(dead) as client, pytest.raises(SourceUnavailable):
        run("https://x.com/a/status/1234567890", dead, client)


# ------------------------------------------------------------------------------- generated threads


@pytest.mark.parametrize("length", [1, 2, 12, 40])
@pytest.mark.parametrize("start", ["first", "middle", "last"])
def test_threads_of_any_length_from_any_post(
    fake: FakeSources, settings, client, length: int, start: str
) -> None:
    t = fake.add_x_thread(length, handle="alice")
    index = {"first": 0, "middle": length // 2, "last": length - 1}[start]
    link = f"https://x.com/alice/status/{t.ids[index]}"
    thread = run(link, settings, client, max_posts=100)
    assert [p.id for p in thread.posts] == t.ids
    assert [p.text for p in thread.posts] == t.texts
    assert not thread.truncated


def test_cap_records_the_full_length(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(40)
    thread = run(t.url, settings, client, max_posts=20)
    assert len(thread.posts) == 20 and thread.total_posts == 40 and thread.truncated
    assert [p.id for p in thread.posts] == t.ids[:20]


def test_thread_answering_someone_else_starts_at_the_authors_first_post(fake, settings, client) -> None:
    question = fake.add_x_thread(["What is a KV cache?"], handle="bob")
    t = fake.add_x_thread(
        ["1/ It stores keys and values", "2/ so decode is cheap"], handle="alice", reply_to=question.ids[0]
    )
    other = fake.x_status("great answer", user=fake.x_user("carl"), reply_to=fake.x_statuses[t.ids[1]])
    fake.add_x_status(other)
    thread = run(f"https://x.com/alice/status/{t.ids[1]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids


def test_null_thread_walks_up_through_the_authors_posts(fake: FakeSources, settings, client) -> None:
    fake.x_thread_null = True
    question = fake.add_x_thread(["A question"], handle="bob")
    t = fake.add_x_thread(5, handle="alice", reply_to=question.ids[0])
    thread = run(f"https://x.com/alice/status/{t.ids[-1]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids
    # one thread call, then one status call per parent (the last one finds bob and stops)
    assert fake.count("/fx/2/thread/") == 1
    assert fake.count("/fx/2/status/") == 4


def test_photos_and_video_thumbnails(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(["with photos", "plain"], photos_on={0: 3})
    video_status = fake.x_status(
        "a video",
        user=fake.x_statuses[t.ids[0]]["author"],
        reply_to=fake.x_statuses[t.ids[1]],
        videos=[fake.x_video("clip.png")],
    )
    fake.add_x_status(video_status)
    thread = run(t.url, settings, client)
    assert [len(p.media) for p in thread.posts] == [3, 0, 1]
    assert [m.alt for m in thread.posts[0].media] == [f"Photo {k} of post 1" for k in (1, 2, 3)]
    assert thread.posts[2].media[0].kind == "video"
    assert thread.posts[2].media[0].url == fake.media_url("clip.png")


def test_deleted_post_inside_a_thread_is_skipped(fake: FakeSources, settings, client) -> None:
    t = fake.add_x_thread(4)
    fake.add_x_tombstone(t.ids[1])
    # the chain below the deleted post still points at it; the API keeps the tombstone in `thread`
    thread = run(f"https://x.com/alice/status/{t.ids[0]}", settings, client)
    assert t.ids[1] not in [p.id for p in thread.posts]
