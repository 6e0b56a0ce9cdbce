"""X posts from the public syndication endpoint (``SYNDICATION_URL``), the fallback when FxTwitter fails.

``GET /tweet-result?id=ID&lang=en&token=TOKEN`` returns one post (``Tweet``), with the post it answers
in ``parent``; there is no downward thread data and no article body, and a long post's text is cut
short. 404 or ``{}`` means not found; ``{"__typename": "TweetTombstone"}`` a deleted or withheld post.

:func:`fetch_tweet` converts the answer to the FxTwitter v2 status shape, so the same mapping and the
same upward walk (see :mod:`worker.sources.fxtwitter`) apply to both.
"""

from __future__ import annotations

import html
import logging
import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contract.errors import PostNotFound, PostRemoved, SourceUnavailable
from worker.sources.richtext import LEADING_MENTIONS

if TYPE_CHECKING:  # converting a status needs no HTTP client
    import httpx

    from worker.config import Settings

log = logging.getLogger(__name__)

X_ROOT = "https://x.com"
ORIGINAL_SIZE_HOSTS = frozenset({"pbs.twimg.com"})  # photo URLs there take ?name=orig

_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
_AVATAR_SIZE = re.compile(r"_normal(\.[A-Za-z0-9]+)?$")


# ------------------------------------------------------------------------------------------- token


def _js_base36(v: float) -> str:
    """``Number.prototype.toString(36)`` as V8 prints a positive double (DoubleToRadixCString)."""
    integer = math.floor(v)
    fraction = v - integer
    digits: list[int] = []
    delta = max(0.5 * (math.nextafter(v, math.inf) - v), math.nextafter(0.0, 1.0))
    if fraction >= delta:
        while True:
            fraction *= 36
            delta *= 36
            digit = int(fraction)
            digits.append(digit)
            fraction -= digit
            if (fraction > 0.5 or (fraction == 0.5 and digit & 1)) and fraction + delta > 1:
                # round up, carrying into the integer part when every digit overflows
                while True:
                    if not digits:
                        integer += 1
                        break
                    last = digits.pop()
                    if last + 1 < 36:
                        digits.append(last + 1)
                        break
                break
            if not fraction >= delta:
                break
    n = int(integer)
    out = ""
    while True:
        out = _DIGITS36[n % 36] + out
        n //= 36
        if not n:
            break
    return out + ("." + "".join(_DIGITS36[d] for d in digits) if digits else "")


def syndication_token(tweet_id: str) -> str:
    """The ``token`` the endpoint expects: ((id / 1e15) * π) in base 36, every ``0`` and ``.`` removed."""
    return re.sub(r"(0+|\.)", "", _js_base36(float(tweet_id) / 1e15 * math.pi))


# ------------------------------------------------------------------------------------------- fetch


def fetch_tweet(tweet_id: str, *, settings: Settings, client: httpx.Client) -> dict:
    """One post as an FxTwitter-shaped status; PostNotFound, PostRemoved or SourceUnavailable."""
    from worker.http import get_with_retry, json_body

    url = settings.syndication_url.rstrip("/") + "/tweet-result"
    params = {"id": tweet_id, "lang": "en", "token": syndication_token(tweet_id)}
    response = get_with_retry(client, url, params=params)
    body = json_body(response)
    status = response.status_code
    if status == 200:
        if body.get("__typename") == "TweetTombstone":
            raise PostRemoved()
        if body.get("id_str") and isinstance(body.get("user"), dict):
            return to_fx_status(body)
        if not body:
            raise PostNotFound()
        log.error("syndication answered 200 without a post for %s: %.200r", tweet_id, body)
        raise SourceUnavailable()
    if status == 404:
        raise PostNotFound()
    log.warning("syndication answered %d for %s", status, tweet_id)
    raise SourceUnavailable()


# ----------------------------------------------------------------------------------------- mapping


def to_fx_status(tweet: dict, *, with_quote: bool = True) -> dict:
    """A syndication ``Tweet`` → the FxTwitter v2 status fields the mapping reads."""
    raw_user = tweet.get("user")
    user: dict = raw_user if isinstance(raw_user, dict) else {}
    screen_name = str(user.get("screen_name") or "")
    tweet_id = str(tweet.get("id_str") or "")
    quote = None
    quoted = tweet.get("quoted_tweet")
    if with_quote and isinstance(quoted, dict) and quoted.get("id_str"):
        quote = to_fx_status(quoted, with_quote=False)
    extra = card_fields(tweet)
    media = _media(tweet)
    if "external" in extra:
        media = {**media, "external": extra.pop("external")}
    return {
        "type": "status",
        "id": tweet_id,
        "url": f"{X_ROOT}/{screen_name or 'i'}/status/{tweet_id}",
        "text": display_text(tweet),
        "created_at": tweet.get("created_at"),
        "author": _user(user),
        "media": media,
        "replying_to": _replying_to(tweet),
        "quote": quote,
        "lang": tweet.get("lang"),
        "provider": "twitter",
        "raw_text": {"text": "", "display_text_range": [0, 0], "facets": _mention_facets(tweet)},
        **extra,
    }


def _mention_facets(tweet: dict) -> list[dict]:
    entities = tweet.get("entities")
    mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
    return [
        {"type": "mention", "indices": m.get("indices") or [0, 0], "original": str(m["screen_name"])}
        for m in mentions or []
        if isinstance(m, dict) and m.get("screen_name")
    ]


def _bindings(card: dict) -> dict[str, dict]:
    """``binding_values`` as a dict (syndication) or a list of ``{key, value}`` (GraphQL)."""
    raw = card.get("binding_values")
    if isinstance(raw, list):
        raw = {b.get("key"): b.get("value") for b in raw if isinstance(b, dict)}
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, dict)}


def _string(values: dict[str, dict], key: str) -> str:
    value = values.get(key, {}).get("string_value")
    return value.strip() if isinstance(value, str) else ""


_CARD_IMAGES = (  # the keys FxEmbed's card.ts reads, largest first
    "summary_photo_image_large",
    "photo_image_full_size_large",
    "thumbnail_image_large",
    "player_image_large",
    "summary_photo_image",
    "photo_image_full_size",
    "thumbnail_image",
    "player_image",
    "thumbnail_image_original",
    "summary_photo_image_original",
    "photo_image_full_size_original",
    "player_image_original",
)


def card_fields(tweet: dict) -> dict:
    """A syndication ``card`` → FxTwitter's ``poll``, ``card`` or ``media.external``-like fields."""
    card = tweet.get("card")
    if not isinstance(card, dict):
        return {}
    values = _bindings(card)
    if "choice1_count" in values or "choice1_label" in values:
        choices = []
        for i in range(1, 5):
            label = _string(values, f"choice{i}_label")
            if label:
                choices.append({"label": label, "count": _string(values, f"choice{i}_count") or "0"})
        final = values.get("counts_are_final", {}).get("boolean_value") is True
        votes = [int(c["count"]) if str(c["count"]).isdigit() else 0 for c in choices]
        total = sum(votes)
        return {
            "poll": {
                "choices": [
                    {
                        "label": c["label"],
                        "count": v,
                        "percentage": round(v * 100 / total, 1) if total else 0,
                    }
                    for c, v in zip(choices, votes, strict=True)
                ],
                "total_votes": total,
                "ends_at": _string(values, "end_datetime_utc"),
                "time_left_en": "Final results" if final else "",
            }
        }
    expanded = _expanded_urls(tweet)
    short = _string(values, "card_url") or str(card.get("url") or "")
    url = expanded.get(short, short)
    image = next(
        (
            values[k]["image_value"]
            for k in _CARD_IMAGES
            if isinstance(values.get(k, {}).get("image_value"), dict)
        ),
        None,
    )
    player = _string(values, "player_url")
    if player:
        return {"external": {"type": "video", "url": player, **_image_fields(image, "thumbnail_url")}}
    if not url:
        return {}
    return {
        "card": {
            "url": url,
            "title": _string(values, "title"),
            "description": _string(values, "description"),
            "domain": _string(values, "vanity_url") or _string(values, "domain"),
            "card_name": str(card.get("name") or ""),
            "image": _image_fields(image, "url"),
        }
    }


def _image_fields(image: dict | None, key: str) -> dict:
    if not isinstance(image, dict) or not image.get("url"):
        return {}
    return {key: str(image["url"]), "width": _int(image.get("width")), "height": _int(image.get("height"))}


def _expanded_urls(tweet: dict) -> dict[str, str]:
    entities = tweet.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    return {
        str(u["url"]): str(u["expanded_url"])
        for u in urls or []
        if isinstance(u, dict) and u.get("url") and u.get("expanded_url")
    }


def _user(user: dict) -> dict:
    avatar = str(user.get("profile_image_url_https") or "")
    return {
        "type": "profile",
        "id": str(user.get("id_str") or ""),
        "name": str(user.get("name") or ""),
        "screen_name": str(user.get("screen_name") or ""),
        "avatar_url": _AVATAR_SIZE.sub(r"_200x200\1", avatar) or None,
    }


def _replying_to(tweet: dict) -> dict | None:
    raw_parent = tweet.get("parent")
    parent: dict = raw_parent if isinstance(raw_parent, dict) else {}
    parent_id = tweet.get("in_reply_to_status_id_str") or parent.get("id_str")
    if not parent_id:
        return None
    name = tweet.get("in_reply_to_screen_name") or (parent.get("user") or {}).get("screen_name")
    return {"screen_name": name, "status": str(parent_id)}


def display_text(tweet: dict) -> str:
    """The post's text as shown: reply mentions before the display range dropped, t.co links
    expanded (media links removed), HTML entities unescaped."""
    text = str(tweet.get("text") or "")
    shown = tweet.get("display_text_range")
    start = shown[0] if isinstance(shown, list) and shown and isinstance(shown[0], int) else 0
    cut = isinstance(tweet.get("note_tweet"), dict)  # a long post: the endpoint gives its start only
    if 0 < start <= len(text) and LEADING_MENTIONS.match(text[:start]):
        text = text[start:]
    raw_entities = tweet.get("entities")
    entities: dict = raw_entities if isinstance(raw_entities, dict) else {}
    expanded: dict[str, str] = {}
    for item in entities.get("urls") or []:
        if isinstance(item, dict) and item.get("url") and item.get("expanded_url"):
            expanded[str(item["url"])] = str(item["expanded_url"])
    media_links = {
        str(item["url"])
        for item in [*(entities.get("media") or []), *(tweet.get("mediaDetails") or [])]
        if isinstance(item, dict) and item.get("url")
    }
    pieces: list[str] = []
    at = 0
    for m in _TCO.finditer(text):
        pieces.append(html.unescape(text[at : m.start()]))
        link = m.group(0)
        if link in expanded:
            pieces.append(expanded[link])
        elif link not in media_links:
            pieces.append(link)
        at = m.end()
    pieces.append(html.unescape(text[at:]))
    out = "".join(pieces).strip()
    if not cut or not out:
        return out
    out = out.rstrip(" …")
    return f"{out} …" if "://" in out.rsplit(None, 1)[-1] else f"{out}…"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _original(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname in ORIGINAL_SIZE_HOSTS and not parts.query:
        return url + "?name=orig"
    return url


def _best_mp4(detail: dict) -> str | None:
    variants = (detail.get("video_info") or {}).get("variants") or []
    mp4 = [
        v for v in variants if isinstance(v, dict) and v.get("content_type") == "video/mp4" and v.get("url")
    ]
    if not mp4:
        return None
    return str(max(mp4, key=lambda v: v.get("bitrate") or 0)["url"])


def _media(tweet: dict) -> dict:
    photos: list[dict] = []
    videos: list[dict] = []
    ordered: list[dict] = []  # in the post's order, photos and videos mixed
    for detail in tweet.get("mediaDetails") or []:
        if not isinstance(detail, dict) or not detail.get("media_url_https"):
            continue
        src = str(detail["media_url_https"])
        info = detail.get("original_info") or {}
        size = {"width": _int(info.get("width")), "height": _int(info.get("height"))}
        alt = str(detail.get("ext_alt_text") or "")
        kind = detail.get("type")
        if kind == "photo":
            photos.append({"type": "photo", "url": _original(src), **size, "altText": alt})
            ordered.append(photos[-1])
        elif kind in ("video", "animated_gif"):
            videos.append(
                {
                    "type": "gif" if kind == "animated_gif" else "video",
                    "url": _best_mp4(detail),
                    "thumbnail_url": src,
                    **size,
                    "altText": alt,
                }
            )
            ordered.append(videos[-1])
    if not photos and not videos:
        for photo in tweet.get("photos") or []:
            if isinstance(photo, dict) and photo.get("url"):
                photos.append(
                    {
                        "type": "photo",
                        "url": _original(str(photo["url"])),
                        "width": _int(photo.get("width")),
                        "height": _int(photo.get("height")),
                    }
                )
        video = tweet.get("video")
        if isinstance(video, dict) and video.get("poster"):
            videos.append({"type": "video", "thumbnail_url": str(video["poster"])})
    if not photos and not videos:
        return {}
    return {"photos": photos, "videos": videos, "all": ordered or [*photos, *videos]}
