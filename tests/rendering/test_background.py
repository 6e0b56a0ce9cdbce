"""Backgrounds: gradients in CSS geometry, patterns at the right period, caching, speed; and the
contact sheet that shows them side by side."""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path

import fontpkg_inter
import pytest
from PIL import Image, ImageChops

from contract.options import CANVAS_SIZES
from rendering.paint.background import (
    clear_background_cache,
    css_scale,
    gradient_geometry,
    gradient_stops,
    is_vector_background,
    paint_background,
    pattern_period,
    radial_geometry,
)
from rendering.paint.preview import contact_sheet
from themes import list_themes, load_theme, parse_color
from themes.schema import Background, Theme

PORTRAIT = CANVAS_SIZES["4:5"]
SQUARE = CANVAS_SIZES["1:1"]
RED, BLUE, GREEN = "#FF0000", "#0000FF", "#00FF00"
TOLERANCE = 4  # colour levels: 8-bit gradient steps and bilinear scaling
PAINT_BUDGET_MS = 60.0  # generous for a shared test machine; the bench holds the real target


def _theme(**background: object) -> Theme:
    return load_theme("paper").model_copy(update={"background": Background.model_validate(background)})


def _rgb(color: str) -> tuple[int, int, int]:
    return parse_color(color)[:3]


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = TOLERANCE) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(u + (v - u) * t) for u, v in zip(a, b, strict=True))  # type: ignore[return-value]


def _color_at(stops: list[tuple[float, tuple[int, int, int]]], t: float) -> tuple[int, int, int]:
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in zip(stops, stops[1:], strict=False):
        if t <= t1:
            return _mix(c0, c1, (t - t0) / (t1 - t0))
    return stops[-1][1]


def _corners(image: Image.Image) -> dict[str, tuple[int, ...]]:
    w, h = image.size
    return {
        "tl": _px(image, (0, 0)),
        "tr": _px(image, (w - 1, 0)),
        "bl": _px(image, (0, h - 1)),
        "br": _px(image, (w - 1, h - 1)),
    }


def _px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    return value if isinstance(value, tuple) else (int(value or 0),)


def _extrema(image: Image.Image) -> list[tuple[int, int]]:
    """(low, high) per band."""
    found = image.getextrema()
    bands = found if isinstance(found[0], tuple) else (found,)
    return [(int(low), int(high)) for low, high in bands]  # type: ignore[misc]


def _same(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is None


def _shift_equal(image: Image.Image, dx: int, dy: int) -> bool:
    """True if the image repeats when moved by (dx, dy) (dx, dy >= 0)."""
    w, h = image.size
    return _same(image.crop((0, 0, w - dx, h - dy)), image.crop((dx, dy, w, h)))


# --- every preset ---------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", sorted(CANVAS_SIZES))
def test_every_preset_paints_at_every_ratio(ratio: str) -> None:
    size = CANVAS_SIZES[ratio]
    for theme in list_themes():
        image = paint_background(theme, size)
        assert image.mode == "RGB" and image.size == size, theme.name
        if theme.background.kind == "solid" and theme.background.pattern == "none":
            assert image.getcolors(1) == [(size[0] * size[1], _rgb(theme.colors.background))]


def test_painting_is_fast_enough() -> None:
    themes = list_themes()
    samples = []
    for theme in themes:
        clear_background_cache()
        start = time.perf_counter()
        paint_background(theme, PORTRAIT)
        samples.append((time.perf_counter() - start) * 1000)
    assert statistics.median(samples) < PAINT_BUDGET_MS, samples


# --- linear gradients -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [PORTRAIT, SQUARE, CANVAS_SIZES["16:9"]])
def test_135_degrees_runs_from_top_left_to_bottom_right(size: tuple[int, int]) -> None:
    image = paint_background(_theme(kind="linear", angle=135, colors=(RED, BLUE)), size)
    corners = _corners(image)
    assert _close(corners["tl"], _rgb(RED))
    assert _close(corners["br"], _rgb(BLUE))


def test_135_degrees_on_a_square_puts_the_other_corners_halfway() -> None:
    image = paint_background(_theme(kind="linear", angle=135, colors=(RED, BLUE)), SQUARE)
    half = _mix(_rgb(RED), _rgb(BLUE), 0.5)
    corners = _corners(image)
    assert _close(corners["tr"], half) and _close(corners["bl"], half)


@pytest.mark.parametrize(
    ("angle", "start", "end"),
    [(0, "bottom", "top"), (90, "left", "right"), (180, "top", "bottom"), (270, "right", "left")],
)
def test_css_angle_directions(angle: float, start: str, end: str) -> None:
    w, h = PORTRAIT
    image = paint_background(_theme(kind="linear", angle=angle, colors=(RED, BLUE)), PORTRAIT)
    edge = {"top": (w // 2, 0), "bottom": (w // 2, h - 1), "left": (0, h // 2), "right": (w - 1, h // 2)}
    assert _close(_px(image, edge[start]), _rgb(RED))
    assert _close(_px(image, edge[end]), _rgb(BLUE))
    assert _close(_px(image, (w // 2, h // 2)), _mix(_rgb(RED), _rgb(BLUE), 0.5))


def test_gradient_geometry_follows_css() -> None:
    w, h = PORTRAIT
    theme = _theme(kind="linear", angle=135, colors=(RED, BLUE))
    assert gradient_geometry(theme, SQUARE) == pytest.approx((0, 0, SQUARE[0], SQUARE[1]), abs=1e-6)
    assert gradient_geometry(_theme(kind="linear", angle=90, colors=(RED, BLUE)), PORTRAIT) == (
        pytest.approx((0, h / 2, w, h / 2), abs=1e-6)
    )
    assert gradient_geometry(_theme(kind="linear", angle=180, colors=(RED, BLUE)), PORTRAIT) == (
        pytest.approx((w / 2, 0, w / 2, h), abs=1e-6)
    )
    # the gradient line is exactly long enough for the corners: |w sin a| + |h cos a|
    x0, y0, x1, y1 = gradient_geometry(theme, PORTRAIT)
    a = math.radians(135)
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(abs(w * math.sin(a)) + abs(h * math.cos(a)))


@pytest.mark.parametrize("angle", [0, 20, 90, 135, 160, 180, 250, 270])
def test_raster_matches_the_geometry_the_pdf_uses(angle: float) -> None:
    theme = _theme(kind="linear", angle=angle, colors=(RED, GREEN, BLUE))
    image = paint_background(theme, PORTRAIT)
    x0, y0, x1, y1 = gradient_geometry(theme, PORTRAIT)
    stops = gradient_stops(theme)
    assert [t for t, _ in stops] == [0.0, 0.5, 1.0]
    length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2
    w, h = PORTRAIT
    for fx in (0.05, 0.3, 0.5, 0.77, 0.95):
        for fy in (0.05, 0.4, 0.6, 0.95):
            x, y = int(w * fx), int(h * fy)
            t = ((x + 0.5 - x0) * (x1 - x0) + (y + 0.5 - y0) * (y1 - y0)) / length2
            assert _close(_px(image, (x, y)), _color_at(stops, t)), (x, y, t)


# --- radial gradients -----------------------------------------------------------------------


def test_radial_runs_from_the_centre_to_the_corners() -> None:
    w, h = PORTRAIT
    theme = _theme(kind="radial", colors=(RED, BLUE))
    image = paint_background(theme, PORTRAIT)
    assert _close(_px(image, (w // 2, h // 2)), _rgb(RED))
    for corner in _corners(image).values():
        assert _close(corner, _rgb(BLUE), tolerance=6)
    cx, cy, rx, ry = radial_geometry(theme, PORTRAIT)
    assert (cx, cy) == (w / 2, h / 2) and rx / ry == pytest.approx(w / h)
    half = _mix(_rgb(RED), _rgb(BLUE), 0.5)
    assert _close(_px(image, (int(cx + rx / 2), int(cy))), half)
    assert _close(_px(image, (int(cx), int(cy - ry / 2))), half)


def test_radial_centre_can_move() -> None:
    theme = _theme(kind="radial", colors=(RED, BLUE), center=(0.0, 0.0))
    corners = _corners(paint_background(theme, PORTRAIT))
    assert _close(corners["tl"], _rgb(RED))
    assert _close(corners["br"], _rgb(BLUE), tolerance=6)
    assert radial_geometry(theme, PORTRAIT)[:2] == (0, 0)


def test_only_patterns_need_a_raster_in_the_pdf() -> None:
    assert is_vector_background(_theme(kind="linear", colors=(RED, BLUE)))
    assert is_vector_background(load_theme("paper"))
    assert not is_vector_background(load_theme("notebook"))


# --- patterns -------------------------------------------------------------------------------

BASE = "#F0F0F0"
INK = "#000000"


def _pattern_theme(pattern: str, spacing: float = 20, alpha: int = 0x40, **extra: object) -> Theme:
    theme = _theme(pattern=pattern, pattern_spacing=spacing, pattern_color=f"{INK}{alpha:02X}", **extra)
    return theme.model_copy(update={"colors": theme.colors.model_copy(update={"background": BASE})})


@pytest.mark.parametrize("pattern", ["dots", "grid", "diagonal", "waves", "noise"])
@pytest.mark.parametrize("size", [(540, 675), PORTRAIT])
def test_pattern_repeats_with_a_period_scaled_to_the_canvas(pattern: str, size: tuple[int, int]) -> None:
    theme = _pattern_theme(pattern)
    px, py = pattern_period(theme.background, size)
    if pattern in {"dots", "grid", "diagonal"}:
        assert px == py == round(20 * css_scale(size))
    if pattern == "waves":
        assert (px, py) == (2 * round(20 * css_scale(size)), round(20 * css_scale(size)))
    image = paint_background(theme, size)
    assert image.size == size
    assert len(image.getcolors(1 << 16) or []) >= 2, "the pattern is drawn"
    if px < size[0]:
        assert _shift_equal(image, px, 0)
        assert not _shift_equal(image, px // 2, 0)
    if py < size[1]:
        assert _shift_equal(image, 0, py)
        assert not _shift_equal(image, 0, max(1, py // 3))


def test_pattern_ink_is_composited_at_its_alpha() -> None:
    alpha = 0x40
    image = paint_background(_pattern_theme("grid", alpha=alpha, pattern_weight=2), PORTRAIT)
    extrema = _extrema(image)
    darkest = tuple(low for low, _ in extrema)
    lightest = tuple(high for _, high in extrema)
    base, ink = _rgb(BASE), _rgb(INK)
    assert lightest == base
    assert _close(darkest, _mix(base, ink, alpha / 255), tolerance=2)


def test_dots_sit_one_period_apart() -> None:
    theme = _pattern_theme("dots")
    image = paint_background(theme, PORTRAIT).convert("L")
    period = pattern_period(theme.background, PORTRAIT)[0]
    w, h = PORTRAIT
    column = [_px(image, (w // 2, y))[0] for y in range(h)]
    row_y = column.index(min(column))  # a row through dot centres
    row = [_px(image, (x, row_y))[0] for x in range(w)]
    centres = [x for x in range(1, w - 1) if row[x] < row[x - 1] and row[x] <= row[x + 1]]
    gaps = {b - a for a, b in zip(centres, centres[1:], strict=False)}
    assert gaps == {period}
    assert len(centres) in {w // period, w // period + 1}


def test_diagonal_lines_run_at_45_degrees() -> None:
    image = paint_background(_pattern_theme("diagonal"), (540, 675))
    w, h = image.size
    # "/" lines: a pixel matches its neighbour one step right and one step up
    diff = ImageChops.difference(image.crop((1, 0, w, h - 1)), image.crop((0, 1, w - 1, h)))
    assert max(high for _, high in _extrema(diff)) <= 2


def test_noise_is_deterministic() -> None:
    theme = _pattern_theme("noise")
    first = paint_background(theme, SQUARE).tobytes()
    clear_background_cache()
    assert paint_background(theme, SQUARE).tobytes() == first


@pytest.mark.parametrize("size", [PORTRAIT, CANVAS_SIZES["16:9"]])
def test_pattern_sits_in_the_same_place_over_any_background(size: tuple[int, int]) -> None:
    def ink(**background: object) -> Image.Image:
        with_grid = _theme(pattern="grid", pattern_weight=2, pattern_color="#0000FF80", **background)
        plain = _theme(**background)
        diff = ImageChops.difference(paint_background(with_grid, size), paint_background(plain, size))
        return diff.convert("L").point(lambda v: 255 if v > 8 else 0)

    on_solid = ink()
    assert on_solid.getbbox() is not None
    for background in [{"kind": "linear", "angle": a, "colors": (RED, GREEN)} for a in (0, 90, 135, 180)] + [
        {"kind": "radial", "colors": (RED, GREEN)}
    ]:
        assert _same(ink(**background), on_solid), background


def test_pattern_over_a_gradient() -> None:
    theme = load_theme("blueprint")
    image = paint_background(theme, PORTRAIT)
    plain = paint_background(
        theme.model_copy(update={"background": theme.background.model_copy(update={"pattern": "none"})}),
        PORTRAIT,
    )
    diff = ImageChops.difference(image, plain).convert("L")
    assert diff.getbbox() is not None  # the waves are there
    alpha = parse_color(theme.background.pattern_color)[3]
    assert _extrema(diff)[0][1] <= alpha  # never more ink than the pattern's alpha allows


# --- caching --------------------------------------------------------------------------------


def test_backgrounds_are_cached_per_theme_and_size() -> None:
    theme = load_theme("gradient")
    first = paint_background(theme, PORTRAIT)
    assert paint_background(theme, PORTRAIT) is first
    assert paint_background(load_theme("gradient"), PORTRAIT) is first
    other = paint_background(theme, SQUARE)
    assert other is not first and other.size == SQUARE
    clear_background_cache()
    again = paint_background(theme, PORTRAIT)
    assert again is not first and _same(again, first)


# --- contact sheet --------------------------------------------------------------------------


def _font_path() -> str:
    return str(next((Path(fontpkg_inter.__file__).parent / "files").glob("Inter[[]*.ttf")))


def test_contact_sheet_lays_out_labelled_thumbnails() -> None:
    themes = list_themes()[:6]
    images = [(t.label, paint_background(t, PORTRAIT)) for t in themes]
    sheet = contact_sheet(images, columns=4, font_path=_font_path(), thumb_width=200)
    thumb_h = round(PORTRAIT[1] * 200 / PORTRAIT[0])
    assert sheet.mode == "RGB"
    assert sheet.width > 4 * 200 and sheet.height > 2 * thumb_h
    assert sheet.width < 5 * 200 and sheet.height < 3 * thumb_h
    # each thumbnail's centre shows its background; a label is drawn under each
    gap = (sheet.width - 4 * 200) // 5
    cell_h = (sheet.height - gap) // 2
    for index, (_, image) in enumerate(images):
        row, col = divmod(index, 4)
        x, y = gap + col * (200 + gap), gap + row * cell_h
        expected = _px(image.resize((200, thumb_h)), (100, thumb_h // 2))
        assert _close(_px(sheet, (x + 100, y + thumb_h // 2)), expected, tolerance=8)
        label_box = sheet.crop((x, y + thumb_h + 4, x + 200, y + cell_h - gap))
        assert len(label_box.getcolors(1 << 16) or []) > 2, "label text drawn"


def test_contact_sheet_needs_images() -> None:
    with pytest.raises(ValueError):
        contact_sheet([], font_path=_font_path())
