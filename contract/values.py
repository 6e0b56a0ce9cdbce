"""Values a user types (accent colour, handle, CTA link, wording, post selection), checked once.

Each parser returns the value as it is stored and sent in a job, or raises :class:`ValueRejected`
whose ``sentence`` is what the user reads. Both front-ends use these, whatever their input looks
like (a ``/brand accent`` argument, a reply to a question, a slash-command option).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from themes.loader import parse_color
from worker.limits import BRAND_TEXT_MAX, CTA_TEXT_MAX, MAX_POSTS_CEILING, SOURCE_MAX_POSTS

ACCENT_INVALID = "That isn't a colour I understand: use #RRGGBB, e.g. #1D9BF0."
HANDLE_INVALID = "That isn't a handle: use letters, digits, _ or . after the @, e.g. @carouselbot."
LINK_INVALID = "That doesn't look like a link: give it as https://…"
VALUE_TOO_LONG = "That's too long — keep it under {limit} characters."
POSTS_INVALID = "That isn't a post selection: give post numbers and ranges, e.g. 1-8,11."
POSTS_OUT_OF_RANGE = "That thread has {count} posts, so pick post numbers from 1 to {count}."
MAX_POSTS_INVALID = f"Max posts is a whole number from 1 to {MAX_POSTS_CEILING}, e.g. 12."

_HANDLE = re.compile(r"^@?([A-Za-z0-9_.]{1,30})$")
_POST_RANGE = re.compile(r"^(\d+)(?:\s*[-–—]\s*(\d+))?$")
# ``posts:1-8,11`` after a link in a chat message (a word of its own, so never inside the link)
_POSTS_OPTION = re.compile(r"(?<!\S)posts\s*[:=]\s*(\S*)", re.IGNORECASE)
RANGE_DASH = "–"
_OPAQUE = 255


class ValueRejected(ValueError):
    """A typed value that cannot be used; ``sentence`` says why, in one sentence."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        super().__init__(sentence)


def parse_accent(value: str) -> str:
    """``#1d9bf0``, ``1D9BF0`` or ``#19F`` → ``#1D9BF0``; an accent is opaque."""
    try:
        r, g, b, a = parse_color("#" + value.strip().removeprefix("#"))
    except ValueError:
        raise ValueRejected(ACCENT_INVALID) from None
    if a != _OPAQUE:
        raise ValueRejected(ACCENT_INVALID)
    return f"#{r:02X}{g:02X}{b:02X}"


def parse_handle(value: str) -> str:
    """``@carouselbot`` → ``carouselbot`` (stored without its ``@``)."""
    match = _HANDLE.match(value.strip())
    if match is None:
        raise ValueRejected(HANDLE_INVALID)
    return match.group(1)


WEB_SCHEMES = ("http", "https")


def is_web_link(url: str) -> bool:
    """True for an ``http``/``https`` link with a host: the only links a slide or a PDF may carry
    (never ``javascript:``, ``file:``, ``data:`` …)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def parse_link(value: str) -> str:
    """A web link for the closing slide; ``example.com/x`` gets its ``https://``."""
    value = value.strip()
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme not in ("http", "https") or "." not in parts.netloc:
        raise ValueRejected(LINK_INVALID)
    return parts.geturl()


def parse_posts(value: str) -> tuple[int, ...]:
    """``1-8,11`` → ``(1, 2, …, 8, 11)``: post numbers from 1, in thread order, each once."""
    numbers: set[int] = set()
    for part in value.split(","):
        match = _POST_RANGE.match(part.strip())
        if match is None:
            raise ValueRejected(POSTS_INVALID)
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last <= SOURCE_MAX_POSTS:
            raise ValueRejected(POSTS_INVALID)
        numbers.update(range(first, last + 1))
    return tuple(sorted(numbers))


def posts_option(text: str) -> str | None:
    """The selection written as ``posts:1-8,11`` in a message (its text, maybe empty), or None."""
    match = _POSTS_OPTION.search(text)
    return match.group(1) if match is not None else None


def describe_posts(numbers: tuple[int, ...] | list[int]) -> str:
    """``(1, 2, …, 8, 11)`` → ``1–8, 11``: post numbers as a reader writes them (the inverse of
    :func:`parse_posts`)."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}{RANGE_DASH}{b}" for a, b in runs)


def posts_phrase(numbers: tuple[int, ...] | list[int]) -> str:
    """``post 3``, ``posts 1–8, 11``: the posts as a sentence names them."""
    return f"{'post' if len(set(numbers)) == 1 else 'posts'} {describe_posts(numbers)}"


def parse_max_posts(value: str) -> int:
    """A typed max posts (``12``) within 1 and the ceiling."""
    value = value.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_POSTS_CEILING:
        raise ValueRejected(MAX_POSTS_INVALID)
    return int(value)


def text_limit(field: str) -> int:
    """The longest wording ``field`` takes: brand name, or CTA text and footer."""
    return CTA_TEXT_MAX if field in ("cta_text", "brand.footer") else BRAND_TEXT_MAX


def parse_text(field: str, value: str) -> str:
    value = value.strip()
    limit = text_limit(field)
    if len(value) > limit:
        raise ValueRejected(VALUE_TOO_LONG.format(limit=limit))
    return value


def parse_setting(field: str, value: str) -> Any:
    """A typed value for the setting ``field`` as it is stored (raises :class:`ValueRejected`)."""
    if field == "brand.accent":
        return parse_accent(value)
    if field == "brand.handle":
        return parse_handle(value)
    if field == "cta_link":
        return parse_link(value)
    return parse_text(field, value)
