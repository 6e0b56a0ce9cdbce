"""X posts, threads and Articles through an FxTwitter-compatible API (``FXTWITTER_API_URL``).

``GET /2/thread/{id}`` returns the focal ``status`` and ``thread``: the chain walked upward through
any author and downward through the author's self-replies, tombstones included. We keep the
author's own posts, in order, without repeats. When ``thread`` is null (the server has no X account
behind it) we walk ``replying_to`` upward with ``/2/status/{id}`` while the parent is the author's.
A post carrying ``article`` (an X Article) becomes one post made of blocks.

When the thread call itself fails (5xx after the retries, a timeout, an unusable answer) the post
comes from the syndication endpoint instead (:mod:`worker.sources.syndication`): that post and the
author's posts above it, one call per step up; nothing below it. Such a thread is not complete, and
:func:`fetch_thread_checked` says so, so it is not cached.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contract.errors import (
    AccountUnavailable,
    ArticleUnavailable,
    PostDeleted,
    PostNotFound,
    PostPrivate,
    RateLimited,
    SourceUnavailable,
    UserError,
)
from rendering.model import Author, Block, LinkCard, Media, Poll, PollOption, Post, Span, Thread
from worker.limits import ARTICLE_MAX_EMBEDDED_POSTS, SOURCE_MAX_FETCHES, SOURCE_MAX_POSTS
from worker.sources import syndication
from worker.sources.richtext import (
    LEADING_MENTIONS,
    count,
    emphasize,
    link_mentions,
    parse_time,
    percentages,
    positive_int,
    site_of,
    utf16_to_index,
)

if TYPE_CHECKING:  # parsing a local FxTwitter-shaped file needs no HTTP client
    import httpx

    from worker.config import Settings

log = logging.getLogger(__name__)

X_ROOT = "https://x.com"

StatusFetcher = Callable[[str], dict | None]


# --------------------------------------------------------------------------------------------- API


class Unidentified(SourceUnavailable):
    """FxTwitter refused us for want of a User-Agent: our bug, which no fallback should hide."""


def _api_get(client: httpx.Client, settings: Settings, path: str) -> dict:
    from worker.http import get_with_retry, json_body

    url = settings.fxtwitter_api_url.rstrip("/") + path
    response = get_with_retry(client, url, follow_redirects=True)
    body = json_body(response)
    status = response.status_code
    if status == 200 and isinstance(body.get("status"), dict):
        _raise_for_tombstone(body["status"])
        return body
    if status == 401:
        if "error" in body and "code" not in body:
            log.error("FxTwitter refused our request as unidentified (User-Agent): %s", body.get("error"))
            raise Unidentified()
        raise PostPrivate()
    if status == 404:
        if isinstance(body.get("status"), dict):
            _raise_for_tombstone(body["status"])
        raise PostNotFound()
    if status == 400:
        raise PostNotFound()
    if status == 429:
        raise RateLimited()
    if status == 200:
        log.error("FxTwitter answered 200 without a status for %s: %.200r", path, body)
        raise SourceUnavailable()
    log.warning("FxTwitter answered %d for %s", status, path)
    raise SourceUnavailable()


def _raise_for_tombstone(status: dict) -> None:
    if status.get("type") != "tombstone":
        return
    reason = str(status.get("reason") or "")
    if reason == "deleted":
        raise PostDeleted()
    if reason == "private":
        raise PostPrivate()
    if reason in ("suspended", "blocked"):
        raise AccountUnavailable()
    raise PostNotFound()


def fetch_thread(ref_id: str, *, settings: Settings, client: httpx.Client, url: str | None = None) -> Thread:
    """The author's thread through ``ref_id`` (any of its posts), or an X Article as one post."""
    return fetch_thread_checked(ref_id, settings=settings, client=client, url=url)[0]


def fetch_thread_checked(
    ref_id: str, *, settings: Settings, client: httpx.Client, url: str | None = None
) -> tuple[Thread, bool]:
    """:func:`fetch_thread`, and whether the thread is complete (False: it came from the fallback)."""
    try:
        body = _api_get(client, settings, f"/2/thread/{ref_id}")
    except Unidentified:
        raise
    except SourceUnavailable:
        log.warning("FxTwitter failed for %s; trying the syndication endpoint", ref_id)
        return syndication_thread(ref_id, settings=settings, client=client, url=url), False
    return _thread_from_fxtwitter(body, ref_id, settings=settings, client=client, url=url), True


def syndication_thread(
    ref_id: str, *, settings: Settings, client: httpx.Client, url: str | None = None
) -> Thread:
    """The post ``ref_id`` and the author's posts above it, from the syndication endpoint."""
    fetches = 0

    def fetch_parent(status_id: str) -> dict | None:
        nonlocal fetches
        if fetches >= SOURCE_MAX_FETCHES:
            return None
        fetches += 1
        try:
            return syndication.fetch_tweet(status_id, settings=settings, client=client)
        except UserError as exc:
            log.info("X post %s not fetched from syndication: %s", status_id, exc.__class__.__name__)
            return None

    first = syndication.fetch_tweet(ref_id, settings=settings, client=client)
    fetches += 1
    return thread_from_response({"status": first, "thread": None}, fetch_status=fetch_parent, url=url)


def _thread_from_fxtwitter(
    body: dict, ref_id: str, *, settings: Settings, client: httpx.Client, url: str | None
) -> Thread:
    fetches = 0

    def fetch_status(status_id: str) -> dict | None:
        nonlocal fetches
        if fetches >= SOURCE_MAX_FETCHES:
            return None
        fetches += 1
        try:
            return _api_get(client, settings, f"/2/status/{status_id}")["status"]
        except (PostNotFound, PostPrivate, SourceUnavailable) as exc:
            log.info("X post %s not fetched: %s", status_id, exc.__class__.__name__)
            return None

    fetches += 1  # the thread call
    status = body["status"]
    article = status.get("article")
    if isinstance(article, dict) and not _has_blocks(article):
        # The thread route may return the article without its body: ask for the post alone once.
        again = fetch_status(str(status.get("id") or ref_id))
        if again and isinstance(again.get("article"), dict):
            status = again
    return thread_from_response({**body, "status": status}, fetch_status=fetch_status, url=url)


def thread_from_response(
    body: dict, *, fetch_status: StatusFetcher | None = None, url: str | None = None
) -> Thread:
    """A ``/2/thread`` (or ``/2/status``) response → Thread. ``fetch_status`` enables upward walks."""
    status = body.get("status")
    if not isinstance(status, dict):
        raise PostNotFound()
    _raise_for_tombstone(status)
    if isinstance(status.get("article"), dict):
        return article_thread(status, fetch_status=fetch_status)
    author_id = str((status.get("author") or {}).get("id") or "")
    chain = body.get("thread")
    statuses: list[dict]
    if isinstance(chain, list) and chain:
        statuses = _author_chain(chain, author_id)
        if not any(str(s.get("id")) == str(status.get("id")) for s in statuses):
            statuses = statuses or [status]
    else:
        statuses = _walk_up(status, fetch_status) if fetch_status else [status]
    statuses = statuses[:SOURCE_MAX_POSTS]
    posts = tuple(post_from_status(s) for s in statuses)
    first = posts[0]
    return Thread(source="x", url=url or first.url, author=first.author, posts=posts)


def _author_chain(items: Iterable[Any], author_id: str) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or item.get("type") == "tombstone":
            continue
        item_author = str((item.get("author") or {}).get("id") or "")
        item_id = str(item.get("id") or "")
        if not item_id or item_id in seen or (author_id and item_author != author_id):
            continue
        seen.add(item_id)
        out.append(item)
    return out


def _walk_up(status: dict, fetch_status: StatusFetcher) -> list[dict]:
    """``status`` and its ancestors by the same author, oldest first."""
    author = status.get("author") or {}
    author_id = str(author.get("id") or "")
    screen_name = str(author.get("screen_name") or "").lower()
    chain = [status]
    seen = {str(status.get("id"))}
    current = status
    while len(chain) < SOURCE_MAX_POSTS:
        parent = current.get("replying_to")
        if isinstance(parent, dict):
            parent_id, parent_name = parent.get("status"), parent.get("screen_name")
        else:  # v1 shape: replying_to is the screen name, replying_to_status the id
            parent_id, parent_name = current.get("replying_to_status"), parent
        if not parent_id or str(parent_id) in seen:
            break
        if parent_name and screen_name and str(parent_name).lower() != screen_name:
            break
        fetched = fetch_status(str(parent_id))
        if not fetched or fetched.get("type") == "tombstone":
            break
        if str((fetched.get("author") or {}).get("id") or "") != author_id:
            break
        seen.add(str(parent_id))
        chain.append(fetched)
        current = fetched
    chain.reverse()
    return chain


# ----------------------------------------------------------------------------------------- mapping


def _author(user: dict) -> Author:
    screen_name = str(user.get("screen_name") or "")
    return Author(
        name=str(user.get("name") or screen_name),
        handle=screen_name,
        avatar_url=user.get("avatar_url") or None,
        url=f"{X_ROOT}/{screen_name}" if screen_name else None,
    )


def _created_at(status: dict) -> datetime | None:
    ts = status.get("created_timestamp")
    if isinstance(ts, (int, float)) and ts > 0:
        return datetime.fromtimestamp(ts, tz=UTC)
    raw = status.get("created_at")
    if isinstance(raw, str):
        for fmt in ("%a %b %d %H:%M:%S %z %Y",):
            try:
                return datetime.strptime(raw, fmt)
            except ValueError:
                pass
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _media(status: dict) -> tuple[Media, ...]:
    media = status.get("media") or {}
    if not isinstance(media, dict):
        return ()
    items = media.get("all")
    if not isinstance(items, list) or not items:
        items = [*(media.get("photos") or []), *(media.get("videos") or [])]
    out: list[Media] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        thumb = item.get("thumbnail_url")
        if kind in ("video", "gif") and thumb:
            m = Media(
                kind=kind,
                url=thumb,
                width=_int(item.get("width")),
                height=_int(item.get("height")),
                alt=str(item.get("altText") or ""),
            )
        elif kind in ("photo", "gif") and item.get("url"):
            m = Media(
                kind=kind,
                url=item["url"],
                width=_int(item.get("width")),
                height=_int(item.get("height")),
                alt=str(item.get("altText") or ""),
            )
        else:
            continue
        if m.url not in seen:
            seen.add(m.url)
            out.append(m)
    return tuple(out)


_YOUTUBE_EMBED = re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")


def _watch_url(url: str) -> str:
    """A YouTube embed URL as the link a reader opens."""
    m = _YOUTUBE_EMBED.match(url)
    return f"https://www.youtube.com/watch?v={m.group(1)}" if m else url


def link_card(status: dict) -> LinkCard | None:
    """The post's link preview: FxTwitter's ``card``, else the player it lists as ``media.external``
    (a YouTube link: a card with the video's thumbnail, not a video of the post)."""
    card = status.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str) and card["url"]:
        raw_image = card.get("image")
        image = None
        if isinstance(raw_image, dict) and raw_image.get("url"):
            image = Media(
                url=str(raw_image["url"]),
                width=positive_int(raw_image.get("width")),
                height=positive_int(raw_image.get("height")),
                alt=str(raw_image.get("alt") or ""),
            )
        return LinkCard(
            url=card["url"],
            title=str(card.get("title") or "").strip(),
            description=str(card.get("description") or "").strip(),
            image=image,
            site=str(card.get("domain") or "").strip() or site_of(card["url"]),
        )
    media = status.get("media")
    external = media.get("external") if isinstance(media, dict) else None
    if isinstance(external, dict) and isinstance(external.get("url"), str) and external["url"]:
        url = _watch_url(external["url"])
        thumb = external.get("thumbnail_url")
        return LinkCard(
            url=url,
            image=Media(
                url=str(thumb),
                width=positive_int(external.get("width")),
                height=positive_int(external.get("height")),
            )
            if thumb
            else None,
            site=site_of(url),
            video=True,
        )
    return None


def poll(status: dict) -> Poll | None:
    """FxTwitter's ``poll``: ``choices[{label, count, percentage}]``, ``total_votes``, ``ends_at``,
    ``time_left_en`` ("Final results" once it closed)."""
    raw = status.get("poll")
    if not isinstance(raw, dict):
        return None
    choices = [c for c in raw.get("choices") or [] if isinstance(c, dict) and str(c.get("label") or "")]
    if not choices:
        return None
    votes = [count(c.get("count")) for c in choices]
    total = count(raw.get("total_votes")) or sum(votes)
    computed = percentages(votes, total)
    options = tuple(
        PollOption(
            label=str(c["label"]),
            votes=v,
            percent=float(c["percentage"]) if isinstance(c.get("percentage"), int | float) else pct,
        )
        for c, v, pct in zip(choices, votes, computed, strict=True)
    )
    ends_at = parse_time(raw.get("ends_at"))
    closed = str(raw.get("time_left_en") or "") == "Final results" or (
        ends_at is not None and ends_at <= datetime.now(tz=UTC)
    )
    return Poll(options=options, total_votes=total, closed=closed, ends_at=ends_at)


def display_text(status: dict) -> str:
    """The post's text as X shows it: without the reply mentions before ``display_text_range``,
    bold and italic runs of a long post marked, mentions linked to their profiles."""
    text = str(status.get("text") or "")
    raw = status.get("raw_text")
    raw = raw if isinstance(raw, dict) else {}
    raw_text = str(raw.get("text") or "")
    shown = raw.get("display_text_range")
    if raw_text and isinstance(shown, list) and shown and isinstance(shown[0], int) and shown[0] > 0:
        prefix = raw_text[: utf16_to_index(raw_text)(shown[0])]
        if LEADING_MENTIONS.match(prefix) and text.startswith(prefix.rstrip()):
            text = text[len(prefix.rstrip()) :].lstrip()
    facets = [f for f in raw.get("facets") or [] if isinstance(f, dict)]
    runs: dict[tuple[int, int], list[bool]] = {}
    for facet in facets:
        kind = facet.get("type")
        indices = facet.get("indices")
        if kind not in ("bold", "italic") or not isinstance(indices, list) or len(indices) != 2:
            continue
        start, end = indices
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw_text):
            style = runs.setdefault((start, end), [False, False])
            style[0 if kind == "bold" else 1] = True
    if runs:  # note-tweet ranges count code points of raw_text.text: Python indices
        ordered = sorted(runs.items())
        kept: list[tuple[str, bool, bool]] = []
        last_end = -1
        for (start, end), (bold, italic) in ordered:
            if start >= last_end:
                kept.append((raw_text[start:end], bold, italic))
                last_end = end
        text = emphasize(text, kept)
    mentions = [str(f.get("original") or "") for f in facets if f.get("type") == "mention"]
    return link_mentions(text, mentions, lambda name: f"{X_ROOT}/{name}")


def post_from_status(status: dict, *, with_quote: bool = True) -> Post:
    author = _author(status.get("author") or {})
    post_id = str(status.get("id") or "")
    url = status.get("url") or (f"{X_ROOT}/{author.handle or 'i'}/status/{post_id}" if post_id else None)
    quote = None
    q = status.get("quote")
    if with_quote and isinstance(q, dict) and q.get("type") == "tombstone":
        quote = Post(
            id=str(q.get("id") or ""), url=q.get("url") or None, author=Author(name=""), unavailable=True
        )
    elif with_quote and isinstance(q, dict) and q.get("id"):
        quote = post_from_status(q, with_quote=False)
    blocks: tuple[Block, ...] = ()
    article = status.get("article")
    if isinstance(article, dict) and _has_blocks(article):
        blocks = article_blocks(article)
        title = str(article.get("title") or "").strip()
        if title:
            blocks = (Block(kind="heading", level=1, spans=(Span(text=title),)), *blocks)
    return Post(
        id=post_id,
        url=url,
        author=author,
        text=display_text(status),
        blocks=blocks,
        media=_media(status),
        quote=quote,
        created_at=_created_at(status),
        card=link_card(status),
        poll=poll(status),
    )


# ---------------------------------------------------------------------------------------- articles


def _has_blocks(article: dict) -> bool:
    content = article.get("content")
    return isinstance(content, dict) and isinstance(content.get("blocks"), list) and bool(content["blocks"])


def article_thread(status: dict, *, fetch_status: StatusFetcher | None = None) -> Thread:
    """An X Article post → a Thread of one post made of blocks, titled, with its cover image."""
    article = status["article"]
    if not _has_blocks(article):
        raise ArticleUnavailable()
    author = _author(status.get("author") or {})
    post_id = str(status.get("id") or "")
    url = status.get("url") or f"{X_ROOT}/{author.handle or 'i'}/status/{post_id}"
    blocks = article_blocks(article, fetch_status=fetch_status)
    if not blocks:
        raise ArticleUnavailable()
    cover = _media_entity(article.get("cover_media"))
    post = Post(
        id=post_id,
        url=url,
        author=author,
        text=str(status.get("text") or ""),
        blocks=blocks,
        created_at=_created_at(status),
    )
    title = str(article.get("title") or "").strip() or None
    return Thread(source="x-article", url=url, title=title, author=author, posts=(post,), cover_image=cover)


def _media_entity(entity: Any) -> Media | None:
    if not isinstance(entity, dict):
        return None
    info = entity.get("media_info") or {}
    if not isinstance(info, dict):
        return None
    if info.get("original_img_url"):
        return Media(
            url=info["original_img_url"],
            width=_int(info.get("original_img_width")),
            height=_int(info.get("original_img_height")),
            alt=str(info.get("ext_alt_text") or ""),
        )
    thumb = info.get("media_url_https") or entity.get("media_url_https")
    if thumb:
        original = info.get("original_info") or {}
        return Media(
            kind="gif" if info.get("__typename") == "ApiGif" else "video",
            url=thumb,
            width=_int(original.get("width")),
            height=_int(original.get("height")),
            alt=str(info.get("ext_alt_text") or ""),
        )
    return None


def _entity_map(raw: Any) -> dict[str, dict]:
    """entityMap as a list of {key, value} or a dict, keyed by the key as a string → {type, data}."""
    out: dict[str, dict] = {}
    items: Iterable[tuple[Any, Any]]
    if isinstance(raw, list):
        items = ((e.get("key", i), e) for i, e in enumerate(raw) if isinstance(e, dict))
    elif isinstance(raw, dict):
        items = raw.items()
    else:
        return out
    for key, entry in items:
        if not isinstance(entry, dict):
            continue
        value = entry.get("value")
        out[str(key)] = value if isinstance(value, dict) else entry
    return out


def _media_index(article: dict) -> dict[str, dict]:
    index: dict[str, dict] = {}
    for entity in article.get("media_entities") or []:
        if isinstance(entity, dict):
            for k in ("media_id", "id", "media_key"):
                if entity.get(k) is not None:
                    index.setdefault(str(entity[k]), entity)
    return index


_STYLE = {"bold": "bold", "italic": "italic", "strikethrough": "strike", "code": "code"}


def _spans(block: dict, entities: dict[str, dict]) -> tuple[Span, ...]:
    text = str(block.get("text") or "")
    if not text:
        return ()
    at = utf16_to_index(text)  # Draft.js offsets are UTF-16
    n = len(text)
    styles: list[set[str]] = [set() for _ in range(n)]
    hrefs: list[str | None] = [None] * n
    for r in block.get("inlineStyleRanges") or []:
        if not isinstance(r, dict):
            continue
        style = _STYLE.get(str(r.get("style") or "").lower())
        if style is None:
            continue
        start = at(int(r.get("offset") or 0))
        end = at(int(r.get("offset") or 0) + int(r.get("length") or 0))
        for i in range(start, end):
            styles[i].add(style)

    def link(start: int, end: int, href: str) -> None:
        for i in range(at(start), at(end)):
            hrefs[i] = href

    raw_data = block.get("data")
    data: dict = raw_data if isinstance(raw_data, dict) else {}
    for kind, make in (
        ("urls", lambda t: t),
        ("mentions", lambda t: f"{X_ROOT}/{t.lstrip('@')}"),
        ("hashtags", lambda t: f"{X_ROOT}/hashtag/{t.lstrip('#')}"),
        ("cashtags", lambda t: f"{X_ROOT}/search?q=%24{t.lstrip('$')}"),
    ):
        for item in data.get(kind) or []:
            if isinstance(item, dict) and item.get("text") and isinstance(item.get("fromIndex"), int):
                link(
                    item["fromIndex"], int(item.get("toIndex") or item["fromIndex"]), make(str(item["text"]))
                )
    for r in block.get("entityRanges") or []:
        if not isinstance(r, dict):
            continue
        entity = entities.get(str(r.get("key")))
        if entity and str(entity.get("type") or "").upper() == "LINK":
            edata = entity.get("data") or {}
            href = edata.get("url") or edata.get("href")
            if href:
                off = int(r.get("offset") or 0)
                link(off, off + int(r.get("length") or 0), str(href))

    spans: list[Span] = []
    start = 0
    for i in range(1, n + 1):
        if i == n or styles[i] != styles[start] or hrefs[i] != hrefs[start]:
            s = styles[start]
            spans.append(
                Span(
                    text=text[start:i],
                    bold="bold" in s,
                    italic="italic" in s,
                    strike="strike" in s,
                    code="code" in s,
                    href=hrefs[start],
                )
            )
            start = i
    return tuple(spans)


def _code_block(markdown: str) -> Block:
    lines = markdown.strip("\n").split("\n")
    language = None
    if lines and lines[0].lstrip().startswith("```"):
        language = lines[0].strip()[3:].strip() or None
        lines = lines[1:]
        if lines and lines[-1].strip().startswith("```"):
            lines = lines[:-1]
    return Block(kind="code", spans=(Span(text="\n".join(lines), code=True),), language=language)


def article_blocks(article: dict, *, fetch_status: StatusFetcher | None = None) -> tuple[Block, ...]:
    """Draft.js-style ``content.blocks`` → document blocks."""
    content = article.get("content") or {}
    entities = _entity_map(content.get("entityMap"))
    media = _media_index(article)
    out: list[Block] = []
    number = 0
    embeds = 0
    for raw in content.get("blocks") or []:
        if not isinstance(raw, dict):
            continue
        kind = str(raw.get("type") or "unstyled")
        if kind != "ordered-list-item":
            number = 0
        if kind == "atomic":
            for r in raw.get("entityRanges") or []:
                entity = entities.get(str((r or {}).get("key")))
                if not entity:
                    continue
                etype = str(entity.get("type") or "").upper()
                edata = entity.get("data") or {}
                if etype == "MEDIA":
                    for item in edata.get("mediaItems") or []:
                        m = _media_entity(media.get(str((item or {}).get("mediaId"))))
                        if m:
                            out.append(Block(kind="image", media=m))
                elif etype == "IMAGE" and edata.get("src"):
                    out.append(Block(kind="image", media=Media(url=str(edata["src"]))))
                elif etype == "MARKDOWN" and edata.get("markdown"):
                    out.append(_code_block(str(edata["markdown"])))
                elif etype == "TWEET" and edata.get("tweetId"):
                    tweet_id = str(edata["tweetId"])
                    fetched = None
                    if fetch_status and embeds < ARTICLE_MAX_EMBEDDED_POSTS:
                        embeds += 1
                        fetched = fetch_status(tweet_id)
                    if fetched and fetched.get("type") != "tombstone":
                        post = post_from_status(fetched, with_quote=False)
                    else:
                        post = Post(
                            id=tweet_id,
                            url=f"{X_ROOT}/i/status/{tweet_id}",
                            author=Author(name="X"),
                            text=f"{X_ROOT}/i/status/{tweet_id}",
                        )
                    out.append(Block(kind="post", post=post))
                elif etype == "DIVIDER":
                    out.append(Block(kind="separator"))
            continue
        if kind == "code-block":
            out.append(_code_block(str(raw.get("text") or "")))
            continue
        spans = _spans(raw, entities)
        if not "".join(s.text for s in spans).strip():
            continue
        if kind == "header-one":
            out.append(Block(kind="heading", level=1, spans=spans))
        elif kind.startswith("header-"):
            out.append(Block(kind="heading", level=2, spans=spans))
        elif kind == "blockquote":
            out.append(Block(kind="quote", spans=spans))
        elif kind == "ordered-list-item":
            number += 1
            out.append(Block(kind="numbered", number=number, spans=spans))
        elif kind == "unordered-list-item":
            out.append(Block(kind="bullet", spans=spans))
        else:
            out.append(Block(kind="paragraph", spans=spans))
    return tuple(out)
