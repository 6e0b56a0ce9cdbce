"""Which posts of a thread a carousel shows: the ones asked for, after the ones shown before, capped.

The job and ``carousel render`` alike: ``options.posts`` picks posts by number (every post when
None), ``options.posts_offset`` skips the ones earlier carousels showed (the "Next posts" button),
and ``options.max_posts`` caps the rest. What is left after the cap is the next carousel's.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.errors import UserError
from contract.next_posts import NextPosts
from contract.options import RenderOptions
from contract.values import POSTS_OUT_OF_RANGE
from rendering.model import Thread

NO_MORE_POSTS = "That thread has no posts after post {last}, so there is nothing more to show."


@dataclass(frozen=True)
class Selection:
    thread: Thread  # the posts this carousel shows
    following: NextPosts | None  # the next carousel's posts, when the cap left some out


def choose_posts(thread: Thread, options: RenderOptions) -> Selection:
    """``thread`` is the whole thread (no cap applied); each problem is one sentence."""
    count = len(thread.posts)
    asked = options.posts if options.posts is not None else tuple(range(1, count + 1))
    if asked[-1] > count:
        raise UserError(POSTS_OUT_OF_RANGE.format(count=count))
    rest = asked[options.posts_offset :]
    if not rest:
        raise UserError(NO_MORE_POSTS.format(last=asked[-1]))
    shown = rest[: options.max_posts]
    left = rest[options.max_posts :]
    following = None
    if left:
        following = NextPosts(
            offset=options.posts_offset + len(shown), numbers=left[: options.max_posts]
        )
    return Selection(thread=thread.picked(shown), following=following)
