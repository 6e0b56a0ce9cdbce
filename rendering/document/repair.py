"""Repair of mojibake in scraped post text.

Text copied through some web tools arrives with its UTF-8 bytes read as windows-1253 (Greek):
``β†’`` was ``→``, ``πŸ‘‡`` was ``👇``, ``AΒ thread`` was ``A thread`` with a no-break space.
ftfy does not touch these (Greek letters look legitimate to it), so they are repaired here first:
runs that could be such bytes are re-encoded with a windows-1253 table whose undefined bytes fall back
to windows-1252 (then Latin-1), decoded as UTF-8, and kept only where that decodes cleanly to a
plausible character. Everything else is left to ftfy. Genuine Greek text comes through unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any


@cache
def _ftfy() -> tuple[Any, Any]:
    """ftfy (loaded the first time some text needs it) and its configuration: ftfy, minus the fixes
    that change correct text — curly quotes stay curly, full-width CJK punctuation stays
    full-width, and entities are resolved by the parser, which knows the format."""
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        uncurl_quotes=False,
        fix_character_width=False,
        explain=False,
    )
    return ftfy.fix_text, config


NBSP = "\u00a0"

# Characters without which ftfy has nothing to fix: controls, Latin-1 and Latin Extended letters
# (every UTF-8 lead byte read as a Western codepage lands there), line separators, surrogates,
# ligatures, replacement characters. Text with none of them (and already NFC) skips ftfy.
_FTFY_MATERIAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\u024f\u2028\u2029\ud800-\udfff\ufb00-\ufb06\ufffd]")


def _byte_table() -> dict[str, int]:
    """Character → the byte it stands for when UTF-8 was read as windows-1253 (high bytes only)."""
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        raw = bytes([byte])
        for codec in ("cp1253", "cp1252", "latin-1"):
            try:
                char = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            table.setdefault(char, byte)
            break
    return table


_BYTE_OF = _byte_table()


def _chars_for(lo: int, hi: int) -> str:
    return "".join(re.escape(c) for c, b in _BYTE_OF.items() if lo <= b <= hi)


_CONT = f"[{_chars_for(0x80, 0xBF)}]"
# A UTF-8 lead byte seen as a Greek (or fallback) letter, followed by its continuation bytes.
_SEQUENCE = re.compile(
    f"[{_chars_for(0xF0, 0xF4)}]{_CONT}{{3}}"
    f"|[{_chars_for(0xE0, 0xEF)}]{_CONT}{{2}}"
    f"|[{_chars_for(0xC2, 0xDF)}]{_CONT}"
)
# "Β" left over from a no-break space that was later turned into an ordinary space: the Greek
# capital beta glued to the end of a non-Greek word, before a space ("AΒ thread", "2024Β is").
_STRAY_BETA = re.compile(r"(?<=[^\s\u0370-\u03ff\u1f00-\u1fff])\u0392(?= )")

# Two-byte sequences are kept only when they land where real mojibake lands: Latin-1 symbols and
# letters, Latin Extended-A, modern Greek, Cyrillic. Anything else (Syriac, Thaana, Armenian…) is far
# more likely genuine Greek next to punctuation, e.g. "ή»", and is left alone.
_PLAUSIBLE_TWO_BYTE = ((0x00A0, 0x017F), (0x0386, 0x03CE), (0x0400, 0x045F))
_IMPLAUSIBLE_CATEGORIES = frozenset({"Cc", "Cn", "Co", "Cs"})


def _plausible(char: str) -> bool:
    code = ord(char)
    if code < 0x0800:
        return any(lo <= code <= hi for lo, hi in _PLAUSIBLE_TWO_BYTE)
    return unicodedata.category(char) not in _IMPLAUSIBLE_CATEGORIES


@lru_cache(maxsize=4096)
def _decode_sequence(seen: str) -> str:
    try:
        char = bytes(_BYTE_OF[c] for c in seen).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return seen
    if len(char) != 1 or not _plausible(char):
        return seen
    # A no-break space that only exists as mojibake was a typing accident of the copying tool.
    return " " if char == NBSP else char


def _is_greek_letter(char: str) -> bool:
    return "\u0370" <= char <= "\u03ff" and char.isalpha()


def _repair_greek_mojibake(text: str) -> str:
    matches = list(_SEQUENCE.finditer(text))
    if not matches:
        return _STRAY_BETA.sub("", text)
    covered = {i for m in matches for i in range(m.start(), m.end())}

    def greek_neighbour(at: int) -> bool:
        return 0 <= at < len(text) and at not in covered and _is_greek_letter(text[at])

    out: list[str] = []
    pos = 0
    for m in matches:
        seen = m.group()
        fixed = _decode_sequence(seen)
        # Two Greek letters ("ΓΌ" for "ü", "ΒΆ") are only mojibake outside Greek words: "fΓΌr" is,
        # "ΓΆΜΟΣ" is not.
        if (
            fixed != seen
            and len(seen) == 2
            and all(map(_is_greek_letter, seen))
            and (greek_neighbour(m.start() - 1) or greek_neighbour(m.end()))
        ):
            fixed = seen
        out.append(text[pos : m.start()])
        out.append(fixed)
        pos = m.end()
    out.append(text[pos:])
    return _STRAY_BETA.sub("", "".join(out))


@lru_cache(maxsize=2048)
def repair_text(text: str) -> str:
    """``text`` with mojibake repaired; clean text is returned unchanged (and cheaply)."""
    if text.isascii() and "\x1b" not in text:  # terminal escapes are ASCII too
        return text
    text = _repair_greek_mojibake(text)
    if _FTFY_MATERIAL.search(text) or not unicodedata.is_normalized("NFC", text):
        fix_text, config = _ftfy()
        text = fix_text(text, config)
    return text
