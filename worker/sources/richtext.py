"""What the sources share to turn a platform's text plus its annotations into the post text the
document builder reads: markdown-ish plain text, where ``[text](url)`` is a link and ``**`` / ``*``
mark bold and italic (the document builder resolves them, as it does for any plain post).

Also the small parsers every source needs for cards and polls: image sizes, times, percentages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.\-]+(?:@[\w.\-]+)?)*\s*$")
_MARKUP = re.compile(r"([\[\]()*_`~\\])")


def utf16_to_index(text: str) -> Callable[[int], int]:
    """Map JavaScript (UTF-16) string offsets to Python indices of ``text``."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda off: max(0, min(off, len(text)))
    table: list[int] = []
    for i, c in enumerate(text):
        table.append(i)
        if ord(c) >= 0x10000:
            table.append(i)
    table.append(len(text))
    return lambda off: table[max(0, min(off, len(table) - 1))]


def link(text: str, href: str) -> str:
    """``text`` as a markdown link to ``href`` (brackets in the text would end it early)."""
    shown = text.replace("[", "(").replace("]", ")")
    target = href.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    return f"[{shown}]({target})"


def link_mentions(text: str, names: Iterable[str], profile_url: Callable[[str], str]) -> str:
    """Each ``@name`` in ``text`` whose name is in ``names`` (case-insensitive) → a link to its profile.

    An ``@`` inside a word, a URL or an e-mail address is left alone.
    """
    wanted = {n.lower().lstrip("@") for n in names if n}
    if not wanted:
        return text
    pattern = re.compile(r"(?<![\w@/.\[])@([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)")

    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.lower() not in wanted:
            return m.group(0)
        return link(m.group(0), profile_url(name))

    return pattern.sub(replace, text)


def emphasize(text: str, runs: Iterable[tuple[str, bool, bool]]) -> str:
    """Mark each run ``(segment, bold, italic)`` where it next occurs in ``text`` (in order).

    The runs come from a platform's style ranges over the raw text; finding each segment in the
    display text (whose links were expanded, so offsets differ) keeps the ranges honest. Markers go
    inside the segment's own spaces, per line, so the markdown reading sees a closed emphasis.
    """
    out: list[str] = []
    at = 0
    for segment, bold, italic in runs:
        if not segment.strip() or not (bold or italic):
            continue
        found = text.find(segment, at)
        if found < 0:
            continue
        mark = "***" if bold and italic else "**" if bold else "*"
        out.append(text[at:found])
        pieces = []
        for line in segment.split("\n"):
            core = line.strip()
            if not core:
                pieces.append(line)
                continue
            lead = line[: len(line) - len(line.lstrip())]
            trail = line[len(line.rstrip()) :]
            pieces.append(f"{lead}{mark}{core}{mark}{trail}")
        out.append("\n".join(pieces))
        at = found + len(segment)
    out.append(text[at:])
    return "".join(out)


def escape_markdown(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return None


def count(value: Any) -> int:
    """A vote count: an int, or a numeric string; anything else is 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, float):
        return max(0, int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def percentages(votes: list[int], total: int | None = None) -> list[float]:
    """Each option's share of ``total`` (the sum by default) in percent, to one decimal."""
    whole = total if total else sum(votes)
    if whole <= 0:
        return [0.0 for _ in votes]
    return [round(v * 100.0 / whole, 1) for v in votes]


def site_of(url: str) -> str:
    """The host a link card names, without ``www.``."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host
