"""Every script from packaged fonts: Latin, Greek, Cyrillic, Arabic, Hebrew, Chinese, Japanese and
Korean render in the PNG and in the PDF (as selectable text), with or without system fonts."""

from __future__ import annotations

import io
import os
import random
import subprocess
import unicodedata
import uuid
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from rendering import RenderOptions, fonts, render_carousel
from rendering.display import Slide, Text
from rendering.layout.measure import UNSUPPORTED
from rendering.paint import raster
from rendering.paint.pdf import write_pdf
from rendering.pipeline import layout_slides
from worker.sources import load_local

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "pasted-scripts.md"
PYTHON = ROOT / ".venv" / "bin" / "python"
CAROUSEL = ROOT / ".venv" / "bin" / "carousel"  # the command a user runs

# one phrase of each script in the sample, as a reader copies it out of the PDF
PHRASES = {
    "Latin": "twice as fast",
    "Greek": "δύο φορές πιο γρήγορα",
    "Cyrillic": "вдвое быстрее",
    "Arabic": "أسرع مرتين",
    "Hebrew": "מהר פי שניים",
    "Chinese": "感谢每一位参与测试的朋友",
    "Japanese": "ありがとうございます",
    "Korean": "감사드립니다",
}
SCRIPT_FONTS = ("Cairo", "Heebo")


def _pdf_text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(p.extract_text() for p in pages)
    # Arabic comes back as presentation forms; line breaks split phrases
    return unicodedata.normalize("NFKC", text).replace("\n", "")


def _script_texts(slides: list[Slide]) -> list[Text]:
    out = []
    for s in slides:
        for t in s.texts():
            if t.font.cff or any(fam.lower() in Path(t.font.path).name for fam in SCRIPT_FONTS):
                out.append(t)
    return out


@pytest.fixture(scope="module")
def sample_thread():
    return load_local(SAMPLE)


@pytest.fixture(scope="module")
def rendered(sample_thread):
    options = RenderOptions(format="png")
    carousel = render_carousel(sample_thread, options)
    _, slides = layout_slides(sample_thread, options, {})
    return carousel, slides


def test_every_script_is_drawn_and_nothing_is_unsupported(rendered) -> None:
    carousel, slides = rendered
    texts = [t for s in slides for t in s.texts()]
    assert not [t.text for t in texts if UNSUPPORTED.strip() in t.text]
    drawn = "".join(t.text for t in texts)
    for script, phrase in PHRASES.items():
        assert all(ch in drawn for ch in phrase if not ch.isspace()), script
    # every glyph from a font that has it, none from the system's folders
    system = [str(d) for d in fonts.DEFAULT_SYSTEM_FONT_DIRS]
    for t in texts:
        assert not t.font.path.startswith(tuple(system)), t
        missing = [ch for ch in t.text if not ch.isspace() and ord(ch) not in fonts.coverage(t.font)]
        assert not missing, (t.text, t.font.path)
    families = {Path(t.font.path).name.split("-")[0] for t in _script_texts(slides)}
    assert {"cairo", "heebo"} <= families
    assert any(t.font.cff for t in texts)
    assert any(t.font.cff and t.font == fonts.cjk_font(fonts.BOLD) for t in texts)  # **bold** CJK


def test_png_has_ink_where_each_script_run_is(rendered) -> None:
    carousel, slides = rendered
    checked = 0
    for slide, png in zip(slides, carousel.slides, strict=True):
        im = Image.open(io.BytesIO(png)).convert("L")
        for t in _script_texts([slide]):
            if not t.text.strip():
                continue
            x, y, w, h = t.box
            crop = im.crop((int(x), int(y), int(x + w) + 1, int(y + h) + 1))
            lo, hi = crop.getextrema()
            assert hi - lo > 80, (t.text, lo, hi)  # glyph strokes against the card
            checked += 1
    assert checked >= 8


def test_pdf_gives_back_every_script_as_text(rendered) -> None:
    carousel, _ = rendered
    text = _pdf_text(carousel.pdf)
    assert UNSUPPORTED not in text
    for script, phrase in PHRASES.items():
        assert phrase.replace(" ", "") in text.replace(" ", ""), script


def test_pdf_embeds_truetype_outlines_for_cjk_with_the_measured_advances(rendered) -> None:
    carousel, slides = rendered
    reader = PdfReader(io.BytesIO(carousel.pdf))
    outlines = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "NotoSansCJK" not in str(font["/BaseFont"]):
                continue
            data = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            tt = TTFont(io.BytesIO(data))
            glyf = tt["glyf"]
            outlines += sum(1 for name in tt.getGlyphOrder() if glyf[name].numberOfContours > 0)
    cjk_chars = {ch for t in _script_texts(slides) if t.font.cff for ch in t.text if not ch.isspace()}
    assert outlines >= len(cjk_chars) > 50
    # the PDF's font measures every CJK run exactly as the layout (and the PNG) placed it
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for t in (t for t in _script_texts(slides) if t.font.cff):
        sub = fonts.embeddable(t.font, [x.text for x in _script_texts(slides) if x.font == t.font])
        assert stringWidth(t.text, fonts.rl_font(sub), t.size) == pytest.approx(t.width, abs=0.01)


def test_cjk_line_is_as_wide_in_the_png_as_measured() -> None:
    ref = fonts.cjk_font()
    line = "新版本在手机上的加载速度提高了一倍"
    slide_size = 48
    width = fonts.text_width(ref, line, slide_size)
    item = Text(10, 70, line, ref, slide_size, (0, 0, 0, 255), width, 50, 14)
    base = Slide(size=(1000, 100), base=(), items=[item])
    im = raster.paint(base).convert("L")
    left, _, right, _ = Image.eval(im, lambda v: 255 - v).getbbox()
    # ink starts and ends within a side bearing of the measured run (17 ideographs of 1 em)
    assert abs(left - 10) < slide_size * 0.15
    assert abs(right - (10 + item.width)) < slide_size * 0.15
    assert item.width == pytest.approx(len(line) * slide_size)
    pdf = write_pdf([base])
    assert line in _pdf_text(pdf)


def _fresh_han(n: int) -> str:
    """Ideographs no other render has used together (a glyph set not yet in the cache)."""
    cov = fonts.coverage(fonts.cjk_font())
    rnd = random.Random(uuid.uuid4().int)
    picked: list[str] = []
    while len(picked) < n:
        cp = rnd.randrange(0x4E00, 0x9FA0)
        if cp in cov and chr(cp) not in picked:
            picked.append(chr(cp))
    return "".join(picked)


def test_converted_cjk_font_is_cached_and_reused_by_the_next_render(tmp_path: Path) -> None:
    source = tmp_path / "pasted.md"
    # long enough for body text, not a statement slide
    body = f"{_fresh_han(12)}は新しい。" + "この文章は本文の大きさで組まれます。" * 8
    source.write_text(f"# 新しい字\n\n{body}\n\n한국어도 됩니다.\n", encoding="utf-8")
    thread = load_local(source)
    options = RenderOptions()
    _, slides = layout_slides(thread, options, {})
    ref = fonts.cjk_font()
    used = {ch for s in slides for t in s.texts() if t.font == ref for ch in t.text}
    cached = fonts.subset_path(ref, map(ord, used))
    assert not cached.exists()

    first = render_carousel(thread, options)
    assert cached.is_file() and cached.parent.parent == fonts.cache_dir()
    before = cached.stat()
    made = cached.read_bytes()
    tt = TTFont(str(cached))
    assert "glyf" in tt and "CFF " not in tt  # TrueType outlines, embeddable by reportlab
    assert set(map(ord, used)) <= set(tt.getBestCmap())

    # a second render, in a new process (the CLI): the cached file is used, not made again
    out = tmp_path / "out"
    env = {**os.environ, "CAROUSEL_CACHE_DIR": str(fonts.cache_dir().parent)}
    proc = subprocess.run(
        [str(CAROUSEL), "render", str(source), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    # the same file (a new conversion would have replaced it with a new one), marked as used
    after = cached.stat()
    assert after.st_ino == before.st_ino and after.st_mtime_ns >= before.st_mtime_ns
    assert cached.read_bytes() == made
    assert not list(cached.parent.glob(f"{cached.stem}*.tmp"))
    second = (out / "carousel.pdf").read_bytes()
    assert _pdf_text(second) == _pdf_text(first.pdf)


def test_every_script_renders_without_any_system_font(tmp_path: Path) -> None:
    """A machine with no fonts installed: system font folders hidden, only packaged fonts."""
    script = (
        "import sys\n"
        "from rendering import fonts\n"
        "fonts.use_system_font_dirs([])\n"
        "assert fonts.system_fonts() == ()\n"
        "from importlib.metadata import entry_points\n"
        "main = entry_points(group='console_scripts')['carousel'].load()\n"
        "sys.exit(main(['render', sys.argv[1], '--out', sys.argv[2]]))\n"
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(PYTHON), "-c", script, str(SAMPLE), str(out)],
        cwd=ROOT,
        env={**os.environ, "CAROUSEL_CACHE_DIR": str(fonts.cache_dir().parent)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    text = _pdf_text((out / "carousel.pdf").read_bytes())
    assert UNSUPPORTED not in text
    for script_name, phrase in PHRASES.items():
        assert phrase.replace(" ", "") in text.replace(" ", ""), script_name
    pngs = sorted(out.glob("slide-*.png"))
    assert pngs and all(Image.open(p).size == (1080, 1350) for p in pngs)


def test_system_font_folders_are_chosen_by_the_caller(tmp_path: Path) -> None:
    before = fonts.system_font_dirs()
    try:
        fonts.use_system_font_dirs([tmp_path])
        assert fonts.system_fonts() == ()
        assert fonts.system_font_for(ord("ሀ")) is None  # Ethiopic: no packaged font, no system font
    finally:
        fonts.use_system_font_dirs(before)
    assert fonts.system_font_dirs() == before


def test_arabic_and_hebrew_come_from_packaged_fonts() -> None:
    for ch, family in (("ب", "Cairo"), ("ש", "Heebo")):
        for weight in (fonts.REGULAR, fonts.BOLD):
            ref = fonts.script_font_for(ord(ch), fonts.Face("Inter", weight))
            assert ref == fonts.face_file(fonts.Face(family, weight))
    for ch in "中あア한":
        assert fonts.script_font_for(ord(ch), fonts.Face("Inter")) == fonts.cjk_font()
        assert fonts.script_font_for(ord(ch), fonts.Face("Inter", fonts.BOLD)) == fonts.cjk_font(fonts.BOLD)


def test_subset_folder_stays_bounded_but_keeps_recent_files(tmp_path: Path) -> None:
    import time

    old = time.time() - 2 * fonts.SUBSET_MIN_AGE_S
    for i in range(fonts.SUBSETS_KEPT + 5):
        f = tmp_path / f"old-{i:04d}.ttf"
        f.write_bytes(b"x")
        os.utime(f, (old + i, old + i))
    recent = [tmp_path / f"new-{i}.ttf" for i in range(3)]
    for f in recent:
        f.write_bytes(b"x")
    fonts._prune_subsets(tmp_path)
    left = sorted(p.name for p in tmp_path.glob("*.ttf"))
    assert len(left) == fonts.SUBSETS_KEPT
    assert all(f.exists() for f in recent)  # in use within the hour: never removed
    assert "old-0000.ttf" not in left and f"old-{fonts.SUBSETS_KEPT + 4:04d}.ttf" in left


def _wrapped(text: str, width: float) -> list[str]:
    from rendering.layout.measure import TextStyle, tokens, wrap

    style = TextStyle(fonts.Face("Inter"), 40, (0, 0, 0, 255))
    return ["".join(p.run.text for p in line.placed) for line in wrap(tokens(text, style), width)]


def test_chinese_and_japanese_break_between_characters_but_never_before_closing_punctuation() -> None:
    text = "新しいバージョンはスマートフォンで二倍速く読み込まれ、オフラインモードが標準で有効になりました。"
    for width in range(200, 700, 37):
        lines = _wrapped(text, width)
        assert "".join(lines) == text  # nothing lost, no space added
        assert len(lines) > 1
        assert not any(line[0] in "、。ーョ" for line in lines), lines
    # Latin inside Chinese stays whole
    lines = _wrapped("我们使用Python开发了这个工具，效果很好。", 330)
    assert any("Python" in line for line in lines), lines


def test_korean_breaks_between_words() -> None:
    text = "새 버전은 휴대폰에서 두 배 빠르게 열리고, 오프라인 모드가 기본으로 켜져 있습니다."
    words = set(text.split())
    for width in range(220, 700, 53):
        lines = _wrapped(text, width)
        assert all(set(line.split()) <= words for line in lines), lines
