"""Pasted text and local files as threads.

Text is split into posts on lines that are only ``---`` (or ``***``/``___``) when it has any;
otherwise on blank lines. Markdown lines (``#``, ``>``, ``- ``, ``1.``) are kept for the document
builder; a heading alone is joined to the paragraph after it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from contract.errors import BadInput, NotAThread
from contract.text import split_posts
from rendering.model import Author, Post, Thread
from worker.limits import LOCAL_JSON_MAX_BYTES, TEXT_MAX_CHARS
from worker.sources import fxtwitter

DEFAULT_AUTHOR = Author(name="Thread")


def text_thread(text: str, author: Author | None = None) -> Thread:
    """Pasted text → a thread, one post per paragraph (or per ``---`` section)."""
    if len(text) > TEXT_MAX_CHARS:
        raise BadInput(f"That text is too long: keep it under {TEXT_MAX_CHARS:,} characters.")
    parts = split_posts(text)
    if not parts:
        raise NotAThread()
    who = author or DEFAULT_AUTHOR
    posts = tuple(Post(id=str(i), author=who, text=part) for i, part in enumerate(parts, start=1))
    return Thread(source="text", author=who, posts=posts)


def load_local(path: Path) -> Thread:
    """A local FxTwitter-shaped ``.json`` (``/2/thread`` or ``/2/status`` response, a bare status, or a
    saved Thread) or a ``.md``/``.txt`` file → Thread."""
    path = Path(path)
    cap = LOCAL_JSON_MAX_BYTES if path.suffix.lower() == ".json" else TEXT_MAX_CHARS * 4
    if path.is_dir():
        raise BadInput(f"{path} is a folder, not a file.")
    try:
        with path.open("rb") as file:  # read at most one byte past the cap: /dev/zero ends too
            raw = file.read(cap + 1)
    except OSError:
        raise BadInput(f"I couldn't open {path}.") from None
    if len(raw) > cap:
        raise BadInput(f"{path} is too long for a carousel.")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{path.name} isn't UTF-8 text.") from None
    if path.suffix.lower() == ".json":
        try:
            return _json_thread(content, path)
        except (ValidationError, TypeError, AttributeError, KeyError, IndexError):
            raise BadInput(f"{path.name} has fields of the wrong type for a thread.") from None
    thread = text_thread(content)
    return thread.model_copy(update={"source": "file"})


def _json_thread(content: str, path: Path) -> Thread:
    try:
        data = json.loads(content)
    except ValueError:
        raise BadInput(f"{path.name} isn't valid JSON.") from None
    if isinstance(data, dict) and "posts" in data and "author" in data:
        try:
            return Thread.model_validate(data)
        except ValueError:
            raise BadInput(f"{path.name} isn't a thread I can read.") from None
    if isinstance(data, list):  # a list of statuses, in order
        statuses = [s for s in data if isinstance(s, dict) and s.get("type") != "tombstone"]
        if not statuses:
            raise BadInput(f"{path.name} holds no posts.")
        data = {"status": statuses[0], "thread": statuses}
    if (
        isinstance(data, dict)
        and "status" not in data
        and ("id" in data and ("text" in data or "article" in data))
    ):
        data = {"status": data, "thread": None}
    if not isinstance(data, dict) or not isinstance(data.get("status"), dict):
        raise BadInput(f"{path.name} isn't an FxTwitter-shaped post or thread.")
    try:
        return fxtwitter.thread_from_response(data)
    except (KeyError, TypeError, ValueError):
        raise BadInput(f"{path.name} isn't an FxTwitter-shaped post or thread.") from None
