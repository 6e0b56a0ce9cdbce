"""Content slides: the storyboard's slides laid out with templates, at the deck's one body size,
and the whole carousel assembled with its chrome (cover, closing slide, footers) — part by part.

Templates: post (units stacked), list (short posts as items), statement (one short sentence or a
real quote in display type), step (a counted post under its large number), code (a window card
with its language), image (the picture takes at least half the content area), section (a heading).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PIL import Image

from contract.options import RenderOptions
from rendering.compose import SlidePlan, Storyboard, Template, Unit, compose
from rendering.display import Item, Rect, Slide, with_alpha
from rendering.document import Document
from rendering.fonts import BOLD, Face
from rendering.layout.blocks import (
    PARA_GAP_EM,
    blocks_rows,
    code_rows,
    emit_line,
    is_rtl_text,
    media_rows,
    paragraph_rows,
    picture_or_placeholder,
    quote_card_rows,
)
from rendering.layout.chrome import (
    Frame,
    cover,
    draw_rows_bottom,
    fit_size,
    footer,
    header,
    make_frame,
    new_slide,
    note_rows,
    outro,
    runs_line,
)
from rendering.layout.measure import TextStyle
from rendering.layout.rows import Page, Row, draw_page, paginate
from themes.schema import Theme

GROW_STEPS = (1.45, 1.3, 1.15)  # the deck's body size may grow to these factors of the theme's
GROW_MAX_TITLE = 0.72  # …but stays under this share of the title size (headings stay 1.3× body)
SHRINK_STEPS = (0.9,)  # and may shrink toward the floor to keep a long deck in one part
CENTER_BIAS = 0.4  # where a slide's content sits in its free space: 0 top, 0.5 middle
IMAGE_MIN_SHARE = 0.5  # a picture takes at least this share of an image slide's content area
NUMBERED_FAMILIES = ("swiss", "poster", "split")  # their chrome sets each slide's number large already
SPLIT_GAP_CSS = 28.0  # between the picture and the text of a split image slide
STATEMENT_SCALE = 0.9  # statement text starts at this share of the title size
STEP_NUMBER_SCALE = 1.25  # the step number, in title sizes


@dataclass(frozen=True)
class Deck:
    """A laid-out carousel: its storyboard and the slides of each part (cover … closing slide)."""

    board: Storyboard
    parts: list[list[Slide]] = field(default_factory=list)

    @property
    def slides(self) -> list[Slide]:
        return [s for p in self.parts for s in p]


# --- rows of a unit ---------------------------------------------------------------------------


def _lead_blocks(unit: Unit) -> tuple:  # type: ignore[type-arg]
    return tuple(b for b in unit.blocks if b.kind != "code")


def _split(f: Frame) -> bool:
    """On a landscape slide an image slide is split: the picture on one half, the text on the other."""
    return f.geo.size[0] > f.geo.size[1]


def _column(f: Frame, panel: bool = False) -> float:
    """The text column of a split image slide: the content box beside a split theme's panel (one
    picture fills the panel), else half of the content box."""
    if panel:
        return f.geo.content[2]
    return (f.geo.content[2] - f.px(SPLIT_GAP_CSS)) / 2


def _in_panel(f: Frame, units: Sequence[Unit]) -> bool:
    """A split theme's panel takes an image slide's single picture (several go beside the text)."""
    media = [m for u in units if u.kind == "media" for m in u.media]
    return f.geo.image is not None and len(media) == 1


def unit_rows(
    f: Frame,
    unit: Unit,
    size: int,
    template: Template,
    avail: float,
    width: float | None = None,
    panel: bool = False,
) -> list[Row]:
    """The rows of one unit at ``size`` (images at their smallest acceptable height)."""
    split = template == "image" and _split(f)
    if width is None:
        width = _column(f, panel) if split else f.geo.content[2]
    ctx = f.ctx
    if unit.kind in ("text", "list"):
        return blocks_rows(unit.blocks, ctx, width, size, avail)
    rows = blocks_rows(_lead_blocks(unit), ctx, width, size, avail) if unit.kind != "code" else []
    gap = size * PARA_GAP_EM if rows else 0.0
    if unit.kind == "code":
        lead = tuple(b for b in unit.blocks if b.kind != "code")
        rows = blocks_rows(lead, ctx, width, size, avail)
        block = unit.code_block
        if block is not None:
            label = (block.language or "code").lower()
            if unit.continued:
                label += " · continued"
            rows += code_rows(
                block.text, block.language, ctx, width, size, size * PARA_GAP_EM if rows else 0.0, title=label
            )
        return rows
    if unit.kind == "media":
        if split:
            return rows  # the picture takes the other half of the slide
        share = IMAGE_MIN_SHARE if template == "image" else 0.4
        rows += media_rows(
            unit.media, ctx, width, size, avail, gap, share=1.0, min_share=share, caption=False
        )
        return rows
    if unit.kind == "post" and unit.quote is not None:
        rows += quote_card_rows(unit.quote, ctx, width, size, gap, avail)
        return rows
    return rows


RowCache = dict[tuple[Unit, int, str], list[Row]]


def _stack(
    f: Frame,
    units: Sequence[Unit],
    size: int,
    template: Template,
    avail: float,
    cache: RowCache | None = None,
    panel: bool | None = None,
) -> list[Row]:
    if panel is None:
        panel = template == "image" and _in_panel(f, units)
    rows: list[Row] = []
    for u in units:
        if cache is None:
            ur = unit_rows(f, u, size, template, avail, panel=panel)
        else:
            key = (u, size, template + ("/panel" if panel else ""))
            if key not in cache:
                cache[key] = unit_rows(f, u, size, template, avail, panel=panel)
            ur = list(cache[key])
        if not ur:
            continue
        if rows:
            gap = size * (PARA_GAP_EM * 1.6)
            ur[0] = Row(
                ur[0].height,
                ur[0].draw,
                gap,
                ur[0].group,
                ur[0].keep_with_next,
                ur[0].min_height,
                ur[0].page_break,
                ur[0].cut,
            )
        rows += ur
    return rows


def _height(rows: list[Row]) -> float:
    """Height of ``rows`` on one slide (flexible rows at their minimum); inf-like when the rows
    would not even stack (a page break)."""
    page = Page()
    from rendering.layout.rows import _closing, _need

    for r in rows:
        need, _ = _need(page, r)
        h = r.min_height if r.min_height is not None else r.height
        need += h - r.height
        page.used += need - _closing(r)
        page.placements.append(_placement(r, page.used, h))
    last = page.placements[-1].row if page.placements else None
    return page.used + (last.group.pad_v if last is not None and last.group is not None else 0.0)


def _placement(row: Row, y: float, h: float):  # type: ignore[no-untyped-def]
    from rendering.layout.rows import Placement

    return Placement(row, y, h)


class RowMeasurer:
    """The composer's measurer: units measured as the rows layout will draw."""

    def __init__(self, f: Frame) -> None:
        self.f = f
        self._avail: dict[str, float] = {}
        self._cache: dict[tuple[tuple[Unit, ...], str, int], tuple[float, bool]] = {}
        self._rows: RowCache = {}

    def base_size(self) -> int:
        return self.f.typo.body_size

    def display_size(self) -> int:
        return max(self.f.typo.body_size, round(self.f.typo.title_size * STATEMENT_SCALE))

    def body_sizes(self) -> list[int]:
        t = self.f.typo
        upper = max(t.body_size, round(t.title_size * GROW_MAX_TITLE))
        sizes = {min(upper, round(t.body_size * k)) for k in GROW_STEPS}
        sizes |= {max(t.body_floor, round(t.body_size * k)) for k in SHRINK_STEPS}
        sizes.add(t.body_size)
        return sorted(sizes, reverse=True)

    def avail(self, template: Template) -> float:
        if template not in self._avail:
            cx, cy, cw, ch = self.f.geo.content
            top = header(self.f, self.f.doc.author)
            avail = cy + ch - top
            if template == "step":
                avail -= _step_number_height(self.f)
            self._avail[template] = avail
        return self._avail[template]

    def height(self, units: Sequence[Unit], template: Template, size: int) -> tuple[float, bool]:
        key = (tuple(units), template, size)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        rows = _stack(self.f, units, size, template, self.avail(template), self._rows)
        result = (_height(rows), any(r.cut for r in rows))
        self._cache[key] = result
        return result


# --- templates --------------------------------------------------------------------------------


def _step_number_height(f: Frame) -> float:
    return round(f.typo.title_size * STEP_NUMBER_SCALE) * 1.05


def _place(f: Frame, slide: Slide, rows: list[Row], top: float, avail: float, center: bool = True) -> None:
    code = [r.group.text_size for r in rows if r.group is not None and r.group.kind == "code"]
    slide.code_px = min(code) if code else None
    pages = paginate(rows, avail)
    page = pages[0]
    used = _used(page)
    y = top + (max(0.0, avail - used) * CENTER_BIAS if center else 0.0)
    draw_page(page, f.geo.content[0], y, f.geo.content[2], slide.items)


def _used(page: Page) -> float:
    last = page.placements[-1].row if page.placements else None
    return page.used + (last.group.pad_v if last is not None and last.group is not None else 0.0)


def _image_rows(f: Frame, plan: SlidePlan, size: int, avail: float) -> list[Row]:
    """An image slide: the picture grows to take the room the text leaves (at least half)."""
    rows = _stack(f, plan.units, size, "image", avail)
    fixed = sum(r.height + r.space_before for r in rows if r.min_height is None)
    flex = [r for r in rows if r.min_height is not None]
    if flex:
        pads = sum(r.group.pad_v * 2 for r in rows if r.group is not None) / max(1, len(rows))
        room = avail - fixed - sum(r.space_before for r in flex) - pads
        each = max(min(r.min_height or 0.0 for r in flex), room / len(flex))
        for r in flex:
            r.height = max(r.min_height or 0.0, each)
    return rows


def _picture_half(f: Frame, unit: Unit, box: tuple[float, float, float, float], slide: Slide) -> None:
    """The pictures of a split image slide, cover-cropped into ``box`` (a grid for several)."""
    x, y, w, h = box
    media = list(unit.media)[:4]
    gap = f.px(8)
    if len(media) == 1:
        picture_or_placeholder(media[0], box, f.ctx, slide.items)
        return
    rows_n = 1 if len(media) == 2 else 2
    cols = 2
    cw = (w - gap) / cols
    ch = (h - gap * (rows_n - 1)) / rows_n
    for k, m in enumerate(media):
        r, c = divmod(k, cols)
        if len(media) == 3 and k == 2:
            picture_or_placeholder(m, (x, y + ch + gap, w, ch), f.ctx, slide.items)
        else:
            picture_or_placeholder(m, (x + c * (cw + gap), y + r * (ch + gap), cw, ch), f.ctx, slide.items)


def _statement(f: Frame, plan: SlidePlan, slide: Slide, top: float, avail: float, size: int) -> None:
    """One short sentence, or a real quote, in display type; a quote gets its mark (mirrored for
    right-to-left text)."""
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    block = plan.units[0].blocks[0]
    text = block.text.strip()
    is_quote = block.kind == "quote" or (text[:1] in '"“«' and text[-1:] in '"”»')
    rtl = is_rtl_text(text)
    start = max(size, round(t.title_size * STATEMENT_SCALE))
    mark_size = round(t.title_size * 1.6) if is_quote else 0
    mark_h = mark_size * 0.62 if is_quote else 0.0

    def build(sz: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(
            block.spans, f.ctx, cw, t.title, sz, f.pal.text, line_height=1.2, align="right" if rtl else "left"
        )
        return rows, sum(r.height for r in rows) + mark_h

    _, rows, total = fit_size(build, start, size, avail)
    y = top + max(0.0, (avail - total) / 2)
    if is_quote:
        glyph = "”" if rtl else "“"
        mark = runs_line(
            glyph, TextStyle(Face(t.title.family, BOLD, False, True), mark_size, f.pal.accent_text)
        )
        mx = cx + cw - mark.width if rtl else cx
        emit_line(mark, mx, y + mark_size * 0.78, slide.items, f.pal.muted)
        y += mark_h
    for r in rows:
        r.draw(cx, y, r.height, slide.items)
        y += r.height


def _section(f: Frame, plan: SlidePlan, slide: Slide, top: float, avail: float, size: int) -> None:
    cx, cy, cw, ch = f.geo.content
    t = f.typo
    blocks = plan.units[0].blocks

    def build(sz: int) -> tuple[list[Row], float]:
        rows = paragraph_rows(blocks[0].spans, f.ctx, cw, t.title, sz, f.pal.text, line_height=1.15)
        if len(blocks) > 1:
            rows += paragraph_rows(blocks[1].spans, f.ctx, cw, t.body, size, f.pal.text, space_before=size)
        return rows, sum(r.height + r.space_before for r in rows) + f.px(28)

    _, rows, total = fit_size(build, t.title_size, max(size, round(size * 1.3)), avail)
    y = top + max(0.0, (avail - total) / 2)
    slide.items.append(Rect((cx, y, f.px(44), f.px(6)), f.pal.accent, f.px(3)))
    y += f.px(28)
    for r in rows:
        y += r.space_before
        r.draw(cx, y, r.height, slide.items)
        y += r.height


def _step_number(f: Frame, slide: Slide, step: int, top: float) -> float:
    t = f.typo
    size = round(t.title_size * STEP_NUMBER_SCALE)
    line = runs_line(
        f"{step:02d}", TextStyle(Face(t.title.family, BOLD, False, True), size, f.pal.accent_text)
    )
    emit_line(line, f.geo.content[0], top + size * 0.86, slide.items, f.pal.muted)
    return top + _step_number_height(f)


def _content_slide(f: Frame, plan: SlidePlan, size: int, m: RowMeasurer) -> None:
    size = plan.size or size  # a display slide sets its text larger than the deck's body
    slide = new_slide(f, plan.template)
    slide.display = plan.size is not None
    slide.fill = plan.fill
    slide.split = any(u.continued for u in plan.units) or any(
        u.pieces > 1 and not u.continued for u in plan.units
    )
    slide.starts_mid_sentence = _starts_mid_sentence(plan)
    top = header(f, plan.author, slide.items)
    cx, cy, cw, ch = f.geo.content
    avail = cy + ch - top
    if plan.template == "statement":
        _statement(f, plan, slide, top, avail, size)
        return
    if plan.template == "section":
        _section(f, plan, slide, top, avail, size)
        return
    if plan.template == "step" and plan.step is not None and f.geo.family not in NUMBERED_FAMILIES:
        number_h = _step_number_height(f)
        rows = _stack(f, plan.units, size, "step", avail - number_h)
        used = _used(paginate(rows, avail - number_h)[0])
        top += max(0.0, avail - number_h - used) * CENTER_BIAS
        top = _step_number(f, slide, plan.step, top)
        _place(f, slide, rows, top, avail - number_h, center=False)
        return
    if plan.template == "image" and _split(f):
        media = next(u for u in plan.units if u.kind == "media")
        panel = _in_panel(f, plan.units)
        col = _column(f, panel)
        if panel and f.geo.image is not None:  # a split theme: the picture fills its panel, under the chip
            behind = Slide(slide.size, (), [])
            _picture_half(f, media, f.geo.image, behind)
            slide.items[0:0] = behind.items
            text_x = cx
        else:
            _picture_half(f, media, (cx, top, col, avail), slide)
            text_x = cx + col + f.px(SPLIT_GAP_CSS)
        rows = _stack(f, plan.units, size, "image", avail, panel=panel)
        pages = paginate(rows, avail)
        used = _used(pages[0])
        y = top + max(0.0, avail - used) / 2
        draw_page(pages[0], text_x, y, col, slide.items)
        return
    if plan.template == "image":
        rows = _image_rows(f, plan, size, avail)
        _place(f, slide, rows, top, avail)
        return
    rows = _stack(f, plan.units, size, plan.template, avail)
    floor = f.typo.body_floor
    while len(paginate(rows, avail)) > 1 and size > floor:  # a word taller than a slide: never dropped
        size = max(floor, int(size * 0.92))
        rows = _stack(f, plan.units, size, plan.template, avail)
    _place(f, slide, rows, top, avail)


def _starts_mid_sentence(plan: SlidePlan) -> bool:
    """Whether the slide's first words continue a sentence begun on the slide before."""
    if not plan.units or not plan.units[0].continued or plan.units[0].kind != "text":
        return False
    first = plan.units[0].blocks[0].text.lstrip() if plan.units[0].blocks else ""
    return bool(first) and first[0].islower()


# --- the whole carousel -----------------------------------------------------------------------


def layout_deck(
    doc: Document, theme: Theme, options: RenderOptions, images: Mapping[str, Image.Image]
) -> Deck:
    probe = make_frame(doc, theme, options, images)
    measurer = RowMeasurer(probe)
    board = compose(doc, measurer)
    deck = Deck(board)
    for part in board.parts:
        f = make_frame(doc, theme, options, images)
        f.body_size = board.body_size
        if part.count > 1:
            f.part = (part.index, part.count)
        cover(f)
        for plan in part.slides:
            _content_slide(f, plan, board.body_size, measurer)
        last = part.index == part.count
        if options.cta != "none":
            outro(f)  # every part is a whole carousel, with its own closing slide
        elif doc.truncated_note and f.slides and last:
            _note_under_last_slide(f)
        total = len(f.slides)
        for k, s in enumerate(f.slides, start=1):
            footer(f, s, k, total)
        deck.parts.append(f.slides)
    return deck


def _note_under_last_slide(f: Frame) -> None:
    """With no closing slide, "Showing the first 20 of 43 posts" goes under the last slide's content
    when there is room for it; a slide of its own would be near-empty, and the cover says it too."""
    slide = f.slides[-1]
    cx, cy, cw, ch = f.geo.content
    rows = note_rows(f, cw)
    pages = paginate(rows, ch)
    if len(pages) != 1:
        return
    bottoms = [i.box[1] + i.box[3] for i in slide.items if hasattr(i, "box")]
    content_bottom = max(bottoms, default=cy)
    if content_bottom + f.typo.body_size + _used(pages[0]) <= cy + ch:
        draw_rows_bottom(f, rows, slide.items)


def layout(
    doc: Document, theme: Theme, options: RenderOptions, images: Mapping[str, Image.Image]
) -> list[Slide]:
    """Every slide of every part, in order (a source that fits one carousel has one part)."""
    return layout_deck(doc, theme, options, images).slides


def _unused(_: Item, __: Sequence[object]) -> None:
    return with_alpha((0, 0, 0, 0), 0.0) and None  # type: ignore[func-returns-value]
