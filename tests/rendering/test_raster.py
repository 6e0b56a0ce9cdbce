"""Pillow backend: real images of the right size, emoji in colour, pictures clipped, encoders."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from contract.options import RenderOptions
from rendering._samples import rich_thread, sample_images
from rendering.display import Emoji
from rendering.paint import raster
from rendering.pipeline import layout_slides


def test_every_slide_paints_at_canvas_size_and_encodes() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    for s in slides[:3]:
        im = raster.paint(s)
        assert im.size == (1080, 1350) and im.mode == "RGB"
        png = Image.open(io.BytesIO(raster.encode(im, "png")))
        assert png.format == "PNG" and png.size == (1080, 1350)
        jpg = Image.open(io.BytesIO(raster.encode(im, "jpeg")))
        assert jpg.format == "JPEG" and jpg.size == (1080, 1350)


def test_png_is_lossless_and_no_larger_than_pillows_own_encoder() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(theme="aurora"), sample_images())
    for s in slides:
        im = raster.paint(s)
        data = raster.encode(im, "png")
        decoded = Image.open(io.BytesIO(data))
        decoded.load()  # checks every chunk's CRC and the deflate stream
        assert decoded.mode == "RGB" and decoded.tobytes() == im.tobytes()
        pillow = io.BytesIO()
        im.save(pillow, "PNG", compress_level=1)  # what slides were encoded with before
        assert len(data) <= len(pillow.getvalue())


def test_png_encoder_takes_any_mode_and_odd_sizes() -> None:
    for mode, size in (("RGBA", (3, 1)), ("L", (1, 5)), ("RGB", (257, 2))):
        im = Image.radial_gradient("L").resize(size).convert(mode)
        decoded = Image.open(io.BytesIO(raster.encode(im, "png")))
        assert decoded.size == size and decoded.tobytes() == im.convert("RGB").tobytes()


def test_emoji_bitmap_is_in_colour() -> None:
    bmp = raster.emoji_bitmap("1F680", 64)  # rocket
    assert bmp.size == (64, 64) and bmp.mode == "RGBA"
    colours = bmp.convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 5  # many colours: a COLR glyph, not a monochrome silhouette


def test_emoji_are_drawn_where_the_layout_put_them() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    slide = next(s for s in slides if any(isinstance(i, Emoji) for i in s.items))
    emoji = next(i for i in slide.items if isinstance(i, Emoji))
    im = raster.paint(slide)
    x, y, w, h = (round(v) for v in emoji.box)
    region = im.crop((x, y, x + w, y + h))
    base = raster.paint_base(slide.size, slide.base).crop((x, y, x + w, y + h))
    diff = ImageChops.difference(region, base).getbbox()
    assert diff is not None  # something was drawn in the emoji's box


def test_base_is_painted_once_per_look() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    assert all(s.base == slides[0].base for s in slides)
    assert raster.paint_base(slides[0].size, slides[0].base) is raster.paint_base(
        slides[1].size, slides[1].base
    )
