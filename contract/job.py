"""The render job: its dotted path, its JSON payload and the reply address.

A render job is enqueued by its dotted path with one JSON argument (RQ's JSONSerializer), so the
front-ends never import the worker's heavy code and any worker on any machine can run it: the
payload carries the source, the options and the reply address as plain data.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contract.options import RenderOptions

JOB_PATH = "worker.jobs.render_carousel"
# A brand picture stored with Telegram travels as this prefix + its file_path: the worker adds its own
# token to download it, so no token is ever written into a job payload.
TELEGRAM_FILE_PREFIX = "telegram-file:"
FAILURE_CALLBACK_PATH = "worker.jobs.report_failure"
# The rest of a delivery that had to wait for a chat's pace, run later from its own queue
DELIVERY_JOB_PATH = "worker.jobs.deliver_carousel"
DELIVERY_QUEUE_SUFFIX = "-delivery"
# The ready-to-paste post text of a delivered carousel ("📝 Caption" button), sent by a worker
POST_TEXT_JOB_PATH = "worker.jobs.send_post_text"


def delivery_queue_name(queue_name: str) -> str:
    """The queue of hand-on deliveries beside the render queue ``queue_name``."""
    return f"{queue_name}{DELIVERY_QUEUE_SUFFIX}"


class ReplyAddress(BaseModel):
    """Where the result goes, and which message shows progress."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    platform: Literal["telegram", "discord"]
    chat_id: int | str  # Telegram chat id, or Discord channel id
    thread_id: int | None = None  # Telegram forum topic (message_thread_id)
    reply_to_message_id: int | str | None = None
    status_message_id: int | str | None = None  # the message edited with progress
    user_id: int | str | None = None
    # Discord interactions: follow-ups go through the interaction webhook while the token lives
    application_id: str | None = None
    interaction_token: str | None = None
    # Discord: the original response's message id (the bot token edits it once the interaction token is
    # gone), the server (for links to the result), and the per-file upload limit the interaction gave
    response_message_id: str | None = None
    guild_id: str | None = None
    attachment_size_limit: int | None = Field(default=None, gt=0)


class TextAuthor(BaseModel):
    """Who wrote pasted text that someone else turned into a carousel (credited on the slides)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=100)
    handle: str = Field(default="", max_length=100)


class JobPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    source: str  # a post link, or pasted text when source_kind == "text"
    source_kind: Literal["link", "text"] = "link"
    options: RenderOptions = RenderOptions()
    reply: ReplyAddress
    rerender_of: str | None = None  # id of the job whose thread is re-rendered (re-theme buttons)
    part: int = Field(default=1, ge=1)  # a source longer than one carousel is sent part by part, in order
    text_author: TextAuthor | None = None  # pasted text by someone other than the requester
    # on a later part: the job of part 1, the one the front-end submitted and knows (its controls name it)
    part_of: str | None = None

    def to_job_arg(self) -> dict:
        return self.model_dump(mode="json")


class DeliveryPayload(BaseModel):
    """The rest of a render job's delivery, handed to a later job instead of sleeping for a chat's pace.

    ``mode`` "files": the encoded slides and PDF wait in Redis under the render job's reference;
    "cached": an identical earlier result is re-sent by Telegram file_id. ``state`` is what the
    platform's delivery recorded as sent (it resumes after it); ``summary`` the caption's facts.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    job_id: str  # the render job this delivery belongs to (failures are told once per render job)
    reply: ReplyAddress
    mode: Literal["files", "cached"] = "files"
    content_key: str | None = None
    summary: dict = {}
    state: dict = {}
    handoffs: int = 1  # how many times this delivery was handed on so far
    then: dict | None = None  # the next part's job (a JobPayload), submitted once this delivery is done

    def to_job_arg(self) -> dict:
        return self.model_dump(mode="json")


class PostTextPayload(BaseModel):
    """Someone pressed "📝 Caption" under a result: send them the post text of job ``job``.

    ``job`` is the job reference the button carries (:func:`contract.rerender.job_ref`); the worker
    builds the text from what it kept of that job. ``reply`` says where it goes: Telegram, the chat
    (as a reply to the result); Discord, the pressing person's deferred ephemeral response.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    job: str
    reply: ReplyAddress

    def to_job_arg(self) -> dict:
        return self.model_dump(mode="json")
