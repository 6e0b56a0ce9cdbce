"""Slide chrome: the frame every slide shares (backdrop, card, author header, footer with brand,
slide number and progress) and the cover and closing slides."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from PIL import Image

from contract.options import RenderOptions
from contract.values import is_web_link
from rendering.display import (
    RGBA,
    Box,
    Ellipse,
    Item,
    Link,
    Picture,
    Polygon,
    Rect,
    Slide,
    with_alpha,
)
from rendering.document import Document
from rendering.layout.blocks import (
    Ctx,
    author_line,
    author_name_line,
    avatar,
    emit_line,
    paragraph_rows,
    single_line,
)
from rendering.layout.families import family_base, number_text
from rendering.layout.legible import legible
from rendering.layout.measure import Line, Placed, TextStyle, runs
from rendering.layout.rows import Row, draw_page, paginate
from rendering.layout.style import (
    ACCENT_BAR_CSS,
    AVATAR_CSS,
    BAND_CSS,
    COMPACT_AVATAR_CSS,
    COVER_AVATAR_CSS,
    HANDLE_SCALE,
    HEADER_GAP_CSS,
    NAME_SCALE,
    OUTRO_AVATAR_CSS,
    PROGRESS_CSS,
    TITLEBAR_CSS,
    Geometry,
    Palette,
    Typo,
    geometry,
    palette,
    type_scale,
    typography,
)
from rendering.model import Author, Media, Span
from themes.loader import contrast_ratio, uses_card
from themes.schema import Theme

BIG_QUOTE_MAX_CHARS = 120
SECTION_TEXT_MAX_CHARS = 120
IMAGE_FIRST_MAX_CHARS = 220
CODE_SHARE = 0.6  # a post whose text is mostly code gets the code template
MERGE_MAX_SHARE = 0.45  # posts shorter than this share of a slide may share it
KICKER_GAP = 2.0  # the closing slide's kicker to its headline, in kicker sizes (room to breathe)
GROW_STEPS = (1.5, 1.36, 1.24, 1.12)  # short posts get larger text, up to these factors of body size
GROW_MAX_TITLE = 0.75  # body text grows at most to this share of the title size
GROW_MAY_SHRINK_BACK = 0.2  # share of posts that may fall back to a smaller size to stay on one slide
SHRINK_STEP = 0.94
CENTER_BIAS = 0.38  # where a short body sits in the free space: 0 top, 0.5 middle
COVER_TITLE_MAX_CHARS = 180
COVER_TITLE_MIN_SCALE = 0.55
HERO_MIN_SHARE = 0.5  # of the cover's free height: the first picture is a hero, not a thumbnail
HERO_MAX_SHARE = 0.6
OUTRO_GROW_FROM = 1.25  # height / width above which the closing slide grows (4:5 stays as is)
OUTRO_MAX_GROW = 1.4
WIDE_HERO_SHARE = 0.46  # of the content width, on a wide slide
SWIPE_HINT = "swipe →"
CTA_LINK_SHOWN_MAX = 36  # characters of a link the closing slide shows (host + path, ellipsised)
CTA_DEFAULTS = {
    "follow": ("Enjoyed this {kind}?", "Follow {handle} for more"),
    "save": ("Found this useful?", "Save this & repost ♻"),
    "link": ("Want more?", "Read more at {link}"),
}
WATERMARK_TEXT = "made with thread-carousel"
FOOTER_GAP_CSS = 8.0  # least space between the footer's label, watermark and slide number


@dataclass
class Frame:
    """Everything a slide template needs."""

    theme: Theme
    options: RenderOptions
    doc: Document
    geo: Geometry
    typo: Typo
    pal: Palette
    ctx: Ctx
    base: tuple[Item, ...]
    brand_label: str
    body_size: int = 0  # the carousel's body size (see choose_body_size)
    slides: list[Slide] = field(default_factory=list)
    part: tuple[int, int] | None = None  # (index, count) when a long source is split into parts
    handle_shown: set[int] = field(default_factory=set)  # id() of slide item lists showing the handle

    def px(self, css: float) -> float:
        return css * self.geo.scale


def make_frame(
    doc: Document, theme: Theme, options: RenderOptions, images: Mapping[str, Image.Image]
) -> Frame:
    size = options.size
    geo = geometry(theme, size)
    typo = typography(theme, type_scale(size))
    pal = palette(theme, options.brand.accent)
    radius = theme.card.radius * geo.scale
    ctx = Ctx(geo, typo, pal, images, theme.code_style, radius)
    base = family_base(theme, geo, pal, typo, doc)
    brand = options.brand
    handle = brand.handle or doc.author.handle
    label = brand.footer or brand.name or (f"@{handle.lstrip('@')}" if handle else doc.author.plain_name)
    return Frame(theme, options, doc, geo, typo, pal, ctx, tuple(base), label, typo.body_size)


# --- small drawing helpers --------------------------------------------------------------------


def _line(text: str, style: TextStyle, width: float) -> Line:
    """One line of ``text``, ellipsised when it is wider than ``width``."""
    return single_line(text, style, width)


def fit_size(
    build: Callable[[int], tuple[list[Row], float]], start: int, floor: int, avail: float
) -> tuple[int, list[Row], float]:
    """The largest size from ``start`` down to ``floor`` at which ``build(size)`` → (rows, height)
    fits ``avail`` without cutting a word; else the largest that fits; else the floor."""
    size = start
    fallback: tuple[int, list[Row], float] | None = None
    while True:
        rows, total = build(size)
        if total <= avail:
            if not any(r.cut for r in rows):
                return size, rows, total
            if fallback is None:
                fallback = (size, rows, total)
        if size <= floor:
            return fallback or (size, rows, total)
        size = max(floor, int(size * SHRINK_STEP))


def runs_line(text: str, style: TextStyle) -> Line:
    line = Line()
    x = 0.0
    for r in runs(text, style):
        line.placed.append(Placed(x, r))
        x += r.width
    line.width = x
    return line


def _accent_header(f: Frame, x: float, y: float, h: float, out: list[Item]) -> None:
    """The theme's accent element next to a slide header."""
    style = f.theme.accent.style
    a = f.pal.accent
    cx, cy, cw, ch = f.geo.content
    if style == "bar" and f.geo.family == "card":
        w = f.px(ACCENT_BAR_CSS)
        left = f.geo.card[0] + (cx - f.geo.card[0] - w) / 2
        out.append(Rect((left, y, w, h), a, w / 2))
    elif style == "underline":
        out.append(
            Rect((cx, y + h + f.px(HEADER_GAP_CSS) * 0.5, cw, max(1.0, f.px(1.25))), with_alpha(a, 0.9))
        )
    elif style == "corner":
        _corner(f, out)
    elif style == "dot":
        d = f.px(7)
        out.append(Ellipse((cx + cw - d, y + (h - d) / 2, d, d), a))


def _corner(f: Frame, out: list[Item]) -> None:
    cx, cy, cw, ch = f.geo.content
    arm = f.px(22)
    t = f.px(4)
    x1 = cx + cw + (f.geo.card[0] + f.geo.card[2] - cx - cw) * 0.45
    y0 = cy - (cy - f.geo.card[1]) * 0.55
    out.append(Rect((x1 - arm, y0, arm, t), f.pal.accent, t / 2))
    out.append(Rect((x1 - t, y0, t, arm), f.pal.accent, t / 2))


def _big_number_size(f: Frame) -> int:
    return round(f.typo.title_size * (1.25 if f.geo.family == "poster" else 0.95))


def _big_number_row(f: Frame) -> float:
    """Height the big slide number takes at the top of a swiss or poster slide."""
    if f.geo.family in ("swiss", "poster"):
        return _big_number_size(f) * 0.78
    return 0.0


def _handle_text(author: Author) -> str:
    return f"@{author.handle.lstrip('@')}" if author.handle else ""


def chip(
    f: Frame,
    author: Author,
    x: float,
    y: float,
    width: float,
    out: list[Item] | None,
    text: RGBA | None = None,
    muted: RGBA | None = None,
) -> float:
    """The compact author chip: a small avatar, the name and the handle on one line; its height."""
    t = f.typo
    av = f.px(COMPACT_AVATAR_CSS)
    size = round(t.header_size * HANDLE_SCALE)
    text = text or f.pal.text
    muted = muted or f.pal.muted
    name = author_name_line(author, TextStyle(t.body.with_style(bold=True), size, text), width, f.ctx)
    room = width - av - av * 0.35 - name.width - size * 0.5
    handle = (
        _line(_handle_text(author), TextStyle(t.body, size, muted), max(10.0, room))
        if author.name
        else Line()
    )
    h = max(av, size * 1.3)
    if out is not None:
        avatar(author, (x, y + (h - av) / 2, av, av), f.ctx, out)
        tx = x + av + av * 0.35
        base = y + h / 2 + size * 0.36
        emit_line(name, tx, base, out, muted)
        if handle.placed and room > size * 3:
            emit_line(handle, tx + name.width + size * 0.5, base, out, muted)
    return h


def header(f: Frame, author: Author, out: list[Item] | None = None) -> float:
    """The author on a content slide, as the theme decides (``[layout] chip``: full, compact or
    none), at the top of the content box; returns the body's top y. Without ``out`` it only
    measures."""
    cx, cy, cw, ch = f.geo.content
    mode = f.theme.layout.chip
    family = f.geo.family
    number_row = _big_number_row(f)
    if family == "split" and f.geo.panel is not None:
        if mode != "none" and out is not None:
            _panel_chip(f, author, out)
        return cy
    if mode == "none":
        return cy + (number_row + f.px(HEADER_GAP_CSS) if number_row else 0.0)
    right_room = f.px(20) if f.theme.accent.style in ("dot", "corner") else 0.0
    if number_row:
        right_room = _big_number_size(f) * 1.5
    if mode == "full":
        av = f.px(AVATAR_CSS)
        name_size = round(f.typo.header_size * NAME_SCALE)
        handle_size = round(f.typo.header_size * HANDLE_SCALE)
        h, draw = author_line(author, f.ctx, cw - right_room, name_size, handle_size, av)
        if out is not None:
            draw(cx, cy, out)
    else:
        h = chip(f, author, cx, cy, cw - right_room, out)
    if out is not None:
        _accent_header(f, cx, cy, h, out)
        if author.handle:
            f.handle_shown.add(id(out))
    return cy + max(h, number_row) + f.px(HEADER_GAP_CSS)


def _panel_chip(f: Frame, author: Author, out: list[Item]) -> None:
    """Split family: the chip sits in the panel (right of a top band, bottom of a side panel)."""
    assert f.geo.panel is not None
    px_, py, pw, ph = f.geo.panel
    m = f.geo.margin
    h = chip(f, author, 0, 0, 0, None)
    width = pw - 2 * m if pw < f.geo.size[0] else pw * 0.5
    x = px_ + m if pw < f.geo.size[0] else px_ + pw - m - width
    y = py + ph - m - h if pw < f.geo.size[0] else py + (ph - h) / 2
    chip(f, author, x, y, width, out, f.pal.panel_text, f.pal.panel_text)
    if author.handle:
        f.handle_shown.add(id(out))


def _family_marks(f: Frame, slide: Slide, index: int, total: int) -> bool:
    """The family's per-slide marks; True when they show the slide number."""
    out = slide.items
    family = f.geo.family
    t = f.typo
    cx, cy, cw, ch = f.geo.content
    number = number_text(family, index, total)
    if slide.template in ("cover", "outro") and family not in ("brutalist", "terminal"):
        return False
    if family in ("swiss", "poster"):
        size = _big_number_size(f)
        color = f.pal.accent_text if family == "swiss" else f.pal.text
        line = runs_line(number, TextStyle(t.title.with_style(bold=True), size, color))
        emit_line(line, cx + cw - line.width, cy + size * 0.74, out, color)
        return True
    if family == "split" and f.geo.panel is not None:
        px_, py, pw, ph = f.geo.panel
        m = f.geo.margin
        size = round(t.title_size * 1.1)
        line = runs_line(number, TextStyle(t.title.with_style(bold=True), size, f.pal.panel_text))
        if pw < f.geo.size[0]:  # side panel: the number at its top
            emit_line(line, px_ + m, py + m + size * 0.8, out, f.pal.panel_text)
        else:
            emit_line(line, px_ + m, py + (ph + size * 0.72) / 2, out, f.pal.panel_text)
        return True
    if family == "brutalist":
        bx, by, bw, _ = f.geo.card
        band = f.px(BAND_CSS)
        size = round(t.footer_size * 1.05)
        style = TextStyle(t.body.with_style(bold=True), size, f.pal.panel_text)
        kind = (
            "COVER"
            if slide.template == "cover"
            else "THE END"
            if slide.template == "outro"
            else f.doc.kind.upper()
        )
        left = runs_line(kind, style)
        right = runs_line(f"{index:02d} / {total:02d}", style)
        base = by + band / 2 + size * 0.36
        pad = f.theme.card.padding * f.geo.scale
        emit_line(left, bx + pad, base, out, f.pal.panel_text)
        emit_line(right, bx + bw - pad - right.width, base, out, f.pal.panel_text)
        return True
    if family == "terminal":
        bx, by, bw, _ = f.geo.card
        bar = f.px(TITLEBAR_CSS)
        size = round(t.footer_size * 1.0)
        style = TextStyle(t.mono, size, f.pal.panel_text)
        title = runs_line(f"~/{f.doc.kind}.md  {number}", style)
        emit_line(title, bx + (bw - title.width) / 2, by + bar / 2 + size * 0.36, out, f.pal.panel_text)
        return True
    if family == "editorial":
        size = t.footer_size
        style = TextStyle(t.body.with_style(italic=True), size, f.pal.muted)
        head = _line(" ".join(f.doc.title.split()), style, cw * 0.7)
        emit_line(head, cx, cy - f.px(16) - size * 0.55, out, f.pal.muted)
        tag = runs_line(f.doc.kind.upper(), TextStyle(t.body.with_style(bold=True), size, f.pal.accent_text))
        emit_line(tag, cx + cw - tag.width, cy - f.px(16) - size * 0.55, out, f.pal.accent_text)
    return False


def footer(f: Frame, slide: Slide, index: int, total: int) -> None:
    """The slide's family marks and footer row (brand label, watermark, slide number, progress),
    then every text on the slide checked against what is behind it (see ``legible``)."""
    out = slide.items
    size = f.typo.footer_size
    face = f.typo.body
    y = f.geo.footer_y
    left_x, right_x = f.geo.footer_x
    numbered = _family_marks(f, slide, index, total)
    family = f.geo.family
    number = Line()
    if not numbered and family != "editorial":
        number = runs_line(
            number_text(family, index, total), TextStyle(face.with_style(bold=True), size, f.pal.footer)
        )
    label_w = right_x - left_x - number.width - f.px(24)
    logo_url = f.options.brand.logo_url
    lx = left_x
    if logo_url and logo_url in f.ctx.images:
        lh = size * 1.5
        img = f.ctx.images[logo_url]
        lw = lh * img.width / max(1, img.height)
        out.append(
            Picture((lx, y - size * 0.85 - (lh - size) / 2, lw, lh), img, logo_url, 0.0, False, "contain")
        )
        lx += lw + f.px(8)
        label_w -= lw + f.px(8)
    gap = f.px(FOOTER_GAP_CSS)
    wm = Line()
    if f.options.brand.watermark:
        wm = runs_line(
            _watermark_text(f),
            TextStyle(face.with_style(italic=True), size, with_alpha(f.pal.footer, 0.7)),
        )
        # a long label gives up room for the watermark, down to half the row
        label_w = min(label_w, max(label_w - wm.width - 2 * gap, label_w * 0.5))
    text = _footer_label(f, out)
    label = _line(text, TextStyle(face, size, f.pal.footer), max(10.0, label_w)) if text else Line()
    if family == "editorial":  # the folio, centred
        folio = runs_line(
            number_text(family, index, total), TextStyle(face.with_style(italic=True), size, f.pal.footer)
        )
        emit_line(
            folio,
            (f.geo.size[0] - folio.width) / 2 if f.geo.size[0] <= f.geo.size[1] else right_x - folio.width,
            y,
            out,
            f.pal.footer,
        )
        number = folio if f.geo.size[0] > f.geo.size[1] else Line()
    if wm.placed:
        lo = lx + label.width + gap
        hi = right_x - number.width - gap
        if wm.width <= hi - lo:
            wx = (f.geo.size[0] - wm.width) / 2  # centred on the canvas, else between its neighbours
            if wx < lo or wx + wm.width > hi:
                wx = lo + (hi - lo - wm.width) / 2
            emit_line(wm, wx, y, out, f.pal.footer)
    if label.placed:
        emit_line(label, lx, y, out, f.pal.footer)
    if number.placed and family != "editorial":
        emit_line(number, right_x - number.width, y, out, f.pal.footer)
    if f.options.progress_bar and total > 0:
        w, h = f.geo.size
        bar = f.px(PROGRESS_CSS)
        out.append(Rect((0, h - bar, w, bar), with_alpha(f.pal.footer, 0.18)))
        out.append(Rect((0, h - bar, w * index / total, bar), f.pal.footer_accent))
    legible(slide, f.theme)


def _footer_label(f: Frame, out: list[Item]) -> str:
    """The footer's label: the brand's own footer text always; the handle or name only on a slide
    that does not show the author already."""
    brand = f.options.brand
    if brand.footer:
        return brand.footer
    if brand.name and brand.name != f.doc.author.name:
        return brand.name
    return "" if id(out) in f.handle_shown else f.brand_label


def _watermark_text(f: Frame) -> str:
    """The brand's mark, unless the footer already says it."""
    brand = f.options.brand
    for candidate in (brand.name, f"@{brand.handle.lstrip('@')}" if brand.handle else None):
        if candidate and candidate != f.brand_label:
            return candidate
    return WATERMARK_TEXT


def new_slide(f: Frame, template: str) -> Slide:
    s = Slide(f.geo.size, f.base, [], template, f.geo.content)
    f.slides.append(s)
    return s


# --- cover ------------------------------------------------------------------------------------


def _hero(f: Frame) -> Media | None:
    """The cover's picture: the source's own cover image, else the thread's first photo."""
    candidates = [f.doc.cover_image] if f.doc.cover_image else []
    for p in f.doc.posts:
        candidates += [m for m in p.source.media if m.kind in ("photo", "video", "gif")]
    return next((m for m in candidates if m is not None and m.url in f.ctx.images), None)


def _on(color: RGBA) -> RGBA:
    """White or black text, whichever reads on ``color``."""
    white, black = (255, 255, 255, 255), (17, 17, 17, 255)
    return white if contrast_ratio(white, color) >= contrast_ratio(black, color) else black


def _pill(
    f: Frame,
    text: str,
    x: float,
    y: float,
    size: int,
    fill: RGBA | None,
    color: RGBA,
    out: list[Item] | None,
    icon: str = "",
    stroke: RGBA | None = None,
) -> float:
    """A rounded label (optionally with a drawn icon) with its top-left at (x, y); its width."""
    line = runs_line(text, TextStyle(f.typo.body.with_style(bold=True), size, color))
    h = size * 2.0
    pad = size * 0.9
    icon_w = size * 1.25 if icon else 0.0
    w = line.width + 2 * pad + icon_w
    if out is not None:
        out.append(Rect((x, y, w, h), fill, h / 2, stroke, max(1.0, f.px(1.5)) if stroke else 0.0))
        trailing = icon == "arrow"  # "Swipe →": the arrow follows the word
        if icon:
            ix = x + pad + (line.width + size * 0.3 if trailing else 0.0)
            _icon(icon, ix, y + h / 2, size * 0.95, color, out)
        emit_line(line, x + pad + (0.0 if trailing else icon_w), y + h / 2 + size * 0.36, out, color)
    return w


def _icon(kind: str, x: float, cy: float, size: float, color: RGBA, out: list[Item]) -> None:
    """Small drawn icons (no font needed): arrow, bookmark, share, plus."""
    s = size
    top = cy - s / 2
    if kind == "arrow":
        out.append(Rect((x, cy - s * 0.08, s * 0.6, s * 0.16), color))
        out.append(
            Polygon(((x + s * 0.5, top + s * 0.15), (x + s * 0.85, cy), (x + s * 0.5, top + s * 0.85)), color)
        )
    elif kind == "save":
        out.append(
            Polygon(
                (
                    (x + s * 0.15, top),
                    (x + s * 0.75, top),
                    (x + s * 0.75, top + s),
                    (x + s * 0.45, top + s * 0.72),
                    (x + s * 0.15, top + s),
                ),
                color,
            )
        )
    elif kind == "share":
        r = s * 0.17
        for px_, py in ((0.2, 0.5), (0.72, 0.18), (0.72, 0.82)):
            out.append(Ellipse((x + s * px_ - r, top + s * py - r, 2 * r, 2 * r), color))
        t = s * 0.07
        out.append(
            Polygon(
                (
                    (x + s * 0.2, cy - t),
                    (x + s * 0.72, top + s * 0.18 - t),
                    (x + s * 0.72, top + s * 0.18 + t),
                    (x + s * 0.2, cy + t),
                ),
                color,
            )
        )
        out.append(
            Polygon(
                (
                    (x + s * 0.2, cy - t),
                    (x + s * 0.72, top + s * 0.82 - t),
                    (x + s * 0.72, top + s * 0.82 + t),
                    (x + s * 0.2, cy + t),
                ),
                color,
            )
        )
    elif kind == "plus":
        t = s * 0.16
        out.append(Rect((x + s * 0.05, cy - t / 2, s * 0.8, t), color, t / 3))
        out.append(Rect((x + s * 0.45 - t / 2, top + s * 0.1, t, s * 0.8), color, t / 3))


def _kicker_text(f: Frame) -> str:
    doc = f.doc
    n = len(doc.posts)
    text = doc.kind.upper()
    if doc.kind == "thread":
        total = doc.total_posts or n
        shown = f"{n} OF {total}" if total > n else str(n)
        text += f" · {shown} POST{'S' if total > 1 else ''}"
    return text


def _hero_share(w: int, h: int, tall: float, portrait: float, square: float) -> float:
    """How much of the height a top hero takes: more on a story slide, less on a square one, so the
    title keeps display size."""
    return tall if h / w > 1.5 else square if h <= w else portrait


def cover(f: Frame) -> None:
    """The hook: kicker (and "Part 1 of 2"), the thread's first picture as a hero, the title in
    display type, the full author header and a swipe cue."""
    doc = f.doc
    slide = new_slide(f, "cover")
    out = slide.items
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    family = f.geo.family
    w, h = f.geo.size
    wide = w > h
    hero = _hero(f)
    pill_on: tuple[float, float] | None = None  # bottom-right corner of the swipe cue, when not by the author
    # the panel of a split family grows into the cover's picture area
    if family == "split" and f.geo.panel is not None:
        px_, py, pw, ph = f.geo.panel
        big = (px_, py, max(pw, w * 0.45), ph) if pw < w else (px_, py, pw, max(ph, h * 0.42))
        out.append(Rect(big, f.pal.panel))
        if hero is not None:
            out.append(Picture(big, f.ctx.images[hero.url], hero.url, 0.0, False, "cover"))
            hero = None
        if big[2] < w:
            cx = big[2] + f.geo.margin
            cw = min(cw, w - cx - f.geo.margin)
        else:
            ch = cy + ch - (big[3] + f.geo.margin * 0.8)
            cy = big[3] + f.geo.margin * 0.8
    elif hero is not None and uses_card(f.theme) and not wide:  # across the top of the card
        bx, by, bw, bh = f.geo.card
        top = cy - f.theme.card.padding * f.geo.scale
        hh = (by + bh - top) * _hero_share(w, h, 0.48, 0.44, 0.38)
        radius = f.theme.card.radius * f.geo.scale if family == "card" else 0.0
        out.append(Picture((bx, top, bw, hh), f.ctx.images[hero.url], hero.url, radius, False, "cover"))
        if family == "brutalist":
            out.append(Rect((bx, top + hh - f.px(3), bw, f.px(3)), f.pal.border))
        hero = None
        ch = cy + ch - (top + hh + f.px(22))
        cy = top + hh + f.px(22)
    elif hero is not None and family in ("bleed", "poster") and not wide:
        hh = h * _hero_share(w, h, 0.42, 0.38, 0.33)
        out.append(Picture((0, 0, w, hh), f.ctx.images[hero.url], hero.url, 0.0, False, "cover"))
        hero = None
        ch = cy + ch - (hh + f.geo.margin * 0.7)
        cy = hh + f.geo.margin * 0.7
    if hero is not None and wide:  # a wide slide: the picture fills a column beside the text
        iw = cw * WIDE_HERO_SHARE
        radius = min(f.ctx.radius, f.px(18)) if family not in ("brutalist", "swiss", "editorial") else 0.0
        box = (cx + cw - iw, cy, iw, ch)
        out.append(Picture(box, f.ctx.images[hero.url], hero.url, radius, False, "cover"))
        hero = None
        cw -= iw + f.px(32)
        pill_on = (box[0] + box[2] - f.px(18), box[1] + box[3] - f.px(18))  # the cue on the picture
    # bottom: the full author header and the swipe cue
    hint_size = round(t.header_size * 1.2)
    pill_w = _pill(f, "Swipe", 0, 0, hint_size, None, f.pal.text, None, "arrow")
    pill_h = hint_size * 2.0
    av = f.px(COVER_AVATAR_CSS)
    name_size = round(t.header_size * NAME_SCALE * 1.15)
    handle_size = round(t.header_size * HANDLE_SCALE * 1.1)
    beside = 0.0 if pill_on else pill_w + f.px(16)
    ah, draw_author = author_line(doc.author, f.ctx, cw - beside, name_size, handle_size, av)
    author_y = cy + ch - ah
    draw_author(cx, author_y, out)
    if doc.author.handle:
        f.handle_shown.add(id(out))
    if pill_on is not None:
        pill_x, pill_y = pill_on[0] - pill_w, pill_on[1] - pill_h
    else:
        pill_x, pill_y = cx + cw - pill_w, author_y + (ah - pill_h) / 2
    _pill(f, "Swipe", pill_x, pill_y, hint_size, f.pal.accent, _on(f.pal.accent), out, "arrow")
    # top: the kicker, and the part when the source is split
    kicker_size = round(t.header_size * 1.05)
    y = cy
    style = f.theme.accent.style
    if style == "bar" and family in ("card", "bleed", "frame", "notebook"):
        out.append(Rect((cx, y, f.px(44), f.px(6)), f.pal.accent, f.px(3)))
        y += f.px(6) + f.px(16)
    elif style == "corner" and family == "card":
        _corner(f, out)
    kick = _line(_kicker_text(f), TextStyle(t.body.with_style(bold=True), kicker_size, f.pal.accent_text), cw)
    part_w = 0.0
    if f.part is not None and f.part[1] > 1:
        part_text = f"PART {f.part[0]} OF {f.part[1]}"
        part_w = _pill(f, part_text, 0, 0, kicker_size, None, f.pal.text, None)
        _pill(
            f,
            part_text,
            cx + cw - part_w,
            y + kicker_size * 0.95 - kicker_size * 1.36,
            kicker_size,
            None,
            f.pal.text,
            out,
            stroke=f.pal.text,
        )
    if family == "split" and cx > f.geo.content[0]:
        pass
    kick = _line(
        _kicker_text(f),
        TextStyle(t.body.with_style(bold=True), kicker_size, f.pal.accent_text),
        cw - part_w - f.px(12),
    )
    emit_line(kick, cx, y + kicker_size * 0.95, out, f.pal.muted)
    y += kicker_size * 1.3 + f.px(18)
    # middle: the hero picture and the title
    bottom_limit = author_y - f.px(28)
    title = " ".join(doc.title.split())
    if len(title) > COVER_TITLE_MAX_CHARS:
        title = title[:COVER_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",.;:—-") + "…"
    avail = bottom_limit - y
    tw = cw
    tx = cx
    img_box: Box | None = None
    if hero is not None:
        img = f.ctx.images[hero.url]
        aspect = img.width / max(1, img.height)
        radius = min(f.ctx.radius, f.px(18)) if family not in ("brutalist", "swiss", "editorial") else 0.0
        ih = min(max(cw / aspect, avail * HERO_MIN_SHARE), avail * HERO_MAX_SHARE)
        img_box = (cx, y, cw, ih)
        out.append(Picture(img_box, img, hero.url, radius, False, "cover"))
        if family == "brutalist":
            out.append(Rect(img_box, None, 0.0, f.pal.border, f.px(3)))
    img_h = img_box[3] + f.px(26) if img_box is not None and not wide else 0.0
    tall = h / w
    start = round(t.title_size * (1.3 + (0.25 if tall > 1.5 else 0.0)))
    floor = max(t.body_size, round(t.title_size * COVER_TITLE_MIN_SCALE))

    def title_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows([Span(text=title)], f.ctx, tw, t.title, size, f.pal.text, line_height=1.12)
        return rows, sum(r.height for r in rows)

    _, rows, _ = fit_size(title_rows, start, floor, avail - img_h)
    while rows and sum(r.height for r in rows) > avail - img_h:
        rows.pop()  # only at the floor with an enormous title; the text is cut at a line
    ty = y + img_h
    free = avail - img_h - sum(r.height for r in rows)
    ty += free * (0.4 if img_box is None or wide else 0.15)
    for r in rows:
        r.draw(tx, ty, r.height, out)
        ty += r.height
    if style == "underline" or family == "editorial":
        out.append(Rect((tx, ty + f.px(12), f.px(72), f.px(4)), f.pal.accent, f.px(2)))


# --- post slides ------------------------------------------------------------------------------


def _cta_texts(f: Frame) -> tuple[str, str, str | None]:
    o = f.options
    handle = (o.brand.handle or f.doc.author.handle or "").lstrip("@")
    at = f"@{handle}" if handle else f.doc.author.plain_name
    given = o.cta_link if o.cta_link and is_web_link(o.cta_link) else None  # never javascript:, file:…
    link = given or f.doc.source_url or ""
    kicker, headline = CTA_DEFAULTS.get(o.cta, CTA_DEFAULTS["follow"])
    if o.cta == "link" and not link:
        kicker, headline = CTA_DEFAULTS["follow"]
    kicker = kicker.format(kind=f.doc.kind)
    headline = headline.format(handle=at, link=_short_url(link))
    if o.cta_text:
        headline = o.cta_text
    href = link if o.cta == "link" and link else None
    return kicker, headline, href


def _short_url(url: str, limit: int = CTA_LINK_SHOWN_MAX) -> str:
    """A link as people read it: host and path, no scheme, ``www.``, query or fragment. A longer one
    keeps the host, the path segments that fit and the words (between ``-``, ``_`` or ``.``) of the
    next one that fit, then ``…``: a word or a number is shown whole or not at all."""
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        port = parts.port
    except ValueError:  # not a link at all: shown as given, within the limit
        return url if len(url) <= limit else _whole_words(url, limit - 1) + "…"
    host = (parts.hostname or "").removeprefix("www.")
    if port:
        host = f"{host}:{port}"
    segments = [s for s in parts.path.split("/") if s]
    shown = "/".join([host, *segments])
    if len(shown) <= limit:
        return shown
    if len(host) + 2 > limit:
        return _whole_words(host, limit - 1) + "…"
    kept = host
    for segment in segments:
        if len(kept) + 1 + len(segment) + 1 > limit:  # "/segment…"
            return f"{kept}/{_whole_words(segment, limit - len(kept) - 2)}…"
        kept = f"{kept}/{segment}"
    return f"{kept}/…"


def _whole_words(text: str, room: int) -> str:
    """The words of ``text`` (ending in ``-``, ``_`` or ``.``) that fit ``room`` characters."""
    words = re.split(r"(?<=[-_.])", text)
    part = ""
    while words and len(part + words[0]) <= room:
        part += words.pop(0)
    return part.rstrip("-_.")


def note_rows(f: Frame, width: float) -> list[Row]:
    note = f.doc.truncated_note
    if not note:
        return []
    t = f.typo
    size = max(t.body_floor, round(t.body_size * 0.9))
    from rendering.layout.rows import Group

    g = Group(
        "card", size * 0.6, 0.0, fill=with_alpha(f.pal.accent, 0.10), radius=min(f.ctx.radius, f.px(12))
    )
    spans = [Span(text="ⓘ  " if False else "", bold=True), Span(text=note)]
    rows = paragraph_rows(
        spans,
        f.ctx,
        width - size * 1.2,
        t.body.with_style(italic=True),
        size,
        f.pal.text,
        group=g,
        space_before=size,
        indent=0.0,
    )
    from rendering.layout.blocks import _shift

    return [_shift(r, size * 0.6, g) for r in rows]


def outro(f: Frame) -> None:
    """The closing slide: the author (the handle once), the call to action and save / share /
    follow cues."""
    slide = new_slide(f, "outro")
    out = slide.items
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    kicker, headline, href = _cta_texts(f)
    note = note_rows(f, cw)
    note_h = sum(r.height + r.space_before for r in note) + (
        note[0].group.pad_v * 2 if note and note[0].group else 0
    )
    w, h = f.geo.size
    grow = min(OUTRO_MAX_GROW, max(1.0, h / w / OUTRO_GROW_FROM))  # a tall slide: a larger sign-off
    av = f.px(OUTRO_AVATAR_CSS) * grow
    author = f.doc.author
    brand = f.options.brand
    avatar_url = brand.avatar_url if brand.avatar_url and brand.avatar_url in f.ctx.images else None
    name_size = round(t.header_size * NAME_SCALE * 1.2 * grow)
    name_style = TextStyle(t.body.with_style(bold=True), name_size, f.pal.text)
    name = (
        _line(brand.name, name_style, cw) if brand.name else author_name_line(author, name_style, cw, f.ctx)
    )
    # the sign-off is the brand's when it has a name: never its name over the thread author's handle
    handle = (brand.handle or ("" if brand.name else author.handle) or "").lstrip("@")
    in_headline = bool(handle) and f"@{handle}" in headline
    handle_line = _line(
        f"@{handle}" if handle and not in_headline else "",
        TextStyle(t.body, round(name_size * 0.85), f.pal.muted),
        cw,
    )
    if handle:
        f.handle_shown.add(id(out))
    kick = runs_line(
        kicker.upper(), TextStyle(t.body.with_style(bold=True), round(t.header_size * 1.1), f.pal.accent_text)
    )
    cue_size = round(t.header_size * 1.1 * grow)
    cues = (("Save", "save"), ("Share", "share"), ("Follow", "plus"))
    cue_gap = f.px(10)
    cue_w = sum(_pill(f, text, 0, 0, cue_size, None, f.pal.text, None, icon) for text, icon in cues)
    cue_w += cue_gap * (len(cues) - 1)
    if cue_w > cw:
        cue_size = max(t.footer_size, round(cue_size * cw / cue_w))
        cue_w = sum(_pill(f, text, 0, 0, cue_size, None, f.pal.text, None, icon) for text, icon in cues)
        cue_w += cue_gap * (len(cues) - 1)
    cue_h = cue_size * 2.0
    avail = ch - note_h
    handle_h = name_size * 1.1 if handle_line.placed else 0.0
    above = av + f.px(18) + name_size * 1.3 + handle_h + f.px(36) + kick.size * KICKER_GAP
    below = f.px(40) + cue_h

    def headline_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(
            [Span(text=headline, href=href)],
            f.ctx,
            cw,
            t.title,
            size,
            f.pal.text,
            align="center",
            line_height=1.15,
        )
        return rows, above + sum(r.height for r in rows) + below

    _, hl_rows, block_h = fit_size(
        headline_rows, max(t.body_size, round(t.title_size * 0.95 * grow)), t.body_size, avail
    )
    y = cy + max(0.0, (avail - block_h) / 2)
    avatar(
        Author(
            name=brand.name or author.name,
            handle=handle,
            avatar_url=None if brand.name else author.avatar_url,  # not the author's face over the name
        ),
        (cx + (cw - av) / 2, y, av, av),
        f.ctx,
        out,
        avatar_url,
    )
    y += av + f.px(18)
    emit_line(name, cx + (cw - name.width) / 2, y + name_size * 0.95, out, f.pal.muted)
    y += name_size * 1.3
    if handle_line.placed:
        emit_line(handle_line, cx + (cw - handle_line.width) / 2, y + name_size * 0.85, out, f.pal.muted)
    y += handle_h + f.px(36)
    emit_line(kick, cx + (cw - kick.width) / 2, y + kick.size, out, f.pal.muted)
    y += kick.size * KICKER_GAP
    top = y
    for r in hl_rows:
        r.draw(cx, y, r.height, out)
        y += r.height
    if href:
        out.append(Link((cx, top, cw, y - top), href))
    y += f.px(40)
    x = cx + (cw - cue_w) / 2
    for k, (text, icon) in enumerate(cues):
        fill = f.pal.accent if k == len(cues) - 1 else None
        color = _on(f.pal.accent) if fill else f.pal.text
        x += _pill(
            f, text, x, y, cue_size, fill, color, out, icon, None if fill else with_alpha(f.pal.text, 0.5)
        )
        x += cue_gap
    if note:
        draw_rows_bottom(f, note, out)
    if f.theme.accent.style == "corner" and f.geo.family == "card":
        _corner(f, out)


def draw_rows_bottom(f: Frame, rows: list[Row], out: list[Item]) -> None:
    cx, cy, cw, ch = f.geo.content
    pages = paginate(rows, ch)
    page = pages[-1]
    used = page.used + (
        page.placements[-1].row.group.pad_v if page.placements and page.placements[-1].row.group else 0.0
    )
    draw_page(page, cx, cy + ch - used, cw, out)
