"""Slide geometry and resolved typography for one theme on one canvas.

Theme sizes are CSS pixels of a 540-wide preview; everything here is canvas pixels, scaled by
``min(width, height) / 540``. All spacing constants are named here, in CSS pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendering.display import RGBA, Box, mix, parse_color
from rendering.fonts import BOLD, REGULAR, Face
from themes.loader import contrast_ratio, uses_card
from themes.schema import Theme

PREVIEW_WIDTH = 540
BODY_FLOOR_CSS = 16.0  # 32 px at 1080: the smallest body text a phone reads comfortably
CODE_FLOOR_CSS = 14.0  # 28 px at 1080: code may shrink a little below body text to avoid wrapping
MARGIN_CSS = 28.0  # canvas edge → card
FOOTER_CSS = 52.0  # the band under the card: brand, slide number
MAX_TEXT_WIDTH_CSS = 600.0  # a readable measure on wide canvases
AVATAR_CSS = 44.0
COVER_AVATAR_CSS = 60.0
COMPACT_AVATAR_CSS = 24.0  # the compact author chip on content slides
OUTRO_AVATAR_CSS = 84.0
QUOTE_AVATAR_CSS = 28.0
HEADER_GAP_CSS = 22.0  # header → body
PROGRESS_CSS = 4.0
ACCENT_BAR_CSS = 4.0
TEXT_MIN_CONTRAST = 4.5  # every piece of text, secondary text included (WCAG AA)
FOOTER_MIN_CONTRAST = TEXT_MIN_CONTRAST
BAR_MIN_CONTRAST = 1.6  # the progress bar is not text
ACCENT_TEXT_MIN_CONTRAST = TEXT_MIN_CONTRAST  # kickers, markers, the swipe hint
# Family geometry, CSS px of the 540-wide preview (see themes.schema.Layout)
FAMILY_MARGIN_CSS = {
    "card": MARGIN_CSS,
    "terminal": MARGIN_CSS,
    "brutalist": 30.0,
    "bleed": 48.0,
    "poster": 44.0,
    "split": 40.0,
    "editorial": 46.0,
    "frame": 24.0,
    "notebook": 40.0,
    "swiss": 40.0,
}
FOOTER_INSIDE_CSS = 44.0  # families without a card: the footer row inside the canvas
TITLEBAR_CSS = 34.0  # terminal: the window's title bar
BAND_CSS = 34.0  # brutalist: the black band at the top of the card
FRAME_INSET_CSS = 30.0  # frame: the frame line → text
NOTEBOOK_MARGIN_CSS = 44.0  # notebook: the page edge → the margin line
RULE_GAP_CSS = 26.0  # editorial / swiss: a rule → the text under it
SWISS_RULE_CSS = 10.0
SPLIT_WIDE_MIN = 0.3  # split on a wide slide: the side panel takes at least this share
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
    panel: RGBA = (0, 0, 0, 255)  # split panel, brutalist band, terminal title bar
    panel_text: RGBA = (255, 255, 255, 255)  # text on the panel


@dataclass(frozen=True)
class Geometry:
    size: tuple[int, int]
    scale: float
    card: Box
    content: Box  # card minus padding: the safe area for text
    footer_y: float  # footer text baseline
    margin: float
    family: str = "card"
    panel: Box | None = None  # split: the colour panel; the cover's picture goes there
    footer_x: tuple[float, float] = (0.0, 0.0)  # left and right ends of the footer row
    image: Box | None = None  # split: where an image slide's picture may go (the panel side,
    #   extended), leaving ``content`` for its text; None: the picture shares ``content``

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
        footer = _extreme(backgrounds)
    footer_accent = _legible(accent, backgrounds, BAR_MIN_CONTRAST) or footer
    surface = card if uses_card(theme) else bg
    panel = parse_color(theme.layout.panel_color)
    if panel[3] == 0:
        panel = accent
    panel = (panel[0], panel[1], panel[2], 255)
    panel_text = next(
        (c for c in (card, bg, text) if contrast_ratio(c, panel) >= TEXT_MIN_CONTRAST), None
    ) or _extreme([panel])
    return Palette(
        background=bg,
        card=card,
        text=text,
        muted=_toward_legible(muted, text, surface, TEXT_MIN_CONTRAST),
        accent=accent,
        accent_text=_toward_legible(accent, text, surface, ACCENT_TEXT_MIN_CONTRAST),
        link=_toward_legible(parse_color(c.link), text, surface, TEXT_MIN_CONTRAST),
        code_bg=parse_color(c.code_background),
        code_text=parse_color(c.code_text),
        border=parse_color(c.border),
        surface=surface,
        footer=footer,
        footer_accent=footer_accent,
        panel=panel,
        panel_text=panel_text,
    )


def _extreme(backgrounds: list[RGBA]) -> RGBA:
    """White or black, whichever reads better on every one of ``backgrounds``."""
    white, black = (255, 255, 255, 255), (0, 0, 0, 255)
    on_white = min(contrast_ratio(white, b) for b in backgrounds)
    on_black = min(contrast_ratio(black, b) for b in backgrounds)
    return white if on_white >= on_black else black


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
    """Where the card, the text and the footer go for the theme's family on a canvas of ``size``."""
    w, h = size
    s = min(w, h) / PREVIEW_WIDTH  # spacing: margins, padding and the footer band
    family = theme.layout.family
    margin = (theme.layout.margin or FAMILY_MARGIN_CSS[family]) * s
    if uses_card(theme) or family in ("card", "terminal", "brutalist"):
        return _card_geometry(theme, size, s, margin)
    fs = theme.typography.footer_size * s
    footer_mid = h - margin * 0.5 - fs * 0.5
    bottom = footer_mid - FOOTER_INSIDE_CSS * s * 0.6
    left, top, right = margin, margin, w - margin
    panel: Box | None = None
    image: Box | None = None
    if family == "split":
        if w > h:  # wide: a side panel on the left
            pw = w * max(theme.layout.panel, SPLIT_WIDE_MIN)
            panel = (0.0, 0.0, pw, float(h))
            left = pw + margin
            image = (0.0, 0.0, pw, float(h))
        else:  # tall or square: a band across the top
            ph = h * theme.layout.panel * (0.7 if w == h else 1.0)
            panel = (0.0, 0.0, float(w), ph)
            top = ph + margin * 0.8
    elif family == "frame":
        inset = FRAME_INSET_CSS * s
        left, top, right = margin + inset, margin + inset, w - margin - inset
        footer_mid = h - margin - inset * 0.55
        bottom = footer_mid - inset * 0.9
    elif family == "notebook":
        left = margin + NOTEBOOK_MARGIN_CSS * s + 20 * s
    elif family == "editorial":
        top = margin + RULE_GAP_CSS * s + fs * 1.4
    elif family == "swiss":
        top = margin + SWISS_RULE_CSS * s + RULE_GAP_CSS * s
    text_w = min(right - left, MAX_TEXT_WIDTH_CSS * type_scale(size))
    if family not in ("notebook", "split"):
        left += (right - left - text_w) / 2  # a readable measure, centred on a wide slide
    content = (left, top, text_w, bottom - top)
    frame = (margin, margin, w - 2 * margin, h - 2 * margin)
    footer_y = footer_mid + fs * 0.35
    footer_x = (content[0], content[0] + content[2])
    if family in ("bleed", "poster", "swiss", "editorial", "notebook"):
        footer_x = (max(margin, content[0]) if family != "notebook" else content[0], w - margin)
    return Geometry(size, s, frame, content, footer_y, margin, family, panel, footer_x, image)


def _card_geometry(theme: Theme, size: tuple[int, int], s: float, margin: float) -> Geometry:
    w, h = size
    family = theme.layout.family
    footer = FOOTER_CSS * s
    pad = theme.card.padding * s
    card_w = min(w - 2 * margin, MAX_TEXT_WIDTH_CSS * type_scale(size) + 2 * pad)
    card_x = (w - card_w) / 2
    card = (card_x, margin, card_w, h - margin - footer)
    top = margin + pad
    if family == "terminal":
        top += TITLEBAR_CSS * s
    elif family == "brutalist":
        top += BAND_CSS * s
    content = (card_x + pad, top, card_w - 2 * pad, margin + card[3] - pad - top)
    footer_mid = margin + card[3] + footer / 2
    footer_y = footer_mid + theme.typography.footer_size * s * 0.35
    footer_x = (card_x + 8 * s, card_x + card_w - 8 * s)
    return Geometry(size, s, card, content, footer_y, margin, family, None, footer_x, None)


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
