"""The engine end to end: every theme × ratio renders; options reach the output."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from contract.options import CANVAS_SIZES, Ratio, RenderOptions
from rendering._samples import rich_thread, sample_images, text_thread
from rendering.api import render_carousel
from themes.loader import theme_names


@pytest.mark.parametrize("theme", theme_names())
@pytest.mark.parametrize("ratio", list(CANVAS_SIZES))
def test_every_theme_and_ratio_renders(theme: str, ratio: Ratio) -> None:
    car = render_carousel(
        rich_thread(), RenderOptions(theme=theme, ratio=ratio, format="jpeg"), sample_images()
    )
    assert car.slide_count >= 10
    first = Image.open(io.BytesIO(car.slides[0]))
    assert first.size == CANVAS_SIZES[ratio] and first.format == "JPEG"
    assert car.pdf.startswith(b"%PDF")


def test_progress_is_reported_per_slide() -> None:
    seen: list[tuple[int, int]] = []
    car = render_carousel(text_thread(3), RenderOptions(), {}, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (car.slide_count, car.slide_count)
    assert [d for d, _ in seen] == list(range(1, car.slide_count + 1))


def test_missing_images_are_placeholders_not_errors() -> None:
    car = render_carousel(rich_thread(), RenderOptions(), {})
    assert car.slide_count >= 10


def test_timings_cover_each_stage() -> None:
    car = render_carousel(text_thread(3), RenderOptions(), {})
    assert set(car.timings) >= {"layout", "paint", "encode", "pdf"}
