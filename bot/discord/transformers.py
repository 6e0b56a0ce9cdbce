"""Parsing and validation of slash-command options, kept out of the command bodies.

A transformer turns what the user typed into a checked value, or raises :class:`InputRejected`
carrying one sentence; the tree's error handler shows that sentence to the user alone (ephemeral).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import discord
from discord import app_commands

from contract.errors import ArticleLinkNeedsPost, NotAThread, NotAThreadLink
from contract.links import find_link
from contract.text import reads_as_thread
from contract.values import ValueRejected, parse_accent, parse_handle, parse_link, parse_posts
from worker.limits import DISCORD_CHOICES_MAX, DISCORD_OPTION_TEXT_MAX, MEDIA_MAX_BYTES

SourceKind = Literal["link", "text"]
PICTURE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
# types that say nothing of the bytes (no extension Discord knows): the worker reads the picture itself
UNDECLARED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})

NOT_A_PICTURE = "The {field} must be a picture (PNG, JPEG, WebP or GIF)."
PICTURE_TOO_LARGE = "The {field} picture is too large: keep it under {megabytes} MB."


class InputRejected(app_commands.AppCommandError):
    """The user's input cannot become a carousel; ``sentence`` says why."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        super().__init__(sentence)


@dataclass(frozen=True)
class ThreadSource:
    """What the job will unroll: a canonical link, or pasted text."""

    source: str
    kind: SourceKind = "link"
    others: int = 0  # further supported links in the same input (only the first is used)

    @property
    def label(self) -> str:
        return self.source if self.kind == "link" else "your text"


def source_from_link(value: str) -> ThreadSource:
    """The first supported thread link in ``value``; :class:`InputRejected` when there is none."""
    match = find_link(value)
    if match is None:
        raise InputRejected(NotAThreadLink.message)
    if match.ref.kind == "x-article-id":
        raise InputRejected(ArticleLinkNeedsPost.message)
    return ThreadSource(source=match.ref.url, kind="link", others=match.others)


def source_from_message(content: str) -> ThreadSource:
    """A message's first thread link, or its text when it reads as a pasted thread."""
    if find_link(content) is not None:
        return source_from_link(content)
    text = content.strip()
    if not text:
        raise InputRejected(NotAThreadLink.message)
    if reads_as_thread(text):
        return ThreadSource(source=text, kind="text")
    raise InputRejected(NotAThread.message)


class LinkTransformer(app_commands.Transformer):
    """``link:`` option → :class:`ThreadSource`."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> ThreadSource:
        return source_from_link(str(value))


def available_themes() -> list[tuple[str, str]]:
    """(name, label) of the preset themes, in the order the menus offer them (data files; nothing drawn)."""
    from contract.choices import choices

    return choices("theme")


class ThemeTransformer(app_commands.Transformer):
    """``theme:`` option: suggestions by label as the user types ("mid" → Midnight), checked on use.

    Autocomplete rather than fixed choices, so the list is never capped at Discord's 25 and matches
    the label or the name; the value sent is the theme's name.
    """

    def __init__(self, themes: list[tuple[str, str]]) -> None:
        self.themes = themes
        self.names = [name for name, _ in themes]

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        typed = value.strip().casefold()
        hits = [(n, label) for n, label in self.themes if typed in n.casefold() or typed in label.casefold()]
        return [
            app_commands.Choice(name=label[:DISCORD_OPTION_TEXT_MAX], value=n)
            for n, label in hits[:DISCORD_CHOICES_MAX]
        ]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        from contract.choices import typed_choice

        name = typed_choice("theme", str(value))  # a label typed in full works too
        if name not in self.names:
            labels = ", ".join(label for _, label in self.themes)
            raise InputRejected(f"There is no theme called “{value}”. Try one of: {labels}.")
        return name


def theme_transformer(themes: list[tuple[str, str]] | None = None) -> ThemeTransformer:
    return ThemeTransformer(themes if themes is not None else available_themes())


class ValueTransformer(app_commands.Transformer):
    """A string option checked by one of the contract's value parsers."""

    @staticmethod
    def parse(value: str) -> str:
        raise NotImplementedError

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        try:
            return self.parse(str(value))
        except ValueRejected as rejected:
            raise InputRejected(rejected.sentence) from None


class PostsTransformer(app_commands.Transformer):
    """``posts:`` option ``1-8,11`` → the post numbers (the one sentence of the contract when it isn't)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> tuple[int, ...]:
        try:
            return parse_posts(str(value))
        except ValueRejected as rejected:
            raise InputRejected(rejected.sentence) from None


class AccentTransformer(ValueTransformer):
    """``accent:`` option → ``#RRGGBB`` (the ``#`` may be left out)."""

    parse = staticmethod(parse_accent)


class HandleTransformer(ValueTransformer):
    """``handle:`` option → the handle without its ``@``."""

    parse = staticmethod(parse_handle)


class LinkValueTransformer(ValueTransformer):
    """``cta_link:`` option → a web link (``https://`` added when left out)."""

    parse = staticmethod(parse_link)


def picture_url(attachment: discord.Attachment, field: str) -> str:
    """The address of an uploaded brand picture, once it is known to be a picture of a usable size.

    Discord's attachment links are signed and stop working after a while; the workers download the
    picture from it when they render, and recognise it by its bytes: a file Discord gives no picture
    type (no extension it knows) is taken, and named in the result if it cannot be used.
    """
    kind = (attachment.content_type or "").split(";")[0].strip().lower()
    if kind not in PICTURE_TYPES | UNDECLARED_TYPES:  # a picture of no declared type: judged by its bytes
        raise InputRejected(NOT_A_PICTURE.format(field=field))
    if attachment.size > MEDIA_MAX_BYTES:
        raise InputRejected(PICTURE_TOO_LARGE.format(field=field, megabytes=MEDIA_MAX_BYTES // (1024 * 1024)))
    return attachment.url


def link_expired(url: str, now: float) -> bool:
    """True for a signed Discord attachment link past its expiry (``ex``: hex Unix seconds)."""
    query = parse_qs(urlsplit(url).query)
    expiry = query.get("ex")
    if not expiry or "hm" not in query:  # not a signed attachment link
        return False
    try:
        return int(expiry[0], 16) < now
    except ValueError:
        return False
