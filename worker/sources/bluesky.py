"""Bluesky threads through the public AppView (``BSKY_API_URL``), no account needed.

A handle is resolved to its DID (``com.atproto.identity.resolveHandle``), then
``app.bsky.feed.getPostThread`` gives the post with its parents and replies. The thread is the
author's own posts above the focal one, the focal post, then the author's self-reply chain below it
(asking again from the last post when the chain runs past the returned depth).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from contract.errors import PostDeleted, PostNotFound, PostPrivate, RateLimited, SourceUnavailable
from contract.links import SourceRef
from rendering.model import Author, LinkCard, Media, Post, Thread
from worker.config import Settings
from worker.http import get_with_retry, json_body
from worker.limits import SOURCE_MAX_FETCHES, SOURCE_MAX_POSTS
from worker.sources.richtext import link, site_of

log = logging.getLogger(__name__)

BSKY_WEB = "https://bsky.app"
THREAD_DEPTH = 10
PARENT_HEIGHT = 80
LINK_FACET = "app.bsky.richtext.facet#link"
MENTION_FACET = "app.bsky.richtext.facet#mention"
_NOT_FOUND_ERRORS = frozenset({"NotFound", "RecordNotFound", "HandleNotFound", "InvalidRequest"})


def _xrpc(client: httpx.Client, settings: Settings, method: str, params: dict[str, str | int]) -> dict:
    url = f"{settings.bsky_api_url.rstrip('/')}/xrpc/{method}"
    response = get_with_retry(client, url, params=params)
    body = json_body(response)
    status = response.status_code
    if status == 200:
        return body
    error = str(body.get("error") or "")
    if status == 429:
        raise RateLimited()
    if status in (400, 404) and (error in _NOT_FOUND_ERRORS or status == 404):
        raise PostNotFound()
    if status in (401, 403):
        raise PostPrivate()
    log.warning("Bluesky %s answered %d %s", method, status, error)
    raise SourceUnavailable()


def resolve_did(actor: str, *, settings: Settings, client: httpx.Client) -> str:
    if actor.startswith("did:"):
        return actor
    try:
        body = _xrpc(client, settings, "com.atproto.identity.resolveHandle", {"handle": actor})
    except PostNotFound:
        raise PostNotFound("I couldn't find that Bluesky account: the link may be wrong.") from None
    did = body.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise SourceUnavailable()
    return did


def fetch_thread(ref: SourceRef, *, settings: Settings, client: httpx.Client) -> Thread:
    did = resolve_did(ref.handle or "", settings=settings, client=client)
    uri = f"at://{did}/app.bsky.feed.post/{ref.id}"
    fetches = 1

    def get_thread(at_uri: str, parent_height: int) -> Any:
        body = _xrpc(
            client,
            settings,
            "app.bsky.feed.getPostThread",
            {"uri": at_uri, "depth": THREAD_DEPTH, "parentHeight": parent_height},
        )
        return body.get("thread")

    root = get_thread(uri, PARENT_HEIGHT)
    fetches += 1
    if not _is_view(root):
        if isinstance(root, dict) and root.get("blocked"):
            raise PostPrivate("That Bluesky post is hidden from me (the author blocks viewers like me).")
        raise PostDeleted() if isinstance(root, dict) and root.get("notFound") else PostNotFound()
    focal = root["post"]
    author_did = str((focal.get("author") or {}).get("did") or "")

    ancestors: list[dict] = []
    node = root.get("parent")
    while _is_view(node):
        if (node["post"].get("author") or {}).get("did") == author_did:
            ancestors.append(node["post"])
        node = node.get("parent")
    ancestors.reverse()

    chain: list[dict] = [focal]
    seen = {focal.get("uri")}
    node = root
    while len(ancestors) + len(chain) < SOURCE_MAX_POSTS:
        child = _next_self_reply(node, author_did)
        if child is None:
            last = node["post"]
            if "replies" in node and node.get("replies"):
                break  # replies were returned and none continues the chain
            if not (last.get("replyCount") or 0) or fetches >= SOURCE_MAX_FETCHES or node is root:
                break
            again = get_thread(str(last.get("uri")), 0)
            fetches += 1
            if not _is_view(again) or not again.get("replies"):
                break
            node = again
            continue
        if child["post"].get("uri") in seen:
            break
        seen.add(child["post"].get("uri"))
        chain.append(child["post"])
        node = child

    posts = tuple(_post(p) for p in [*ancestors, *chain])
    return Thread(source="bluesky", url=posts[0].url, author=posts[0].author, posts=posts)


def _is_view(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and isinstance(node.get("post"), dict)
        and not node.get("notFound")
        and not node.get("blocked")
    )


def _next_self_reply(node: dict, author_did: str) -> dict | None:
    parent = node["post"]
    candidates = []
    for child in node.get("replies") or []:
        if not _is_view(child):
            continue
        post = child["post"]
        if (post.get("author") or {}).get("did") != author_did:
            continue
        reply = (post.get("record") or {}).get("reply") or {}
        ref = reply.get("parent") or {}
        if ref and ref.get("uri") != parent.get("uri") and ref.get("cid") != parent.get("cid"):
            continue
        candidates.append(child)
    if not candidates:
        return None
    return min(candidates, key=lambda c: str((c["post"].get("record") or {}).get("createdAt") or ""))


def _author(author: dict) -> Author:
    handle = str(author.get("handle") or author.get("did") or "")
    return Author(
        name=str(author.get("displayName") or "").strip() or handle,
        handle=handle,
        avatar_url=author.get("avatar") or None,
        url=f"{BSKY_WEB}/profile/{handle}" if handle else None,
    )


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def text_with_links(record: dict) -> str:
    """The record's text with each link facet's (possibly shortened) text replaced by its full URL,
    and each mention linked to the profile it names (``[@handle](https://bsky.app/profile/did)``).

    Facet offsets count UTF-8 bytes.
    """
    text = str(record.get("text") or "")
    facets = record.get("facets") or []
    data = text.encode("utf-8")
    replacements: list[tuple[int, int, bytes]] = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(data):
            continue
        for feature in facet.get("features") or []:
            if not isinstance(feature, dict):
                continue
            if feature.get("$type") == LINK_FACET and feature.get("uri"):
                replacements.append((start, end, str(feature["uri"]).encode("utf-8")))
                break
            if feature.get("$type") == MENTION_FACET and feature.get("did"):
                shown = data[start:end].decode("utf-8", errors="replace")
                linked = link(shown, f"{BSKY_WEB}/profile/{feature['did']}")
                replacements.append((start, end, linked.encode("utf-8")))
                break
    if not replacements:
        return text
    replacements.sort()
    out = bytearray()
    pos = 0
    for start, end, uri in replacements:
        if start < pos:
            continue  # overlapping facets: keep the first
        out += data[pos:start] + uri
        pos = end
    out += data[pos:]
    return out.decode("utf-8", errors="replace")


def _media(embed: Any) -> tuple[Media, ...]:
    if not isinstance(embed, dict):
        return ()
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _media(embed.get("media"))
    out: list[Media] = []
    if kind.startswith("app.bsky.embed.images"):
        for img in embed.get("images") or []:
            if isinstance(img, dict) and (img.get("fullsize") or img.get("thumb")):
                ratio = img.get("aspectRatio") or {}
                out.append(
                    Media(
                        url=img.get("fullsize") or img["thumb"],
                        width=ratio.get("width") or None,
                        height=ratio.get("height") or None,
                        alt=str(img.get("alt") or ""),
                    )
                )
    elif kind.startswith("app.bsky.embed.gallery"):
        for img in embed.get("items") or []:
            if isinstance(img, dict) and (img.get("fullsize") or img.get("thumbnail")):
                ratio = img.get("aspectRatio") or {}
                out.append(
                    Media(
                        url=img.get("fullsize") or img["thumbnail"],
                        width=ratio.get("width") or None,
                        height=ratio.get("height") or None,
                        alt=str(img.get("alt") or ""),
                    )
                )
    elif kind.startswith("app.bsky.embed.video") and embed.get("thumbnail"):
        ratio = embed.get("aspectRatio") or {}
        out.append(
            Media(
                kind="video",
                url=embed["thumbnail"],
                width=ratio.get("width") or None,
                height=ratio.get("height") or None,
                alt=str(embed.get("alt") or ""),
            )
        )
    return tuple(out)


def _card(embed: Any) -> LinkCard | None:
    """A link card: ``app.bsky.embed.external#view`` (alone, or as the media of a quote)."""
    if not isinstance(embed, dict):
        return None
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _card(embed.get("media"))
    if not kind.startswith("app.bsky.embed.external"):
        return None
    external = embed.get("external")
    if not isinstance(external, dict) or not isinstance(external.get("uri"), str) or not external["uri"]:
        return None
    thumb = external.get("thumb")
    return LinkCard(
        url=external["uri"],
        title=str(external.get("title") or "").strip(),
        description=str(external.get("description") or "").strip(),
        image=Media(url=thumb) if isinstance(thumb, str) and thumb else None,
        site=site_of(external["uri"]),
    )


_UNAVAILABLE = ("#viewNotFound", "#viewBlocked", "#viewDetached")


def _quote(embed: Any) -> Post | None:
    if not isinstance(embed, dict):
        return None
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _quote(embed.get("record"))
    if not kind.startswith("app.bsky.embed.record"):
        return None
    record = embed.get("record")
    if not isinstance(record, dict):
        return None
    rtype = str(record.get("$type") or "")
    if (
        rtype.endswith(_UNAVAILABLE)
        or record.get("notFound")
        or record.get("blocked")
        or record.get("detached")
    ):
        # the quoted post was deleted, its author blocks or is blocked, or it was detached
        uri = str(record.get("uri") or "")
        return Post(id=_rkey(uri), author=Author(name=""), unavailable=True)
    if not rtype.endswith("#viewRecord"):
        return None  # a feed, list or labeler card
    value = record.get("value") or {}
    author = _author(record.get("author") or {})
    uri = str(record.get("uri") or "")
    media: tuple[Media, ...] = ()
    card = None
    for e in record.get("embeds") or []:
        media = media + _media(e)
        card = card or _card(e)
    return Post(
        id=_rkey(uri),
        url=f"{BSKY_WEB}/profile/{author.handle}/post/{_rkey(uri)}",
        author=author,
        text=text_with_links(value),
        media=media,
        created_at=_parse_time(value.get("createdAt")),
        card=card,
    )


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _post(post: dict) -> Post:
    record = post.get("record") or {}
    author = _author(post.get("author") or {})
    rkey = _rkey(str(post.get("uri") or ""))
    embed = post.get("embed")
    return Post(
        id=rkey,
        url=f"{BSKY_WEB}/profile/{author.handle}/post/{rkey}",
        author=author,
        text=text_with_links(record),
        media=_media(embed),
        quote=_quote(embed),
        created_at=_parse_time(record.get("createdAt")),
        card=_card(embed),
    )
