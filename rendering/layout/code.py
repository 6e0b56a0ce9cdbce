"""Code blocks: Pygments tokens → coloured monospace lines that fit a width.

The theme names a Pygments style; token colours come from it, the block's background and default
text colour from the theme (so a code block always sits on the theme's own code colours). Lines
longer than the width first shrink the font (down to a floor), then wrap (at a space where one is
near the end, else by characters) with a small continuation indent — never clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Token as PygToken
from pygments.util import ClassNotFound

from rendering.display import RGBA, parse_color

TAB = "    "
CONTINUATION = "  "  # indent of a wrapped line's continuation
SOFT_WRAP_SHARE = 0.6  # wrap at a space only when it leaves a line at least this full
MIN_COLUMNS = 24  # never shrink for lines that would fit only below this many columns


@dataclass(frozen=True)
class Seg:
    text: str
    color: RGBA | None  # None: the theme's code text colour
    bold: bool = False
    italic: bool = False


@lru_cache(maxsize=64)
def _lexer(language: str | None) -> Lexer:
    if language:
        try:
            return get_lexer_by_name(language.strip().lower(), stripnl=False, ensurenl=False)
        except ClassNotFound:
            pass
    return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=16)
def _style_table(style_name: str) -> dict[object, tuple[RGBA | None, bool, bool]]:
    try:
        style = get_style_by_name(style_name)
    except ClassNotFound:
        style = get_style_by_name("default")
    table: dict[object, tuple[RGBA | None, bool, bool]] = {}
    for ttype, spec in style:
        raw = spec.get("color")
        color = parse_color("#" + str(raw).lstrip("#")) if raw else None  # Pygments leaves out the #
        table[ttype] = (color, bool(spec.get("bold")), bool(spec.get("italic")))
    return table


def _token_style(ttype: object, style_name: str) -> tuple[RGBA | None, bool, bool]:
    table = _style_table(style_name)
    t = ttype
    while t is not None:
        if t in table and (table[t][0] is not None or t is PygToken):
            return table[t]
        t = getattr(t, "parent", None)
    return (None, False, False)


def highlight(code: str, language: str | None, style_name: str) -> list[list[Seg]]:
    """Logical lines of coloured segments (tabs expanded, trailing blank lines dropped)."""
    code = code.replace("\r\n", "\n").replace("\t", TAB).rstrip("\n")
    lines: list[list[Seg]] = [[]]
    for ttype, value in _lexer(language).get_tokens(code):
        color, bold, italic = _token_style(ttype, style_name)
        parts = value.split("\n")
        for k, part in enumerate(parts):
            if k:
                lines.append([])
            if part:
                lines[-1].append(Seg(part, color, bold, italic))
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def line_length(line: list[Seg]) -> int:
    return sum(len(s.text) for s in line)


def wrap_segments(line: list[Seg], columns: int) -> list[list[Seg]]:
    """Cut a line into visual lines of at most ``columns`` characters (continuations indented),
    after a space when one falls late enough in the line, else at the column."""
    columns = max(columns, len(CONTINUATION) + 4)
    if line_length(line) <= columns:
        return [line]
    text = "".join(s.text for s in line)
    owner = [k for k, s in enumerate(line) for _ in s.text]  # segment index of each character
    cuts: list[tuple[int, int]] = []
    start = 0
    room = columns
    while len(text) - start > room:
        end = start + room
        space = text.rfind(" ", start, end)
        if space >= start + room * SOFT_WRAP_SHARE:
            end = space + 1  # the space ends this line; the next starts with a character
        cuts.append((start, end))
        start = end
        room = columns - len(CONTINUATION)
    cuts.append((start, len(text)))
    out: list[list[Seg]] = []
    for n, (a, b) in enumerate(cuts):
        cur: list[Seg] = [Seg(CONTINUATION, None)] if n else []
        k = a
        while k < b:
            seg = line[owner[k]]
            e = k
            while e < b and owner[e] == owner[k]:
                e += 1
            cur.append(Seg(text[k:e], seg.color, seg.bold, seg.italic))
            k = e
        out.append(cur)
    return out
