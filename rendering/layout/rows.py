"""Rows: measured pieces of a slide body, and the paginator that stacks them onto slides.

Every block becomes rows that know their height for a given width before they are drawn (the
platypus idea: wrap, then split, then draw). A row is atomic except images, whose height may shrink
between a minimum and their natural size. Rows of a group (code block, quote, quoted post) share a
decoration (background, bar, border) drawn around the part of the group that lands on each slide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rendering.display import RGBA, Item, Rect

DrawFn = Callable[[float, float, float, list[Item]], None]  # (x, y, height, out)


@dataclass(frozen=True, eq=False)
class Group:
    kind: str  # "code" | "quote" | "card"
    pad_v: float = 0.0  # vertical padding inside the decoration
    inset: float = 0.0  # decoration's horizontal inset from the body's left and right edges
    fill: RGBA | None = None
    stroke: RGBA | None = None
    stroke_width: float = 0.0
    radius: float = 0.0
    bar: RGBA | None = None  # a vertical bar on the left edge (quotes)
    bar_width: float = 0.0
    text_size: int = 0  # code: the size its lines are set in


@dataclass(eq=False)
class Row:
    height: float
    draw: DrawFn
    space_before: float = 0.0
    group: Group | None = None
    keep_with_next: bool = False
    min_height: float | None = None  # flexible rows (images) may shrink to this
    page_break: bool = False  # a section separator: the next row starts a new slide
    cut: bool = False  # a word had to be cut to fit this row's width


def page_break() -> Row:
    return Row(0.0, lambda x, y, h, out: None, page_break=True)


@dataclass
class Placement:
    row: Row
    y: float
    height: float


@dataclass
class Page:
    placements: list[Placement] = field(default_factory=list)
    used: float = 0.0


def paginate(rows: list[Row], avail: float) -> list[Page]:
    """Stack rows into pages of height ``avail``; never lets a row cross the bottom."""
    pages: list[Page] = [Page()]
    i = 0
    n = len(rows)
    while i < n:
        row = rows[i]
        page = pages[-1]
        if row.page_break:
            if page.placements:
                pages.append(Page())
            i += 1
            continue
        need, offset = _need(page, row)
        h = row.height
        fits = page.used + need <= avail + 0.01
        if fits and row.keep_with_next and page.placements:
            # the whole chain of rows kept together, and the first row after it, must fit here —
            # unless the chain could not fit on any slide, when it may break anywhere
            fits = _chain_fits(page, rows, i, avail) or not _chain_fits(Page(), rows, i, avail)
        if not fits and row.min_height is not None:
            room = avail - page.used - (need - h)
            if room >= row.min_height:
                h = room
                need = need - row.height + h
                fits = True
        if not fits:
            if page.placements:
                pages.append(Page())
                continue
            # alone on a page and still too tall: only flexible rows can get here
            h = max(1.0, avail - (need - row.height))
            need = need - row.height + h
        page.placements.append(Placement(row, page.used + offset, h))
        page.used += need - _closing(row)
        i += 1
    if not pages[-1].placements and len(pages) > 1:
        pages.pop()
    return pages


def _chain_fits(page: Page, rows: list[Row], i: int, avail: float) -> bool:
    """Whether rows ``i``… up to the first one not kept with its next (flexible rows at their
    minimum) all fit on ``page``."""
    probe = Page(list(page.placements), page.used)
    j = i
    while True:
        row = rows[j]
        need, offset = _need(probe, row)
        h = row.min_height if row.min_height is not None else row.height
        need += h - row.height
        if probe.used + need > avail + 0.01:
            return False
        probe.placements.append(Placement(row, probe.used + offset, h))
        probe.used += need - _closing(row)
        if not row.keep_with_next or j + 1 >= len(rows) or rows[j + 1].page_break:
            return True
        j += 1


def _closing(row: Row) -> float:
    return row.group.pad_v if row.group else 0.0


def _need(page: Page, row: Row) -> tuple[float, float]:
    """(height this row takes incl. spacing and its group's closing pad, y offset of the row)."""
    prev = page.placements[-1].row if page.placements else None
    extra = 0.0
    if prev is not None and prev.group is not None and prev.group is not row.group:
        extra += prev.group.pad_v  # close the previous group
    sb = row.space_before if prev is not None else 0.0
    opening = 0.0
    if row.group is not None and (prev is None or prev.group is not row.group):
        opening = row.group.pad_v
    offset = extra + sb + opening
    return offset + row.height + _closing(row), offset


def draw_page(page: Page, x: float, y: float, width: float, out: list[Item]) -> None:
    """Group decorations first (behind), then the rows."""
    start = 0
    pl = page.placements
    while start < len(pl):
        g = pl[start].row.group
        end = start
        while end + 1 < len(pl) and pl[end + 1].row.group is g:
            end += 1
        if g is not None:
            top = y + pl[start].y - g.pad_v
            bottom = y + pl[end].y + pl[end].height + g.pad_v
            box = (x + g.inset, top, width - 2 * g.inset, bottom - top)
            if g.fill is not None or g.stroke is not None:
                out.append(Rect(box, g.fill, g.radius, g.stroke, g.stroke_width))
            if g.bar is not None:
                out.append(Rect((x + g.inset, top, g.bar_width, bottom - top), g.bar, g.bar_width / 2))
        start = end + 1
    for p in pl:
        p.row.draw(x, y + p.y, p.height, out)


def content_height(page: Page) -> float:
    return page.used
