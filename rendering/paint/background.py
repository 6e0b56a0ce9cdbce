"""Slide backgrounds: solid, CSS-style linear and radial gradients, and repeating patterns.

Everything is drawn with vectorised Pillow operations: a gradient is a small map of the gradient
parameter ``t`` (an affine transform of a ramp, or of Pillow's radial gradient), scaled up and
coloured through a 256-entry palette; a pattern is one antialiased tile repeated over the canvas.
Pattern sizes are CSS pixels of a 540-wide preview, scaled by ``min(width, height) / 540``.

The PDF backend draws plain gradients as vectors from the same numbers: ``gradient_stops`` with
``gradient_geometry`` (linear) or ``radial_geometry`` (radial); ``is_vector_background`` says when
that is possible, otherwise it embeds ``paint_background``'s raster once per document.
"""

from __future__ import annotations

import functools
import math
import random

from PIL import Image, ImageChops, ImageDraw

from themes.loader import parse_color
from themes.schema import Background, Theme

RGB = tuple[int, int, int]
Stop = tuple[float, RGB]  # (offset 0…1, colour)

PREVIEW_WIDTH = 540  # theme sizes are CSS pixels at this width
BACKGROUND_CACHE_SIZE = 6  # ~4 MB each at 1080×1350; a job uses one theme and one size
GRADIENT_LEVELS = 256  # palette entries between the first and the last stop
GRADIENT_MAP_STEP = 4  # the t-map is computed at 1/4 size, then scaled up (t is smooth)
TILE_SUPERSAMPLE = 4  # pattern tiles are drawn this much larger, then reduced (antialiasing)
NOISE_TILE_GRAINS = 160  # the noise tile is this many grains square before it repeats
NOISE_SEED = 20240521  # fixed, so the same theme always paints the same pixels
WAVE_AMPLITUDE = 0.22  # of the pattern spacing
WAVE_LENGTH = 2.0  # wavelength, in pattern spacings

# Pillow's radial_gradient: 256×256, centre pixel 128, value = distance·√2 (255 at the corners)
_RADIAL_SOURCE_CENTRE = 128.5
_RADIAL_SOURCE_REACH = 255 / math.sqrt(2)


def css_scale(size: tuple[int, int]) -> float:
    """Pixels per CSS pixel of the 540-wide preview, for a canvas of ``size``."""
    return min(size) / PREVIEW_WIDTH


# ---------------------------------------------------------------------------------------------
# Geometry shared with the PDF backend


def gradient_stops(theme: Theme) -> list[Stop]:
    """The gradient's stops, evenly spaced (one stop of ``colors.background`` when solid)."""
    colors = theme.background.colors or (theme.colors.background,)
    if len(colors) == 1:
        return [(0.0, _rgb(colors[0]))]
    last = len(colors) - 1
    return [(i / last, _rgb(color)) for i, color in enumerate(colors)]


def gradient_geometry(theme: Theme, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Start and end points ``(x0, y0, x1, y1)`` of a linear gradient, in pixels from the top-left
    (y down), as CSS places them for ``linear-gradient(<angle>deg, …)``: 0° points up, 90° right,
    135° from the top-left corner to the bottom-right one; the gradient line is just long enough
    that the corners get the first and the last colour."""
    return _linear_geometry(theme.background.angle, size)


def radial_geometry(theme: Theme, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """``(cx, cy, rx, ry)`` of a radial gradient as CSS ``radial-gradient(ellipse farthest-corner at
    <center>)`` sizes it: the last stop's ellipse passes through the corner farthest from the
    centre. The PDF backend draws a circle of radius ``rx`` under a vertical scale ``ry / rx``."""
    return _radial_geometry(theme.background.center, size)


def is_vector_background(theme: Theme) -> bool:
    """True when the background is a solid colour or a plain gradient (no pattern)."""
    return theme.background.pattern == "none"


# ---------------------------------------------------------------------------------------------
# Painting


def paint_background(theme: Theme, size: tuple[int, int]) -> Image.Image:
    """The slide background as an RGB image of ``size``. Cached: callers must copy before drawing."""
    return _paint(theme.background, theme.colors.background, (int(size[0]), int(size[1])))


@functools.lru_cache(maxsize=BACKGROUND_CACHE_SIZE)
def _paint(background: Background, base: str, size: tuple[int, int]) -> Image.Image:
    colors = background.colors or (base,)
    stops = [(i / max(1, len(colors) - 1), _rgb(c)) for i, c in enumerate(colors)]
    if background.kind == "solid" or len(stops) < 2:
        if background.pattern != "none":
            return _solid_with_pattern(background, _rgb(base), size)
        return Image.new("RGB", size, _rgb(base))
    if background.kind == "linear" and background.angle % 90 == 0:
        return _axis_gradient(background, stops, size)
    if background.kind == "linear":
        t_map = _linear_t_map(background.angle, size)
    else:
        t_map = _radial_t_map(background.center, size)
    image = _colorize(t_map, stops)
    if background.pattern != "none":
        mask = _tile(_pattern_tile(background, size, with_alpha=True), size)
        image.paste(_rgb(background.pattern_color), None, mask)
    return image


def _rgb(color: str) -> RGB:
    r, g, b, _ = parse_color(color)
    return r, g, b


def _linear_geometry(angle: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = size
    rad = math.radians(angle)
    dx, dy = math.sin(rad), -math.cos(rad)  # CSS: 0deg = to top; y grows downwards here
    half = (abs(w * dx) + abs(h * dy)) / 2
    cx, cy = w / 2, h / 2
    return cx - dx * half, cy - dy * half, cx + dx * half, cy + dy * half


def _radial_geometry(center: tuple[float, float], size: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = size
    cx, cy = center[0] * w, center[1] * h
    # farthest-side radii, scaled by √2 so the ellipse passes through the farthest corner
    rx = math.sqrt(2) * max(cx, w - cx, 1e-6)
    ry = math.sqrt(2) * max(cy, h - cy, 1e-6)
    return cx, cy, rx, ry


def _small_size(size: tuple[int, int]) -> tuple[int, int]:
    return max(2, math.ceil(size[0] / GRADIENT_MAP_STEP)), max(2, math.ceil(size[1] / GRADIENT_MAP_STEP))


def _axis_gradient(background: Background, stops: list[Stop], size: tuple[int, int]) -> Image.Image:
    """A vertical or horizontal gradient: one line of colours, stretched; a pattern is composited on
    one band a tile wide (or tall) and the band repeated, so no full-size mask is needed."""
    w, h = size
    x0, y0, x1, y1 = _linear_geometry(background.angle, size)
    vertical = background.angle % 180 == 0
    length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2
    top = GRADIENT_LEVELS - 1
    if vertical:
        ts = [((y + 0.5 - y0) * (y1 - y0)) / length2 for y in range(h)]
    else:
        ts = [((x + 0.5 - x0) * (x1 - x0)) / length2 for x in range(w)]
    levels = bytes(min(top, max(0, round(t * top))) for t in ts)
    line = _colorize(Image.frombytes("L", (1, h) if vertical else (w, 1), levels), stops)
    if background.pattern == "none":
        return line.resize(size, Image.Resampling.NEAREST)

    tile = _pattern_tile(background, size, with_alpha=True)
    tw, th = tile.size
    if vertical:  # a band one tile wide, the tile shifted to the phase the full canvas would have
        mask = _tile(ImageChops.offset(tile, _phase(w, tw) % tw, 0), (tw, h))
    else:
        mask = _tile(ImageChops.offset(tile, 0, _phase(h, th) % th), (w, th))
    band = line.resize(mask.size, Image.Resampling.NEAREST)
    band.paste(_rgb(background.pattern_color), None, mask)
    image = Image.new("RGB", size)
    for offset in range(0, w if vertical else h, tw if vertical else th):
        image.paste(band, (offset, 0) if vertical else (0, offset))
    return image


def _linear_t_map(angle: float, size: tuple[int, int]) -> Image.Image:
    """An L image of ``t * 255`` for a CSS linear gradient, at ``size``."""
    x0, y0, x1, y1 = _linear_geometry(angle, size)
    length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2
    small = _small_size(size)
    sx, sy = size[0] / small[0], size[1] / small[1]
    # ramp pixel i holds value i; its centre is at i + 0.5
    k = (GRADIENT_LEVELS - 1) / length2
    a = k * (x1 - x0) * sx
    b = k * (y1 - y0) * sy
    c = 0.5 - k * ((x1 - x0) * x0 + (y1 - y0) * y0)
    ramp = Image.frombytes("L", (GRADIENT_LEVELS, 1), bytes(range(GRADIENT_LEVELS)))
    t_small = ramp.transform(small, Image.Transform.AFFINE, (a, b, c, 0, 0, 0.5), Image.Resampling.BILINEAR)
    return t_small.resize(size, Image.Resampling.BILINEAR)


@functools.cache
def _radial_source() -> Image.Image:
    return Image.radial_gradient("L")


def _radial_t_map(center: tuple[float, float], size: tuple[int, int]) -> Image.Image:
    cx, cy, rx, ry = _radial_geometry(center, size)
    small = _small_size(size)
    sx, sy = size[0] / small[0], size[1] / small[1]
    kx, ky = _RADIAL_SOURCE_REACH / rx, _RADIAL_SOURCE_REACH / ry
    data = (kx * sx, 0.0, _RADIAL_SOURCE_CENTRE - kx * cx, 0.0, ky * sy, _RADIAL_SOURCE_CENTRE - ky * cy)
    t_small = _radial_source().transform(small, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR)
    return t_small.resize(size, Image.Resampling.BILINEAR)


def _palette(stops: list[Stop]) -> list[int]:
    palette: list[int] = []
    segments = list(zip(stops, stops[1:], strict=False))
    for i in range(GRADIENT_LEVELS):
        t = i / (GRADIENT_LEVELS - 1)
        (t0, c0), (t1, c1) = next((seg for seg in segments if t <= seg[1][0]), segments[-1])
        f = min(1.0, max(0.0, (t - t0) / (t1 - t0))) if t1 > t0 else 1.0
        palette += [round(u + (v - u) * f) for u, v in zip(c0, c1, strict=True)]
    return palette


def _colorize(t_map: Image.Image, stops: list[Stop]) -> Image.Image:
    indexed = t_map.copy()
    indexed.putpalette(_palette(stops))  # L + palette → P: each t level becomes its colour
    return indexed.convert("RGB")


# ---------------------------------------------------------------------------------------------
# Patterns


def pattern_period(background: Background, size: tuple[int, int]) -> tuple[int, int]:
    """The pattern's repeat in whole pixels (x, y) on a canvas of ``size``."""
    step = max(2, round(background.pattern_spacing * css_scale(size)))
    if background.pattern == "waves":
        return round(step * WAVE_LENGTH), step
    if background.pattern == "noise":
        grain = _noise_grain(background, size)
        return grain * NOISE_TILE_GRAINS, grain * NOISE_TILE_GRAINS
    return step, step


def _noise_grain(background: Background, size: tuple[int, int]) -> int:
    return max(1, round(background.pattern_weight * css_scale(size)))


def _pattern_tile(background: Background, size: tuple[int, int], with_alpha: bool) -> Image.Image:
    """One L tile of the pattern: 255 where the pattern is fully drawn (times its alpha if asked)."""
    pw, ph = pattern_period(background, size)
    if background.pattern == "noise":
        grains = NOISE_TILE_GRAINS
        noise = Image.frombytes("L", (grains, grains), random.Random(NOISE_SEED).randbytes(grains * grains))
        tile = noise.resize((pw, ph), Image.Resampling.NEAREST)
    elif background.pattern == "diagonal":
        tile = _diagonal_tile(pw, background.pattern_weight * css_scale(size))
    else:
        s = TILE_SUPERSAMPLE
        big = Image.new("L", (pw * s, ph * s), 0)
        draw = ImageDraw.Draw(big)
        weight = background.pattern_weight * css_scale(size) * s
        _draw_motif(draw, background.pattern, pw * s, ph * s, weight)
        tile = big.reduce(s)
    if with_alpha:
        alpha = parse_color(background.pattern_color)[3]
        tile = tile.point([v * alpha // 255 for v in range(256)])
    return tile


def _draw_motif(draw: ImageDraw.ImageDraw, kind: str, w: int, h: int, weight: float) -> None:
    if kind == "dots":  # a dot in the middle of each cell; weight = radius
        r = weight
        draw.ellipse((w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r), fill=255)
    elif kind == "grid":  # a line along the top and the left edge of each cell; weight = width
        line = max(1.0, weight)
        draw.rectangle((0, 0, w, line - 1), fill=255)
        draw.rectangle((0, 0, line - 1, h), fill=255)
    elif kind == "lines":  # ruled paper: a line along the top of each cell; weight = width
        draw.rectangle((0, 0, w, max(1.0, weight) - 1), fill=255)
    elif kind == "waves":  # one sine wave per row of cells; the tile is one wavelength wide
        amplitude = WAVE_AMPLITUDE * h
        steps = max(16, w // 4)
        points = [
            (x, h / 2 + amplitude * math.sin(2 * math.pi * x / w))
            for x in (w * i / steps for i in range(-2, steps + 3))
        ]
        draw.line(points, fill=255, width=max(1, round(weight)), joint="curve")


def _diagonal_tile(period: int, weight: float) -> Image.Image:
    """ "/" lines at 45°, one per period: a pixel's coverage depends only on ``(x + y) mod period``,
    so it is computed once per diagonal (supersampled) and the lines stay exactly straight."""
    half = max(1.0, weight) * math.sqrt(2) / 2  # half-width measured along x of a 45° band
    s = TILE_SUPERSAMPLE
    offsets = [(i + 0.5) / s for i in range(s)]
    coverage = []
    for d in range(period):
        inside = 0
        for ox in offsets:
            for oy in offsets:
                u = (d + ox + oy) % period
                inside += min(u, period - u) < half
        coverage.append(round(255 * inside / (s * s)))
    data = bytes(coverage[(x + y) % period] for y in range(period) for x in range(period))
    return Image.frombytes("L", (period, period), data)


def _phase(extent: int, period: int) -> int:
    """Where the first (partly hidden) tile starts so that a tile is centred on the canvas."""
    return (extent // 2 - period // 2) % period - period if period < extent else 0


def _tile(tile: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Repeat ``tile`` over ``size``, with a tile centred on the canvas centre."""
    w, h = size
    tw, th = tile.size
    ox, oy = _phase(w, tw), _phase(h, th)
    strip = Image.new(tile.mode, (w, th))
    for x in range(ox, w, tw):
        strip.paste(tile, (x, 0))
    out = Image.new(tile.mode, size)
    for y in range(oy, h, th):
        out.paste(strip, (0, y))
    return out


def _solid_with_pattern(background: Background, base: RGB, size: tuple[int, int]) -> Image.Image:
    """A solid colour with a pattern: composite one RGB tile, then repeat it (no full-size mask)."""
    mask = _pattern_tile(background, size, with_alpha=True)
    tile = Image.new("RGB", mask.size, base)
    tile.paste(_rgb(background.pattern_color), None, mask)
    return _tile(tile, size)


def clear_background_cache() -> None:
    """Forget painted backgrounds (tests, or after themes are reloaded)."""
    _paint.cache_clear()
