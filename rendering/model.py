"""Source-neutral thread model: what every source produces and the renderer consumes.

Plain immutable values (pydantic, frozen) so a Thread can be cached as JSON and carried between
processes. Media are referenced by URL; the bytes are resolved before layout (see ``Assets``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomEmoji(_Value):
    """A custom emoji (Mastodon): ``:shortcode:`` in the text stands for the image at ``url``."""

    shortcode: str  # without the colons
    url: str


class Author(_Value):
    name: str
    handle: str = ""  # without the leading "@"
    avatar_url: str | None = None
    url: str | None = None
    emojis: tuple[CustomEmoji, ...] = ()  # custom emoji in ``name``

    @property
    def plain_name(self) -> str:
        """The name as text, without its custom emoji shortcodes (":verified:")."""
        name = self.name
        for e in self.emojis:
            name = name.replace(f":{e.shortcode}:", " ")
        return " ".join(name.split()) or self.name


class Media(_Value):
    kind: Literal["photo", "video", "gif"] = "photo"
    url: str  # for video: the thumbnail image URL
    width: int | None = None
    height: int | None = None
    alt: str = ""


class LinkCard(_Value):
    """A link preview as the platform shows it under a post: image, site, title, description."""

    url: str
    title: str = ""
    description: str = ""
    image: Media | None = None
    site: str = ""  # the site or provider as shown ("youtube.com", "The Guardian")
    video: bool = False  # a player card (a YouTube link): the image is drawn with a play badge


class PollOption(_Value):
    label: str
    votes: int = 0
    percent: float = 0.0  # of the votes, 0-100, as the platform rounds it


class Poll(_Value):
    options: tuple[PollOption, ...] = Field(min_length=1)
    total_votes: int = 0
    closed: bool = False  # final results
    ends_at: datetime | None = None


class Span(_Value):
    """A run of inline text with one style. A custom emoji is a span whose ``text`` is its
    ``:shortcode:`` (what a PDF keeps as text) and whose ``emoji`` is the image URL drawn instead."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None
    emoji: str | None = None


BlockKind = Literal[
    "heading",  # level 1 or 2
    "paragraph",
    "bullet",
    "numbered",  # number in `number`
    "quote",
    "code",  # text in spans[0].text, language in `language`
    "image",  # media in `media`
    "separator",  # starts a new section
    "post",  # an embedded / quoted post, in `post`
    "card",  # a link preview, in `card`
    "poll",  # a poll, in `poll`
    "warning",  # a content warning shown before the post's text (spans)
]


class Block(_Value):
    kind: BlockKind
    spans: tuple[Span, ...] = ()
    level: int = 1
    number: int | None = None
    language: str | None = None
    media: Media | None = None
    post: Post | None = None
    card: LinkCard | None = None
    poll: Poll | None = None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


class Post(_Value):
    """One post of a thread.

    ``text`` is the post's text as the source gives it: plain text that may carry markdown-ish lines,
    HTML (``text_format="html"``), entities and mojibake; the document builder resolves all of it.
    A source that already has structure (an X Article) fills ``blocks`` instead, and they win.
    ``content_warning`` is shown before the text, never inside it; ``emojis`` are the custom emoji
    the text may name as ``:shortcode:``. A quote that could not be shown (deleted, blocked) is a
    post with ``unavailable`` set.
    """

    id: str
    url: str | None = None
    author: Author
    text: str = ""
    text_format: Literal["plain", "html"] = "plain"
    blocks: tuple[Block, ...] = ()
    media: tuple[Media, ...] = ()
    quote: Post | None = None
    created_at: datetime | None = None
    card: LinkCard | None = None
    poll: Poll | None = None
    emojis: tuple[CustomEmoji, ...] = ()
    content_warning: str = ""
    unavailable: bool = False


class Thread(_Value):
    source: Literal["x", "x-article", "bluesky", "mastodon", "text", "file"] = "x"
    url: str | None = None
    title: str | None = None  # the article title, if any
    author: Author
    posts: tuple[Post, ...] = Field(min_length=1)
    cover_image: Media | None = None
    total_posts: int | None = None  # the thread's length before any cap was applied
    # the posts' numbers in the whole thread (from 1) when they are not its first ones (a pick, or
    # a later window); None: posts 1, 2, 3 …
    numbers: tuple[int, ...] | None = None

    @property
    def truncated(self) -> bool:
        return self.total_posts is not None and self.total_posts > len(self.posts)

    @property
    def post_numbers(self) -> tuple[int, ...]:
        """Each post's number in the whole thread, from 1."""
        return self.numbers if self.numbers is not None else tuple(range(1, len(self.posts) + 1))

    def capped(self, max_posts: int) -> Thread:
        """The first ``max_posts`` posts, remembering how long the thread was."""
        if len(self.posts) <= max_posts:
            return self
        numbers = self.numbers[:max_posts] if self.numbers is not None else None
        return self.model_copy(
            update={
                "posts": self.posts[:max_posts],
                "total_posts": self.total_posts or len(self.posts),
                "numbers": numbers,
            }
        )

    def picked(self, numbers: tuple[int, ...]) -> Thread:
        """The posts numbered ``numbers`` (from 1, each within the thread), remembering how long it was."""
        if numbers == tuple(range(1, len(self.posts) + 1)):
            return self
        count = len(self.posts)
        first_ones = numbers == tuple(range(1, len(numbers) + 1))
        return self.model_copy(
            update={
                "posts": tuple(self.posts[n - 1] for n in numbers),
                "total_posts": self.total_posts or count,
                "numbers": None if first_ones else numbers,
            }
        )

    def authored_by(self, author: Author) -> Thread:
        """The same thread signed by ``author`` (pasted text takes the brand's identity)."""
        posts = tuple(
            p.model_copy(update={"author": author}) if p.author == self.author else p for p in self.posts
        )
        return self.model_copy(update={"author": author, "posts": posts})

    def media(self) -> list[Media]:
        """Every image the renderer may need, avatars and quotes included, in order, without repeats."""
        seen: dict[str, Media] = {}
        if self.author.avatar_url:
            seen.setdefault(self.author.avatar_url, Media(url=self.author.avatar_url))
        for e in self.author.emojis:
            seen.setdefault(e.url, Media(url=e.url))
        if self.cover_image:
            seen.setdefault(self.cover_image.url, self.cover_image)

        def walk(post: Post) -> None:
            if post.author.avatar_url:
                seen.setdefault(post.author.avatar_url, Media(url=post.author.avatar_url))
            for m in post.media:
                seen.setdefault(m.url, m)
            if post.card and post.card.image:
                seen.setdefault(post.card.image.url, post.card.image)
            for e in (*post.author.emojis, *post.emojis):
                seen.setdefault(e.url, Media(url=e.url))
            for b in post.blocks:
                if b.media:
                    seen.setdefault(b.media.url, b.media)
                if b.post:
                    walk(b.post)
                if b.card and b.card.image:
                    seen.setdefault(b.card.image.url, b.card.image)
            if post.quote:
                walk(post.quote)

        for p in self.posts:
            walk(p)
        return list(seen.values())


Block.model_rebuild()
