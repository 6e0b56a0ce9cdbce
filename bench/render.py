"""Rendering benchmark: ms per slide by stage and totals for a 20-slide carousel, warm, one core.

    uv run python bench/render.py [--theme paper] [--runs 5] [--rich]

Stages: layout (document → display list), paint (display list → pixels), PNG and JPEG encoding,
PDF (display list → vector PDF). Totals are what a job pays: JPEG album + PDF, PNG album + PDF.
Also prints the process's peak RSS. Targets: JPEG + PDF ≤ 0.3 s, PNG + PDF ≤ 0.6 s and within 1.5×
of JPEG + PDF, PNG files no larger than Pillow's own encoder at level 1 (the encoder slides used
before), RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_JPEG_PDF = 0.2
TARGET_PNG_PDF = 0.6
TARGET_RSS_MB = 150
TARGET_PNG_OVER_JPEG = 1.5


def _one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--theme", default="paper")
    ap.add_argument("--ratio", default="4:5")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slides", type=int, default=20)
    ap.add_argument("--rich", action="store_true", help="the rich sample thread instead of plain text posts")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one JPEG + PDF run")
    args = ap.parse_args()
    _one_core()

    from contract.options import RenderOptions
    from rendering._samples import rich_thread, sample_images, text_thread
    from rendering.paint import raster
    from rendering.paint.pdf import write_pdf
    from rendering.pipeline import layout_slides
    from themes.loader import load_theme

    theme = load_theme(args.theme)
    if args.rich:
        thread, images = rich_thread(), sample_images()
    else:
        thread, images = text_thread(args.slides - 2), {}  # + cover + outro
    opts = RenderOptions(theme=args.theme, ratio=args.ratio, max_posts=100)
    if not args.rich:  # short posts share slides: add posts until the deck has the slides asked for
        n = args.slides - 2
        while len(layout_slides(thread, opts, images, theme)[1]) < args.slides and n < 80:
            n += 1
            thread = text_thread(n)

    def once() -> dict[str, float]:
        from rendering.layout import measure

        measure.runs.cache_clear()  # every carousel has new text: measure it afresh
        t = dict.fromkeys(("layout", "paint", "png", "jpeg", "pdf", "png_default", "jpeg_default"), 0.0)
        t["png_bytes"] = t["png_l1_bytes"] = 0.0
        a = time.perf_counter()
        doc, slides = layout_slides(thread, opts, images, theme)
        t["layout"] = time.perf_counter() - a
        t["slides"] = len(slides)
        for s in slides:  # one slide in memory at a time, as the pipeline does
            a = time.perf_counter()
            im = raster.paint(s)
            b = time.perf_counter()
            png = raster.encode(im, "png")
            c = time.perf_counter()
            raster.encode(im, "jpeg")
            d = time.perf_counter()
            im.save(io.BytesIO(), "PNG")  # the straightforward way: Pillow's defaults
            e = time.perf_counter()
            im.save(io.BytesIO(), "JPEG", quality=95, optimize=True)
            f = time.perf_counter()
            t["paint"] += b - a
            t["png"] += c - b
            t["jpeg"] += d - c
            t["png_default"] += e - d
            t["jpeg_default"] += f - e
            before = io.BytesIO()
            im.save(before, "PNG", compress_level=1)
            t["png_bytes"] += len(png)
            t["png_l1_bytes"] += before.tell()
        a = time.perf_counter()
        write_pdf(slides, doc.title, doc.author.name)
        t["pdf"] = time.perf_counter() - a
        return t

    def end_to_end(fmt: str) -> float:
        """What the worker pays: the public entry point, album + PDF."""
        from rendering.api import render_carousel
        from rendering.layout import measure

        measure.runs.cache_clear()
        a = time.perf_counter()
        render_carousel(thread, opts.model_copy(update={"format": fmt}), images)
        return time.perf_counter() - a

    once()  # warm: fonts, caches, background
    runs = [once() for _ in range(args.runs)]
    e2e = {fmt: statistics.median(end_to_end(fmt) for _ in range(args.runs)) for fmt in ("jpeg", "png")}
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    n = int(med["slides"])
    print(
        f"{n}-slide carousel, theme {args.theme}, {opts.size[0]}×{opts.size[1]}, "
        f"median of {args.runs} warm runs"
    )
    print(f"{'stage':<8}{'ms/slide':>10}{'total ms':>10}{'Pillow defaults':>17}{'speed-up':>10}")
    for k in ("layout", "paint", "png", "jpeg", "pdf"):
        row = f"{k:<8}{med[k] * 1000 / n:>10.1f}{med[k] * 1000:>10.0f}"
        if f"{k}_default" in med:
            base = med[f"{k}_default"]
            row += f"{base * 1000:>14.0f} ms{base / med[k]:>9.1f}×"
        print(row)
    jpeg_total = med["layout"] + med["paint"] + med["jpeg"] + med["pdf"]
    png_total = med["layout"] + med["paint"] + med["png"] + med["pdf"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'JPEG album + PDF':<20}{jpeg_total:>8.3f} s  (target {TARGET_JPEG_PDF} s, ratio "
        f"{jpeg_total / TARGET_JPEG_PDF:.2f})"
    )
    print(
        f"{'PNG album + PDF':<20}{png_total:>8.3f} s  (target {TARGET_PNG_PDF} s, ratio "
        f"{png_total / TARGET_PNG_PDF:.2f})"
    )
    print(
        f"{'PNG / JPEG':<20}{png_total / jpeg_total:>8.2f} ×  (album + PDF; target ≤ {TARGET_PNG_OVER_JPEG})"
    )
    print(
        f"{'PNG bytes':<20}{med['png_bytes'] / 1e6:>8.2f} MB "
        f"(Pillow level 1: {med['png_l1_bytes'] / 1e6:.2f} MB, "
        f"ratio {med['png_bytes'] / med['png_l1_bytes']:.2f}; target ≤ 1)"
    )
    for fmt, label in (("jpeg", "JPEG"), ("png", "PNG")):
        print(f"{'render_carousel ' + label:<20}{e2e[fmt]:>8.3f} s  (end to end through rendering.api)")
    print(f"{'peak RSS':<20}{rss:>8.0f} MB (target {TARGET_RSS_MB} MB, ratio {rss / TARGET_RSS_MB:.2f})")
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        once()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
