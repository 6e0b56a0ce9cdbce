"""What a render returns: the encoded slides, the PDF and how long each stage took."""

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

    @property
    def slide_count(self) -> int:
        return len(self.slides)
