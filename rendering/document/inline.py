"""Inline text: markdown-ish emphasis, code and links → spans; bare URLs; span tidying.

The inline grammar is markdown-it's (CommonMark emphasis rules, code spans, ``[text](url)``,
``<autolinks>``, ``~~strike~~``), restricted to what posts carry: no backslash escapes (a post's
``¯\\_(ツ)_/¯`` is text), no entities (resolved before), no inline HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rendering.model import Span

_MD = MarkdownIt("zero").enable(["backticks", "emphasis", "strikethrough", "link", "autolink", "newline"])

LINK_DISPLAY_MAX = 32  # characters of a bare URL shown before it is ellipsized
ELLIPSIS = "…"

# A bare URL; trailing punctuation that ends the sentence is trimmed off afterwards.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"`{}|\\^]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?…'\"’”»*"
_BRACKETS = {")": "(", "]": "["}

# Underscore emphasis only counts between word boundaries of the prose ("_this_", "(_so_)"), never
# inside identifiers and symbols ("__init__", "¯\\_(ツ)_/¯").
_OPEN_BEFORE = frozenset(" \t\n([{\"'“‘«")
_CLOSE_AFTER = frozenset(" \t\n.,;:!?)]}\"'”’»…")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_INLINE_MARKUP = re.compile(r"[*_`~\[<]")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACES_AROUND_BREAK = re.compile(r" *\n[ \n]*")


@dataclass(frozen=True)
class Style:
    """The style of the text being read; ``span`` makes a run of text in it."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None

    def span(self, text: str) -> Span:
        # values built here are already valid: skip pydantic's validation on this hot path
        return Span.model_construct(
            text=text, bold=self.bold, italic=self.italic, code=self.code, strike=self.strike, href=self.href
        )


PLAIN = Style()


# Words that only tag a post: hashtags and mentions, with the punctuation between them
_TAGS_ONLY = re.compile(r"\W*(?:[#@][^\W_][\w.]*[\s.,;:!?·|]*)+\W*")


def only_tags(text: str) -> bool:
    """Whether ``text`` is nothing but hashtags and mentions ("#product #ux")."""
    return bool(text.strip()) and _TAGS_ONLY.fullmatch(text.strip()) is not None


def shorten_url(url: str) -> str:
    """How a link is shown: without scheme, ``www.`` or trailing slash; long ones ellipsized."""
    shown = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).rstrip("/")
    if len(shown) > LINK_DISPLAY_MAX:
        shown = shown[: LINK_DISPLAY_MAX - 1].rstrip("-/._?=&#") + ELLIPSIS
    return shown or url


def _trim_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _URL_TRAILING or last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last]):
            url = url[:-1]
        else:
            break
    return url


def _href(url: str) -> str:
    return url if "://" in url else "https://" + url


def link_bare_urls(spans: Iterable[Span]) -> list[Span]:
    """Bare URLs in plain (not code, not already linked) spans become shortened link spans."""
    out: list[Span] = []
    for span in spans:
        if span.code or span.href or ("://" not in span.text and "www." not in span.text.lower()):
            out.append(span)
            continue
        pos = 0
        for match in _URL.finditer(span.text):
            url = _trim_url(match.group())
            if "." not in url.split("://", 1)[-1]:
                continue
            if match.start() > pos:
                out.append(span.model_copy(update={"text": span.text[pos : match.start()]}))
            out.append(span.model_copy(update={"text": shorten_url(url), "href": _href(url)}))
            pos = match.start() + len(url)
        if pos < len(span.text):
            out.append(span.model_copy(update={"text": span.text[pos:]}))
    return out


def _neighbour(tokens: Sequence[Token], at: int, last: bool) -> str:
    """The character next to a delimiter token: ``""`` at the ends, a space for other markup."""
    if not 0 <= at < len(tokens):
        return ""
    tok = tokens[at]
    if tok.type == "text":
        return (tok.content[-1:] if last else tok.content[:1]) or " "
    return "\n" if tok.type in ("softbreak", "hardbreak") else " "


def _flank_ok(tokens: Sequence[Token], open_at: int, close_at: int) -> bool:
    before = _neighbour(tokens, open_at - 1, last=True)
    after = _neighbour(tokens, close_at + 1, last=False)
    if (before and before not in _OPEN_BEFORE) or (after and after not in _CLOSE_AFTER):
        return False
    inner = tokens[open_at + 1 : close_at]
    return not (
        tokens[open_at].markup == "__"
        and len(inner) == 1
        and inner[0].type == "text"
        and _IDENTIFIER.fullmatch(inner[0].content) is not None
    )


def _drop_underscore_emphasis_in_words(tokens: list[Token]) -> list[Token]:
    """Turn underscore emphasis that sits inside identifiers or symbols back into literal text."""
    for i, tok in enumerate(tokens):
        if tok.type not in ("em_open", "strong_open") or "_" not in tok.markup:
            continue
        closer = tok.type.replace("_open", "_close")
        depth = 0
        for j in range(i + 1, len(tokens)):
            if tokens[j].type == tok.type:
                depth += 1
            elif tokens[j].type == closer:
                if depth == 0:
                    if not _flank_ok(tokens, i, j):
                        for k in (i, j):
                            tokens[k] = Token("text", "", 0, content=tokens[k].markup)
                    break
                depth -= 1
    return tokens


def parse_inline(text: str, *, soft_breaks: bool = False) -> list[Span]:
    """Markdown-ish inline text → spans. Line breaks become ``"\\n"`` (a space with ``soft_breaks``)."""
    if not text:
        return []
    if not _INLINE_MARKUP.search(text):  # most lines: nothing for the inline grammar to do
        return tidy_spans(link_bare_urls([PLAIN.span(text.replace("\n", " ") if soft_breaks else text)]))
    root = _MD.parseInline(text)[0]
    tokens = _drop_underscore_emphasis_in_words(list(root.children or []))
    stack: list[Style] = [Style()]
    spans: list[Span] = []
    for tok in tokens:
        style = stack[-1]
        kind = tok.type
        if kind == "text":
            spans.append(style.span(tok.content))
        elif kind == "code_inline":
            spans.append(replace(style, code=True).span(tok.content))
        elif kind == "softbreak":
            spans.append(style.span(" " if soft_breaks else "\n"))
        elif kind == "hardbreak":
            spans.append(style.span("\n"))
        elif kind == "em_open":
            stack.append(replace(style, italic=True))
        elif kind == "strong_open":
            stack.append(replace(style, bold=True))
        elif kind == "s_open":
            stack.append(replace(style, strike=True))
        elif kind == "link_open":
            href = str(tok.attrs.get("href", "")) or None
            stack.append(replace(style, href=href))
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
    return tidy_spans(link_bare_urls(spans))


def tidy_spans(spans: Iterable[Span]) -> list[Span]:
    """Collapse runs of spaces (code untouched), trim around line breaks and the ends, merge equal styles."""
    cleaned: list[Span] = []
    for span in spans:
        if not span.code:
            text = _SPACES_AROUND_BREAK.sub("\n", _SPACES.sub(" ", span.text))
            span = span.model_copy(update={"text": text}) if text != span.text else span
        if not span.text:
            continue
        prev = cleaned[-1] if cleaned else None
        if prev is not None and not prev.code and not span.code:
            # whitespace between two spans appears once: a break if either side had one, else a space
            lead = len(span.text) - len(span.text.lstrip(" \n"))
            if lead and prev.text[-1:] in (" ", "\n"):
                had_break = "\n" in span.text[:lead] or prev.text.endswith("\n")
                joint = "\n" if had_break else " "
                cleaned[-1] = prev = prev.model_copy(update={"text": prev.text.rstrip(" \n") + joint})
                span = span.model_copy(update={"text": span.text[lead:]})
            if not span.text:
                continue
        if prev is not None and _same_style(prev, span):
            cleaned[-1] = prev.model_copy(update={"text": prev.text + span.text})
        else:
            cleaned.append(span)
    cleaned = [s for s in cleaned if s.text]
    return _strip_ends(cleaned)


def _same_style(a: Span, b: Span) -> bool:
    if a.emoji is not None or b.emoji is not None:
        return False
    return (a.bold, a.italic, a.code, a.strike, a.href) == (b.bold, b.italic, b.code, b.strike, b.href)


def _strip_ends(spans: list[Span]) -> list[Span]:
    while spans and not spans[0].code and not spans[0].text.lstrip(" \n"):
        spans.pop(0)
    while spans and not spans[-1].code and not spans[-1].text.rstrip(" \n"):
        spans.pop()
    if spans and not spans[0].code and spans[0].text[:1] in (" ", "\n"):
        spans[0] = spans[0].model_copy(update={"text": spans[0].text.lstrip(" \n")})
    if spans and not spans[-1].code and spans[-1].text[-1:] in (" ", "\n"):
        spans[-1] = spans[-1].model_copy(update={"text": spans[-1].text.rstrip(" \n")})
    return spans


def spans_text(spans: Iterable[Span]) -> str:
    return "".join(s.text for s in spans)


def strip_prefix(spans: Sequence[Span], count: int) -> list[Span]:
    """``spans`` without their first ``count`` characters (a list marker), leading space trimmed."""
    out: list[Span] = []
    for span in spans:
        if count >= len(span.text):
            count -= len(span.text)
            continue
        if count:
            span = span.model_copy(update={"text": span.text[count:]})
            count = 0
        out.append(span)
    if out and not out[0].code:
        out[0] = out[0].model_copy(update={"text": out[0].text.lstrip()})
    return [s for s in out if s.text]


def strip_suffix(spans: Sequence[Span], count: int) -> list[Span]:
    """``spans`` without their last ``count`` characters."""
    out = list(spans)
    while out and count > 0:
        last = out.pop()
        if count < len(last.text):
            out.append(last.model_copy(update={"text": last.text[:-count]}))
        count -= len(last.text)
    return out


_SHORTCODE = re.compile(r":([A-Za-z0-9_]+):")


def with_custom_emoji(spans: Sequence[Span], emojis: Mapping[str, str]) -> list[Span]:
    """Each ``:shortcode:`` of a known custom emoji (shortcode → image URL) becomes its own span
    carrying the image; code spans are left alone."""
    if not emojis:
        return list(spans)
    out: list[Span] = []
    for span in spans:
        if span.code or span.emoji or ":" not in span.text:
            out.append(span)
            continue
        at = 0
        for m in _SHORTCODE.finditer(span.text):
            url = emojis.get(m.group(1))
            if url is None:
                continue
            if m.start() > at:
                out.append(span.model_copy(update={"text": span.text[at : m.start()]}))
            out.append(span.model_copy(update={"text": m.group(0), "emoji": url}))
            at = m.end()
        if at == 0:
            out.append(span)
        elif at < len(span.text):
            out.append(span.model_copy(update={"text": span.text[at:]}))
    return out
