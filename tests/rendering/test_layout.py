"""Layout: templates chosen by content, text inside the card, floors and pagination."""

from __future__ import annotations

import pytest

from contract.options import Ratio, RenderOptions
from rendering._samples import rich_thread, sample_images, text_thread
from rendering.display import Emoji, Link, Picture, Text
from rendering.model import Author, Media, Post, Thread
from rendering.pipeline import layout_slides


def _inside(
    box: tuple[float, float, float, float], area: tuple[float, float, float, float], tol: float = 0.5
) -> bool:
    x, y, w, h = box
    ax, ay, aw, ah = area
    return x >= ax - tol and y >= ay - tol and x + w <= ax + aw + tol and y + h <= ay + ah + tol


def _body_texts(slide):  # text inside the card (not the footer)
    card_bottom = slide.content_box[1] + slide.content_box[3]
    return [t for t in slide.texts() if t.baseline <= card_bottom + 1]


def test_rich_thread_uses_every_template() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    templates = [s.template for s in slides]
    assert templates[0] == "cover" and templates[-1] == "outro"
    for name in ("post", "image", "statement", "section", "code"):
        assert name in templates, (name, templates)


@pytest.mark.parametrize("ratio", ["4:5", "1:1", "9:16", "16:9"])
def test_text_stays_inside_the_content_box(ratio: Ratio) -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(ratio=ratio), sample_images())
    for s in slides:
        assert s.size == RenderOptions(ratio=ratio).size
        for t in _body_texts(s):
            assert _inside(t.box, s.content_box, tol=t.size * 0.25), (
                s.template,
                t.text,
                t.box,
                s.content_box,
            )
        for e in s.items:
            if isinstance(e, Emoji):
                assert _inside(e.box, s.content_box, tol=2), (s.template, e)


def test_body_text_never_below_32px_at_1080() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    post_texts = [t for s in slides if s.template in ("post", "image", "merged") for t in _body_texts(s)]
    # the body runs (not captions, handles or code) are at least 32 px
    body_sizes = {t.size for t in post_texts if t.font.path.endswith(".ttf") and "mono" not in t.font.path}
    assert max(body_sizes) >= 32
    long_post = [s for s in slides if any("Sentence 5 " in t.text for t in s.texts())]
    assert long_post and all(t.size >= 32 for t in _body_texts(long_post[0]) if "Sentence" in t.text)


def test_long_post_continues_on_the_next_slide_in_order() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    words = " ".join(t.text for s in slides for t in s.texts())
    positions = [words.index(f"Sentence {k} ") for k in range(1, 24)]
    assert positions == sorted(positions)
    slides_with_sentences = [s for s in slides if any("Sentence" in t.text for t in s.texts())]
    assert len(slides_with_sentences) >= 2


def test_truncated_thread_says_so_on_the_last_slide() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    last = " ".join(t.text for t in slides[-1].texts())
    assert "10" in last and "14" in last


@pytest.mark.parametrize("ratio", ["4:5", "1:1", "9:16", "16:9"])
def test_without_a_closing_slide_the_truncation_note_sits_under_the_last_posts(ratio: Ratio) -> None:
    thread = rich_thread()
    thread = thread.model_copy(update={"posts": thread.posts[:4], "total_posts": len(thread.posts)})
    _, slides = layout_slides(thread, RenderOptions(ratio=ratio, cta="none"), sample_images())
    notes = [s for s in slides if any("Showing the first 4" in t.text for t in s.texts())]
    assert len(notes) <= 1 and (not notes or notes[0] is slides[-1])
    last_words = {w for t in slides[-1].texts() for w in t.text.split()}
    post_words = set(thread.posts[-1].text.split())
    assert len(last_words & post_words) >= 3, "the last slide holds a post, never the note alone"
    assert any("Showing the first 4" in t.text for s in slides for t in s.texts()) or ratio == "16:9"


def test_cta_variants_and_override() -> None:
    th = text_thread(3)
    follow = layout_slides(th, RenderOptions(cta="follow"), {})[1][-1]
    assert "@mayabuilds" in " ".join(t.text for t in follow.texts())
    save = layout_slides(th, RenderOptions(cta="save"), {})[1][-1]
    assert "Save" in " ".join(t.text for t in save.texts())
    link = layout_slides(th, RenderOptions(cta="link", cta_link="https://example.com/x"), {})[1][-1]
    assert any(isinstance(i, Link) and i.url == "https://example.com/x" for i in link.items)
    custom = layout_slides(th, RenderOptions(cta_text="Join the newsletter"), {})[1][-1]
    assert "newsletter" in " ".join(t.text for t in custom.texts())
    none = layout_slides(th, RenderOptions(cta="none"), {})[1]
    assert none[-1].template != "outro"


LONG_LINK = (
    "https://www.example-publishing-house.com/newsletters/2026/12/how-llm-inference-actually-works-"
    "1234567890?utm_source=carousel&utm_medium=social"
)


@pytest.mark.parametrize("ratio", ["4:5", "1:1", "9:16", "16:9"])
def test_a_long_cta_link_is_shown_as_host_and_path_whole_on_one_line(ratio: Ratio) -> None:
    options = RenderOptions(ratio=ratio, cta="link", cta_link=LONG_LINK)
    outro = layout_slides(text_thread(3), options, {})[1][-1]
    lines = [t.text for t in outro.texts()]
    assert any(line.endswith("example-publishing-house.com/…") for line in lines), lines
    assert not any(part in " ".join(lines) for part in ("https", "www.", "utm", "2026", "123"))
    assert any(isinstance(i, Link) and i.url == LONG_LINK for i in outro.items)  # the PDF keeps it all


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("https://example.com/newsletter/", "example.com/newsletter"),
        ("https://www.news.example.com/p/how-inference-works-2026?s=1", "news.example.com/p/how-inference…"),
        ("https://x.com/mayabuilds/status/1800000000000000100", "x.com/mayabuilds/status/…"),
    ],
)
def test_a_cta_link_keeps_whole_words_and_numbers(link: str, shown: str) -> None:
    outro = layout_slides(text_thread(3), RenderOptions(cta="link", cta_link=link), {})[1][-1]
    assert shown in " ".join(t.text for t in outro.texts())


def test_slide_numbers_and_progress_bar() -> None:
    _, slides = layout_slides(text_thread(4), RenderOptions(), {})
    n = len(slides)
    for k, s in enumerate(slides, start=1):
        assert any(t.text == f"{k}/{n}" for t in s.texts())


def test_a_run_of_short_posts_becomes_one_list_slide() -> None:
    a = Author(name="A", handle="a")
    posts = (Post(id="0", author=a, text="Six habits that keep a codebase healthy:"),) + tuple(
        Post(id=str(i), author=a, text=f"Short point number {i}.") for i in range(1, 7)
    )
    _, slides = layout_slides(Thread(author=a, posts=posts), RenderOptions(), {})
    lists = [s for s in slides if s.template == "list"]
    assert len(lists) == 1 and len(slides) == 3  # cover, the list, the closing slide
    texts = [t.text for t in lists[0].texts()]
    assert all(f"Short point number {i}." in " ".join(texts) for i in range(1, 7))
    assert texts.count("•") == 6


def test_links_become_link_areas() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(), sample_images())
    links = [i for s in slides for i in s.items if isinstance(i, Link)]
    assert any(li.url == "https://example.com/blog/llm-inference" for li in links)


def test_unsupported_script_is_flagged_not_dropped() -> None:
    th = Thread(
        author=Author(name="A", handle="a"),
        posts=(Post(id="1", author=Author(name="A", handle="a"), text="Linear B: 𐀀𐀁𐀂 and more text"),),
    )
    _, slides = layout_slides(th, RenderOptions(), {})
    text = " ".join(t.text for s in slides for t in s.texts())
    assert "more text" in text
    assert "unsupported script" in text or any(
        "𐀀" in t.text for s in slides for t in s.texts() if isinstance(t, Text)
    )


def test_right_to_left_paragraph_is_shaped_and_right_aligned() -> None:
    a = Author(name="A", handle="a")
    text = "مرحبا بالعالم، هذا نص عربي طويل قليلاً لاختبار الالتفاف والاتجاه من اليمين إلى اليسار. " * 2
    th = Thread(author=a, posts=(Post(id="1", author=a, text=text),))
    _, slides = layout_slides(th, RenderOptions(cta="none"), {})
    rtl = [t for s in slides for t in s.texts() if t.rtl]
    assert rtl, "Arabic runs are marked right-to-left"
    slide = next(s for s in slides if any(t.rtl for t in s.texts()))
    right = slide.content_box[0] + slide.content_box[2]
    line_ends = {round(t.baseline): 0.0 for t in slide.texts() if t.rtl}
    for t in slide.texts():
        if t.rtl:
            line_ends[round(t.baseline)] = max(line_ends[round(t.baseline)], t.x + t.width)
    assert all(abs(end - right) < 1.0 for end in line_ends.values())  # every line flush right
    from rendering.fonts import shape_rtl

    visual, width = shape_rtl(rtl[0].font, rtl[0].text, rtl[0].size)
    assert abs(width - rtl[0].width) < 0.5
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in visual)  # joined (presentation) forms for the PDF


def _code_thread(lines: int, width: int) -> Thread:
    a = Author(name="A", handle="a")
    code = "\n".join(
        f"line_{k:02d} = call(argument_{k}, " + "x" * width + f", flag=True)  # {k}" for k in range(lines)
    )
    return Thread(author=a, posts=(Post(id="1", author=a, text=f"A big file:\n\n```python\n{code}\n```"),))


def test_a_wrapped_code_line_never_continues_on_the_next_slide() -> None:
    _, slides = layout_slides(_code_thread(60, 100), RenderOptions(cta="none"), {})
    code_slides = [s for s in slides if s.template == "code"]
    assert len(code_slides) > 2
    for s in code_slides:
        mono = [t for t in _body_texts(s) if "mono" in t.font.path and not t.text.startswith("python")]
        top = min(t.baseline for t in mono)
        first = min((t for t in mono if t.baseline == top), key=lambda t: t.x)
        assert first.text.startswith("line_"), (slides.index(s), first.text)


def test_wrapped_code_breaks_after_a_space_when_it_can() -> None:
    from rendering.layout.code import Seg, wrap_segments

    line = [Seg("total = compute(alpha, beta, gamma, delta, epsilon) + fudge_factor", None)]
    parts = ["".join(s.text for s in p) for p in wrap_segments(line, 40)]
    assert "".join(p.strip() for p in parts).replace(" ", "") == line[0].text.replace(" ", "")
    assert all(len(p) <= 40 for p in parts)
    assert parts[0].endswith(",") and not parts[1].strip().startswith(("a,", "lta"))
    assert all(p.startswith("    ") and p[4] != " " for p in parts[1:])  # hangs past its indentation


def test_wrapped_code_hangs_past_its_own_indentation_and_keeps_tokens_whole() -> None:
    from rendering.layout.code import Seg, wrap_segments

    line = [
        Seg("        ", None),
        Seg("result_of_the_call", None),
        Seg(" = ", None),
        Seg("some_module.function_name", None),
        Seg("(", None),
        Seg("first_argument_value", None),
        Seg(", ", None),
        Seg("second_argument_value", None),
        Seg(")", None),
    ]
    parts = ["".join(s.text for s in p) for p in wrap_segments(line, 40)]
    assert len(parts) > 1 and all(len(p) <= 40 for p in parts)
    assert all(p.startswith(" " * 12) and p[12] != " " for p in parts[1:])  # 8 of its own + 4
    tokens = {s.text.strip() for s in line if s.text.strip()}
    pieces = {w for p in parts for w in p.replace("(", " ").replace(",", " ").replace(")", " ").split()}
    assert pieces - {"="} <= tokens  # no token was cut in two


def test_rows_kept_together_move_as_a_chain() -> None:
    from rendering.layout.rows import Row, paginate

    def noop(x: float, y: float, h: float, out: list) -> None:
        return None

    body = [Row(10, noop) for _ in range(8)]
    heading = [Row(10, noop, keep_with_next=True), Row(10, noop, keep_with_next=True)]
    after = [Row(10, noop) for _ in range(3)]
    pages = paginate(body + heading + after, 100)
    assert [p.row for p in pages[1].placements][:3] == heading + after[:1]
    assert len(pages[0].placements) == 8


def _single_photo(size: tuple[int, int], alt: str = "") -> tuple[Thread, dict]:
    from PIL import Image

    a = Author(name="A", handle="a")
    url = "https://img.example/p.png"
    media = Media(url=url, width=size[0], height=size[1], alt=alt)
    first = Post(id="0", author=a, text="Notes from a week in the mountains.")
    post = Post(id="1", author=a, text="A photo from the trip.", media=(media,))
    return Thread(author=a, posts=(first, post)), {url: Image.new("RGB", size, (200, 90, 60))}


@pytest.mark.parametrize("ratio", ["4:5", "16:9"])
def test_an_image_slide_gives_the_picture_half_the_card_and_keeps_alt_text_off_it(ratio: Ratio) -> None:
    thread, images = _single_photo((900, 1200), alt="Sunset over the ridge")
    _, slides = layout_slides(thread, RenderOptions(ratio=ratio, cta="none"), images)
    slide = next(s for s in slides if s.template == "image")
    pic = next(i for i in slide.items if isinstance(i, Picture) and not i.circle)
    x, y, w, h = pic.box
    cx, cy, cw, ch = slide.content_box
    assert w * h >= 0.5 * cw * ch * 0.5  # at least half the height of the content area, most of its width
    assert h >= 0.45 * ch
    assert not any("Sunset" in t.text for t in slide.texts())  # alt text goes to the PDF and the chat
    assert pic.alt == "Sunset over the ridge"
    assert "A photo from the trip." in " ".join(t.text for t in slide.texts())


def test_a_very_tall_image_is_cropped_to_a_phone_screen_not_a_sliver() -> None:
    thread, images = _single_photo((200, 2000))
    _, slides = layout_slides(thread, RenderOptions(cta="none"), images)
    pic = next(i for s in slides[1:] for i in s.items if isinstance(i, Picture) and not i.circle)
    x, y, w, h = pic.box
    assert w / h == pytest.approx(9 / 16, rel=0.01)


def test_outro_ellipsises_a_long_name_and_keeps_a_long_handle_whole() -> None:
    a = Author(
        name="Dr. Maximiliana Konstantinopoulou-Wolfeschlegelsteinhausen, PhD, MBA",
        handle="maximiliana_konstantinopoulou_official",
    )
    th = Thread(author=a, posts=(Post(id="1", author=a, text="A post from someone with a long name."),))
    outro = layout_slides(th, RenderOptions(), {})[1][-1]
    assert outro.template == "outro"
    cx, _, cw, _ = outro.content_box
    texts = _body_texts(outro)
    name = [t for t in texts if t.text.startswith("Dr.")]
    assert name and name[-1].text.endswith("…")
    assert all(cx - 0.5 <= t.x and t.x + t.width <= cx + cw + 0.5 for t in texts)
    assert any("@maximiliana_konstantinopoulou_official" in t.text for t in texts if t.size > 40)


def test_display_text_shrinks_rather_than_cut_a_word() -> None:
    a = Author(name="A", handle="a")
    word = "Donaudampfschifffahrtsgesellschaft"
    th = Thread(author=a, posts=(Post(id="1", author=a, text=f"The {word} sails."),))
    slides = layout_slides(th, RenderOptions(cta="none"), {})[1]
    for s in slides[:2]:  # the cover's title and the big-quote slide
        assert any(word in t.text for t in s.texts()), [t.text for t in s.texts()]


def test_every_content_slide_of_a_deck_shares_one_body_size() -> None:
    from rendering.pipeline import layout_deck

    a = Author(name="A", handle="a")
    texts = [f"One-liner number {i}." for i in range(8)] + [
        "A longer post that explains one idea in two sentences. It needs a paragraph of its own.",
        "# A heading\n\nAnd a paragraph under it, which reads as one idea with the heading above.",
    ]
    posts = tuple(Post(id=str(i), author=a, text=t) for i, t in enumerate(texts))
    _, deck = layout_deck(Thread(author=a, posts=posts), RenderOptions(cta="none"), {})
    body = deck.board.body_size
    assert body >= 32
    for s in deck.slides:
        if s.template in ("post", "list", "step", "code", "image") and not s.display:
            plain = {t.size for t in _body_texts(s) if "inter" in t.font.path.lower() and t.text.strip()}
            assert body in plain, (s.template, plain)
            assert all(size == body or size >= body * 1.3 for size in plain if size > body * 0.9), plain


def test_a_last_line_never_holds_a_lone_short_word() -> None:
    from rendering.fonts import Face
    from rendering.layout.measure import TextStyle, tokens, wrap

    style = TextStyle(Face("Inter"), 72, (0, 0, 0, 255))
    text = "Shipping beats perfect. Every single time. 🚀"
    head = wrap(tokens(text.rsplit(" ", 1)[0], style), 1e9)[0].width
    width = head + 10  # the greedy breaker leaves the rocket alone on the last line
    greedy = wrap(tokens(text, style), width)
    assert len(greedy) == 2 and len(greedy[-1].placed) == 1
    balanced = wrap(tokens(text, style), width, avoid_orphan=True)
    assert len(balanced) == 2 and len(balanced[-1].placed) > 1
    assert all(line.width <= width for line in balanced)


def test_big_quote_keeps_its_emoji_with_a_word() -> None:
    _, slides = layout_slides(rich_thread(), RenderOptions(theme="editorial", ratio="16:9"), sample_images())
    quote = next(s for s in slides if s.template == "statement")
    rocket = next(i for i in quote.items if isinstance(i, Emoji))
    words = [t for t in _body_texts(quote) if t.size > 40 and t.text.strip() not in ("", "“")]
    same_line = [t for t in words if t.box[1] < rocket.box[1] + rocket.box[3] and rocket.box[1] < t.baseline]
    assert same_line, "the emoji shares its line with a word"


def test_a_list_marker_comes_before_its_item_in_reading_order() -> None:
    a = Author(name="A", handle="a")
    th = Thread(author=a, posts=(Post(id="1", author=a, text="→ " + "x" * 60 + "\n• second item"),))
    _, slides = layout_slides(th, RenderOptions(cta="none"), {})
    texts = [t.text for s in slides[1:] for t in _body_texts(s) if t.text.strip() not in ("A", "@a")]
    assert texts[0] == "•" and texts.index("second item") == texts.index("•", 1) + 1, texts


@pytest.mark.parametrize("theme", ["blueprint", "paper", "aurora"])
@pytest.mark.parametrize("accent", ["#FF3366", "#FFFF00", "#111111"])
def test_a_brand_accent_used_as_text_stays_legible(theme: str, accent: str) -> None:
    from contract.options import Brand
    from themes.loader import contrast_ratio, load_theme

    options = RenderOptions(theme=theme, brand=Brand(accent=accent))
    _, slides = layout_slides(text_thread(2), options, {})
    t = load_theme(theme)
    surface = t.colors.card if t.card.enabled else t.colors.background
    from rendering.display import parse_color

    kicker = next(x for x in slides[0].texts() if x.text.startswith("THREAD"))
    assert contrast_ratio(kicker.color, parse_color(surface)) >= 3.0, kicker.color


@pytest.mark.parametrize("ratio", ["4:5", "1:1", "16:9"])
def test_watermark_finds_room_beside_a_long_footer(ratio: Ratio) -> None:
    from contract.options import Brand

    footer = "acme.studio — ideas and essays, weekly since 2019"
    brand = Brand(name="Acme Studio", footer=footer, watermark=True)
    _, slides = layout_slides(text_thread(3), RenderOptions(ratio=ratio, brand=brand), {})
    for s in slides:
        card_bottom = s.content_box[1] + s.content_box[3]
        footer = sorted((t for t in s.texts() if t.baseline > card_bottom + 1), key=lambda t: t.x)
        assert any(t.text == "Acme Studio" for t in footer), [t.text for t in footer]
        for a, b in zip(footer, footer[1:], strict=False):
            assert a.x + a.width < b.x, (a.text, b.text)
        assert all(t.x >= 0 and t.x + t.width <= s.size[0] for t in footer)
