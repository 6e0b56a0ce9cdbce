"""`carousel render` as a person runs it: a real subprocess, real files out."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "sample-thread.json"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carousel", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )


def test_render_sample_offline_writes_slides_and_pdf(tmp_path: Path) -> None:
    result = run_cli("render", str(SAMPLE), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.split()]
    slides = sorted(tmp_path.glob("slide-*.png"))
    assert slides and printed[:-1] == slides
    assert printed[-1] == tmp_path / "carousel.pdf"
    for slide in slides:
        with Image.open(slide) as img:
            assert img.size == (1080, 1350)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed[-1].read_bytes())).pages)
    words = ["Tokenize", "Prefill", "Decode", "bandwidth"]
    positions = [text.find(w) for w in words]
    assert all(p >= 0 for p in positions), text[:500]
    assert positions == sorted(positions)
    # the sample's mojibake is repaired on the way
    assert "β†’" not in text and "πŸ‘‡" not in text


def test_render_jpeg_square(tmp_path: Path) -> None:
    result = run_cli("render", str(SAMPLE), "--out", str(tmp_path), "--ratio", "1:1", "--format", "jpeg")
    assert result.returncode == 0, result.stderr
    slides = sorted(tmp_path.glob("slide-*.jpg"))
    assert slides
    with Image.open(slides[0]) as img:
        assert img.format == "JPEG" and img.size == (1080, 1080)


def test_zip_delivery_writes_the_slides_in_one_zip_too(tmp_path: Path) -> None:
    import zipfile

    result = run_cli("render", str(SAMPLE), "--out", str(tmp_path), "--format", "jpeg", "--delivery", "zip")
    assert result.returncode == 0, result.stderr
    slides = sorted(tmp_path.glob("slide-*.jpg"))
    with zipfile.ZipFile(tmp_path / "slides.zip") as archive:
        assert archive.namelist() == [s.name for s in slides]
        assert [archive.read(s.name) for s in slides] == [s.read_bytes() for s in slides]


def test_max_posts_cap_is_visible(tmp_path: Path) -> None:
    result = run_cli("render", str(SAMPLE), "--out", str(tmp_path), "--max-posts", "3")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO((tmp_path / "carousel.pdf").read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Prefill" in text and "Decode" not in text
    assert "3 of 9" in text
    assert "THREAD · 3 OF 9 POSTS" in reader.pages[0].extract_text()


def test_picked_posts_are_the_only_ones_rendered(tmp_path: Path) -> None:
    result = run_cli("render", str(SAMPLE), "--out", str(tmp_path), "--posts", "2-3,5")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO((tmp_path / "carousel.pdf").read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Tokenize" in text and "Prefill" in text and "Quick math" in text  # posts 2, 3 and 5
    assert "Decode" not in text  # post 6
    assert "THREAD · 3 OF 9 POSTS" in reader.pages[0].extract_text()


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"code": 200, "status": None, "thread": None}))
    cases = [
        ("render", "https://example.com/not/a/thread", "--out", str(tmp_path / "a")),
        ("render", str(broken), "--out", str(tmp_path / "b")),
        ("render", str(empty), "--out", str(tmp_path / "c")),
        ("render", str(SAMPLE), "--theme", "no-such-theme", "--out", str(tmp_path / "d")),
        ("render", str(SAMPLE), "--max-posts", "0", "--out", str(tmp_path / "e")),
        ("render", str(SAMPLE), "--posts", "3-1", "--out", str(tmp_path / "f")),
        ("render", str(SAMPLE), "--posts", "2,40", "--out", str(tmp_path / "g")),
    ]
    for args in cases:
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("carousel: "), (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_themes_lists_presets_and_writes_preview_sheet(tmp_path: Path) -> None:
    from themes import list_themes

    result = run_cli("themes", "--preview", str(tmp_path))
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines()[:-1]]
    assert names == [t.name for t in list_themes()] and len(names) >= 12
    sheet = Path(result.stdout.splitlines()[-1])
    assert sheet == tmp_path / "themes.png"
    with Image.open(sheet) as img:
        width, height = img.size
        # one tile per theme (a cover, a content and an image slide), each a readable thumbnail
        assert width >= 4 * 300 and height >= ((len(names) + 3) // 4) * 300
        colours = img.convert("RGB").resize((64, 64)).getcolors(64 * 64)
        assert colours is not None and len(colours) > 100  # real slides, not an empty canvas


def test_an_article_is_called_an_article(tmp_path: Path) -> None:
    article = ROOT / "tests" / "fixtures" / "sources" / "x" / "article-llm-inference.json"
    result = run_cli("render", str(article), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO((tmp_path / "carousel.pdf").read_bytes()))
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "ARTICLE" in first and "How LLM Inference Works" in first.replace("\n", " ")
    assert "THIS ARTICLE?" in last and "THREAD" not in first + last



def test_a_text_file_is_signed_with_the_brand(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Three habits\n\nWrite every morning.\n\n---\n\nShip on Fridays.\n\n---\n\nRest.\n")
    result = run_cli(
        "render", str(notes), "--out", str(tmp_path / "out"), "--brand-name", "Ada Lovelace",
        "--brand-handle", "ada",
    )
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO((tmp_path / "out" / "carousel.pdf").read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Ada Lovelace" in text and "Follow @ada" in text
    assert "Ship on Fridays" in text


def test_render_with_a_brands_own_theme_file(tmp_path: Path) -> None:
    theme = tmp_path / "acme.toml"
    theme.write_text(
        'extends = "paper"\nlabel = "Acme"\n\n[layout]\nfamily = "swiss"\n\n[colors]\naccent = "#0A7D32"\n'
    )
    result = run_cli("render", str(SAMPLE), "--theme", str(theme), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert sorted((tmp_path / "out").glob("slide-*.png")) and (tmp_path / "out" / "carousel.pdf").exists()


def test_a_bad_theme_file_is_one_line_with_its_line_and_field(tmp_path: Path) -> None:
    theme = tmp_path / "broken.toml"
    theme.write_text('extends = "paper"\n\n[colors]\ntext = "#EEEEEE"\n')  # light grey on a white card
    result = run_cli("render", str(SAMPLE), "--theme", str(theme), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"carousel: {theme}: line 4: colors.text: contrast ")
