"""Failures a user should hear about, each as one clear sentence.

Anything raised inside a job that is a ``UserError`` reaches the chat with its ``message``; anything
else reaches the chat as a generic sentence and the log as a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """An expected failure with a sentence for the user."""

    message = "Something went wrong while making your carousel."

    def __init__(self, message: str | None = None) -> None:
        if message:
            self.message = message
        super().__init__(self.message)


class NotAThreadLink(UserError):
    message = "That is not a thread link I can read; send an X, Bluesky or Mastodon post link."


class PostNotFound(UserError):
    message = "I couldn't find that post: it may have been deleted or the link is wrong."


class PostPrivate(UserError):
    message = "That post is private or protected, so I can't read it."


class RateLimited(UserError):
    message = "The thread source is rate-limiting me right now, so please try again in a minute."


class SourceUnavailable(UserError):
    message = "The thread source didn't answer, so please try again in a moment."


class SourceTooLarge(UserError):
    message = "The thread source sent far more data than a thread needs, so I stopped reading it."


class SourceTooSlow(UserError):
    message = "The thread source answered too slowly, so please try again in a moment."


class ArticleUnavailable(UserError):
    message = "That X Article's text isn't available, so send the link of the post that shares it instead."


class BadInput(UserError):
    message = "I couldn't read that input."


class SourceUnreadable(UserError):
    message = "The thread source answered with something I couldn't read, so please try again later."


class EmptyThread(UserError):
    message = "That thread has no text or pictures I can lay out, so there is nothing to make a carousel of."


class UnsafeLink(UserError):
    message = "Only http:// and https:// links can go into a carousel, so give the link as https://…"


class TextTooLong(UserError):
    message = "That brand or closing-slide text is too long for a carousel, so please shorten it."


GENERIC_FAILURE = "Sorry, something went wrong while making your carousel; please try again."
# a job whose worker process died twice while making it (out of memory, a crash in a library)
POISON_FAILURE = (
    "Sorry, that carousel crashed my renderer twice, so I gave up on it; try fewer posts or another link."
)
# a job that vanished from Redis before it finished (Redis restarted without persistence, or wiped)
JOB_LOST = "Sorry, I lost your link while my queue was restarting, so please send it again."
MEMORY_FAILURE = (
    "Sorry, that thread needs more memory than one carousel may use; try fewer posts or another link."
)


class PostDeleted(PostNotFound):
    message = "That post has been deleted, so I can't read it."


class AccountUnavailable(PostNotFound):
    message = "That post's account is suspended or unavailable, so I can't read it."


class ArticleLinkNeedsPost(ArticleUnavailable):
    message = (
        "That is an X Article link, which I can't open directly, so send the link of the post "
        "that shares the article (x.com/handle/status/…)."
    )


class NotAThread(UserError):
    message = (
        "That text isn't a thread I can lay out; send a post link, or paste several paragraphs "
        "separated by blank lines."
    )


class ShortLinkUnsupported(NotAThreadLink):
    message = (
        "That t.co short link doesn't lead to an X, Bluesky or Mastodon post I can read, so send "
        "the post's own link."
    )


class PostRemoved(PostDeleted):
    message = "That post has been deleted or withheld, so I can't read it."


class HostRefused(NotAThreadLink):
    message = "That link leads to a server that isn't on the public internet, so I won't read it."
