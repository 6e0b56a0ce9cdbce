"""Hostile sources cost seconds and tens of MB: gzip bombs, huge and trickling bodies, pixel bombs.

The same limits hold in the worker and in ``carousel render``; a local file is read with a size cap.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from contract.errors import SourceTooLarge, SourceTooSlow, UserError
from tests.conftest import VENV_BIN
from tests.fakes.sources import FakeSources
from tests.faults.hostile import BOMB_BYTES, HUGE_BYTES, HostileServer, gzip_bomb
from worker.config import Settings
from worker.http import make_client
from worker.limits import MEDIA_MAX_DECODED_PIXELS, SOURCE_MAX_BYTES
from worker.media import fetch_images
from worker.sources import resolve

MASTODON_LINK = "https://mastodon.example/@someone/110000000000000001"
MEMORY_BOUND = 64 * 1024 * 1024  # what one hostile answer may cost the process, at most
CLI_RSS_BOUND_KB = 600 * 1024  # peak RSS of a whole `carousel render` process facing hostile input


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer(trickle_interval=1.0) as server:
        yield server


def _settings(api: str) -> Settings:
    host = api.split("://", 1)[1].split("/", 1)[0]  # the hostile server is on loopback: listed
    return Settings(_env_file=None, mastodon_api_url=api, media_hosts=host)  # type: ignore[call-arg]


def _resolve_measured(api: str) -> tuple[BaseException | None, int]:
    """Unroll the Mastodon link against ``api``; the error raised and the peak traced allocation."""
    tracemalloc.start()
    error: BaseException | None = None
    try:
        settings = _settings(api)
        with make_client(settings) as client:
            resolve(MASTODON_LINK, settings=settings, client=client, max_posts=20)
    except UserError as exc:
        error = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return error, peak


def test_gzip_bomb_is_stopped_at_the_byte_cap(hostile: HostileServer) -> None:
    assert len(gzip_bomb()) * 100 < BOMB_BYTES  # a real bomb: a few MB that inflate to 2 GB
    error, peak = _resolve_measured(f"{hostile.url}/bomb")
    assert isinstance(error, SourceTooLarge)
    assert peak < MEMORY_BOUND
    assert len(hostile.hits) == 1  # refused for what it is, not retried


@pytest.mark.parametrize("kind", ["huge", "endless"])
def test_huge_bodies_are_refused_at_the_byte_cap(hostile: HostileServer, kind: str) -> None:
    assert HUGE_BYTES > SOURCE_MAX_BYTES
    error, peak = _resolve_measured(f"{hostile.url}/{kind}")
    assert isinstance(error, SourceTooLarge)
    assert peak < MEMORY_BOUND


def test_a_trickling_body_ends_at_the_fetch_deadline(hostile: HostileServer) -> None:
    # one byte a second: every read is within the socket timeout, only a deadline ends it
    error, _ = _resolve_measured(f"{hostile.url}/trickle")
    assert isinstance(error, SourceTooSlow)
    assert error.message.endswith(".") and "too slowly" in error.message


def _png(size: tuple[int, int], mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 0).save(buf, "PNG", optimize=False, compress_level=9)
    return buf.getvalue()


@pytest.fixture(scope="module")
def pixel_bombs() -> dict[str, bytes]:
    """Tiny files, huge pictures: 6300×6300 (under the 40-megapixel header cap) and 1×30,000,000."""
    return {"square": _png((6300, 6300)), "needle": _png((1, 30_000_000))}


def test_pixel_bombs_are_refused_before_decoding(fake_sources: FakeSources, pixel_bombs: dict) -> None:
    from rendering.model import Author, Media, Post, Thread

    assert MEDIA_MAX_DECODED_PIXELS < 6300 * 6300
    urls = [fake_sources.add_image(f"bomb-{i}.png", pixel_bombs["square"]) for i in range(6)]
    urls.append(fake_sources.add_image("needle.png", pixel_bombs["needle"]))
    urls.append(fake_sources.add_image("fine.png", size=(800, 600)))
    author = Author(name="A", handle="a")
    thread = Thread(
        source="x",
        url="https://x.com/a/status/1",
        author=author,
        posts=[Post(id="1", author=author, text="pictures", media=[Media(url=u) for u in urls])],
    )
    tracemalloc.start()
    try:
        settings = fake_sources.settings()
        with make_client(settings) as client:
            images = fetch_images(thread, settings=settings, client=client)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert set(images) == {urls[-1]}  # the bombs are left out (placeholders), the ordinary one kept
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize("kind", ["bomb", "trickle", "huge"])
def test_cli_gives_one_line_and_exit_2_on_hostile_sources(
    hostile: HostileServer, kind: str, tmp_path: Path
) -> None:
    env = {"MASTODON_API_URL": f"{hostile.url}/{kind}", "MEDIA_HOSTS": hostile.url.split("://", 1)[1]}
    code, stderr, rss_kb = _cli(["render", MASTODON_LINK, "--out", str(tmp_path / "out")], env, tmp_path)
    assert code == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("carousel: "), stderr
    assert rss_kb < CLI_RSS_BOUND_KB


def test_cli_reads_local_files_with_a_size_cap(tmp_path: Path) -> None:
    code, stderr, _ = _cli(["render", "/dev/zero", "--out", str(tmp_path / "out")], {}, tmp_path)
    assert code == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.strip() == "carousel: /dev/zero is too long for a carousel."


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, int]:
    carousel = VENV_BIN / "carousel"
    command = [str(carousel)] if carousel.exists() else [sys.executable, "-m", "carousel"]
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    full_env.update(env)
    popen = subprocess.Popen(
        command + args, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert popen.stderr is not None
    stderr = popen.stderr.read().decode()
    _, status, rusage = os.wait4(popen.pid, 0)
    popen.returncode = os.waitstatus_to_exitcode(status)
    return popen.returncode, stderr, rusage.ru_maxrss
