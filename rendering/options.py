"""Render options: what the user chose, as plain values."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Ratio = Literal["4:5", "1:1", "9:16", "16:9"]
ImageFormat = Literal["png", "jpeg"]
CtaKind = Literal["follow", "save", "link", "none"]

CANVAS_SIZES: dict[str, tuple[int, int]] = {
    "4:5": (1080, 1350),
    "1:1": (1080, 1080),
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
}

DEFAULT_THEME = "paper"
DEFAULT_MAX_POSTS = 20


class Brand(BaseModel):
    """A brand kit: who the carousel is from, and how it signs off."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str | None = None
    handle: str | None = None
    avatar_url: str | None = None  # resolved like any other image, before layout
    logo_url: str | None = None
    accent: str | None = None  # "#RRGGBB"
    footer: str | None = None
    watermark: bool = False


class RenderOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    theme: str = DEFAULT_THEME
    ratio: Ratio = "4:5"
    format: ImageFormat = "png"
    max_posts: int = Field(default=DEFAULT_MAX_POSTS, ge=1, le=100)
    cta: CtaKind = "follow"
    cta_text: str | None = None  # overrides the variant's default wording
    cta_link: str | None = None
    brand: Brand = Brand()
    merge_short_posts: bool = False
    progress_bar: bool = True

    @property
    def size(self) -> tuple[int, int]:
        return CANVAS_SIZES[self.ratio]
