"""Blocks → rows: paragraphs, headings, lists, quotes, code, images and quoted posts, measured for
one width and one body size. Pure: the rows only emit display items when asked to draw."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from rendering.display import RGBA, Ellipse, Emoji, Item, Link, Picture, Rect, Text, mix, with_alpha
from rendering.document.inline import with_custom_emoji
from rendering.fonts import BOLD, Face, face_file, text_width, vertical_metrics
from rendering.layout import code as code_mod
from rendering.layout.measure import (
    EMOJI_SCALE,
    Line,
    TextStyle,
    Token,
    is_rtl_char,
    picture_token,
    runs,
    tokens,
    wrap,
)
from rendering.layout.rows import Group, Row, page_break
from rendering.layout.style import ACCENT_BAR_CSS, QUOTE_AVATAR_CSS, Geometry, Palette, Typo
from rendering.model import Author, Block, Media, Post, Span

PARA_GAP_EM = 0.62  # space between blocks, in body ems
HEADING_SCALES = {1: 1.5, 2: 1.3}  # headings are at least 1.3× body
HEADING_GAP_EM = 0.95
LIST_INDENT_EM = 1.25
QUOTE_INDENT_EM = 0.8
CODE_SCALE = 0.86  # code size vs body size
CODE_LINE_HEIGHT = 1.42
CODE_PAD_EM = 0.75
INLINE_CODE_SCALE = 0.9
IMAGE_MAX_SHARE = 0.62  # an image takes at most this share of the body height…
IMAGE_MIN_SHARE = 0.34  # …and shrinks no further than this before moving to the next slide
IMAGE_GAP_CSS = 8.0  # between images of a grid
PORTRAIT_MIN_WIDTH = 9 / 16  # a single tall image is shown at least this wide for its height
FULL_WIDTH_MIN_SHARE = 0.9  # an image this close to the column's width is cropped to fill it
CAPTION_SCALE = 0.72
WINDOW_DOTS = ((255, 95, 87, 255), (254, 188, 46, 255), (40, 200, 64, 255))  # a window's title bar
QUOTE_CARD_PAD_EM = 0.8
EMOJI_RISE = 0.84  # emoji box top, in ems above the baseline
PLAY_BADGE_SHARE = 0.16
WARNING_LABEL = "Content warning: "
WARNING_SCALE = 0.86
UNAVAILABLE_QUOTE = "Quoted post unavailable"


@dataclass(frozen=True)
class Ctx:
    geo: Geometry
    typo: Typo
    pal: Palette
    images: Mapping[str, Image.Image]
    code_style: str
    radius: float  # card radius in px: images and code blocks round to it

    def px(self, css: float) -> float:
        return css * self.geo.scale


# --- drawing measured lines -------------------------------------------------------------------


def emit_line(line: Line, x: float, baseline: float, out: list[Item], muted: RGBA) -> None:
    for p in line.placed:
        r = p.run
        st = r.style
        rx = x + p.x
        size = st.size
        if r.emoji is not None:
            side = size * EMOJI_SCALE
            box = (rx + (r.width - side) / 2, baseline - side * EMOJI_RISE, side, side)
            out.append(Emoji(box, r.emoji, round(side)))
            continue
        if r.picture is not None:  # a custom emoji: its image, and its :shortcode: as hidden text
            side = size * EMOJI_SCALE
            box = (rx + (r.width - side) / 2, baseline - side * EMOJI_RISE, side, side)
            out.append(Picture(box, r.image, r.picture, 0.0, False, "contain"))
            scale = r.width / max(1.0, sum(a.width for a in r.alt))
            ax = rx
            for a in r.alt:
                if a.font is not None:
                    hidden = (0, 0, 0, 0)
                    out.append(
                        Text(ax, baseline, a.text, a.font, size, hidden, a.width * scale, a.ascent, a.descent)
                    )
                ax += a.width * scale
            continue
        assert r.font is not None
        if st.code_bg is not None:
            out.append(Rect((rx, baseline - size * 0.92, r.width, size * 1.2), st.code_bg, size * 0.2))
        color = muted if r.muted else st.color
        out.append(Text(rx, baseline, r.text, r.font, size, color, r.width, r.ascent, r.descent, r.rtl))
        if st.underline:
            out.append(Rect((rx, baseline + size * 0.12, r.width, max(1.0, size * 0.055)), color))
        if st.strike:
            out.append(Rect((rx, baseline - size * 0.3, r.width, max(1.0, size * 0.055)), color))
        if st.href:
            out.append(Link((rx, baseline - r.ascent, r.width, r.ascent + r.descent), st.href))


def baseline_offset(face: Face, size: int, line_h: float) -> float:
    a, d = vertical_metrics(face_file(face))
    return (line_h - (a + d) * size) / 2 + a * size


def line_rows(
    lines: Sequence[Line],
    face: Face,
    size: int,
    line_height: float,
    muted: RGBA,
    indent: float = 0.0,
    width: float = 0.0,
    align: str = "left",
    space_before: float = 0.0,
    group: Group | None = None,
    first_extra: Callable[[float, float, list[Item]], None] | None = None,
) -> list[Row]:
    """One row per line. ``first_extra(x, baseline, out)`` draws a marker next to the first line."""
    lh = size * line_height
    bo = baseline_offset(face, size, lh)
    rows: list[Row] = []
    for k, line in enumerate(lines):

        def draw(x: float, y: float, h: float, out: list[Item], line: Line = line, k: int = k) -> None:
            lx = x + indent
            if align == "center":
                lx += (width - indent - line.width) / 2
            elif align == "right" or line.rtl:
                lx += width - indent - line.width
            if k == 0 and first_extra is not None:
                first_extra(x, y + bo, out)  # the marker first: the display list is in reading order
            emit_line(line, lx, y + bo, out, muted)

        rows.append(Row(lh, draw, space_before if k == 0 else 0.0, group, cut=line.cut))
    return rows


# --- spans → tokens ---------------------------------------------------------------------------


def span_tokens(
    spans: Sequence[Span],
    base: TextStyle,
    pal: Palette,
    mono: Face,
    images: Mapping[str, Image.Image] | None = None,
) -> list[Token]:
    out: list[Token] = []
    for span in spans:
        picture = images.get(span.emoji) if images is not None and span.emoji else None
        if span.emoji and picture is not None:
            style = TextStyle(base.face, base.size, base.color, span.href)
            token = picture_token(span.text, span.emoji, picture, style)
            if out and not out[-1].brk and out[-1].space == 0.0 and out[-1].runs:
                prev = out.pop()  # glued to the word before it (":wave:Hi" stays one word)
                token = Token(prev.runs + token.runs, prev.width + token.width, 0.0)
            out.append(token)
            continue
        style = base
        face = base.face
        if span.bold or span.italic:
            face = face.with_style(bold=True if span.bold else None, italic=True if span.italic else None)
        if span.code:
            style = TextStyle(
                mono.with_style(bold=span.bold),
                max(1, round(base.size * INLINE_CODE_SCALE)),
                pal.code_text,
                code_bg=pal.code_bg,
            )
        else:
            style = TextStyle(face, base.size, base.color)
        if span.href:
            style = TextStyle(style.face, style.size, pal.link, span.href, style.code_bg, span.strike, True)
        elif span.strike:
            style = TextStyle(style.face, style.size, style.color, None, style.code_bg, True)
        text = span.text
        if span.code and text:
            text = "\u2009" + text + "\u2009"  # air inside the tinted box
        for n, piece in enumerate(text.split("\n")):
            if n:
                out.append(Token((), 0.0, 0.0, brk=True))
            if not piece:
                continue
            toks = tokens(piece, style)
            if (
                toks
                and out
                and not out[-1].brk
                and out[-1].space == 0.0
                and out[-1].runs
                and not piece[0].isspace()
            ):
                prev = out.pop()
                first = toks[0]
                toks[0] = Token(
                    prev.runs + first.runs, prev.width + first.width + first.space - first.space, first.space
                )
                toks[0] = Token(prev.runs + first.runs, prev.width + first.width, first.space)
            out.extend(toks)
    return out


def is_rtl_text(text: str) -> bool:
    for ch in text:
        if is_rtl_char(ch):
            return True
        if ch.isalpha():
            return False
    return False


def _rtl_lines(lines: list[Line], width: float) -> list[Line]:
    """Right-to-left paragraph: words run from the right edge leftwards."""
    for line in lines:
        line.rtl = True
        for p in line.placed:
            p.x = line.width - p.x - p.run.width
    return lines


# --- blocks → rows ----------------------------------------------------------------------------


def paragraph_rows(
    spans: Sequence[Span],
    ctx: Ctx,
    width: float,
    face: Face,
    size: int,
    color: RGBA,
    *,
    indent: float = 0.0,
    space_before: float = 0.0,
    group: Group | None = None,
    align: str = "left",
    line_height: float | None = None,
    first_extra: Callable[[float, float, list[Item]], None] | None = None,
) -> list[Row]:
    lh = line_height or ctx.typo.line_height
    toks = span_tokens(spans, TextStyle(face, size, color), ctx.pal, ctx.typo.mono, ctx.images)
    lines = wrap(toks, width - indent, avoid_orphan=True)
    text = "".join(s.text for s in spans)
    if is_rtl_text(text):
        lines = _rtl_lines(lines, width - indent)
    if not lines:
        return []
    return line_rows(
        lines, face, size, lh, ctx.pal.muted, indent, width, align, space_before, group, first_extra
    )


def _marker(
    text: str, style: TextStyle, right_edge: float, muted: RGBA
) -> Callable[[float, float, list[Item]], None]:
    rs = runs(text, style)

    def draw(x: float, baseline: float, out: list[Item]) -> None:
        w = sum(r.width for r in rs)
        line = Line()
        from rendering.layout.measure import Placed

        cx = 0.0
        for r in rs:
            line.placed.append(Placed(cx, r))
            cx += r.width
        emit_line(line, x + right_edge - w, baseline, out, muted)

    return draw


def block_rows(block: Block, ctx: Ctx, width: float, size: int, first: bool, avail_h: float) -> list[Row]:
    t = ctx.typo
    pal = ctx.pal
    gap = 0.0 if first else size * PARA_GAP_EM
    kind = block.kind
    if kind == "paragraph":
        return paragraph_rows(block.spans, ctx, width, t.body, size, pal.text, space_before=gap)
    if kind == "heading":
        hs = max(size, round(size * HEADING_SCALES.get(block.level, 1.3)))
        face = Face(t.title.family, BOLD, False, t.title.display)
        rows = paragraph_rows(
            block.spans,
            ctx,
            width,
            face,
            hs,
            pal.text,
            space_before=0.0 if first else size * HEADING_GAP_EM,
            line_height=1.22,
        )
        for r in rows:
            r.keep_with_next = True
        return rows
    if kind in ("bullet", "numbered"):
        level = max(1, block.level)
        indent = size * LIST_INDENT_EM * level
        if kind == "bullet":
            marker = "•"
            mstyle = TextStyle(t.body.with_style(bold=True), size, pal.accent_text)
        else:
            marker = f"{block.number if block.number is not None else 1}."
            mstyle = TextStyle(t.body.with_style(bold=True), size, pal.accent_text)
        extra = _marker(marker, mstyle, indent - size * 0.42, pal.muted)
        return paragraph_rows(
            block.spans,
            ctx,
            width,
            t.body,
            size,
            pal.text,
            indent=indent,
            space_before=gap * 0.55 if not first else 0.0,
            first_extra=extra,
        )
    if kind == "quote":
        bar = ctx.px(ACCENT_BAR_CSS)
        g = Group("quote", 0.0, 0.0, bar=pal.accent, bar_width=bar)
        return paragraph_rows(
            block.spans,
            ctx,
            width,
            t.body.with_style(italic=True),
            size,
            pal.text,
            indent=bar + size * QUOTE_INDENT_EM,
            space_before=gap,
            group=g,
        )
    if kind == "code":
        return code_rows(block.text, block.language, ctx, width, size, gap)
    if kind == "separator":
        return [page_break()]
    if kind == "image" and block.media is not None:
        return media_rows([block.media], ctx, width, size, avail_h, gap)
    if kind == "post" and block.post is not None:
        return quote_card_rows(block.post, ctx, width, size, gap, avail_h)
    if kind == "card" and block.card is not None:
        from rendering.layout.cards import link_card_rows

        return link_card_rows(block.card, ctx, width, size, gap, avail_h)
    if kind == "poll" and block.poll is not None:
        from rendering.layout.cards import poll_rows

        return poll_rows(block.poll, ctx, width, size, gap)
    if kind == "warning":
        wsize = max(t.body_floor, round(size * WARNING_SCALE))
        spans = (Span(text=WARNING_LABEL, bold=True), *block.spans)
        rows = paragraph_rows(spans, ctx, width, t.body, wsize, pal.muted, space_before=gap)
        for r in rows:
            r.keep_with_next = True
        return rows
    if block.spans:
        return paragraph_rows(block.spans, ctx, width, t.body, size, pal.text, space_before=gap)
    return []


def code_rows(
    code: str,
    language: str | None,
    ctx: Ctx,
    width: float,
    body: int,
    gap: float,
    title: str | None = None,
) -> list[Row]:
    """A code block as a window card: a title bar (three dots and ``title``, e.g. the language),
    then the highlighted lines; a long line wraps between tokens, hanging past its own indentation."""
    t = ctx.typo
    pal = ctx.pal
    lines = code_mod.highlight(code, language, ctx.code_style)
    size = max(t.code_floor, round(body * CODE_SCALE))
    ref = face_file(t.mono)
    longest = max((code_mod.line_length(ln) for ln in lines), default=0)
    em_adv = text_width(ref, "0", 1000) / 1000  # monospace advance, in ems

    def inner_for(sz: int) -> float:
        return width - 2 * sz * CODE_PAD_EM

    # shrink toward the floor if that avoids wrapping; wrap at the floor otherwise
    while size > t.code_floor and longest * em_adv * size > inner_for(size):
        size -= 1
    pad = size * CODE_PAD_EM
    inner = inner_for(size)
    adv = em_adv * size
    columns = max(1, int(inner // adv))
    g = Group("code", pad * 0.8, 0.0, fill=pal.code_bg, radius=min(ctx.radius, size * 0.6), text_size=size)
    rows: list[Row] = []
    if title is not None:
        rows.append(_window_bar(title, ctx, size, pad, gap, g))
        gap = 0.0
    visual: list[list[code_mod.Seg]] = []
    continued: list[bool] = []  # the visual line goes on in the next one (a wrapped logical line)
    for ln in lines:
        parts = code_mod.wrap_segments(ln, columns) if ln else [[]]
        visual.extend(parts)
        continued.extend([True] * (len(parts) - 1) + [False])
    from rendering.layout.measure import Placed, _finish

    for k, segs in enumerate(visual):
        line = Line()
        x = 0.0
        for seg in segs:
            face = t.mono.with_style(bold=seg.bold, italic=seg.italic)
            style = TextStyle(face, size, seg.color or pal.code_text)
            for r in runs(seg.text, style):
                line.placed.append(Placed(x, r))
                x += r.width
        line = _finish(line) if line.placed else line
        row = line_rows(
            [line],
            t.mono,
            size,
            CODE_LINE_HEIGHT,
            pal.muted,
            indent=pad,
            width=width,
            space_before=gap if k == 0 and title is None else 0.0,
            group=g,
        )[0]
        row.keep_with_next = continued[k]
        rows.append(row)
    return rows


def _window_bar(title: str, ctx: Ctx, size: int, pad: float, gap: float, g: Group) -> Row:
    """The code card's title bar: three dots, then the language (and "continued" on a later piece)."""
    pal = ctx.pal
    h = size * 1.9
    d = size * 0.52
    label_size = max(ctx.typo.code_floor, round(size * 0.9))
    label = single_line(title, TextStyle(ctx.typo.mono, label_size, pal.code_text), 10_000)

    def draw(x: float, y: float, hh: float, out: list[Item]) -> None:
        cy = y + hh * 0.45
        for k, colour in enumerate(WINDOW_DOTS):
            out.append(Ellipse((x + pad + k * d * 1.7, cy - d / 2, d, d), colour))
        emit_line(label, x + pad + 3 * d * 1.7 + size * 0.6, cy + label_size * 0.36, out, pal.code_text)

    return Row(h, draw, gap, g, keep_with_next=True)


# --- images -----------------------------------------------------------------------------------


def _play_badge(box: tuple[float, float, float, float], out: list[Item]) -> None:
    x, y, w, h = box
    d = min(w, h) * PLAY_BADGE_SHARE * 2
    cx, cy = x + w / 2, y + h / 2
    out.append(Ellipse((cx - d / 2, cy - d / 2, d, d), (0, 0, 0, 150)))
    from rendering.display import Polygon

    tri = d * 0.36
    out.append(
        Polygon(
            ((cx - tri * 0.45, cy - tri * 0.6), (cx - tri * 0.45, cy + tri * 0.6), (cx + tri * 0.65, cy)),
            (255, 255, 255, 240),
        )
    )


def picture_or_placeholder(
    media: Media, box: tuple[float, float, float, float], ctx: Ctx, out: list[Item], fit: str = "cover"
) -> None:
    img = ctx.images.get(media.url)
    if img is not None:
        out.append(Picture(box, img, media.url, ctx.radius, False, fit, alt=media.alt.strip()))
    else:
        out.append(Rect(box, mix(ctx.pal.surface, ctx.pal.muted, 0.18), ctx.radius))
    if media.kind in ("video", "gif"):
        _play_badge(box, out)


def _shown_width(height: float, aspect: float, width: float) -> float:
    """How wide a single image of ``aspect`` (height / width) is drawn at ``height`` in a column."""
    w = min(width, max(height / aspect, height * PORTRAIT_MIN_WIDTH))
    return width if w >= width * FULL_WIDTH_MIN_SHARE else w


def media_rows(
    media: Sequence[Media],
    ctx: Ctx,
    width: float,
    size: int,
    avail_h: float,
    gap: float,
    share: float = IMAGE_MAX_SHARE,
    min_share: float = IMAGE_MIN_SHARE,
    caption: bool = True,
) -> list[Row]:
    """A single image at the width, or a grid of up to four; alt text as a caption underneath
    (``caption``; image slides keep it for the PDF and the chat instead)."""
    media = list(media)[:4]
    if not media:
        return []
    gap_px = ctx.px(IMAGE_GAP_CSS)

    def aspect(m: Media) -> float:
        img = ctx.images.get(m.url)
        if img is not None and img.width and img.height:
            return img.height / img.width
        if m.width and m.height:
            return m.height / m.width
        return 9 / 16

    if len(media) == 1:
        natural = width * aspect(media[0])
    elif len(media) == 2:
        natural = (width - gap_px) / 2 * 1.1
    else:
        natural = width * 0.72
    max_h = avail_h * share
    min_h = avail_h * min_share if not caption else min(avail_h * min_share, natural)
    height = max(min(natural, max_h), 1.0)

    def draw(x: float, y: float, h: float, out: list[Item]) -> None:
        n = len(media)
        if n == 1:
            # a portrait image narrows (centred) rather than losing its top and bottom to the
            # crop; only one taller than PORTRAIT_MIN_WIDTH is cropped, to that shape
            w = _shown_width(h, aspect(media[0]), width) if media[0].url in ctx.images else width
            picture_or_placeholder(media[0], (x + (width - w) / 2, y, w, h), ctx, out)
            return
        cols = 2
        rows_n = 1 if n == 2 else 2
        cw = (width - gap_px) / cols
        ch = (h - gap_px * (rows_n - 1)) / rows_n
        for k, m in enumerate(media):
            r, c = divmod(k, cols)
            if n == 3 and k == 2:
                picture_or_placeholder(m, (x, y + ch + gap_px, width, ch), ctx, out)
            else:
                picture_or_placeholder(m, (x + c * (cw + gap_px), y + r * (ch + gap_px), cw, ch), ctx, out)

    rows = [Row(height, draw, gap, min_height=min_h)]
    narrowed = (
        len(media) == 1
        and media[0].url in ctx.images
        and _shown_width(height, aspect(media[0]), width) < width
    )
    alts = [m.alt.strip() for m in media if m.alt and m.alt.strip()]
    if alts and caption:
        cap = " · ".join(alts)
        csize = max(round(ctx.typo.body_floor * 0.75), round(size * CAPTION_SCALE))
        rows += paragraph_rows(
            [Span(text=cap)],
            ctx,
            width,
            ctx.typo.body.with_style(italic=True),
            csize,
            ctx.pal.muted,
            space_before=size * 0.3,
            line_height=1.3,
            align="center" if narrowed else "left",
        )
    return rows


# --- quoted posts -----------------------------------------------------------------------------


def quoted_blocks(post: Post) -> tuple[Block, ...]:
    if post.blocks:
        return post.blocks
    try:
        from rendering.document.build import blocks_for_post  # type: ignore[attr-defined]

        return tuple(blocks_for_post(post))
    except ImportError:
        return tuple(
            Block(kind="paragraph", spans=(Span(text=p.strip()),))
            for p in post.text.split("\n\n")
            if p.strip()
        )


def avatar(
    author: Author,
    box: tuple[float, float, float, float],
    ctx: Ctx,
    out: list[Item],
    image_url: str | None = None,
) -> None:
    url = image_url or author.avatar_url
    img = ctx.images.get(url) if url else None
    if img is not None and url:
        out.append(Picture(box, img, url, 0.0, True, "cover"))
        return
    out.append(Ellipse(box, ctx.pal.accent))
    initials = "".join(
        w[0] for w in (author.name or author.handle or "?").split()[:2] if w[0].isalnum()
    ).upper()
    initials = initials or (author.handle[:1].upper() if author.handle else "?")
    size = max(1, round(box[3] * 0.4))
    from rendering.layout.style import Palette  # noqa: F401 - for type readers

    fg = (255, 255, 255, 255) if _luma(ctx.pal.accent) < 0.6 else (20, 20, 20, 255)
    style = TextStyle(Face(ctx.typo.title.family, BOLD), size, fg)
    rs = runs(initials, style)
    w = sum(r.width for r in rs)
    line = Line()
    from rendering.layout.measure import Placed

    cx = 0.0
    for r in rs:
        line.placed.append(Placed(cx, r))
        cx += r.width
    a, d = vertical_metrics(face_file(style.face))
    baseline = box[1] + box[3] / 2 + (a - d) * size / 2
    emit_line(line, box[0] + (box[2] - w) / 2, baseline, out, ctx.pal.muted)


def _luma(c: RGBA) -> float:
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255


def author_line(
    author: Author, ctx: Ctx, width: float, name_size: int, handle_size: int, av: float
) -> tuple[float, Callable[[float, float, list[Item]], None]]:
    """(height, draw(x, y, out)) of avatar + name + @handle, name over handle."""
    t = ctx.typo
    gap = av * 0.3
    avail = width - av - gap
    name_style = TextStyle(t.body.with_style(bold=True), name_size, ctx.pal.text)
    handle_style = TextStyle(t.body, handle_size, ctx.pal.muted)
    name_line = author_name_line(author, name_style, avail, ctx)
    handle_line = single_line("@" + author.handle if author.handle else "", handle_style, avail)
    a1, d1 = vertical_metrics(face_file(name_style.face))
    a2, d2 = vertical_metrics(face_file(handle_style.face))
    block_h = (a1 + d1) * name_size + (a2 + d2) * handle_size * (1.0 if handle_line.placed else 0.0)
    height = max(av, block_h)

    def draw(x: float, y: float, out: list[Item]) -> None:
        avatar(author, (x, y + (height - av) / 2, av, av), ctx, out)
        tx = x + av + gap
        top = y + (height - block_h) / 2
        emit_line(name_line, tx, top + a1 * name_size, out, ctx.pal.muted)
        if handle_line.placed:
            emit_line(handle_line, tx, top + (a1 + d1) * name_size + a2 * handle_size, out, ctx.pal.muted)

    return height, draw


def author_name_line(author: Author, style: TextStyle, width: float, ctx: Ctx) -> Line:
    """The author's name on one line, its custom emoji (":verified:") drawn as pictures; a shortcode
    whose picture is missing is left out rather than shown as text."""
    name = author.name or author.handle
    emojis = {e.shortcode: e.url for e in author.emojis}
    spans = with_custom_emoji([Span(text=name)], emojis) if emojis else []
    if not any(sp.emoji for sp in spans):
        return single_line(name, style, width)
    shown = [sp for sp in spans if sp.emoji is None or sp.emoji in ctx.images]
    lines = wrap(span_tokens(shown, style, ctx.pal, ctx.typo.mono, ctx.images), width)
    if len(lines) == 1:
        return lines[0]
    return single_line(" ".join("".join(sp.text for sp in shown if not sp.emoji).split()), style, width)


def single_line(text: str, style: TextStyle, width: float) -> Line:
    """One line, ellipsised if it is too long."""
    if not text:
        return Line()
    lines = wrap(tokens(text, style), width)
    if len(lines) <= 1:
        return lines[0] if lines else Line()
    cut = text
    while cut and len(wrap(tokens(cut + "…", style), width)) > 1:
        cut = cut[:-1].rstrip()
    return wrap(tokens(cut + "…", style), width)[0]


def quote_card_rows(post: Post, ctx: Ctx, width: float, size: int, gap: float, avail_h: float) -> list[Row]:
    pal = ctx.pal
    pad = size * QUOTE_CARD_PAD_EM
    stroke = pal.border if pal.border[3] > 0 else with_alpha(pal.muted, 0.35)
    fill = mix(pal.surface, pal.text, 0.035)
    g = Group(
        "card",
        pad,
        0.0,
        fill=fill,
        stroke=stroke,
        stroke_width=max(1.0, ctx.px(1)),
        radius=min(ctx.radius, ctx.px(14)),
    )
    inner = width - 2 * pad
    qsize = max(ctx.typo.body_floor, round(size * 0.9))
    if post.unavailable:  # deleted, or hidden by a block: say so where the quote would be
        note = [Span(text=UNAVAILABLE_QUOTE, italic=True)]
        rows = paragraph_rows(note, ctx, inner, ctx.typo.body.with_style(italic=True), qsize, pal.muted)
        return [_shift(Row(r.height, r.draw, gap if k == 0 else 0.0, g), pad, g) for k, r in enumerate(rows)]
    av = ctx.px(QUOTE_AVATAR_CSS)
    h, draw_author = author_line(post.author, ctx, inner, round(qsize * 0.85), round(qsize * 0.75), av)
    rows = [Row(h, lambda x, y, hh, out: draw_author(x + pad, y, out), gap, g)]
    for k, b in enumerate(quoted_blocks(post)):
        if b.kind in ("separator", "post", "card"):
            continue
        for r in block_rows(b, ctx, inner, qsize, False if k else False, avail_h * 0.8):
            rows.append(_shift(r, pad, g))
    for r in media_rows(post.media[:1], ctx, inner, qsize, avail_h, qsize * 0.5, share=0.4):
        rows.append(_shift(r, pad, g))
    return rows


def _shift(row: Row, dx: float, group: Group) -> Row:
    inner_draw = row.draw

    def draw(x: float, y: float, h: float, out: list[Item]) -> None:
        inner_draw(x + dx, y, h, out)

    return Row(row.height, draw, row.space_before, group, row.keep_with_next, row.min_height, row.page_break)


def blocks_rows(blocks: Sequence[Block], ctx: Ctx, width: float, size: int, avail_h: float) -> list[Row]:
    rows: list[Row] = []
    first = True
    for b in blocks:
        rs = block_rows(b, ctx, width, size, first, avail_h)
        if rs and b.kind == "paragraph" and b.text.rstrip().endswith(":"):
            rs[-1].keep_with_next = True  # a lead-in stays with what it introduces
        if rs:
            rows.extend(rs)
            first = all(r.page_break for r in rs)
    return rows


def _unused(_: Emoji, __: Text) -> None:  # keep imports referenced for type readers
    return None
