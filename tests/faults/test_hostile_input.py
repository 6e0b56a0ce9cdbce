"""Hostile and broken input at the edges: each gets one sentence, nothing crashes, no unsafe link.

``carousel render``: every problem is one line on stderr and exit 2. Jobs: a source answering with
unexpected field types, a blank thread, over-long brand texts and non-web links each get a sentence.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from contract import JobPayload, RenderOptions, ReplyAddress
from contract.errors import EmptyThread, SourceUnreadable, TextTooLong, UnsafeLink
from contract.options import Brand
from rendering.api import render_carousel
from rendering.model import Author, Post, Thread
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.jobs import run_job

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "sample-thread.json"
BLANK = "\u200b\u200b \u2060\ufeff\n\n\u200d "
UNSAFE = ["javascript:alert(document.domain)", "file:///etc/passwd", "data:text/html,<script>1</script>"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carousel", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("carousel: "), result.stderr
    assert "Traceback" not in result.stderr and "validation error" not in result.stderr
    return lines[0]


def test_cli_out_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    assert "is a file" in one_line(cli("render", str(SAMPLE), "--out", "taken", cwd=tmp_path))
    assert "which is a file" in one_line(cli("render", str(SAMPLE), "--out", "taken/slides", cwd=tmp_path))


def test_cli_out_that_cannot_be_written(tmp_path: Path) -> None:
    # /proc refuses new folders even to root (permission bits would not stop a root test run)
    line = one_line(cli("render", str(SAMPLE), "--out", "/proc/carousel-out", cwd=tmp_path))
    assert "/proc/carousel-out" in line


def test_cli_source_json_with_wrong_types(tmp_path: Path) -> None:
    status = {"id": "1", "text": "hello", "author": "just a string", "media": {"photos": [{"url": 12345}]}}
    (tmp_path / "wrong.json").write_text(json.dumps({"status": status, "thread": [status]}))
    assert "wrong.json" in one_line(cli("render", "wrong.json", cwd=tmp_path))
    (tmp_path / "list.json").write_text(json.dumps({"posts": "nope", "author": 7}))
    one_line(cli("render", "list.json", cwd=tmp_path))


def test_cli_source_file_that_is_not_there(tmp_path: Path) -> None:
    # a path is not taken for a link ("That is not a thread link I can read")
    for missing in ("notes.md", "saved/thread.json", "./draft", "/nowhere/thread.txt"):
        assert one_line(cli("render", missing, cwd=tmp_path)) == f"carousel: There is no file {missing}."


def test_cli_blank_text_and_limits(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text(BLANK)
    assert EmptyThread.message in one_line(cli("render", "blank.txt", cwd=tmp_path))
    long_name = "N" * 10_000
    line = one_line(cli("render", str(SAMPLE), "--brand-name", long_name, cwd=tmp_path))
    assert TextTooLong.message in line
    for link in UNSAFE:
        line = one_line(cli("render", str(SAMPLE), "--cta", "link", "--cta-link", link, cwd=tmp_path))
        assert UnsafeLink.message in line
    assert not (tmp_path / "out").exists()


def _thread(text: str, text_format: str = "plain") -> Thread:
    author = Author(name="Ada", handle="ada")
    posts = [
        Post(id="1", author=author, text=text, text_format=text_format),  # type: ignore[arg-type]
        Post(id="2", author=author, text="A second post so the thread is a thread."),
    ]
    return Thread(source="x", url="https://x.com/ada/status/1", author=author, posts=posts)


def _pdf_links(pdf: bytes) -> list[str]:
    links: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                links.append(str(action.get("/URI")))
    return links


def test_pdf_carries_only_web_links() -> None:
    html = " ".join(f'<a href="{u}">bad {i}</a>' for i, u in enumerate(UNSAFE))
    html += ' and <a href="https://example.com/ok">a good one</a>'
    options = RenderOptions(cta="link", cta_link=UNSAFE[0])  # as if a payload skipped the front-end
    carousel = render_carousel(_thread(f"<p>Links: {html}</p>", "html"), options, {})
    links = _pdf_links(carousel.pdf)
    assert "https://example.com/ok" in links
    assert all(link.startswith(("http://", "https://")) for link in links), links
    closing = PdfReader(io.BytesIO(carousel.pdf)).pages[-1].extract_text()
    assert "javascript" not in closing and "alert" not in closing  # nor shown as the CTA's link


# ---------------------------------------------------------------------------------------------- jobs


@pytest.fixture
def job_env(fake_telegram: FakeTelegramAPI, fake_sources: FakeSources) -> Any:
    return fake_sources.settings(
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        telegram_file_url=fake_telegram.file_url,
    )


def _run(fake_telegram: FakeTelegramAPI, settings: Any, source: str, **payload: Any) -> dict:
    chat = 4040
    reply = ReplyAddress(platform="telegram", chat_id=chat)
    request = JobPayload(source=source, reply=reply, **payload)
    return run_job(request.to_job_arg(), uuid.uuid4().hex, settings=settings)


def _told(fake_telegram: FakeTelegramAPI) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in fake_telegram.calls
        if c.method in ("sendMessage", "editMessageText")
    ]


def test_job_with_a_blank_pasted_thread_gets_a_sentence(fake_telegram: FakeTelegramAPI, job_env: Any) -> None:
    result = _run(fake_telegram, job_env, BLANK + "\n\n" + BLANK, source_kind="text")
    assert result["ok"] is False
    assert not fake_telegram.calls_to("sendMediaGroup")


def test_job_with_a_blank_post_gets_a_sentence(
    fake_telegram: FakeTelegramAPI, job_env: Any, fake_sources: FakeSources, unique_x_thread: Callable
) -> None:
    thread = unique_x_thread([BLANK])
    result = _run(fake_telegram, job_env, thread.url)
    assert result == {"ok": False, "error": EmptyThread.message}
    assert EmptyThread.message in _told(fake_telegram)


def test_job_with_unexpected_field_types_from_the_source_gets_a_sentence(
    fake_telegram: FakeTelegramAPI, job_env: Any, fake_sources: FakeSources, unique_x_thread: Callable
) -> None:
    thread = unique_x_thread(["A post whose author the source mangles.", "Second."])
    path = f"/fx/2/thread/{thread.ids[0]}"
    answer = fake_sources.answer("GET", path, {})
    assert answer is not None and answer.status == 200
    body = json.loads(json.dumps(answer.body))
    for status in [body["status"], *(body.get("thread") or [])]:
        status["author"] = "just a string"
        status["media"] = {"photos": [{"url": 12345}], "all": [{"url": 12345}]}
    fake_sources.serve_json(path, body)
    result = _run(fake_telegram, job_env, thread.url)
    assert result == {"ok": False, "error": SourceUnreadable.message}
    assert SourceUnreadable.message in _told(fake_telegram)


@pytest.mark.parametrize(
    "options",
    [
        RenderOptions(brand=Brand(name="N" * 10_000)),
        RenderOptions(cta_text="T" * 5_000),
        RenderOptions(cta="link", cta_link="javascript:alert(1)"),
    ],
    ids=["brand-name", "cta-text", "javascript-cta"],
)
def test_job_with_hostile_options_gets_a_sentence_before_any_work(
    fake_telegram: FakeTelegramAPI, job_env: Any, fake_sources: FakeSources, options: RenderOptions
) -> None:
    result = _run(fake_telegram, job_env, "https://x.com/ada/status/1", options=options)
    assert result["ok"] is False and result["error"] in (TextTooLong.message, UnsafeLink.message)
    assert fake_sources.count("/") == 0  # refused before fetching anything
