"""What a job and ``carousel render`` check before rendering, each failure one sentence.

* the options: brand and closing-slide texts within their caps, a CTA link that is a web link;
* the thread: something visible to lay out (a post of only spaces or zero-width characters is
  nothing). Links a source puts in posts are not refused here: the PDF writer leaves any link that is
  not a web link out of the document (its text stays), see rendering/pdf.py.
"""

from __future__ import annotations

import html
import re

from contract.errors import EmptyThread, TextTooLong, UnsafeLink
from contract.options import RenderOptions
from contract.values import is_web_link, text_limit
from rendering.model import Thread

# whitespace and the invisible characters a post can be made of (zero-width space/joiners, marks, BOM)
_INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]+")

_TEXT_FIELDS = (
    ("cta_text", lambda o: o.cta_text),
    ("brand.name", lambda o: o.brand.name),
    ("brand.handle", lambda o: o.brand.handle),
    ("brand.footer", lambda o: o.brand.footer),
)


def check_options(options: RenderOptions) -> None:
    for field, get in _TEXT_FIELDS:
        value = get(options)
        if value and len(value) > text_limit(field):
            raise TextTooLong()
    if options.cta_link and not is_web_link(options.cta_link):
        raise UnsafeLink()


_TAG = re.compile(r"<[^>]*>")


def visible(text: str, text_format: str = "plain") -> bool:
    if text_format == "html":
        text = html.unescape(_TAG.sub("", text))
    return bool(_INVISIBLE.sub("", text))


def check_thread(thread: Thread) -> None:
    """Raise EmptyThread unless some post has visible text, blocks or media, or a quoted post."""
    for post in thread.posts:
        if visible(post.text, post.text_format) or post.media or post.blocks or post.quote:
            return
    if thread.cover_image is not None:
        return
    raise EmptyThread()
