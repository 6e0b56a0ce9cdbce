"""Property tests: whatever the text (words, long tokens, emoji, scripts, code), every text item
lies inside the card's safe area, and nothing is lost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.options import Ratio, RenderOptions
from rendering.display import Emoji, Text
from rendering.model import Author, Block, Post, Span, Thread
from rendering.pipeline import layout_slides

AUTHOR = Author(name="Prop Tester", handle="prop")
WORDS = st.sampled_from(
    [
        "the",
        "carousel",
        "supercalifragilisticexpialidocious",
        "x" * 60,
        "→",
        "•",
        "✓",
        "⌘",
        "αβγ",
        "привет",
        "👩‍💻",
        "🇫🇷",
        "👍🏽",
        "❤️",
        "🚀",
        "1️⃣",
        "https://example.com/a/very/long/path/that/never/ends",
        "Ünïcödé",
        "42",
        "—",
        "€",
        "日本",
        "a",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=120).map(" ".join)
CODE = st.lists(
    st.text(alphabet="abcdefghij_=()[]{} .,:0123456789+*", min_size=0, max_size=140), min_size=1, max_size=30
).map("\n".join)


def _check(thread: Thread, ratio: Ratio) -> None:
    _, slides = layout_slides(thread, RenderOptions(ratio=ratio, cta="none"), {})
    for s in slides:
        cx, cy, cw, ch = s.content_box
        card_bottom = cy + ch
        for item in s.items:
            if isinstance(item, Text) and item.baseline <= card_bottom + 1:
                x, y, w, h = item.box
                tol = item.size * 0.3  # ascenders of fallback fonts may reach into the padding
                assert x >= cx - 0.5 and x + w <= cx + cw + 0.5, (item.text, item.box, s.content_box)
                assert y >= cy - tol and y + h <= card_bottom + tol, (item.text, item.box, s.content_box)
            if isinstance(item, Emoji):
                x, y, w, h = item.box
                assert (
                    cx - 1 <= x
                    and x + w <= cx + cw + 1
                    and cy - h * 0.3 <= y
                    and y + h <= card_bottom + h * 0.3
                )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT, min_size=1, max_size=4), ratio=st.sampled_from(["4:5", "1:1", "9:16", "16:9"]))
def test_random_text_never_leaves_the_card(texts: list[str], ratio: Ratio) -> None:
    posts = tuple(Post(id=str(i), author=AUTHOR, text=t) for i, t in enumerate(texts))
    _check(Thread(author=AUTHOR, posts=posts), ratio)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=CODE, lead=TEXT, ratio=st.sampled_from(["4:5", "16:9"]))
def test_random_code_never_leaves_the_card(code: str, lead: str, ratio: Ratio) -> None:
    blocks = (
        Block(kind="paragraph", spans=(Span(text=lead),)),
        Block(kind="code", spans=(Span(text=code),), language="python"),
    )
    post = Post(id="1", author=AUTHOR, blocks=blocks)
    _check(Thread(author=AUTHOR, posts=(post,)), ratio)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_every_word_is_drawn(text: str) -> None:
    post = Post(id="1", author=AUTHOR, text=text)
    _, slides = layout_slides(Thread(author=AUTHOR, posts=(post,)), RenderOptions(cta="none"), {})
    # the cover shows the opening words; the slides after it the rest
    drawn = "".join(i.text for s in slides for i in s.items if isinstance(i, Text)).replace(" ", "")
    emoji_count = sum(1 for s in slides for i in s.items if isinstance(i, Emoji))
    for word in text.split():
        if word.isascii() and word.isalnum():
            assert word in drawn or word in drawn.replace("\u2009", ""), word
    if any(w in text for w in ("🚀", "👩‍💻", "🇫🇷")):
        assert emoji_count > 0
