"""Units: the pieces of a post that are never cut across two slides.

A unit is what a reader takes in as one: a paragraph (with the heading or lead-in that introduces it),
a list of up to six items, a code block (with its lead-in), a picture or picture grid (with its
lead-in), a quoted post. The composer breaks only between units; a unit taller than a slide is cut
where a reader would pause — a paragraph between sentences, a code block at a blank line or a
top-level statement — and every later piece is marked as a continuation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rendering.model import Block, Media, Post, Span

UnitKind = Literal["text", "list", "code", "media", "post", "break"]

LIST_MAX_ITEMS = 6  # a list longer than this is cut into runs of at most this many items
LEAD_IN_ENDINGS = (":", "👇", "⬇️", "⬇", "↓", "👇🏻", "👇🏼", "👇🏽", "👇🏾", "👇🏿")
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9À-ÖØ-ÞΑ-ΩА-Я@#\u0600-\u06FF\u0590-\u05FF])"
)
_CJK_SENTENCE_BREAK = re.compile(r"(?<=[。！？])")
_TOP_LEVEL_WORDS = (
    *("def", "class", "async", "@", "if", "for", "while", "with", "try", "fn", "func", "function"),
    *("const", "let", "var", "export", "import", "from", "public", "private", "struct", "impl"),
    *("#include", "SELECT", "WITH", "CREATE", "INSERT", "UPDATE"),
)
_TOP_LEVEL_START = re.compile(r"^(?:" + "|".join(re.escape(w) for w in _TOP_LEVEL_WORDS) + r")\b")


@dataclass(frozen=True)
class Unit:
    kind: UnitKind
    blocks: tuple[Block, ...] = ()  # text blocks; for media/post/code: the lead-in and heading first
    media: tuple[Media, ...] = ()
    quote: Post | None = None
    piece: int = 0  # 0: the whole unit or its first piece; n > 0: the n-th continuation
    pieces: int = 1  # how many pieces the unit was cut into

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def continued(self) -> bool:
        return self.piece > 0

    @property
    def code_block(self) -> Block | None:
        return next((b for b in self.blocks if b.kind == "code"), None)


def is_lead_in(block: Block) -> bool:
    """A paragraph that introduces what follows ("A useful mental model:", "Here's how 👇")."""
    if block.kind not in ("paragraph", "heading"):
        return False
    text = block.text.rstrip()
    return bool(text) and text.endswith(LEAD_IN_ENDINGS)


def units_of(
    blocks: Sequence[Block], media: Sequence[Media] = (), quote: Post | None = None
) -> tuple[list[Unit], list[Block]]:
    """The units of one post, and the lead-in blocks left waiting at its end (a post that ends
    with "… like this:" introduces the next post)."""
    units: list[Unit] = []
    pending: list[Block] = []  # headings and lead-ins waiting for what they introduce
    blocks = list(blocks)
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "separator":
            if pending:
                units.append(Unit("text", tuple(pending)))
                pending = []
            if units:
                units.append(Unit("break"))
            i += 1
            continue
        if b.kind == "heading" or is_lead_in(b):
            pending.append(b)
            i += 1
            continue
        if b.kind in ("bullet", "numbered"):
            j = i
            while j < len(blocks) and blocks[j].kind in ("bullet", "numbered"):
                j += 1
            items = blocks[i:j]
            runs = -(-len(items) // LIST_MAX_ITEMS)  # as few runs as the limit allows, evenly filled
            start = 0
            for r in range(runs):
                size = len(items) // runs + (1 if r < len(items) % runs else 0)
                chunk = items[start : start + size]
                start += size
                units.append(Unit("list", tuple(pending) + tuple(chunk)))
                pending = []
            i = j
            continue
        if b.kind == "code":
            units.append(Unit("code", tuple(pending) + (b,)))
        elif b.kind == "image" and b.media is not None:
            units.append(Unit("media", tuple(pending), media=(b.media,)))
        elif b.kind == "post" and b.post is not None:
            units.append(Unit("post", tuple(pending), quote=b.post))
        else:
            units.append(Unit("text", tuple(pending) + (b,)))
        pending = []
        i += 1
    if media:
        units.append(Unit("media", tuple(pending), media=tuple(media)[:4]))
        pending = []
    if quote is not None:
        units.append(Unit("post", tuple(pending), quote=quote))
        pending = []
    while units and units[-1].kind == "break":
        units.pop()
    return units, pending


def attach(lead: Sequence[Block], unit: Unit) -> Unit:
    """``unit`` introduced by ``lead`` (a lead-in carried over from the post before)."""
    if unit.kind == "break":
        return unit
    return Unit(unit.kind, tuple(lead) + unit.blocks, unit.media, unit.quote, unit.piece, unit.pieces)


# --- cutting a unit that is taller than a slide -----------------------------------------------


def sentence_offsets(text: str) -> list[int]:
    """Character offsets where a new sentence starts (never inside a sentence)."""
    cuts = {m.end() for m in _SENTENCE_BREAK.finditer(text)}
    cuts |= {m.end() for m in _CJK_SENTENCE_BREAK.finditer(text) if 0 < m.end() < len(text)}
    cuts |= {m.end() for m in re.finditer(r"\n+", text) if 0 < m.end() < len(text)}
    return sorted(c for c in cuts if 0 < c < len(text))


def clause_offsets(text: str) -> list[int]:
    """Offsets after a clause ends (", " "; " ": " " — "), for a sentence taller than a slide."""
    return [m.end() for m in re.finditer(r"[,;:]\s+|\s[—–]\s", text) if 0 < m.end() < len(text)]


def split_spans(spans: Sequence[Span], at: int) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """``spans`` cut at character offset ``at``; whitespace at the cut is dropped."""
    head: list[Span] = []
    tail: list[Span] = []
    pos = 0
    for s in spans:
        end = pos + len(s.text)
        if end <= at:
            head.append(s)
        elif pos >= at:
            tail.append(s)
        else:
            k = at - pos
            head.append(s.model_copy(update={"text": s.text[:k]}))
            tail.append(s.model_copy(update={"text": s.text[k:]}))
        pos = end
    head = _strip_end(head)
    tail = _strip_start(tail)
    return tuple(head), tuple(tail)


def _strip_end(spans: list[Span]) -> list[Span]:
    while spans and not spans[-1].text.rstrip():
        spans.pop()
    if spans:
        spans[-1] = spans[-1].model_copy(update={"text": spans[-1].text.rstrip()})
    return spans


def _strip_start(spans: list[Span]) -> list[Span]:
    while spans and not spans[0].text.lstrip():
        spans.pop(0)
    if spans:
        spans[0] = spans[0].model_copy(update={"text": spans[0].text.lstrip()})
    return spans


def code_cut_lines(code: str) -> list[int]:
    """Line indices where a code block may be cut: after a blank line, or before a top-level
    statement (no indentation, not a closing bracket or a continuation)."""
    lines = code.split("\n")
    cuts: list[int] = []
    for k in range(1, len(lines)):
        line = lines[k]
        prev = lines[k - 1]
        if not line.strip():
            continue
        if not prev.strip():
            cuts.append(k)
            continue
        opens = prev.rstrip().endswith(("\\", ",", "(", "[", "{", "=", "+", "-", "*", "/", "|", "&", ":"))
        decorated = prev.lstrip().startswith("@")
        starts = line[:1] not in (" ", "\t", ")", "]", "}", ".", ",", "@") or _TOP_LEVEL_START.match(line)
        if starts and not opens and not decorated:
            cuts.append(k)
    return cuts


def with_code(unit: Unit, code: str, piece: int, pieces: int, lead: bool) -> Unit:
    """A piece of a code unit: the code lines given, the lead-in only on the first piece."""
    blocks: list[Block] = []
    for b in unit.blocks:
        if b.kind == "code":
            blocks.append(b.model_copy(update={"spans": (Span(text=code, code=True),)}))
        elif lead:
            blocks.append(b)
    return Unit("code", tuple(blocks), piece=piece, pieces=pieces)
