"""Inline keyboards and the callback-data formats behind them.

Every ``callback_data`` string is built here and checked against Telegram's 64-byte limit, so a
keyboard that would be refused by Telegram fails loudly in tests instead of silently in a chat.

Formats (``:``-separated, the last part may itself contain ``:``, e.g. the ratio ``16:9``):

=====================================  ==================================================
``set:{field}:{value}``                choose a setting (theme, ratio, format, cta, delivery, watermark,
                                       autolink)
``brand:{field}``                      ask for a brand-kit value (name, handle, avatar, logo, accent, footer)
``brand:clear``                        clear the brand kit
``ps:load:{name}`` / ``ps:del:{name}``  load or delete a preset
``ask:cancel:{field}``                 stop waiting for the answer to a question (brand name, CTA link…)
``al:{on|off}``                        turn a group's auto-link on or off (under /autolink)
``rr:…``                              under a delivered carousel: see :mod:`contract.rerender`
``nx:…``                              under a capped carousel: see :mod:`contract.next_posts`
``set:max_posts:{n}``                  how many posts a carousel takes (/maxposts)
=====================================  ==================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage

from contract.rerender import (
    CAPTION_PREFIX,
    RERENDER_PREFIX,
    rerender_data,
    rerender_fits,
    telegram_rerender_keyboard,
)
from worker.limits import TELEGRAM_CALLBACK_DATA_MAX_BYTES

SEP = ":"
SET_PREFIX = "set"
BRAND_PREFIX = "brand"
PRESET_PREFIX = "ps"
ASK_PREFIX = "ask"
ASK_CANCEL = "cancel"
AUTOLINK_PREFIX = "al"
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


# --- re-render buttons under a delivered carousel (format: contract.rerender) ----------------------


def rerender_keyboard(job_id: str) -> InlineKeyboardMarkup:
    """The three buttons the worker put under the result (back from a field's choices)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in telegram_rerender_keyboard(job_id)["inline_keyboard"]
        ]
    )


BACK = "← Back"
CLOSE = "✕ Close"


def rerender_choices_keyboard(
    job_id: str, field: str, choices: Sequence[tuple[str, str]], current: str | None, back: str = BACK
) -> InlineKeyboardMarkup:
    """Choices (value, label) for one field of a delivered carousel, plus a back (or close) button."""
    buttons = [
        InlineKeyboardButton(
            (CHECK if value == current else "") + label,
            callback_data=rerender_data(job_id, field, value),
        )
        for value, label in choices
        if rerender_fits(job_id, field, value)
    ]
    rows = _rows(buttons)
    rows.append([InlineKeyboardButton(back, callback_data=rerender_data(job_id))])
    return InlineKeyboardMarkup(rows)


def keeping_other_rows(
    markup: InlineKeyboardMarkup, message: MaybeInaccessibleMessage | None
) -> InlineKeyboardMarkup:
    """``markup`` for the re-render controls, with the message's other rows (the "Next posts"
    button, …) kept below them, so opening a field's choices and going back loses none."""
    current = getattr(message, "reply_markup", None)
    if not isinstance(current, InlineKeyboardMarkup):
        return markup
    own = (f"{RERENDER_PREFIX}{SEP}", f"{CAPTION_PREFIX}{SEP}")  # rows the re-render keyboards draw
    others = [
        list(row)
        for row in current.inline_keyboard
        if not any(str(b.callback_data or "").startswith(own) for b in row)
    ]
    if not others:
        return markup
    return InlineKeyboardMarkup([*(list(row) for row in markup.inline_keyboard), *others])


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
            InlineKeyboardButton("Send as", callback_data=callback_data(SET_PREFIX, "menu", "delivery")),
        ],
        [
            InlineKeyboardButton("CTA", callback_data=callback_data(SET_PREFIX, "menu", "cta")),
            InlineKeyboardButton("Brand kit", callback_data=callback_data(SET_PREFIX, "menu", "brand")),
            InlineKeyboardButton("Presets", callback_data=callback_data(SET_PREFIX, "menu", "preset")),
        ],
        [InlineKeyboardButton("Max posts", callback_data=callback_data(SET_PREFIX, "menu", "max_posts"))],
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


def cancel_keyboard(field: str, label: str) -> InlineKeyboardMarkup:
    """The Cancel button under a question the bot asked for ``field``."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=callback_data(ASK_PREFIX, ASK_CANCEL, field))]]
    )


def parse_ask_data(data: str) -> str | None:
    """The field a Cancel button stops waiting for."""
    parts = split_callback(data, 3)
    if len(parts) != 3 or parts[0] != ASK_PREFIX or parts[1] != ASK_CANCEL:
        return None
    return parts[2]


def autolink_keyboard(on: bool) -> InlineKeyboardMarkup:
    """On / Off under /autolink, the current state ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    (CHECK if state == on else "") + label,
                    callback_data=callback_data(AUTOLINK_PREFIX, value),
                )
                for value, label, state in (("on", "On", True), ("off", "Off", False))
            ]
        ]
    )


def parse_autolink_data(data: str) -> bool | None:
    parts = split_callback(data, 2)
    if len(parts) != 2 or parts[0] != AUTOLINK_PREFIX or parts[1] not in ("on", "off"):
        return None
    return parts[1] == "on"
