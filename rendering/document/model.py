"""Document model: a thread turned into typed blocks, with all text resolved.

Every source's text ends here as blocks of spans (rendering/model.py ``Block``/``Span``): HTML tags,
markdown-ish lines, entities and mojibake are resolved by ``build_document``; layout never parses text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendering.model import Author, Block, Media, Post, Thread


@dataclass(frozen=True)
class DocPost:
    """One post, as blocks. ``source`` keeps the original for its author, media and permalink."""

    source: Post
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str  # article title, or a title derived from the first post
    author: Author
    posts: tuple[DocPost, ...]
    cover_image: Media | None = None
    source_url: str | None = None
    truncated_note: str | None = None  # e.g. "Showing 20 of 43 posts" when the thread was capped
    kind: str = "thread"  # what a reader calls it: "thread", "post" or "article"
    total_posts: int | None = None  # the thread's length before a cap, when it was capped


def document_kind(thread: Thread) -> str:
    if thread.source == "x-article":
        return "article"
    return "thread" if len(thread.posts) > 1 or thread.truncated else "post"
