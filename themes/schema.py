"""Theme schema: pure data, validated, immutable. No drawing here.

Sizes are CSS pixels of a 540-wide editor preview (title 36, body 18, header/footer 12); the
renderer multiplies them by ``min(canvas width, canvas height) / 540``, so a 1080-wide slide gets
title 72, body 36, header/footer 24.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HexColor = str  # "#RRGGBB" or "#RRGGBBAA"; checked by the loader

FontFamily = Literal[
    "Inter", "Noto Sans", "Noto Serif", "Space Grotesk", "Playfair Display", "JetBrains Mono"
]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Colors(_Data):
    background: HexColor
    card: HexColor
    text: HexColor
    muted: HexColor
    accent: HexColor
    link: HexColor
    code_background: HexColor
    code_text: HexColor
    border: HexColor = "#00000000"


class Background(_Data):
    kind: Literal["solid", "linear", "radial"] = "solid"
    colors: tuple[HexColor, ...] = ()  # gradient stops (2+); empty: colors.background
    angle: float = 135.0  # degrees, CSS convention, for "linear"
    pattern: Literal["none", "dots", "grid", "lines", "diagonal", "noise", "waves"] = "none"
    pattern_color: HexColor = "#00000014"
    pattern_spacing: float = Field(default=24.0, gt=2)
    pattern_weight: float = Field(default=1.5, gt=0, le=8)  # dot radius / line width, CSS px
    center: tuple[float, float] = (0.5, 0.5)  # "radial" centre as fractions of width and height


class Card(_Data):
    enabled: bool = True
    padding: float = Field(default=40.0, ge=0)
    radius: float = Field(default=16.0, ge=0)
    border_width: float = Field(default=0.0, ge=0)
    shadow: bool = True
    shadow_color: HexColor = "#0000002E"
    shadow_blur: float = Field(default=24.0, ge=0)
    shadow_offset: float = 8.0


class Typography(_Data):
    title_family: FontFamily = "Inter"
    body_family: FontFamily = "Inter"
    mono_family: FontFamily = "JetBrains Mono"
    title_size: float = Field(default=36.0, gt=0)
    body_size: float = Field(default=18.0, ge=16)  # 16 css px = 32 px at 1080: the phone floor
    header_size: float = Field(default=12.0, gt=0)
    footer_size: float = Field(default=12.0, gt=0)
    line_height: float = Field(default=1.4, ge=1.0, le=2.0)
    title_weight: Literal["regular", "bold"] = "bold"


Family = Literal[
    "card", "bleed", "poster", "split", "editorial", "terminal", "brutalist", "frame", "notebook", "swiss"
]


class Layout(_Data):
    """The design family: how the slide is built, drawn by the renderer's chrome.

    - ``card``: a floating card on a backdrop, the footer under it.
    - ``bleed``: text straight on the backdrop, wide margins, the footer inside the canvas.
    - ``poster``: full-bleed colour, oversized type and a large slide number.
    - ``split``: a colour panel (top on portrait slides, left on wide ones) carrying the slide
      number and the kicker; the cover puts its picture there.
    - ``editorial``: a running head and a folio between hairline rules, a text column.
    - ``terminal``: a window with a title bar and a status line.
    - ``brutalist``: a bordered card with a hard shadow and a black band.
    - ``frame``: text inside an inset frame with corner marks.
    - ``notebook``: ruled paper with a margin line and punched holes.
    - ``swiss``: a grid with a heavy rule and a large index number.
    """

    family: Family = "card"
    chip: Literal["full", "compact", "none"] = "compact"  # the author on content slides
    panel: float = Field(default=0.22, ge=0.08, le=0.45)  # split: the panel's share of the canvas
    panel_color: HexColor = "#00000000"  # split / brutalist band / terminal bar; transparent: accent
    margin: float = Field(default=0.0, ge=0, le=120)  # canvas edge → text, CSS px; 0: the family's


class Accent(_Data):
    style: Literal["none", "bar", "underline", "corner", "dot"] = "bar"


class Theme(_Data):
    name: str
    label: str
    description: str = ""
    dark: bool = False
    colors: Colors
    background: Background = Background()
    card: Card = Card()
    typography: Typography = Typography()
    accent: Accent = Accent()
    layout: Layout = Layout()
    code_style: str = "default"  # a Pygments style name
