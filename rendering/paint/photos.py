"""Photos fitted to their box once per placement, shared by the Pillow and the PDF backends.

A picture (photo, avatar, logo) is decoded once by whoever fetched it; here it is cropped/scaled to
the pixel box the layout gave it — once per (image, box, fit), however many slides show it (an avatar
repeats on every slide) and whichever backend asks first. The raster pastes those pixels; the PDF
embeds the same pixels, encoded once (JPEG, or PNG when the picture has transparency), so a slide and
its PDF page show the same photo.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image, ImageOps

CACHE_SIZE = 64  # placements kept: a carousel's avatars, logos and photos
JPEG_QUALITY = 85  # photos embedded in the PDF

_Key = tuple[int, str, int, int, str]
_FITTED: OrderedDict[_Key, tuple[Image.Image, Image.Image]] = OrderedDict()  # key → (source, fitted)
_ENCODED: OrderedDict[_Key, tuple[Image.Image, bytes]] = OrderedDict()  # key → (source, file bytes)
_LOCK = threading.Lock()


def forget() -> None:
    """Drop every fitted and encoded picture (a worker does after its warm-up render)."""
    with _LOCK:
        _FITTED.clear()
        _ENCODED.clear()


def pixel_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A layout box on whole pixels (the same rounding both backends use)."""
    x, y, w, h = box
    x0, y0 = round(x), round(y)
    return x0, y0, max(1, round(x + w) - x0), max(1, round(y + h) - y0)


def fitted(image: Image.Image, key: str, w: int, h: int, fit: str) -> Image.Image:
    """``image`` cropped to fill (``cover``) or scaled to fit (``contain``) a ``w``×``h`` box: RGB or RGBA."""
    ckey = (id(image), key, w, h, fit)
    with _LOCK:
        hit = _FITTED.get(ckey)
        if hit is not None and hit[0] is image:  # the entry keeps the source alive: its id stays unique
            _FITTED.move_to_end(ckey)
            return hit[1]
    src = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
    if fit == "contain":
        out = ImageOps.contain(src, (w, h), Image.Resampling.LANCZOS)
    else:
        out = ImageOps.fit(src, (w, h), Image.Resampling.LANCZOS)
    with _LOCK:
        _FITTED[ckey] = (image, out)
        while len(_FITTED) > CACHE_SIZE:
            _FITTED.popitem(last=False)
    return out


def encoded(image: Image.Image, key: str, w: int, h: int, fit: str) -> bytes:
    """The fitted picture as a file for the PDF: JPEG, or PNG when it has transparency. Encoded once."""
    ckey = (id(image), key, w, h, fit)
    with _LOCK:
        hit = _ENCODED.get(ckey)
        if hit is not None and hit[0] is image:
            _ENCODED.move_to_end(ckey)
            return hit[1]
    picture = fitted(image, key, w, h, fit)
    buf = io.BytesIO()
    lowest_alpha = picture.getchannel("A").getextrema()[0] if picture.mode == "RGBA" else 255
    if lowest_alpha != 255:
        picture.save(buf, "PNG", compress_level=1)
    else:
        picture.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY)
    data = buf.getvalue()
    with _LOCK:
        _ENCODED[ckey] = (image, data)
        while len(_ENCODED) > CACHE_SIZE:
            _ENCODED.popitem(last=False)
    return data
