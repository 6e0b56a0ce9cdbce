"""Pillow backend: display list → RGB image → PNG / JPEG bytes.

The part of a slide that is the same on every slide (background, card, shadow) is painted once per
carousel and copied. Shapes are drawn through antialiased masks (drawn 4× larger, then reduced),
cached per size; text is drawn a whole run at a time with the same font files and without kerning,
exactly as measured; emoji bitmaps are cached per size.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter
from zlib_ng import zlib_ng

from rendering.display import (
    RGBA,
    Backdrop,
    Ellipse,
    Emoji,
    Item,
    Link,
    Picture,
    Polygon,
    Rect,
    Shadow,
    Slide,
    Text,
)
from rendering.fonts import emoji_font, pil_font, text_width
from rendering.paint.photos import fitted as fitted_photo
from rendering.paint.photos import pixel_box

SUPERSAMPLE = 4
SUBPIXEL = 4  # glyphs are cached at quarter-pixel horizontal offsets
PNG_DEFLATE_LEVEL = 2  # zlib-ng; on Up-filtered slides smaller than zlib's level 1, and several times faster
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_FILTER_UP = b"\x02"
JPEG_QUALITY = 90
BASE_CACHE_SIZE = 4
_NO_KERN = ["-kern"]


# --- masks ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _round_mask(w: int, h: int, r: float, circle: bool = False) -> Image.Image:
    ss = SUPERSAMPLE
    big = Image.new("L", (w * ss, h * ss), 0)
    d = ImageDraw.Draw(big)
    if circle:
        d.ellipse((0, 0, w * ss - 1, h * ss - 1), fill=255)
    else:
        d.rounded_rectangle((0, 0, w * ss - 1, h * ss - 1), radius=max(0.0, r * ss), fill=255)
    return big.reduce(ss)


@lru_cache(maxsize=256)
def _ring_mask(w: int, h: int, r: float, width: float) -> Image.Image:
    ss = SUPERSAMPLE
    big = Image.new("L", (w * ss, h * ss), 0)
    d = ImageDraw.Draw(big)
    d.rounded_rectangle(
        (0, 0, w * ss - 1, h * ss - 1), radius=max(0.0, r * ss), outline=255, width=max(1, round(width * ss))
    )
    return big.reduce(ss)


def _alpha_mask(mask: Image.Image, alpha: int) -> Image.Image:
    if alpha >= 255:
        return mask
    return mask.point(lambda v: v * alpha // 255)


@lru_cache(maxsize=512)
def _shape_mask(kind: str, w: int, h: int, r: float, width: float, alpha: int) -> Image.Image:
    if kind == "ring":
        return _alpha_mask(_ring_mask(w, h, r, width), alpha)
    return _alpha_mask(_round_mask(w, h, r, kind == "circle"), alpha)


def _ibox(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    return pixel_box(box)


def _fill_mask(im: Image.Image, color: RGBA, x: int, y: int, mask: Image.Image) -> None:
    if color[3] <= 0:
        return
    im.paste(color[:3], (x, y), _alpha_mask(mask, color[3]))


def _fill_shape(
    im: Image.Image,
    color: RGBA,
    x: int,
    y: int,
    kind: str,
    w: int,
    h: int,
    r: float = 0.0,
    width: float = 0.0,
) -> None:
    if color[3] <= 0:
        return
    im.paste(color[:3], (x, y), _shape_mask(kind, w, h, r, width, color[3]))


def _rect(im: Image.Image, item: Rect) -> None:
    x, y, w, h = _ibox(item.box)
    if item.fill is not None:
        if item.radius <= 0.5 and item.fill[3] == 255:
            im.paste(item.fill[:3], (x, y, x + w, y + h))
        else:
            _fill_shape(im, item.fill, x, y, "round", w, h, min(item.radius, w / 2, h / 2))
    if item.stroke is not None and item.stroke_width > 0:
        _fill_shape(im, item.stroke, x, y, "ring", w, h, min(item.radius, w / 2, h / 2), item.stroke_width)


def _ellipse(im: Image.Image, item: Ellipse) -> None:
    x, y, w, h = _ibox(item.box)
    if item.fill is not None:
        _fill_shape(im, item.fill, x, y, "circle", w, h)


def _polygon(im: Image.Image, item: Polygon) -> None:
    xs = [p[0] for p in item.points]
    ys = [p[1] for p in item.points]
    x0, y0 = int(min(xs)), int(min(ys))
    w, h = int(max(xs)) - x0 + 2, int(max(ys)) - y0 + 2
    ss = SUPERSAMPLE
    big = Image.new("L", (w * ss, h * ss), 0)
    ImageDraw.Draw(big).polygon([((px - x0) * ss, (py - y0) * ss) for px, py in item.points], fill=255)
    _fill_mask(im, item.fill, x0, y0, big.reduce(ss))


def _shadow(im: Image.Image, item: Shadow) -> None:
    x, y, w, h = _ibox(item.box)
    blur = max(1, round(item.blur))
    pad = blur * 2
    mask = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    mask.paste(_round_mask(w, h, item.radius), (pad, pad))
    mask = mask.filter(ImageFilter.GaussianBlur(blur / 2))
    _fill_mask(im, item.color, x - pad, y - pad + round(item.offset), mask)


# --- pictures, emoji, text --------------------------------------------------------------------


_PICTURES: dict[tuple[object, ...], tuple[Image.Image, Image.Image, Image.Image | None]] = {}
PICTURE_CACHE_SIZE = 64


def forget_pictures() -> None:
    """Drop the fitted pictures kept for pasting (a worker does after its warm-up render)."""
    _PICTURES.clear()


def _picture(
    image: Image.Image, key: str, w: int, h: int, fit: str, radius: float, circle: bool
) -> tuple[Image.Image, Image.Image | None]:
    """The image fitted to its box with its clipping mask, cached (avatars repeat on every slide)."""
    ckey = (id(image), key, w, h, fit, radius, circle)
    hit = _PICTURES.get(ckey)  # the entry keeps the source alive, so its id stays unique
    if hit is not None and hit[0] is image:
        return hit[1], hit[2]
    fitted, mask = _fit_picture(image, key, w, h, fit, radius, circle)
    if len(_PICTURES) >= PICTURE_CACHE_SIZE:
        _PICTURES.pop(next(iter(_PICTURES)))
    _PICTURES[ckey] = (image, fitted, mask)
    return fitted, mask


def _fit_picture(
    image: Image.Image, key: str, w: int, h: int, fit: str, radius: float, circle: bool
) -> tuple[Image.Image, Image.Image | None]:
    fitted = fitted_photo(image, key, w, h, fit)  # the same pixels the PDF embeds
    mask: Image.Image | None = None
    if radius > 0.5 or circle:
        mask = _round_mask(fitted.width, fitted.height, radius, circle)
    if fitted.mode == "RGBA":
        alpha = fitted.getchannel("A")
        if mask is not None:
            from PIL import ImageChops

            alpha = ImageChops.multiply(alpha, mask)
        mask = alpha
        fitted = fitted.convert("RGB")
    return fitted, mask


def _paste_picture(im: Image.Image, item: Picture) -> None:
    x, y, w, h = _ibox(item.box)
    fitted, mask = _picture(item.image, item.key, w, h, item.fit, min(item.radius, w / 2, h / 2), item.circle)
    ox = x + (w - fitted.width) // 2
    oy = y + (h - fitted.height) // 2
    im.paste(fitted, (ox, oy), mask)


def sequence_text(stem: str) -> str:
    return "".join(chr(int(h, 16)) for h in stem.split("-"))


@lru_cache(maxsize=512)
def emoji_bitmap(stem: str, size: int) -> Image.Image:
    """The emoji as an RGBA square of ``size`` px (from the OpenMoji COLR font)."""
    font = pil_font(emoji_font(), size)
    canvas = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(canvas)
    d.text((size, size), sequence_text(stem), font=font, embedded_color=True, anchor="mm")
    bbox = canvas.getbbox()
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    if bbox:
        glyph = canvas.crop(bbox)
        if glyph.width > size or glyph.height > size:
            glyph.thumbnail((size, size), Image.Resampling.LANCZOS)
        out.paste(glyph, ((size - glyph.width) // 2, (size - glyph.height) // 2))
    return out


def _emoji(im: Image.Image, item: Emoji) -> None:
    x, y, w, h = _ibox(item.box)
    bmp = emoji_bitmap(item.sequence, item.size)
    im.paste(bmp, (x, y), bmp)


# CJK ranges whose glyphs are placed one by one too: ideographs, kana (not the combining sound
# marks), Hangul compatibility jamo and syllables, full-width forms — nothing there is shaped
_CJK_SIMPLE = (
    (0x3000, 0x3099),
    (0x309B, 0x3100),
    (0x3131, 0x318F),
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xAC00, 0xD7A4),
    (0xF900, 0xFB00),
    (0xFF01, 0xFF9E),
    (0xFFA0, 0xFFEF),
    (0x20000, 0x2FA20),
)


def _simple(text: str) -> bool:
    """Text whose glyphs can be placed one by one (no shaping, joining or combining marks)."""
    for ch in text:
        cp = ord(ch)
        if cp < 0x0300 or 0x0370 <= cp < 0x0483 or 0x048A <= cp < 0x0590 or 0x1E00 <= cp < 0x2C00:
            continue
        if not any(lo <= cp < hi for lo, hi in _CJK_SIMPLE):
            return False
    return True


_GLYPHS: dict[tuple[object, ...], tuple[object, tuple[int, int]]] = {}
_ADVANCES: dict[tuple[object, ...], float] = {}
GLYPH_CACHE_SIZE = 20000


def _glyph(item: Text, ch: str, fx: int, fy: int) -> tuple[object, tuple[int, int]]:
    key = (item.font, item.size, ch, fx, fy)
    g = _GLYPHS.get(key)
    if g is None:
        font = pil_font(item.font, item.size)
        mask, offset = font.getmask2(
            ch, "L", None, _NO_KERN, None, 0, "ls", 0, (fx / SUBPIXEL, fy / SUBPIXEL)
        )
        g = (mask, offset)
        if len(_GLYPHS) >= GLYPH_CACHE_SIZE:
            _GLYPHS.clear()
        _GLYPHS[key] = g
    return g


def _advance(item: Text, ch: str) -> float:
    key = (item.font, item.size, ch)
    a = _ADVANCES.get(key)
    if a is None:
        a = text_width(item.font, ch, item.size)
        _ADVANCES[key] = a
    return a


def _text(draw: ImageDraw.ImageDraw, item: Text) -> None:
    """A run of text. Simple scripts go glyph by glyph through a cache of rendered glyphs (at
    quarter-pixel offsets), advancing by the very widths the layout measured; anything that needs
    shaping (RTL, joining scripts, combining marks) is drawn by Pillow with raqm in one call."""
    if not item.rtl and _simple(item.text):
        ink = draw._getink(item.color[:3])[0]  # noqa: SLF001 - the ink Pillow itself would use
        bitmap = draw.draw.draw_bitmap
        x = item.x
        y = item.baseline
        iy = int(y)
        fy = int((y - iy) * SUBPIXEL)
        for ch in item.text:
            if ch != " ":
                ix = int(x)
                mask, (ox, oy) = _glyph(item, ch, int((x - ix) * SUBPIXEL), fy)
                bitmap((ix + ox, iy + oy), mask, ink)
            x += _advance(item, ch)
        return
    font = pil_font(item.font, item.size)
    if item.rtl:
        draw.text(
            (item.x, item.baseline),
            item.text,
            font=font,
            fill=item.color[:3],
            anchor="ls",
            direction="rtl",
            features=_NO_KERN,
        )
    else:
        draw.text(
            (item.x, item.baseline), item.text, font=font, fill=item.color[:3], anchor="ls", features=_NO_KERN
        )


# --- slides -----------------------------------------------------------------------------------


def _backdrop(item: Backdrop, size: tuple[int, int]) -> Image.Image:
    try:
        from rendering.paint.background import paint_background
    except ImportError:  # backgrounds not available: the theme's plain colour
        from rendering.display import parse_color

        return Image.new("RGB", size, parse_color(item.theme.colors.background)[:3])
    return paint_background(item.theme, size).copy()


_BASES: dict[tuple[object, ...], Image.Image] = {}


def paint_base(size: tuple[int, int], base: tuple[Item, ...]) -> Image.Image:
    """Background, shadow and card: painted once per carousel look, then reused (copy it)."""
    key = (size, base)
    im = _BASES.get(key)
    if im is None:
        im = Image.new("RGB", size, (255, 255, 255))
        _paint_items(im, list(base))
        if len(_BASES) >= BASE_CACHE_SIZE:
            _BASES.pop(next(iter(_BASES)))
        _BASES[key] = im
    return im


def _paint_items(im: Image.Image, items: list[Item]) -> None:
    draw = ImageDraw.Draw(im)
    for item in items:
        if isinstance(item, Text):
            if item.color[3]:  # fully transparent text is for the PDF's text layer only
                _text(draw, item)
        elif isinstance(item, Rect):
            _rect(im, item)
        elif isinstance(item, Emoji):
            _emoji(im, item)
        elif isinstance(item, Picture):
            _paste_picture(im, item)
        elif isinstance(item, Ellipse):
            _ellipse(im, item)
        elif isinstance(item, Polygon):
            _polygon(im, item)
        elif isinstance(item, Shadow):
            _shadow(im, item)
        elif isinstance(item, Backdrop):
            im.paste(_backdrop(item, im.size), (0, 0))
        elif isinstance(item, Link):
            continue


def paint(slide: Slide) -> Image.Image:
    im = paint_base(slide.size, slide.base).copy()
    _paint_items(im, slide.items)
    return im


def encode(im: Image.Image, fmt: str) -> bytes:
    if fmt != "jpeg":
        return encode_png(im)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False, subsampling=2)
    return buf.getvalue()


def encode_png(im: Image.Image) -> bytes:
    """An RGB slide as PNG: every row Up-filtered, then deflated once by zlib-ng.

    A slide is flat colour, vertical gradients and text: the difference to the row above is zero
    almost everywhere, so one fixed filter does as well as Pillow's per-row adaptive choice (which
    tries five filters on every row) and a fast deflate level packs it smaller than zlib's level 1.
    The filter is two whole-image Pillow operations; zlib-ng releases the GIL while it compresses.
    """
    if im.mode != "RGB":
        im = im.convert("RGB")
    w, h = im.size
    above = im.crop((0, -1, w, h - 1))  # row y-1 at row y; the first row sees zeros, as the filter defines
    diff = memoryview(ImageChops.subtract_modulo(im, above).tobytes())
    stride = 3 * w
    rows = PNG_FILTER_UP.join([b"", *(diff[y : y + stride] for y in range(0, h * stride, stride))])
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, filter method 0, no interlace
    return b"".join(
        (
            PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib_ng.compress(rows, PNG_DEFLATE_LEVEL)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
