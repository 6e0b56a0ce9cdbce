"""Shared fixtures: the real Redis, unique names per test, free ports, fake servers, worker processes.

Other people run tests against the same Redis at the same time: nothing here flushes a database;
every test gets its own key prefix, queue name and bot token (file_ids are per bot).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.telegram_api import FakeTelegramAPI

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKER_START_TIMEOUT_S = 30.0
WORKER_STOP_TIMEOUT_S = 10.0


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis the tests use; fails with a clear message when it does not answer."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        pytest.fail(
            f"Redis does not answer at {REDIS_URL} ({exc}). Start one with `redis-server --daemonize yes` "
            "(apt-get install -y redis-server if it is missing), or set TEST_REDIS_URL.",
            pytrace=False,
        )
    return REDIS_URL


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[Any]:
    from redis import Redis

    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def unique_prefix() -> str:
    """A key prefix / name no other test (or other person's test run) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def queue_name(unique_prefix: str) -> str:
    return f"carousel-{unique_prefix}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    return free_port()


def unique_token() -> str:
    """A well-formed bot token unique to one test (file_ids and their cache are per bot)."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:AA{secrets.token_urlsafe(24)}"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramAPI]:
    """A running fake Bot API with its own token."""
    with FakeTelegramAPI(token=unique_token()) as fake:
        yield fake


@pytest.fixture
def fake_sources() -> Iterator[Any]:
    """A running fake FxTwitter / Bluesky / Mastodon / media server."""
    from tests.fakes.sources import FakeSources

    with FakeSources() as fake:
        yield fake


@pytest.fixture
def unique_x_thread(fake_sources: Any) -> Callable[..., Any]:
    """Factory: a self-thread on the fake FxTwitter server with random status ids, so no other test's
    cached thread (the thread cache is keyed by post id) can answer for it."""
    from tests.fakes.sources import FakeThread

    def add(texts: list[str], handle: str = "quokkafan", name: str = "Quokka Fan") -> FakeThread:
        user = fake_sources.x_user(handle, name)
        parent = None
        ids: list[str] = []
        base = 1_800_000_000_000_000_000 + secrets.randbelow(10**17) * 100
        for i, text in enumerate(texts):
            status = fake_sources.x_status(text, user=user, reply_to=parent, status_id=str(base + i))
            fake_sources.add_x_status(status)
            ids.append(status["id"])
            parent = status
        return FakeThread(ids=ids, url=fake_sources.x_statuses[ids[0]]["url"], texts=list(texts))

    return add


def worker_command() -> list[str]:
    """``carousel worker`` from the project's virtualenv (or through this interpreter)."""
    carousel = VENV_BIN / "carousel"
    if carousel.exists():
        return [str(carousel), "worker"]
    return [sys.executable, "-m", "carousel", "worker"]


class WorkerProcess:
    """A real ``carousel worker`` subprocess; its output goes to a log file shown on failure.

    ``secrets``: the tokens its log must never show (the bot tokens it was given; a test adds the
    interaction tokens of the jobs it submits); :meth:`assert_no_secret_logged` greps for them.
    """

    def __init__(
        self,
        popen: subprocess.Popen,
        log_path: Path,
        queue: str,
        redis_url: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.popen = popen
        self.log_path = log_path
        self.queue = queue
        self.redis_url = redis_url
        self.secrets: set[str] = set()
        for name in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
            token = (env or {}).get(name)
            if token:
                self.secrets.update({token, token.split(":", 1)[-1]})  # a Telegram token's secret half too

    def assert_no_secret_logged(self) -> None:
        logged = self.output
        leaked = sorted(s for s in self.secrets if s and s in logged)
        assert not leaked, f"tokens in {self.log_path}: {leaked}"

    @property
    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_registered(self, timeout: float = WORKER_START_TIMEOUT_S) -> None:
        """Block until the worker has registered itself in Redis for our queue."""
        from redis import Redis
        from rq import Queue, Worker

        connection = Redis.from_url(self.redis_url)
        queue = Queue(self.queue, connection=connection)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.popen.poll() is not None:
                    raise RuntimeError(f"worker exited with {self.popen.returncode}:\n{self.output}")
                if Worker.all(queue=queue):
                    return
                time.sleep(0.1)
        finally:
            connection.close()
        raise TimeoutError(f"worker did not register within {timeout}s:\n{self.output}")

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(WORKER_STOP_TIMEOUT_S)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(WORKER_STOP_TIMEOUT_S)


@pytest.fixture
def worker_process(redis_url: str, queue_name: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Factory: ``worker_process(env={...})`` starts ``carousel worker`` on this test's queue.

    ``env`` adds to a clean environment (TELEGRAM_API_URL, FXTWITTER_API_URL, MEDIA_HOSTS, ...);
    REDIS_URL and QUEUE_NAME are set for you. Every worker started is stopped at teardown.
    """
    started: list[WorkerProcess] = []

    def start(env: Mapping[str, str] | None = None, *, wait: bool = True) -> WorkerProcess:
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "REDIS_URL": redis_url,
            "QUEUE_NAME": queue_name,
            **dict(env or {}),
        }
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        log_file = log_path.open("wb")
        popen = subprocess.Popen(
            worker_command(),
            cwd=tmp_path,  # no stray .env from the checkout
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        worker = WorkerProcess(popen, log_path, queue_name, redis_url, full_env)
        started.append(worker)
        if wait:
            worker.wait_registered()
        return worker

    yield start
    for worker in started:
        worker.stop()
    for worker in started:  # whatever the test did, no worker logged a token it was given or carried
        worker.assert_no_secret_logged()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Set configuration environment variables for in-process code that calls ``get_settings()``."""
    from worker.config import get_settings

    def apply(**values: str | None) -> Any:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name.upper(), raising=False)
            else:
                monkeypatch.setenv(name.upper(), value)
        get_settings.cache_clear()
        return get_settings()

    monkeypatch.chdir(tmp_path)  # pydantic-settings reads .env from the working directory: none here
    yield apply
    get_settings.cache_clear()
