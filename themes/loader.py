"""Load themes: the presets shipped as ``themes/<name>.toml`` and theme files a user supplies.

Every problem in a theme file is reported as ``file: line N: section.key: what is wrong`` — never a
traceback. A user file may start from a preset with ``extends = "paper"`` and override only what it
changes; ``name`` defaults to the file name and ``label`` to the name.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from themes.schema import Accent, Background, Card, Colors, Layout, Theme, Typography

THEMES_DIR = Path(__file__).resolve().parent
THEME_SUFFIX = ".toml"
EXTENDS_KEY = "extends"
MAX_THEME_FILE_BYTES = 64 * 1024  # a theme is a few dozen lines

# WCAG 2.x contrast ratios a slide must reach to stay readable on a phone.
MIN_TEXT_CONTRAST = 4.5  # body text, links and code on their surface
MIN_MUTED_CONTRAST = 4.5  # header, footer, kicker and other secondary text: no lower bar
CARD_FAMILIES = frozenset({"card", "terminal", "brutalist"})  # families that draw the card

COLOR_EXAMPLE = "#1D9BF0"
_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_OPAQUE = 255

RGBA = tuple[int, int, int, int]
Loc = tuple[str | int, ...]

_SECTIONS: dict[str, type[BaseModel]] = {
    "colors": Colors,
    "background": Background,
    "card": Card,
    "typography": Typography,
    "accent": Accent,
    "layout": Layout,
}


class ThemeError(ValueError):
    """A theme is unknown or its file is invalid; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------------------------------------
# Colours


def parse_color(value: str) -> RGBA:
    """``#RGB``, ``#RGBA``, ``#RRGGBB`` or ``#RRGGBBAA`` → ``(r, g, b, a)``; raises ``ValueError``
    otherwise. The one colour parser: themes, rendering and the brand accent a user types use it."""
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a colour like {COLOR_EXAMPLE}")
    digits = value.strip()[1:]
    if len(digits) in (3, 4):
        digits = "".join(ch * 2 for ch in digits)
    if len(digits) == 6:
        digits += "ff"
    r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return r, g, b, a


def blend(top: RGBA, bottom: RGBA) -> RGBA:
    """``top`` composited over an opaque ``bottom`` (source-over), as an opaque colour."""
    alpha = top[3] / 255
    r, g, b = (round(t * alpha + u * (1 - alpha)) for t, u in zip(top[:3], bottom[:3], strict=True))
    return r, g, b, _OPAQUE


def relative_luminance(color: RGBA | tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (alpha ignored)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGBA | tuple[int, int, int], b: RGBA | tuple[int, int, int]) -> float:
    """WCAG contrast ratio, 1.0 … 21.0."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ---------------------------------------------------------------------------------------------
# Public API


def list_themes() -> list[Theme]:
    """Every preset theme, sorted by name."""
    return list(_presets().values())


def theme_names() -> list[str]:
    return list(_presets())


def load_theme(name: str) -> Theme:
    """A preset by name; ``ThemeError`` naming the available presets if there is none."""
    presets = _presets()
    key = name.strip().lower()
    if key not in presets:
        raise ThemeError(f"unknown theme {name!r}; available themes: {', '.join(presets)}")
    return presets[key]


def load_theme_file(path: str | Path, display_name: str | None = None) -> Theme:
    """A user-supplied TOML theme file, validated strictly (colours, contrast, fonts, code style).

    ``display_name`` is how the file is named in error messages (default: the path as given).
    """
    source = display_name or str(path)
    try:
        if Path(path).stat().st_size > MAX_THEME_FILE_BYTES:
            raise ThemeError(f"{source}: the file is larger than {MAX_THEME_FILE_BYTES // 1024} KB")
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{source}: cannot read the file: {exc}") from None
    return parse_theme(text, source, default_name=Path(path).stem)


def parse_theme(text: str, source: str = "theme.toml", default_name: str = "custom") -> Theme:
    """Validate a theme given as TOML text; ``source`` names it in error messages."""
    return _build(text, source, default_name, presets=_raw_presets())


# ---------------------------------------------------------------------------------------------
# Presets


@functools.cache
def _raw_presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """name → (TOML text, parsed data) for every preset file."""
    raw: dict[str, tuple[str, dict[str, Any]]] = {}
    for file in sorted(THEMES_DIR.glob(f"*{THEME_SUFFIX}")):
        text = file.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ThemeError(_syntax_problem(file.name, exc)) from None
        raw[str(data.get("name", file.stem))] = (text, data)
    return raw


@functools.cache
def _presets() -> dict[str, Theme]:
    themes: dict[str, Theme] = {}
    for name, (text, _data) in sorted(_raw_presets().items()):
        themes[name] = _build(text, f"{name}{THEME_SUFFIX}", name, presets={})
    return themes


# ---------------------------------------------------------------------------------------------
# Validation


def _build(
    text: str, source: str, default_name: str, presets: Mapping[str, tuple[str, dict[str, Any]]]
) -> Theme:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(_syntax_problem(source, exc)) from None

    lines = _key_lines(text)

    def where(loc: Loc) -> str:
        line = _line_for(lines, loc)
        field = ".".join(str(part) for part in loc if not isinstance(part, int)) or "(file)"
        return f"{source}: line {line}: {field}" if line else f"{source}: {field}"

    if EXTENDS_KEY in data:
        base_name = data.pop(EXTENDS_KEY)
        if not isinstance(base_name, str) or base_name not in presets:
            raise ThemeError(
                f"{where((EXTENDS_KEY,))}: {base_name!r} is not a preset theme; "
                f"available themes: {', '.join(presets)}"
            )
        identity = {key: data[key] for key in ("name", "label", "description") if key in data}
        base = {k: v for k, v in presets[base_name][1].items() if k not in ("name", "label", "description")}
        data = _merge(base, data) | identity
    data.setdefault("name", default_name)
    data.setdefault("label", str(data["name"]).replace("-", " ").replace("_", " ").title())

    found: list[tuple[Loc, str]] = list(_raw_color_problems(data))
    theme: Theme | None = None
    try:
        theme = Theme.model_validate(data)
    except ValidationError as exc:
        found += [(_loc(err), _describe(err)) for err in exc.errors()]
    if found or theme is None:
        found.sort(key=lambda problem: _line_for(lines, problem[0]) or 0)
        raise ThemeError([f"{where(loc)}: {message}" for loc, message in found])

    semantic = sorted(_semantic_problems(theme), key=lambda problem: _line_for(lines, problem[0]) or 0)
    problems = [f"{where(loc)}: {message}" for loc, message in semantic]
    if problems:
        raise ThemeError(problems)
    return theme


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _loc(err: Mapping[str, Any]) -> Loc:
    return tuple(err.get("loc", ()))


def _section_fields(loc: Loc) -> list[str]:
    keys = [part for part in loc if isinstance(part, str)]
    model: type[BaseModel] = _SECTIONS[keys[0]] if len(keys) > 1 and keys[0] in _SECTIONS else Theme
    return list(model.model_fields)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        known = _section_fields(_loc(err))
        close = difflib.get_close_matches(str(_loc(err)[-1]), known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key; {hint}expected one of: {', '.join(known)}"
    if kind == "missing":
        return "is required but missing"
    if kind == "literal_error":
        return f"{value!r} is not one of {ctx.get('expected', '')}"
    if kind in {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"}:
        return f"expected a number, got {value!r}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {value!r}"
    if kind == "string_type":
        return f"expected text in quotes, got {value!r}"
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list like [\"#FF5F6D\", \"#FFC371\"], got {value!r}"
    if kind in {"model_type", "dict_type"}:
        return f"expected a table of keys, got {value!r}"
    message = str(err.get("msg", "is invalid"))
    message = message.removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{value!r}: must be {message}" if "input" in err else message


def _syntax_problem(source: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", message).strip() or "invalid TOML"
    if match:
        return f"{source}: line {match.group(1)}: TOML syntax error: {detail} (column {match.group(2)})"
    return f"{source}: TOML syntax error: {detail}"


def _is_color_field(section: str, field: str) -> bool:
    return section == "colors" or field.endswith(("color", "colors"))


def _raw_color_problems(data: Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Malformed colours in the parsed TOML, found even when other keys fail validation."""
    for section in _SECTIONS:
        table = data.get(section)
        if not isinstance(table, Mapping):
            continue
        for field, value in table.items():
            if not _is_color_field(section, field):
                continue
            items = list(enumerate(value)) if isinstance(value, list | tuple) else [(None, value)]
            for index, item in items:
                if not isinstance(item, str):
                    continue  # a wrong type is reported by the schema
                try:
                    parse_color(item)
                except ValueError as exc:
                    yield ((section, field) if index is None else (section, field, index)), str(exc)


def _color_fields(theme: Theme) -> Iterator[tuple[Loc, str]]:
    """Every colour in a theme: all of ``colors`` and any ``*_color`` / ``*colors`` elsewhere."""
    for section_name in _SECTIONS:
        section: BaseModel = getattr(theme, section_name)
        for field in type(section).model_fields:
            value = getattr(section, field)
            if not _is_color_field(section_name, field):
                continue
            if isinstance(value, tuple):
                for index, item in enumerate(value):
                    yield (section_name, field, index), item
            else:
                yield (section_name, field), value


def _semantic_problems(theme: Theme) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for loc, value in _color_fields(theme):
        try:
            parse_color(value)
        except ValueError as exc:
            problems.append((loc, str(exc)))
    if problems:
        return problems  # contrast needs valid colours

    c = theme.colors
    bg = theme.background
    for loc, value in [(("colors", "background"), c.background)] + [
        (("background", "colors", i), stop) for i, stop in enumerate(bg.colors)
    ]:
        if parse_color(value)[3] != _OPAQUE:
            problems.append((loc, f"{value!r} must be opaque (no alpha): it is the slide's backdrop"))
    if bg.kind != "solid" and len(bg.colors) < 2:
        problems.append((("background", "colors"), f"a {bg.kind} gradient needs at least 2 colours"))
    if bg.kind == "solid" and bg.colors:
        problems.append((("background", "kind"), 'colours are listed: set kind = "linear" or "radial"'))
    if not all(0.0 <= v <= 1.0 for v in bg.center):
        problems.append((("background", "center"), f"{list(bg.center)} must be two fractions 0…1"))

    surface_name = "colors.card" if uses_card(theme) else "the background"
    for name, threshold in (("text", MIN_TEXT_CONTRAST), ("link", MIN_TEXT_CONTRAST),
                            ("muted", MIN_MUTED_CONTRAST)):
        worst = min(
            (_contrast_on(getattr(c, name), surface), surface) for surface in text_surfaces(theme)
        )
        if worst[0] < threshold:
            text_is_darker = relative_luminance(parse_color(getattr(c, name))) < relative_luminance(worst[1])
            advice = "darker" if text_is_darker else "lighter"
            problems.append((
                ("colors", name),
                f"contrast {worst[0]:.2f}:1 against {surface_name} ({_hex(worst[1])}) is below "
                f"{threshold}:1; make colors.{name} {advice}",
            ))
    for surface in text_surfaces(theme):
        code_bg = blend(parse_color(c.code_background), surface)
        ratio = _contrast_on(c.code_text, code_bg)
        if ratio < MIN_TEXT_CONTRAST:
            problems.append((
                ("colors", "code_text"),
                f"contrast {ratio:.2f}:1 against colors.code_background is below {MIN_TEXT_CONTRAST}:1",
            ))
            break

    from pygments.styles import get_all_styles  # only needed to check the name

    styles = sorted(get_all_styles())
    if theme.code_style not in styles:
        problems.append((("code_style",), f"{theme.code_style!r} is not a Pygments style; "
                                          f"choose one of: {', '.join(styles)}"))
    return problems


def uses_card(theme: Theme) -> bool:
    """True when the theme's text sits on its card (the family draws one and it is enabled)."""
    return theme.card.enabled and theme.layout.family in CARD_FAMILIES


def text_surfaces(theme: Theme) -> list[RGBA]:
    """The opaque colours body text may sit on: the card over each background colour, or — with no
    card — each background colour with the pattern drawn over it (the worst cases)."""
    c = theme.colors
    backdrops = [parse_color(s) for s in (theme.background.colors or (c.background,))]
    if uses_card(theme):
        card = parse_color(c.card)
        return [blend(card, b) for b in backdrops]
    surfaces = list(backdrops)
    if theme.background.pattern != "none":
        pattern = parse_color(theme.background.pattern_color)
        surfaces += [blend(pattern, b) for b in backdrops]
    return surfaces


def _contrast_on(color: str, surface: RGBA) -> float:
    return contrast_ratio(blend(parse_color(color), surface), surface)


def _hex(color: RGBA) -> str:
    return "#{:02X}{:02X}{:02X}".format(*color[:3])


# ---------------------------------------------------------------------------------------------
# Mapping a validation error back to its line in the TOML text

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_RE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_INLINE_KEY_RE = re.compile(rf"[{{,]\s*({_KEY_PART})\s*=")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r""""[^"]*"|'[^']*'|[^.\s]+""", dotted)
    return tuple(part.strip("\"'") for part in parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """(table…, key…) → the 1-based line that defines it (first definition wins)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header:
            table = _split_key(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY_RE.match(line)
        if key:
            path = table + _split_key(key.group(1))
            lines.setdefault(path, number)
            # keys of an inline table on the same line: section = { key = … }
            for inner in _INLINE_KEY_RE.finditer(line[key.end():]):
                lines.setdefault(path + (inner.group(1).strip("\"'"),), number)
    return lines


def _line_for(lines: Mapping[tuple[str, ...], int], loc: Loc) -> int | None:
    keys = tuple(str(part) for part in loc if not isinstance(part, int))
    while keys:
        if keys in lines:
            return lines[keys]
        keys = keys[:-1]
    return None
