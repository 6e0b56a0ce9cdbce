"""Golden images: one slide per template on a fixed thread, compared with a tolerance.

Refresh on purpose only: ``UPDATE_GOLDEN=1 uv run pytest tests/rendering/test_golden.py``.
A missing golden fails (it is never written silently).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from contract.options import Ratio, RenderOptions
from rendering._samples import rich_thread, sample_images
from rendering.paint import raster
from rendering.pipeline import layout_slides

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_WIDTH = 360  # stored small: enough to see layout, hierarchy and colour changes
MAX_MEAN_DIFF = 2.0  # mean absolute difference per channel, 0…255
MAX_CHANGED_SHARE = 0.02  # share of pixels that may differ by more than CHANGED_LEVEL
CHANGED_LEVEL = 48
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = [
    ("paper", "4:5", "cover"),
    ("paper", "4:5", "post"),
    ("paper", "4:5", "image"),
    ("paper", "4:5", "quote"),
    ("paper", "4:5", "section"),
    ("paper", "4:5", "code"),
    ("paper", "4:5", "outro"),
    ("midnight", "1:1", "post"),
    ("editorial", "9:16", "cover"),
    ("bold", "16:9", "image"),
]


def _slide(theme: str, ratio: Ratio, template: str) -> Image.Image:
    _, slides = layout_slides(rich_thread(), RenderOptions(theme=theme, ratio=ratio), sample_images())
    slide = next(s for s in slides if s.template == template)
    im = raster.paint(slide)
    h = round(im.height * GOLDEN_WIDTH / im.width)
    return im.resize((GOLDEN_WIDTH, h), Image.Resampling.LANCZOS)


@pytest.mark.parametrize(("theme", "ratio", "template"), CASES)
def test_template_matches_golden(theme: str, ratio: Ratio, template: str) -> None:
    path = GOLDEN_DIR / f"{theme}-{ratio.replace(':', 'x')}-{template}.png"
    got = _slide(theme, ratio, template)
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        got.save(path, optimize=True)
    assert path.exists(), f"missing golden {path.name}; create it with UPDATE_GOLDEN=1"
    want = Image.open(path).convert("RGB")
    assert want.size == got.size
    diff = ImageChops.difference(want, got)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    changed = sum(diff.convert("L").histogram()[CHANGED_LEVEL + 1 :])
    share = changed / (got.width * got.height)
    if mean > MAX_MEAN_DIFF or share > MAX_CHANGED_SHARE:
        got.save(path.with_suffix(".actual.png"))
    assert mean <= MAX_MEAN_DIFF, f"{path.name}: mean difference {mean:.2f}"
    assert share <= MAX_CHANGED_SHARE, f"{path.name}: {share:.1%} of pixels changed"
