"""User theme files: strict validation, every problem reported as file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themes import ThemeError, load_theme, load_theme_file, parse_color, parse_theme
from themes.loader import contrast_ratio

VALID = """\
name = "mine"
label = "Mine"
code_style = "monokai"

[colors]
background = "#F0F0F0"
card = "#FFFFFF"
text = "#111111"
muted = "#595959"
accent = "#1D9BF0"
link = "#0A5BB5"
code_background = "#272822"
code_text = "#F8F8F2"

[card]
radius = 12

[typography]
title_family = "Space Grotesk"
"""

PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+): line (?P<line>\d+): (?P<field>[\w.]+): (?P<what>.+)$")


def _write(tmp_path: Path, text: str, name: str = "mytheme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _problems(path: Path) -> list[dict[str, str]]:
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path, display_name=path.name)
    found = []
    for line in str(caught.value).splitlines():
        match = PROBLEM_LINE.match(line)
        assert match, f"not in 'file: line N: field: problem' form: {line!r}"
        found.append(match.groupdict())
    assert found == [m for m in found if m["file"] == path.name]
    return found


@pytest.mark.parametrize(
    ("text", "rgba"),
    [("#fff", (255, 255, 255, 255)), ("#1D9BF0", (29, 155, 240, 255)),
     ("#1d9bf080", (29, 155, 240, 128)), (" #000 ", (0, 0, 0, 255))],
)
def test_parse_color_accepts_css_hex_forms(text: str, rgba: tuple[int, int, int, int]) -> None:
    assert parse_color(text) == rgba


@pytest.mark.parametrize("text", ["blu", "#12", "#GGGGGG", "1D9BF0", "#1D9BF", "#1D9BF0801", ""])
def test_parse_color_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="is not a colour like #"):
        parse_color(text)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) >= 4.5


def test_a_valid_file_loads(tmp_path: Path) -> None:
    theme = load_theme_file(_write(tmp_path, VALID))
    assert theme.name == "mine" and theme.colors.accent == "#1D9BF0"
    assert theme.card.radius == 12 and theme.typography.title_family == "Space Grotesk"


def test_bad_colour_is_reported_with_line_and_field(tmp_path: Path) -> None:
    text = VALID.replace('accent = "#1D9BF0"', 'accent = "blu"')
    (problem,) = _problems(_write(tmp_path, text))
    assert int(problem["line"]) == _line_of(text, 'accent = "blu"')
    assert problem["field"] == "colors.accent"
    assert problem["what"] == "'blu' is not a colour like #1D9BF0"


def test_unknown_key_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    text = VALID.replace("radius = 12", "radius = 12\nshadow_colour = \"#000\"")
    (problem,) = _problems(_write(tmp_path, text))
    assert int(problem["line"]) == _line_of(text, "shadow_colour")
    assert problem["field"] == "card.shadow_colour"
    assert "unknown key" in problem["what"] and "'shadow_color'" in problem["what"]


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    text = VALID.replace("radius = 12", 'radius = "big"')
    (problem,) = _problems(_write(tmp_path, text))
    assert int(problem["line"]) == _line_of(text, 'radius = "big"')
    assert problem["field"] == "card.radius"
    assert "expected a number" in problem["what"] and "'big'" in problem["what"]


def test_unknown_font_lists_the_fonts(tmp_path: Path) -> None:
    text = VALID.replace('"Space Grotesk"', '"Comic Sans"')
    (problem,) = _problems(_write(tmp_path, text))
    assert problem["field"] == "typography.title_family"
    assert "'Comic Sans'" in problem["what"] and "Inter" in problem["what"]


def test_toml_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    text = VALID.replace('link = "#0A5BB5"', "link = ")
    with pytest.raises(ThemeError) as caught:
        load_theme_file(_write(tmp_path, text), display_name="mytheme.toml")
    message = str(caught.value)
    assert message.startswith(f"mytheme.toml: line {_line_of(text, 'link = ')}: TOML syntax error")


def test_several_problems_are_all_reported_in_line_order(tmp_path: Path) -> None:
    text = (VALID.replace('accent = "#1D9BF0"', 'accent = "blu"')
            .replace("radius = 12", 'radius = "big"')
            .replace('muted = "#595959"\n', ""))
    problems = _problems(_write(tmp_path, text))
    fields = [p["field"] for p in problems]
    assert sorted(fields) == ["card.radius", "colors.accent", "colors.muted"]
    lines = [int(p["line"]) for p in problems]
    assert lines == sorted(lines)
    missing = next(p for p in problems if p["field"] == "colors.muted")
    assert int(missing["line"]) == _line_of(text, "[colors]")  # the table it is missing from


def test_low_contrast_is_an_error_for_user_files(tmp_path: Path) -> None:
    text = VALID.replace('text = "#111111"', 'text = "#AAAAAA"')
    (problem,) = _problems(_write(tmp_path, text))
    assert problem["field"] == "colors.text"
    assert int(problem["line"]) == _line_of(text, 'text = "#AAAAAA"')
    assert "contrast" in problem["what"] and "4.5:1" in problem["what"]


def test_contrast_without_a_card_is_checked_against_the_background(tmp_path: Path) -> None:
    text = VALID.replace('background = "#F0F0F0"', 'background = "#333333"') + "\n[card]\n"
    text = text.replace("[card]\nradius = 12\n", "").replace("\n[card]\n", "\n[card]\nenabled = false\n")
    problems = _problems(_write(tmp_path, text))
    assert {p["field"] for p in problems} >= {"colors.text", "colors.muted"}
    assert all("the background" in p["what"] for p in problems if p["field"] == "colors.text")


def test_unknown_code_style_is_an_error(tmp_path: Path) -> None:
    text = VALID.replace('"monokai"', '"githubby"')
    (problem,) = _problems(_write(tmp_path, text))
    assert problem["field"] == "code_style" and "'githubby'" in problem["what"]
    assert "monokai" in problem["what"]  # the real choices are listed


def test_gradient_needs_two_opaque_colours(tmp_path: Path) -> None:
    text = VALID + '\n[background]\nkind = "linear"\ncolors = ["#FF000080"]\n'
    problems = _problems(_write(tmp_path, text))
    assert {p["field"] for p in problems} == {"background.colors"}
    assert all(int(p["line"]) == _line_of(text, "colors = [") for p in problems)


def test_dotted_keys_and_inline_tables_map_to_their_lines(tmp_path: Path) -> None:
    text = 'extends = "paper"\nname = "x"\ncolors.accent = "nope"\ncard = { radius = "round" }\n'
    problems = _problems(_write(tmp_path, text))
    by_field = {p["field"]: int(p["line"]) for p in problems}
    assert by_field == {"colors.accent": 3, "card.radius": 4}


def test_extends_starts_from_a_preset(tmp_path: Path) -> None:
    text = 'extends = "midnight"\n\n[colors]\naccent = "#FF7A59"\n'
    theme = load_theme_file(_write(tmp_path, text, "my-night.toml"))
    base = load_theme("midnight")
    assert theme.name == "my-night" and theme.label == "My Night"
    assert theme.colors.accent == "#FF7A59"
    assert theme.colors.model_copy(update={"accent": base.colors.accent}) == base.colors
    assert theme.background == base.background and theme.typography == base.typography


def test_extends_an_unknown_preset(tmp_path: Path) -> None:
    (problem,) = _problems(_write(tmp_path, 'name = "x"\nextends = "neon"\n'))
    assert problem["field"] == "extends" and int(problem["line"]) == 2 and "paper" in problem["what"]


def test_unreadable_file_is_a_theme_error(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="missing.toml: cannot read"):
        load_theme_file(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(ThemeError, match="binary.toml: cannot read"):
        load_theme_file(binary)


def test_parse_theme_names_its_source() -> None:
    with pytest.raises(ThemeError, match=r"^upload\.toml: line 2: name: expected text"):
        parse_theme('extends = "paper"\nname = 3\n', "upload.toml")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID + "# padding\n" * 10_000)
    with pytest.raises(ThemeError, match="mytheme.toml: the file is larger than"):
        load_theme_file(path, display_name="mytheme.toml")


_JUNK = st.one_of(
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    st.integers(-5, 500).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "[]", '["#fff"]', "{}", "#", "[[x]]", "= =", '"#12345"', '"#ABCDEF80"']),
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_edit_of_a_file_gives_a_theme_or_a_clear_error(data: st.DataObject) -> None:
    lines = VALID.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        key = lines[index].split("=")[0].strip() if "=" in lines[index] else data.draw(
            st.sampled_from(["radius", "colors.text", "weird_key", "[card]", "[nope]"]))
        lines[index] = key if key.startswith("[") else f"{key} = {data.draw(_JUNK)}"
    text = "\n".join(lines) + "\n"
    try:
        parse_theme(text, "fuzz.toml")
    except ThemeError as exc:
        for line in str(exc).splitlines():
            assert line.startswith("fuzz.toml: "), line


def test_a_theme_file_chooses_its_design_family(tmp_path: Path) -> None:
    text = VALID + '\n[layout]\nfamily = "split"\nchip = "none"\npanel = 0.3\npanel_color = "#0B3B5C"\n'
    theme = load_theme_file(_write(tmp_path, text))
    assert (theme.layout.family, theme.layout.chip, theme.layout.panel) == ("split", "none", 0.3)


def test_an_unknown_family_is_reported_with_line_and_field(tmp_path: Path) -> None:
    text = VALID + '\n[layout]\nfamily = "magazine"\n'
    (problem,) = _problems(_write(tmp_path, text))
    assert int(problem["line"]) == _line_of(text, 'family = "magazine"')
    assert problem["field"] == "layout.family"
    assert "'magazine' is not one of" in problem["what"] and "'editorial'" in problem["what"]


def test_muted_text_below_4_5_is_refused(tmp_path: Path) -> None:
    text = VALID.replace('muted = "#595959"', 'muted = "#8A8A8A"')  # 3.5:1 on white
    (problem,) = _problems(_write(tmp_path, text))
    assert problem["field"] == "colors.muted" and "below 4.5:1" in problem["what"]
