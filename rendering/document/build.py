"""Thread → Document: every post's text resolved into typed blocks of styled spans.

Plain text (X, Bluesky, pasted text, files) is read line by line for its markdown-ish structure
(``#`` headings, ``>`` quotes, ``---`` separators, ``•``/``-``/``→`` bullets, ``1)``/``1.``/``1/``
items, fenced code) and each group's inline text by markdown-it (``**bold**``, ``*italic*``,
`` `code` ``, links); bare URLs become shortened links. HTML (Mastodon) is read by BeautifulSoup.
Entities and mojibake are resolved on the way in.

Conventions the layout relies on:

- a ``"\\n"`` inside a paragraph, quote or item's spans is a line break the author typed; spaces are
  collapsed and no-break spaces are ordinary spaces outside code;
- code blocks keep their text verbatim (mojibake repaired) in ``spans[0]``, language lower-case;
- bullet and numbered items carry their nesting in ``level`` (1 or 2); headings level 1 or 2;
- thread counters ("1/", "2/7", "(3/7)") at the start or end of a post are dropped: the slides number
  themselves. A post whose lines go "1/ … 2/ …" is a numbered list, not a counter;
- trailing ``t.co`` / ``pic.twitter.com`` links (the post's own media) are dropped;
- a post's media and quoted post are not turned into blocks: they stay on ``DocPost.source``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from contract.values import describe_posts
from rendering.document.inline import (
    only_tags,
    parse_inline,
    spans_text,
    strip_prefix,
    tidy_spans,
    with_custom_emoji,
)
from rendering.document.lines import Group, group_lines
from rendering.document.model import DocPost, Document, document_kind
from rendering.document.repair import repair_text
from rendering.model import Block, Post, Span, Thread

PARSE_CACHE_POSTS = 1024  # parsed posts kept per process
TITLE_MAX_CHARS = 90
TITLE_MIN_CHARS = 20  # a shorter first sentence ("Wow.") takes the next one along
TITLE_TRAILING_JUNK = " \t\n.,;:-–—/|(*•→🧵👇⬇↓\ufe0f"

_COUNTER = (
    r"(?:(?P<bracket>[(\[])(?P<a>\d{1,3})\s*/\s*(?P<b>\d{1,3}|n)[)\]]"
    r"|(?P<n>\d{1,3})/(?P<m>\d{1,3}|n)?)"
)
_LEADING_COUNTER = re.compile(r"^[ \t]*" + _COUNTER + r"(?=\s|$|[^\w\s/.,:)\]])", re.IGNORECASE)
_TRAILING_COUNTER = re.compile(r"(?P<sep>^|[ \t]+|[ \t]*\n[ \t]*)" + _COUNTER + r"[ \t]*$", re.IGNORECASE)
_TRAILING_MEDIA_LINKS = re.compile(r"(?:\s*(?:https?://t\.co/\w+|(?:https?://)?pic\.twitter\.com/\w+))+\s*$")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SENTENCE_END = re.compile(r"(?<=[.!?…🧵👇])\s+|\n+")  # a thread emoji ends the hook too
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- thread counters


def _counter_is_plausible(m: re.Match[str]) -> tuple[bool, bool]:
    """(looks like a counter at all, needs thread context to be trusted)."""
    if m.group("bracket"):
        b = m.group("b").lower()
        return b == "n" or int(m.group("a")) <= int(b), False
    denominator = m.group("m")
    if denominator is None or denominator.lower() == "n":
        return True, False
    return int(m.group("n")) <= int(denominator), True


def _has_counter(text: str) -> bool:
    first = _LEADING_COUNTER.match(text.lstrip())
    last = _TRAILING_COUNTER.search(text.rstrip())
    return bool((first and _counter_is_plausible(first)[0]) or (last and _counter_is_plausible(last)[0]))


def _next_item_follows(text: str, number: int) -> bool:
    return re.search(rf"\n[ \t]*{number + 1}/\s", text) is not None


def strip_leading_counter(text: str, *, in_counted_thread: bool) -> str:
    m = _LEADING_COUNTER.match(text)
    if not m:
        return text
    plausible, needs_context = _counter_is_plausible(m)
    if not plausible:
        return text
    rest = text[m.end() :]
    following = rest.strip()[:1]
    if (
        needs_context
        and not in_counted_thread
        and rest[:1] != "\n"
        and (following.islower() or following.isdigit())
    ):
        return text  # "1/2 of people …" at the start of a lone post is a fraction; "1/12 Here …" a counter
    if m.group("n") and m.group("m") is None and _next_item_follows(text, int(m.group("n"))):
        return text  # "1/ …\n2/ …" is a numbered list
    return rest.lstrip(" \t")


def strip_trailing_counter(text: str, *, in_counted_thread: bool) -> str:
    m = _TRAILING_COUNTER.search(text)
    if not m:
        return text
    plausible, needs_context = _counter_is_plausible(m)
    own_line = "\n" in m.group("sep") or m.start() == 0
    if not plausible or (needs_context and not in_counted_thread and not own_line):
        return text  # "rated 8/10" ends a sentence; only a thread of counted posts says otherwise
    if m.group("n") and m.group("m") is None and not own_line and not in_counted_thread:
        return text
    return text[: m.start()].rstrip()


# ---------------------------------------------------------------- plain text


def _normalize_plain(text: str) -> str:
    text = repair_text(html.unescape(text))
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    return _TRAILING_MEDIA_LINKS.sub("", text)


def _renumber(blocks: list[Block]) -> list[Block]:
    """A run of items all numbered alike ("1." "1." "1.") counts up, as markdown readers expect."""
    out = list(blocks)
    i = 0
    while i < len(out):
        if out[i].kind != "numbered":
            i += 1
            continue
        j = i
        while j < len(out) and out[j].kind == "numbered" and out[j].level == out[i].level:
            j += 1
        numbers = {b.number for b in out[i:j]}
        if j - i > 1 and len(numbers) == 1:
            start = out[i].number or 1
            for k in range(i, j):
                out[k] = out[k].model_copy(update={"number": start + k - i})
        i = j
    return out


def _plain_group_block(group: Group[str], soft_breaks: bool) -> Block | None:
    if group.kind == "separator":
        return Block(kind="separator")
    if group.kind == "code":
        code = "\n".join(group.lines).strip("\n")
        if not code.strip():
            return None
        return Block(kind="code", spans=(Span(text=code, code=True),), language=group.language)
    lines = [line.strip() for line in group.lines]
    if group.kind == "heading":
        lines = [re.sub(r"[ \t]+#+$", "", lines[0])]
    spans = parse_inline("\n".join(line for line in lines if line), soft_breaks=soft_breaks)
    if not spans:
        return None
    return Block(kind=group.kind, spans=tuple(spans), level=group.level, number=group.number)


def plain_blocks(text: str, *, soft_breaks: bool = False, in_counted_thread: bool = False) -> list[Block]:
    """Blocks of a plain-text post (markdown-ish lines, entities and mojibake resolved)."""
    text = _normalize_plain(text)
    text = strip_trailing_counter(text.strip(), in_counted_thread=in_counted_thread)
    text = strip_leading_counter(text, in_counted_thread=in_counted_thread)
    groups = group_lines(text.split("\n"), str, lambda line, n: line[n:], lambda line, n: line[:-n])
    blocks = [b for g in groups if (b := _plain_group_block(g, soft_breaks)) is not None]
    return _dedupe_separators(_renumber(blocks))


# ---------------------------------------------------------------- html


def _html_blocks(html_text: str, *, in_counted_thread: bool) -> list[Block]:
    from rendering.document.html import html_blocks  # BeautifulSoup is loaded only for HTML posts

    def first_line(spans: list[Span]) -> list[Span]:
        text = spans_text(spans)
        kept = strip_leading_counter(text, in_counted_thread=in_counted_thread)
        return strip_prefix(spans, len(text) - len(kept)) if kept != text else spans

    blocks = html_blocks(html_text, first_line)
    # a counter that ends the post ends its last paragraph
    if blocks and blocks[-1].kind == "paragraph":
        text = blocks[-1].text
        kept = strip_trailing_counter(text, in_counted_thread=in_counted_thread)
        if kept != text:
            spans = _truncate_spans(blocks[-1].spans, len(kept))
            blocks[-1] = blocks[-1].model_copy(update={"spans": tuple(spans)})
            if not spans:
                blocks.pop()
    return _dedupe_separators(_renumber(blocks))


def _truncate_spans(spans: Sequence[Span], length: int) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if length <= 0:
            break
        out.append(span if len(span.text) <= length else span.model_copy(update={"text": span.text[:length]}))
        length -= len(span.text)
    return tidy_spans(out)


# ---------------------------------------------------------------- given blocks


def _repair_block(block: Block) -> Block:
    if not block.spans:
        return block
    spans: list[Span] = []
    for span in block.spans:
        text = repair_text(html.unescape(span.text)) if not span.code else repair_text(span.text)
        spans.append(span if text == span.text else span.model_copy(update={"text": text}))
    if block.kind != "code":
        spans = tidy_spans(spans)
    return block.model_copy(update={"spans": tuple(spans)})


def _dedupe_separators(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block.kind == "separator" and out and out[-1].kind == "separator":
            continue
        out.append(block)
    return out


# ---------------------------------------------------------------- public


def blocks_for_post(
    post: Post, *, soft_breaks: bool = False, in_counted_thread: bool = False
) -> tuple[Block, ...]:
    """A post's blocks: its own ``blocks`` (text repaired) if it has any, else its text parsed.

    ``soft_breaks``: single line breaks join lines with a space (markdown files) instead of breaking.
    ``in_counted_thread``: the thread numbers its posts, so bare "3/7" counters are trusted.
    """
    blocks: tuple[Block, ...]
    if post.blocks:
        blocks = tuple(
            b for b in (_repair_block(b) for b in post.blocks) if b.spans or b.kind not in _TEXT_KINDS
        )
    elif not post.text.strip():
        blocks = ()
    else:
        blocks = _parsed_text(post.text, post.text_format, soft_breaks, in_counted_thread)
    return _dressed(post, blocks)


def _dressed(post: Post, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The post's own elements around its text: a content warning before it (never inside it, so
    a "1/" still leads the text), custom emoji as pictures in it, its poll and link card after it."""
    emojis = {e.shortcode: e.url for e in post.emojis}
    if emojis:
        blocks = tuple(
            b.model_copy(update={"spans": tuple(with_custom_emoji(b.spans, emojis))})
            if b.spans and b.kind != "code"
            else b
            for b in blocks
        )
    if not (post.content_warning or post.poll or post.card):
        return blocks
    out: list[Block] = []
    warning = repair_text(post.content_warning).strip()
    if warning:
        out.append(Block(kind="warning", spans=tuple(with_custom_emoji([Span(text=warning)], emojis))))
    out.extend(blocks)
    if post.poll is not None:
        out.append(Block(kind="poll", poll=post.poll))
    if post.card is not None:
        out.append(Block(kind="card", card=post.card))
    return tuple(out)


@lru_cache(maxsize=PARSE_CACHE_POSTS)
def _parsed_text(
    text: str, text_format: str, soft_breaks: bool, in_counted_thread: bool
) -> tuple[Block, ...]:
    # blocks are immutable, so a thread rendered again (another theme, ratio, preview) reuses them
    if text_format == "html":
        return tuple(_html_blocks(text, in_counted_thread=in_counted_thread))
    return tuple(plain_blocks(text, soft_breaks=soft_breaks, in_counted_thread=in_counted_thread))


_TEXT_KINDS = frozenset({"heading", "paragraph", "bullet", "numbered", "quote", "code"})
_NOT_TITLES = frozenset({"separator", "code", "image", "post", "warning", "poll", "card"})


def _counted_thread(posts: Sequence[Post]) -> bool:
    """At least two posts carry a thread counter: then "3/7" at a post's edge is one, not a fraction."""
    if len(posts) < 2:
        return False
    seen = 0
    for post in posts:
        if post.blocks or not post.text:
            continue
        if post.text_format == "html":
            from rendering.document.html import html_plain_text

            text = html_plain_text(post.text)
        else:
            text = post.text
        if _has_counter(text):
            seen += 1
            if seen >= 2:
                return True
    return False


def post_counter(post: Post) -> int | None:
    """The number an author gave a post ("3/", "3/12", "(3/12)"), if it carries one."""
    if post.blocks or not post.text:
        return None
    if post.text_format == "html":
        from rendering.document.html import html_plain_text

        text = html_plain_text(post.text)
    else:
        text = post.text
    m = _LEADING_COUNTER.match(text.lstrip()) or _TRAILING_COUNTER.search(text.rstrip())
    if not m or not _counter_is_plausible(m)[0]:
        return None
    return int(m.group("n") or m.group("a"))


def _trim_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    cut = False
    if len(text) > TITLE_MAX_CHARS:
        space = text.rfind(" ", 0, TITLE_MAX_CHARS)
        text = text[: space if space > TITLE_MAX_CHARS // 2 else TITLE_MAX_CHARS]
        cut = True
    text = text.rstrip(TITLE_TRAILING_JUNK).lstrip(" \t\n-–—•*→:")
    return text + "…" if cut and text else text


def _first_sentences(text: str) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    title = ""
    for part in parts:
        if title and only_tags(part):
            break  # "DMs work too. #dm": the tags are not the hook
        title = f"{title} {part}".strip()
        if len(title.rstrip(TITLE_TRAILING_JUNK)) >= TITLE_MIN_CHARS:
            break
    return title


def derive_title(thread: Thread, posts: Sequence[DocPost]) -> str:
    """The thread's own title, else the first post's opening heading or first sentence."""
    if thread.title and thread.title.strip():
        title = _trim_title(repair_text(html.unescape(thread.title)))
        if title:
            return title
    for doc_post in posts[:1]:
        for block in doc_post.blocks:
            if block.kind == "card" and block.card is not None and block.card.title.strip():
                return _trim_title(repair_text(block.card.title))  # a post that is only a link card
            if (
                block.kind in _NOT_TITLES
                or not "".join(sp.text for sp in block.spans if not sp.emoji).strip()
            ):
                continue
            shown = "".join(sp.text for sp in block.spans if sp.emoji is None)  # no ":shortcode:"
            text = shown if block.kind == "heading" else _first_sentences(shown)
            title = _trim_title(text)
            if title:
                return title
            break
    name = thread.author.plain_name or (f"@{thread.author.handle}" if thread.author.handle else "")
    return f"A thread by {name}" if name else "A thread"


def document_from_thread(thread: Thread) -> Document:
    soft_breaks = thread.source == "file"
    counted = _counted_thread(thread.posts)
    posts = tuple(
        DocPost(
            source=post,
            blocks=blocks_for_post(post, soft_breaks=soft_breaks, in_counted_thread=counted),
            number=post_counter(post) if counted else None,
        )
        for post in thread.posts
    )
    note = None
    if thread.truncated and thread.numbers is None:
        note = f"Showing the first {len(thread.posts)} of {thread.total_posts} posts."
    elif thread.truncated:
        note = f"Showing posts {describe_posts(thread.post_numbers)} of {thread.total_posts}."
    return Document(
        title=derive_title(thread, posts),
        author=thread.author,
        posts=posts,
        cover_image=thread.cover_image,
        source_url=thread.url,
        truncated_note=note,
        kind=document_kind(thread),
        total_posts=thread.total_posts if thread.truncated else None,
        counted=counted and len(posts) > 2,
    )
