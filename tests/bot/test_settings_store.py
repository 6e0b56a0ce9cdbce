"""The settings store: the same behaviour in memory and in Redis; precedence and provenance."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis import Redis

from bot.settings_model import BrandKit, ImageRef, JobRecord, Layer, Look, PendingInput, ScopeState, resolve
from bot.settings_store import MemorySettingsStore, RedisSettingsStore, SettingsStore, effective, update_value
from bot.telegram.ratelimit import MemoryRateLimiter, RedisRateLimiter
from contract import Brand, RenderOptions
from tests.conftest import REDIS_URL  # TEST_REDIS_URL, or the local default


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SettingsStore]:
    if request.param == "memory":
        yield MemorySettingsStore()
        return
    prefix = f"test:store:{uuid.uuid4().hex}:"
    redis_store = RedisSettingsStore.from_url(REDIS_URL, prefix)
    yield redis_store
    await redis_store.close()
    sync = Redis.from_url(REDIS_URL)
    keys = list(sync.scan_iter(f"{prefix}*"))
    if keys:
        sync.delete(*keys)
    sync.close()


async def test_values_presets_and_reset(store: SettingsStore) -> None:
    scope = "telegram:user:1"
    assert await store.state(scope) == ScopeState()
    await update_value(store, scope, "theme", "midnight")
    await update_value(store, scope, "brand.avatar", ImageRef(file_id="AgAC-1"))
    state = await store.state(scope)
    assert state.personal.theme == "midnight"
    assert state.personal.brand.avatar == ImageRef(file_id="AgAC-1")

    await store.save_preset(scope, "b", Look(ratio="1:1"))
    await store.save_preset(scope, "a", Look(format="jpeg"))
    assert await store.preset_names(scope) == ["a", "b"]
    assert await store.preset(scope, "b") == Look(ratio="1:1")
    await store.set_active_preset(scope, "b")
    eff = await effective(store, scope, is_group=False)
    assert (eff.value("theme"), eff.value("ratio"), eff.value("format")) == ("midnight", "1:1", "png")
    assert [eff.sources[f].layer for f in ("theme", "ratio", "format")] == [
        Layer.PERSONAL,
        Layer.PRESET,
        Layer.DEFAULT,
    ]

    await store.reset(scope)
    assert (await store.state(scope)).personal == Look()
    assert (await store.state(scope)).active_preset is None
    assert await store.preset_names(scope) == ["a", "b"]  # presets survive /reset
    assert await store.delete_preset(scope, "a") is True
    assert await store.delete_preset(scope, "a") is False


async def test_autolink_jobs_pending_and_cache(store: SettingsStore) -> None:
    await store.set_autolink("telegram:chat:-1", True)
    assert (await store.state("telegram:chat:-1")).autolink is True
    record = JobRecord(job_id="j-1", payload={"source": "x"}, images={"brand.logo": "BQAC"})
    await store.remember_job("j1", record)
    assert await store.job("j1") == record
    assert await store.job("missing") is None
    await store.set_pending("k", PendingInput(scope="s", field="brand.name"))
    assert await store.pop_pending("k") == PendingInput(scope="s", field="brand.name")
    assert await store.pop_pending("k") is None  # answered once
    await store.cache("preview", "AgAC-9")
    assert await store.cached("preview") == "AgAC-9"


async def test_a_claim_holds_once_until_it_expires(store: SettingsStore) -> None:
    assert await store.claim("press", 1) is True
    assert await store.claim("press", 1) is False
    assert await store.claim("other", 1) is True
    await asyncio.sleep(1.1)
    assert await store.claim("press", 1) is True


def test_group_precedence_and_render_options() -> None:
    state = ScopeState(
        personal=Look(theme="bold", brand=BrandKit(name="Team", watermark=True)), active_preset="house"
    )
    eff = resolve(state, Look(theme="paper", ratio="9:16"), is_group=True)
    assert eff.sources["theme"].describe() == "group"
    assert eff.sources["ratio"].describe() == "group preset “house”"
    assert eff.sources["format"].describe() == "default"
    options = eff.render_options({"brand.avatar": "https://api.telegram.org/file/botT/photos/1.jpg"})
    assert options == RenderOptions(
        theme="bold",
        ratio="9:16",
        brand=Brand(
            name="Team", watermark=True, avatar_url="https://api.telegram.org/file/botT/photos/1.jpg"
        ),
    )


def test_look_layers() -> None:
    top = Look(theme="bold", brand=BrandKit(footer="f"))
    below = Look(theme="paper", ratio="1:1", brand=BrandKit(name="n"))
    merged = top.over(below)
    assert merged == Look(theme="bold", ratio="1:1", brand=BrandKit(name="n", footer="f"))
    assert Look().is_empty() and not merged.is_empty()
    with pytest.raises(KeyError):
        Look().with_value("colour", "red")


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_rate_limiters_count_fixed_windows(kind: str) -> None:
    now = [1_800_000_030.0]
    redis = None
    if kind == "memory":
        limiter: MemoryRateLimiter | RedisRateLimiter = MemoryRateLimiter(clock=lambda: now[0])
    else:
        from redis.asyncio import Redis as AsyncRedis

        redis = AsyncRedis.from_url(REDIS_URL, decode_responses=True)
        limiter = RedisRateLimiter(redis, prefix=f"test:rl:{uuid.uuid4().hex}:", clock=lambda: now[0])
    try:
        assert [await limiter.hit("u", 2, 60) for _ in range(2)] == [0.0, 0.0]
        assert await limiter.hit("u", 2, 60) == pytest.approx(30.0)
        assert await limiter.hit("other", 2, 60) == 0.0
        now[0] += 30
        assert await limiter.hit("u", 2, 60) == 0.0
        # peek answers like hit would, and counts nothing
        assert [await limiter.peek("u", 2, 60) for _ in range(3)] == [0.0, 0.0, 0.0]
        assert await limiter.hit("u", 2, 60) == 0.0
        assert await limiter.peek("u", 2, 60) == pytest.approx(60.0)
        assert await limiter.peek("new", 2, 60) == 0.0
    finally:
        if redis is not None:
            await redis.aclose()


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_waiting_lines_keep_order_bound_and_chats(kind: str) -> None:
    from bot.telegram.line import MemoryLineStore, RedisLineStore

    redis = None
    if kind == "memory":
        line: MemoryLineStore | RedisLineStore = MemoryLineStore()
    else:
        from redis.asyncio import Redis as AsyncRedis

        redis = AsyncRedis.from_url(REDIS_URL, decode_responses=True)
        line = RedisLineStore(redis, prefix=f"test:line:{uuid.uuid4().hex}:")
    try:
        assert [await line.join("-5", item, 2) for item in ("a", "b", "c")] == [0, 1, None]
        assert await line.join("7", "x", 2) == 0
        assert await line.items("-5") == ["a", "b"]
        assert sorted(await line.chats()) == ["-5", "7"]
        await line.remove("-5", "a")
        assert await line.items("-5") == ["b"]
        await line.remove("-5", "b")
        assert await line.items("-5") == [] and await line.chats() == ["7"]
    finally:
        if redis is not None:
            assert isinstance(line, RedisLineStore)
            await redis.delete(f"{line.prefix}chat:7", f"{line.prefix}chats")
            await redis.aclose()
