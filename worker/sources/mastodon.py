"""Mastodon threads through the instance's public API (``/api/v1/statuses/ID`` and ``/context``).

The id in a link belongs to the instance in that link, so that instance is asked (or
``MASTODON_API_URL`` in tests). The thread is the author's ancestors, the post, then the author's
self-reply chain through ``descendants`` (lowest id first), asking ``/context`` again from the last
post when logged-out limits (depth 20, 60 descendants) cut the chain short.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from bs4 import BeautifulSoup, NavigableString, Tag

from contract.errors import (
    HostRefused,
    NotAThreadLink,
    PostNotFound,
    PostPrivate,
    RateLimited,
    SourceUnavailable,
)
from contract.links import SourceRef
from rendering.model import Author, CustomEmoji, LinkCard, Media, Poll, PollOption, Post, Thread
from worker.config import Settings
from worker.http import get_with_retry, is_listed, json_body
from worker.limits import SOURCE_MAX_FETCHES, SOURCE_MAX_POSTS
from worker.sources.richtext import count, parse_time, percentages, positive_int, site_of

log = logging.getLogger(__name__)

NOT_PUBLIC = "That link doesn't point to a public Mastodon server I can read."


def api_base(ref: SourceRef, settings: Settings) -> str:
    """The API root to ask: the override, or the link's instance (https on its default port; the
    guarded client refuses it when it resolves to a non-public address)."""
    if settings.mastodon_api_url:
        return settings.mastodon_api_url.rstrip("/")
    instance = ref.instance or ""
    try:
        parts = urlsplit(f"https://{instance}")
        host, port = parts.hostname or "", parts.port
    except ValueError:
        raise NotAThreadLink(NOT_PUBLIC) from None
    if not host or (port not in (None, 443) and not is_listed(host, port, settings.extra_media_hosts)):
        raise NotAThreadLink(NOT_PUBLIC)
    return f"https://{instance}"


def _get(client: httpx.Client, url: str) -> Any:
    try:
        response = get_with_retry(client, url)
    except HostRefused:
        raise NotAThreadLink(NOT_PUBLIC) from None
    status = response.status_code
    if status == 200:
        try:
            return response.json()
        except ValueError:
            raise SourceUnavailable() from None
    if status == 404 or status == 410:
        raise PostNotFound(
            "I couldn't find that Mastodon post: it may be deleted, private, or the link is wrong."
        )
    if status in (401, 403):
        raise PostPrivate("That Mastodon server only shows this post to logged-in users, so I can't read it.")
    if status == 429:
        raise RateLimited()
    log.warning("Mastodon %s answered %d %.200r", url, status, json_body(response))
    raise SourceUnavailable()


def fetch_thread(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> Thread:
    base = api_base(ref, settings)
    status = _get(client, f"{base}/api/v1/statuses/{ref.id}")
    if not isinstance(status, dict) or "id" not in status:
        raise SourceUnavailable()
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]
    focal_id = str(status["id"])
    author_id = str((status.get("account") or {}).get("id") or "")
    fetches = 1

    context = _get(client, f"{base}/api/v1/statuses/{focal_id}/context")
    fetches += 1
    context = context if isinstance(context, dict) else {}
    ancestors = [
        a
        for a in context.get("ancestors") or []
        if isinstance(a, dict) and str((a.get("account") or {}).get("id") or "") == author_id
    ]
    chain = [status]
    seen = {focal_id, *(str(a.get("id")) for a in ancestors)}
    descendants = context.get("descendants") or []
    context_of = focal_id
    while len(ancestors) + len(chain) < SOURCE_MAX_POSTS:
        current = str(chain[-1]["id"])
        nxt = _next_self_reply(descendants, current, author_id, seen)
        if nxt is None:
            last = chain[-1]
            if context_of == current or not (last.get("replies_count") or 0) or fetches >= SOURCE_MAX_FETCHES:
                break
            more = _get(client, f"{base}/api/v1/statuses/{current}/context")
            fetches += 1
            context_of = current
            descendants = (more or {}).get("descendants") or [] if isinstance(more, dict) else []
            continue
        seen.add(str(nxt["id"]))
        chain.append(nxt)

    posts = tuple(_post(s) for s in [*ancestors, *chain])
    return Thread(source="mastodon", url=ref.url, author=posts[0].author, posts=posts)


def _numeric(status_id: Any) -> tuple[int, str]:
    s = str(status_id)
    return (int(s), s) if s.isdigit() else (0, s)


def _next_self_reply(descendants: list[Any], parent_id: str, author_id: str, seen: set[str]) -> dict | None:
    candidates = [
        d
        for d in descendants
        if isinstance(d, dict)
        and str(d.get("in_reply_to_id") or "") == parent_id
        and str((d.get("account") or {}).get("id") or "") == author_id
        and not d.get("reblog")
        and str(d.get("id")) not in seen
    ]
    return min(candidates, key=lambda d: _numeric(d.get("id"))) if candidates else None


def _author(account: dict) -> Author:
    acct = str(account.get("acct") or account.get("username") or "")
    home = urlsplit(str(account.get("url") or "")).hostname
    if acct and "@" not in acct and home:
        acct = f"{acct}@{home}"  # a local account's acct has no domain; the fediverse handle does
    return Author(
        name=str(account.get("display_name") or "").strip() or str(account.get("username") or acct),
        handle=acct,
        avatar_url=account.get("avatar_static") or account.get("avatar") or None,
        url=account.get("url") or None,
        emojis=emojis(account.get("emojis")),
    )


def emojis(raw: Any) -> tuple[CustomEmoji, ...]:
    """``CustomEmoji`` entities → shortcode and image (the static image: no animation on a slide)."""
    out: list[CustomEmoji] = []
    seen: set[str] = set()
    for e in raw if isinstance(raw, list) else []:
        if not isinstance(e, dict):
            continue
        shortcode = str(e.get("shortcode") or "").strip(":")
        url = e.get("static_url") or e.get("url")
        if shortcode and isinstance(url, str) and url and shortcode not in seen:
            seen.add(shortcode)
            out.append(CustomEmoji(shortcode=shortcode, url=url))
    return tuple(out)


def link_card(status: dict) -> LinkCard | None:
    """``PreviewCard``: shown, as Mastodon does, only for a post without media (nor a quote of it)."""
    card = status.get("card")
    if not isinstance(card, dict) or not isinstance(card.get("url"), str) or not card["url"]:
        return None
    if status.get("media_attachments"):
        return None
    image = card.get("image")
    return LinkCard(
        url=card["url"],
        title=str(card.get("title") or "").strip(),
        description=str(card.get("description") or "").strip(),
        image=Media(url=image, width=positive_int(card.get("width")), height=positive_int(card.get("height")))
        if isinstance(image, str) and image
        else None,
        site=str(card.get("provider_name") or "").strip() or site_of(card["url"]),
        video=card.get("type") == "video",
    )


def poll(status: dict) -> Poll | None:
    """``Poll``: options with ``votes_count`` (null while results are hidden), ``expired``; a
    multiple-choice poll's shares are of its voters, as Mastodon shows them."""
    raw = status.get("poll")
    if not isinstance(raw, dict):
        return None
    options = [o for o in raw.get("options") or [] if isinstance(o, dict) and str(o.get("title") or "")]
    if not options:
        return None
    votes = [count(o.get("votes_count")) for o in options]
    total = count(raw.get("votes_count")) or sum(votes)
    voters = count(raw.get("voters_count"))
    shares = percentages(votes, voters if raw.get("multiple") and voters else total)
    return Poll(
        options=tuple(
            PollOption(label=str(o["title"]), votes=v, percent=p)
            for o, v, p in zip(options, votes, shares, strict=True)
        ),
        total_votes=total,
        closed=bool(raw.get("expired")),
        ends_at=parse_time(raw.get("expires_at")),
    )


def _is_mention(node: Tag) -> bool:
    raw: Any = node.get("class") or []
    classes: list[str] = raw.split() if isinstance(raw, str) else [str(c) for c in raw]
    if "hashtag" in classes:
        return False
    if "h-card" in classes:
        return True
    return node.name == "a" and "mention" in classes


def content_html(status: dict) -> str:
    """The status's HTML without what Mastodon adds for older clients: a quote post's
    ``quote-inline`` "RE: link" paragraph, and a reply's leading mentions."""
    content = str(status.get("content") or "")
    quoted = isinstance(status.get("quote"), dict)
    reply = bool(status.get("in_reply_to_id"))
    if not content or not (quoted or reply):
        return content
    soup = BeautifulSoup(content, "html.parser")
    changed = False
    if quoted:
        for element in soup.select(".quote-inline"):
            element.decompose()
            changed = True
    if reply:
        first = soup.find("p") or soup
        while first.contents:
            node = first.contents[0]
            if isinstance(node, NavigableString) and not node.strip():
                node.extract()
            elif isinstance(node, Tag) and _is_mention(node):
                node.extract()
                changed = True
            elif isinstance(node, NavigableString) and changed:
                node.replace_with(node.lstrip())
                break
            else:
                break
        if changed and isinstance(first, Tag) and first.name == "p" and not first.get_text(strip=True):
            first.decompose()
    return str(soup) if changed else content


def _media(status: dict) -> tuple[Media, ...]:
    out = []
    for m in status.get("media_attachments") or []:
        if not isinstance(m, dict):
            continue
        original = ((m.get("meta") or {}).get("original") or {}) if isinstance(m.get("meta"), dict) else {}
        width, height = original.get("width") or None, original.get("height") or None
        alt = str(m.get("description") or "")
        kind = m.get("type")
        if kind == "image" and m.get("url"):
            out.append(Media(url=m["url"], alt=alt, width=width, height=height))
        elif kind in ("video", "gifv") and m.get("preview_url"):
            out.append(
                Media(
                    kind="gif" if kind == "gifv" else "video",
                    url=m["preview_url"],
                    alt=alt,
                    width=width,
                    height=height,
                )
            )
    return tuple(out)


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _post(status: dict, *, with_quote: bool = True) -> Post:
    quote = None
    q = status.get("quote")
    if with_quote and isinstance(q, dict):
        quoted = q.get("quoted_status") if isinstance(q.get("quoted_status"), dict) else q
        if isinstance(quoted, dict) and quoted.get("id") and quoted.get("account"):
            quote = _post(quoted, with_quote=False)
    return Post(
        id=str(status.get("id")),
        url=status.get("url") or status.get("uri") or None,
        author=_author(status.get("account") or {}),
        text=content_html(status),
        text_format="html",
        media=_media(status),
        quote=quote,
        created_at=_parse_time(status.get("created_at")),
        card=link_card(status) if quote is None or _card_is_not(quote, status) else None,
        poll=poll(status),
        emojis=emojis(status.get("emojis")),
        content_warning=str(status.get("spoiler_text") or "").strip(),
    )


def _card_is_not(quote: Post, status: dict) -> bool:
    card = status.get("card")
    url = card.get("url") if isinstance(card, dict) else None
    return bool(url) and url not in (quote.url, quote.id)
