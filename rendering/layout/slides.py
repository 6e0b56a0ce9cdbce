"""Content slides: the storyboard's slides laid out with templates (post, list, statement, code,
image, section), the deck's one body size, and the whole carousel assembled with its chrome."""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image

from contract.options import RenderOptions
from rendering.display import (
    RGBA,
    Item,
    Polygon,
    Rect,
    Slide,
    with_alpha,
)
from rendering.document import DocPost, Document
from rendering.fonts import BOLD, Face
from rendering.layout.blocks import (
    blocks_rows,
    emit_line,
    media_rows,
    paragraph_rows,
    quote_card_rows,
)
from rendering.layout.chrome import (
    BIG_QUOTE_MAX_CHARS,
    CENTER_BIAS,
    CODE_SHARE,
    GROW_MAX_TITLE,
    GROW_MAY_SHRINK_BACK,
    GROW_STEPS,
    IMAGE_FIRST_MAX_CHARS,
    MERGE_MAX_SHARE,
    SECTION_TEXT_MAX_CHARS,
    SHRINK_STEP,
    Frame,
    cover,
    draw_rows_bottom,
    fit_size,
    footer,
    header,
    make_frame,
    new_slide,
    note_host,
    note_rows,
    outro,
    runs_line,
)
from rendering.layout.measure import TextStyle
from rendering.layout.rows import Page, Row, draw_page, paginate
from rendering.model import Block
from themes.schema import Theme


def _text_len(blocks: tuple[Block, ...]) -> int:
    return sum(len(b.text) for b in blocks)


def _choose_template(post: DocPost) -> str:
    blocks = [b for b in post.blocks if b.kind != "separator"]
    src = post.source
    media = src.media
    total = _text_len(post.blocks)
    code = sum(len(b.text) for b in blocks if b.kind == "code")
    if blocks and code >= CODE_SHARE * max(1, total):
        return "code"
    if media and total <= IMAGE_FIRST_MAX_CHARS and not src.quote:
        return "image"
    if not media and not src.quote and blocks and all(b.kind == "heading" for b in blocks[:1]):
        rest = blocks[1:]
        if len(rest) <= 1 and all(
            b.kind == "paragraph" and len(b.text) <= SECTION_TEXT_MAX_CHARS for b in rest
        ):
            return "section"
    if (
        not media
        and not src.quote
        and len(blocks) == 1
        and blocks[0].kind in ("paragraph", "quote")
        and 0 < len(blocks[0].text) <= BIG_QUOTE_MAX_CHARS
        and not any(s.href or s.code for s in blocks[0].spans)
        and not blocks[0].text.rstrip().endswith(":")
    ):
        return "quote"
    return "post"


def _post_rows(
    f: Frame, post: DocPost, size: int, width: float, avail: float, image_first: bool
) -> list[Row]:
    rows: list[Row] = []
    media = post.source.media
    if image_first and media:
        rows += media_rows(media, f.ctx, width, size, avail, 0.0, share=0.66)
    body = blocks_rows(post.blocks, f.ctx, width, size, avail)
    if body and rows:
        body[0].space_before = size * 0.8
    rows += body
    if media and not image_first:
        rows += media_rows(media, f.ctx, width, size, avail, size * 0.8)
    if post.source.quote is not None:
        rows += quote_card_rows(post.source.quote, f.ctx, width, size, size * 0.8, avail)
    return rows


def _pages(f: Frame, post: DocPost, size: int, width: float, avail: float, image_first: bool) -> list[Page]:
    return paginate(_post_rows(f, post, size, width, avail, image_first), avail)


def _fit_post(
    f: Frame, post: DocPost, width: float, avail: float, image_first: bool
) -> tuple[int, list[Page]]:
    """The carousel's body size, or a little smaller (not below the floor) when that saves a
    near-empty continuation slide."""
    t = f.typo
    base = f.body_size
    pages = _pages(f, post, base, width, avail, image_first)
    if len(pages) == 1:
        return base, pages
    if base > t.body_size:
        # a long post reads better at the theme's size than over many more slides
        theme_pages = _pages(f, post, t.body_size, width, avail, image_first)
        if len(theme_pages) < len(pages):
            base, pages = t.body_size, theme_pages
            if len(pages) == 1:
                return base, pages
    size = base
    while size > t.body_floor:
        size = max(t.body_floor, int(size * SHRINK_STEP))
        p = _pages(f, post, size, width, avail, image_first)
        if len(p) < len(pages):
            return size, p
    return base, pages


def choose_body_size(f: Frame, groups: list[tuple[list[DocPost], str]]) -> int:
    """One body size for the whole carousel: the theme's, grown as long as no post (or slide of
    merged posts) needs more slides and no word has to be cut (short threads get big, confident
    type)."""

    t = f.typo
    cx, cy, cw, ch = f.geo.content
    if not groups:
        return t.body_size
    avail = cy + ch - header(f, groups[0][0][0].source.author)

    def rows_of(ps: list[DocPost], tpl: str, size: int) -> list[Row]:
        if len(ps) > 1:
            return _merged_rows(f, ps, size, cw, avail)
        return _post_rows(f, ps[0], size, cw, avail, tpl == "image")

    def pages(ps: list[DocPost], tpl: str, size: int) -> int:
        return len(paginate(rows_of(ps, tpl, size), avail))

    flow = [(ps, tpl) for ps, tpl in groups if tpl in ("post", "image", "code", "merged")]
    # posts that already continue over several slides do not hold the others back
    flow = [(ps, tpl) for ps, tpl in flow if pages(ps, tpl, t.body_size) == 1]
    if not flow:
        return t.body_size

    def count(size: int) -> tuple[int, int]:
        """(posts that would need a second slide, words that would be cut) at ``size``."""
        n = sum(pages(ps, tpl, size) > 1 for ps, tpl in flow)
        return n, sum(r.cut for ps, tpl in flow for r in rows_of(ps, tpl, size))

    _, base_splits = count(t.body_size)
    allowed = int(len(flow) * GROW_MAY_SHRINK_BACK)
    upper = max(t.body_size, round(t.title_size * GROW_MAX_TITLE))
    for k in GROW_STEPS:
        size = min(upper, round(t.body_size * k))
        if size <= t.body_size:
            continue
        n, splits = count(size)
        if n <= allowed and splits <= base_splits:
            return size
    return t.body_size


def _post_slides(f: Frame, posts: list[DocPost], template: str) -> None:
    """One post (or a few short merged ones) → one or more slides."""
    cx, cy, cw, ch = f.geo.content
    body_top = header(f, posts[0].source.author)
    avail = cy + ch - body_top
    if len(posts) == 1:
        post = posts[0]
        if template == "quote":
            if _big_text(f, post, body_top, avail):
                return
            template = "post"
        if template == "section":
            if _section(f, post, body_top, avail):
                return
            template = "post"
        size, pages = _fit_post(f, post, cw, avail, template == "image")
    else:
        pages = paginate(_merged_rows(f, posts, f.body_size, cw, avail), avail)
        if len(pages) > 1:  # merged posts share one slide, at the theme's size if need be
            pages = paginate(_merged_rows(f, posts, f.typo.body_size, cw, avail), avail)
        template = "merged"
    for k, page in enumerate(pages):
        slide = new_slide(
            f, template if k == 0 else ("post" if template in ("image", "merged") else template)
        )
        header(f, posts[0].source.author, slide.items)
        top = body_top
        if len(pages) == 1:
            # a post that fits on one slide sits a little above the middle of the free space
            top += max(0.0, avail - _used(page)) * CENTER_BIAS
        draw_page(page, cx, top, cw, slide.items)


def _merged_rows(f: Frame, posts: list[DocPost], size: int, width: float, avail: float) -> list[Row]:
    rows: list[Row] = []
    for k, p in enumerate(posts):
        pr = _post_rows(f, p, size, width, avail, False)
        if k and pr:
            rows.append(_divider_row(f, size))
        rows += pr
    return rows


def _used(page: Page) -> float:
    last = page.placements[-1].row if page.placements else None
    return page.used + (last.group.pad_v if last is not None and last.group is not None else 0.0)


def _divider_row(f: Frame, size: int) -> Row:
    h = size * 1.4

    def draw(x: float, y: float, hh: float, out: list[Item]) -> None:
        out.append(Rect((x, y + hh / 2, f.px(40), max(1.0, f.px(1.5))), with_alpha(f.pal.muted, 0.6)))

    return Row(h, draw)


def _big_text(f: Frame, post: DocPost, body_top: float, avail: float) -> bool:
    """A short punchy post: large type, centred vertically, an accent quotation mark."""
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    block = next(b for b in post.blocks if b.kind != "separator")
    size = max(t.body_size, round(t.title_size * 0.78))
    mark_size = round(t.title_size * 1.6)
    mark = runs_line("“", TextStyle(Face(t.title.family, BOLD, False, True), mark_size, f.pal.accent_text))
    mark_h = mark_size * 0.62

    def quote_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(block.spans, f.ctx, cw, t.title, size, f.pal.text, line_height=1.22)
        return rows, sum(r.height for r in rows) + mark_h

    size, rows, total = fit_size(quote_rows, size, t.body_size, avail)
    if total > avail:
        return False
    slide = new_slide(f, "quote")
    header(f, post.source.author, slide.items)
    y = body_top + (avail - total) / 2
    emit_line(mark, cx, y + mark_size * 0.78, slide.items, f.pal.muted)
    y += mark_h
    for r in rows:
        r.draw(cx, y, r.height, slide.items)
        y += r.height
    return True


def _section(f: Frame, post: DocPost, body_top: float, avail: float) -> bool:
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    blocks = [b for b in post.blocks if b.kind != "separator"]

    def section_rows(size: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(blocks[0].spans, f.ctx, cw, t.title, size, f.pal.text, line_height=1.15)
        if len(blocks) > 1:
            rows += paragraph_rows(
                blocks[1].spans, f.ctx, cw, t.body, t.body_size, f.pal.muted, space_before=t.body_size
            )
        return rows, sum(r.height + r.space_before for r in rows) + f.px(28)

    _, rows, total = fit_size(section_rows, t.title_size, t.body_size, avail)
    if total > avail:
        return False
    slide = new_slide(f, "section")
    header(f, post.source.author, slide.items)
    y = body_top + (avail - total) / 2
    slide.items.append(Rect((cx, y, f.px(44), f.px(6)), f.pal.accent, f.px(3)))
    y += f.px(28)
    for r in rows:
        y += r.space_before
        r.draw(cx, y, r.height, slide.items)
        y += r.height
    return True


# --- outro ------------------------------------------------------------------------------------


def layout(
    doc: Document, theme: Theme, options: RenderOptions, images: Mapping[str, Image.Image]
) -> list[Slide]:
    f = make_frame(doc, theme, options, images)
    cover(f)
    posts = [p for p in doc.posts if p.blocks or p.source.media or p.source.quote]
    groups: list[tuple[list[DocPost], str]] = []
    for p in posts:
        template = _choose_template(p)
        if (
            options.merge_short_posts
            and groups
            and template in ("post", "quote")
            and groups[-1][1] in ("post", "quote", "merged")
            and _short(f, p)
            and all(_short(f, q) for q in groups[-1][0])
            and groups[-1][0][-1].source.author.handle == p.source.author.handle
            and len(groups[-1][0]) < 3
            and _fits_together(f, groups[-1][0] + [p])
        ):
            groups[-1] = (groups[-1][0] + [p], "merged")
            continue
        groups.append(([p], template))
    f.body_size = choose_body_size(f, groups)
    for ps, template in groups:
        _post_slides(f, ps, template if len(ps) == 1 else "merged")
    if options.cta != "none":
        outro(f)
    elif doc.truncated_note and f.slides:
        draw_rows_bottom(f, note_rows(f, f.geo.content[2]), note_host(f).items)
    total = len(f.slides)
    for k, s in enumerate(f.slides, start=1):
        footer(f, s, k, total)
    return f.slides


def _short(f: Frame, p: DocPost) -> bool:
    if p.source.media or p.source.quote:
        return False
    return _text_len(p.blocks) < 200


def _fits_together(f: Frame, posts: list[DocPost]) -> bool:
    cx, cy, cw, ch = f.geo.content
    avail = cy + ch - header(f, posts[0].source.author)
    pages = paginate(_merged_rows(f, posts, f.typo.body_size, cw, avail), avail)
    return len(pages) == 1 and pages[0].used <= avail * (MERGE_MAX_SHARE * 2)


def _unused(_: RGBA, __: Polygon) -> None:
    return None
