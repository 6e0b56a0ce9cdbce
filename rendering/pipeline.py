"""The engine: Thread → Document → slides (display list) → PNG/JPEG and PDF.

Each stage is a plain function; the timings of each are reported in ``Carousel.timings``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence

from PIL import Image

from contract.options import RenderOptions
from rendering.compose import SlidePlan
from rendering.display import Slide
from rendering.document import Document, build_document
from rendering.layout.slides import Deck
from rendering.model import Thread
from rendering.result import Carousel, Progress
from themes.schema import Theme


def build(thread: Thread) -> Document:
    """The document for ``thread``: every text resolved into blocks."""
    return build_document(thread)


def load(name: str) -> Theme:
    from themes.loader import load_theme

    return load_theme(name)


def layout_deck(
    thread: Thread, options: RenderOptions, images: Mapping[str, Image.Image], theme: Theme | None = None
) -> tuple[Document, Deck]:
    from rendering.layout.slides import layout_deck as lay_out

    doc = build(thread.capped(options.max_posts))
    return doc, lay_out(doc, theme or load(options.theme), options, images)


def layout_slides(
    thread: Thread, options: RenderOptions, images: Mapping[str, Image.Image], theme: Theme | None = None
) -> tuple[Document, list[Slide]]:
    """Every slide of every part, in order."""
    doc, deck = layout_deck(thread, options, images, theme)
    return doc, deck.slides


def slide_alt(slide: Slide) -> str:
    """What the pictures of a slide show (their alt text), avatars and logos aside."""
    from rendering.display import Picture

    alts = [i.alt for i in slide.items if isinstance(i, Picture) and not i.circle and i.alt]
    return " · ".join(dict.fromkeys(alts))


_SENTENCE_STOP = re.compile(r"[.!?…:;][\"'”’)\]]*$")  # a line that already ends as a sentence does


def _as_sentence(line: str) -> str:
    """A heading or list item read as a sentence: "Step 2: Prefill" → "Step 2: Prefill."."""
    text = " ".join(line.split())
    return text if not text or _SENTENCE_STOP.search(text) else f"{text}."


def slide_texts(doc: Document, plans: Sequence[SlidePlan], slides: Sequence[Slide]) -> tuple[str, ...]:
    """Per slide of one part, the words it shows as plain text (for alt text where the carousel is
    posted): the cover's title and author, each content slide's text (code as one run, with its
    language), "" for the closing slide. All "" when the slides do not line up with the storyboard
    (nothing is better than a wrong description)."""
    by = doc.author.plain_name + (f" (@{doc.author.handle})" if doc.author.handle else "")
    article = "An" if doc.kind[:1] in "aeiou" else "A"
    texts = [f"{_as_sentence(doc.title)} {article} {doc.kind} by {by}." if by.strip() else doc.title]
    for plan in plans:
        words = []
        for unit in plan.units:
            for block in unit.blocks:
                if block.kind == "code":
                    code = " ".join(block.text.split())
                    words.append(f"Code ({block.language}): {code}" if block.language else f"Code: {code}")
                else:
                    words += [_as_sentence(line) for line in block.text.splitlines() if line.strip()]
            if unit.quote is not None:
                words.append(f"Quoted post by {unit.quote.author.plain_name}.")
        texts.append(" ".join(words))
    texts += [""] * (len(slides) - len(texts))
    if len(texts) != len(slides) or any(s.template == "outro" for s in slides[: 1 + len(plans)]):
        return ("",) * len(slides)
    return tuple(texts)


def render(
    thread: Thread,
    options: RenderOptions,
    images: Mapping[str, Image.Image],
    progress: Progress | None = None,
    theme: Theme | None = None,
    part: int | None = None,
) -> Carousel:
    """Every part (the first, with the others in ``more``), or only part ``part`` (from 1; the last
    when there are fewer): the whole source is laid out either way, so parts are cut the same."""
    from rendering.paint import raster
    from rendering.paint.pdf import write_pdf

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    doc, deck = layout_deck(thread, options, images, theme)
    t1 = time.perf_counter()
    timings["layout"] = t1 - t0
    paint_t = encode_t = pdf_t = 0.0
    count = len(deck.parts)
    wanted = range(1, count + 1) if part is None else [min(max(1, part), count)]
    total = sum(len(deck.parts[i - 1]) for i in wanted)
    done = 0
    author = doc.author.plain_name + (f" (@{doc.author.handle})" if doc.author.handle else "")
    carousels: list[Carousel] = []
    for index, (slides, plan) in enumerate(zip(deck.parts, deck.board.parts, strict=True), start=1):
        if index not in wanted:
            continue
        encoded: list[bytes] = []
        for slide in slides:
            a = time.perf_counter()
            im = raster.paint(slide)
            b = time.perf_counter()
            encoded.append(raster.encode(im, options.format))
            c = time.perf_counter()
            paint_t += b - a
            encode_t += c - b
            done += 1
            if progress is not None:
                progress(done, total)
        t2 = time.perf_counter()
        title = doc.title if count == 1 else f"{doc.title} (part {index} of {count})"
        pdf = write_pdf(slides, title=title, author=author, subject=doc.source_url or "")
        pdf_t += time.perf_counter() - t2
        carousels.append(
            Carousel(
                slides=encoded,
                image_format=options.format,
                pdf=pdf,
                title=doc.title,
                size=options.size,
                part=(index, count) if count > 1 else None,
                alts=tuple(slide_alt(s) for s in slides),
                texts=slide_texts(doc, plan.slides, slides),
            )
        )
    timings["paint"] = paint_t
    timings["encode"] = encode_t
    timings["pdf"] = pdf_t
    first = carousels[0]
    return Carousel(
        slides=first.slides,
        image_format=first.image_format,
        pdf=first.pdf,
        title=first.title,
        size=first.size,
        timings=timings,
        part=first.part,
        more=tuple(carousels[1:]),
        alts=first.alts,
        texts=first.texts,
    )
