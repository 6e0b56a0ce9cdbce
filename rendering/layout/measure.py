"""Measuring text: segmentation into font runs, and line breaking.

A pure function of text, style and width (like Rich's measure): no drawing here. Every run carries
the font file it will be drawn with and its advance width, measured once without kerning — the
same number both backends reproduce — so layout decisions hold for the PNG and the PDF alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rendering import emoji as emoji_mod
from rendering.display import RGBA
from rendering.fonts import (
    Face,
    FontRef,
    fallback_chain,
    script_font_for,
    shape_rtl,
    system_font_for,
    text_width,
    vertical_metrics,
)

EMOJI_ADVANCE = 1.18  # em; emoji box plus a little air
EMOJI_SCALE = 1.0  # emoji box side, em
UNSUPPORTED = "[unsupported script]"
_IGNORED = {0x200D, 0xFE0F, 0xFE0E, 0x200B, 0x2060, 0xFEFF}
# Han and kana break between any two characters; Korean breaks between words, like Latin
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))
_TOKEN = re.compile(r"\S+\s*|\s+")
_CJK = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]")


def is_cjk(ch: str) -> bool:
    """A character a line may break before or after (Han, kana, full-width forms)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


@dataclass(frozen=True)
class TextStyle:
    face: Face
    size: int
    color: RGBA
    href: str | None = None
    code_bg: RGBA | None = None  # inline code: a tinted box behind the run
    strike: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Run:
    """Text in one font (or one emoji), measured."""

    text: str
    style: TextStyle
    font: FontRef | None  # None: an emoji
    width: float
    ascent: float
    descent: float
    emoji: str | None = None  # OpenMoji file stem
    rtl: bool = False
    muted: bool = False  # a substitute note, drawn muted
    picture: str | None = None  # a custom emoji: its image URL (``image`` holds the pixels)
    image: Any = field(default=None, compare=False, hash=False)
    alt: tuple[Run, ...] = ()  # a custom emoji's ``:shortcode:`` as text runs (kept as PDF text)


def run_width(font: FontRef, text: str, size: float, rtl: bool) -> float:
    return shape_rtl(font, text, size)[1] if rtl else text_width(font, text, size)


def _font_for(cp: int, chain: tuple[FontRef, ...], face: Face) -> FontRef | None:
    from rendering.fonts import coverage

    for ref in chain:
        if cp in coverage(ref):
            return ref
    return script_font_for(cp, face) or system_font_for(cp)


def _metrics(ref: FontRef, size: int) -> tuple[float, float]:
    a, d = vertical_metrics(ref)
    return a * size, d * size


@lru_cache(maxsize=20000)
def runs(text: str, style: TextStyle) -> tuple[Run, ...]:
    """``text`` split by font coverage (theme font → fallbacks → emoji → packaged script fonts →
    system fonts)."""
    from rendering.fonts import coverage

    chain = fallback_chain(style.face)
    primary = chain[0]
    primary_cov = coverage(primary)
    size = style.size
    out: list[Run] = []
    buf: list[str] = []
    buf_font: FontRef | None = None
    buf_rtl = False

    def flush() -> None:
        nonlocal buf, buf_font
        if buf and buf_font is not None:
            s = "".join(buf)
            a, d = _metrics(buf_font, size)
            w = shape_rtl(buf_font, s, size)[1] if buf_rtl else text_width(buf_font, s, size)
            out.append(Run(s, style, buf_font, w, a, d, rtl=buf_rtl))
        buf = []
        buf_font = None

    i = 0
    n = len(text)
    unsupported = False
    while i < n:
        ch = text[i]
        cp = ord(ch)
        keycap = cp < 0x80 and i + 1 < n and ord(text[i + 1]) in (0xFE0F, 0x20E3)
        m = emoji_mod.match(text, i) if cp > 0x7F or keycap else None
        if m is not None:
            stem, used, explicit = m
            if explicit or cp not in primary_cov:
                flush()
                w = size * EMOJI_ADVANCE
                a, d = _metrics(primary, size)
                out.append(Run(text[i : i + used], style, None, w, a, d, emoji=stem))
                i += used
                unsupported = False
                continue
        if cp in _IGNORED:
            i += 1
            continue
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Cc"):
            ref: FontRef | None = buf_font or primary
            if ch in "\t\n\r":
                ch = " "
        else:
            ref = primary if cp in primary_cov else _font_for(cp, chain, style.face)
        if ref is None:
            if not unsupported:
                flush()
                a, d = _metrics(primary, size)
                note = f" {UNSUPPORTED} "
                out.append(Run(note, style, primary, text_width(primary, note, size), a, d, muted=True))
                unsupported = True
            i += 1
            continue
        unsupported = False
        rtl = is_rtl_char(ch)
        neutral = not ch.isalnum() and not rtl
        if buf and (ref != buf_font or (rtl != buf_rtl and not neutral)):
            flush()
        if not buf:
            buf_font = ref
            buf_rtl = rtl
        buf.append(ch)
        i += 1
    flush()
    return tuple(out)


def picture_token(text: str, url: str, image: Any, style: TextStyle) -> Token:
    """A custom emoji: one atomic run the size of an emoji, drawn as ``image``, keeping ``text``."""
    width = style.size * EMOJI_ADVANCE
    alt = runs(text, style)
    ascent = max((r.ascent for r in alt), default=style.size * 0.9)
    descent = max((r.descent for r in alt), default=style.size * 0.25)
    run = Run(text, style, None, width, ascent, descent, picture=url, image=image, alt=alt)
    return Token((run,), width, 0.0)


def width_of(rs: tuple[Run, ...] | list[Run]) -> float:
    return sum(r.width for r in rs)


@dataclass
class Token:
    """A word with its trailing space: the unit of line breaking."""

    runs: tuple[Run, ...]
    width: float  # without the trailing space
    space: float  # the trailing space's width
    brk: bool = False  # a hard line break (no runs)


@dataclass
class Placed:
    x: float  # from the line's left edge
    run: Run


@dataclass
class Line:
    placed: list[Placed] = field(default_factory=list)
    width: float = 0.0
    ascent: float = 0.0
    descent: float = 0.0
    size: int = 0
    rtl: bool = False
    cut: bool = False  # a word too wide for the measure was cut on this line


def tokens(text: str, style: TextStyle) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        piece = m.group(0)
        word = piece.rstrip()
        trail = piece[len(word) :]
        if word and _CJK.search(word):
            parts = cjk_parts(word)
            for k, p in enumerate(parts):
                rs = runs(p + (trail if k == len(parts) - 1 else ""), style)
                out.append(_token(rs, style))
            continue
        out.append(_token(runs(piece, style), style))
    return out


# a line never starts with closing punctuation or small kana, nor ends with an opening bracket
_NO_LINE_START = frozenset(
    "、。，．・：；？！ー）］｝〕〉》」』】〙〗〟’”ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〻゠〜～!),.:;?]}"
)
_NO_LINE_END = frozenset("（［｛〔〈《「『【〘〖〝‘“([{")


def cjk_parts(word: str) -> list[str]:
    """A word with Chinese or Japanese in it, cut where a line may break: between two Han or kana
    characters (not before closing punctuation, not after an opening bracket); a run of other
    characters (Latin, digits, emoji) stays whole."""
    parts: list[str] = []
    for ch in word:
        if parts and (
            ch in _NO_LINE_START
            or parts[-1][-1] in _NO_LINE_END
            or (not is_cjk(ch) and not is_cjk(parts[-1][-1]))
        ):
            parts[-1] += ch
        else:
            parts.append(ch)
    return parts


def _token(rs: tuple[Run, ...], style: TextStyle) -> Token:
    total = width_of(rs)
    space = 0.0
    last = rs[-1] if rs else None
    if last is not None and last.font is not None:
        stripped = last.text.rstrip()
        if stripped != last.text:
            kept = run_width(last.font, stripped, last.style.size, last.rtl) if stripped else 0.0
            space = last.width - kept
    return Token(rs, total - space, space)


def split_token(tok: Token, width: float) -> list[Token]:
    """A word wider than the line, cut into pieces that fit (by characters)."""
    pieces: list[Token] = []
    cur: list[Run] = []
    cur_w = 0.0
    for r in tok.runs:
        if r.font is None:  # emoji: atomic
            if cur and cur_w + r.width > width:
                pieces.append(Token(tuple(cur), cur_w, 0.0))
                cur, cur_w = [], 0.0
            cur.append(r)
            cur_w += r.width
            continue
        text = r.text
        while text:
            room = width - cur_w
            # longest prefix that fits (at least one char on an empty line)
            lo, hi = 0, len(text)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if run_width(r.font, text[:mid], r.style.size, r.rtl) <= room:
                    lo = mid
                else:
                    hi = mid - 1
            if lo == 0 and not cur:
                lo = 1
            if lo == 0:
                pieces.append(Token(tuple(cur), cur_w, 0.0))
                cur, cur_w = [], 0.0
                continue
            part = text[:lo]
            w = run_width(r.font, part, r.style.size, r.rtl)
            cur.append(Run(part, r.style, r.font, w, r.ascent, r.descent, rtl=r.rtl, muted=r.muted))
            cur_w += w
            text = text[lo:]
            if text:
                pieces.append(Token(tuple(cur), cur_w, 0.0))
                cur, cur_w = [], 0.0
    if cur:
        pieces.append(Token(tuple(cur), cur_w, tok.space))
    return pieces


def wrap(
    toks: list[Token], width: float, first_width: float | None = None, *, avoid_orphan: bool = False
) -> list[Line]:
    """Greedy line breaking; ``first_width`` for a first line narrower than the rest.

    With ``avoid_orphan``, a paragraph whose last line would hold one short word takes a slightly
    narrower measure (same number of lines, no word cut) so that word has company.
    """
    lines, counts = _greedy(toks, width, first_width)
    if not avoid_orphan or not _orphaned(lines, counts, width) or any(ln.cut for ln in lines):
        return lines
    for k in range(1, ORPHAN_TRIES + 1):
        narrower = width * (1 - ORPHAN_STEP * k)
        fw = first_width * (1 - ORPHAN_STEP * k) if first_width is not None else None
        cand, cc = _greedy(toks, narrower, fw)
        if any(ln.cut for ln in cand) or len(cand) != len(lines):
            break
        if not _orphaned(cand, cc, narrower):
            return cand
    return lines


ORPHAN_SHARE = 0.3  # a last line holding one word narrower than this share of the measure…
ORPHAN_MIN_WORDS = 3  # …after a line of at least this many words is an orphan
ORPHAN_STEP = 0.03  # the measure narrows by this share per try…
ORPHAN_TRIES = 6  # …at most this many times


def _orphaned(lines: list[Line], counts: list[int], width: float) -> bool:
    return (
        len(lines) >= 2
        and counts[-1] == 1
        and counts[-2] >= ORPHAN_MIN_WORDS
        and lines[-1].width < width * ORPHAN_SHARE
    )


def _greedy(toks: list[Token], width: float, first_width: float | None) -> tuple[list[Line], list[int]]:
    """Lines, and how many words each holds."""
    lines: list[Line] = []
    counts: list[int] = []
    n = 0
    line = Line()
    end = 0.0  # right edge of the last word on the line (trailing space excluded)
    pending = 0.0  # the last word's trailing space
    limit = first_width if first_width is not None else width
    queue = list(reversed(toks))
    cut = False
    while queue:
        tok = queue.pop()
        if tok.brk:
            line.cut, cut = cut, False
            lines.append(_finish(line))
            counts.append(0)  # counted as empty: a line ended by a hard break partners no orphan
            line, end, pending, limit, n = Line(), 0.0, 0.0, width, 0
            continue
        if tok.width > limit and not line.placed:
            parts = split_token(tok, limit)
            queue.extend(reversed(parts[1:]))
            tok = parts[0]
            cut = True
        if line.placed and end + pending + tok.width > limit:
            line.cut, cut = cut, False
            lines.append(_finish(line))
            counts.append(n)
            line, end, pending, limit, n = Line(), 0.0, 0.0, width, 0
            queue.append(tok)
            continue
        x = end + pending if line.placed else 0.0
        for r in tok.runs:
            line.placed.append(Placed(x, r))
            x += r.width
        end = x - tok.space
        pending = tok.space
        n += 1
    if line.placed:
        line.cut = cut
        lines.append(_finish(line))
        counts.append(n)
    return lines, counts


def _finish(line: Line) -> Line:
    merged: list[Placed] = []
    for p in line.placed:
        prev = merged[-1] if merged else None
        r = p.run
        if (
            prev is not None
            and prev.run.font is not None
            and r.font == prev.run.font
            and r.style == prev.run.style
            and r.rtl == prev.run.rtl
            and r.muted == prev.run.muted
            and abs(prev.x + prev.run.width - p.x) < 0.01
        ):
            pr = prev.run
            merged[-1] = Placed(
                prev.x,
                Run(
                    pr.text + r.text,
                    pr.style,
                    pr.font,
                    pr.width + r.width,
                    pr.ascent,
                    pr.descent,
                    rtl=pr.rtl,
                    muted=pr.muted,
                ),
            )
        else:
            merged.append(p)
    # drop trailing whitespace from the last run
    tail_font = merged[-1].run.font if merged else None
    if tail_font is not None:
        last = merged[-1]
        t = last.run.text.rstrip()
        if t != last.run.text:
            if t:
                r = last.run
                merged[-1] = Placed(
                    last.x,
                    Run(
                        t,
                        r.style,
                        tail_font,
                        run_width(tail_font, t, r.style.size, r.rtl),
                        r.ascent,
                        r.descent,
                        rtl=r.rtl,
                        muted=r.muted,
                    ),
                )
            else:
                merged.pop()
    line.placed = merged
    line.width = max((p.x + p.run.width for p in merged), default=0.0)
    line.ascent = max((p.run.ascent for p in merged), default=0.0)
    line.descent = max((p.run.descent for p in merged), default=0.0)
    line.size = max((p.run.style.size for p in merged), default=0)
    return line
