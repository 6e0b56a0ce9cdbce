"""What a render returns: the encoded slides, the PDF and how long each stage took — per part."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[int, int], None]  # (slides done, slides total)


@dataclass(frozen=True)
class Carousel:
    slides: list[bytes]  # encoded PNG or JPEG, in order
    image_format: str  # "png" | "jpeg"
    pdf: bytes
    title: str
    size: tuple[int, int]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    part: tuple[int, int] | None = None  # (index, count) when the source was split into parts
    more: tuple[Carousel, ...] = ()  # the parts after this one, in order (each a whole carousel)
    alts: tuple[str, ...] = ()  # per slide: what its pictures show ("" for none), for the chat and PDF
    texts: tuple[str, ...] = ()  # per slide: its words as plain text ("" for the closing slide)

    @property
    def slide_count(self) -> int:
        return len(self.slides)

    @property
    def parts(self) -> tuple[Carousel, ...]:
        """Every part, this one first: a source that needs more than 20 slides is split into parts
        of at most 20, each with its own cover and closing slide."""
        return (self, *self.more)
