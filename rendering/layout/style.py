"""Slide geometry and resolved typography for one theme on one canvas.

Theme sizes are CSS pixels of a 540-wide preview; everything here is canvas pixels, scaled by
``min(width, height) / 540``. All spacing constants are named here, in CSS pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendering.display import RGBA, Box, mix, parse_color
from rendering.fonts import BOLD, REGULAR, Face
from themes.loader import contrast_ratio, relative_luminance
from themes.schema import Theme

PREVIEW_WIDTH = 540
BODY_FLOOR_CSS = 16.0  # 32 px at 1080: the smallest body text a phone reads comfortably
CODE_FLOOR_CSS = 13.0  # code may shrink a little further to avoid wrapping
MARGIN_CSS = 28.0  # canvas edge → card
FOOTER_CSS = 52.0  # the band under the card: brand, slide number
MAX_TEXT_WIDTH_CSS = 600.0  # a readable measure on wide canvases
AVATAR_CSS = 44.0
COVER_AVATAR_CSS = 60.0
OUTRO_AVATAR_CSS = 84.0
QUOTE_AVATAR_CSS = 28.0
HEADER_GAP_CSS = 22.0  # header → body
PROGRESS_CSS = 4.0
ACCENT_BAR_CSS = 4.0
FOOTER_MIN_CONTRAST = 3.0
BAR_MIN_CONTRAST = 1.6
ACCENT_TEXT_MIN_CONTRAST = 3.0  # WCAG for large and bold text: kickers, markers, the swipe hint
NAME_SCALE = 1.35  # author name vs header size
HANDLE_SCALE = 1.15


@dataclass(frozen=True)
class Palette:
    background: RGBA
    card: RGBA
    text: RGBA
    muted: RGBA
    accent: RGBA
    accent_text: RGBA  # the accent where it is text (kicker, list markers): legible on the surface
    link: RGBA
    code_bg: RGBA
    code_text: RGBA
    border: RGBA
    surface: RGBA  # what text sits on: the card, or the background when there is no card
    footer: RGBA  # text on the background around the card (footer)
    footer_accent: RGBA  # the progress bar


@dataclass(frozen=True)
class Geometry:
    size: tuple[int, int]
    scale: float
    card: Box
    content: Box  # card minus padding: the safe area for text
    footer_y: float  # footer text baseline
    margin: float

    def px(self, css: float) -> float:
        return css * self.scale


@dataclass(frozen=True)
class Typo:
    title: Face
    body: Face
    mono: Face
    title_size: int
    body_size: int
    body_floor: int
    code_floor: int
    header_size: int
    footer_size: int
    line_height: float


def palette(theme: Theme, accent_override: str | None = None) -> Palette:
    c = theme.colors
    accent = parse_color(accent_override) if accent_override else parse_color(c.accent)
    card = parse_color(c.card)
    bg = parse_color(c.background)
    backgrounds = [parse_color(x) for x in (theme.background.colors or (c.background,))]
    muted = parse_color(c.muted)
    text = parse_color(c.text)
    footer = _legible(muted, backgrounds, FOOTER_MIN_CONTRAST) or _legible(
        text, backgrounds, FOOTER_MIN_CONTRAST
    )
    if footer is None:
        dark = sum(relative_luminance(b) for b in backgrounds) / len(backgrounds) < 0.4
        footer = (255, 255, 255, 235) if dark else (0, 0, 0, 200)
    footer_accent = _legible(accent, backgrounds, BAR_MIN_CONTRAST) or footer
    surface = card if theme.card.enabled else bg
    return Palette(
        background=bg,
        card=card,
        text=parse_color(c.text),
        muted=parse_color(c.muted),
        accent=accent,
        accent_text=_toward_legible(accent, text, surface, ACCENT_TEXT_MIN_CONTRAST),
        link=parse_color(c.link),
        code_bg=parse_color(c.code_background),
        code_text=parse_color(c.code_text),
        border=parse_color(c.border),
        surface=surface,
        footer=footer,
        footer_accent=footer_accent,
    )


def _toward_legible(color: RGBA, toward: RGBA, surface: RGBA, minimum: float) -> RGBA:
    """``color``, or the least blend of it toward ``toward`` that reaches ``minimum`` contrast on
    ``surface`` (a brand colour keeps its hue, but its text stays readable)."""
    for step in range(11):
        c = mix(color, toward, step / 10)
        if contrast_ratio(c, surface) >= minimum:
            return c if step else color
    return toward


def _legible(color: RGBA, backgrounds: list[RGBA], minimum: float) -> RGBA | None:
    return color if min(contrast_ratio(color, b) for b in backgrounds) >= minimum else None


def type_scale(size: tuple[int, int]) -> float:
    """Type follows the slide's width (a phone shows every slide at its screen width): body text is
    at least 32 px per 1080 px of width, so 57 px on a 1920-wide 16:9 slide."""
    return size[0] / PREVIEW_WIDTH


def geometry(theme: Theme, size: tuple[int, int]) -> Geometry:
    w, h = size
    s = min(w, h) / PREVIEW_WIDTH  # spacing: margins, padding and the footer band
    margin = MARGIN_CSS * s
    footer = FOOTER_CSS * s
    pad = theme.card.padding * s if theme.card.enabled else max(theme.card.padding * s, 12 * s)
    card_w = min(w - 2 * margin, MAX_TEXT_WIDTH_CSS * type_scale(size) + 2 * pad)
    card_x = (w - card_w) / 2
    card = (card_x, margin, card_w, h - margin - footer)
    content = (card_x + pad, margin + pad, card_w - 2 * pad, card[3] - 2 * pad)
    footer_mid = margin + card[3] + footer / 2
    footer_y = footer_mid + theme.typography.footer_size * s * 0.35
    return Geometry(size, s, card, content, footer_y, margin)


def typography(theme: Theme, s: float) -> Typo:
    t = theme.typography
    title_w = BOLD if t.title_weight == "bold" else REGULAR
    floor = round(BODY_FLOOR_CSS * s)
    return Typo(
        title=Face(t.title_family, title_w, False, True),
        body=Face(t.body_family),
        mono=Face(t.mono_family),
        title_size=round(t.title_size * s),
        body_size=max(floor, round(t.body_size * s)),
        body_floor=floor,
        code_floor=round(CODE_FLOOR_CSS * s),
        header_size=round(t.header_size * s),
        footer_size=round(t.footer_size * s),
        line_height=t.line_height,
    )
