"""Every piece of text reads at 4.5:1 or more against what is actually behind it, in every theme
and ratio: footer, slide number, kicker, chips, code tokens (comments too) included."""

from __future__ import annotations

import pytest
from PIL import Image

from contract.options import CANVAS_SIZES, Ratio, RenderOptions
from rendering._samples import rich_thread, sample_images
from rendering.display import Rect, Slide, Text
from rendering.layout.legible import MIN_CONTRAST, lowest_contrast
from rendering.paint import raster
from rendering.pipeline import layout_slides
from themes import list_themes, load_theme
from themes.loader import contrast_ratio, relative_luminance

RATIOS: list[Ratio] = ["4:5", "1:1", "9:16", "16:9"]
_THIN = 12  # px: an underline or a strike-through, drawn with its text's colour
SAMPLE_SIDE = 24  # the pixels behind a text are reduced to at most this square before sorting
PERCENTILE = 0.02  # the darkest and lightest 2% of the pixels behind a text (its own edge left out)


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_every_text_reaches_4_5_against_its_own_surface(name: str, ratio: Ratio) -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(theme=name, ratio=ratio), sample_images())
    theme = load_theme(name)
    worst = min(lowest_contrast(s, theme) for s in slides)
    assert worst >= MIN_CONTRAST, f"{name} {ratio}: {worst:.2f}:1"


def _behind(slide: Slide) -> Image.Image:
    """The slide painted without its texts (and their underlines): what the texts are drawn on."""
    inks = {t.color for t in slide.texts()}
    thin = {id(i) for i in slide.items if isinstance(i, Rect) and i.fill in inks and i.box[3] < _THIN}
    kept = [i for i in slide.items if not isinstance(i, Text) and id(i) not in thin]
    bare = Slide(slide.size, slide.base, kept, slide.template)
    return raster.paint(bare)


def _measured(text: Text, behind: Image.Image) -> float:
    x, y, w, h = text.box
    crop = behind.crop((int(x), int(y), max(int(x) + 1, int(x + w)), max(int(y) + 1, int(y + h))))
    crop = crop.convert("RGB")
    crop.thumbnail((SAMPLE_SIDE, SAMPLE_SIDE), Image.Resampling.NEAREST)
    pixels = sorted(crop.get_flattened_data(), key=relative_luminance)
    k = int(len(pixels) * PERCENTILE)
    dark, light = pixels[k], pixels[-1 - k]
    return min(contrast_ratio(text.color, dark), contrast_ratio(text.color, light))


@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_painted_pixels_behind_every_text_agree(name: str) -> None:
    """Measured on the painted slide, not on the display list: the backdrop's gradient and pattern
    under a footer, a chip on a panel, a token on a code block."""
    _, slides = layout_slides(rich_thread(), RenderOptions(theme=name, ratio="9:16"), sample_images())
    assert slides[0].size == CANVAS_SIZES["9:16"]
    worst = (21.0, "")
    for slide in slides:
        behind = _behind(slide)
        for text in slide.texts():
            if text.color[3] < 255 or not text.text.strip():
                continue
            worst = min(worst, (_measured(text, behind), f"{slide.template}: {text.text!r}"))
    assert worst[0] >= MIN_CONTRAST - 0.05, f"{name}: {worst[0]:.2f}:1 for {worst[1]}"
