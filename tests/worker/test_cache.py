"""Thread cache in a real Redis: a second resolve never reaches the source."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.fakes.sources import FakeSources
from worker.cache import ThreadCache
from worker.http import make_client
from worker.limits import THREAD_CACHE_TTL_S
from worker.sources import resolve


@pytest.fixture
def cache(redis_url: str) -> Iterator[ThreadCache]:
    conn = redis.Redis.from_url(redis_url)
    prefix = f"test-cache-{uuid.uuid4().hex}:"
    yield ThreadCache(conn, prefix=prefix)
    for key in conn.scan_iter(match=prefix + "*"):
        conn.delete(key)


def test_second_resolve_comes_from_the_cache(cache: ThreadCache) -> None:
    with FakeSources() as fake:
        t = fake.add_x_thread(30)
        settings = fake.settings()
        with make_client(settings) as client:
            first = resolve(t.url, settings=settings, client=client, cache=cache, max_posts=20)
            seen = fake.count()
            # the same post through another link form, as a re-render would ask
            second = resolve(
                f"https://twitter.com/alice/status/{t.ids[0]}?s=20",
                settings=settings,
                client=client,
                cache=cache,
                max_posts=25,
            )
        assert fake.count() == seen == 1
    assert [p.id for p in first.posts] == t.ids[:20] and first.total_posts == 30
    assert [p.id for p in second.posts] == t.ids[:25] and second.total_posts == 30


def test_entries_expire_and_are_keyed_by_canonical_post(cache: ThreadCache) -> None:
    with FakeSources() as fake:
        t = fake.add_x_thread(2)
        settings = fake.settings()
        with make_client(settings) as client:
            resolve(t.url, settings=settings, client=client, cache=cache, max_posts=20)
    key = cache.prefix + f"thread:x:{t.ids[0]}"
    ttl = cache.redis.ttl(key)
    assert 0 < ttl <= THREAD_CACHE_TTL_S
    assert cache.get(f"thread:x:{t.ids[0]}") is not None


def test_unreadable_entry_is_a_miss(cache: ThreadCache) -> None:
    cache.redis.set(cache.prefix + "thread:x:1", b"{broken")
    assert cache.get("thread:x:1") is None
    assert cache.redis.get(cache.prefix + "thread:x:1") is None


def test_redis_down_is_a_miss_not_a_failure() -> None:
    conn = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    dead = ThreadCache(conn, prefix="x:")
    assert dead.get("thread:x:1") is None
    with FakeSources() as fake:
        t = fake.add_x_thread(1)
        settings = fake.settings()
        with make_client(settings) as client:
            thread = resolve(t.url, settings=settings, client=client, cache=dead, max_posts=20)
    assert [p.id for p in thread.posts] == t.ids
