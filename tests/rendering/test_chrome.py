"""The chrome every slide shares, by design family: cover, closing slide, author chip, footer."""

from __future__ import annotations

import pytest

from contract.options import Ratio, RenderOptions
from rendering._samples import AUTHOR, rich_thread, sample_images
from rendering.display import Picture, Rect, Slide
from rendering.document import build_document
from rendering.layout.chrome import cover, make_frame
from rendering.pipeline import layout_slides
from themes import list_themes, load_theme

HANDLE = f"@{AUTHOR.handle}"
RATIOS: list[Ratio] = ["4:5", "1:1", "9:16", "16:9"]
MIN_FAMILIES = 10
HERO_MIN_SHARE = 0.35  # of the content box: the cover's picture is a hero, not a thumbnail
CHIP_MAX_SHARE = 0.07  # of the slide's height: a compact chip, not a fifth of the slide


def _words(slide: Slide) -> str:
    return " ".join(t.text for t in slide.texts())


def _slides(theme: str, ratio: Ratio = "4:5", **options: object) -> list[Slide]:
    opts = RenderOptions(theme=theme, ratio=ratio, **options)  # type: ignore[arg-type]
    return layout_slides(rich_thread(), opts, sample_images())[1]


@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_no_slide_shows_the_handle_twice(name: str) -> None:
    for slide in _slides(name):
        assert _words(slide).count(HANDLE) <= 1, (name, slide.template, _words(slide))


@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_the_closing_slide_names_the_handle_once_with_save_share_follow_cues(name: str) -> None:
    outro = _slides(name)[-1]
    words = _words(outro)
    assert outro.template == "outro" and words.count(HANDLE) == 1
    assert all(cue in words for cue in ("Save", "Share", "Follow"))


def test_a_brand_name_on_the_closing_slide_never_stands_over_the_thread_authors_handle() -> None:
    from contract.options import Brand

    signed = _slides("paper", brand=Brand(name="Acme Team"), cta_text="Subscribe to the newsletter")[-1]
    words = _words(signed)
    assert "Acme Team" in words and HANDLE not in words, words
    assert not [i for i in signed.items if isinstance(i, Picture) and i.circle]  # nor the author's face
    # with a handle of its own, the brand's handle is the one shown
    both = _slides("paper", brand=Brand(name="Acme Team", handle="acme"), cta_text="Subscribe")[-1]
    assert "@acme" in _words(both) and HANDLE not in _words(both)


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_the_cover_has_a_hero_picture_the_author_and_a_swipe_cue(name: str, ratio: Ratio) -> None:
    first = _slides(name, ratio)[0]
    w, h = first.size
    heroes = [i for i in first.items if isinstance(i, Picture) and not i.circle]
    assert heroes, "the thread's first picture is on the cover"
    hero = max(heroes, key=lambda p: p.box[2] * p.box[3])
    _, _, cw, ch = first.content_box
    assert hero.box[2] * hero.box[3] >= HERO_MIN_SHARE * cw * ch
    words = _words(first)
    assert AUTHOR.name in words and HANDLE in words and "Swipe" in words


@pytest.mark.parametrize("name", [t.name for t in list_themes()])
def test_content_slides_carry_a_compact_chip_or_none(name: str) -> None:
    theme = load_theme(name)
    for slide in _slides(name)[1:-1]:
        names = [t for t in slide.texts() if t.text.startswith(AUTHOR.name.split()[0])]
        if theme.layout.chip == "none":
            assert not names
        elif theme.layout.chip == "compact" and names:
            top = min(t.box[1] for t in names)
            bottom = max(t.box[1] + t.box[3] for t in names)
            assert bottom - top <= CHIP_MAX_SHARE * slide.size[1]


def test_the_cover_says_which_part_it_is() -> None:
    doc = build_document(rich_thread())
    frame = make_frame(doc, load_theme("paper"), RenderOptions(), sample_images())
    frame.part = (1, 2)
    cover(frame)
    assert "PART 1 OF 2" in _words(frame.slides[0])
    single = make_frame(doc, load_theme("paper"), RenderOptions(), sample_images())
    cover(single)
    assert "PART" not in _words(single.slides[0])


def test_the_presets_span_ten_design_families_that_draw_differently() -> None:
    families = {t.layout.family: t for t in list_themes()}
    assert len(families) >= MIN_FAMILIES
    shapes = set()
    for theme in families.values():
        doc = build_document(rich_thread())
        frame = make_frame(doc, theme, RenderOptions(theme=theme.name), sample_images())
        w, h = frame.geo.size
        # what the family puts under every slide, and where the text goes, in fractions of the canvas
        rects = tuple(
            sorted(
                (
                    round(i.box[0] / w, 2),
                    round(i.box[1] / h, 2),
                    round(i.box[2] / w, 2),
                    round(i.box[3] / h, 2),
                )
                for i in frame.base
                if isinstance(i, Rect)
            )
        )
        cx, cy, cw, ch = frame.geo.content
        shapes.add((rects, round(cx / w, 2), round(cy / h, 2), round(cw / w, 2)))
    assert len(shapes) == len(families)
