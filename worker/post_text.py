"""The ready-to-paste post text of a carousel (the "📝 Caption" button under a result).

For a LinkedIn document post or an Instagram carousel: a hook line (the carousel's title), two or
three sentences from the thread, the thread's own hashtags, the credit with the source link — then,
as a message of its own, the alt text of every slide (what each picture and each slide's words say),
to paste into the platform's alt text fields.

Built only from what the worker keeps of a delivered job (the thread it rendered and the slides'
descriptions, see :class:`worker.results.RenderRecord`), so it works long after the render finished.
No I/O here: :func:`post_messages` returns the texts, cut to a platform's message limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rendering.document import build_document
from rendering.model import Author, Thread
from worker.delivery.common import ResultSummary, credit_line, ellipsize
from worker.limits import (
    INSTAGRAM_HASHTAGS_MAX,
    POST_TEXT_BODY_MAX_CHARS,
    POST_TEXT_HOOK_MAX_CHARS,
    POST_TEXT_SENTENCE_MAX_CHARS,
    POST_TEXT_SENTENCES,
    POST_TEXT_SLIDE_ALT_MAX_CHARS,
)

ALT_HEADING = "Alt text, slide by slide:"
CLOSING_SLIDE = "Closing slide."
UNDESCRIBED_PICTURE = "A picture with no description from the author."
PASTED_AUTHOR = Author(name="Thread")  # pasted text nobody signed (worker.sources.text)

# a hashtag has a letter in it (#1 is a number); not inside a word, a URL's #fragment or an entity
_HASHTAG = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
_URL = re.compile(r"https?://\S+|\bwww\.\S+")
_LINKISH = re.compile(r"https?://|\bwww\.|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")
_TRAILING_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")
_WORD = re.compile(r"\w+")
_LEADING_MARKS = re.compile(r"^[\W_]+")  # emoji (🧵), dashes, colons left in front of the words
_THREAD_MARKER = re.compile(r"^\W*(?:a\s+)?(?:(?:long|mega|short)\s+)?thread\W*$", re.IGNORECASE)


def credit_kind(thread: Thread) -> str:
    """What the credit calls the source: "text" (pasted), "article", "thread" or "post"."""
    if thread.source in ("text", "file"):
        return "text"
    if thread.source == "x-article":
        return "article"
    return "thread" if len(thread.posts) > 1 or thread.truncated else "post"


def credited_author(thread: Thread) -> tuple[str, str]:
    """(name, handle) to credit; nobody for pasted text that nobody signed."""
    if thread.source in ("text", "file") and thread.author == PASTED_AUTHOR:
        return "", ""
    return thread.author.plain_name, thread.author.handle


def source_link(thread: Thread) -> str:
    """The post the carousel was made from ("" for pasted text)."""
    if thread.source in ("text", "file"):
        return ""
    return thread.url or thread.posts[0].url or ""


def slide_descriptions(texts: Sequence[str], alts: Sequence[str]) -> list[str]:
    """Per slide, its alt text: the words on it, then what its pictures show; the last slide without
    words is the closing slide, another one a picture nobody described."""
    count = max(len(texts), len(alts))
    out = []
    for k in range(count):
        words = texts[k].strip() if k < len(texts) else ""
        seen = alts[k].strip() if k < len(alts) else ""
        parts = [words] if words else []
        if seen:
            parts.append(f"{'Pictures' if ' · ' in seen else 'Picture'}: {seen}")
        last = k == count - 1 and count > 1
        text = " ".join(parts) or (CLOSING_SLIDE if last else UNDESCRIBED_PICTURE)
        out.append(ellipsize(text, POST_TEXT_SLIDE_ALT_MAX_CHARS))
    return out


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _plain_paragraphs(thread: Thread) -> list[str]:
    """The thread's prose as plain text, post by post (HTML, entities and mojibake resolved)."""
    doc = build_document(thread)
    out = []
    for post in doc.posts:
        for block in post.blocks:
            if block.kind in ("paragraph", "heading", "bullet", "numbered", "quote"):
                text = " ".join(block.text.split())
                if text:
                    out.append(text)
    return out


def hashtags(paragraphs: Sequence[str]) -> list[str]:
    """The thread's own hashtags, in order of first use, each once (case aside), at most Instagram's 30."""
    seen: dict[str, str] = {}
    for text in paragraphs:
        for tag in _HASHTAG.findall(_URL.sub(" ", text)):
            seen.setdefault(tag.lower(), f"#{tag}")
    return list(seen.values())[:INSTAGRAM_HASHTAGS_MAX]


def split_sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences: cut after . ! ? or … where the next word does not start in lower case
    ("use the ? operator" stays whole)."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if out and piece[:1].islower():
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def sentences(paragraphs: Sequence[str], hook: str) -> list[str]:
    """Two or three whole sentences from the thread, in order, that the hook does not already say.

    A lead-in ("… like this:"), a sentence with a link (links show shortened in the thread's text), a
    bare hashtag and a sentence too long to quote are skipped; trailing hashtags are left out.
    """
    hook_words = set(_words(hook))
    picked: list[str] = []
    size = 0
    for paragraph in paragraphs:
        for raw in split_sentences(paragraph):
            text = _after_hook(_TRAILING_TAGS.sub("", raw).strip(" -–—·"), hook)
            words = _words(text)
            if len(words) < 2 or len(text) > POST_TEXT_SENTENCE_MAX_CHARS or text.endswith(":"):
                continue
            if _LINKISH.search(text):
                continue
            if set(words) <= hook_words or _THREAD_MARKER.match(text):  # the title again, "A thread 🧵"
                continue
            if len(picked) >= 2 and size + len(text) > POST_TEXT_BODY_MAX_CHARS:
                return picked
            picked.append(text)
            size += len(text) + 1
            if len(picked) == POST_TEXT_SENTENCES:
                return picked
    return picked


def _after_hook(text: str, hook: str) -> str:
    """A sentence that opens with the hook, said again: only what follows it ("How we cut our bill
    by 60% 🧵 A thread about the fixes." → "A thread about the fixes."), so the post never repeats its
    first line."""
    head = hook.rstrip("…").strip()
    if not head or not text.casefold().startswith(head.casefold()):
        return text
    rest = _LEADING_MARKS.sub("", text[len(head) :])
    return rest[:1].upper() + rest[1:] if rest else text


def post_text(thread: Thread, title: str) -> str:
    """The post: hook, sentences, hashtags, credit and link — one block of text to paste."""
    paragraphs = _plain_paragraphs(thread)
    first = title or (paragraphs[0] if paragraphs else "")
    hook = ellipsize(" ".join(first.split()), POST_TEXT_HOOK_MAX_CHARS)
    name, handle = credited_author(thread)
    summary = ResultSummary(
        title, name, handle, 0, source_url=source_link(thread), kind=credit_kind(thread)
    )
    blocks = [hook, " ".join(sentences(paragraphs, hook)), " ".join(hashtags(paragraphs))]
    blocks.append(credit_line(summary, POST_TEXT_HOOK_MAX_CHARS * 4))
    return "\n\n".join(b for b in blocks if b.strip())


def alt_text(descriptions: Sequence[str]) -> str:
    """Every slide's alt text, numbered, under one heading ("" when there are none)."""
    lines = [f"{k}. {d}" for k, d in enumerate(descriptions, start=1) if d]
    return "\n".join([ALT_HEADING, *lines]) if lines else ""


def split_message(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """``text`` in messages of at most ``limit`` (as ``measure`` counts): cut between lines, a line
    longer than a message between words."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        pieces = [line]
        if measure(line) > limit:  # one very long line: word by word
            pieces, piece = [], ""
            for word in line.split(" "):
                candidate = f"{piece} {word}" if piece else word
                if piece and measure(candidate) > limit:
                    pieces.append(piece)
                    candidate = word
                piece = ellipsize(candidate, limit) if measure(candidate) > limit else candidate
            pieces.append(piece)
        for piece in pieces:
            candidate = f"{current}\n{piece}" if current else piece
            if current and measure(candidate) > limit:
                chunks.append(current.strip("\n"))
                candidate = piece
            current = candidate
    if current.strip():
        chunks.append(current.strip("\n"))
    return [c for c in chunks if c.strip()]


def post_messages(
    thread: Thread,
    title: str,
    descriptions: Sequence[str],
    limit: int,
    measure: Callable[[str], int] = len,
) -> list[str]:
    """The post text, then the slides' alt text, as messages of at most ``limit``; the post itself
    never shares a message with the alt text, so it can be copied whole."""
    messages = split_message(post_text(thread, title), limit, measure)
    alts = alt_text(descriptions)
    if alts:
        messages += split_message(alts, limit, measure)
    return messages
