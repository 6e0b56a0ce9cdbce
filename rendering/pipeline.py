"""The engine: Thread → Document → slides (display list) → PNG/JPEG and PDF.

Each stage is a plain function; the timings of each are reported in ``Carousel.timings``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from PIL import Image

from contract.options import RenderOptions
from rendering.display import Slide
from rendering.document import Document, build_document
from rendering.model import Thread
from rendering.result import Carousel, Progress
from themes.schema import Theme


def build(thread: Thread) -> Document:
    """The document for ``thread``: every text resolved into blocks."""
    return build_document(thread)


def load(name: str) -> Theme:
    from themes.loader import load_theme

    return load_theme(name)


def layout_slides(
    thread: Thread, options: RenderOptions, images: Mapping[str, Image.Image], theme: Theme | None = None
) -> tuple[Document, list[Slide]]:
    from rendering.layout.slides import layout

    doc = build(thread.capped(options.max_posts))
    return doc, layout(doc, theme or load(options.theme), options, images)


def render(
    thread: Thread,
    options: RenderOptions,
    images: Mapping[str, Image.Image],
    progress: Progress | None = None,
    theme: Theme | None = None,
) -> Carousel:
    from rendering.paint import raster
    from rendering.paint.pdf import write_pdf

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    doc, slides = layout_slides(thread, options, images, theme)
    t1 = time.perf_counter()
    timings["layout"] = t1 - t0
    encoded: list[bytes] = []
    paint_t = encode_t = 0.0
    total = len(slides)
    for k, slide in enumerate(slides, start=1):
        a = time.perf_counter()
        im = raster.paint(slide)
        b = time.perf_counter()
        encoded.append(raster.encode(im, options.format))
        c = time.perf_counter()
        paint_t += b - a
        encode_t += c - b
        if progress is not None:
            progress(k, total)
    timings["paint"] = paint_t
    timings["encode"] = encode_t
    t2 = time.perf_counter()
    author = doc.author.plain_name + (f" (@{doc.author.handle})" if doc.author.handle else "")
    pdf = write_pdf(slides, title=doc.title, author=author, subject=doc.source_url or "")
    timings["pdf"] = time.perf_counter() - t2
    return Carousel(
        slides=encoded,
        image_format=options.format,
        pdf=pdf,
        title=doc.title,
        size=options.size,
        timings=timings,
    )
