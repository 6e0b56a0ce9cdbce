"""A brand's own theme sent as a .toml file in a chat: read, checked, and named in one sentence.

Both front-ends call :func:`read_theme_file` on the bytes they downloaded; what it returns is saved
with the person's (or the group's, the server's) settings as ``theme_file`` with ``theme = "custom"``.
"""

from __future__ import annotations

from pathlib import PurePath

from contract.sentences import THEME_FILE_TOO_BIG, THEME_FILE_UNREADABLE
from themes import ThemeError, parse_theme
from themes.loader import MAX_THEME_FILE_BYTES, THEME_SUFFIX

THEME_FILE_SUFFIX = THEME_SUFFIX
THEME_FILE_NAME = "your theme file"  # how a saved theme file is named in its problems
# the file's problems, one a line as "file: line N: field: what is wrong"
THEME_FILE_PROBLEMS = "{file} can't be used as it is, so please fix this and send it again:\n{problems}"
MAX_PROBLEMS_SHOWN = 8  # a file with more problems than this is far from a theme: the first ones say so


class ThemeFileRejected(ValueError):
    """The file cannot be used; ``sentence`` tells the person why (with line and field)."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


def is_theme_file(file_name: str | None) -> bool:
    return (file_name or "").lower().endswith(THEME_FILE_SUFFIX)


def too_big(size: int | None) -> bool:
    return size is not None and size > MAX_THEME_FILE_BYTES


def read_theme_file(data: bytes, file_name: str) -> tuple[str, str]:
    """(TOML text, the theme's label) of a valid theme file, else ``ThemeFileRejected``."""
    if too_big(len(data)):
        raise ThemeFileRejected(THEME_FILE_TOO_BIG.format(file=file_name, kb=MAX_THEME_FILE_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ThemeFileRejected(THEME_FILE_UNREADABLE.format(file=file_name)) from None
    try:
        theme = parse_theme(text, file_name, default_name=PurePath(file_name).stem or "custom")
    except ThemeError as exc:
        shown = exc.problems[:MAX_PROBLEMS_SHOWN]
        problems = "\n".join(f"• {p}" for p in shown)
        raise ThemeFileRejected(THEME_FILE_PROBLEMS.format(file=file_name, problems=problems)) from None
    return text, theme.label
