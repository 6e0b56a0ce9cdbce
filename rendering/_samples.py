"""Fixed sample threads (and their images, drawn locally) for tests, goldens and the benchmark."""

from __future__ import annotations

from PIL import Image, ImageDraw

from rendering.model import Author, Media, Post, Thread

AUTHOR = Author(name="Maya Chen", handle="mayabuilds", avatar_url="https://img.example/avatar.jpg")
PHOTO = "https://img.example/photo.jpg"
WIDE = "https://img.example/wide.png"
VIDEO = "https://img.example/video-thumb.jpg"
QUOTED_AVATAR = "https://img.example/quoted.jpg"


def _gradient(
    size: tuple[int, int], a: tuple[int, int, int], b: tuple[int, int, int], label: str
) -> Image.Image:
    w, h = size
    im = Image.linear_gradient("L").resize(size).convert("L")
    base = Image.new("RGB", size, a)
    top = Image.new("RGB", size, b)
    out = Image.composite(top, base, im)
    d = ImageDraw.Draw(out)
    for k in range(0, w, max(8, w // 12)):
        d.ellipse((k, h // 2 - w // 24, k + w // 12, h // 2 + w // 24), fill=(255, 255, 255))
    d.text((10, 10), label, fill=(0, 0, 0))
    return out


def sample_images() -> dict[str, Image.Image]:
    return {
        AUTHOR.avatar_url or "": _gradient((200, 200), (240, 120, 60), (60, 80, 200), "A"),
        PHOTO: _gradient((1200, 800), (30, 90, 160), (230, 200, 120), "photo"),
        WIDE: _gradient((1600, 600), (20, 140, 90), (250, 250, 250), "wide"),
        VIDEO: _gradient((1280, 720), (40, 40, 40), (160, 60, 90), "video"),
        QUOTED_AVATAR: _gradient((120, 120), (90, 200, 120), (20, 60, 40), "Q"),
    }


def _post(i: int, text: str, **kw: object) -> Post:
    return Post(id=str(i), url=f"https://x.com/mayabuilds/status/{i}", author=AUTHOR, text=text, **kw)  # type: ignore[arg-type]


def rich_thread() -> Thread:
    """One post per template and text feature: headings, lists, quotes, code, links, emoji,
    Greek/Cyrillic/symbols, images, video, a quoted post, a long post that continues."""
    quoted = Post(
        id="q1",
        author=Author(name="Ada Park", handle="adapark", avatar_url=QUOTED_AVATAR),
        text="Batching is the single biggest lever for inference cost. Everything else is a rounding error.",
    )
    long_text = " ".join(
        f"Sentence {k} explains one more detail about caches, memory bandwidth and scheduling."
        for k in range(1, 24)
    )
    posts = [
        _post(
            1,
            "How LLM inference actually works, clearly explained 🧵\n\nHere's the whole path "
            "from prompt to token → in a few posts 👇",
        ),
        _post(
            2,
            "# Step 1: Tokenize\n\nYour prompt is split into tokens.\n\n"
            '• "unbelievable" → un · believ · able\n'
            "• a token is ~¾ of an English word\n• the model only ever sees integers ✓",
        ),
        _post(3, "Shipping beats perfect. Every single time. 🚀"),
        _post(4, "## Part two\n\nWhat happens on the GPU"),
        _post(
            5,
            "Quick math for a 7B model:\n\n```python\nlayers, heads, head_dim = 32, 32, 128\n"
            "bytes_per_token = 2 * layers * heads * head_dim * 2  # keys and values, fp16\n"
            "print(bytes_per_token / 1024)  # 512.0 KiB\n```",
        ),
        _post(
            6,
            "The dashboard after the fix 👇",
            media=(
                Media(
                    url=PHOTO, width=1200, height=800, alt="A latency chart dropping from 900 ms to 120 ms"
                ),
            ),
        ),
        _post(
            7,
            "Greek: αβγ δέλτα. Cyrillic: привет, мир. Symbols: → • ✓ ⌘ ≈ €. Emoji: 👩‍💻 🇫🇷 👍🏽 ❤️ 1️⃣.\n\n"
            "> Memory per token = 2 × layers × heads × head_dim × bytes\n\n"
            "1) Batching\n2) Paged KV cache\n3) Quantization",
            quote=quoted,
        ),
        _post(
            8,
            "Watch the talk (12 min) and the slides:",
            media=(
                Media(kind="video", url=VIDEO, width=1280, height=720),
                Media(url=WIDE, width=1600, height=600),
            ),
        ),
        _post(9, long_text),
        _post(
            10,
            'Full write-up with diagrams: <a href="https://example.com/blog/llm-inference">the blog post</a>'
            " — <b>bold</b>, <i>italic</i> and <code>inline code</code>.",
            text_format="html",
        ),
    ]
    return Thread(
        source="x", url="https://x.com/mayabuilds/status/1", author=AUTHOR, posts=tuple(posts), total_posts=14
    )


def text_thread(n: int = 20) -> Thread:
    """``n`` text-only posts of typical length (benchmark, PDF size)."""
    base = (
        "Most teams ship slower than they could because every release waits for the slowest review. "
        "Here is what changed when we made reviews asynchronous and small → {k}."
    )
    posts = [
        _post(k, base.format(k=k) + (" Details matter 👇" if k % 3 == 0 else "")) for k in range(1, n + 1)
    ]
    return Thread(source="x", author=Author(name="Maya Chen", handle="mayabuilds"), posts=tuple(posts))
