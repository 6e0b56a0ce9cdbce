"""HTML post text (Mastodon and similar) → blocks, read with BeautifulSoup's ``html.parser``.

Block elements map to blocks; inline elements to span styles. The text of paragraphs still goes
through the markdown-ish line classifier, because people type ``• item`` and ``1/`` in HTML posts
too. Mastodon's link shortening (``<span class="invisible">`` / ``"ellipsis"``) is honoured.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import replace

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, NavigableString, Tag

from rendering.document.inline import (
    ELLIPSIS,
    PLAIN,
    Style,
    link_bare_urls,
    shorten_url,
    spans_text,
    strip_prefix,
    strip_suffix,
    tidy_spans,
)
from rendering.document.lines import HEADING_MAX_LEVEL, Group, group_lines
from rendering.document.repair import repair_text
from rendering.model import Block, Span

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HEADINGS = {f"h{n}": min(n, HEADING_MAX_LEVEL) for n in range(1, 7)}
_CONTAINERS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "figure",
        "figcaption",
        "body",
        "html",
        "table",
        "tbody",
        "thead",
        "tr",
        "td",
        "th",
        "dl",
        "dd",
        "dt",
        "details",
        "summary",
        "aside",
        "nav",
    }
)
_BLOCKS = _CONTAINERS | frozenset(_HEADINGS) | {"ul", "ol", "li", "blockquote", "pre", "hr"}
_SKIP = frozenset({"script", "style", "template", "head", "title", "noscript"})
_BOLD = frozenset({"b", "strong"})
_ITALIC = frozenset({"i", "em", "cite", "var", "dfn"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_STRIKE = frozenset({"s", "del", "strike"})
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-(.+)$")

FirstLineHook = Callable[[list[Span]], list[Span]]


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return list(value or [])


def _inline(node: Tag | NavigableString, style: Style, out: list[Span]) -> None:
    if isinstance(node, Comment):
        return
    if isinstance(node, NavigableString):
        text = repair_text(str(node))
        out.append(style.span(text if style.code else _HTML_SPACE.sub(" ", text)))
        return
    name = node.name
    classes = _classes(node)
    if name in _SKIP or "invisible" in classes:
        return
    if name == "br":
        out.append(style.span("\n"))
        return
    if name == "img":
        alt = str(node.get("alt") or "").strip()
        if alt:
            out.append(style.span(alt))
        return
    if name in _BOLD:
        style = replace(style, bold=True)
    elif name in _ITALIC:
        style = replace(style, italic=True)
    elif name in _CODE:
        style = replace(style, code=True)
    elif name in _STRIKE:
        style = replace(style, strike=True)
    elif name == "a" and node.get("href"):
        style = replace(style, href=str(node.get("href")))
    block = name in _BLOCKS
    if block:
        out.append(style.span("\n"))
    start = len(out)
    for child in node.children:
        if isinstance(child, Tag | NavigableString):
            _inline(child, style, out)
    if "ellipsis" in classes:
        out.append(style.span(ELLIPSIS))
    if name == "a" and style.href:
        _shorten_link_text(out, start, style.href)
    if block:
        out.append(style.span("\n"))


def _shorten_link_text(out: list[Span], start: int, href: str) -> None:
    """An anchor whose text is its own URL is shown shortened, like a bare URL."""
    shown = "".join(s.text for s in out[start:]).strip()
    if (
        shown
        and (shown == href or shorten_url(shown) == shorten_url(href))
        and len(shown) > len(shorten_url(href))
    ):
        out[start:] = [out[start].model_copy(update={"text": shorten_url(href)})]


def _language(pre: Tag) -> str | None:
    for tag in [pre, *pre.find_all("code", limit=1)]:
        for attr in ("lang", "data-lang", "data-language"):
            value = tag.get(attr)
            if value:
                return str(value).strip().lower() or None
        for cls in _classes(tag):
            if m := _LANGUAGE_CLASS.match(cls):
                return m.group(1).lower()
    return None


def _lines(spans: list[Span]) -> list[list[Span]]:
    lines: list[list[Span]] = [[]]
    for span in spans:
        parts = span.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append(span if len(parts) == 1 else span.model_copy(update={"text": part}))
    return lines


def _join_lines(lines: list[list[Span]]) -> list[Span]:
    out: list[Span] = []
    for i, line in enumerate(lines):
        if i:
            out.append(PLAIN.span("\n"))
        out.extend(line)
    return out


class _Builder:
    def __init__(self, first_line: FirstLineHook | None) -> None:
        self.blocks: list[Block] = []
        self._first_line = first_line

    def _text_block(self, kind: str, spans: list[Span], **fields: object) -> None:
        spans = tidy_spans(link_bare_urls(spans))
        if spans:
            self.blocks.append(Block.model_validate({"kind": kind, "spans": tuple(spans), **fields}))

    def _flush(self, run: list[Span]) -> None:
        if not run:
            return
        lines = _lines(tidy_spans(run))
        if self._first_line is not None and lines:
            lines[0] = self._first_line(lines[0])
            self._first_line = None
        groups = group_lines(lines, spans_text, strip_prefix, strip_suffix)
        for group in groups:
            self._group(group)
        run.clear()

    def _group(self, group: Group[list[Span]]) -> None:
        if group.kind == "separator":
            self.blocks.append(Block(kind="separator"))
        elif group.kind == "code":
            code = "\n".join(spans_text(line) for line in group.lines).strip("\n")
            if code.strip():
                self.blocks.append(
                    Block(kind="code", spans=(Span(text=code, code=True),), language=group.language)
                )
        else:
            self._text_block(group.kind, _join_lines(group.lines), level=group.level, number=group.number)

    def container(self, node: Tag) -> None:
        run: list[Span] = []
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, Tag) and child.name in _BLOCKS:
                self._flush(run)
                self.block(child)
            elif isinstance(child, Tag | NavigableString):
                _inline(child, PLAIN, run)
        self._flush(run)

    def block(self, tag: Tag) -> None:
        name = tag.name
        if name in _CONTAINERS:
            self.container(tag)
        elif name in _HEADINGS:
            self._first_line = None
            self._text_block("heading", _collect(tag), level=_HEADINGS[name])
        elif name == "hr":
            self.blocks.append(Block(kind="separator"))
        elif name == "pre":
            self._first_line = None
            code = repair_text(tag.get_text()).strip("\n")
            if code.strip():
                self.blocks.append(
                    Block(kind="code", spans=(Span(text=code, code=True),), language=_language(tag))
                )
        elif name == "blockquote":
            self._first_line = None
            self._text_block("quote", _collect(tag))
        elif name in ("ul", "ol"):
            self._first_line = None
            self._list(tag, level=1)
        else:  # a stray <li>
            self._text_block("bullet", _collect(tag))

    def _list(self, tag: Tag, level: int) -> None:
        ordered = tag.name == "ol"
        start = tag.get("start")
        number = int(str(start)) if start and str(start).lstrip("-").isdigit() else 1
        for item in tag.children:
            if not isinstance(item, Tag) or item.name != "li":
                # text loose in a list (no <li>) is kept, as a paragraph
                if isinstance(item, Tag | NavigableString) and not isinstance(item, Comment):
                    loose: list[Span] = []
                    _inline(item, PLAIN, loose)
                    self._text_block("paragraph", loose)
                continue
            value = item.get("value")
            if value and str(value).isdigit():
                number = int(str(value))
            self._item(item, "numbered" if ordered else "bullet", level, number if ordered else None)
            number += 1

    def _item(self, item: Tag, kind: str, level: int, number: int | None) -> None:
        """An item's own text, and any list nested in it, in document order. Text after a nested
        list continues the item as a plain paragraph (no second marker)."""
        pending: list[Span] = []
        marked = False

        def emit() -> None:
            nonlocal marked
            before = len(self.blocks)
            if marked:
                self._text_block("paragraph", pending)
            else:
                self._text_block(kind, pending, level=level, number=number)
                marked = len(self.blocks) > before
            pending.clear()

        for child in item.children:
            if isinstance(child, Tag) and child.name in ("ul", "ol"):
                emit()
                self._list(child, level=min(level + 1, 2))
            elif isinstance(child, Tag | NavigableString) and not isinstance(child, Comment):
                _inline(child, PLAIN, pending)
        emit()


def _collect(tag: Tag) -> list[Span]:
    out: list[Span] = []
    for child in tag.children:
        if isinstance(child, Tag | NavigableString):
            _inline(child, PLAIN, out)
    return out


def html_blocks(html: str, first_line: FirstLineHook | None = None) -> list[Block]:
    """Blocks of an HTML fragment. ``first_line`` may rewrite the first line of text (thread counters)."""
    builder = _Builder(first_line)
    builder.container(_soup(html))
    return builder.blocks


def html_plain_text(html: str) -> str:
    """The text of an HTML fragment, one line per block or break."""
    return _soup(html).get_text("\n")


def _soup(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # a post that is only a URL is still a post, not a mistaken file name
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "html.parser")
