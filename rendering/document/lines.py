"""Markdown-ish line structure of a post: which lines are headings, quotes, list items, code, separators.

Posts are not markdown documents: a line after a list is a new paragraph (no lazy continuation),
``•``, ``▪`` and ``→`` are bullets, ``1/`` numbers items. So the block structure is read line by line
here, with one pattern per kind of line, and the inline text of each group is parsed afterwards
(plain text by markdown-it's inline parser, HTML lines arrive as spans already).

The same classifier serves plain text and the lines of HTML paragraphs: a line is anything with a
``text`` and a way to drop its first characters (its marker).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

MAX_ITEM_NUMBER_DIGITS = 3  # "2024. was a year" is a sentence, not item 2024
HEADING_MAX_LEVEL = 2  # the document model knows two heading levels

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?=\S)")
_HEADING_TAIL = re.compile(r"[ \t]+#+[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_SEPARATOR_CHARS = "-*_—–─━═~"
_SEPARATOR_GLYPHS = "⸻⸺"
# Markers that are bullets only when followed by a space ("- a", "* a", "→ a"); glyphs that are
# bullets even glued to the word ("•item").
_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+–→➡➔►▸▶·]\ufe0f?[ \t]+|[•▪◦‣▫⁃]\ufe0f?[ \t]*)(?=\S)")
_NUMBERED = re.compile(
    rf"^(?P<indent>[ \t]*)(?:\(?(?P<n>\d{{1,{MAX_ITEM_NUMBER_DIGITS}}})[.)/]"
    r"|(?P<k>\d)\ufe0f?\u20e3|(?P<ten>\U0001f51f))[ \t]+(?=\S)"
)
_CONTINUATION_INDENT = re.compile(r"^[ \t]{2,}\S")
_NESTED_INDENT = 2  # leading spaces before a marker that make an item nested


@dataclass(frozen=True)
class LineKind:
    kind: Literal["blank", "text", "heading", "quote", "bullet", "numbered", "separator", "fence"]
    marker: int = 0  # characters of the marker to drop
    level: int = 1
    number: int | None = None
    language: str | None = None
    fence: str = ""


def is_separator(stripped: str) -> bool:
    compact = stripped.replace(" ", "")
    if not compact:
        return False
    if set(compact) <= set(_SEPARATOR_GLYPHS):
        return True
    return len(compact) >= 3 and len(set(compact)) == 1 and compact[0] in _SEPARATOR_CHARS


def classify(line: str, *, fences: bool = True) -> LineKind:
    stripped = line.strip()
    if not stripped:
        return LineKind("blank")
    if fences and (m := _FENCE.match(line)):
        info = m.group("info").strip().split()
        language = info[0].lower().removeprefix("language-") if info else None
        return LineKind("fence", language=language or None, fence=m.group("fence"))
    if is_separator(stripped):
        return LineKind("separator")
    if m := _HEADING.match(line):
        return LineKind("heading", marker=m.end(), level=min(len(m.group("hashes")), HEADING_MAX_LEVEL))
    if m := _QUOTE.match(line):
        return LineKind("quote", marker=m.end())
    if m := _NUMBERED.match(line):
        if m.group("n"):
            number = int(m.group("n"))
        elif m.group("k"):
            number = int(m.group("k"))
        else:
            number = 10
        return LineKind("numbered", marker=m.end(), number=number, level=_nesting(m.group("indent")))
    if m := _BULLET.match(line):
        return LineKind("bullet", marker=m.end(), level=_nesting(m.group("indent")))
    return LineKind("text")


def _nesting(indent: str) -> int:
    return 2 if len(indent.expandtabs(4)) >= _NESTED_INDENT else 1


def closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


@dataclass
class Group(Generic[T]):
    """Consecutive lines that make one block, markers already dropped."""

    kind: Literal["paragraph", "heading", "quote", "bullet", "numbered", "separator", "code"]
    lines: list[T] = field(default_factory=list)
    level: int = 1
    number: int | None = None
    language: str | None = None


def group_lines(
    lines: Iterable[T],
    text_of: Callable[[T], str],
    drop: Callable[[T, int], T],
    drop_end: Callable[[T, int], T],
    *,
    fences: bool = True,
) -> list[Group[T]]:
    """Group lines into blocks. Code lines are kept whole; other lines lose their markers.

    ``drop(line, n)`` / ``drop_end(line, n)`` remove the first / last ``n`` characters of a line.
    """
    groups: list[Group[T]] = []
    open_group: Group[T] | None = None  # a paragraph, quote or list item still taking lines
    fence = ""

    for line in lines:
        text = text_of(line)
        if fence:
            if closes_fence(text, fence):
                fence = ""
            elif text.rstrip().endswith(fence) and fence[0] not in text.rstrip()[: -len(fence)][-1:]:
                # "    return x```": the closing fence typed at the end of the last code line
                groups[-1].lines.append(drop_end(line, len(text) - len(text.rstrip()) + len(fence)))
                fence = ""
            else:
                groups[-1].lines.append(line)
            continue
        info = classify(text, fences=fences)
        kind = info.kind
        if kind == "blank":
            open_group = None
        elif kind == "fence":
            groups.append(Group("code", language=info.language))
            fence, open_group = info.fence, None
        elif kind == "separator":
            groups.append(Group("separator"))
            open_group = None
        elif kind == "heading":
            groups.append(Group("heading", [drop(line, info.marker)], level=info.level))
            open_group = None
        elif kind == "quote":
            if open_group is None or open_group.kind != "quote":
                open_group = Group("quote")
                groups.append(open_group)
            open_group.lines.append(drop(line, info.marker))
        elif kind in ("bullet", "numbered"):
            open_group = Group(kind, [drop(line, info.marker)], level=info.level, number=info.number)
            groups.append(open_group)
        elif open_group is not None and (
            open_group.kind == "paragraph"
            or (open_group.kind in ("bullet", "numbered") and _CONTINUATION_INDENT.match(text))
        ):
            open_group.lines.append(line)
        else:
            open_group = Group("paragraph", [line])
            groups.append(open_group)
    return groups
