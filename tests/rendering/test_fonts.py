"""Static font instances: made once, cached on disk, the same files for both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from rendering import fonts
from rendering.fonts import BOLD, Face, coverage, face_file, pil_font, rl_font, text_width


def test_instances_are_static_and_cached() -> None:
    ref = face_file(Face("Inter", BOLD))
    path = Path(ref.path)
    assert path.is_file() and path.parent == fonts.cache_dir()
    font = TTFont(ref.path, lazy=True)
    assert "fvar" not in font and "gvar" not in font  # a static instance, not the variable file
    assert font["OS/2"].usWeightClass == 700
    assert face_file(Face("Inter", BOLD)) == ref  # no second instance per process


def test_regular_and_bold_differ_and_carry_their_own_names() -> None:
    regular = TTFont(face_file(Face("Inter")).path, lazy=True)
    bold = TTFont(face_file(Face("Inter", BOLD)).path, lazy=True)
    assert regular["name"].getDebugName(6) != bold["name"].getDebugName(6)
    assert text_width(face_file(Face("Inter", BOLD)), "Hello world", 36) > text_width(
        face_file(Face("Inter")), "Hello world", 36
    )


def test_pillow_and_reportlab_measure_the_same() -> None:
    ref = face_file(Face("Inter"))
    s = "The quick brown fox → jumps over the lazy dog • ✓ ⌘ AVAWAY"
    pil = pil_font(ref, 36).getlength(s, features=["-kern"])
    assert rl_font(ref) == rl_font(ref)
    assert abs(pil - text_width(ref, s, 36)) < 0.5


def test_instance_is_written_atomically_into_the_cache_dir(tmp_path: Path) -> None:
    before = fonts.cache_dir().parent
    fonts.use_cache_root(tmp_path)
    try:
        face = Face("Space Grotesk", BOLD)
        src = fonts.variable_file(face.family, False)
        dest = fonts.cache_dir() / fonts._instance_name(face, src)
        assert dest.parent == tmp_path / "fonts"
        fonts._make_instance(face, src, dest)
        assert dest.is_file()
        assert not list(dest.parent.glob("*.tmp"))  # the temp file was renamed, not left behind
    finally:
        fonts.use_cache_root(before)
    assert TTFont(str(dest), lazy=True)["OS/2"].usWeightClass == 700


@pytest.mark.parametrize("family", list(fonts.FAMILY_FILES))
def test_every_family_has_latin(family: str) -> None:
    cov = coverage(face_file(Face(family)))
    assert all(ord(c) in cov for c in "Aa0?")


def test_fallback_covers_greek_cyrillic_and_symbols() -> None:
    chain = fonts.fallback_chain(Face("Playfair Display"))
    for ch in "αβγδπ привет → • ✓ ⌘ ≈ €".replace(" ", ""):
        assert any(ord(ch) in coverage(ref) for ref in chain), ch
