"""The display list: positioned primitives, the only thing the backends see.

Coordinates are canvas pixels from the top-left corner (the PDF backend maps 1 px to 1 pt and
flips the y axis). Every item is an immutable value; a slide is a list of them, painted in order.
Items in ``Slide.base`` are the same on every slide of a carousel (background, card), so a backend
may paint them once and reuse the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from rendering.fonts import FontRef
from themes.loader import parse_color as parse_color  # the one colour parser, for the painters

RGBA = tuple[int, int, int, int]
Box = tuple[float, float, float, float]  # x, y, width, height


def with_alpha(color: RGBA, alpha: float) -> RGBA:
    return (color[0], color[1], color[2], round(color[3] * alpha))


def mix(a: RGBA, b: RGBA, t: float) -> RGBA:
    """``a`` blended toward ``b`` by ``t`` (opaque result)."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
        255,
    )


@dataclass(frozen=True)
class Backdrop:
    """The theme's background over the whole canvas (gradient, pattern); painted by paint.background."""

    theme: Any  # themes.schema.Theme (hashable, frozen)
    accent: RGBA | None = None


@dataclass(frozen=True)
class Rect:
    box: Box
    fill: RGBA | None = None
    radius: float = 0.0
    stroke: RGBA | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Shadow:
    """A soft shadow under a rounded rectangle."""

    box: Box
    radius: float
    color: RGBA
    blur: float
    offset: float


@dataclass(frozen=True)
class Ellipse:
    box: Box
    fill: RGBA | None = None
    stroke: RGBA | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: RGBA


@dataclass(frozen=True)
class Text:
    """One run of text in one font, drawn from its baseline's left end (right end when ``rtl``)."""

    x: float
    baseline: float
    text: str
    font: FontRef
    size: int
    color: RGBA
    width: float  # measured advance, the same in both backends
    ascent: float  # px above the baseline
    descent: float  # px below the baseline
    rtl: bool = False

    @property
    def box(self) -> Box:
        return (self.x, self.baseline - self.ascent, self.width, self.ascent + self.descent)


@dataclass(frozen=True)
class Emoji:
    """A colour emoji (a sequence of codepoints) in a square box."""

    box: Box
    sequence: str  # e.g. "1F469-200D-1F4BB" (openmoji file stem)
    size: int


@dataclass(frozen=True, eq=False)
class Picture:
    """A raster image scaled to cover (crop) or fit ``box``, clipped to a rounded rect or a circle."""

    box: Box
    image: Image.Image = field(compare=False)
    key: str  # identifies the source image (for caches)
    radius: float = 0.0
    circle: bool = False
    fit: str = "cover"  # "cover" | "contain"
    alt: str = ""  # the picture's description: not drawn, kept as text in the PDF


@dataclass(frozen=True)
class Link:
    box: Box
    url: str


Item = Backdrop | Rect | Shadow | Ellipse | Polygon | Text | Emoji | Picture | Link


@dataclass
class Slide:
    size: tuple[int, int]
    base: tuple[Item, ...]  # identical across slides: paint once, reuse
    items: list[Item] = field(default_factory=list)
    template: str = "post"
    content_box: Box = (0.0, 0.0, 0.0, 0.0)  # the safe area text must stay inside
    fill: float | None = None  # content slides: the share of the content area the content takes
    split: bool = False  # holds a piece of a block cut across slides (at a sentence or statement)
    starts_mid_sentence: bool = False
    display: bool = False  # a deliberate display slide: its text set larger than the deck's body
    code_px: int | None = None  # the size code is set in on this slide, if it shows code

    def texts(self) -> list[Text]:
        return [i for i in self.items if isinstance(i, Text)]
