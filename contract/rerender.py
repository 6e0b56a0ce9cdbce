"""The re-render controls under a delivered carousel, as both sides must spell them.

The worker posts the result with controls naming the job; the front-end that receives a press
reads the job back from them and enqueues a re-render. One format for both platforms:

=====================================  =========================================================
``rr:{ref}``                           Telegram: back to the three re-render buttons
``rr:{ref}:{field}``                   Telegram: the choices for ``field``; Discord: the select
                                       menu's ``custom_id`` (the value picked comes with the press)
``rr:{ref}:{field}:{value}``           Telegram: re-render with ``field`` changed to ``value``
=====================================  =========================================================

``{ref}`` is :func:`job_ref` (a UUID job id without dashes), short enough for Telegram's 64-byte
callback data and Discord's 100-character ``custom_id``; the settings store keys job records by it.

Beside them, ``caption:{ref}`` is the "📝 Caption" button (a Telegram inline button, a Discord
button): the front-end that receives a press queues a :class:`~contract.job.PostTextPayload` and a
worker answers with a ready-to-paste post text built from what it kept of job ``ref``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from worker.limits import DISCORD_CUSTOM_ID_MAX, TELEGRAM_CALLBACK_DATA_MAX_BYTES

RERENDER_PREFIX = "rr"
SEP = ":"
RERENDER_FIELDS: tuple[str, ...] = ("theme", "ratio", "format")
RERENDER_TEMPLATE = rf"{RERENDER_PREFIX}:(?P<ref>[0-9A-Za-z_-]+):(?P<field>{'|'.join(RERENDER_FIELDS)})"
RERENDER_BUTTONS: dict[str, str] = {"theme": "🎨 Theme", "ratio": "📐 Ratio", "format": "🖼 Format"}
CAPTION_PREFIX = "caption"
CAPTION_EMOJI = "📝"
CAPTION_BUTTON = f"{CAPTION_EMOJI} Caption"
CAPTION_TEMPLATE = rf"{CAPTION_PREFIX}:(?P<ref>[0-9A-Za-z_-]+)"
RERENDER_PLACEHOLDERS: dict[str, str] = {
    "theme": "🎨 Another theme…",
    "ratio": "📐 Another ratio…",
    "format": "🖼 Another format…",
}


def job_ref(job_id: str) -> str:
    """The compact, stable reference of a job: a UUID without dashes (other ids unchanged)."""
    try:
        return uuid.UUID(job_id).hex
    except ValueError:
        return job_id


@dataclass(frozen=True)
class RerenderRequest:
    job: str  # compact job reference (see job_ref)
    field: str | None = None  # None: back to the three buttons
    value: str | None = None  # None: show the choices for ``field``


def _parts(job_id: str, field: str | None, value: str | None) -> list[str]:
    if field is not None and field not in RERENDER_FIELDS:
        raise ValueError(f"unknown re-render field {field!r}")
    parts = [RERENDER_PREFIX, job_ref(job_id)]
    if field is not None:
        parts.append(field)
        if value is not None:
            parts.append(value)
    return parts


def rerender_fits(job_id: str, field: str, value: str) -> bool:
    """True when the Telegram button for ``value`` fits in callback data."""
    return len(SEP.join(_parts(job_id, field, value)).encode()) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES


def rerender_data(job_id: str, field: str | None = None, value: str | None = None) -> str:
    """Telegram callback data; raises when Telegram would refuse it (over 64 bytes)."""
    data = SEP.join(_parts(job_id, field, value))
    if len(data.encode()) > TELEGRAM_CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback data {data!r} is over {TELEGRAM_CALLBACK_DATA_MAX_BYTES} bytes")
    return data


def parse_rerender(data: str) -> RerenderRequest | None:
    """Callback data or ``custom_id`` → what was asked; None when it is not a re-render control."""
    parts = data.split(SEP, 3)
    if len(parts) < 2 or parts[0] != RERENDER_PREFIX or not parts[1]:
        return None
    field = parts[2] if len(parts) > 2 else None
    if field is not None and field not in RERENDER_FIELDS:
        return None
    value = parts[3] if len(parts) > 3 else None
    return RerenderRequest(job=parts[1], field=field, value=value or None)


def rerender_custom_id(job_id: str, field: str) -> str:
    """A Discord select menu's ``custom_id`` (checked against Discord's 100 characters)."""
    custom_id = SEP.join(_parts(job_id, field, None))
    if len(custom_id) > DISCORD_CUSTOM_ID_MAX:
        raise ValueError(f"custom_id {custom_id!r} is over {DISCORD_CUSTOM_ID_MAX} characters")
    return custom_id


def caption_data(job_id: str) -> str:
    """The "📝 Caption" button's callback data / ``custom_id``: ``caption:{ref}`` (checked for both)."""
    data = SEP.join((CAPTION_PREFIX, job_ref(job_id)))
    if len(data.encode()) > min(TELEGRAM_CALLBACK_DATA_MAX_BYTES, DISCORD_CUSTOM_ID_MAX):
        raise ValueError(f"caption button data {data!r} is too long")
    return data


def parse_caption(data: str) -> str | None:
    """The job reference of a "📝 Caption" press; None when ``data`` is not one."""
    prefix, _, ref = data.partition(SEP)
    if prefix != CAPTION_PREFIX or not ref or SEP in ref:
        return None
    return ref


def telegram_rerender_keyboard(job_id: str) -> dict:
    """The three re-render buttons, and the caption button under them, as Bot API JSON (``reply_markup``)."""
    row = [{"text": RERENDER_BUTTONS[f], "callback_data": rerender_data(job_id, f)} for f in RERENDER_FIELDS]
    caption = [{"text": CAPTION_BUTTON, "callback_data": caption_data(job_id)}]
    return {"inline_keyboard": [row, caption]}
