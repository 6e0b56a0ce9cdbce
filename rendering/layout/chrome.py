"""Slide chrome: the frame every slide shares (backdrop, card, author header, footer with brand,
slide number and progress) and the cover and closing slides."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from PIL import Image

from rendering.display import (
    Backdrop,
    Ellipse,
    Item,
    Link,
    Rect,
    Shadow,
    Slide,
    parse_color,
    with_alpha,
)
from rendering.document import Document
from rendering.layout.blocks import (
    Ctx,
    author_line,
    avatar,
    emit_line,
    media_rows,
    paragraph_rows,
    single_line,
)
from rendering.layout.measure import Line, Placed, TextStyle, runs
from rendering.layout.rows import Row, draw_page, paginate
from rendering.layout.style import (
    ACCENT_BAR_CSS,
    AVATAR_CSS,
    COVER_AVATAR_CSS,
    HANDLE_SCALE,
    HEADER_GAP_CSS,
    NAME_SCALE,
    OUTRO_AVATAR_CSS,
    PROGRESS_CSS,
    Geometry,
    Palette,
    Typo,
    geometry,
    type_scale,
    palette,
    typography,
)
from rendering.model import Author, Span
from rendering.options import RenderOptions
from themes.schema import Theme

BIG_QUOTE_MAX_CHARS = 120
SECTION_TEXT_MAX_CHARS = 120
IMAGE_FIRST_MAX_CHARS = 220
CODE_SHARE = 0.6  # a post whose text is mostly code gets the code template
MERGE_MAX_SHARE = 0.45  # posts shorter than this share of a slide may share it
GROW_STEPS = (1.5, 1.36, 1.24, 1.12)  # short posts get larger text, up to these factors of body size
GROW_MAX_TITLE = 0.75  # body text grows at most to this share of the title size
GROW_MAY_SHRINK_BACK = 0.2  # share of posts that may fall back to a smaller size to stay on one slide
SHRINK_STEP = 0.94
CENTER_BIAS = 0.38  # where a short body sits in the free space: 0 top, 0.5 middle
COVER_TITLE_MAX_CHARS = 180
COVER_TITLE_MIN_SCALE = 0.55
SWIPE_HINT = "swipe →"
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
    base: list[Item] = [Backdrop(theme)]
    if theme.card.enabled:
        c = theme.card
        if c.shadow:
            base.append(
                Shadow(
                    geo.card,
                    radius,
                    parse_color(c.shadow_color),
                    c.shadow_blur * geo.scale,
                    c.shadow_offset * geo.scale,
                )
            )
        stroke = pal.border if c.border_width > 0 and pal.border[3] > 0 else None
        base.append(Rect(geo.card, pal.card, radius, stroke, c.border_width * geo.scale if stroke else 0.0))
    brand = options.brand
    handle = brand.handle or doc.author.handle
    label = brand.footer or brand.name or (f"@{handle.lstrip('@')}" if handle else doc.author.name)
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
    if style == "bar":
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


def header(f: Frame, author: Author, out: list[Item] | None = None) -> float:
    """Author header at the top of the content box; returns the body's top y."""
    cx, cy, cw, ch = f.geo.content
    av = f.px(AVATAR_CSS)
    name_size = round(f.typo.header_size * NAME_SCALE)
    handle_size = round(f.typo.header_size * HANDLE_SCALE)
    right_room = f.px(20) if f.theme.accent.style in ("dot", "corner") else 0.0
    h, draw = author_line(author, f.ctx, cw - right_room, name_size, handle_size, av)
    if out is not None:
        draw(cx, cy, out)
        _accent_header(f, cx, cy, h, out)
    return cy + h + f.px(HEADER_GAP_CSS)


def footer(f: Frame, slide: Slide, index: int, total: int) -> None:
    out = slide.items
    size = f.typo.footer_size
    face = f.typo.body
    y = f.geo.footer_y
    left_x = f.geo.card[0] + (f.px(8) if f.theme.card.enabled else f.geo.content[0] - f.geo.card[0])
    right_x = (
        f.geo.card[0]
        + f.geo.card[2]
        - (
            f.px(8)
            if f.theme.card.enabled
            else f.geo.card[0] + f.geo.card[2] - f.geo.content[0] - f.geo.content[2]
        )
    )
    number = runs_line(f"{index}/{total}", TextStyle(face.with_style(bold=True), size, f.pal.footer))
    label_w = right_x - left_x - number.width - f.px(24)
    logo_url = f.options.brand.logo_url
    lx = left_x
    if logo_url and logo_url in f.ctx.images:
        from rendering.display import Picture

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
    label = _line(f.brand_label, TextStyle(face, size, f.pal.footer), max(10.0, label_w))
    if wm.placed:
        lo = lx + label.width + gap
        hi = right_x - number.width - gap
        if wm.width <= hi - lo:
            wx = (f.geo.size[0] - wm.width) / 2  # centred on the canvas, else between its neighbours
            if wx < lo or wx + wm.width > hi:
                wx = lo + (hi - lo - wm.width) / 2
            emit_line(wm, wx, y, out, f.pal.footer)
    emit_line(label, lx, y, out, f.pal.footer)
    emit_line(number, right_x - number.width, y, out, f.pal.footer)
    if f.options.progress_bar and total > 0:
        w, h = f.geo.size
        bar = f.px(PROGRESS_CSS)
        out.append(Rect((0, h - bar, w, bar), with_alpha(f.pal.footer, 0.18)))
        out.append(Rect((0, h - bar, w * index / total, bar), f.pal.footer_accent))


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


def cover(f: Frame) -> None:
    doc = f.doc
    slide = new_slide(f, "cover")
    out = slide.items
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    # bottom: author row and swipe hint
    av = f.px(COVER_AVATAR_CSS)
    name_size = round(t.header_size * NAME_SCALE * 1.15)
    handle_size = round(t.header_size * HANDLE_SCALE * 1.1)
    hint = runs_line(
        SWIPE_HINT, TextStyle(t.body.with_style(bold=True), round(t.header_size * 1.3), f.pal.accent_text)
    )
    ah, draw_author = author_line(doc.author, f.ctx, cw - hint.width - f.px(16), name_size, handle_size, av)
    author_y = cy + ch - ah
    draw_author(cx, author_y, out)
    emit_line(hint, cx + cw - hint.width, author_y + ah / 2 + hint.size * 0.35, out, f.pal.muted)
    # top: kicker
    kicker_size = round(t.header_size * 1.05)
    n = len(doc.posts)
    kicker_text = doc.kind.upper()
    if doc.kind == "thread":
        total = doc.total_posts or n
        shown = f"{n} OF {total}" if total > n else str(n)
        kicker_text += f" · {shown} POST{'S' if total > 1 else ''}"
    kick = runs_line(kicker_text, TextStyle(t.body.with_style(bold=True), kicker_size, f.pal.accent_text))
    y = cy
    style = f.theme.accent.style
    if style == "bar":
        out.append(Rect((cx, y, f.px(44), f.px(6)), f.pal.accent, f.px(3)))
        y += f.px(6) + f.px(16)
    elif style == "dot":
        d = f.px(9)
        out.append(Ellipse((cx, y + kicker_size * 0.2, d, d), f.pal.accent))
        kx = cx + d + f.px(8)
        emit_line(kick, kx, y + kicker_size * 0.95, out, f.pal.muted)
        y += kicker_size * 1.3 + f.px(14)
        kick = Line()
    elif style == "corner":
        _corner(f, out)
    if kick.placed:
        emit_line(kick, cx, y + kicker_size * 0.95, out, f.pal.muted)
        y += kicker_size * 1.3 + f.px(14)
    # middle: title (and the cover image, if any)
    bottom_limit = author_y - f.px(28)
    title = " ".join(doc.title.split())
    if len(title) > COVER_TITLE_MAX_CHARS:
        title = title[:COVER_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",.;:—-") + "…"
    img_rows: list[Row] = []
    cover_media = doc.cover_image
    avail = bottom_limit - y
    if cover_media is not None and cover_media.url in f.ctx.images:
        img_rows = media_rows([cover_media], f.ctx, cw, t.body_size, avail, 0.0, share=0.45)
    img_h = img_rows[0].height + f.px(24) if img_rows else 0.0
    floor = max(t.body_size, round(t.title_size * COVER_TITLE_MIN_SCALE))

    def title_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows([Span(text=title)], f.ctx, cw, t.title, size, f.pal.text, line_height=1.15)
        return rows, sum(r.height for r in rows)

    _, rows, _ = fit_size(title_rows, t.title_size, floor, avail - img_h)
    while rows and sum(r.height for r in rows) > avail - img_h:
        rows.pop()  # only at the floor with an enormous title; the text is cut at a line
    ty = y
    if img_rows:
        img_rows[0].draw(cx, ty, img_rows[0].height, out)
        ty += img_h
    # titles sit in the upper-middle of the free space
    free = avail - img_h - sum(r.height for r in rows)
    ty += free * 0.35 if not img_rows else 0.0
    for r in rows:
        r.draw(cx, ty, r.height, out)
        ty += r.height
    if style == "underline":
        out.append(Rect((cx, ty + f.px(12), f.px(72), f.px(4)), f.pal.accent, f.px(2)))


# --- post slides ------------------------------------------------------------------------------


def _cta_texts(f: Frame) -> tuple[str, str, str | None]:
    o = f.options
    handle = (o.brand.handle or f.doc.author.handle or "").lstrip("@")
    at = f"@{handle}" if handle else (f.doc.author.name or "")
    link = o.cta_link or f.doc.source_url or ""
    kicker, headline = CTA_DEFAULTS.get(o.cta, CTA_DEFAULTS["follow"])
    if o.cta == "link" and not link:
        kicker, headline = CTA_DEFAULTS["follow"]
    kicker = kicker.format(kind=f.doc.kind)
    headline = headline.format(handle=at, link=_short_url(link))
    if o.cta_text:
        headline = o.cta_text
    href = link if o.cta == "link" and link else None
    return kicker, headline, href


def _short_url(url: str) -> str:
    for prefix in ("https://", "http://", "www."):
        if url.startswith(prefix):
            url = url[len(prefix) :]
    return url.rstrip("/")


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
    slide = new_slide(f, "outro")
    out = slide.items
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    kicker, headline, href = _cta_texts(f)
    note = note_rows(f, cw)
    note_h = sum(r.height + r.space_before for r in note) + (
        note[0].group.pad_v * 2 if note and note[0].group else 0
    )
    av = f.px(OUTRO_AVATAR_CSS)
    author = f.doc.author
    brand = f.options.brand
    avatar_url = brand.avatar_url if brand.avatar_url and brand.avatar_url in f.ctx.images else None
    name_size = round(t.header_size * NAME_SCALE * 1.2)
    name = _line(
        brand.name or author.name, TextStyle(t.body.with_style(bold=True), name_size, f.pal.text), cw
    )
    handle = (brand.handle or author.handle or "").lstrip("@")
    handle_line = _line(
        f"@{handle}" if handle else "", TextStyle(t.body, round(name_size * 0.85), f.pal.muted), cw
    )
    kick = runs_line(
        kicker.upper(), TextStyle(t.body.with_style(bold=True), round(t.header_size * 1.1), f.pal.accent_text)
    )
    avail = ch - note_h
    above = av + f.px(18) + name_size * 1.3 + name_size * 1.1 + f.px(36) + kick.size * 1.6

    def headline_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(
            [Span(text=headline, href=href)],
            f.ctx,
            cw,
            t.title,
            size,
            f.pal.text,
            align="center",
            line_height=1.18,
        )
        return rows, above + sum(r.height for r in rows)

    _, hl_rows, block_h = fit_size(
        headline_rows, max(t.body_size, round(t.title_size * 0.8)), t.body_size, avail
    )
    y = cy + max(0.0, (avail - block_h) / 2)
    avatar(
        Author(name=brand.name or author.name, handle=handle, avatar_url=author.avatar_url),
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
    y += name_size * 1.1 + f.px(36)
    emit_line(kick, cx + (cw - kick.width) / 2, y + kick.size, out, f.pal.muted)
    y += kick.size * 1.6
    for r in hl_rows:
        r.draw(cx, y, r.height, out)
        y += r.height
    if href:
        out.append(Link((cx, y - sum(r.height for r in hl_rows), cw, sum(r.height for r in hl_rows)), href))
    if note:
        draw_rows_bottom(f, note, out)
    if f.theme.accent.style == "corner":
        _corner(f, out)


def draw_rows_bottom(f: Frame, rows: list[Row], out: list[Item]) -> None:
    cx, cy, cw, ch = f.geo.content
    pages = paginate(rows, ch)
    page = pages[-1]
    used = page.used + (
        page.placements[-1].row.group.pad_v if page.placements and page.placements[-1].row.group else 0.0
    )
    draw_page(page, cx, cy + ch - used, cw, out)


# --- the whole carousel -----------------------------------------------------------------------


def note_host(f: Frame) -> Slide:
    """With no outro, the note goes on a slide of its own after the last one."""
    s = new_slide(f, "note")
    header(f, f.doc.author, s.items)
    return s
