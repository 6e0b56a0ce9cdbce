"""Every preset theme loads, is distinct, readable, and uses real fonts and code styles."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pygments import token
from pygments.styles import get_all_styles, get_style_by_name

from contract.options import DEFAULT_THEME
from themes import ThemeError, list_themes, load_theme, parse_color, theme_names
from themes.loader import (
    MIN_MUTED_CONTRAST,
    MIN_TEXT_CONTRAST,
    THEMES_DIR,
    blend,
    contrast_ratio,
    text_surfaces,
)
from themes.schema import Theme

PRESET_FILES = sorted(THEMES_DIR.glob("*.toml"))
MIN_PRESETS = 12
MIN_FAMILIES = 10
CODE_TOKENS = [token.Keyword, token.Name.Function, token.String, token.Number, token.Operator,
               token.Name.Builtin]
MIN_TOKEN_CONTRAST = 3.0


def _srgb_luminance(rgb: tuple[int, int, int]) -> float:
    # the WCAG definition, written out independently of the loader
    lin = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_there_are_enough_presets_with_unique_names_matching_their_files() -> None:
    themes = list_themes()
    assert len(themes) >= MIN_PRESETS
    names = [t.name for t in themes]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert len({t.label for t in themes}) == len(themes)
    assert sorted(p.stem for p in PRESET_FILES) == names
    assert theme_names() == names
    assert DEFAULT_THEME in names


def test_list_is_cached_and_load_returns_the_same_objects() -> None:
    first, second = list_themes(), list_themes()
    assert all(a is b for a, b in zip(first, second, strict=True))
    assert load_theme("paper") is next(t for t in first if t.name == "paper")
    assert load_theme(" Paper ") is load_theme("paper")


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.stem)
def test_preset_file_is_valid_toml_matching_the_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    theme = Theme.model_validate(data)
    assert theme.name == path.stem
    assert theme.label and theme.description
    assert theme == load_theme(path.stem)


@pytest.mark.parametrize("theme", list_themes(), ids=lambda t: t.name)
def test_preset_text_is_readable(theme: Theme) -> None:
    surfaces = text_surfaces(theme)
    assert surfaces
    for surface in surfaces:
        for name, minimum in (("text", MIN_TEXT_CONTRAST), ("link", MIN_TEXT_CONTRAST),
                              ("muted", MIN_MUTED_CONTRAST)):
            color = blend(parse_color(getattr(theme.colors, name)), surface)
            lum = sorted((_srgb_luminance(color[:3]), _srgb_luminance(surface[:3])), reverse=True)
            ratio = (lum[0] + 0.05) / (lum[1] + 0.05)
            assert ratio >= minimum, f"{theme.name}: {name} on {surface} is {ratio:.2f}:1"
        code_bg = blend(parse_color(theme.colors.code_background), surface)
        assert contrast_ratio(parse_color(theme.colors.code_text), code_bg) >= MIN_TEXT_CONTRAST


@pytest.mark.parametrize("theme", list_themes(), ids=lambda t: t.name)
def test_preset_code_style_exists_and_its_main_tokens_suit_the_code_background(theme: Theme) -> None:
    # the renderer lifts any token below 4.5:1 (tests/rendering/test_contrast.py); a preset's own
    # style must already be close, so the lift never changes a colour beyond recognition
    assert theme.code_style in set(get_all_styles())
    style = get_style_by_name(theme.code_style)
    code_bg = blend(parse_color(theme.colors.code_background), text_surfaces(theme)[0])
    for tok in CODE_TOKENS:
        color = style.style_for_token(tok)["color"]
        rgb = parse_color(f"#{color}") if color else parse_color(theme.colors.code_text)
        ratio = contrast_ratio(rgb, code_bg)
        assert ratio >= MIN_TOKEN_CONTRAST, f"{theme.name}: {tok} in {theme.code_style}"


@pytest.mark.parametrize("theme", list_themes(), ids=lambda t: t.name)
def test_dark_flag_matches_the_surface_text_sits_on(theme: Theme) -> None:
    surface = text_surfaces(theme)[0]
    text = parse_color(theme.colors.text)
    # "dark" describes where the text sits: a light card on a dark backdrop is a light theme
    assert (_srgb_luminance(text[:3]) > _srgb_luminance(surface[:3])) == theme.dark


def test_the_set_covers_the_looks_people_ask_for() -> None:
    themes = list_themes()
    assert any(t.dark for t in themes) and any(not t.dark for t in themes)
    assert any(not t.card.enabled for t in themes), "a minimal theme without a card"
    assert len({t.layout.family for t in themes}) >= MIN_FAMILIES, "designs, not recolours"
    assert any(t.typography.title_family in {"Noto Serif", "Playfair Display"} for t in themes)
    assert any(t.typography.title_family == "JetBrains Mono" for t in themes), "a code theme"
    assert any(t.card.radius == 0 and t.card.border_width >= 2 and t.card.shadow_blur == 0
               for t in themes), "a brutalist theme"
    assert {t.background.kind for t in themes} == {"solid", "linear", "radial"}
    assert {t.background.pattern for t in themes} >= {"none", "grid", "lines", "diagonal", "noise"}
    assert any(t.typography.title_size >= 44 for t in themes), "a bold, big-type theme"


def test_unknown_theme_names_the_available_ones() -> None:
    with pytest.raises(ThemeError) as caught:
        load_theme("neon-dreams")
    message = str(caught.value)
    assert "neon-dreams" in message
    for name in theme_names():
        assert name in message
