"""Platform-neutral pieces of delivery: captions, file names, album splitting, photo fitting."""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

from contract.choices import CHOICE_FIELDS, choice_label
from contract.next_posts import NextPosts
from contract.options import FIELD_LABELS
from contract.values import describe_posts
from worker.limits import PDF_FILENAME_MAX_CHARS

ELLIPSIS = "…"
DEFAULT_STEM = "carousel"


class DeliveryDeferred(Exception):
    """A result is partly sent; the rest may go after ``seconds``. ``state`` (JSON) says where it stopped.

    Raised instead of sleeping for a chat's pace, so the worker can hand the rest to a later job.
    """

    def __init__(self, seconds: float, state: dict) -> None:
        super().__init__(f"rest of the delivery in {seconds:.1f} s")
        self.seconds = seconds
        self.state = state


@dataclass(frozen=True)
class ResultSummary:
    """What a caption says about a carousel."""

    title: str
    author_name: str
    author_handle: str
    slide_count: int
    posts_shown: int | None = None  # posts on the slides
    posts_total: int | None = None  # posts in the thread, when it was longer than the cap
    alts: tuple[str, ...] = ()  # per slide, what its pictures show ("" for none): the album's alt text
    # pictures the slides had to go without: (what, why), what "avatar"/"logo" (the brand kit's) or
    # "picture" (the thread's), why as worker.media names it; the result names them to the user
    unusable: tuple[tuple[str, str], ...] = ()
    source_url: str = ""  # the post the carousel was made from ("" for pasted text)
    kind: str = ""  # what the credit calls it: "thread", "post", "article", "text" ("": just "by …")
    # a re-render: what differs from the first carousel of the source, as (field, value) pairs
    changed: tuple[tuple[str, str], ...] = ()
    delivery: str = "album"  # how the slides are sent: album, files or zip (contract.options.DELIVERIES)
    post_numbers: tuple[int, ...] = ()  # the posts' numbers when they are not the thread's first ones
    next_offset: int | None = None  # the "Next posts" control: the next carousel's posts_offset…
    next_numbers: tuple[int, ...] = ()  # …and the posts it shows (none: the cap left nothing out)
    controls_of: str | None = None  # the job the controls under the result name (a later part: part 1's)

    @property
    def truncated(self) -> bool:
        return bool(self.posts_total and self.posts_shown and self.posts_total > self.posts_shown)

    @property
    def following(self) -> NextPosts | None:
        """The carousel after this one, when the cap left posts out."""
        if self.next_offset is None or not self.next_numbers:
            return None
        return NextPosts(offset=self.next_offset, numbers=tuple(self.next_numbers))

    def shown_posts(self) -> str:
        """`` · first 20 of 24 posts`` or `` · posts 21–24 of 24`` when not every post is shown."""
        if not self.truncated:
            return ""
        if self.post_numbers:
            return f" · posts {describe_posts(tuple(self.post_numbers))} of {self.posts_total}"
        return f" · first {self.posts_shown} of {self.posts_total} posts"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def ellipsize(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units, ending with "…" when cut (on a word if close)."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for ch in text:
        size = utf16_len(ch)
        if used + size > budget:
            break
        out.append(ch)
        used += size
    cut = "".join(out)
    space = cut.rfind(" ")
    if space >= len(cut) * 3 // 4:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + ELLIPSIS


def slide_word(count: int) -> str:
    return f"{count} slide" if count == 1 else f"{count} slides"


CREDIT_WORDS = {"thread": "Thread by", "post": "Post by", "article": "Article by", "text": "Written by"}
CHANGED_PREFIX = "Re-rendered: "


def author_credit(summary: ResultSummary) -> str:
    """"Ada Lovelace (@ada)", "@ada", "Ada Lovelace", or "" when nobody is known."""
    name, handle = summary.author_name.strip(), summary.author_handle.strip().lstrip("@")
    if name and handle:
        return f"{name} (@{handle})"
    return name or (f"@{handle}" if handle else "")


def credit_line(summary: ResultSummary, limit: int, *, link: Callable[[str], str] = str) -> str:
    """"Thread by Ada Lovelace (@ada) · https://x.com/ada/status/1": who made it, and where it is.

    ``link`` dresses the URL for the platform (Discord: ``<url>``, no preview). The URL is never cut:
    when it does not fit ``limit`` it is left out; the name gives way first.
    """
    who = author_credit(summary)
    url = summary.source_url.strip()
    tail = f" · {link(url)}" if url else ""
    if utf16_len(tail) > limit // 2:
        tail = ""
    if not who:
        return f"Source: {link(url)}" if tail else ""
    words = CREDIT_WORDS.get(summary.kind, "by")
    return ellipsize(f"{words} {who}", limit - utf16_len(tail)) + tail


def changed_pairs(summary: ResultSummary) -> list[tuple[str, str]]:
    """``summary.changed`` as pairs (it arrives as lists when it went through JSON)."""
    return [(str(p[0]), str(p[1])) for p in summary.changed if len(p) == 2]


def changed_line(summary: ResultSummary) -> str:
    """"Re-rendered: theme Midnight, ratio 1:1" — what this carousel changed from the first one."""
    parts = []
    for field, value in changed_pairs(summary):
        shown = value if field == "ratio" else choice_label(field, value) if field in CHOICE_FIELDS else value
        parts.append(f"{FIELD_LABELS.get(field, field)} {shown}")
    return CHANGED_PREFIX + ", ".join(parts) if parts else ""


def count_line(summary: ResultSummary) -> str:
    """"11 slides" and, when not every post is shown, "first 20 of 40 posts" (or "posts 21–40 of 40")."""
    return slide_word(summary.slide_count) + summary.shown_posts()


def caption_text(summary: ResultSummary, limit: int) -> str:
    """Title; credit and source link; slide count; what a re-render changed; then what the pictures
    show. The title gives way first when the limit is tight, then the pictures' lines."""
    lines = [
        line
        for line in (
            credit_line(summary, limit // 2),
            ellipsize(count_line(summary), limit // 4),
            ellipsize(changed_line(summary), limit // 4),
        )
        if line
    ]
    tail = "\n".join(lines)
    title = summary.title.strip()
    text = f"{ellipsize(title, limit - utf16_len(tail) - 1)}\n{tail}" if title else tail
    # what the pictures show, slide by slide, while there is room (the slides never print it)
    for k, alt in enumerate(summary.alts, start=1):
        line = f"\n🖼 {k}: {alt.strip()}" if alt and alt.strip() else ""
        if line and utf16_len(text) + utf16_len(line) <= limit:
            text += line
    return text


# What the user hears about a brand picture the slides went without, and how to send it again
PICTURE_PROBLEMS: dict[str, str] = {
    "unreadable": "The brand kit's {what} could not be read as a picture — send it again with {command}.",
    "too_large": "The brand kit's {what} is too large to use — send a smaller one with {command}.",
    "unavailable": "The brand kit's {what} could not be downloaded — send it again with {command}.",
}
THREAD_PICTURES_MISSING = "{count} from the thread could not be loaded, so the slides go without {them}."


def unusable_notes(unusable: tuple[tuple[str, str], ...] | list, command: str) -> list[str]:
    """One sentence per brand picture the slides went without, and one for the thread's pictures.

    ``command``: how to send a brand picture again on this platform, with ``{what}`` in it
    (Telegram "/brand {what}", Discord "the {what} option of /brand").
    """
    notes: list[str] = []
    lost = 0
    for what, why in unusable:
        if what in ("avatar", "logo"):
            template = PICTURE_PROBLEMS.get(why, PICTURE_PROBLEMS["unavailable"])
            notes.append(template.format(what=what, command=command.format(what=what)))
        else:
            lost += 1
    if lost:
        count = "1 picture" if lost == 1 else f"{lost} pictures"
        notes.append(THREAD_PICTURES_MISSING.format(count=count, them="it" if lost == 1 else "them"))
    return notes


def safe_filename(title: str, extension: str, max_chars: int = PDF_FILENAME_MAX_CHARS) -> str:
    """A portable file name from a title: "How LLM inference works!" → "how-llm-inference-works.pdf"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(stem) > max_chars:
        stem = stem[:max_chars]
        if "-" in stem[max_chars // 2 :]:
            stem = stem[: stem.rfind("-")]
        stem = stem.strip("-")
    return f"{stem or DEFAULT_STEM}.{extension}"


def changed_slug(summary: ResultSummary) -> str:
    """A re-render's changes for a file name: theme midnight, ratio 1:1 → "midnight-1x1"."""
    words = []
    for field, value in changed_pairs(summary):
        word = value.replace(":", "x")
        words.append(word if field in ("theme", "ratio", "format") else f"{field} {word}")
    ascii_text = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


POSTS_SLUG_MAX_CHARS = 24  # a longer list of picked posts is named by its first and last


def posts_slug(summary: ResultSummary) -> str:
    """Posts that are not the thread's first ones, for a file name: 21–24 → "posts-21-24"."""
    numbers = tuple(summary.post_numbers)
    if not numbers:
        return ""
    slug = "posts-" + re.sub(r"[^0-9]+", "-", describe_posts(numbers)).strip("-")
    return slug if len(slug) <= POSTS_SLUG_MAX_CHARS else f"posts-{numbers[0]}-{numbers[-1]}"


def result_filename(summary: ResultSummary, extension: str) -> str:
    """The title as a file name; a title with no Latin letters falls back to the author's handle.

    A re-render adds what it changed ("…-midnight-1x1.pdf"), and the following posts of a long thread
    say which they are ("…-posts-21-24.pdf"), so two carousels never share a name.
    """
    suffix = "-".join(part for part in (posts_slug(summary), changed_slug(summary)) if part)
    room = PDF_FILENAME_MAX_CHARS - (len(suffix) + 1 if suffix else 0)
    name = safe_filename(summary.title, extension, max(room, 8))
    if name == f"{DEFAULT_STEM}.{extension}" and summary.author_handle:
        name = safe_filename(f"{summary.author_handle} {DEFAULT_STEM}", extension, max(room, 8))
    if suffix:
        name = f"{name.removesuffix(f'.{extension}')}-{suffix}.{extension}"
    return name


def split_groups(count: int, group_max: int, group_min: int) -> list[int]:
    """Sizes of consecutive album groups: as few as possible, balanced, none below ``group_min``.

    11 → [6, 5]; 21 → [7, 7, 7]; 1 → [1] (a single item cannot be a group: send it alone).
    """
    if count <= 0:
        return []
    groups = math.ceil(count / group_max)
    base, extra = divmod(count, groups)
    sizes = [base + 1] * extra + [base] * (groups - extra)
    if count >= group_min:
        assert all(group_min <= s <= group_max for s in sizes)
    return sizes


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_dimension_sum: int
    max_ratio: float


@dataclass(frozen=True)
class FittedPhoto:
    data: bytes
    mime: str
    extension: str
    reencoded: bool


def image_kind(data: bytes) -> tuple[str, str]:
    """(mime type, extension) of encoded image bytes."""
    if data.startswith(b"\x89PNG"):
        return "image/png", "png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg", "jpg"
    return "application/octet-stream", "bin"


ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry's time: the same slides always make the same ZIP


def slide_filename(index: int, data: bytes) -> str:
    """``slide-01.png``: the slide's number and the extension of its bytes."""
    return f"slide-{index:02d}.{image_kind(data)[1]}"


def slides_zip(slides: Sequence[bytes]) -> bytes:
    """One ZIP of the slides as made, in order (stored: PNG and JPEG are compressed already)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, data in enumerate(slides, start=1):
            archive.writestr(zipfile.ZipInfo(slide_filename(index, data), date_time=ZIP_DATE), data)
    return out.getvalue()


class PhotoTooOdd(ValueError):
    """A slide whose shape no photo can take (aspect ratio beyond the platform's limit)."""


def fit_photo(data: bytes, limits: PhotoLimits, jpeg_qualities: tuple[int, ...]) -> FittedPhoto:
    """The slide as it can be sent as a photo: unchanged when within limits, else scaled and/or JPEG."""
    mime, ext = image_kind(data)
    with Image.open(io.BytesIO(data)) as probe:
        width, height = probe.size
    if max(width, height) / max(1, min(width, height)) > limits.max_ratio:
        raise PhotoTooOdd(f"slide of {width}x{height} exceeds the photo aspect ratio limit")
    fits_size = width + height <= limits.max_dimension_sum
    if fits_size and len(data) <= limits.max_bytes:
        return FittedPhoto(data, mime, ext, reencoded=False)
    with Image.open(io.BytesIO(data)) as opened:
        image: Image.Image = opened.convert("RGB")
    if not fits_size:
        scale = limits.max_dimension_sum / (width + height)
        image = image.resize(
            (max(1, int(width * scale)), max(1, int(height * scale))), Image.Resampling.LANCZOS
        )
    for quality in jpeg_qualities:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= limits.max_bytes:
            return FittedPhoto(out.getvalue(), "image/jpeg", "jpg", reencoded=True)
    while True:  # still too big at the lowest quality: shrink until it fits
        smaller = (max(1, image.width * 3 // 4), max(1, image.height * 3 // 4))
        image = image.resize(smaller, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=jpeg_qualities[-1], optimize=True)
        if out.tell() <= limits.max_bytes:
            return FittedPhoto(out.getvalue(), "image/jpeg", "jpg", reencoded=True)
