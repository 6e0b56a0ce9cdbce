"""The choices a user picks from (theme, ratio, format, call to action, delivery): values, labels, aliases.

One table per choice, read by both front-ends (keyboards, menus, slash-command choices), by the
worker (the re-render menus it posts under a result) and by the CLI (its ``--ratio`` choices).
"""

from __future__ import annotations

import re

from contract.options import CTAS, CUSTOM_THEME, DELIVERIES, FORMATS, RATIOS

CHOICE_FIELDS: tuple[str, ...] = ("theme", "ratio", "format", "cta", "delivery")

RATIO_LABELS: dict[str, str] = {
    "4:5": "4:5 portrait",
    "1:1": "1:1 square",
    "9:16": "9:16 story",
    "16:9": "16:9 landscape",
}
FORMAT_LABELS: dict[str, str] = {value: value.upper() for value in FORMATS}
CUSTOM_THEME_LABEL = "your own theme file"
CTA_LABELS: dict[str, str] = {"follow": "Follow", "save": "Save", "link": "Link", "none": "None"}
DELIVERY_LABELS: dict[str, str] = {
    "album": "Album of photos",
    "files": "Original files",
    "zip": "ZIP of the slides",
}
# What each delivery sends, where there is room to say it (Discord choices)
DELIVERY_DESCRIPTIONS: dict[str, str] = {
    "album": "album — slides as pictures (default)",
    "files": "files — the original slide files",
    "zip": "zip — one ZIP of the slides",
}
# What each call to action puts on the closing slide, where there is room to say it (Discord choices)
CTA_DESCRIPTIONS: dict[str, str] = {
    "follow": "follow — “Follow for more”",
    "save": "save — “Save and repost”",
    "link": "link — “Read more at …”",
    "none": "none — no closing slide",
}

# What people type for a choice, besides its value and its label
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "format": {"jpg": "jpeg"},
    "delivery": {
        "photos": "album",
        "pictures": "album",
        "file": "files",
        "documents": "files",
        "original": "files",
        "originals": "files",
        "archive": "zip",
    },
    "ratio": {"portrait": "4:5", "square": "1:1", "story": "9:16", "wide": "16:9", "landscape": "16:9"},
}
_RATIO_SEPARATORS = re.compile(r"^(\d+)\s*[x×/]\s*(\d+)$")


def choices(field: str) -> list[tuple[str, str]]:
    """(value, label) pairs a user may pick for ``field``, in the order they are offered."""
    if field == "theme":
        from themes import list_themes  # theme files are data: nothing is drawn

        return [(t.name, t.label) for t in list_themes()]
    if field == "ratio":
        return [(v, RATIO_LABELS[v]) for v in RATIOS]
    if field == "format":
        return [(v, FORMAT_LABELS[v]) for v in FORMATS]
    if field == "cta":
        return [(v, CTA_LABELS[v]) for v in CTAS]
    if field == "delivery":
        return [(v, DELIVERY_LABELS[v]) for v in DELIVERIES]
    raise KeyError(field)


def choice_values(field: str) -> list[str]:
    return [value for value, _ in choices(field)]


def choice_label(field: str, value: object) -> str:
    """How a chosen value reads in a sentence: the theme's name, "4:5 portrait", "JPEG"."""
    if field == "theme" and value == CUSTOM_THEME:
        return CUSTOM_THEME_LABEL
    return dict(choices(field)).get(str(value), str(value))


def typed_choice(field: str, typed: str) -> str:
    """A typed value (``jpg``, ``4x5``, ``Square``, ``Midnight``) as the value it means (else as typed)."""
    text = typed.strip().lower()
    text = CHOICE_ALIASES.get(field, {}).get(text, text)
    if field == "ratio":
        text = _RATIO_SEPARATORS.sub(r"\1:\2", text)
    for value, label in choices(field):
        if text in (value.lower(), label.lower()):
            return value
    return text
