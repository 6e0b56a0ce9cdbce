"""Warm work horses: the worker parent loads everything a job needs before RQ forks a horse per job.

RQ's ``Worker`` forks a fresh work horse for every job. A horse inherits the parent's memory, so
whatever the parent imported, parsed and cached is there at once (shared copy-on-write) instead of
being rebuilt for every job: the render stack (Pillow, reportlab, the layout engine), every theme,
the static font instances and their glyph caches, emoji, Pygments styles, the sources, media and
delivery code. :func:`warm_worker` does it by rendering a small sample carousel in both formats,
which touches every cache a real job touches, then freezes the garbage collector's view of those
objects so a horse does not copy their pages just by collecting.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def import_job_stack() -> None:
    """Import every module a job runs (fetch, media, render, deliver), without doing any work."""
    import rendering.document.html  # noqa: F401  (HTML posts: BeautifulSoup)
    import rendering.layout  # noqa: F401
    import rendering.paint.pdf  # noqa: F401
    import rendering.paint.raster  # noqa: F401
    import rendering.pipeline  # noqa: F401
    import worker.cache  # noqa: F401
    import worker.delivery.discord  # noqa: F401
    import worker.delivery.telegram  # noqa: F401
    import worker.http  # noqa: F401
    import worker.jobs  # noqa: F401
    import worker.media  # noqa: F401
    import worker.sources  # noqa: F401
    import worker.sources.bluesky  # noqa: F401
    import worker.sources.mastodon  # noqa: F401
    import worker.sources.shortlinks  # noqa: F401
    from rendering.document.repair import repair_text

    repair_text("cafÃ© ﬁle")  # mojibake: loads ftfy, which clean text never needs


def warm_render_stack() -> None:
    """Fonts built, themes loaded, caches filled: one small sample carousel rendered in each format."""
    from contract.options import RenderOptions
    from rendering._samples import rich_thread, sample_images
    from rendering.api import render_carousel
    from rendering.fonts import warm_fonts
    from themes import list_themes, load_theme

    warm_fonts()
    for theme in list_themes():
        load_theme(theme.name)
    thread, images = rich_thread(), sample_images()
    for fmt in ("png", "jpeg"):
        render_carousel(thread, RenderOptions(format=fmt), images)
    forget_pictures()  # the sample's pictures are no job's: no horse should carry them


def forget_pictures() -> None:
    from rendering.paint import photos, raster

    photos.forget()
    raster.forget_pictures()


MALLOC_ARENAS = 2  # a horse's download threads share these instead of one arena (and its slack) each
M_ARENA_MAX = -8  # glibc's mallopt parameters
M_MMAP_THRESHOLD = -3
# Blocks this large or larger (a slide's canvas, a decoded photo, a mask) are mapped on their own and
# given back to the system when freed. glibc would otherwise raise the threshold after the first
# large free, and a horse would keep every freed canvas in its heap until it exits.
MMAP_THRESHOLD = 256 * 1024


def few_malloc_arenas() -> None:
    """Cap glibc's malloc arenas and fix its mmap threshold, for this process and its horses (a no-op
    where that is not glibc)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):
        return


def warm_worker() -> float:
    """Everything a work horse needs, loaded in this (the parent) process. Returns the seconds it took."""
    started = time.perf_counter()
    few_malloc_arenas()  # first: the warm-up render's canvases go back to the system, not into the heap
    import_job_stack()
    warm_render_stack()
    from worker.http import make_client

    make_client().close()  # the TLS context (CA bundle read once) and the client's own imports
    gc.collect()
    gc.freeze()  # objects made so far are never scanned again: their pages stay shared with horses
    took = time.perf_counter() - started
    log.info("worker warmed in %.2f s: horses start with the render stack loaded", took)
    return took
