"""Pasted text and local files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract.errors import BadInput, NotAThread, NotAThreadLink, UserError
from rendering.model import Author
from tests.fakes.sources import FIXTURES
from worker.config import Settings
from worker.sources import load_local, resolve, text_thread


def test_paragraphs_become_posts() -> None:
    thread = text_thread("First idea.\nStill first.\n\n\nSecond idea.\r\n\r\nThird 🧵", Author(name="Me"))
    assert [p.text for p in thread.posts] == ["First idea.\nStill first.", "Second idea.", "Third 🧵"]
    assert thread.source == "text" and thread.author.name == "Me"


def test_separators_win_over_blank_lines_and_headings_stay_with_their_text() -> None:
    text = "# Title\n\nIntro para.\n\nMore intro.\n---\n## Part two\n- a\n- b\n\n***\nEnd > quote"
    thread = text_thread(text)
    assert [p.text for p in thread.posts] == [
        "# Title\n\nIntro para.\n\nMore intro.",
        "## Part two\n- a\n- b",
        "End > quote",
    ]


def test_empty_text_is_not_a_thread() -> None:
    with pytest.raises(NotAThread):
        text_thread(" \n\n --- \n")


def test_resolve_text_needs_several_paragraphs_or_a_long_one() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(NotAThread):
        resolve("just one line", kind="text", settings=settings, client=None, max_posts=20)  # type: ignore[arg-type]
    thread = resolve("one\n\ntwo\n\nthree", kind="text", settings=settings, client=None, max_posts=2)  # type: ignore[arg-type]
    assert [p.text for p in thread.posts] == ["one", "two"] and thread.total_posts == 3
    long = "word " * 100
    assert len(resolve(long, kind="text", settings=settings, client=None, max_posts=5).posts) == 1  # type: ignore[arg-type]


def test_link_source_without_a_link_is_not_a_thread_link() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(NotAThreadLink) as err:
        resolve("https://example.com/blog/123", settings=settings, client=None, max_posts=20)  # type: ignore[arg-type]
    assert "X, Bluesky or Mastodon" in err.value.message


def test_load_markdown_and_text_files(tmp_path: Path) -> None:
    md = tmp_path / "thread.md"
    md.write_text("# How to\n\n**Bold** start.\n\n1. one\n2. two\n", encoding="utf-8")
    thread = load_local(md)
    assert thread.source == "file"
    assert [p.text for p in thread.posts] == ["# How to\n\n**Bold** start.", "1. one\n2. two"]
    txt = tmp_path / "t.txt"
    txt.write_bytes("\ufeffa\n---\nb".encode())
    assert [p.text for p in load_local(txt).posts] == ["a", "b"]


def test_load_fxtwitter_json_shapes(tmp_path: Path) -> None:
    recorded = FIXTURES / "x" / "thread-recorded.json"
    assert [p.id for p in load_local(recorded).posts] == [
        "1800000000000000101",
        "1800000000000000103",
        "1800000000000000104",
    ]
    article = load_local(FIXTURES / "x" / "article-llm-inference.json")
    assert article.source == "x-article" and article.title == "How LLM Inference Works, Clearly Explained"
    assert article.posts[0].blocks[16].kind == "post"  # offline: the embedded post is a link card
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads(recorded.read_text())["status"]))
    assert [p.id for p in load_local(bare).posts] == ["1800000000000000101"]
    saved = tmp_path / "saved.json"
    saved.write_text(load_local(recorded).model_dump_json())
    assert load_local(saved) == load_local(recorded)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"hello": 1}', '{"status": {"type": "tombstone"}}'])
def test_bad_json_files_are_bad_input(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(UserError) as err:
        load_local(path)
    assert err.value.message and "\n" not in err.value.message


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as err:
        load_local(tmp_path / "nope.md")
    assert "nope.md" in err.value.message
