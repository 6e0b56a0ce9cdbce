"""Inline keyboards and the callback-data formats behind them.

Every ``callback_data`` string is built here and checked against Telegram's 64-byte limit, so a
keyboard that would be refused by Telegram fails loudly in tests instead of silently in a chat.

Formats (``:``-separated, the last part may itself contain ``:``, e.g. the ratio ``16:9``):

=====================================  ==================================================
``set:{field}:{value}``                choose a setting (theme, ratio, format, cta, watermark, autolink)
``brand:{field}``                      ask for a brand-kit value (name, handle, avatar, logo, accent, footer)
``brand:clear``                        clear the brand kit
``ps:load:{name}`` / ``ps:del:{name}``  load or delete a preset
``rr:{job}:{field}``                   under a delivered carousel: show the choices for theme/ratio/format
``rr:{job}:{field}:{value}``           re-render job ``job`` with ``field`` changed to ``value``
``rr:{job}``                           back to the three re-render buttons
=====================================  ==================================================

``{job}`` is the compact job reference from :func:`job_ref` (a UUID job id without dashes), so
``rr:`` data for every theme fits in 64 bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from worker.limits import TELEGRAM_CALLBACK_DATA_MAX_BYTES

SEP = ":"
SET_PREFIX = "set"
BRAND_PREFIX = "brand"
PRESET_PREFIX = "ps"
RERENDER_PREFIX = "rr"

RERENDER_FIELDS: tuple[str, ...] = ("theme", "ratio", "format")
BUTTONS_PER_ROW = 4
CHECK = "✓ "


def callback_data(*parts: str) -> str:
    """Join parts into callback data; raises if Telegram would refuse it (over 64 bytes)."""
    data = SEP.join(parts)
    size = len(data.encode("utf-8"))
    if not 1 <= size <= TELEGRAM_CALLBACK_DATA_MAX_BYTES:
        raise ValueError(
            f"callback data is {size} bytes, Telegram allows 1-{TELEGRAM_CALLBACK_DATA_MAX_BYTES}"
        )
    return data


def fits_callback(*parts: str) -> bool:
    return len(SEP.join(parts).encode("utf-8")) <= TELEGRAM_CALLBACK_DATA_MAX_BYTES


def split_callback(data: str, parts: int) -> list[str]:
    """Split callback data into at most ``parts`` pieces (the last keeps any further ``:``)."""
    return data.split(SEP, parts - 1)


# --- re-render buttons under a delivered carousel -------------------------------------------------


def job_ref(job_id: str) -> str:
    """The short, stable reference of a job used in callback data and as the stored-payload key."""
    try:
        return uuid.UUID(job_id).hex
    except ValueError:
        return job_id


@dataclass(frozen=True)
class RerenderRequest:
    job: str  # compact job reference (see job_ref)
    field: str | None = None  # None: back to the three buttons
    value: str | None = None  # None: show the choices for ``field``


def build_rerender_data(job_id: str, field: str | None = None, value: str | None = None) -> str:
    if field is not None and field not in RERENDER_FIELDS:
        raise ValueError(f"unknown re-render field {field!r}")
    parts = [RERENDER_PREFIX, job_ref(job_id)]
    if field is not None:
        parts.append(field)
        if value is not None:
            parts.append(value)
    return callback_data(*parts)


def parse_rerender_data(data: str) -> RerenderRequest | None:
    parts = split_callback(data, 4)
    if len(parts) < 2 or parts[0] != RERENDER_PREFIX or not parts[1]:
        return None
    field = parts[2] if len(parts) > 2 else None
    if field is not None and field not in RERENDER_FIELDS:
        return None
    value = parts[3] if len(parts) > 3 else None
    return RerenderRequest(job=parts[1], field=field, value=value or None)


def rerender_keyboard_rows(job_id: str) -> list[list[dict[str, str]]]:
    """The re-render keyboard as Bot API JSON rows (``reply_markup={"inline_keyboard": rows}``)."""
    labels = {"theme": "🎨 Theme", "ratio": "📐 Ratio", "format": "🖼 Format"}
    return [[{"text": labels[f], "callback_data": build_rerender_data(job_id, f)} for f in RERENDER_FIELDS]]


def rerender_keyboard(job_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in rerender_keyboard_rows(job_id)
        ]
    )


def rerender_choices_keyboard(
    job_id: str, field: str, choices: Sequence[tuple[str, str]], current: str | None
) -> InlineKeyboardMarkup:
    """Choices (value, label) for one field of a delivered carousel, plus a back button."""
    buttons = [
        InlineKeyboardButton(
            (CHECK if value == current else "") + label,
            callback_data=build_rerender_data(job_id, field, value),
        )
        for value, label in choices
        if fits_callback(RERENDER_PREFIX, job_ref(job_id), field, value)
    ]
    rows = _rows(buttons)
    rows.append([InlineKeyboardButton("← Back", callback_data=build_rerender_data(job_id))])
    return InlineKeyboardMarkup(rows)


# --- settings keyboards ---------------------------------------------------------------------------


def _rows(
    buttons: Iterable[InlineKeyboardButton], per_row: int = BUTTONS_PER_ROW
) -> list[list[InlineKeyboardButton]]:
    row: list[InlineKeyboardButton] = []
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row.append(button)
        if len(row) == per_row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def choice_keyboard(
    field: str, choices: Sequence[tuple[str, str]], current: str | None, per_row: int = BUTTONS_PER_ROW
) -> InlineKeyboardMarkup:
    """One button per (value, label); the current value is ticked."""
    return InlineKeyboardMarkup(
        _rows(
            (
                InlineKeyboardButton(
                    (CHECK if value == current else "") + label,
                    callback_data=callback_data(SET_PREFIX, field, value),
                )
                for value, label in choices
            ),
            per_row,
        )
    )


def parse_set_data(data: str) -> tuple[str, str] | None:
    parts = split_callback(data, 3)
    if len(parts) != 3 or parts[0] != SET_PREFIX:
        return None
    return parts[1], parts[2]


BRAND_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("handle", "@handle"),
    ("avatar", "Avatar"),
    ("logo", "Logo"),
    ("accent", "Accent colour"),
    ("footer", "Footer"),
)
CLEAR = "clear"


def brand_keyboard(watermark: bool) -> InlineKeyboardMarkup:
    rows = _rows(
        (
            InlineKeyboardButton(label, callback_data=callback_data(BRAND_PREFIX, f))
            for f, label in BRAND_FIELDS
        ),
        per_row=3,
    )
    rows.append(
        [
            InlineKeyboardButton(
                f"Watermark: {'on' if watermark else 'off'}",
                callback_data=callback_data(SET_PREFIX, "watermark", "off" if watermark else "on"),
            ),
            InlineKeyboardButton("Clear brand kit", callback_data=callback_data(BRAND_PREFIX, CLEAR)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def parse_brand_data(data: str) -> str | None:
    parts = split_callback(data, 2)
    if len(parts) != 2 or parts[0] != BRAND_PREFIX:
        return None
    return parts[1]


PRESET_LOAD = "load"
PRESET_DELETE = "del"


def preset_keyboard(names: Sequence[str], active: str | None) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for name in names:
        if not fits_callback(PRESET_PREFIX, PRESET_DELETE, name):
            continue
        rows.append(
            [
                InlineKeyboardButton(
                    (CHECK if name == active else "") + f"Load {name}",
                    callback_data=callback_data(PRESET_PREFIX, PRESET_LOAD, name),
                ),
                InlineKeyboardButton(
                    f"Delete {name}", callback_data=callback_data(PRESET_PREFIX, PRESET_DELETE, name)
                ),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def parse_preset_data(data: str) -> tuple[str, str] | None:
    parts = split_callback(data, 3)
    if len(parts) != 3 or parts[0] != PRESET_PREFIX or parts[1] not in (PRESET_LOAD, PRESET_DELETE):
        return None
    return parts[1], parts[2]


def settings_keyboard(is_group: bool, autolink: bool) -> InlineKeyboardMarkup:
    """Shortcuts from /settings to each setting's own keyboard."""
    rows = [
        [
            InlineKeyboardButton("Theme", callback_data=callback_data(SET_PREFIX, "menu", "theme")),
            InlineKeyboardButton("Ratio", callback_data=callback_data(SET_PREFIX, "menu", "ratio")),
            InlineKeyboardButton("Format", callback_data=callback_data(SET_PREFIX, "menu", "format")),
        ],
        [
            InlineKeyboardButton("CTA", callback_data=callback_data(SET_PREFIX, "menu", "cta")),
            InlineKeyboardButton("Brand kit", callback_data=callback_data(SET_PREFIX, "menu", "brand")),
            InlineKeyboardButton("Presets", callback_data=callback_data(SET_PREFIX, "menu", "preset")),
        ],
    ]
    if is_group:
        rows.append(
            [
                InlineKeyboardButton(
                    f"Auto-link: {'on' if autolink else 'off'}",
                    callback_data=callback_data(SET_PREFIX, "autolink", "off" if autolink else "on"),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)
