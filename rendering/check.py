"""The deck quality check: what a careful designer would look at before posting.

Per slide: how full its content area is, the body size and the smallest text, the lowest contrast of
any text against what is actually painted behind it, whether it holds a piece of a block cut across
slides, and whether it starts mid-sentence. A violation is anything the product promises never to
ship: a content slide under 40% full (statement, section and image slides excepted), body text under
32 px or code under 28 px per 1080 px of width, text under 4.5:1, a slide that starts mid-sentence,
a part of more than 20 slides, more than one body size in a deck, content taller than its card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PIL import Image

from contract.options import RenderOptions
from rendering.compose import MAX_SLIDES, MIN_FILL
from rendering.display import RGBA, Slide, Text
from rendering.model import Thread
from themes.schema import Theme

BODY_MIN_PER_1080 = 32.0
CODE_MIN_PER_1080 = 28.0
MIN_CONTRAST = 4.5
MAX_FILL = 1.02  # content that does not fit its card would be cut off
FILL_EXEMPT = ("cover", "outro", "note", "statement", "section", "image")


def _luminance(c: tuple[float, ...]) -> float:
    def ch(v: float) -> float:
        v /= 255.0
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = _luminance(a), _luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _over(color: RGBA, behind: tuple[float, float, float]) -> tuple[float, float, float]:
    a = color[3] / 255.0
    return (
        color[0] * a + behind[0] * (1 - a),
        color[1] * a + behind[1] * (1 - a),
        color[2] * a + behind[2] * (1 - a),
    )


def text_contrasts(slide: Slide) -> list[tuple[Text, float]]:
    """Every text on ``slide`` with its contrast against the pixels painted behind it (the slide
    painted without its text; the worst of the box's darkest and lightest tenth)."""
    from rendering.paint import raster

    bare = Slide(slide.size, slide.base, [i for i in slide.items if not isinstance(i, Text)], slide.template)
    im = raster.paint(bare).convert("RGB")
    w, h = im.size
    out: list[tuple[Text, float]] = []
    for t in slide.texts():
        if not t.text.strip():
            continue
        x0 = max(0, int(t.x))
        y0 = max(0, int(t.baseline - t.ascent))
        x1 = min(w, int(t.x + max(1.0, t.width)) + 1)
        y1 = min(h, int(t.baseline + t.descent) + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        region = im.crop((x0, y0, x1, y1))
        if region.width * region.height > 4096:
            region = region.resize((min(region.width, 64), min(region.height, 64)))
        raw = region.tobytes()
        pixels = sorted(((raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)), key=_luminance)
        k = max(0, len(pixels) // 10)
        candidates = [pixels[k], pixels[len(pixels) - 1 - k]]
        ratio = min(contrast(_over(t.color, c), c) for c in candidates)
        out.append((t, ratio))
    return out


@dataclass
class SlideReport:
    part: int
    index: int
    template: str
    fill: float | None
    body_px: int | None
    smallest_px: int
    lowest_contrast: float
    split: bool
    mid_sentence: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    size: tuple[int, int]
    body_size: int
    parts: list[int]  # slides per part
    slides: list[SlideReport]
    problems: list[str] = field(default_factory=list)  # deck-wide

    @property
    def ok(self) -> bool:
        return not self.problems and not any(s.problems for s in self.slides)

    def lines(self) -> list[str]:
        w = self.size[0]
        out = [
            f"deck: {len(self.parts)} part(s) of {', '.join(map(str, self.parts))} slides, "
            f"{w}×{self.size[1]}, body {self.body_size} px "
            f"({self.body_size * 1080 / w:.0f} per 1080 of width)"
        ]
        out.append("part slide template    fill  body  small  contrast  split  mid-sentence  problems")
        for s in self.slides:
            fill = f"{s.fill:4.0%}" if s.fill is not None else "   -"
            body = f"{s.body_px:4d}" if s.body_px is not None else "   -"
            out.append(
                f"{s.part:>4} {s.index:>5} {s.template:<10} {fill}  {body}  {s.smallest_px:5d}  "
                f"{s.lowest_contrast:7.2f}  {'yes' if s.split else ' no':>5}  "
                f"{'yes' if s.mid_sentence else 'no':>12}  " + ("; ".join(s.problems) or "ok")
            )
        out += [f"deck: {p}" for p in self.problems]
        out.append("check: " + ("ok" if self.ok else "FAILED"))
        return out


def check_deck(
    thread: Thread,
    options: RenderOptions,
    images: Mapping[str, Image.Image] | None = None,
    theme: Theme | None = None,
) -> Report:
    from rendering.pipeline import layout_deck

    doc, deck = layout_deck(thread, options, images or {}, theme)
    width = options.size[0]
    body = deck.board.body_size
    report = Report(options.size, body, [len(p) for p in deck.parts], [])
    if body * 1080 / width < BODY_MIN_PER_1080 - 0.5:
        report.problems.append(f"body {body} px is under {BODY_MIN_PER_1080:.0f} px per 1080 of width")
    for pi, slides in enumerate(deck.parts, start=1):
        if len(slides) > MAX_SLIDES:
            report.problems.append(f"part {pi} has {len(slides)} slides (at most {MAX_SLIDES})")
        for si, slide in enumerate(slides, start=1):
            contrasts = text_contrasts(slide)
            texts = [t for t, _ in contrasts]
            smallest = min((t.size for t in texts), default=0)
            lowest = min((r for _, r in contrasts), default=21.0)
            content = slide.fill is not None
            sr = SlideReport(
                pi,
                si,
                slide.template,
                slide.fill,
                (body if not slide.display else None) if content else None,
                smallest,
                lowest,
                slide.split,
                slide.starts_mid_sentence,
            )
            exempt = slide.template in FILL_EXEMPT or slide.display
            if content and not exempt and (slide.fill or 0.0) < MIN_FILL:
                sr.problems.append(f"only {slide.fill:.0%} full")
            if content and (slide.fill or 0.0) > MAX_FILL:
                sr.problems.append(f"overflows its card ({slide.fill:.0%})")
            if lowest < MIN_CONTRAST:
                worst = min(contrasts, key=lambda c: c[1])[0]
                sr.problems.append(f"contrast {lowest:.2f}:1 for {worst.text.strip()[:24]!r}")
            if slide.code_px is not None and slide.code_px * 1080 / width < CODE_MIN_PER_1080 - 0.5:
                sr.problems.append(f"code {slide.code_px} px")
            if slide.starts_mid_sentence:
                sr.problems.append("starts mid-sentence")
            report.slides.append(sr)
    return report
