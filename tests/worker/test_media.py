"""Image downloads: allowed hosts only, caps, checks, and one failure never sinks the rest."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from rendering.model import Author, Media, Post, Thread
from tests.fakes.sources import FakeSources, png_bytes
from worker.config import Settings
from worker.http import make_client
from worker.limits import MEDIA_MAX_BYTES, MEDIA_MAX_PIXELS, MEDIA_MAX_SIDE
from worker.media import (
    TOO_LARGE,
    UNAVAILABLE,
    UNREADABLE,
    MediaRefused,
    check_url,
    decode_image,
    fetch_images,
)

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.fixture
def fake() -> Iterator[FakeSources]:
    with FakeSources() as server:
        yield server


@pytest.fixture
def client(fake: FakeSources) -> Iterator[httpx.Client]:
    with make_client(fake.settings()) as c:
        yield c


def thread_with(urls: list[str], source: str = "x", url: str | None = None) -> Thread:
    author = Author(name="A", handle="a")
    posts = tuple(Post(id=str(i), author=author, media=(Media(url=u),)) for i, u in enumerate(urls))
    return Thread(source=source, url=url, author=author, posts=posts)  # type: ignore[arg-type]


def bomb_png(side: int) -> bytes:
    """A tiny file that claims ``side``×``side`` pixels (a decompression bomb)."""
    img = Image.new("1", (side, side))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def test_good_images_come_back_decoded(fake: FakeSources, client: httpx.Client) -> None:
    a = fake.add_image("a.png", size=(30, 20))
    b = fake.add_image("b.jpg", data=_jpeg((40, 40)), content_type="image/jpeg")
    rgba = io.BytesIO()
    Image.new("RGBA", (10, 10), (1, 2, 3, 100)).save(rgba, "PNG")
    c = fake.add_image("c.png", data=rgba.getvalue())
    images = fetch_images(thread_with([a, b]), settings=fake.settings(), client=client, extra=[c])
    assert set(images) == {a, b, c}
    assert images[a].size == (30, 20) and images[a].mode == "RGB"
    assert images[c].mode == "RGBA"


def _jpeg(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "JPEG")
    return buf.getvalue()


def test_large_images_are_downscaled(fake: FakeSources, client: httpx.Client) -> None:
    big = fake.add_image("big.jpg", data=_jpeg((4000, 1000)), content_type="image/jpeg")
    img = fetch_images(thread_with([big]), settings=fake.settings(), client=client)[big]
    assert max(img.size) <= MEDIA_MAX_SIDE and img.size[0] / img.size[1] == pytest.approx(4, rel=0.02)


def test_each_failure_is_left_out_and_logged(fake: FakeSources, client: httpx.Client, caplog) -> None:
    good = fake.add_image("good.png")
    wrong_type = fake.add_image("page.html", data=b"<html></html>", content_type="text/html")
    svg = fake.add_image("x.svg", data=b"<svg/>", content_type="image/svg+xml")
    garbage = fake.add_image("bad.png", data=b"\x89PNG not really", content_type="image/png")
    missing = fake.media_url("missing.png")
    bomb = fake.add_image("bomb.png", data=bomb_png(int(MEDIA_MAX_PIXELS**0.5) + 100))
    endless = fake.add_endless("endless.png")
    urls = [good, wrong_type, svg, garbage, missing, bomb, endless]
    with caplog.at_level(logging.WARNING, logger="worker.media"):
        images = fetch_images(thread_with(urls), settings=fake.settings(), client=client)
    assert set(images) == {good}
    log = caplog.text
    assert "text/html" in log and "image/svg+xml" in log
    assert "not a readable image" in log
    assert "HTTP 404" in log
    assert "pixel cap" in log
    assert f"over the {MEDIA_MAX_BYTES} byte cap" in log


def test_declared_oversize_is_refused_before_reading(fake: FakeSources, client: httpx.Client, caplog) -> None:
    url = fake.add_image("huge.png", data=b"\x89PNG" + b"\0" * MEDIA_MAX_BYTES)
    with caplog.at_level(logging.WARNING, logger="worker.media"):
        images = fetch_images(thread_with([url]), settings=fake.settings(), client=client)
    assert images == {}
    assert f"{MEDIA_MAX_BYTES + 4} bytes is over the" in caplog.text


def test_plain_http_hosts_are_refused_unless_listed(fake: FakeSources, client: httpx.Client, caplog) -> None:
    # the fake's own host is allowed only through MEDIA_HOSTS; without it nothing is fetched
    url = fake.add_image("a.png")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="worker.media"):
        images = fetch_images(thread_with([url]), settings=settings, client=client)
    assert images == {} and fake.count("/media/") == 0
    assert "only https" in caplog.text


def test_redirect_off_the_allowed_hosts_is_refused(fake: FakeSources, client: httpx.Client, caplog) -> None:
    target = fake.add_image("target.png")
    inside = fake.add_redirect("inside.png", target)
    outside = fake.add_redirect("outside.png", f"http://localhost:{fake.port}/media/target.png")
    meta = fake.add_redirect("meta.png", "http://169.254.169.254/latest/meta-data")
    tls_meta = fake.add_redirect("tls-meta.png", "https://169.254.169.254/latest/meta-data")
    urls = [inside, outside, meta, tls_meta]
    with caplog.at_level(logging.WARNING, logger="worker.media"):
        images = fetch_images(thread_with(urls), settings=fake.settings(), client=client)
    assert set(images) == {inside}
    assert fake.count("/media/target.png") == 1  # only through the allowed host
    assert "non-public address (169.254.169.254)" in caplog.text


def test_check_url_rules() -> None:
    check_url("http://127.0.0.1:8080/a.png", {"127.0.0.1:8080"})  # listed: allowed, even http
    # any https host may serve what the source named (media CDNs, Mastodon's shared CDNs)
    check_url("https://cdn.masto.host/fosstodonorg/media_attachments/files/1/original/a.png", ())
    check_url("https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg", ())
    for url, reason in [
        ("http://pbs.twimg.com/media/a.jpg", "only https"),
        ("ftp://pbs.twimg.com/media/a.jpg", "only https"),
        ("file:///etc/passwd", "no host"),
        ("http://127.0.0.1/a.png", "only https"),
    ]:
        with pytest.raises(MediaRefused, match=reason):
            check_url(url, ())


def test_media_cdn_name_resolving_to_a_private_address_is_left_out(fake: FakeSources, caplog) -> None:
    # an image the source named on a public-looking CDN name that resolves to loopback
    fake.add_image("a.png")
    url = f"https://cdn.masto.host:{fake.port}/media/a.png"
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    resolve = {"cdn.masto.host": ["127.0.0.1"]}
    with (
        make_client(settings, resolve=lambda host, port: resolve.get(host, [])) as client,
        caplog.at_level(logging.WARNING, logger="worker.media"),
    ):
        images = fetch_images(thread_with([url], source="mastodon"), settings=settings, client=client)
    assert images == {} and fake.count("/media/") == 0
    assert "non-public address (127.0.0.1)" in caplog.text


def test_decode_rejects_pixel_bombs_before_loading() -> None:
    with pytest.raises(MediaRefused, match="pixel cap"):
        decode_image(bomb_png(int(MEDIA_MAX_PIXELS**0.5) + 100))
    assert decode_image(png_bytes((5, 5))).size == (5, 5)


def test_images_are_recognised_by_their_bytes_and_each_failure_says_why(
    fake: FakeSources, client: httpx.Client
) -> None:
    # a file host answering every file as application/octet-stream (Telegram's does)
    png = fake.add_image("photo", data=png_bytes((8, 8)), content_type="application/octet-stream")
    webp = io.BytesIO()
    Image.new("RGB", (6, 6)).save(webp, "WEBP")
    untyped = fake.add_image("sticker", data=webp.getvalue(), content_type="")
    garbage = fake.add_image("garbage", data=b"not a picture", content_type="application/octet-stream")
    liar = fake.add_image("liar.png", data=b"<html>hello</html>", content_type="image/png")
    big = fake.add_image("big.png", data=bomb_png(int(MEDIA_MAX_PIXELS**0.5) + 100))
    missing = fake.media_url("missing.png")
    failed: dict[str, str] = {}
    images = fetch_images(
        thread_with([png, untyped, garbage, liar, big, missing]),
        settings=fake.settings(),
        client=client,
        failed=failed,
    )
    assert set(images) == {png, untyped}
    assert failed == {garbage: UNREADABLE, liar: UNREADABLE, big: TOO_LARGE, missing: UNAVAILABLE}
