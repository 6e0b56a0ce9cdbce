"""The "Next posts" control under a capped result, as both sides must spell it.

A carousel shows at most ``max_posts`` of the posts asked for (every post of the author's chain, or
the ones picked with ``posts:1-8,11``). When some are left, the worker puts one more control under
the result; pressing it makes the following carousel from the thread that job kept (nothing is
fetched again): the same options, with ``posts_offset`` moved on by ``max_posts``.

=========================================  =====================================================
``nx:{ref}:{offset}:{first}:{last}``       Telegram callback data and Discord button ``custom_id``:
                                           the job ``ref`` (:func:`~contract.rerender.job_ref`),
                                           the ``posts_offset`` of the next carousel, and the first
                                           and last post numbers it will show (for its status line)
=========================================  =====================================================

A source longer than one carousel's slides still arrives as parts, on its own; the control goes
under the last part only, and names the job the front-end submitted (the first part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contract.rerender import SEP, job_ref
from contract.values import RANGE_DASH, describe_posts
from worker.limits import DISCORD_CUSTOM_ID_MAX, TELEGRAM_CALLBACK_DATA_MAX_BYTES

NEXT_PREFIX = "nx"
NEXT_TEMPLATE = rf"{NEXT_PREFIX}:(?P<ref>[0-9A-Za-z_-]+):(?P<offset>\d+):(?P<first>\d+):(?P<last>\d+)"
LABEL_MAX_CHARS = 40  # a longer list of picked posts is named by its count
NEXT_EMOJI = "➡️"


@dataclass(frozen=True)
class NextPosts:
    """The carousel after this one: ``offset`` for its ``posts_offset``, ``numbers`` the posts it shows."""

    offset: int
    numbers: tuple[int, ...]

    @property
    def span(self) -> str:
        """``21–24`` (or ``24`` for one post): the first and last post of the next carousel."""
        first, last = self.numbers[0], self.numbers[-1]
        return str(first) if first == last else f"{first}{RANGE_DASH}{last}"

    @property
    def label(self) -> str:
        """The button: ``➡️ Next posts 21–24``, ``➡️ Next post 24``, ``➡️ Next posts 21–30, 35``."""
        if len(self.numbers) == 1:
            return f"{NEXT_EMOJI} Next post {self.numbers[0]}"
        text = f"{NEXT_EMOJI} Next posts {describe_posts(self.numbers)}"
        return text if len(text) <= LABEL_MAX_CHARS else f"{NEXT_EMOJI} Next {len(self.numbers)} posts"


@dataclass(frozen=True)
class NextRequest:
    job: str  # compact job reference
    offset: int
    first: int
    last: int

    @property
    def data(self) -> str:
        """The control's callback data / ``custom_id`` again."""
        return SEP.join((NEXT_PREFIX, self.job, str(self.offset), str(self.first), str(self.last)))

    @property
    def span(self) -> str:
        """``posts 21–24``, or ``post 24``: what the next carousel shows, for its status line."""
        if self.first == self.last:
            return f"post {self.first}"
        return f"posts {self.first}{RANGE_DASH}{self.last}"


def next_posts_data(job_id: str, following: NextPosts) -> str:
    """Telegram callback data / Discord ``custom_id``; raises when either platform would refuse it."""
    data = SEP.join(
        (
            NEXT_PREFIX,
            job_ref(job_id),
            str(following.offset),
            str(following.numbers[0]),
            str(following.numbers[-1]),
        )
    )
    if len(data.encode()) > min(TELEGRAM_CALLBACK_DATA_MAX_BYTES, DISCORD_CUSTOM_ID_MAX):
        raise ValueError(f"next-posts data {data!r} is over {TELEGRAM_CALLBACK_DATA_MAX_BYTES} bytes")
    return data


def parse_next_posts(data: str) -> NextRequest | None:
    match = re.fullmatch(NEXT_TEMPLATE, data)
    if match is None:
        return None
    return NextRequest(
        job=match["ref"], offset=int(match["offset"]), first=int(match["first"]), last=int(match["last"])
    )


def telegram_next_button(job_id: str, following: NextPosts) -> dict:
    """The button as Bot API JSON (one row of an ``inline_keyboard``)."""
    return {"text": following.label, "callback_data": next_posts_data(job_id, following)}
