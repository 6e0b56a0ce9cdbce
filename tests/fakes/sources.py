"""A local fake of the thread sources: FxTwitter API, Bluesky AppView, a Mastodon instance, media CDN.

One stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) speaks each service's wire format:

* FxTwitter: ``GET /fx/2/thread/{id}`` and ``/fx/2/status/{id}`` (``{code, status, thread, author}``),
  building ``thread`` the way FxEmbed does (upward through any author, downward through the author's
  self-replies, tombstones kept); 401 ``{"error": ...}`` without a User-Agent, 401 for private posts,
  404 with a tombstone for deleted ones. ``x_thread_null = True`` imitates a server with no X account
  (``thread: null``).
* Bluesky: ``GET /bsky/xrpc/com.atproto.identity.resolveHandle`` and ``app.bsky.feed.getPostThread``
  honouring ``depth`` and ``parentHeight``.
* Mastodon: ``GET /masto/api/v1/statuses/{id}`` and ``/context`` with the logged-out limits
  (40 ancestors; descendants to depth 20, at most 60).
* X syndication: ``GET /syndication/tweet-result?id=&lang=&token=`` answers from the same X statuses,
  converted to the syndication ``Tweet`` shape (t.co links with entities, escaped text, reply
  mentions outside ``display_text_range``, ``mediaDetails``, ``parent``, ``quoted_tweet``, a cut
  ``text`` plus ``note_tweet`` for long posts); ``{"__typename": "TweetTombstone"}`` for deleted
  posts and ``{}`` for unknown or private ones (or a request without a token).
* t.co: ``GET /tco/{code}`` answers 301 with ``Location`` (or, for ``add_short_link(..., html=True)``,
  200 with the meta-refresh page t.co shows browsers); 404 for unknown codes.
* Media: ``GET /media/{name}`` serves registered bytes (or an endless chunked body).

Every request is recorded in ``.requests``; ``fail_next`` queues canned failures (429 with
Retry-After, 500s, 401...). Recorded API responses live in ``tests/fixtures/sources/`` and can be
served as they are with ``serve_json``.

Usage::

    from tests.fakes.sources import FakeSources

    with FakeSources() as fake:
        t = fake.add_x_thread(["first post", "second post"], handle="alice")
        settings = fake.settings()            # FXTWITTER_API_URL, BSKY_API_URL, ... pointed here
        env = fake.env()                      # the same as environment variables, for subprocesses
        thread = resolve(t.url, settings=settings, client=make_client(settings), max_posts=20)
        fake.fail_next("/fx/2/thread/", 429, headers={"Retry-After": "1"})
        fake.count("/fx/2/thread/")           # requests seen so far on that path prefix
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from worker.config import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
UA_ERROR = (
    "You must identify yourself with a User-Agent header in the form of 'YourAppName/1.0 "
    "(+http://example.com/yourapp)', such as 'MyAwesomeBot/1.0 (+http://example.com/myawesomebot)'"
)
MASTODON_MAX_ANCESTORS = 40
MASTODON_MAX_DESCENDANTS = 60
MASTODON_MAX_DEPTH = 20
TOMBSTONE_TEXT = "This Post was deleted by the Post author. Learn more"
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Canned:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class FakeThread:
    """What a builder added: ids in thread order, the link a user would paste, the texts."""

    ids: list[str]
    url: str
    texts: list[str]


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def load_fixture(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


class FakeSources:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._faults: list[tuple[str, Canned]] = []
        self._stalls: list[tuple[str, float]] = []
        self._canned: dict[str, Canned] = {}
        # X (FxTwitter shapes)
        self.x_statuses: dict[str, dict] = {}
        self.x_private: set[str] = set()
        self.x_thread_null = False
        # t.co: code → (target, answer with the HTML page instead of a redirect)
        self.short_links: dict[str, tuple[str, bool]] = {}
        # Bluesky
        self.bsky_handles: dict[str, str] = {}
        self.bsky_posts: dict[str, dict] = {}  # uri → postView
        self.bsky_parent: dict[str, str] = {}  # uri → parent uri
        self.bsky_missing: set[str] = set()  # uris that answer as notFound stubs
        # Mastodon
        self.masto_statuses: dict[str, dict] = {}
        # media
        self.media: dict[str, tuple[bytes | None, str, dict[str, str]]] = {}
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeSources:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-sources", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSources is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def fx_url(self) -> str:
        return self.base_url + "/fx"

    @property
    def syndication_url(self) -> str:
        return self.base_url + "/syndication"

    @property
    def tco_url(self) -> str:
        return self.base_url + "/tco"

    @property
    def bsky_url(self) -> str:
        return self.base_url + "/bsky"

    @property
    def mastodon_url(self) -> str:
        return self.base_url + "/masto"

    @property
    def media_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def media_url(self, name: str) -> str:
        return f"{self.base_url}/media/{name}"

    def env(self) -> dict[str, str]:
        return {
            "FXTWITTER_API_URL": self.fx_url,
            "SYNDICATION_URL": self.syndication_url,
            "TCO_URL": self.tco_url,
            "BSKY_API_URL": self.bsky_url,
            "MASTODON_API_URL": self.mastodon_url,
            "MEDIA_HOSTS": self.media_host,
        }

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "fxtwitter_api_url": self.fx_url,
            "syndication_url": self.syndication_url,
            "tco_url": self.tco_url,
            "bsky_api_url": self.bsky_url,
            "mastodon_api_url": self.mastodon_url,
            "media_hosts": self.media_host,
            "redis_url": None,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    # ------------------------------------------------------------------------------ faults, canned

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` requests whose path starts with ``path_prefix`` get this answer."""
        if body is None:
            body = {"code": status, "message": "fault"}
        with self._lock:
            for _ in range(times):
                self._faults.append((path_prefix, Canned(status, body, dict(headers or {}))))

    def stall_next(self, path_prefix: str, seconds: float) -> None:
        """The next request whose path starts with ``path_prefix`` is answered only after ``seconds``."""
        with self._lock:
            self._stalls.append((path_prefix, seconds))

    def _take_stall(self, path: str) -> float:
        with self._lock:
            for i, (prefix, seconds) in enumerate(self._stalls):
                if path.startswith(prefix):
                    del self._stalls[i]
                    return seconds
        return 0.0

    def serve_json(self, path: str, body: Any, status: int = 200) -> None:
        """Answer GET ``path`` (exact, without query) with ``body``: for recorded responses."""
        self._canned[path] = Canned(status, body)

    def count(self, path_prefix: str = "/") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.startswith(path_prefix))

    def _take_fault(self, path: str) -> Canned | None:
        with self._lock:
            for i, (prefix, canned) in enumerate(self._faults):
                if path.startswith(prefix):
                    del self._faults[i]
                    return canned
        return None

    # ----------------------------------------------------------------------------------------- media

    def add_image(
        self,
        name: str,
        data: bytes | None = None,
        *,
        content_type: str = "image/png",
        size: tuple[int, int] = (64, 48),
        color: tuple[int, int, int] = (40, 120, 200),
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve ``data`` (a generated PNG by default) at ``/media/{name}``; returns its URL."""
        self.media[name] = (
            png_bytes(size, color) if data is None else data,
            content_type,
            dict(headers or {}),
        )
        return self.media_url(name)

    def add_redirect(self, name: str, location: str) -> str:
        """``/media/{name}`` answers 302 to ``location``."""
        self.media[name] = (b"", "text/plain", {"Location": location})
        return self.media_url(name)

    def add_endless(self, name: str, content_type: str = "image/png") -> str:
        """A chunked body that never ends (for byte-cap tests)."""
        self.media[name] = (None, content_type, {})
        return self.media_url(name)

    def _avatar(self, key: str) -> str:
        name = f"avatar-{key}.png"
        if name not in self.media:
            shade = (sum(map(ord, key)) * 37) % 200
            self.add_image(name, size=(96, 96), color=(shade, 80, 160))
        return self.media_url(name)

    # ------------------------------------------------------------------------------------------- X

    def x_user(self, handle: str, name: str | None = None, user_id: str | None = None) -> dict:
        return {
            "type": "profile",
            "id": user_id or str(1000 + sum(map(ord, handle))),
            "name": name or handle.title(),
            "screen_name": handle,
            "avatar_url": self._avatar(f"x-{handle}"),
            "protected": False,
        }

    def add_x_status(self, status: dict) -> str:
        """Register an FxTwitter v2 status object (or a tombstone) as the API would return it."""
        self.x_statuses[str(status["id"])] = status
        return str(status["id"])

    def x_status(
        self,
        text: str,
        *,
        user: dict,
        status_id: str | None = None,
        reply_to: dict | None = None,
        photos: list[dict] | None = None,
        videos: list[dict] | None = None,
        quote: dict | None = None,
        article: dict | None = None,
        when: datetime | None = None,
    ) -> dict:
        sid = status_id or str(1_900_000_000_000_000_000 + next(self._ids))
        when = when or BASE_TIME + timedelta(minutes=next(self._ids))
        media: dict[str, Any] = {}
        if photos:
            media["photos"] = photos
        if videos:
            media["videos"] = videos
        if photos or videos:
            media["all"] = [*(photos or []), *(videos or [])]
        status = {
            "type": "status",
            "id": sid,
            "url": f"https://x.com/{user['screen_name']}/status/{sid}",
            "text": text,
            "raw_text": {"text": text, "display_text_range": [0, len(text)], "facets": []},
            "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "created_timestamp": int(when.timestamp()),
            "likes": 3,
            "reposts": 1,
            "quotes": 0,
            "replies": 1,
            "views": 100,
            "author": user,
            "media": media,
            "lang": "en",
            "possibly_sensitive": False,
            "replying_to": (
                {"screen_name": reply_to["author"]["screen_name"], "status": reply_to["id"]}
                if reply_to
                else None
            ),
            "source": "Twitter Web App",
            "provider": "twitter",
            "is_note_tweet": len(text) > 280,
            "quote": quote,
            "community_note": None,
        }
        if article is not None:
            status["article"] = article
        return status

    def x_photo(self, name: str, *, alt: str = "", size: tuple[int, int] = (120, 80)) -> dict:
        url = self.add_image(name, size=size)
        return {"type": "photo", "id": name, "url": url, "width": size[0], "height": size[1], "altText": alt}

    def x_video(self, name: str, *, size: tuple[int, int] = (160, 90)) -> dict:
        thumb = self.add_image(name, size=size, color=(10, 10, 10))
        return {
            "type": "video",
            "id": name,
            "url": f"https://video.twimg.com/ext_tw_video/{name}.mp4",
            "thumbnail_url": thumb,
            "duration": 12.5,
            "width": size[0],
            "height": size[1],
            "format": "video/mp4",
            "formats": [],
        }

    def add_x_thread(
        self,
        texts: list[str] | int,
        *,
        handle: str = "alice",
        name: str | None = None,
        user_id: str | None = None,
        reply_to: str | None = None,
        photos_on: dict[int, int] | None = None,
    ) -> FakeThread:
        """A self-thread of ``texts`` (or ``n`` numbered posts) by ``handle``; ``photos_on`` maps a post
        index to a number of photos. ``reply_to`` makes the first post answer another status."""
        if isinstance(texts, int):
            texts = [f"{i}/{texts} Post number {i} of the thread by {handle}." for i in range(1, texts + 1)]
        user = self.x_user(handle, name, user_id)
        parent = self.x_statuses.get(reply_to) if reply_to else None
        ids: list[str] = []
        for i, text in enumerate(texts):
            photos = [
                self.x_photo(
                    f"x-{handle}-{len(self.x_statuses)}-{k}.png", alt=f"Photo {k + 1} of post {i + 1}"
                )
                for k in range((photos_on or {}).get(i, 0))
            ]
            status = self.x_status(text, user=user, reply_to=parent, photos=photos or None)
            self.add_x_status(status)
            ids.append(status["id"])
            parent = status
        return FakeThread(ids=ids, url=self.x_statuses[ids[0]]["url"], texts=list(texts))

    def add_x_tombstone(self, status_id: str, reason: str = "deleted") -> None:
        self.x_statuses[status_id] = {
            "type": "tombstone",
            "provider": "twitter",
            "reason": reason,
            "message": f"This post is {reason}" if reason != "unavailable" else "This post is unavailable",
            "id": status_id,
        }

    def _x_children(self, parent_id: str, author_id: str) -> list[dict]:
        kids = [
            s
            for s in self.x_statuses.values()
            if s.get("type") == "status"
            and (s.get("replying_to") or {}).get("status") == parent_id
            and s["author"]["id"] == author_id
        ]
        return sorted(kids, key=lambda s: int(s["id"]))

    def _x_thread(self, focal: dict) -> list[dict]:
        up: list[dict] = []
        current = focal
        seen = {focal["id"]}
        while current.get("type") == "status" and current.get("replying_to"):
            pid = current["replying_to"]["status"]
            parent = self.x_statuses.get(pid)
            if parent is None or pid in seen:
                break
            seen.add(pid)
            up.append(parent)
            current = parent
        up.reverse()
        down: list[dict] = []
        current = focal
        while True:
            kids = [k for k in self._x_children(current["id"], focal["author"]["id"]) if k["id"] not in seen]
            if not kids:
                break
            current = kids[0]
            seen.add(current["id"])
            down.append(current)
        return [*up, focal, *down]

    def _fx(self, route: str, status_id: str) -> Canned:
        if not status_id.isdigit() or not 2 <= len(status_id) <= 20:
            return Canned(400, {"code": 400, "message": "Bad Request"})
        if status_id in self.x_private:
            return Canned(401, {"code": 401, "message": "PRIVATE_TWEET", "status": None, "thread": None})
        status = self.x_statuses.get(status_id)
        if status is None:
            return Canned(404, {"code": 404, "message": "NOT_FOUND", "status": None, "thread": None})
        if status.get("type") == "tombstone":
            return Canned(404, {"code": 404, "message": "NOT_FOUND", "status": status, "thread": None})
        thread = None if route == "status" or self.x_thread_null else self._x_thread(status)
        return Canned(200, {"code": 200, "status": status, "thread": thread, "author": status["author"]})

    # --------------------------------------------------------------------------------- syndication

    def _tco(self, key: str) -> str:
        return "https://t.co/" + "".join(c for c in f"{key}{next(self._ids):06d}" if c.isalnum())[-10:]

    def syndication_tweet(self, status: dict, *, nested: bool = False) -> dict:
        """An FxTwitter status as the syndication endpoint would describe the same post."""
        user = status["author"]
        sid = str(status["id"])
        text = str(status["text"])
        if status.get("is_note_tweet"):
            text = text[:270].rstrip() + "…"
        urls: list[dict] = []

        def shorten(m: re.Match[str]) -> str:
            link = m.group(0)
            short = self._tco(f"u{sid}")
            urls.append({"url": short, "expanded_url": link, "display_url": link.split("://", 1)[-1][:26]})
            return short

        body = html.escape(re.sub(r"https?://[^\s]+", shorten, text), quote=False)
        reply = status.get("replying_to") or None
        prefix = ""
        if reply and str(reply["screen_name"]).lower() != str(user["screen_name"]).lower():
            prefix = f"@{reply['screen_name']} "
        media = status.get("media") or {}
        items = media.get("all") or [*(media.get("photos") or []), *(media.get("videos") or [])]
        media_link = self._tco(f"m{sid}") if items else ""
        full = prefix + body + (f" {media_link}" if media_link else "")
        for u in urls:
            start = full.find(u["url"])
            u["indices"] = [start, start + len(u["url"])]
        details: list[dict] = []
        photos: list[dict] = []
        video: dict | None = None
        media_start = full.rfind(media_link) if media_link else 0
        for n, item in enumerate(items, start=1):
            size = {"width": item.get("width"), "height": item.get("height")}
            common = {
                "display_url": f"pic.x.com/{sid[-10:]}",
                "expanded_url": f"{status['url']}/{'photo' if item['type'] == 'photo' else 'video'}/{n}",
                "indices": [media_start, media_start + len(media_link)],
                "url": media_link,
                "original_info": size,
                "sizes": {},
            }
            if item.get("altText"):
                common["ext_alt_text"] = item["altText"]
            if item["type"] == "photo":
                details.append({**common, "type": "photo", "media_url_https": item["url"]})
                photos.append({"url": item["url"], **size, "expandedUrl": common["expanded_url"]})
            else:
                variants = [{"bitrate": 2_176_000, "content_type": "video/mp4", "url": item.get("url")}]
                details.append(
                    {
                        **common,
                        "type": "animated_gif" if item["type"] == "gif" else "video",
                        "media_url_https": item.get("thumbnail_url"),
                        "video_info": {"aspect_ratio": [16, 9], "variants": variants},
                    }
                )
                if video is None:
                    video = {
                        "poster": item.get("thumbnail_url"),
                        "variants": [{"type": "video/mp4", "src": item.get("url")}],
                    }
        when = datetime.fromtimestamp(int(status["created_timestamp"]), tz=UTC)
        tweet: dict[str, Any] = {
            "__typename": "Tweet",
            "lang": status.get("lang") or "en",
            "favorite_count": status.get("likes", 0),
            "possibly_sensitive": bool(status.get("possibly_sensitive")),
            "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "display_text_range": [len(prefix), len(prefix) + len(body)],
            "entities": {
                "hashtags": [],
                "urls": urls,
                "user_mentions": [],
                "symbols": [],
                **({"media": [details[0]]} if details else {}),
            },
            "id_str": sid,
            "text": full,
            "user": {
                "id_str": str(user["id"]),
                "name": user["name"],
                "screen_name": user["screen_name"],
                "profile_image_url_https": user.get("avatar_url"),
                "verified": False,
                "is_blue_verified": False,
                "profile_image_shape": "Circle",
            },
            "edit_control": {"edit_tweet_ids": [sid], "is_edit_eligible": False, "edits_remaining": "5"},
            "mediaDetails": details,
            "photos": photos,
            "conversation_count": status.get("replies", 0),
            "news_action_type": "conversation",
            "isEdited": False,
            "isStaleEdit": False,
        }
        if video is not None:
            tweet["video"] = video
        if status.get("is_note_tweet"):
            tweet["note_tweet"] = {"id": f"Tm90ZVR3ZWV0{sid}"}
        if reply:
            tweet["in_reply_to_status_id_str"] = str(reply["status"])
            tweet["in_reply_to_screen_name"] = reply["screen_name"]
            parent = self.x_statuses.get(str(reply["status"]))
            if parent is not None and parent.get("type") == "status":
                tweet["in_reply_to_user_id_str"] = str(parent["author"]["id"])
                if not nested:
                    tweet["parent"] = self.syndication_tweet(parent, nested=True)
        quote = status.get("quote")
        if not nested and isinstance(quote, dict) and quote.get("type") == "status":
            tweet["quoted_tweet"] = self.syndication_tweet(quote, nested=True)
        return tweet

    def _syndication(self, query: dict[str, str]) -> Canned:
        sid = query.get("id", "")
        status = self.x_statuses.get(sid)
        if not query.get("token") or status is None or sid in self.x_private:
            return Canned(200, {})
        if status.get("type") == "tombstone":
            return Canned(
                200,
                {
                    "__typename": "TweetTombstone",
                    "tombstone": {"text": {"text": TOMBSTONE_TEXT, "entities": [], "rtl": False}},
                },
            )
        return Canned(200, self.syndication_tweet(status))

    # ----------------------------------------------------------------------------------------- t.co

    def add_short_link(self, target: str, *, code: str | None = None, html: bool = False) -> str:
        """A t.co code leading to ``target``; returns the public link a user would paste."""
        code = code or self._tco("s").rsplit("/", 1)[-1]
        self.short_links[code] = (target, html)
        return f"https://t.co/{code}"

    def _short_link(self, code: str) -> Canned:
        if code not in self.short_links:
            return Canned(404, b"", content_type="text/html; charset=utf-8")
        target, as_page = self.short_links[code]
        quoted = html.escape(target)
        page = (
            '<head><meta name="referrer" content="always"><noscript>'
            f'<META http-equiv="refresh" content="0;URL={quoted}"></noscript><title>{quoted}</title></head>'
            '<script>window.opener = null; location.replace("' + target.replace("/", "\\/") + '")</script>'
        ).encode()
        if as_page:
            return Canned(200, page, content_type="text/html; charset=utf-8")
        return Canned(301, page, headers={"Location": target}, content_type="text/html; charset=utf-8")

    # ------------------------------------------------------------------------------------- Bluesky

    def bsky_author(self, handle: str, name: str | None = None) -> dict:
        did = self.bsky_handles.setdefault(
            handle, f"did:plc:{handle.split('.')[0]}{len(self.bsky_handles):04d}"
        )
        return {
            "did": did,
            "handle": handle,
            "displayName": name or handle.split(".")[0].title(),
            "avatar": self._avatar(f"bsky-{handle}"),
        }

    def bsky_post(
        self,
        text: str,
        *,
        author: dict,
        parent: dict | None = None,
        root: dict | None = None,
        facets: list[dict] | None = None,
        embed: dict | None = None,
        rkey: str | None = None,
    ) -> dict:
        n = next(self._ids)
        rkey = rkey or f"3l{n:011d}"
        uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
        created = (BASE_TIME + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": created,
            "langs": ["en"],
            "facets": facets or [],
        }
        if parent is not None:
            root = root or parent
            record["reply"] = {
                "root": {"uri": root["uri"], "cid": root["cid"]},
                "parent": {"uri": parent["uri"], "cid": parent["cid"]},
            }
        post = {
            "uri": uri,
            "cid": f"bafyrei{n:020d}",
            "author": author,
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 2,
            "quoteCount": 0,
            "indexedAt": created,
            "labels": [],
        }
        if embed is not None:
            post["embed"] = embed
        self.bsky_posts[uri] = post
        if parent is not None:
            self.bsky_parent[uri] = parent["uri"]
            parent["replyCount"] += 1
        return post

    def bsky_images(self, names: list[str], alt: str = "") -> dict:
        images = []
        for name in names:
            url = self.add_image(name, size=(90, 60))
            images.append(
                {"thumb": url, "fullsize": url, "alt": alt, "aspectRatio": {"width": 90, "height": 60}}
            )
        return {"$type": "app.bsky.embed.images#view", "images": images}

    def add_bsky_thread(
        self, texts: list[str] | int, *, handle: str = "carol.bsky.social", name: str | None = None
    ) -> FakeThread:
        if isinstance(texts, int):
            texts = [f"{i}/{texts} Bluesky post {i} by {handle}." for i in range(1, texts + 1)]
        author = self.bsky_author(handle, name)
        parent: dict | None = None
        root: dict | None = None
        ids: list[str] = []
        for text in texts:
            post = self.bsky_post(text, author=author, parent=parent, root=root)
            root = root or post
            parent = post
            ids.append(post["uri"].rsplit("/", 1)[-1])
        return FakeThread(ids=ids, url=f"https://bsky.app/profile/{handle}/post/{ids[0]}", texts=list(texts))

    def _bsky_node(self, uri: str, depth: int) -> dict:
        if uri in self.bsky_missing or uri not in self.bsky_posts:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": self.bsky_posts[uri]}
        if depth > 0:
            kids = [u for u, p in self.bsky_parent.items() if p == uri]
            kids.sort(key=lambda u: self.bsky_posts[u]["record"]["createdAt"])
            node["replies"] = [self._bsky_node(u, depth - 1) for u in kids]
        return node

    def _bsky_thread(self, query: dict[str, str]) -> Canned:
        uri = query.get("uri", "")
        parts = uri.removeprefix("at://").split("/")
        if len(parts) == 3 and not parts[0].startswith("did:"):
            parts[0] = self.bsky_handles.get(parts[0], parts[0])
            uri = "at://" + "/".join(parts)
        if uri not in self.bsky_posts or uri in self.bsky_missing:
            return Canned(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
        depth = int(query.get("depth", "6"))
        height = int(query.get("parentHeight", "80"))
        node = self._bsky_node(uri, depth)
        cursor = node
        current = uri
        for _ in range(height):
            parent_uri = self.bsky_parent.get(current)
            if not parent_uri:
                break
            parent = self._bsky_node(parent_uri, 0)
            parent.pop("replies", None)
            cursor["parent"] = parent
            if parent.get("notFound"):
                break
            cursor, current = parent, parent_uri
        return Canned(200, {"thread": node})

    # ------------------------------------------------------------------------------------ Mastodon

    def masto_account(
        self, username: str, *, instance: str = "mastodon.example", name: str | None = None
    ) -> dict:
        return {
            "id": str(100 + sum(map(ord, username))),
            "username": username,
            "acct": username,
            "display_name": name or username.title(),
            "url": f"https://{instance}/@{username}",
            "avatar": self._avatar(f"masto-{username}"),
            "avatar_static": self._avatar(f"masto-{username}"),
        }

    def masto_status(
        self,
        content: str,
        *,
        account: dict,
        reply_to: dict | None = None,
        media: list[dict] | None = None,
        instance: str = "mastodon.example",
    ) -> dict:
        n = next(self._ids)
        sid = str(110_000_000_000_000_000 + n)
        status = {
            "id": sid,
            "created_at": (BASE_TIME + timedelta(minutes=n)).isoformat().replace("+00:00", ".000Z"),
            "in_reply_to_id": reply_to["id"] if reply_to else None,
            "in_reply_to_account_id": reply_to["account"]["id"] if reply_to else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://{instance}/users/{account['username']}/statuses/{sid}",
            "url": f"https://{instance}/@{account['username']}/{sid}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 1,
            "content": content,
            "reblog": None,
            "account": account,
            "media_attachments": media or [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.masto_statuses[sid] = status
        if reply_to:
            reply_to["replies_count"] += 1
        return status

    def add_mastodon_thread(
        self, texts: list[str] | int, *, username: str = "dave", instance: str = "mastodon.example"
    ) -> FakeThread:
        if isinstance(texts, int):
            texts = [
                f'<p>{i}/{texts} Toot {i} by <a href="https://{instance}/@{username}">@{username}</a></p>'
                for i in range(1, texts + 1)
            ]
        account = self.masto_account(username, instance=instance)
        parent: dict | None = None
        ids = []
        for text in texts:
            parent = self.masto_status(text, account=account, reply_to=parent, instance=instance)
            ids.append(parent["id"])
        return FakeThread(ids=ids, url=f"https://{instance}/@{username}/{ids[0]}", texts=list(texts))

    def _masto_context(self, sid: str) -> dict:
        ancestors: list[dict] = []
        current = self.masto_statuses[sid]
        while current.get("in_reply_to_id") and len(ancestors) < MASTODON_MAX_ANCESTORS:
            parent = self.masto_statuses.get(current["in_reply_to_id"])
            if parent is None:
                break
            ancestors.append(parent)
            current = parent
        ancestors.reverse()
        descendants: list[dict] = []

        def walk(parent_id: str, depth: int) -> None:
            if depth > MASTODON_MAX_DEPTH:
                return
            kids = sorted(
                (s for s in self.masto_statuses.values() if s.get("in_reply_to_id") == parent_id),
                key=lambda s: int(s["id"]),
            )
            for kid in kids:
                if len(descendants) >= MASTODON_MAX_DESCENDANTS:
                    return
                descendants.append(kid)
                walk(kid["id"], depth + 1)

        walk(sid, 1)
        return {"ancestors": ancestors, "descendants": descendants}

    def _mastodon(self, path: str) -> Canned:
        parts = path.removeprefix("/masto/api/v1/statuses/").split("/")
        sid = parts[0]
        if sid not in self.masto_statuses:
            return Canned(404, {"error": "Record not found"})
        if len(parts) == 2 and parts[1] == "context":
            return Canned(200, self._masto_context(sid))
        if len(parts) == 1:
            return Canned(200, self.masto_statuses[sid])
        return Canned(404, {"error": "Record not found"})

    # -------------------------------------------------------------------------------------- routing

    def answer(self, method: str, path: str, query: dict[str, str]) -> Canned | None:
        if path in self._canned:
            return self._canned[path]
        if path.startswith("/fx/2/thread/"):
            return self._fx("thread", path.rsplit("/", 1)[-1])
        if path.startswith("/fx/2/status/"):
            return self._fx("status", path.rsplit("/", 1)[-1])
        if path == "/syndication/tweet-result":
            return self._syndication(query)
        if path.startswith("/tco/"):
            return self._short_link(path.removeprefix("/tco/"))
        if path == "/bsky/xrpc/com.atproto.identity.resolveHandle":
            did = self.bsky_handles.get(query.get("handle", "").lower())
            if did is None:
                return Canned(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})
            return Canned(200, {"did": did})
        if path == "/bsky/xrpc/app.bsky.feed.getPostThread":
            return self._bsky_thread(query)
        if path.startswith("/masto/api/v1/statuses/"):
            return self._mastodon(path)
        return None


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSources
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.owner
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with fake._lock:
            fake.requests.append(
                Request("GET", parts.path, query, {k.lower(): v for k, v in self.headers.items()})
            )
        if parts.path.startswith("/fx/") and not self.headers.get("User-Agent", "").strip():
            self._send(Canned(401, {"error": UA_ERROR}))
            return
        stall = fake._take_stall(parts.path)
        if stall:
            time.sleep(stall)
        fault = fake._take_fault(parts.path)
        if fault is not None:
            self._send(fault)
            return
        if parts.path.startswith("/media/"):
            self._media(parts.path.removeprefix("/media/"))
            return
        answer = fake.answer("GET", parts.path, query)
        self._send(answer or Canned(404, {"error": "NotFound", "message": "no such route"}))

    def _send(self, canned: Canned) -> None:
        body = canned.body if isinstance(canned.body, bytes) else json.dumps(canned.body).encode()
        self.send_response(canned.status)
        self.send_header("Content-Type", canned.content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in canned.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _media(self, name: str) -> None:
        entry = self.owner.media.get(name)
        if entry is None:
            self._send(Canned(404, b"not found", content_type="text/plain"))
            return
        data, ctype, headers = entry
        if data is None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"\x89PNG" + b"\0" * 65532
            try:
                for _ in _forever():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        self.send_response(302 if "Location" in headers else 200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up early (a byte cap, a timeout) is what some tests are about
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _forever() -> Iterator[int]:
    return itertools.count()
