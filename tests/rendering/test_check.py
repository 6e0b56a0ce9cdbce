"""The deck quality check over the composition corpus, in every theme and ratio: what
`carousel render --check` reports must hold for every fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.options import Ratio, RenderOptions
from rendering.check import check_deck
from rendering.model import Thread
from themes.loader import list_themes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "decks"
CORPUS = ("long-technical-thread.json", "one-liners-24.json", "article-code.json", "multiscript.md")
RATIOS: tuple[Ratio, ...] = ("4:5", "1:1", "9:16", "16:9")


def _corpus() -> list[Thread]:
    from worker.sources.text import load_local

    return [load_local(FIXTURES / name) for name in CORPUS if (FIXTURES / name).exists()]


THREADS = _corpus()


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("theme", [t.name for t in list_themes()])
def test_every_fixture_passes_the_check(theme: str, ratio: Ratio) -> None:
    for thread in THREADS:
        report = check_deck(thread, RenderOptions(theme=theme, ratio=ratio, max_posts=20))
        assert report.ok, "\n".join(report.lines())


def test_the_check_reports_a_violation() -> None:
    from rendering.model import Author, Post

    a = Author(name="A", handle="a")
    # one run-on sentence longer than a slide, no clause to cut at: it continues mid-sentence
    posts = (Post(id="1", author=a, text="Intro."), Post(id="2", author=a, text="and then " * 400))
    report = check_deck(Thread(author=a, posts=posts), RenderOptions())
    lines = report.lines()
    assert lines[0].startswith("deck: 1 part(s)")
    assert not report.ok and lines[-1] == "check: FAILED"
    assert any(line.rstrip().endswith("starts mid-sentence") for line in lines)
