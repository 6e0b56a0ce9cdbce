"""Rendering: a Thread becomes a carousel — pure and synchronous, no network, no queue, no platform.

Stages, each a subpackage, each importing only the ones before it:

- ``document/`` — every post's text resolved into typed blocks (HTML, markdown-ish lines, mojibake);
- ``compose/``  — the storyboard: which ideas go on which slide, with which template, and the parts of
  a long source (at most 20 slides a carousel);
- ``layout/``   — measured rows, templates and the deck's type scale → display-list slides;
- ``paint/``    — display list → PNG/JPEG (Pillow) and vector PDF (reportlab).

``model`` (the input Thread), ``options`` (what the user chose), ``display`` (the display list) and
``fonts`` are shared by the stages. This module is the public surface and stays light: the engine is
imported when a render starts.
"""

from __future__ import annotations

from contract.options import Brand, RenderOptions
from rendering.api import render_carousel
from rendering.model import Author, Block, Media, Post, Span, Thread
from rendering.result import Carousel, Progress

__all__ = [
    "Author",
    "Block",
    "Brand",
    "Carousel",
    "Media",
    "Post",
    "Progress",
    "RenderOptions",
    "Span",
    "Thread",
    "render_carousel",
]
