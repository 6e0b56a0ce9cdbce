"""The storyboard: a Document turned into slides, each one idea, with a template chosen for what it
holds, one body size for the deck, and parts of at most 20 slides.

The composer decides *what* goes on each slide; layout decides *where*. It asks a ``Measurer`` (given
by layout, so this stage imports nothing of it) how tall a set of units is at a size, breaks only
between units (see ``units``), merges runs of short posts into list slides, keeps every content slide
at least 40% full (or a deliberate statement slide), and chooses the largest body size at which the
deck does not grow by more than a slide or two.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from rendering.compose.units import (
    LIST_MAX_ITEMS,
    Unit,
    attach,
    clause_offsets,
    code_cut_lines,
    is_lead_in,
    sentence_offsets,
    split_spans,
    units_of,
    with_code,
)
from rendering.document import Document
from rendering.document.inline import only_tags
from rendering.model import Author, Block, Media, Span

Template = Literal["post", "list", "statement", "step", "code", "image", "section"]

MAX_SLIDES = 20  # a carousel, cover and closing slide included (Instagram's limit)
MAX_CONTENT_SLIDES = MAX_SLIDES - 2
MIN_FILL = 0.4  # every content slide fills at least this share of its content area…
DISPLAY_FILL = 0.5  # …a display slide grows its text until it fills this much
SECTION_SUBTITLE_CHARS = 60  # a heading with at most this much under it is a section slide
STATEMENT_MAX_CHARS = 140  # …or is a statement: a short stand-alone sentence in display type
SHORT_IDEA_CHARS = 150  # posts this short, in a run…
LIST_RUN_MIN = 3  # …of at least this many, share a list slide
GROWTH_ALLOWANCE = 0.2  # a bigger body size may add this share of slides (at least one)
_STEP_HEADING = re.compile(r"^\s*(?:step|part|tip|lesson|rule|day|#)\s*(\d{1,2})\b", re.IGNORECASE)


class Measurer(Protocol):
    """Layout's answers to "how tall is this?" — pure and deterministic."""

    def body_sizes(self) -> Sequence[int]:
        """Candidate body sizes for the deck, largest first; the theme's own size among them."""
        ...

    def base_size(self) -> int:
        """The theme's body size."""
        ...

    def display_size(self) -> int:
        """The largest size a display (statement) slide sets its text in."""
        ...

    def avail(self, template: Template) -> float:
        """Height of the content area of a slide of ``template``."""
        ...

    def height(self, units: Sequence[Unit], template: Template, size: int) -> tuple[float, bool]:
        """(height of ``units`` stacked on one slide, whether a word had to be cut to fit the width)."""
        ...


@dataclass(frozen=True)
class Idea:
    """One post (or an X Article's section): what a reader should take in as one."""

    units: tuple[Unit, ...]
    author: Author
    post: int
    step: int | None = None


@dataclass(frozen=True)
class SlidePlan:
    template: Template
    units: tuple[Unit, ...]
    author: Author
    step: int | None = None
    fill: float = 0.0  # measured share of the content area the units take
    posts: tuple[int, ...] = ()  # the posts shown, by index
    size: int | None = None  # display type: this slide's text is set larger than the deck's body

    @property
    def starts_continuation(self) -> bool:
        return bool(self.units) and self.units[0].continued


@dataclass(frozen=True)
class Part:
    index: int  # from 1
    count: int
    slides: tuple[SlidePlan, ...]


@dataclass(frozen=True)
class Storyboard:
    body_size: int
    parts: tuple[Part, ...]

    @property
    def slides(self) -> list[SlidePlan]:
        return [s for p in self.parts for s in p.slides]


# --- ideas ------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _without_title(blocks: tuple[Block, ...], title: str) -> tuple[Block, ...]:
    """The first post's blocks without the words the cover already shows."""
    t = _norm(title.rstrip("…"))
    if not t or title.endswith("…"):
        return blocks
    for k, b in enumerate(blocks):
        if b.kind in ("separator",):
            continue
        if b.kind not in ("paragraph", "heading") or any(
            sp.href and not sp.text.lstrip().startswith("#") for sp in b.spans
        ):  # links (a mention too) live on the slides, clickable in the PDF; a hashtag's link need not
            return blocks
        text = b.text
        if _norm(text) == t:
            return blocks[:k] + blocks[k + 1 :]
        if _norm(text).startswith(t):
            # drop the leading sentences that make the title, and tags left alone after them
            for cut in sentence_offsets(text):
                if _norm(text[:cut]) == t:
                    if only_tags(text[cut:]):
                        return blocks[:k] + blocks[k + 1 :]
                    _, tail = split_spans(b.spans, cut)
                    return blocks[:k] + (b.model_copy(update={"spans": tail}),) + blocks[k + 1 :]
        return blocks
    return blocks


def _step_of(units: Sequence[Unit]) -> int | None:
    for u in units[:1]:
        for b in u.blocks[:1]:
            m = _STEP_HEADING.match(b.text) if b.kind == "heading" else None
            if m:
                return int(m.group(1))
    return None


def cover_hero(doc: Document) -> Media | None:
    """The picture the cover shows: the article's cover image, else the thread's first photo."""
    if doc.cover_image is not None:
        return doc.cover_image
    for post in doc.posts[:1]:
        for m in post.source.media[:1]:
            return m
    return None


def _only_hero(units: Sequence[Unit], doc: Document) -> bool:
    hero = cover_hero(doc)
    return (
        hero is not None
        and len(units) == 1
        and units[0].kind == "media"
        and not units[0].blocks
        and len(units[0].media) == 1
        and units[0].media[0].url == hero.url
    )


def ideas_of(doc: Document) -> list[Idea]:
    ideas: list[Idea] = []
    carried: list[Block] = []
    for i, post in enumerate(doc.posts):
        blocks = post.blocks
        if i == 0 and doc.kind != "article":
            blocks = _without_title(blocks, doc.title)
        src = post.source
        units, trailing = units_of(blocks, src.media, src.quote)
        if carried:
            if units:
                units[0] = attach(carried, units[0])
            else:
                trailing = carried + trailing
            carried = []
        if trailing:
            if i + 1 < len(doc.posts):
                carried = list(trailing)
            else:
                units.append(Unit("text", tuple(trailing)))
        if i == 0 and doc.kind != "article" and _only_hero(units, doc):
            continue  # the cover shows that picture
        if not units:
            continue
        step = post.number if doc.counted else _step_of(units)
        ideas.append(Idea(tuple(units), src.author, i, step))
    return ideas


# --- measuring helpers -----------------------------------------------------------------------


@dataclass
class _Ctx:
    m: Measurer
    size: int
    step: bool = False  # measuring a counted post: its text shares the slide with the step number

    def tpl(self, template: Template) -> Template:
        return "step" if self.step and template == "post" else template

    def fits(self, units: Sequence[Unit], template: Template) -> bool:
        template = self.tpl(template)
        h, _ = self.m.height(units, template, self.size)
        return h <= self.m.avail(template) + 0.5

    def fill(self, units: Sequence[Unit], template: Template) -> float:
        template = self.tpl(template)
        h, _ = self.m.height(units, template, self.size)
        return h / max(1.0, self.m.avail(template))


def _alone_template(unit: Unit) -> Template:
    if unit.kind == "media":
        return "image"
    if unit.kind == "code":
        return "code"
    return "post"


def _group_template(units: Sequence[Unit]) -> Template:
    kinds = {u.kind for u in units}
    if "media" in kinds:
        return "image"
    if kinds == {"code"}:
        return "code"
    return "post"


# --- cutting units taller than a slide ---------------------------------------------------------


def _pieces(unit: Unit, c: _Ctx) -> list[Unit]:
    tpl = _alone_template(unit)
    if unit.kind in ("media", "post", "break") or c.fits([unit], tpl):
        return [unit]
    if unit.kind == "code":
        return _code_pieces(unit, c)
    if unit.kind == "list":
        items = list(unit.blocks)
        if len(items) > 1:
            half = len(items) // 2
            a = Unit("list", tuple(items[:half]), piece=unit.piece, pieces=unit.pieces)
            b = Unit("list", tuple(items[half:]), piece=unit.piece + 1, pieces=unit.pieces + 1)
            return _pieces(a, c) + _pieces(b, c)
        return [unit]
    return _text_pieces(unit, c)


def _text_pieces(unit: Unit, c: _Ctx) -> list[Unit]:
    """A text unit cut between sentences into as few pieces as fit, as even as they can be (the
    last slide of a long paragraph is not left with one line)."""
    greedy = _text_cut(unit, c, None)
    if len(greedy) < 2:
        return greedy
    last = c.fill([greedy[-1]], "post")
    if last >= 0.6:
        return greedy
    total = len(unit.blocks[-1].text)
    even = _text_cut(unit, c, math.ceil(total / len(greedy) * 1.08))
    return even if len(even) == len(greedy) else greedy


def _text_cut(unit: Unit, c: _Ctx, limit: int | None) -> list[Unit]:
    """The longest run of sentences that fits (at most ``limit`` characters), then the rest."""
    lead = list(unit.blocks[:-1])
    body = unit.blocks[-1]
    out: list[Unit] = []
    spans = body.spans
    piece = unit.piece
    while spans:
        text = "".join(s.text for s in spans)
        whole = Unit("text", tuple(lead) + (body.model_copy(update={"spans": spans}),), piece=piece)
        if c.fits([whole], "post"):
            out.append(whole)
            break
        sentences = sentence_offsets(text)
        if limit is not None:
            sentences = [k for k in sentences if k <= limit] or sentences[:1]
        best = _longest_fit(spans, lead, body, piece, c, sentences)
        if best is None and lead:  # the lead-in alone first, then the paragraph
            out.append(Unit("text", tuple(lead), piece=piece))
            lead = []
            piece += 1
            continue
        if best is None:  # one sentence taller than a slide: between clauses, else between words
            best = _longest_fit(spans, lead, body, piece, c, clause_offsets(text))
        if best is None:
            best = _longest_fit(spans, lead, body, piece, c, [m.end() for m in re.finditer(r"\s+", text)])
        if best is None:  # text without spaces (Chinese, Japanese): between any two characters
            best = _longest_fit(spans, lead, body, piece, c, list(range(1, len(text))))
        if best is None:
            out.append(whole)  # a single word taller than a slide: layout shrinks it
            break
        head, tail = best
        out.append(Unit("text", tuple(lead) + (body.model_copy(update={"spans": head}),), piece=piece))
        lead = []
        spans = tail
        piece += 1
    n = len(out)
    return [replace(u, pieces=n) for u in out]


def _longest_fit(
    spans: tuple[Span, ...], lead: list[Block], body: Block, piece: int, c: _Ctx, cuts: Sequence[int]
) -> tuple[tuple[Span, ...], tuple[Span, ...]] | None:
    """The longest head of ``spans`` cut at one of ``cuts`` that fits a slide (a longer head never
    fits where a shorter one does not: start from the estimate, then step)."""

    def attempt(cut: int) -> tuple[tuple[Span, ...], tuple[Span, ...]] | None:
        head, tail = split_spans(spans, cut)
        if not head or not tail:
            return None
        cand = Unit("text", tuple(lead) + (body.model_copy(update={"spans": head}),), piece=piece)
        return (head, tail) if c.fits([cand], "post") else None

    if not cuts:
        return None
    # start near where the whole paragraph's height says the slide ends, then step cut by cut
    whole_h, _ = c.m.height(
        [Unit("text", tuple(lead) + (body.model_copy(update={"spans": spans}),))], "post", c.size
    )
    share = c.m.avail("post") / max(1.0, whole_h)
    total = sum(len(s.text) for s in spans)
    k = max(0, min(len(cuts) - 1, bisect.bisect_right(cuts, int(total * share)) - 1))
    best = attempt(cuts[k])
    if best is None:
        while k > 0 and best is None:
            k -= 1
            best = attempt(cuts[k])
        return best
    while k + 1 < len(cuts):
        got = attempt(cuts[k + 1])
        if got is None:
            break
        best, k = got, k + 1
    return best


def _code_pieces(unit: Unit, c: _Ctx) -> list[Unit]:
    """A code block on slides of its own, cut only where a statement starts, into as few pieces
    as fit and as even as the cut points allow."""
    greedy = _code_cut(unit, c, None)
    if len(greedy) < 2 or min(c.fill([u], "code") for u in greedy) >= 0.6:
        return greedy
    block = unit.code_block
    assert block is not None
    lines = len(block.text.split("\n"))
    best = greedy
    worst = min(c.fill([u], "code") for u in greedy)
    for share in (1.0, 1.1, 1.2):
        even = _code_cut(unit, c, math.ceil(lines / len(greedy) * share))
        if len(even) == len(greedy):
            low = min(c.fill([u], "code") for u in even)
            if low > worst:
                best, worst = even, low
    return best


def _code_cut(unit: Unit, c: _Ctx, limit: int | None) -> list[Unit]:
    block = unit.code_block
    assert block is not None
    lines = block.text.split("\n")
    cuts = code_cut_lines(block.text)
    out: list[Unit] = []
    start = 0
    lead = True
    while start < len(lines):
        rest = "\n".join(lines[start:])
        whole = with_code(unit, rest, len(out), 0, lead)
        if c.fits([whole], "code"):
            out.append(whole)
            break
        candidates = [k for k in cuts if k > start and (limit is None or k - start <= limit)]
        chosen = None
        for k in reversed(candidates):
            cand = with_code(unit, "\n".join(lines[start:k]).rstrip("\n"), len(out), 0, lead)
            if c.fits([cand], "code"):
                chosen = k
                break
        if chosen is None:  # no statement boundary fits: the most lines that do
            lo = start + 1
            for k in range(len(lines), start, -1):
                cand = with_code(unit, "\n".join(lines[start:k]), len(out), 0, lead)
                if c.fits([cand], "code"):
                    lo = k
                    break
            chosen = lo
        out.append(with_code(unit, "\n".join(lines[start:chosen]).strip("\n"), len(out), 0, lead))
        lead = False
        start = chosen
        while start < len(lines) and not lines[start].strip():
            start += 1
    n = len(out)
    return [replace(u, pieces=n) for u in out]


# --- packing ----------------------------------------------------------------------------------


def _partition(pieces: list[Unit], c: _Ctx) -> list[list[Unit]]:
    """Consecutive groups of pieces, each fitting one slide, as few as possible and as even as
    possible (the last slide of a long post is not left near-empty)."""
    if not pieces:
        return []
    greedy: list[list[Unit]] = [[]]
    for p in pieces:
        cand = greedy[-1] + [p]
        if greedy[-1] and not c.fits(cand, _group_template(cand)):
            greedy.append([p])
        else:
            greedy[-1] = cand
    k = len(greedy)
    if k == 1 or len(pieces) > 40:
        return greedy
    # even out: minimise the tallest slide over k groups (heights of consecutive pieces)
    n = len(pieces)

    def h(a: int, b: int) -> float:
        group = pieces[a:b]
        tpl = c.tpl(_group_template(group))
        hh, _ = c.m.height(group, tpl, c.size)
        return hh if hh <= c.m.avail(tpl) + 0.5 else math.inf

    best: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(i: int, parts: int) -> tuple[float, list[int]]:
        if (i, parts) in best:
            return best[(i, parts)]
        if parts == 1:
            r = (h(i, n), [n])
        else:
            r = (math.inf, [])
            for j in range(i + 1, n - parts + 2):
                first = h(i, j)
                if first == math.inf:
                    break
                rest, cuts = solve(j, parts - 1)
                worst = max(first, rest)
                if worst < r[0]:
                    r = (worst, [j] + cuts)
        best[(i, parts)] = r
        return r

    worst, cuts = solve(0, k)
    if worst == math.inf:
        return greedy
    groups: list[list[Unit]] = []
    start = 0
    for cut in cuts:
        groups.append(pieces[start:cut])
        start = cut
    return groups


def _is_statement(unit: Unit) -> bool:
    if unit.kind != "text" or len(unit.blocks) != 1:
        return False
    b = unit.blocks[0]
    text = b.text.strip()
    if b.kind not in ("paragraph", "quote") or not text or len(text) > STATEMENT_MAX_CHARS:
        return False
    if is_lead_in(b) or any(s.href or s.code for s in b.spans) or "\n" in text:
        return False
    return b.kind == "quote" or len(sentence_offsets(text)) <= 1


def _is_section(units: Sequence[Unit]) -> bool:
    if len(units) != 1 or units[0].kind != "text" or units[0].pieces > 1:
        return False
    blocks = units[0].blocks
    if not blocks or blocks[0].kind != "heading" or len(blocks) > 2:
        return False
    if len(blocks) == 1:
        return True
    return blocks[1].kind == "paragraph" and len(blocks[1].text) <= SECTION_SUBTITLE_CHARS


def _idea_slides(idea: Idea, c: _Ctx) -> list[SlidePlan]:
    c = _Ctx(c.m, c.size, step=idea.step is not None)
    segments: list[list[Unit]] = [[]]
    for u in idea.units:
        if u.kind == "break":
            segments.append([])
        else:
            segments[-1].append(u)
    slides: list[SlidePlan] = []
    for seg in segments:
        if not seg:
            continue
        pieces = [p for u in seg for p in _pieces(u, c)]
        for group in _partition(pieces, c):
            first = not slides
            tpl: Template = _group_template(group)
            if tpl == "post":
                if len(idea.units) == 1 and len(group) == 1 and first and _is_statement(group[0]):
                    tpl = "statement"
                elif first and len(seg) == 1 and _is_section(group):
                    tpl = "section"
                elif first and idea.step is not None:
                    tpl = "step"
            step = idea.step if tpl == "step" else None
            fill = 1.0 if tpl in ("statement", "section", "image") else c.fill(group, tpl)
            slides.append(SlidePlan(tpl, tuple(group), idea.author, step, fill, (idea.post,)))
    return slides


def _is_short(idea: Idea) -> bool:
    if len(idea.units) != 1:
        return False
    u = idea.units[0]
    if u.kind not in ("text", "list") or len(u.blocks) != 1:
        return False
    b = u.blocks[0]
    return (
        b.kind in ("paragraph", "bullet", "numbered")
        and 0 < len(b.text) <= SHORT_IDEA_CHARS
        and not (is_lead_in(b))
    )


def _as_item(idea: Idea, counted: bool) -> Unit:
    b = idea.units[0].blocks[0]
    if b.kind == "paragraph":
        if counted and idea.step is not None:
            b = b.model_copy(update={"kind": "numbered", "number": idea.step, "level": 1})
        else:
            b = b.model_copy(update={"kind": "bullet", "level": 1})
    else:
        b = b.model_copy(update={"level": 1})
    return Unit("list", (b,))


def _list_slides(run: list[Idea], c: _Ctx, counted: bool) -> list[SlidePlan]:
    items = [_as_item(i, counted) for i in run]
    merged = [Unit("list", tuple(b for u in items[k : k + 1] for b in u.blocks)) for k in range(len(items))]
    # greedy chunks of at most LIST_MAX_ITEMS that fit, then evened out
    chunks: list[list[int]] = [[]]
    for k in range(len(merged)):
        cand = chunks[-1] + [k]
        unit = Unit("list", tuple(merged[j].blocks[0] for j in cand))
        if chunks[-1] and (len(cand) > LIST_MAX_ITEMS or not c.fits([unit], "list")):
            chunks.append([k])
        else:
            chunks[-1] = cand
    n = len(chunks)
    if n > 1:  # spread the items evenly over the same number of slides, when that still fits
        per = [len(merged) // n + (1 if k < len(merged) % n else 0) for k in range(n)]
        even: list[list[int]] = []
        start = 0
        for p in per:
            even.append(list(range(start, start + p)))
            start += p
        if all(
            len(ch) <= LIST_MAX_ITEMS
            and c.fits([Unit("list", tuple(merged[j].blocks[0] for j in ch))], "list")
            for ch in even
        ):
            chunks = even
    slides = []
    for ch in chunks:
        unit = Unit("list", tuple(merged[j].blocks[0] for j in ch))
        posts = tuple(run[j].post for j in ch)
        slides.append(SlidePlan("list", (unit,), run[ch[0]].author, None, c.fill([unit], "list"), posts))
    return slides


def _densify(slides: list[SlidePlan], c: _Ctx) -> list[SlidePlan]:
    """A slide under ``MIN_FILL`` shares with a neighbour when both fit on one slide."""
    mergeable = ("post", "list", "code")
    changed = True
    while changed:
        changed = False
        for k, s in enumerate(slides):
            if s.fill >= MIN_FILL or s.template not in mergeable:
                continue
            for j in (k + 1, k - 1):
                if not 0 <= j < len(slides):
                    continue
                o = slides[j]
                if o.template not in mergeable or o.author != s.author:
                    continue
                a, b = (s, o) if j > k else (o, s)
                if b.starts_continuation:
                    continue
                if (a.template == "list") != (b.template == "list") and not _closes_list(a, b):
                    continue
                if a.template == "list" and _items(a) + _items(b) > LIST_MAX_ITEMS:
                    continue
                units = a.units + b.units
                tpl: Template = "list" if a.template == b.template == "list" else _group_template(units)
                if tpl == "code" and len(units) > 1:
                    tpl = "post"
                if not c.fits(units, tpl):
                    continue
                merged = SlidePlan(tpl, units, a.author, None, c.fill(units, tpl), a.posts + b.posts)
                lo = min(j, k)
                slides = slides[:lo] + [merged] + slides[lo + 2 :]
                changed = True
                break
            if changed:
                break
    return slides


def _closes_list(a: SlidePlan, b: SlidePlan) -> bool:
    """A short remark after a list ("That's it.") may sit under it, rather than alone on a slide."""
    return a.template == "list" and b.template == "post" and all(u.kind == "text" for u in b.units)


def _display(slides: list[SlidePlan], c: _Ctx) -> list[SlidePlan]:
    """A text slide still under MIN_FILL (nothing to share it with) becomes a deliberate display
    slide: its text set larger, up to display size, until it fills the slide as a statement does."""
    out: list[SlidePlan] = []
    top = c.m.display_size()
    for s in slides:
        code_piece = s.template == "code" and all(u.kind == "code" for u in s.units)
        if s.fill >= MIN_FILL or s.template not in ("post", "list", "step", "code"):
            out.append(s)
            continue
        if any(u.pieces > 1 for u in s.units) and not code_piece:
            out.append(s)  # a piece of a paragraph cut across slides keeps the deck's body size
            continue
        if any(u.kind not in ("text", "list", "code") for u in s.units):
            out.append(s)
            continue
        chosen: tuple[int, float] | None = None
        size = c.size + 2
        while size <= top:
            h, cut = c.m.height(s.units, s.template, size)
            fill = h / max(1.0, c.m.avail(s.template))
            if fill > 1.0 or cut:
                break
            chosen = (size, fill)
            if fill >= DISPLAY_FILL:
                break
            size += 2
        if chosen is None:
            out.append(s)
        else:
            out.append(replace(s, size=chosen[0], fill=chosen[1]))
    return out


def _items(plan: SlidePlan) -> int:
    return sum(len(u.blocks) for u in plan.units)


def _pack(ideas: list[Idea], c: _Ctx, counted: bool) -> list[SlidePlan]:
    slides: list[SlidePlan] = []
    i = 0
    while i < len(ideas):
        j = i
        while (
            j < len(ideas)
            and _is_short(ideas[j])
            and ideas[j].author == ideas[i].author
            and _as_item(ideas[j], counted).blocks[0].kind == _as_item(ideas[i], counted).blocks[0].kind
        ):  # one list is numbered or bulleted, never both: "That's it." is no item of a numbered run
            j += 1
        if j - i >= LIST_RUN_MIN:
            slides += _list_slides(ideas[i:j], c, counted)
            i = j
            continue
        slides += _idea_slides(ideas[i], c)
        i += 1
    return _display(_densify(slides, c), c)


def _continued(slides: list[SlidePlan]) -> int:
    """How many slides go on with a text begun on the slide before."""
    return sum(s.starts_continuation for s in slides)


def _cuts(slides: list[SlidePlan], c: _Ctx) -> int:
    return sum(c.m.height(s.units, s.template, c.size)[1] for s in slides if s.template not in ("statement",))


# --- the deck ---------------------------------------------------------------------------------


def _parts(slides: list[SlidePlan]) -> list[list[SlidePlan]]:
    """At most MAX_CONTENT_SLIDES content slides a part, parts as even as possible, cut where a
    post begins."""
    n = len(slides)
    if n <= MAX_CONTENT_SLIDES:
        return [slides]
    count = math.ceil(n / MAX_CONTENT_SLIDES)
    parts: list[list[SlidePlan]] = []
    start = 0
    for p in range(count):
        remaining = count - p
        if remaining == 1:
            parts.append(slides[start:])
            break
        target = start + math.ceil((n - start) / remaining)
        end = min(target, start + MAX_CONTENT_SLIDES)
        # move the cut back to a slide that starts a post, when one is near
        k = end
        while k > start + 1 and k > end - 3 and slides[k].starts_continuation:
            k -= 1
        if not slides[k].starts_continuation:
            end = k
        parts.append(slides[start:end])
        start = end
    return parts


def _predict(slides: list[SlidePlan], m: Measurer, base: int, size: int) -> int:
    """About how many slides the deck takes at ``size``, from its slides at ``base``."""
    grow = (size / base) ** 2
    n = 0
    for s in slides:
        if s.template in ("statement", "section", "image"):
            n += 1
        else:
            n += max(1, math.ceil(s.fill * grow - 0.02))
    return n


def compose(doc: Document, m: Measurer) -> Storyboard:
    """The storyboard of ``doc``: slides chosen and measured, the deck's body size, its parts."""
    ideas = ideas_of(doc)
    counted = doc.counted
    base = m.base_size()
    packed: dict[int, list[SlidePlan]] = {}

    def at(size: int) -> list[SlidePlan]:
        if size not in packed:
            packed[size] = _pack(ideas, _Ctx(m, size), counted)
        return packed[size]

    sizes = list(m.body_sizes())
    base_slides = at(base)
    # the deck as one slide per idea would be, at the theme's size: bigger type may add slides up
    # to that (and a little more), never past one part
    ideal = len(base_slides) + sum(len(s.posts) - 1 for s in base_slides if s.template != "list")
    n_base = len(base_slides)
    chosen = base
    if n_base <= MAX_CONTENT_SLIDES:
        grown = max(n_base, ideal) + max(1, math.floor(ideal * GROWTH_ALLOWANCE))
        limit = min(MAX_CONTENT_SLIDES, grown)
        base_cuts = _cuts(base_slides, _Ctx(m, base))
        bigger = [size for size in sizes if size > base]
        # text height grows about with the square of its size: skip sizes the base deck already rules out
        predicted = {size: _predict(base_slides, m, base, size) for size in bigger}
        for size in bigger:
            if predicted[size] > limit + 1 and size != bigger[-1]:
                continue
            slides = at(size)
            if len(slides) <= limit and _cuts(slides, _Ctx(m, size)) <= base_cuts:
                chosen = size
                break
    else:  # a deck of several parts: smaller type when that saves a part, else bigger type for free
        parts_base = math.ceil(n_base / MAX_CONTENT_SLIDES)
        smaller = [s for s in sizes if s < base and math.ceil(len(at(s)) / MAX_CONTENT_SLIDES) < parts_base]
        if smaller:
            chosen = smaller[0]
        else:
            continued = _continued(base_slides)
            for size in sizes:
                if size <= base:
                    break
                # bigger type only while no more text runs on to a slide of its own ("queue.")
                if (
                    math.ceil(len(at(size)) / MAX_CONTENT_SLIDES) <= parts_base
                    and _continued(at(size)) <= continued
                ):
                    chosen = size
                    break
    slides = at(chosen)
    groups = _parts(slides)
    parts = tuple(Part(k + 1, len(groups), tuple(g)) for k, g in enumerate(groups))
    return Storyboard(chosen, parts)
