"""Recognise thread links in a message and normalise them to a :class:`SourceRef`.

Pure string work, no network. Accepted shapes (see the README for the list users see):

* X: x.com / twitter.com (with www., mobile., m.), the fix-up mirrors (fxtwitter.com, fixupx.com,
  vxtwitter.com, fixvx.com, twittpr.com with their d./dl./t./i./g./m./o. modifier subdomains) and
  Nitter-style front ends; paths ``/handle/status/ID`` (+ ``/photo/1``, ``/video/1``, a language
  suffix, ``.jpg``...), ``/i/status/ID``, ``/i/web/status/ID``, ``/status/ID``, ``/dl/handle/status/ID``,
  ``/handle/article/ID`` (a post id) and ``/i/article/ID`` (an article id, which no public API maps
  back to its post).
* Bluesky: ``bsky.app/profile/ACTOR/post/RKEY`` (and fxbsky.app, ``/PREFIX/profile/...``) and
  ``at://ACTOR/app.bsky.feed.post/RKEY``.
* Mastodon: ``https://INSTANCE/@user/ID``, ``/@user@remote/ID``, ``/users/user/statuses/ID``.
* Short links: ``https://t.co/CODE`` (kind ``short``): supported, but only an HTTP lookup
  (:mod:`worker.sources.shortlinks`) tells which post they lead to.

Links without a scheme (``x.com/jack/status/20``) are accepted; query strings and fragments ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, urlsplit

SourceKind = Literal["x", "x-article-id", "bluesky", "mastodon", "short"]

_X_BASE_HOSTS = frozenset(
    {
        "x.com",
        "twitter.com",
        "fxtwitter.com",
        "vxtwitter.com",
        "fixupx.com",
        "fixvx.com",
        "twittpr.com",
        "nitter.net",
        "xcancel.com",
        "nitter.poast.org",
        "nitter.privacydev.net",
    }
)
_X_PREFIXES = ("www.", "mobile.", "m.", "d.", "dl.", "t.", "i.", "g.", "o.")
SHORT_LINK_HOSTS = frozenset({"t.co"})
_BSKY_BASE_HOSTS = frozenset({"bsky.app", "fxbsky.app", "staging.bsky.app"})
# Sites whose /@name/NUMBER paths are not Mastodon posts.
_NOT_MASTODON = frozenset({"youtube.com", "tiktok.com", "medium.com", "threads.net", "threads.com", "t.me"})

_STATUS_ID = re.compile(r"^(\d{2,20})(?:\.[A-Za-z0-9]{2,4})?$")
_X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,20}$")
_SHORT_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")
_MASTODON_ID = re.compile(r"^\d{1,20}$")
_MASTODON_USER = re.compile(r"^@?[A-Za-z0-9_.\-]{1,64}(?:@[A-Za-z0-9.\-]{1,253})?$")
_BSKY_RKEY = re.compile(r"^[A-Za-z0-9._:~\-]{1,512}$")
_BSKY_ACTOR = re.compile(
    r"^(?:did:[a-z0-9]+:[A-Za-z0-9._:%\-]+|[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z0-9.\-]+)$"
)
_HOST = re.compile(r"^[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+$")

# Characters that cannot be part of a link as people paste it; split candidates on them.
_SPLIT = re.compile(r"[\s<>\"'`()\[\]{}|\\^]+")
_TRAIL = ".,;:!?…»“”‘’*_~"
_LEAD = "«“‘*_~"


@dataclass(frozen=True)
class SourceRef:
    """A normalised pointer to one post of a thread."""

    kind: SourceKind
    id: str  # X status id, X article id, Bluesky rkey, Mastodon status id (local to ``instance``),
    # or a short link's code
    url: str  # canonical link
    handle: str | None = None  # X screen name, Bluesky handle or DID, Mastodon acct
    instance: str | None = None  # Mastodon: the host (or host:port) the id belongs to

    @property
    def cache_key(self) -> str:
        if self.kind == "bluesky":
            return f"thread:bluesky:{self.handle}:{self.id}"
        if self.kind == "mastodon":
            return f"thread:mastodon:{self.instance}:{self.id}"
        return f"thread:{self.kind}:{self.id}"


@dataclass(frozen=True)
class LinkMatch:
    ref: SourceRef
    others: int = 0  # how many more distinct supported links the message held


def find_link(text: str) -> LinkMatch | None:
    """The first supported thread link in ``text``, and how many other distinct ones followed it."""
    refs: list[SourceRef] = []
    seen: set[str] = set()
    for candidate in _candidates(text or ""):
        ref = parse_link(candidate)
        if ref is not None and ref.cache_key not in seen:
            seen.add(ref.cache_key)
            refs.append(ref)
    if not refs:
        return None
    return LinkMatch(ref=refs[0], others=len(refs) - 1)


def find_links(text: str) -> list[SourceRef]:
    """Every distinct supported link in ``text``, in order."""
    out: list[SourceRef] = []
    seen: set[str] = set()
    for candidate in _candidates(text or ""):
        ref = parse_link(candidate)
        if ref is not None and ref.cache_key not in seen:
            seen.add(ref.cache_key)
            out.append(ref)
    return out


def _candidates(text: str) -> list[str]:
    out = []
    for piece in _SPLIT.split(text):
        piece = piece.strip(_TRAIL).lstrip(_LEAD)
        if "/" in piece and len(piece) <= 2048:
            out.append(piece)
    return out


def parse_link(link: str) -> SourceRef | None:
    """A single link (with or without scheme) → SourceRef, or None when it is not a supported post link."""
    link = link.strip()
    if not link:
        return None
    if link[:5].lower() == "at://":
        return _parse_at_uri(link[5:])
    if "://" not in link:
        if link.startswith("//"):
            link = link[2:]
        link = "https://" + link
    try:
        parts = urlsplit(link)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host in SHORT_LINK_HOSTS:
        if len(segments) == 1 and _SHORT_CODE.match(segments[0]):
            return SourceRef(kind="short", id=segments[0], url=f"https://{host}/{segments[0]}")
        return None
    x_host = _x_host(host)
    if x_host:
        return _parse_x(segments)
    if _strip_prefixes(host, ("www.", "d.", "t.", "m.", "i.", "g.")) in _BSKY_BASE_HOSTS:
        return _parse_bsky_path(segments)
    return _parse_mastodon(parts, host, port, segments)


def _strip_prefixes(host: str, prefixes: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if host.startswith(p) and host[len(p) :].count(".") >= 1:
                host = host[len(p) :]
                changed = True
    return host


def _x_host(host: str) -> bool:
    if host.startswith("nitter.") and _HOST.match(host):
        return True
    return _strip_prefixes(host, _X_PREFIXES) in _X_BASE_HOSTS


def _parse_x(segments: list[str]) -> SourceRef | None:
    if segments and segments[0].lower() in ("dl", "dir"):
        segments = segments[1:]
    for i, seg in enumerate(segments[:-1]):
        word = seg.lower()
        if word not in ("status", "statuses", "article"):
            continue
        m = _STATUS_ID.match(segments[i + 1])
        if not m:
            continue
        post_id = m.group(1)
        before = segments[:i]
        handle = before[-1] if before else None
        if word == "article" and handle is not None and handle.lower() == "i":
            return SourceRef(kind="x-article-id", id=post_id, url=f"https://x.com/i/article/{post_id}")
        if len(before) > 2:
            return None
        if handle is not None and (handle.lower() in ("i", "web") or not _X_HANDLE.match(handle)):
            handle = None
        if handle is None and before and [s.lower() for s in before] not in (["i"], ["i", "web"]):
            return None
        return SourceRef(
            kind="x", id=post_id, url=f"https://x.com/{handle or 'i'}/status/{post_id}", handle=handle
        )
    return None


def _bsky_ref(actor: str, rkey: str) -> SourceRef | None:
    if not _BSKY_ACTOR.match(actor) or not _BSKY_RKEY.match(rkey):
        return None
    if not actor.startswith("did:"):
        actor = actor.lower()
    return SourceRef(
        kind="bluesky", id=rkey, url=f"https://bsky.app/profile/{actor}/post/{rkey}", handle=actor
    )


def _parse_bsky_path(segments: list[str]) -> SourceRef | None:
    for i, seg in enumerate(segments):
        if seg == "profile" and len(segments) >= i + 4 and segments[i + 2] == "post" and i <= 1:
            return _bsky_ref(segments[i + 1], segments[i + 3])
    return None


def _parse_at_uri(rest: str) -> SourceRef | None:
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in rest.split("/") if s]
    if len(segments) == 3 and segments[1] == "app.bsky.feed.post":
        return _bsky_ref(segments[0], segments[2])
    return None


def _parse_mastodon(parts: SplitResult, host: str, port: int | None, segments: list[str]) -> SourceRef | None:
    if not _HOST.match(host) or _strip_prefixes(host, ("www.", "m.")) in _NOT_MASTODON:
        return None
    if segments and segments[0] == "web":
        segments = segments[1:]
    if segments and segments[-1] == "embed":
        segments = segments[:-1]
    user: str | None = None
    status_id: str | None = None
    if len(segments) == 2 and segments[0].startswith("@"):
        user, status_id = segments[0][1:], segments[1]
    elif len(segments) == 4 and segments[0] == "users" and segments[2] == "statuses":
        user, status_id = segments[1], segments[3]
    if user is None or status_id is None:
        return None
    if not _MASTODON_ID.match(status_id) or not _MASTODON_USER.match(user):
        return None
    instance = f"{host}:{port}" if port not in (None, 443) else host
    return SourceRef(
        kind="mastodon",
        id=status_id,
        url=f"https://{instance}/@{user}/{status_id}",
        handle=user,
        instance=instance,
    )
