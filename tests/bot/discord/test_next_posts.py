"""Past the cap on Discord: the "Next posts" button under a capped result (a real job delivered to the
fake Discord, a real press built from the message the worker posted, a real job on RQ that renders
the kept thread), and the ``posts`` option of /carousel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from bot.discord.next_posts import QUEUED_NEXT_POSTS
from bot.discord.rerender import RERENDER_GONE
from bot.settings_store import MemorySettingsStore
from contract import JobPayload
from contract.job import delivery_queue_name
from contract.rerender import job_ref
from contract.values import POSTS_INVALID
from tests.bot.discord.support import (
    APPLICATION_ID,
    DEFERRED,
    MESSAGE_COMPONENT,
    REDIS_URL,
    Bot,
    interaction,
    jobs,
    message,
    private_answer,
    slash,
)
from tests.fakes.discord_api import BOT_TOKEN, FakeDiscord
from worker.queue import RQJobQueue

BUTTON = 2  # component type
POSTS = [
    f"Note {k}: the {word} of it, in a sentence or two that reads well on a slide."
    for k, word in enumerate(("alpha", "bravo", "charlie", "delta", "echo"), start=1)
]


def _run_worker(queue: RQJobQueue) -> None:
    SimpleWorker([queue.queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def _buttons(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for row in result.get("components", [])
        for c in row["components"]
        if c["type"] == BUTTON and c["custom_id"].startswith("nx:")
    ]


def press(result: dict[str, Any], custom_id: str) -> tuple[dict[str, Any], str, str]:
    """Someone presses the button ``custom_id`` of the message ``result``."""
    payload, interaction_id, token = interaction(
        {"custom_id": custom_id, "component_type": BUTTON}, kind=MESSAGE_COMPONENT
    )
    payload["message"] = {**result, "channel_id": result.get("channel_id")}
    return payload, interaction_id, token


async def test_next_posts_button_renders_the_following_posts_from_the_kept_thread(
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
    thread = unique_x_thread(POSTS)
    payload, _, first_token = slash(fake, link=thread.url, max_posts=2)
    await bot.dispatch(payload)
    assert bot.errors == []
    (first_job,) = jobs(queue)
    _run_worker(queue)

    posts = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{first_token}")
    result = posts[-1].reply
    assert "first 2 of 5 posts" in result["content"]
    (more,) = _buttons(result)
    assert more["label"] == "➡️ Next posts 3–4"
    assert more["custom_id"] == f"nx:{job_ref(first_job.id)}:2:3:4"

    fake_sources.x_statuses.clear()  # only the kept thread can answer now
    fetched = fake_sources.count("/fx/")
    pressed, pressed_id, pressed_token = press(result, more["custom_id"])
    await bot.dispatch(pressed)
    (callback,) = fake.find("POST", f"/interactions/{pressed_id}/{pressed_token}/callback")
    assert callback.json == {"type": DEFERRED}
    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{pressed_token}/messages/@original")
    assert status.json["content"] == QUEUED_NEXT_POSTS.format(span="posts 3–4")
    following = next(j for j in jobs(queue) if j.id != first_job.id)
    arg = JobPayload.model_validate(following.args[0])
    assert arg.rerender_of == first_job.id and arg.options.posts_offset == 2
    assert arg.reply.reply_to_message_id == result["id"]

    _run_worker(queue)
    assert fake_sources.count("/fx/") == fetched
    second = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{pressed_token}")[-1].reply
    assert "posts 3–4 of 5" in second["content"]
    (last,) = _buttons(second)
    assert (last["label"], last["custom_id"]) == ("➡️ Next post 5", f"nx:{job_ref(following.id)}:4:5:5")

    # its 📝 Caption speaks of posts 3–4, not of the thread's first posts
    (caption,) = [c for row in second["components"] for c in row["components"] if c.get("label") == "Caption"]
    asked, _, asked_token = press(second, caption["custom_id"])
    await bot.dispatch(asked)
    texts = Queue(
        delivery_queue_name(queue.queue.name), connection=queue.connection, serializer=JSONSerializer
    )
    try:
        SimpleWorker([texts], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    finally:
        texts.delete(delete_jobs=True)
    (text,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{asked_token}/messages/@original")
    said = text.json["content"]
    assert said.startswith("Note 3: the charlie of it") and "delta" in said
    assert "alpha" not in said and "bravo" not in said and "echo" not in said

    # pressed again at once: one private sentence, no second job
    again, again_id, again_token = press(result, more["custom_id"])
    await bot.dispatch(again)
    assert private_answer(fake, again_id, again_token)["content"] == (
        "The carousel of posts 3–4 was asked for a moment ago, so it's on its way or already here."
    )  # it is already here: no "will be here shortly"
    assert queue.queue.count == 0  # nothing new queued


async def test_next_posts_of_a_forgotten_job_is_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    custom_id = f"nx:{'0' * 32}:20:21:24"
    result = {
        **message("old result"),
        "components": [
            {"type": 1, "components": [{"type": BUTTON, "style": 1, "label": "x", "custom_id": custom_id}]}
        ],
    }
    pressed, pressed_id, token = press(result, custom_id)
    await bot.dispatch(pressed)
    assert private_answer(fake, pressed_id, token)["content"] == RERENDER_GONE
    assert queue.queue.count == 0


async def test_carousel_posts_option_picks_posts_and_a_bad_one_is_a_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    link = "https://x.com/ada/status/1790000000000000001"
    payload, _, token = slash(fake, link=link, posts="1-3, 5")
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert job.args[0]["options"]["posts"] == [1, 2, 3, 5]
    (status,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{token}/messages/@original")
    assert status.json["content"] == f"⏳ Queued: <{link}> (posts 1–3, 5)"

    payload, interaction_id, token = slash(fake, link=link, posts="5-2")
    await bot.dispatch(payload)
    assert private_answer(fake, interaction_id, token)["content"] == POSTS_INVALID
    assert len(jobs(queue)) == 1


async def test_carousel_command_offers_posts(fake: FakeDiscord, bot: Bot) -> None:
    (sync,) = fake.find("PUT", f"/applications/{APPLICATION_ID}/commands")
    carousel = next(c for c in sync.json if c["name"] == "carousel")
    posts = next(o for o in carousel["options"] if o["name"] == "posts")
    assert posts["type"] == 3 and "1-8,11" in posts["description"]


async def test_defaults_save_max_posts_and_settings_show_it(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    payload, interaction_id, token = slash(fake, "settings")
    await bot.dispatch(payload)
    assert "**max_posts**: 20 (default)" in private_answer(fake, interaction_id, token)["content"]

    payload, interaction_id, token = slash(fake, "defaults", max_posts=12)
    await bot.dispatch(payload)
    assert "**max_posts**: 12 (personal)" in private_answer(fake, interaction_id, token)["content"]
    payload, interaction_id, token = slash(fake, "settings")
    await bot.dispatch(payload)
    assert "**max_posts**: 12 (personal)" in private_answer(fake, interaction_id, token)["content"]
    payload, _, _ = slash(fake, link="https://x.com/ada/status/1790000000000000001")
    await bot.dispatch(payload)
    (job,) = jobs(queue)
    assert job.args[0]["options"]["max_posts"] == 12


async def test_next_posts_are_for_the_requester_or_a_server_manager(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue, store: MemorySettingsStore
) -> None:
    from bot.discord.next_posts import NEXT_POSTS_NOT_YOURS
    from bot.settings_model import JobRecord
    from contract import ReplyAddress
    from tests.bot.discord.support import CHANNEL_ID, MANAGE_GUILD, USER_ID

    job_id = "0123456789abcdef0123456789abcdef"
    reply = ReplyAddress(platform="discord", chat_id=CHANNEL_ID, user_id="42", status_message_id="@original")
    asked = JobPayload(source="https://x.com/ada/status/1", reply=reply)
    await store.remember_job(job_id, JobRecord(job_id=job_id, payload=asked.to_job_arg()))
    custom_id = f"nx:{job_id}:20:21:24"
    button = {"type": BUTTON, "style": 1, "label": "➡️ Next posts 21–24", "custom_id": custom_id}
    result = {
        **message("**A thread** · 24 slides + PDF · first 20 of 24 posts"),
        "components": [{"type": 1, "components": [button]}],
    }

    pressed, pressed_id, token = press(result, custom_id)  # USER_ID did not ask for it
    assert USER_ID != "42"
    await bot.dispatch(pressed)
    assert private_answer(fake, pressed_id, token)["content"] == NEXT_POSTS_NOT_YOURS
    assert queue.queue.count == 0

    pressed, pressed_id, token = press(result, custom_id)
    pressed["member"]["permissions"] = str(MANAGE_GUILD)
    await bot.dispatch(pressed)
    (job,) = jobs(queue)
    assert job.args[0]["options"]["posts_offset"] == 20 and job.args[0]["rerender_of"] == job_id
