"""Themes as data: the schema, the preset TOML files beside it, and their loader."""

from themes.loader import (
    ThemeError,
    contrast_ratio,
    list_themes,
    load_theme,
    load_theme_file,
    parse_color,
    parse_theme,
    theme_names,
)
from themes.schema import Accent, Background, Card, Colors, Layout, Theme, Typography

__all__ = [
    "Accent",
    "Background",
    "Card",
    "Colors",
    "Layout",
    "Theme",
    "ThemeError",
    "Typography",
    "contrast_ratio",
    "list_themes",
    "load_theme",
    "load_theme_file",
    "parse_color",
    "parse_theme",
    "theme_names",
]
