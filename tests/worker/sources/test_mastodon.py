"""Mastodon threads through the fake instance API."""

from __future__ import annotations

import pytest

from contract.errors import NotAThreadLink, PostNotFound, PostPrivate
from tests.fakes.sources import FakeSources, load_fixture
from worker.sources import resolve


def run(link, settings, client, max_posts=200):
    return resolve(link, settings=settings, client=client, max_posts=max_posts)


def test_recorded_status_and_context(fake: FakeSources, settings, client) -> None:
    status = load_fixture("mastodon/status-recorded.json")
    fake.serve_json(f"/masto/api/v1/statuses/{status['id']}", status)
    fake.serve_json(
        f"/masto/api/v1/statuses/{status['id']}/context", load_fixture("mastodon/context-recorded.json")
    )
    thread = run(status["url"], settings, client)
    assert thread.source == "mastodon" and thread.url == status["url"]
    assert [p.id for p in thread.posts] == [
        "112000000000000010",
        "112000000000000020",
        "112000000000000030",
        "112000000000000040",
    ]
    first = thread.posts[0]
    assert first.text_format == "html" and "Feed your starter &amp; wait." in first.text
    assert [(m.kind, m.alt, m.width) for m in first.media] == [
        ("photo", "A jar of bubbly starter", 1200),
        ("gif", "", 640),
    ]
    assert thread.author.name == "Gina 🌿" and thread.author.handle == "gina@fosstodon.example"
    assert thread.posts[2].content_warning == "Long one"
    assert thread.posts[2].text.startswith("<p>3. Stretch")  # the warning is not in the text
    assert 'href="https://example.org/sourdough"' in thread.posts[3].text


@pytest.mark.parametrize("length", [1, 2, 12, 40])
def test_threads_of_any_length(fake: FakeSources, settings, client, length: int) -> None:
    t = fake.add_mastodon_thread(length)
    thread = run(t.url, settings, client)
    assert [p.id for p in thread.posts] == t.ids
    assert [p.text for p in thread.posts] == t.texts


def test_chain_past_the_logged_out_depth_is_continued(fake: FakeSources, settings, client) -> None:
    t = fake.add_mastodon_thread(40)
    run(t.url, settings, client)
    # depth 20 per context call: the chain is picked up again from its last post
    assert fake.count("/masto/api/v1/statuses/") >= 3
    contexts = [r.path for r in fake.requests if r.path.endswith("/context")]
    assert contexts[0] == f"/masto/api/v1/statuses/{t.ids[0]}/context"
    assert contexts[1] == f"/masto/api/v1/statuses/{t.ids[20]}/context"


def test_from_the_last_post_keeps_only_the_authors_ancestors(fake: FakeSources, settings, client) -> None:
    other = fake.add_mastodon_thread(["<p>question</p>"], username="hal")
    t = fake.add_mastodon_thread(3)
    fake.masto_statuses[t.ids[0]]["in_reply_to_id"] = other.ids[0]
    thread = run(f"https://mastodon.example/@dave/{t.ids[-1]}", settings, client)
    assert [p.id for p in thread.posts] == t.ids


def test_missing_or_private(fake: FakeSources, settings, client) -> None:
    with pytest.raises(PostNotFound):
        run("https://mastodon.example/@dave/999999", settings, client)
    fake.fail_next(
        "/masto/api/v1/statuses/", 401, body={"error": "This method requires an authenticated user"}
    )
    with pytest.raises(PostPrivate):
        run("https://mastodon.example/@dave/999999", settings, client)


def test_instance_on_a_private_address_is_refused(client) -> None:
    from worker.config import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for link in (
        "https://localhost/@a/123456",
        "https://127.0.0.1/@a/123456",
        "https://10.1.2.3/@a/123456",
        "https://example.org:8080/@a/123456",
    ):
        with pytest.raises(NotAThreadLink):
            run(link, settings, client)


def test_instance_name_resolving_to_a_private_address_is_refused(fake: FakeSources) -> None:
    from worker.config import Settings
    from worker.http import make_client

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    table = {"social.example.com": ["127.0.0.1"], "v6.example.com": ["::ffff:127.0.0.1"]}
    with make_client(settings, resolve=lambda host, port: table.get(host, [])) as guarded:
        for link in ("https://social.example.com/@a/123456", "https://v6.example.com/@a/123456"):
            with pytest.raises(NotAThreadLink, match="public Mastodon server"):
                run(link, settings, guarded)
    assert fake.count("/") == 0
