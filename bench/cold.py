"""Cold start benchmark: `carousel render` of a 20-post thread in a fresh process, against a minimal
Pillow + reportlab process drawing the same number of slides.

    python3 -m uv run python bench/cold.py [--posts 20] [--runs 5]

The thread is a local FxTwitter-shaped .json file (no network), made from samples/sample-thread.json
with ``--posts`` posts of about forty words. The minimal renderer imports only Pillow and reportlab,
wraps each post's text on a plain 1080×1350 slide in the same font file, and writes the slides and a
PDF with the same text: what any renderer must pay. Printed per format: the median wall time of
each, their ratio (target ≤ 1.6), and the modules `carousel render` imported that a local render does
not need (a Redis client, chat libraries, an HTTP client: target none).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.6
NOT_NEEDED = ("redis", "rq", "httpx", "telegram", "discord", "pydantic_settings")
WORDS = [
    *("latency", "batching", "memory", "cache", "token", "decode", "prefill", "kernel", "scheduler"),
    *("throughput", "queue", "replica", "shard", "tensor", "bandwidth", "layer", "attention", "budget"),
]

MINIMAL = r'''
import json, sys, textwrap
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

source, font_path, out, fmt, count = sys.argv[1:6]
posts = [s["text"] for s in json.load(open(source))["thread"]]
slides = (posts * int(count))[: int(count)]
font = ImageFont.truetype(font_path, 44)
pdfmetrics.registerFont(TTFont("Body", font_path))
pdf = Canvas(f"{out}/carousel.pdf", pagesize=(1080, 1350))
for i, text in enumerate(slides, start=1):
    lines = textwrap.wrap(text, 36)
    im = Image.new("RGB", (1080, 1350), (250, 248, 244))
    d = ImageDraw.Draw(im)
    pdf.setFont("Body", 44)
    for k, line in enumerate(lines):
        d.text((90, 160 + k * 62), line, font=font, fill=(20, 20, 20))
        pdf.drawString(90, 1350 - 200 - k * 62, line)
    pdf.showPage()
    if fmt == "jpeg":
        im.save(f"{out}/slide-{i:02d}.jpg", "JPEG", quality=90)
    else:
        im.save(f"{out}/slide-{i:02d}.png", "PNG")
pdf.save()
'''


def make_thread(posts: int, path: Path) -> None:
    sample = json.loads((ROOT / "samples" / "sample-thread.json").read_text())
    template = sample["thread"][1]
    thread = []
    for i in range(posts):
        status = copy.deepcopy(template)
        status["id"] = str(1_800_000_000_000_001_000 + i)
        status["url"] = f"https://x.com/mayabuilds/status/{status['id']}"
        text = f"{i + 1}/ " + " ".join(random.choice(WORDS) for _ in range(40)).capitalize() + "."
        status["text"] = text
        status["raw_text"] = {"text": text, "display_text_range": [0, len(text)], "facets": []}
        status["media"] = {}
        status["quote"] = None
        status["replying_to"] = thread[-1]["id"] if thread else None
        thread.append(status)
    sample["status"] = thread[0]
    sample["thread"] = thread
    path.write_text(json.dumps(sample))


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from rendering.fonts import Face, face_file

    folder = Path(tempfile.mkdtemp(prefix="carousel-cold-"))
    source = folder / "thread.json"
    make_thread(args.posts, source)
    font_path = str(face_file(Face("Inter")).path)  # the static instance the renderer uses
    carousel = Path(sys.executable).with_name("carousel")
    cli = [str(carousel)] if carousel.exists() else [sys.executable, "-m", "carousel"]

    out = folder / "cli"
    subprocess.run([*cli, "render", str(source), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    slides = len(list(out.rglob("slide-*.png")))  # a source longer than one carousel: part-1/, part-2/…
    entry = [str(carousel)] if carousel.exists() else ["-m", "carousel"]
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", *entry, "render", str(source), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    imported = {line.split("|")[-1].strip() for line in probe.stderr.splitlines() if "|" in line}
    unneeded = sorted(m for m in imported if m.split(".")[0] in NOT_NEEDED and "." not in m)

    print(f"{args.posts}-post thread → {slides} slides + PDF, cold process each run, median of {args.runs}")
    print(f"{'format':<8}{'carousel render':>17}{'minimal':>10}{'ratio':>8}")
    for fmt in ("jpeg", "png"):
        minimal_out = folder / f"minimal-{fmt}"
        minimal_out.mkdir()
        minimal = timed(
            [sys.executable, "-c", MINIMAL, str(source), font_path, str(minimal_out), fmt, str(slides)],
            args.runs,
        )
        ours = timed([*cli, "render", str(source), "--format", fmt, "--out", str(folder / fmt)], args.runs)
        print(f"{fmt:<8}{ours:>15.2f} s{minimal:>8.2f} s{ours / minimal:>8.2f}   (target ≤ {TARGET_RATIO})")
    print(f"modules a local render does not need, imported: {', '.join(unneeded) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
