"""The one entry point the CLI, the worker and the tests call.

Pure and synchronous: no network, no queue, no platform types. Images are resolved by the caller
(``images`` maps a media URL to a decoded Pillow image); a URL missing from it is drawn as a
neutral placeholder, never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image

from contract.options import RenderOptions
from rendering.model import Thread
from rendering.result import Carousel, Progress
from themes.schema import Theme

__all__ = ["Carousel", "Progress", "render_carousel"]


def render_carousel(
    thread: Thread,
    options: RenderOptions,
    images: Mapping[str, Image.Image] | None = None,
    progress: Progress | None = None,
    theme: Theme | None = None,
    part: int | None = None,
) -> Carousel:
    """``theme``: a theme given as data (a brand's own file); None: the preset ``options.theme``.
    ``part``: only that part of a source longer than one carousel is painted (a job sends one part);
    None: every part (the first, the others in ``Carousel.more``)."""
    from rendering.pipeline import render  # the engine; imported lazily to keep this module light

    return render(thread, options, images or {}, progress, theme, part)
