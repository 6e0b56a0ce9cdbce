"""Composition: one idea per slide — what is kept together, where a long block is cut, how short
posts share a slide, one body size per deck, parts of at most 20 slides."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.options import Ratio, RenderOptions
from rendering.compose import code_cut_lines, sentence_offsets, units_of
from rendering.display import Picture, Text
from rendering.model import Author, Block, Media, Post, Span, Thread
from rendering.pipeline import layout_deck, render

A = Author(name="Priya Raman", handle="priyaships")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "decks"


def _thread(*texts: str, **posts_extra: object) -> Thread:
    return Thread(author=A, posts=tuple(Post(id=str(k), author=A, text=t) for k, t in enumerate(texts)))


def _words(slide) -> str:  # type: ignore[no-untyped-def]
    card_bottom = slide.content_box[1] + slide.content_box[3]
    return " ".join(t.text for t in slide.texts() if t.baseline <= card_bottom + 1)


def _load(name: str) -> Thread:
    from worker.sources.text import load_local

    return load_local(FIXTURES / f"{name}.json")


# --- units ------------------------------------------------------------------------------------


def test_a_heading_and_a_lead_in_stay_with_what_they_introduce() -> None:
    blocks = (
        Block(kind="heading", spans=(Span(text="Why batching is hard"),)),
        Block(kind="paragraph", spans=(Span(text="Requests arrive at random times."),)),
        Block(kind="paragraph", spans=(Span(text="The loop everyone starts with:"),)),
        Block(kind="code", spans=(Span(text="while True:\n    step()"),), language="python"),
    )
    units, waiting = units_of(blocks)
    assert [u.kind for u in units] == ["text", "code"] and not waiting
    assert [b.kind for b in units[0].blocks] == ["heading", "paragraph"]
    assert units[1].blocks[0].text == "The loop everyone starts with:"


def test_a_post_ending_in_a_lead_in_introduces_the_next_posts_picture() -> None:
    photo = Media(url="https://img.example/model.png", width=1200, height=1200)
    a = Post(id="1", author=A, text="Serving is thousands of small, ragged requests.")
    b = Post(id="2", author=A, text="A useful mental model 👇")
    c = Post(id="3", author=A, text="", media=(photo,))
    d = Post(id="4", author=A, text="Continuous batching lets new requests join at every step.")
    _, deck = layout_deck(Thread(author=A, posts=(a, b, c, d)), RenderOptions(cta="none"), {})
    image = next(s for s in deck.slides if s.template == "image")
    assert "A useful mental model" in _words(image)
    assert not any("A useful mental model" in _words(s) for s in deck.slides if s is not image)


def test_a_list_of_up_to_six_items_is_one_unit_and_a_longer_one_is_cut_evenly() -> None:
    items = [Block(kind="bullet", spans=(Span(text=f"item {k}"),)) for k in range(8)]
    units, _ = units_of(tuple(items[:6]))
    assert len(units) == 1
    units, _ = units_of(tuple(items))
    assert [len(u.blocks) for u in units] == [4, 4]


def test_sentences_are_found_between_sentences_only() -> None:
    text = "Decode is memory-bound (about 1 FLOP per byte). It reads e.g. every weight. Then it waits!"
    cuts = sentence_offsets(text)
    assert [text[c:].split()[0] for c in cuts] == ["It", "Then"]


def test_code_is_cut_at_blank_lines_and_top_level_statements_only() -> None:
    code = (
        "import os\n\n\ndef a():\n    x = 1\n    return x\n\n\ndef b(\n    y,\n):\n    return y\nprint(a())"
    )
    lines = code.split("\n")
    assert [lines[k] for k in code_cut_lines(code)] == ["def a():", "def b(", "print(a())"]


# --- slides -----------------------------------------------------------------------------------


def test_a_long_paragraph_continues_at_a_sentence_never_mid_sentence() -> None:
    sentence = "Each step of the scheduler admits waiting requests while the token budget allows it."
    _, deck = layout_deck(_thread("Scheduling, explained.", " ".join([sentence] * 24)), RenderOptions(), {})
    content = [s for s in deck.slides if s.fill is not None]
    assert len(content) >= 2
    for s in content:
        first = _words(s).split("@priyaships", 1)[-1].strip()
        assert first.startswith("Each step"), first[:40]
        assert not s.starts_mid_sentence


def test_a_code_block_taller_than_a_slide_gets_slides_of_its_own_with_a_continued_mark() -> None:
    body = "\n\n".join(
        f"def step_{k}(batch):\n    total = sum(len(r) for r in batch)\n    return total * {k}"
        for k in range(30)
    )
    text = f"The whole scheduler:\n\n```python\n{body}\n```"
    _, deck = layout_deck(_thread("A scheduler in Python.", text), RenderOptions(cta="none"), {})
    code = [s for s in deck.slides if s.template == "code"]
    assert len(code) >= 2
    for k, s in enumerate(code):
        mono = [t for t in s.texts() if "mono" in t.font.path.lower()]
        label = min(mono, key=lambda t: (t.baseline, t.x)).text
        assert label == ("python" if k == 0 else "python · continued")
        lines = sorted({t.baseline for t in mono if t.text != label})
        first_line = "".join(t.text for t in sorted(mono, key=lambda t: t.x) if t.baseline == lines[0])
        assert first_line.startswith("def step_"), first_line  # a piece starts a statement


def test_a_quoted_post_is_never_cut_in_two() -> None:
    quoted = Post(
        id="q", author=Author(name="Sam Ortiz", handle="samortiz"), text="Does this hold at scale? " * 6
    )
    long = "Batching is the first thing to fix. " * 9
    post = Post(id="1", author=A, text=long, quote=quoted)
    _, deck = layout_deck(
        Thread(author=A, posts=(Post(id="0", author=A, text="Notes."), post)), RenderOptions(), {}
    )
    holding = [s for s in deck.slides if "Sam Ortiz" in _words(s)]
    assert len(holding) == 1
    assert "Does this hold at scale?" in _words(holding[0])


def test_a_run_of_one_liners_becomes_list_slides_of_at_most_six() -> None:
    _, deck = layout_deck(_load("one-liners-24"), RenderOptions(), {})
    lists = [s for s in deck.slides if s.template == "list"]
    assert lists and len(deck.slides) <= 8
    for s in lists:
        assert 2 <= sum(t.text == "•" for t in s.texts()) <= 6
        assert (s.fill or 0) >= 0.4


def test_counted_posts_become_numbered_steps_with_the_authors_numbers() -> None:
    _, deck = layout_deck(_load("long-technical-thread"), RenderOptions(), {})
    steps = [s for s in deck.slides if s.template == "step"]
    assert len(steps) >= 8
    numbers = [next(t.text for t in s.texts() if t.text.isdigit() and len(t.text) == 2) for s in steps]
    assert numbers[:2] == ["01", "02"]
    assert numbers == sorted(numbers)


def test_the_cover_text_is_not_repeated_on_the_next_slide() -> None:
    _, deck = layout_deck(_load("long-technical-thread"), RenderOptions(), {})
    title = "Why your GPU sits idle"
    assert title in _words(deck.slides[0]).replace("\n", " ") or title in " ".join(
        t.text for t in deck.slides[0].texts()
    )
    assert not any(title in _words(s) for s in deck.slides[1:])


ONBOARDING = (
    "Why most onboarding fails: a thread. #product #ux",
    "1. People don't read. They scan the first line and leave.",
    "2. Show one thing at a time; the second screen loses half of them.",
    "3. Measure the drop-off, not the sign-ups.",
    "4. Ask for the email last, after they have seen the value.",
    "That's it. Follow for more on product. #product",
)


def test_tags_left_after_the_cover_title_get_no_slide_and_never_join_the_title() -> None:
    doc, deck = layout_deck(_thread(*ONBOARDING), RenderOptions(), {})
    assert doc.title == "Why most onboarding fails: a thread"
    assert not any("#ux" in _words(s) for s in deck.slides[1:])
    short, _ = layout_deck(
        _thread("DMs work too. #dm", "Second post in a DM, with a few more words."), RenderOptions(), {}
    )
    assert short.title == "DMs work too"


def test_a_numbered_run_keeps_a_closing_remark_out_of_its_numbers_and_under_it() -> None:
    _, deck = layout_deck(_thread(*ONBOARDING), RenderOptions(cta="none"), {})
    content = deck.slides[1:]
    assert len(content) == 1, [_words(s) for s in content]  # no slide holds the remark alone
    texts = content[0].texts()
    assert [t.text for t in texts if t.text.rstrip(".").isdigit()] == ["1.", "2.", "3.", "4."]
    assert "•" not in [t.text for t in texts]
    assert "That's it." in _words(content[0])


def test_a_short_stand_alone_sentence_is_a_statement_but_a_lead_in_never_is() -> None:
    _, deck = layout_deck(
        _thread(
            "How we cut our build time in half.",
            "Caching is not optional. It is the whole game, and every step of the pipeline respects it.",
            "Shipping beats perfect.",
            "Here is the checklist we use:",
            "Measure first, then cut the slowest step, then measure again to find the next slowest one.",
        ),
        RenderOptions(cta="none"),
        {},
    )
    by_text = {_words(s): s.template for s in deck.slides}
    statement = [w for w, t in by_text.items() if t == "statement"]
    assert any("Shipping beats perfect." in w for w in statement)
    assert not any("checklist" in w for w in statement)


@pytest.mark.parametrize("ratio", ["4:5", "1:1", "9:16", "16:9"])
def test_one_body_size_per_deck_readable_on_a_phone(ratio: Ratio) -> None:
    _, deck = layout_deck(_load("long-technical-thread"), RenderOptions(ratio=ratio), {})
    width = deck.slides[0].size[0]
    body = deck.board.body_size
    assert body * 1080 / width >= 32  # 57 px and more on a 1920-wide 16:9 slide
    for s in deck.slides:
        if s.template in ("post", "step", "list") and not s.display:  # display slides set text larger
            sizes = {t.size for t in s.texts() if "inter" in t.font.path.lower() and len(t.text) > 3}
            assert body in sizes


def test_a_source_needing_more_than_twenty_slides_is_split_into_whole_parts() -> None:
    posts = tuple(
        Post(id=str(k), author=A, text=f"{k}/ " + f"Point {k} explains one more thing about serving. " * 4)
        for k in range(1, 41)
    )
    thread = Thread(author=A, posts=posts)
    options = RenderOptions(max_posts=40)
    _, deck = layout_deck(thread, options, {})
    n = len(deck.parts)
    content = sum(len(p) - 2 for p in deck.parts)
    assert n >= 2 and n == -(-content // 18)  # as few parts as 18 content slides each allow
    for k, part in enumerate(deck.parts, start=1):
        assert len(part) <= 20
        assert part[0].template == "cover" and part[-1].template == "outro"
        assert f"PART {k} OF {n}" in " ".join(t.text for t in part[0].texts()).upper()
    assert max(len(p) for p in deck.parts) - min(len(p) for p in deck.parts) <= 2  # evenly
    car = render(thread, options, {})
    assert [c.part for c in car.parts] == [(k, n) for k in range(1, n + 1)]
    assert all(c.pdf.startswith(b"%PDF") for c in car.parts)
    # a job sends one part: only that part is painted, the same slides as when every part is
    seen: list[tuple[int, int]] = []
    second = render(thread, options, {}, progress=lambda done, total: seen.append((done, total)), part=2)
    assert second.part == (2, n) and not second.more
    assert second.slides == car.parts[1].slides and second.alts == car.parts[1].alts
    assert seen[-1] == (len(car.parts[1].slides),) * 2
    assert render(thread, options, {}, part=n + 3).part == (n, n)


def test_a_deck_of_several_parts_never_grows_its_type_into_words_left_alone_on_a_slide() -> None:
    import random

    words = ("latency", "batching", "memory", "cache", "token", "decode", "prefill", "kernel", "scheduler")
    words += (
        "throughput",
        "queue",
        "replica",
        "shard",
        "tensor",
        "bandwidth",
        "layer",
        "attention",
        "budget",
    )
    pick = random.Random(0)  # 20 run-on posts of 40 words: a bigger type would leave "queue." alone
    posts = tuple(
        Post(
            id=str(k),
            author=A,
            text=f"{k}/ " + " ".join(pick.choice(words) for _ in range(40)).capitalize() + ".",
        )
        for k in range(1, 21)
    )
    _, deck = layout_deck(Thread(author=A, posts=posts), RenderOptions(max_posts=20), {})
    assert len(deck.parts) == 2
    content = [s for s in deck.slides if s.template not in ("cover", "outro")]
    assert len(content) == 20  # one post, one slide
    assert not any(s.starts_mid_sentence or (s.fill or 0) < 0.4 for s in content)


def test_an_image_slides_alt_text_is_kept_in_the_pdf() -> None:
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfReader

    url = "https://img.example/chart.png"
    photo = Media(url=url, width=1200, height=800, alt="Throughput after: 2,950 tokens per second")
    posts = (
        Post(id="0", author=A, text="What changed after the fix."),
        Post(id="1", author=A, text="The numbers:", media=(photo,)),
    )
    car = render(Thread(author=A, posts=posts), RenderOptions(), {url: Image.new("RGB", (1200, 800), "teal")})
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(car.pdf)).pages)
    assert "2,950 tokens per second" in text
    _, deck = layout_deck(
        Thread(author=A, posts=posts), RenderOptions(), {url: Image.new("RGB", (1200, 800))}
    )
    image = next(s for s in deck.slides if s.template == "image")
    assert not any("2,950" in t.text for t in image.items if isinstance(t, Text))
    assert any(isinstance(i, Picture) and i.alt for i in image.items)
    # and for the chat: each slide's alt text travels with the result
    k = next(k for k, s in enumerate(deck.slides) if s.template == "image")
    assert car.alts[k] == "Throughput after: 2,950 tokens per second"
    assert all(not a for j, a in enumerate(car.alts) if j != k)
