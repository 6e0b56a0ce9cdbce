"""Pasted text: how it splits into posts, and when it reads as a thread at all.

Text is split into posts on lines that are only ``---`` (or ``***``/``___``) when it has any;
otherwise on blank lines. A heading alone is joined to the paragraph after it. The front-ends use
:func:`reads_as_thread` to decide whether a message is a text carousel before they enqueue it; the
worker splits it the same way.
"""

from __future__ import annotations

import re

from worker.limits import TEXT_SINGLE_POST_MIN_CHARS

MIN_PASTED_POSTS = 2  # pasted text with this many posts is a thread whatever its length
_SEPARATOR = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE)
_BLANK = re.compile(r"\n[ \t]*\n+")
_HEADING = re.compile(r"^#{1,6}\s")


def split_posts(text: str) -> list[str]:
    """Text → the texts of its posts (trimmed, none empty)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\ufeff")
    chunks = _SEPARATOR.split(text) if _SEPARATOR.search(text) else _BLANK.split(text)
    out: list[str] = []
    pending_heading = ""
    for chunk in chunks:
        chunk = chunk.strip("\n").strip()
        if not chunk:
            continue
        lines = chunk.split("\n")
        if all(_HEADING.match(line) for line in lines):
            pending_heading = f"{pending_heading}\n{chunk}".strip("\n")
            continue
        if pending_heading:
            chunk = f"{pending_heading}\n\n{chunk}"
            pending_heading = ""
        out.append(chunk)
    if pending_heading:
        out.append(pending_heading)
    return out


def reads_as_thread(text: str) -> bool:
    """Several posts, or one long one: worth laying out as slides."""
    posts = split_posts(text)
    return len(posts) >= MIN_PASTED_POSTS or (bool(posts) and len(posts[0]) >= TEXT_SINGLE_POST_MIN_CHARS)
