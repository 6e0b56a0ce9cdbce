"""Theme preview sheet: every theme on the same slide, as one image (for `carousel themes --preview`
and the Telegram `/theme` menu)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from contract.options import RenderOptions
from rendering.api import render_carousel
from rendering.fonts import BOLD, Face, face_file
from rendering.model import Author, Post, Thread
from rendering.paint.preview import contact_sheet
from themes import list_themes

PREVIEW_FILE = "themes.png"
PREVIEW_AUTHOR = Author(name="Maya Chen", handle="mayabuilds")
PREVIEW_TEXT = (
    "# Ship the boring version first\n\n"
    "The fastest way to learn what users need is to put something **real** in front of them → today.\n\n"
    "• one feature, done well\n• measured, not guessed\n• then iterate ✓"
)


def preview_thread() -> Thread:
    post = Post(id="1", author=PREVIEW_AUTHOR, text=PREVIEW_TEXT)
    return Thread(source="text", author=PREVIEW_AUTHOR, posts=(post,))


def theme_preview_sheet(columns: int = 4) -> Image.Image:
    """One content slide per theme, labelled, in a grid."""
    thread = preview_thread()
    tiles: list[tuple[str, Image.Image]] = []
    for theme in list_themes():
        carousel = render_carousel(thread, RenderOptions(theme=theme.name, format="jpeg", cta="none"))
        content = carousel.slides[1] if carousel.slide_count > 1 else carousel.slides[0]
        tiles.append((theme.label, Image.open(io.BytesIO(content)).convert("RGB")))
    label_font = face_file(Face("Inter", BOLD)).path
    return contact_sheet(tiles, columns=columns, font_path=label_font)


def write_theme_preview(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PREVIEW_FILE
    theme_preview_sheet().save(target, optimize=True)
    return target
