"""Theme preview sheet: every theme on a cover, a content slide and an image slide, as one image
(for `carousel themes --preview` and the Telegram `/theme` menu)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from contract.options import RenderOptions
from rendering.api import render_carousel
from rendering.fonts import BOLD, Face, face_file
from rendering.model import Author, Media, Post, Thread
from rendering.paint.preview import contact_sheet
from themes import list_themes

PREVIEW_FILE = "themes.png"
PREVIEW_AUTHOR = Author(name="Maya Chen", handle="mayabuilds")
PREVIEW_PHOTO = "preview:photo"
PREVIEW_PHOTO_SIZE = (1200, 800)
PREVIEW_SLIDES = (0, 1, 2)  # cover, content slide, image slide
PREVIEW_TILE_GAP = 12  # px between a theme's three slides
PREVIEW_SLIDE_HEIGHT = 540  # each slide is scaled to this height in a theme's tile
PREVIEW_COLUMNS = 3
PREVIEW_TILE_WIDTH = 560
PREVIEW_TITLE = "Ship the boring version first: what a year of small releases taught us 🧵"
PREVIEW_TEXT = (
    "# The loop\n\n"
    "The fastest way to learn what users need is to put something **real** in front of them → today.\n\n"
    "• one feature, done well\n• measured, not guessed\n• then iterate ✓"
)
PREVIEW_IMAGE_TEXT = "Week one: the first chart we trusted."


def preview_thread() -> Thread:
    photo = Media(url=PREVIEW_PHOTO, width=PREVIEW_PHOTO_SIZE[0], height=PREVIEW_PHOTO_SIZE[1])
    posts = (
        Post(id="1", author=PREVIEW_AUTHOR, text=PREVIEW_TEXT),
        Post(id="2", author=PREVIEW_AUTHOR, text=PREVIEW_IMAGE_TEXT, media=(photo,)),
    )
    return Thread(source="text", author=PREVIEW_AUTHOR, title=PREVIEW_TITLE, posts=posts)


def preview_images() -> dict[str, Image.Image]:
    """A drawn picture (a sun over hills), so the preview needs no network."""
    w, h = PREVIEW_PHOTO_SIZE
    im = Image.linear_gradient("L").resize((w, h))
    sky = Image.composite(
        Image.new("RGB", (w, h), (250, 190, 120)), Image.new("RGB", (w, h), (60, 110, 190)), im
    )
    d = ImageDraw.Draw(sky)
    d.ellipse((w * 0.58, h * 0.22, w * 0.78, h * 0.52), fill=(255, 226, 120))
    d.polygon(
        [(0, h), (0, h * 0.7), (w * 0.3, h * 0.5), (w * 0.6, h * 0.75), (w, h * 0.6), (w, h)],
        fill=(40, 90, 70),
    )
    return {PREVIEW_PHOTO: sky}


def _tile(slides: list[Image.Image]) -> Image.Image:
    scaled = [
        s.resize((round(s.width * PREVIEW_SLIDE_HEIGHT / s.height), PREVIEW_SLIDE_HEIGHT)) for s in slides
    ]
    width = sum(s.width for s in scaled) + PREVIEW_TILE_GAP * (len(scaled) - 1)
    tile = Image.new("RGB", (width, PREVIEW_SLIDE_HEIGHT), (255, 255, 255))
    x = 0
    for s in scaled:
        tile.paste(s, (x, 0))
        x += s.width + PREVIEW_TILE_GAP
    return tile


def theme_preview_sheet(columns: int = PREVIEW_COLUMNS) -> Image.Image:
    """Each theme as a cover, a content slide and an image slide, labelled, in a grid."""
    thread = preview_thread()
    images = preview_images()
    tiles: list[tuple[str, Image.Image]] = []
    for theme in list_themes():
        carousel = render_carousel(thread, RenderOptions(theme=theme.name, format="jpeg", cta="none"), images)
        picked = [carousel.slides[k] for k in PREVIEW_SLIDES if k < carousel.slide_count]
        slides = [Image.open(io.BytesIO(data)).convert("RGB") for data in picked]
        tiles.append((f"{theme.label} · {theme.layout.family}", _tile(slides)))
    label_font = face_file(Face("Inter", BOLD)).path
    return contact_sheet(tiles, columns=columns, font_path=label_font, thumb_width=PREVIEW_TILE_WIDTH)


def write_theme_preview(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PREVIEW_FILE
    theme_preview_sheet().save(target, optimize=True)
    return target
