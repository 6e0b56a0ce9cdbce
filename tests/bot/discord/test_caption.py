"""The caption kit on Discord: a real job delivered to the fake Discord credits the author with a link,
a re-render says what it changed, and a real press on the "📝 Caption" button (a MESSAGE_COMPONENT
interaction built from the message the worker posted) brings the post text to that person alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from bot.discord.caption import CAPTION_GONE
from bot.settings_store import MemorySettingsStore
from contract.job import POST_TEXT_JOB_PATH, delivery_queue_name
from contract.rerender import job_ref
from tests.bot.discord.support import (
    DEFERRED,
    MESSAGE_COMPONENT,
    REDIS_URL,
    Bot,
    component,
    interaction,
    jobs,
    message,
    private_answer,
    slash,
)
from tests.fakes.discord_api import APPLICATION_ID, BOT_TOKEN, EPHEMERAL, FakeDiscord
from worker.delivery.discord import rerender_components
from worker.limits import DISCORD_MESSAGE_MAX
from worker.queue import RQJobQueue

BUTTON = 2  # component type
TEXTS = [
    "Quokkas are small marsupials that live on Rottnest Island. A thread 🧵 #quokka",
    "They get their energy from plants. They rarely drink water at all. #wildlife",
    "Their world is a kaleidoscope of scrub, sand and curious tourists. The end.",
]


def _run(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def _press(result: dict[str, Any], custom_id: str) -> tuple[dict[str, Any], str, str]:
    """Someone presses the button ``custom_id`` under the message ``result``."""
    payload, interaction_id, token = interaction(
        {"custom_id": custom_id, "component_type": BUTTON}, kind=MESSAGE_COMPONENT
    )
    payload["message"] = {**result, "channel_id": result["channel_id"]}
    return payload, interaction_id, token


def _button(result: dict[str, Any]) -> dict[str, Any]:
    [button] = [c for row in result["components"] for c in row["components"] if c["type"] == BUTTON]
    return button


async def test_the_caption_button_brings_the_post_text_to_the_person_alone(
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
    thread = unique_x_thread(TEXTS, handle="quokkafan", name="Quokka Fan")
    payload, _, token = slash(fake, link=thread.url)
    await bot.dispatch(payload)
    (first_job,) = jobs(queue)
    _run(queue.queue)
    posts = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{token}")
    result = posts[-1].reply
    # the result credits the author and links the post, without a preview
    lines = posts[0].payload["content"].splitlines()
    assert lines[1] == f"Thread by Quokka Fan (@quokkafan) · <{thread.url}>"
    button = _button(result)
    assert (button["label"], button["emoji"], button["custom_id"]) == (
        "Caption",
        {"name": "📝"},
        f"caption:{job_ref(first_job.id)}",
    )

    press, press_id, press_token = _press(result, button["custom_id"])
    await bot.dispatch(press)
    assert bot.errors == []
    (callback,) = fake.find("POST", f"/interactions/{press_id}/{press_token}/callback")
    assert callback.json == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}  # only they see it
    assert queue.queue.count == 0  # nothing is rendered
    posts_queue = Queue(
        delivery_queue_name(queue.queue.name), connection=queue.connection, serializer=JSONSerializer
    )
    try:
        [asked] = posts_queue.get_jobs()
        assert asked.func_name == POST_TEXT_JOB_PATH
        _run(posts_queue)
    finally:
        posts_queue.delete(delete_jobs=True)

    (text,) = fake.find("PATCH", f"/webhooks/{APPLICATION_ID}/{press_token}/messages/@original")
    assert text.status == 200 and text.json["allowed_mentions"] == {"parse": []}
    assert text.json["content"] == (
        "Quokkas are small marsupials that live on Rottnest Island\n\n"
        "They get their energy from plants. They rarely drink water at all. "
        "Their world is a kaleidoscope of scrub, sand and curious tourists.\n\n"
        "#quokka #wildlife\n\n"
        f"Thread by Quokka Fan (@quokkafan) · {thread.url}"
    )
    follow_ups = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{press_token}")
    assert follow_ups and all(c.json["flags"] == EPHEMERAL and c.status == 200 for c in follow_ups)
    alt_lines = [line for c in follow_ups for line in c.json["content"].splitlines()]
    assert alt_lines[0] == "Alt text, slide by slide:"
    assert alt_lines[1].startswith("1. Quokkas are small marsupials")
    assert alt_lines[-1].endswith("Closing slide.")
    assert all(len(c.json["content"]) <= DISCORD_MESSAGE_MAX for c in [text, *follow_ups])


async def test_a_rerender_says_what_changed_and_names_its_pdf_so(
    fake: FakeDiscord,
    bot: Bot,
    queue: RQJobQueue,
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
    payload, _, token = slash(fake, link=thread.url)
    await bot.dispatch(payload)
    _run(queue.queue)
    first = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{token}")
    result = first[-1].reply
    pick, _, pick_token = component(result, result["components"][1]["components"][0]["custom_id"], "1:1")
    await bot.dispatch(pick)
    _run(queue.queue)
    again = fake.find("POST", f"/webhooks/{APPLICATION_ID}/{pick_token}")
    assert "Re-rendered: ratio 1:1" in again[0].payload["content"].splitlines()
    assert "Re-rendered" not in first[0].payload["content"]
    first_pdf = [f.filename for c in first for f in c.files][-1]
    second_pdf = [f.filename for c in again for f in c.files][-1]
    assert second_pdf.endswith("-1x1.pdf") and first_pdf != second_pdf


async def test_the_caption_button_of_a_forgotten_carousel_is_one_private_sentence(
    fake: FakeDiscord, bot: Bot, queue: RQJobQueue
) -> None:
    forgotten = "0" * 32
    result = {**message("**A thread** · 3 slides + PDF"), "components": rerender_components(forgotten)}
    press, press_id, press_token = _press(result, _button(result)["custom_id"])
    await bot.dispatch(press)
    assert private_answer(fake, press_id, press_token)["content"] == CAPTION_GONE
    posts_queue = Queue(delivery_queue_name(queue.queue.name), connection=queue.connection)
    assert posts_queue.count == 0
