"""PDF backend: vector text in embedded subset fonts, words in order, links, metadata, size."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from contract.options import RenderOptions
from rendering._samples import rich_thread, sample_images, text_thread
from rendering.model import Author, Post, Thread
from rendering.pipeline import render


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-zА-Яа-яα-ω]{4,}", text)


def test_pdf_text_holds_the_input_words_in_order() -> None:
    th = text_thread(5)
    car = render(th, RenderOptions(), {})
    reader = PdfReader(io.BytesIO(car.pdf))
    assert len(reader.pages) == car.slide_count
    extracted = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(extracted.split())
    pos = 0
    for post in th.posts:
        for word in _words(post.text):
            found = flat.find(word, pos)
            assert found >= 0, (word, flat[pos : pos + 200])
            pos = found + len(word)


def test_pdf_is_vector_with_embedded_subset_fonts_links_and_metadata() -> None:
    car = render(rich_thread(), RenderOptions(), sample_images())
    reader = PdfReader(io.BytesIO(car.pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == car.title and "Maya Chen" in (reader.metadata.author or "")
    page = reader.pages[0]
    assert page.mediabox.width == 1080 and page.mediabox.height == 1350
    fonts: set[str] = set()
    for p in reader.pages:
        res: Any = p["/Resources"]
        for f in res.get("/Font", {}).values():
            font = f.get_object()
            fonts.add(str(font["/BaseFont"]))
            desc = font.get("/FontDescriptor")
            if desc is not None:
                assert "/FontFile2" in desc.get_object()  # embedded TrueType
    assert fonts and all(re.match(r"/[A-Z]{6}\+", f) for f in fonts), fonts  # subset tags
    uris = [
        a.get_object()["/A"]["/URI"]
        for p in reader.pages
        for a in p.get("/Annots", []) or []
        if "/A" in a.get_object()
    ]
    assert "https://example.com/blog/llm-inference" in uris
    # no page is a picture of text: the text is extractable from every content slide
    for p in reader.pages[1:-1]:
        assert len(p.extract_text().strip()) > 10


def test_text_only_twenty_slide_pdf_is_small() -> None:
    a = Author(name="Maya Chen", handle="mayabuilds")
    sentence = "Every layer reads its weights once per token, so memory bandwidth sets the pace. "
    posts = tuple(Post(id=str(k), author=a, text=f"{k}/ " + sentence * 3) for k in range(1, 19))
    car = render(Thread(author=a, posts=posts), RenderOptions(), {})
    assert car.slide_count == 20 and len(car.parts) == 1
    assert len(car.pdf) < 1_000_000


@pytest.mark.parametrize(
    "stem", ["1F680", "2764", "1F1EB-1F1F7", "1F469-200D-1F4BB", "0031-FE0F-20E3", "2666"]
)
def test_pdf_emoji_artwork_covers_what_the_raster_paints(stem: str) -> None:
    from rendering.display import Emoji
    from rendering.paint.pdf import _svg_drawing, emoji_placement
    from rendering.paint.raster import emoji_bitmap

    item = Emoji((100.0, 200.0, 48.0, 48.0), stem, 48)
    left, top, right, bottom = emoji_bitmap(stem, 48).getbbox()  # type: ignore[misc]
    drawing = _svg_drawing(stem)
    ox, oy, scale = emoji_placement(item, drawing)
    x0, y0, x1, y1 = drawing.getBounds()
    # the drawing's y axis points up from its origin at (ox, oy)
    pdf_box = (ox + x0 * scale, oy - y1 * scale, ox + x1 * scale, oy - y0 * scale)
    raster_box = (100 + left, 200 + top, 100 + right, 200 + bottom)
    for got, want in zip(pdf_box, raster_box, strict=True):
        assert got == pytest.approx(want, abs=2.5), (pdf_box, raster_box)


def test_each_picture_is_embedded_once_at_the_pixels_the_slide_shows() -> None:
    from rendering.display import Picture
    from rendering.paint.pdf import write_pdf
    from rendering.paint.photos import pixel_box
    from rendering.pipeline import layout_slides

    doc, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    pictures = [item for s in slides for item in s.items if isinstance(item, Picture)]
    placements = {(id(p.image), p.key, pixel_box(p.box)[2:], p.fit) for p in pictures}
    assert len(placements) < len(pictures)  # the author's avatar repeats on many slides
    pdf = write_pdf(slides, doc.title, doc.author.name)
    assert pdf.count(b"/Subtype /Image") == len(placements)
    reader = PdfReader(io.BytesIO(pdf))
    sizes = set()
    for page in reader.pages:
        for image in page.images:  # pypdf also looks inside forms
            sizes.add(image.image.size)
    boxes = {size for _, _, size, fit in placements if fit == "cover"}
    assert boxes <= sizes  # a cropped photo is embedded at its box's pixel size, as the slide shows it


def test_pictures_are_painted_opaque_whatever_translucent_fill_came_before() -> None:
    """A translucent rule or tint drawn before a picture must not fade it: in the PDF every picture
    is placed with the fill alpha at 1 (a form inherits the graphics state it is placed in)."""
    from rendering.api import render_carousel

    options = RenderOptions(theme="editorial", format="jpeg")
    carousel = render_carousel(rich_thread(), options, sample_images())
    placed = 0
    for page in PdfReader(io.BytesIO(carousel.pdf)).pages:
        states = page["/Resources"].get("/ExtGState", {})
        alpha, stack = 1.0, []
        for operands, operator in page.get_contents().operations:
            if operator == b"q":
                stack.append(alpha)
            elif operator == b"Q":
                alpha = stack.pop()
            elif operator == b"gs":
                alpha = float(states[operands[0]].get_object().get("/ca", alpha))
            if operator == b"Do" and "pic" in str(operands[0]):
                placed += 1
                assert alpha == 1.0, f"a picture placed at fill alpha {alpha}"
    assert placed > 0
