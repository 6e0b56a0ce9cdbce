"""Image downloads before layout: safe, bounded, in parallel, with one shared client.

The URLs are the ones the thread source's own answer named (images, video thumbnails, avatars, link
card images, custom emoji) or a chat platform's file link; any https host on a public address may
serve them. The guarded client (:mod:`worker.http`) checks each address after DNS resolution and
connects to the checked one; redirects are followed here, hop by hop, each through the same check.
``MEDIA_HOSTS`` is the only way a loopback, private or plain-http host is ever allowed (tests).
Bodies are streamed and cut at
``MEDIA_MAX_BYTES``; an image is recognised by its bytes (PNG, JPEG, GIF or WebP signatures), whatever
content type the host sends (Telegram's file host answers ``application/octet-stream``); the pixel
count is checked from the header before decoding; decoded images are downscaled to
``MEDIA_MAX_SIDE``. One image failing is logged and left out (the renderer draws a placeholder); it
never fails the job, and :func:`fetch_images` tells its caller which ones failed and why
(:data:`UNREADABLE`, :data:`TOO_LARGE`, :data:`UNAVAILABLE`), so the user hears about them.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import httpx
from PIL import Image, ImageOps

from contract import TELEGRAM_FILE_PREFIX
from rendering.model import Thread
from worker.bounded import ACCEPT_ENCODING, BodyRefused, BodyTooLarge, read_body
from worker.config import Settings
from worker.http import BlockedAddress, is_listed, request_timeout
from worker.limits import (
    MEDIA_DEADLINE_S,
    MEDIA_JOB_MAX_PIXELS,
    MEDIA_MAX_ASPECT,
    MEDIA_MAX_BYTES,
    MEDIA_MAX_DECODED_PIXELS,
    MEDIA_MAX_FILES,
    MEDIA_MAX_PIXELS,
    MEDIA_MAX_REDIRECTS,
    MEDIA_MAX_SIDE,
    MEDIA_PARALLEL,
)

log = logging.getLogger(__name__)

Image.MAX_IMAGE_PIXELS = MEDIA_MAX_PIXELS

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})

# Why a picture could not be used, as the user hears it (contract.sentences.PICTURE_PROBLEMS)
UNREADABLE = "unreadable"  # not an image, or one Pillow cannot decode
TOO_LARGE = "too_large"  # over a byte, pixel or shape bound
UNAVAILABLE = "unavailable"  # the download failed (HTTP error, refused address, timeout)


class MediaRefused(Exception):
    """One image was not fetched or not decoded; the detail is in the message, the kind in ``reason``."""

    def __init__(self, message: str, reason: str = UNAVAILABLE) -> None:
        super().__init__(message)
        self.reason = reason


def sniff(data: bytes) -> str | None:
    """The raster format ``data`` starts like (its magic number), or None."""
    if data.startswith(b"\x89PNG"):
        return "PNG"
    if data.startswith(b"\xff\xd8"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def download_url(url: str, settings: Settings) -> str:
    """Where to fetch ``url``: a ``telegram-file:`` reference becomes the Bot API file URL (with this
    worker's token, the same rules as python-telegram-bot's ``base_file_url``)."""
    if not url.startswith(TELEGRAM_FILE_PREFIX):
        return url
    token = settings.telegram_bot_token
    if not token:
        raise MediaRefused("a Telegram file needs TELEGRAM_BOT_TOKEN on this worker")
    base = settings.telegram_file_url
    base = base.format(token=token) if "{token}" in base else f"{base}{token}"
    return f"{base}/{url.removeprefix(TELEGRAM_FILE_PREFIX).lstrip('/')}"


def check_url(url: str, listed: Iterable[str]) -> None:
    """Raise MediaRefused unless ``url`` is https (or on a ``MEDIA_HOSTS`` host, http too).

    The address check is the guarded client's, when it connects.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError as exc:
        raise MediaRefused(f"unparseable URL {url!r}") from exc
    if not host:
        raise MediaRefused(f"no host in {url!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_listed(host, port, listed)):
        return
    raise MediaRefused(f"only https media are fetched, not {url!r}")


def _download(client: httpx.Client, url: str, listed: frozenset[str]) -> bytes:
    deadline = time.monotonic() + MEDIA_DEADLINE_S
    headers = {"Accept": "image/*", "Accept-Encoding": ACCEPT_ENCODING}
    for _ in range(MEDIA_MAX_REDIRECTS + 1):
        check_url(url, listed)
        request = client.build_request("GET", url, headers=headers, timeout=request_timeout(client, deadline))
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            if response.is_redirect and response.headers.get("location"):
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise MediaRefused(f"HTTP {response.status_code}")
            ctype = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            try:
                data = read_body(response, MEDIA_MAX_BYTES, deadline)
            except BodyTooLarge as exc:
                raise MediaRefused(str(exc), TOO_LARGE) from exc
            except BodyRefused as exc:
                raise MediaRefused(str(exc)) from exc
            if sniff(data) is None:  # the bytes decide, not the content type the host sends
                raise MediaRefused(
                    f"not a raster image (content type {ctype or 'missing'!r})", UNREADABLE
                )
            return data
        finally:
            response.close()
    raise MediaRefused("too many redirects")


class PixelBudget:
    """Decoded pixels one job may spend on images (thread-safe); an image over what is left is refused."""

    def __init__(self, total: int = MEDIA_JOB_MAX_PIXELS) -> None:
        self.left = total
        self._lock = threading.Lock()

    def take(self, pixels: int) -> None:
        with self._lock:
            if pixels > self.left:
                raise MediaRefused(
                    f"{pixels} pixels: over what is left of the job's pixel budget", TOO_LARGE
                )
            self.left -= pixels


# One image decodes at a time (downloads stay parallel): the peak is one image, not MEDIA_PARALLEL.
_DECODING = threading.Lock()


def decode_image(data: bytes, budget: PixelBudget | None = None) -> Image.Image:
    """Bytes → a loaded RGB/RGBA image at most MEDIA_MAX_SIDE on its long side, or MediaRefused.

    Everything is checked from the header, before any pixel is decoded: the pixel cap, the aspect
    ratio, and (JPEG being decoded at a reduced scale when it is large) the decoded size against the
    per-image cap and the job's ``budget``.
    """
    try:
        opened = Image.open(io.BytesIO(data))
        width, height = opened.size
        if width <= 0 or height <= 0 or width * height > MEDIA_MAX_PIXELS:
            raise MediaRefused(f"{width}x{height} is over the {MEDIA_MAX_PIXELS} pixel cap", TOO_LARGE)
        if max(width, height) > MEDIA_MAX_ASPECT * min(width, height):
            raise MediaRefused(f"{width}x{height} is narrower than 1:{MEDIA_MAX_ASPECT}", TOO_LARGE)
        if opened.format not in ALLOWED_FORMATS:
            raise MediaRefused(f"format {opened.format} refused", UNREADABLE)
        if opened.format == "JPEG":
            opened.draft("RGB", (MEDIA_MAX_SIDE, MEDIA_MAX_SIDE))  # decoded at 1/2, 1/4 or 1/8 scale
        decoded = opened.size[0] * opened.size[1]
        if decoded > MEDIA_MAX_DECODED_PIXELS:
            raise MediaRefused(
                f"{width}x{height} would decode to over {MEDIA_MAX_DECODED_PIXELS} pixels", TOO_LARGE
            )
        if budget is not None:
            budget.take(decoded)
        with _DECODING:
            return _load(opened)
    except MediaRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRefused(f"decompression bomb: {exc}", TOO_LARGE) from exc
    except (OSError, ValueError, SyntaxError) as exc:  # what Pillow raises for unreadable data
        raise MediaRefused(f"not a readable image: {exc}", UNREADABLE) from exc


def _load(opened: Image.Image) -> Image.Image:
    opened.load()
    img: Image.Image = opened
    factor = max(img.size) // MEDIA_MAX_SIDE
    if factor >= 2 and img.mode in ("RGB", "RGBA", "L", "LA"):
        img = img.reduce(factor)  # cheap box reduction first: the copies below are small
    img = ImageOps.exif_transpose(img) or img
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if has_alpha else "RGB")
    if max(img.size) > MEDIA_MAX_SIDE:
        img.thumbnail((MEDIA_MAX_SIDE, MEDIA_MAX_SIDE), Image.Resampling.LANCZOS)
    return img


def fetch_images(
    thread: Thread,
    *,
    settings: Settings,
    client: httpx.Client,
    extra: Sequence[str] = (),
    failed: dict[str, str] | None = None,
) -> dict[str, Image.Image]:
    """Every image the thread needs (and ``extra`` URLs), by URL; failures are logged and left out.

    ``failed``, when given, receives each URL left out with why (:data:`UNREADABLE`,
    :data:`TOO_LARGE` or :data:`UNAVAILABLE`), so the result can name what is missing.
    """
    urls: list[str] = []
    for url in [*(m.url for m in thread.media()), *extra]:
        if url and url not in urls:
            urls.append(url)
    if len(urls) > MEDIA_MAX_FILES:
        log.warning("thread has %d images; fetching the first %d", len(urls), MEDIA_MAX_FILES)
        urls = urls[:MEDIA_MAX_FILES]
    listed = settings.extra_media_hosts

    budget = PixelBudget()

    def one(url: str) -> tuple[str, Image.Image | str]:
        try:
            return url, decode_image(_download(client, download_url(url, settings), listed), budget)
        except MediaRefused as exc:
            log.warning("image %s left out: %s", url, exc)
            return url, exc.reason
        except BlockedAddress as exc:
            log.warning("image %s left out: %s", url, exc)
        except httpx.HTTPError as exc:
            log.warning("image %s left out: %s", url, exc.__class__.__name__)
        except Exception:  # an image must never fail the job; the traceback goes to the log
            log.exception("image %s left out: unexpected error", url)
        return url, UNAVAILABLE

    if not urls:
        return {}
    with ThreadPoolExecutor(max_workers=min(MEDIA_PARALLEL, len(urls)), thread_name_prefix="media") as pool:
        results = list(pool.map(one, urls))
    if failed is not None:
        failed.update({url: why for url, why in results if isinstance(why, str)})
    return {url: img for url, img in results if isinstance(img, Image.Image)}
