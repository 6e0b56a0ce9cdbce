"""Emoji: finding emoji sequences in text, and their packaged artwork (OpenMoji), never downloaded.

The sequences OpenMoji has are read from its SVG file names (``1F469-200D-1F4BB.svg``); text is
matched against them longest-first, ignoring the variation selector U+FE0F, which the file names
carry inconsistently. Raster backends draw the COLR font; the PDF backend draws the SVG.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rendering.fonts import openmoji_dir

VS16 = 0xFE0F
VS15 = 0xFE0E
ZWJ = 0x200D
KEYCAP = 0x20E3
SKIN_TONES = range(0x1F3FB, 0x1F400)
REGIONAL = range(0x1F1E6, 0x1F200)
TAGS = range(0xE0020, 0xE0080)
PICTOGRAPHIC_START = 0x1F000  # at and above: emoji by default, whatever the text font has
# OpenMoji's COLR font (what the raster backend draws) spans an SVG's whole canvas over this many
# em (font units per SVG unit × canvas / units per em); the PDF backend scales the SVG to match
SVG_CANVAS_EM = 1.344


@lru_cache(maxsize=1)
def _table() -> dict[tuple[int, ...], str]:
    """Normalised codepoint sequence (no FE0F) → SVG file stem."""
    table: dict[tuple[int, ...], str] = {}
    svg = openmoji_dir() / "svg"
    for path in svg.glob("*.svg"):
        try:
            cps = tuple(int(p, 16) for p in path.stem.split("-"))
        except ValueError:
            continue
        key = tuple(c for c in cps if c != VS16)
        if key and (key not in table or len(path.stem) < len(table[key])):
            table[key] = path.stem
    return table


@lru_cache(maxsize=1)
def _starts() -> frozenset[int]:
    return frozenset(k[0] for k in _table())


def svg_path(stem: str) -> Path:
    return openmoji_dir() / "svg" / f"{stem}.svg"


def match(text: str, i: int) -> tuple[str, int, bool] | None:
    """An emoji sequence starting at ``text[i]``: (file stem, chars consumed, explicit).

    ``explicit`` is true when the text asks for emoji presentation (FE0F, ZWJ sequence, skin tone,
    keycap, flag) or the codepoint is a pictograph that is emoji by default.
    """
    cp = ord(text[i])
    if cp not in _starts():
        return None
    table = _table()
    # gather the longest plausible sequence
    j = i + 1
    cps = [cp]
    explicit = cp >= PICTOGRAPHIC_START
    n = len(text)
    while j < n:
        c = ord(text[j])
        if c == VS16:
            explicit = True
            j += 1
        elif c == VS15:
            j += 1
            break
        elif c in SKIN_TONES or c == KEYCAP or c in TAGS:
            cps.append(c)
            explicit = True
            j += 1
        elif c == ZWJ and j + 1 < n:
            cps.extend((c, ord(text[j + 1])))
            explicit = True
            j += 2
        elif cp in REGIONAL and len(cps) == 1 and c in REGIONAL:
            cps.append(c)
            j += 1
        else:
            break
    # longest known prefix
    ends: list[int] = []  # char index after each codepoint of cps
    k = i
    for _ in cps:
        k += 1
        while k < j and ord(text[k]) == VS16:
            k += 1
        ends.append(k)
    for length in range(len(cps), 0, -1):
        stem = table.get(tuple(cps[:length]))
        if stem is not None:
            end = ends[length - 1]
            # a keycap base alone ("1") is plain text
            if length == 1 and cp < 0x80:
                return None
            return stem, end - i, explicit or length > 1
    return None
