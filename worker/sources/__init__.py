"""Thread sources: a link or pasted text → :class:`rendering.model.Thread`, or a clear UserError.

Public API::

    find_link(text) -> LinkMatch | None          # the first supported link (t.co too), and how many others
    resolve(source, kind="link"|"text", settings=, client=, cache=None, max_posts=) -> Thread
    load_local(path) -> Thread                    # .json (FxTwitter-shaped) / .md / .txt
    text_thread(text, author=None) -> Thread      # pasted paragraphs → posts
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from contract.errors import ArticleLinkNeedsPost, NotAThread, NotAThreadLink, SourceUnreadable
from contract.links import LinkMatch, SourceRef, find_link, find_links, parse_link
from contract.text import reads_as_thread, split_posts
from rendering.model import Thread
from worker.sources import fxtwitter
from worker.sources.text import load_local, text_thread

if TYPE_CHECKING:  # a local render needs neither an HTTP client nor Redis: imported when fetching
    import httpx

    from worker.cache import ThreadCache
    from worker.config import Settings

__all__ = [
    "LinkMatch",
    "SourceRef",
    "fetch",
    "find_link",
    "find_links",
    "load_local",
    "parse_link",
    "resolve",
    "split_posts",
    "text_thread",
]

log = logging.getLogger(__name__)


def fetch(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> Thread:
    """Fetch and unroll the whole thread ``ref`` points into (no cap, no cache)."""
    return _fetch(ref, settings=settings, client=client)[0]


def _fetch(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> tuple[Thread, bool]:
    """The thread, and whether it is complete enough to cache (not a single-post fallback).

    An answer whose fields have unexpected types (an author as a string, a photo URL as a number)
    is a source we cannot read: one sentence for the user, the traceback for the log.
    """
    try:
        return _fetch_from_source(ref, settings=settings, client=client)
    except (ValidationError, TypeError, AttributeError, KeyError, IndexError) as exc:
        log.warning("%s answered in a shape we cannot read (%s)", ref.kind, exc, exc_info=True)
        raise SourceUnreadable() from exc


def _fetch_from_source(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> tuple[Thread, bool]:
    from worker.sources import bluesky, mastodon, shortlinks

    if ref.kind == "short":
        ref = shortlinks.expand(ref, settings=settings, client=client)
    if ref.kind == "x":
        return fxtwitter.fetch_thread_checked(ref.id, settings=settings, client=client, url=ref.url)
    if ref.kind == "bluesky":
        return bluesky.fetch_thread(ref, settings=settings, client=client), True
    if ref.kind == "mastodon":
        return mastodon.fetch_thread(ref, settings=settings, client=client), True
    if ref.kind == "x-article-id":
        raise ArticleLinkNeedsPost()
    raise NotAThreadLink()


def resolve(
    source: str,
    *,
    kind: Literal["link", "text"] = "link",
    settings: Settings,
    client: httpx.Client,
    cache: ThreadCache | None = None,
    max_posts: int,
) -> Thread:
    """A link (the first supported one in ``source``) or pasted text → Thread, capped at ``max_posts``."""
    if kind == "text":
        thread = text_thread(source)
        if not reads_as_thread(source):  # the rule the front-ends applied before enqueueing
            raise NotAThread()
        return thread.capped(max_posts)
    match = find_link(source)
    if match is None:
        raise NotAThreadLink()
    ref = match.ref
    if ref.kind == "short":  # one lookup at the short-link service; the cache is keyed by the post
        from worker.sources import shortlinks

        ref = shortlinks.expand(ref, settings=settings, client=client)
    if ref.kind == "x-article-id":
        raise ArticleLinkNeedsPost()
    cached = cache.get(ref.cache_key) if cache is not None else None
    if cached is not None:
        log.info("thread %s from cache", ref.cache_key)
        return cached.capped(max_posts)
    thread, complete = _fetch(ref, settings=settings, client=client)
    if cache is not None and complete:
        cache.put(ref.cache_key, thread)
    return thread.capped(max_posts)
