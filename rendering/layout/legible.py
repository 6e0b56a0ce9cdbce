"""Every text readable against what is actually behind it.

For each ``Text`` of a slide, the colours under its box are worked out from the display list in
paint order: the backdrop as painted (a gradient or a pattern is sampled under the box: its
darkest and lightest colours there), then every filled rectangle or picture the text lies on
(translucent ones blended). When the text reaches less than ``MIN_CONTRAST`` against the worst of
them, its colour is moved toward black or white (keeping its hue as long as it can) until it does.
The adjusted display list is what both backends paint, so the PNG and the PDF agree.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from PIL import Image

from rendering.display import RGBA, Box, Ellipse, Picture, Rect, Slide, Text, mix
from themes.loader import contrast_ratio
from themes.schema import Theme

MIN_CONTRAST = 4.5  # WCAG AA, for every piece of text
SAMPLE_STEP = 8  # the backdrop is sampled at 1/8 size (gradients are smooth; patterns are added)
ADJUST_STEPS = 20

WHITE: RGBA = (255, 255, 255, 255)
BLACK: RGBA = (0, 0, 0, 255)
Surface = tuple[RGBA, RGBA]  # darkest and lightest colour under a text


def legible(slide: Slide, theme: Theme) -> None:
    """Adjust, in place, the colour of every text of ``slide`` that reads below ``MIN_CONTRAST``."""
    layers: list[Rect | Ellipse | Picture] = []
    items = slide.items
    for k, item in enumerate([*slide.base, *items]):
        if isinstance(item, Text):
            if k < len(slide.base) or item.color[3] == 0:
                continue  # base texts are the family's own (checked with the presets); hidden
                # texts (a custom emoji's shortcode) are for the PDF's text layer only
            surface = _surface_under(item.box, layers, theme, slide.size)
            color = _readable(item.color, surface)
            if color != item.color:
                items[k - len(slide.base)] = replace(item, color=color)
        elif _is_layer(item):
            layers.append(item)  # type: ignore[arg-type]


def lowest_contrast(slide: Slide, theme: Theme) -> float:
    """The lowest contrast of any text of ``slide`` against what is behind it."""
    layers: list[Rect | Ellipse | Picture] = []
    worst = 21.0
    for item in [*slide.base, *slide.items]:
        if isinstance(item, Text) and item.color[3] > 0:
            dark, light = _surface_under(item.box, layers, theme, slide.size)
            worst = min(worst, _ratio(item.color, dark), _ratio(item.color, light))
        elif _is_layer(item):
            layers.append(item)  # type: ignore[arg-type]
    return worst


def _is_layer(item: object) -> bool:
    """A filled shape (a card, a band, an avatar's disc) or a picture that text may lie on."""
    if isinstance(item, Rect | Ellipse):
        return item.fill is not None and item.fill[3] > 0
    return isinstance(item, Picture)


def _inside(box: Box, outer: Box) -> bool:
    """True when the centre of ``box`` lies in ``outer``."""
    x, y = box[0] + box[2] / 2, box[1] + box[3] / 2
    return outer[0] <= x <= outer[0] + outer[2] and outer[1] <= y <= outer[1] + outer[3]


def _surface_under(
    box: Box, layers: list[Rect | Ellipse | Picture], theme: Theme, size: tuple[int, int]
) -> Surface:
    dark, light = _backdrop_range(theme, size, box)
    for layer in layers:
        if not _inside(box, layer.box):
            continue
        if isinstance(layer, Rect | Ellipse):
            assert layer.fill is not None
            dark, light = _over(layer.fill, dark), _over(layer.fill, light)
        elif isinstance(layer, Picture):
            dark, light = _picture_range(layer, box)
    return dark, light


def _over(top: RGBA, bottom: RGBA) -> RGBA:
    a = top[3] / 255
    return (
        round(top[0] * a + bottom[0] * (1 - a)),
        round(top[1] * a + bottom[1] * (1 - a)),
        round(top[2] * a + bottom[2] * (1 - a)),
        255,
    )


def _ratio(color: RGBA, surface: RGBA) -> float:
    return contrast_ratio(_over(color, surface), surface)


@functools.lru_cache(maxsize=4096)
def _readable(color: RGBA, surface: Surface) -> RGBA:
    """``color``, or the least blend of it toward black or white that reads on both colours of
    ``surface``; if neither gets there, the one of black and white that reads best."""
    dark, light = surface
    if min(_ratio(color, dark), _ratio(color, light)) >= MIN_CONTRAST:
        return color
    opaque = (color[0], color[1], color[2], 255)
    found: list[tuple[int, RGBA]] = []
    for target in (BLACK, WHITE):
        for step in range(1, ADJUST_STEPS + 1):
            c = mix(opaque, target, step / ADJUST_STEPS)
            if min(contrast_ratio(c, dark), contrast_ratio(c, light)) >= MIN_CONTRAST:
                found.append((step, c))
                break
    if found:
        return min(found)[1]
    return max((BLACK, WHITE), key=lambda c: min(contrast_ratio(c, dark), contrast_ratio(c, light)))


def _backdrop_range(theme: Theme, size: tuple[int, int], box: Box) -> Surface:
    bg = theme.background
    if bg.kind == "solid" or len(bg.colors) < 2:
        from rendering.display import parse_color

        base = parse_color(theme.colors.background)
        dark = light = base
    else:
        small = _small_backdrop(theme, size)
        k = SAMPLE_STEP
        x0 = max(0, min(small.width - 1, int(box[0] // k)))
        y0 = max(0, min(small.height - 1, int(box[1] // k)))
        x1 = max(x0 + 1, min(small.width, int((box[0] + box[2]) // k) + 1))
        y1 = max(y0 + 1, min(small.height, int((box[1] + box[3]) // k) + 1))
        (r0, r1), (g0, g1), (b0, b1) = small.crop((x0, y0, x1, y1)).getextrema()  # type: ignore[misc]
        dark, light = (r0, g0, b0, 255), (r1, g1, b1, 255)
    if bg.pattern != "none":
        from rendering.display import parse_color

        ink = parse_color(bg.pattern_color)
        on_dark, on_light = _over(ink, dark), _over(ink, light)
        candidates = [dark, light, on_dark, on_light]
        dark = min(candidates, key=_luma)
        light = max(candidates, key=_luma)
    return dark, light


def _luma(c: RGBA) -> float:
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


@functools.lru_cache(maxsize=8)
def _small_backdrop(theme: Theme, size: tuple[int, int]) -> Image.Image:
    """The backdrop's gradient (its pattern left out) at 1/``SAMPLE_STEP`` size."""
    from rendering.paint.background import paint_background

    plain = theme.model_copy(update={"background": theme.background.model_copy(update={"pattern": "none"})})
    image = paint_background(plain, size)
    small = (max(1, size[0] // SAMPLE_STEP), max(1, size[1] // SAMPLE_STEP))
    return image.resize(small, Image.Resampling.BOX)


def _picture_range(picture: Picture, box: Box) -> Surface:
    """Darkest and lightest colours of the part of ``picture`` under ``box`` (approximate: the
    picture's box mapped onto the whole image)."""
    img = picture.image
    px, py, pw, ph = picture.box
    x0 = int((box[0] - px) / max(1.0, pw) * img.width)
    y0 = int((box[1] - py) / max(1.0, ph) * img.height)
    x1 = int((box[0] + box[2] - px) / max(1.0, pw) * img.width) + 1
    y1 = int((box[1] + box[3] - py) / max(1.0, ph) * img.height) + 1
    x0, x1 = max(0, min(img.width - 1, x0)), max(1, min(img.width, x1))
    y0, y1 = max(0, min(img.height - 1, y0)), max(1, min(img.height, y1))
    region = img.crop((x0, y0, max(x0 + 1, x1), max(y0 + 1, y1))).convert("RGB")
    region.thumbnail((THUMB_SIDE, THUMB_SIDE))
    (r0, r1), (g0, g1), (b0, b1) = region.getextrema()  # type: ignore[misc]
    return (r0, g0, b0, 255), (r1, g1, b1, 255)


THUMB_SIDE = 48  # a picture region is reduced to this before its extremes are read
