"""Design families: what each ``[layout] family`` draws around the text.

``family_base`` gives the items every slide of a carousel shares (backdrop, card, panel, rules,
frame); the per-slide marks (slide number, running head, band text) are drawn by the chrome's
footer with ``number_text``, ``big_number`` and ``band_text`` from here.
"""

from __future__ import annotations

from rendering.display import RGBA, Backdrop, Ellipse, Item, Rect, Shadow, mix, parse_color, with_alpha
from rendering.document import Document
from rendering.layout.style import (
    BAND_CSS,
    NOTEBOOK_MARGIN_CSS,
    SWISS_RULE_CSS,
    TITLEBAR_CSS,
    Geometry,
    Palette,
    Typo,
)
from themes.loader import uses_card
from themes.schema import Theme

BIG_NUMBER_FAMILIES = frozenset({"poster", "swiss", "split"})  # a large "02" instead of "2/7"
INSIDE_FOOTER_FAMILIES = frozenset({"bleed", "poster", "split", "editorial", "frame", "notebook", "swiss"})
TERMINAL_DOTS = ("#FF5F57", "#FEBC2E", "#28C840")
HOLE_CSS = 14.0  # notebook punch holes
CORNER_CSS = 16.0  # frame: the arms of a corner mark


def family_base(theme: Theme, geo: Geometry, pal: Palette, typo: Typo, doc: Document) -> list[Item]:
    """The items under every slide's content for the theme's family."""
    family = theme.layout.family
    s = geo.scale
    w, h = geo.size
    out: list[Item] = [Backdrop(theme)]
    if uses_card(theme):
        _card(theme, geo, pal, out)
    if family == "terminal":
        cx, cy, cw, _ = geo.card
        bar = TITLEBAR_CSS * s
        radius = theme.card.radius * s
        out.append(Rect((cx, cy, cw, bar + radius), pal.panel, radius))
        out.append(Rect((cx, cy + bar, cw, radius), pal.card))
        d = 11 * s
        for k, color in enumerate(TERMINAL_DOTS):
            out.append(Ellipse((cx + 16 * s + k * (d + 8 * s), cy + (bar - d) / 2, d, d), parse_color(color)))
    elif family == "brutalist":
        cx, cy, cw, _ = geo.card
        bw = theme.card.border_width * s
        out.append(Rect((cx, cy, cw, BAND_CSS * s), pal.panel))
        out.append(Rect((cx, cy + BAND_CSS * s - bw, cw, bw), pal.border if pal.border[3] else pal.text))
    elif family == "split" and geo.panel is not None:
        out.append(Rect(geo.panel, pal.panel))
    elif family == "frame":
        m = geo.margin
        line = max(1.0, 1.5 * s)
        out.append(Rect((m, m, w - 2 * m, h - 2 * m), None, 0.0, pal.footer, line))
        inner = 6 * s
        out.append(
            Rect(
                (m + inner, m + inner, w - 2 * (m + inner), h - 2 * (m + inner)),
                None,
                0.0,
                with_alpha(pal.footer, 0.45),
                max(1.0, 0.75 * s),
            )
        )
        arm, t = CORNER_CSS * s, max(2.0, 3 * s)
        corners: tuple[tuple[float, float, float, float], ...] = (
            (m, m, 1, 1),
            (w - m, m, -1, 1),
            (m, h - m, 1, -1),
            (w - m, h - m, -1, -1),
        )
        for x, y, dx, dy in corners:
            out.append(Rect(_box(x, y, arm * dx, t * dy), pal.accent))
            out.append(Rect(_box(x, y, t * dx, arm * dy), pal.accent))
    elif family == "notebook":
        x = geo.margin + NOTEBOOK_MARGIN_CSS * s
        out.append(Rect((x, 0, max(1.0, 2 * s), h), with_alpha(pal.accent, 0.75)))
        hole = HOLE_CSS * s
        shade = mix(pal.background, pal.text, 0.16)
        for share in (0.2, 0.5, 0.8):
            out.append(Ellipse((geo.margin * 0.45, h * share - hole / 2, hole, hole), shade))
    elif family == "editorial":
        m = geo.margin
        line = max(1.0, 1.25 * s)
        cx, cy, cw, ch = geo.content
        out.append(Rect((cx, cy - 16 * s, cw, line), pal.text))
        out.append(Rect((cx, cy + ch + 14 * s, cw, max(1.0, 0.75 * s)), with_alpha(pal.text, 0.6)))
        _ = m
    elif family == "swiss":
        cx, cy, cw, _ = geo.content
        out.append(Rect((geo.margin, geo.margin, w - 2 * geo.margin, SWISS_RULE_CSS * s), pal.accent))
    elif family == "poster":
        bar = 10 * s
        out.append(Rect((0, 0, bar, h), pal.accent))
    _ = (typo, doc)
    return out


def _box(x: float, y: float, dx: float, dy: float) -> tuple[float, float, float, float]:
    """A box from corner (x, y) spanning dx, dy (either sign)."""
    return (min(x, x + dx), min(y, y + dy), abs(dx), abs(dy))


def _card(theme: Theme, geo: Geometry, pal: Palette, out: list[Item]) -> None:
    c = theme.card
    radius = c.radius * geo.scale
    if c.shadow:
        out.append(
            Shadow(
                geo.card,
                radius,
                parse_color(c.shadow_color),
                c.shadow_blur * geo.scale,
                c.shadow_offset * geo.scale,
            )
        )
    stroke = pal.border if c.border_width > 0 and pal.border[3] > 0 else None
    out.append(Rect(geo.card, pal.card, radius, stroke, c.border_width * geo.scale if stroke else 0.0))


def number_text(family: str, index: int, total: int) -> str:
    if family in BIG_NUMBER_FAMILIES:
        return f"{index:02d}"
    if family == "editorial":
        return f"— {index} —"
    if family == "terminal":
        return f"[{index}/{total}]"
    return f"{index}/{total}"


def on_panel(pal: Palette) -> RGBA:
    return pal.panel_text
