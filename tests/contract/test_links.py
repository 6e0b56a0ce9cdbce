"""Link recognition: every shape a user pastes → the same normalised reference."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.links import find_link, find_links, parse_link

X_ID = "1790123456789012345"


@pytest.mark.parametrize(
    "link",
    [
        f"https://x.com/jack/status/{X_ID}",
        f"https://twitter.com/jack/status/{X_ID}",
        f"http://mobile.twitter.com/jack/status/{X_ID}",
        f"https://www.x.com/jack/status/{X_ID}",
        f"https://fxtwitter.com/jack/status/{X_ID}",
        f"https://d.fxtwitter.com/jack/status/{X_ID}",
        f"https://t.fxtwitter.com/jack/status/{X_ID}",
        f"https://g.fixupx.com/jack/status/{X_ID}",
        f"https://fixupx.com/jack/status/{X_ID}",
        f"https://vxtwitter.com/jack/status/{X_ID}",
        f"https://fixvx.com/jack/status/{X_ID}",
        f"https://nitter.net/jack/status/{X_ID}",
        f"https://xcancel.com/jack/status/{X_ID}",
        f"https://nitter.poast.org/jack/status/{X_ID}",
        f"https://nitter.privacydev.net/jack/status/{X_ID}#m",
        f"https://nitter.example.org/jack/status/{X_ID}",
        f"https://x.com/jack/status/{X_ID}?s=20&t=AbCdEf_123",
        f"https://twitter.com/jack/status/{X_ID}?ref_src=twsrc%5Etfw",
        f"https://x.com/jack/status/{X_ID}/photo/1",
        f"https://x.com/jack/status/{X_ID}/video/2",
        f"https://x.com/jack/statuses/{X_ID}",
        f"https://x.com/jack/status/{X_ID}/analytics",
        f"https://d.fxtwitter.com/jack/status/{X_ID}.mp4",
        f"https://fxtwitter.com/dl/jack/status/{X_ID}",
        f"https://x.com/jack/article/{X_ID}",
        f"x.com/jack/status/{X_ID}",
        f"twitter.com/jack/status/{X_ID}/",
        f"HTTPS://X.COM/jack/status/{X_ID}",
    ],
)
def test_x_links_with_handle(link: str) -> None:
    ref = parse_link(link)
    assert ref is not None and ref.kind == "x"
    assert ref.id == X_ID
    assert ref.handle == "jack"
    assert ref.url == f"https://x.com/jack/status/{X_ID}"
    assert ref.cache_key == f"thread:x:{X_ID}"


@pytest.mark.parametrize(
    "link",
    [
        f"https://x.com/i/status/{X_ID}",
        f"https://twitter.com/i/web/status/{X_ID}",
        f"https://x.com/status/{X_ID}",
        f"x.com/i/web/status/{X_ID}?s=46",
    ],
)
def test_x_links_without_handle(link: str) -> None:
    ref = parse_link(link)
    assert ref is not None and (ref.kind, ref.id, ref.handle) == ("x", X_ID, None)
    assert ref.url == f"https://x.com/i/status/{X_ID}"


def test_x_article_id_link_is_recognised_as_article_id() -> None:
    ref = parse_link("https://x.com/i/article/1900000000000000001")
    assert ref is not None and ref.kind == "x-article-id" and ref.id == "1900000000000000001"


@pytest.mark.parametrize(
    ("link", "actor", "rkey"),
    [
        (
            "https://bsky.app/profile/Alice.bsky.social/post/3kabc2def3gh4",
            "alice.bsky.social",
            "3kabc2def3gh4",
        ),
        (
            "https://fxbsky.app/profile/alice.bsky.social/post/3kabc2def3gh4",
            "alice.bsky.social",
            "3kabc2def3gh4",
        ),
        (
            "bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kabc",
            "did:plc:z72i7hdynmk6r22z27h6tvur",
            "3kabc",
        ),
        (
            "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3kabc",
            "did:plc:z72i7hdynmk6r22z27h6tvur",
            "3kabc",
        ),
        ("https://bsky.app/profile/alice.bsky.social/post/3kabc?ref=share", "alice.bsky.social", "3kabc"),
    ],
)
def test_bluesky_links(link: str, actor: str, rkey: str) -> None:
    ref = parse_link(link)
    assert ref is not None and ref.kind == "bluesky"
    assert (ref.handle, ref.id) == (actor, rkey)
    assert ref.url == f"https://bsky.app/profile/{actor}/post/{rkey}"


@pytest.mark.parametrize(
    ("link", "instance", "user"),
    [
        ("https://mastodon.social/@Gargron/103270115826048975", "mastodon.social", "Gargron"),
        (
            "https://mastodon.social/@hal@other.example/103270115826048975",
            "mastodon.social",
            "hal@other.example",
        ),
        ("https://fosstodon.org/users/gina/statuses/103270115826048975", "fosstodon.org", "gina"),
        ("hachyderm.io/@kris/103270115826048975", "hachyderm.io", "kris"),
        ("https://mastodon.social/web/@Gargron/103270115826048975", "mastodon.social", "Gargron"),
    ],
)
def test_mastodon_links(link: str, instance: str, user: str) -> None:
    ref = parse_link(link)
    assert ref is not None and ref.kind == "mastodon"
    assert (ref.instance, ref.handle, ref.id) == (instance, user, "103270115826048975")
    assert ref.cache_key == f"thread:mastodon:{instance}:103270115826048975"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello world",
        "https://example.com/article/123",
        "https://x.com/jack",
        "https://x.com/jack/status/abc",
        "https://x.com/jack/likes",
        "https://youtube.com/@channel/12345",
        "https://www.tiktok.com/@user/video/7234567890123456789",
        "https://medium.com/@writer/12345",
        "https://bsky.app/profile/alice.bsky.social",
        "ftp://x.com/jack/status/1790123456789012345",
        "https://mastodon.social/@Gargron",
        "https://t.co/",
        "https://t.co/AbC/def",
        "https://t.co/Ab-Cd",
    ],
)
def test_unsupported_text_gives_no_link(text: str) -> None:
    assert find_link(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "https://t.co/AbCdEf1234",
        "http://t.co/AbCdEf1234",
        "t.co/AbCdEf1234",
        "HTTPS://T.CO/AbCdEf1234?amp=1",
        "wow (https://t.co/AbCdEf1234).",
    ],
)
def test_short_links_count_as_supported(text: str) -> None:
    match = find_link(text)
    assert match is not None and match.others == 0
    # the code is case-sensitive; the link the job receives is the canonical short link
    assert (match.ref.kind, match.ref.id, match.ref.url) == ("short", "AbCdEf1234", "https://t.co/AbCdEf1234")


def test_short_link_among_other_links_is_counted() -> None:
    match = find_link(f"https://t.co/AbCdEf1234 and https://x.com/jack/status/{X_ID}")
    assert match is not None and match.ref.kind == "short" and match.others == 1


def test_first_of_several_links_and_the_count_of_others() -> None:
    text = (
        f"look at this (x.com/jack/status/{X_ID}), also https://twitter.com/jack/status/{X_ID}?s=20 "
        "and <https://bsky.app/profile/a.bsky.social/post/3kabc> plus "
        "https://mastodon.social/@Gargron/103270115826048975."
    )
    match = find_link(text)
    assert match is not None
    assert match.ref.kind == "x" and match.ref.id == X_ID
    assert match.others == 2  # the second X link is the same post


def test_link_inside_markdown_and_punctuation() -> None:
    match = find_link(f"[thread](https://x.com/jack/status/{X_ID})!")
    assert match is not None and match.ref.id == X_ID and match.others == 0


# ------------------------------------------------------------------------------------ properties

x_hosts = st.sampled_from(
    [
        "x.com",
        "twitter.com",
        "mobile.twitter.com",
        "www.x.com",
        "fxtwitter.com",
        "d.fxtwitter.com",
        "t.fxtwitter.com",
        "g.fixupx.com",
        "fixupx.com",
        "vxtwitter.com",
        "fixvx.com",
        "nitter.net",
        "xcancel.com",
        "nitter.poast.org",
        "nitter.privacydev.net",
        "m.twitter.com",
    ]
)
handles = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True).filter(lambda h: h.lower() not in ("i", "web"))
ids = st.integers(min_value=10, max_value=10**19).map(str)
suffixes = st.sampled_from(["", "/", "/photo/1", "/photo/4", "/video/1", "/analytics", "/en"])
queries = st.sampled_from(["", "?s=20", "?s=20&t=Zx9_abc-DEF", "?ref_src=twsrc%5Etfw", "#m", "?lang=en#x"])
schemes = st.sampled_from(["https://", "http://", ""])
paths = st.sampled_from(
    ["{h}/status/{id}", "{h}/statuses/{id}", "i/status/{id}", "i/web/status/{id}", "{h}/article/{id}"]
)


@given(schemes, x_hosts, paths, handles, ids, suffixes, queries)
def test_any_x_url_variant_gives_the_same_id(
    scheme: str, host: str, path: str, handle: str, post_id: str, suffix: str, query: str
) -> None:
    url = f"{scheme}{host}/{path.format(h=handle, id=post_id)}{suffix}{query}"
    match = find_link(f"see {url} please")
    assert match is not None, url
    assert match.ref.kind == "x" and match.ref.id == post_id
    assert match.ref.cache_key == f"thread:x:{post_id}"


@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    match = find_link(text)
    assert match is None or match.others >= 0


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60), ids)
def test_link_found_among_random_words(noise: str, post_id: str) -> None:
    text = f"{noise} https://x.com/jack/status/{post_id} {noise}"
    assert find_link(text) is not None
    assert ("x", post_id) in [(r.kind, r.id) for r in find_links(text)]
