"""The font cache folder for rendering, from the operator's settings."""

from __future__ import annotations

from worker.config import get_settings


def prepare_fonts(warm: bool = False) -> None:
    """Point rendering at the operator's cache folder (``CAROUSEL_CACHE_DIR``); optionally build
    every font instance now (image build, CI, worker start)."""
    from rendering.fonts import use_cache_root, warm_fonts

    use_cache_root(get_settings().carousel_cache_dir)
    if warm:
        warm_fonts()
