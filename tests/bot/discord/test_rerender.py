"""The menus under a delivered carousel: a real job delivered to the fake Discord, a real pick in its
menu (a MESSAGE_COMPONENT interaction built from the message the worker posted), a real re-render job
on RQ that renders the saved thread without fetching it again."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.discord.rerender import NOT_YOURS, RERENDER_GONE
from bot.settings_model import JobRecord
from bot.settings_store import MemorySettingsStore
from contract import JobPayload, RenderOptions, ReplyAddress
from contract.rerender import job_ref
from contract.sentences import RERENDER_REPEAT, RERENDER_SAME
from tests.bot.discord.support import (
    CHANNEL_ID,
    DEFERRED,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    REDIS_URL,
    STRING_SELECT,
    USER_ID,
    Bot,
    component,
    jobs,
    message,
    private_answer,
    slash,
)
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, FakeDiscord
from worker.delivery.discord import rerender_components
from worker.queue import RQJobQueue

TEXTS = [
    "Quokkas are small marsupials that live on Rottnest Island. A thread 🧵",
    "They get their energy from plants, which in turn rely on photosynthesis.",
    "Their world is a kaleidoscope of scrub, sand and curious tourists. The end.",
]


def _run_worker(queue: RQJobQueue) -> None:
    SimpleWorker([queue.queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def _menus(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The select menus of a delivered message, by field."""
    selects = [c for row in result["components"] for c in row["components"] if c["type"] == STRING_SELECT]
    return {s["custom_id"].rsplit(":", 1)[1]: s for s in selects}


async def test_picking_a_theme_re_renders_the_saved_thread(
    fake: FakeDiscord,
    bot: Bot,
    queue: RQJobQueue,
    store: MemorySettingsStore,
    fake_sources: Any,
    unique_x_thread: Callable[..., Any],
    settings_env: Callable[..., Any],
) -> None:
    settings_env(
        discord_api_url=fake.api_base,
        discord_bot_token=BOT_TOKEN,
        redis_url=REDIS_URL,
        **{k.lower(): v for k, v in fake_sources.env().items()},
    )
    thread = unique_x_thread(TEXTS)
    payload, _, first_token = slash(fake, link=thread.url, ratio="1:1")
    await bot.dispatch(payload)
    assert bot.errors == []
    (first_job,) = jobs(queue)
    record = await store.job(job_ref(first_job.id))
    assert record is not None and record.job_id == first_job.id
    assert record.payload == first_job.args[0]  # what the re-render starts from

    _run_worker(queue)
    fetched = fake_sources.count("/fx/")
    assert fetched > 0
    posts = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{first_token}")
    assert posts and all(c.status == 200 for c in posts)
    result = posts[-1].reply  # the message carrying the PDF and the menus
    assert all(not c.payload.get("components") for c in posts[:-1])
    menus = _menus(result)
    assert list(menus) == ["theme", "ratio", "format"]
    assert menus["theme"]["custom_id"] == f"rr:{job_ref(first_job.id)}:theme"

    pick, pick_id, pick_token = component(result, menus["theme"]["custom_id"], "midnight")
    await bot.dispatch(pick)
    (callback,) = fake.find("POST", f"/interactions/{pick_id}/{pick_token}/callback")
    assert callback.json == {"type": DEFERRED}  # a new status message in the same channel
    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{pick_token}/messages/@original")
    assert status.json["content"] == "⏳ Re-rendering with the Midnight theme…"

    second_job = next(j for j in jobs(queue) if j.id != first_job.id)
    arg = JobPayload.model_validate(second_job.args[0])
    first = JobPayload.model_validate(first_job.args[0])
    assert arg.rerender_of == first_job.id
    assert arg.options.theme == "midnight"
    assert arg.options.model_copy(update={"theme": first.options.theme}) == first.options  # one change
    assert (arg.source, arg.source_kind) == (first.source, first.source_kind)
    assert arg.reply.interaction_token == pick_token and arg.reply.chat_id == CHANNEL_ID
    assert arg.reply.reply_to_message_id == result["id"]
    assert await store.job(job_ref(second_job.id)) is not None  # its own menus will work too

    _run_worker(queue)
    assert fake_sources.count("/fx/") == fetched  # the saved thread, not a new fetch
    rerendered = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{pick_token}")
    assert rerendered and all(c.status == 200 for c in rerendered)
    files = [f for c in rerendered for f in c.files]
    assert files[-1].filename.endswith(".pdf") and files[-1].filename != "carousel.pdf"
    before = [f for c in posts for f in c.files]
    assert len(files) == len(before)
    assert files[0].data != before[0].data  # the cover in the other theme
    assert _menus(rerendered[-1].reply)["theme"]["custom_id"] == f"rr:{job_ref(second_job.id)}:theme"


async def _delivered(store: MemorySettingsStore, **options: Any) -> tuple[str, dict[str, Any]]:
    """A job the bot submitted earlier, and the message its result arrived in."""
    job_id = f"{time.time_ns():x}-job"
    reply = ReplyAddress(
        platform="discord", chat_id=CHANNEL_ID, user_id=USER_ID, status_message_id="@original"
    )
    payload = JobPayload(source="https://x.com/ada/status/1", options=RenderOptions(**options), reply=reply)
    await store.remember_job(job_ref(job_id), JobRecord(job_id=job_id, payload=payload.to_job_arg()))
    result = {**message("**A thread** by Ada · 3 slides + PDF"), "components": rerender_components(job_id)}
    return job_id, result


async def test_the_value_the_carousel_already_has_is_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    job_id, result = await _delivered(store, theme="ocean", ratio="9:16")
    pick, pick_id, token = component(result, f"rr:{job_ref(job_id)}:theme", "ocean")
    await bot.dispatch(pick)
    assert private_answer(fake, pick_id, token)["content"] == RERENDER_SAME.format(
        value="Ocean", field="theme"
    )
    pick, pick_id, token = component(result, f"rr:{job_ref(job_id)}:ratio", "9:16")
    await bot.dispatch(pick)
    assert (
        private_answer(fake, pick_id, token)["content"]
        == "This carousel already uses ratio 9:16 story, so pick another one."
    )
    assert queue.queue.count == 0


async def test_quick_repeats_start_one_job(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    job_id, result = await _delivered(store)
    custom_id = f"rr:{job_ref(job_id)}:format"
    first, first_id, first_token = component(result, custom_id, "jpeg")
    again, again_id, again_token = component(result, custom_id, "jpeg")
    await bot.dispatch(first)
    await bot.dispatch(again)
    (callback,) = fake.find("POST", f"/interactions/{first_id}/{first_token}/callback")
    assert callback.json == {"type": DEFERRED}
    assert private_answer(fake, again_id, again_token)["content"] == RERENDER_REPEAT.format(value="JPEG")
    # it may already be delivered (a small carousel takes seconds): no promise of a future
    assert RERENDER_REPEAT.format(value="JPEG") == (
        "The JPEG version was asked for a moment ago, so it's on its way or already here."
    )
    (job,) = jobs(queue)
    assert job.args[0]["options"]["format"] == "jpeg" and job.args[0]["rerender_of"] == job_id

    # another choice right after is a new request
    other, _, _ = component(result, f"rr:{job_ref(job_id)}:ratio", "16:9")
    await bot.dispatch(other)
    assert sorted(j.args[0]["options"]["ratio"] for j in jobs(queue)) == ["16:9", "4:5"]


async def test_a_forgotten_job_is_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    result = {**message("old result"), "components": rerender_components("0" * 32)}
    pick, pick_id, token = component(result, f"rr:{'0' * 32}:theme", "bold")
    await bot.dispatch(pick)
    assert private_answer(fake, pick_id, token)["content"] == RERENDER_GONE
    assert queue.queue.count == 0


async def test_in_a_server_only_the_requester_or_a_manager_re_renders(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    job_id, result = await _delivered(store)
    custom_id = f"rr:{job_ref(job_id)}:format"
    someone = str(int(USER_ID) + 1)
    pick, pick_id, token = component(result, custom_id, "jpeg", user_id=someone)
    await bot.dispatch(pick)
    assert private_answer(fake, pick_id, token)["content"] == NOT_YOURS
    assert queue.queue.count == 0
    assert not fake.find("PATCH", f"/channels/{CHANNEL_ID}/messages/{result['id']}")  # the menus stay

    manager, manager_id, manager_token = component(
        result, custom_id, "jpeg", user_id=someone, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD
    )
    await bot.dispatch(manager)
    (callback,) = fake.find("POST", f"/interactions/{manager_id}/{manager_token}/callback")
    assert callback.json == {"type": DEFERRED}
    (job,) = jobs(queue)
    assert job.args[0]["options"]["format"] == "jpeg" and job.args[0]["reply"]["user_id"] == someone


async def test_a_zip_delivery_arrives_as_one_zip_and_a_re_render_keeps_it(
    fake: FakeDiscord,
    bot: Bot,
    queue: RQJobQueue,
    fake_sources: Any,
    unique_x_thread: Callable[..., Any],
    settings_env: Callable[..., Any],
) -> None:
    import io
    import zipfile

    settings_env(
        discord_api_url=fake.api_base,
        discord_bot_token=BOT_TOKEN,
        redis_url=REDIS_URL,
        **{k.lower(): v for k, v in fake_sources.env().items()},
    )
    thread = unique_x_thread(TEXTS)
    payload, _, first_token = slash(fake, link=thread.url, delivery="zip")
    await bot.dispatch(payload)
    assert bot.errors == []
    (first_job,) = jobs(queue)
    assert first_job.args[0]["options"]["delivery"] == "zip"
    _run_worker(queue)

    (post,) = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{first_token}")
    archive, pdf = post.files
    assert archive.filename.endswith(".zip") and archive.content_type == "application/zip"
    assert pdf.filename == archive.filename.removesuffix(".zip") + ".pdf"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        slides = opened.namelist()
    assert slides == [f"slide-{i:02d}.png" for i in range(1, len(slides) + 1)] and len(slides) >= 3

    pick, _, pick_token = component(post.reply, _menus(post.reply)["ratio"]["custom_id"], "1:1")
    await bot.dispatch(pick)
    second_job = next(j for j in jobs(queue) if j.id != first_job.id)
    assert second_job.args[0]["options"]["delivery"] == "zip"  # the re-render keeps how it arrives
    _run_worker(queue)
    (again,) = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{pick_token}")
    assert [f.filename.rsplit(".", 1)[1] for f in again.files] == ["zip", "pdf"]
    assert again.files[0].data != archive.data  # square slides this time
