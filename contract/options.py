"""Render options: what the user chose, as plain values, and the names the settings are known by.

These are the types every side shares: the front-ends build them from commands and saved settings,
the job payload carries them, the worker and the CLI pass them to ``rendering``, which reads them.
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from themes.loader import MAX_THEME_FILE_BYTES
from worker.limits import DEFAULT_MAX_POSTS, MAX_POSTS_CEILING, SOURCE_MAX_POSTS

Ratio = Literal["4:5", "1:1", "9:16", "16:9"]
ImageFormat = Literal["png", "jpeg"]
CtaKind = Literal["follow", "save", "link", "none"]
# How the slides are sent (the PDF always comes too): an album of photos, the original slide files
# as documents, or one ZIP of them. Rendering never reads it; it is part of a result's content key,
# since the file_ids kept to re-send an identical result differ by how it was sent.
DeliveryKind = Literal["album", "files", "zip"]

RATIOS: tuple[str, ...] = typing.get_args(Ratio)
FORMATS: tuple[str, ...] = typing.get_args(ImageFormat)
CTAS: tuple[str, ...] = typing.get_args(CtaKind)
DELIVERIES: tuple[str, ...] = typing.get_args(DeliveryKind)

CANVAS_SIZES: dict[str, tuple[int, int]] = {
    "4:5": (1080, 1350),
    "1:1": (1080, 1080),
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
}

DEFAULT_THEME = "paper"
CUSTOM_THEME = "custom"  # the theme someone sent as a .toml file (``theme_file``), not a preset
THEME_FILE_FIELD = "theme_file"
DEFAULT_RATIO: Ratio = "4:5"
DEFAULT_FORMAT: ImageFormat = "png"
DEFAULT_CTA: CtaKind = "follow"
DEFAULT_DELIVERY: DeliveryKind = "album"

# The settings a person or a group can save, by path ("brand.x" is a part of the brand kit). The
# brand pictures are saved as platform files and travel in the options as ``avatar_url``/``logo_url``.
LOOK_FIELDS: tuple[str, ...] = (
    "theme",
    "ratio",
    "format",
    "max_posts",
    "cta",
    "cta_text",
    "cta_link",
    "delivery",
)
BRAND_FIELDS: tuple[str, ...] = (
    "brand.name",
    "brand.handle",
    "brand.avatar",
    "brand.logo",
    "brand.accent",
    "brand.footer",
    "brand.watermark",
)
SETTING_FIELDS: tuple[str, ...] = LOOK_FIELDS + (THEME_FILE_FIELD,) + BRAND_FIELDS
PICTURE_FIELDS: tuple[str, ...] = ("brand.avatar", "brand.logo")
BRAND_DOT = "brand."

# How a setting is named in a sentence ("Done — ratio: 4:5 portrait")
FIELD_LABELS: dict[str, str] = {
    "theme": "theme",
    "theme_file": "theme file",
    "ratio": "ratio",
    "format": "format",
    "max_posts": "max posts",
    "cta": "call to action",
    "cta_text": "CTA text",
    "cta_link": "CTA link",
    "delivery": "delivery",
    "brand.name": "brand name",
    "brand.handle": "brand @handle",
    "brand.avatar": "avatar",
    "brand.logo": "logo",
    "brand.accent": "accent colour",
    "brand.footer": "footer",
    "brand.watermark": "watermark",
    "autolink": "auto-link",
}


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
    theme_file: str | None = Field(default=None, max_length=MAX_THEME_FILE_BYTES)  # TOML, for CUSTOM_THEME
    ratio: Ratio = DEFAULT_RATIO
    format: ImageFormat = DEFAULT_FORMAT
    max_posts: int = Field(default=DEFAULT_MAX_POSTS, ge=1, le=MAX_POSTS_CEILING)
    cta: CtaKind = DEFAULT_CTA
    cta_text: str | None = None  # overrides the variant's default wording
    cta_link: str | None = None
    brand: Brand = Brand()
    delivery: DeliveryKind = DEFAULT_DELIVERY  # how the slides are sent; the renderer ignores it
    merge_short_posts: bool = False
    progress_bar: bool = True
    # Which of the author's posts become slides: their numbers from 1 (None: every post), and how many
    # of those earlier carousels already showed (the "Next posts" button moves on by ``max_posts``).
    # The carousel shows at most ``max_posts`` of them, starting after ``posts_offset``.
    posts: tuple[int, ...] | None = None
    posts_offset: int = Field(default=0, ge=0, le=SOURCE_MAX_POSTS)

    @field_validator("posts")
    @classmethod
    def _post_numbers(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not value or any(not 1 <= n <= SOURCE_MAX_POSTS for n in value):
            raise ValueError(f"post numbers go from 1 to {SOURCE_MAX_POSTS}")
        return tuple(sorted(set(value)))

    @property
    def size(self) -> tuple[int, int]:
        return CANVAS_SIZES[self.ratio]
