"""`carousel render LINK` for every source, against the fake sources (a real subprocess)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.fakes.sources import FakeSources, load_fixture

ROOT = Path(__file__).resolve().parents[2]


def render(link: str, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carousel", "render", link, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **env},
    )


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.mark.parametrize("source", ["x", "article", "bluesky", "mastodon"])
def test_render_link_for_each_source(tmp_path: Path, source: str) -> None:
    with FakeSources() as fake:
        if source == "x":
            t = fake.add_x_thread(["Bandwidth rules decode.", "Batching amortises reads."], photos_on={1: 1})
            link, words = t.url, ["Bandwidth", "amortises"]
        elif source == "article":
            fake.serve_json("/fx/2/thread/1800000000000000160", load_fixture("x/article-llm-inference.json"))
            link, words = (
                "https://x.com/alicechen/status/1800000000000000160",
                ["Tokenize", "Prefill", "Decode"],
            )
        elif source == "bluesky":
            t = fake.add_bsky_thread(["Rust tips for Pythonistas.", "Errors are values."])
            link, words = t.url, ["Pythonistas", "values"]
        else:
            t = fake.add_mastodon_thread(["<p>Sourdough in steps</p>", "<p>Mix <b>flour</b> and water</p>"])
            link, words = t.url, ["Sourdough", "flour"]
        result = render(link, tmp_path, fake.env())
        media_requests = fake.count("/media/")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "carousel.pdf")
    positions = [text.find(w) for w in words]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), text[:400]
    if source != "article":  # the recorded article's images live on pbs.twimg.com, unreachable here
        assert media_requests >= 1  # avatars (and photos) came from the fake media host


def test_render_unsupported_link_fails_with_one_line(tmp_path: Path) -> None:
    with FakeSources() as fake:
        fake.add_x_tombstone("1800000000000000777")
        result = render("https://x.com/a/status/1800000000000000777", tmp_path, fake.env())
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "deleted" in result.stderr
