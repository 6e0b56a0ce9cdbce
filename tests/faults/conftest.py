"""The fault suite's own pieces: a Redis of its own (to restart), worker trees to kill, job helpers.

Every test here runs a ``redis-server`` of its own on a free port, in a temporary folder, so it can
stop, restart or wipe it without touching anyone else's Redis.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract import JobPayload, ReplyAddress
from tests.conftest import WorkerProcess, free_port, worker_command
from tests.fakes.telegram_api import FakeTelegramAPI
from worker.delivery.telegram import TelegramClient

REDIS_START_TIMEOUT_S = 20.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.fault)
            item.add_marker(pytest.mark.timeout(240))


class OwnRedis:
    """A ``redis-server`` this test owns: append-only file on (as docker-compose runs it) or off."""

    def __init__(self, folder: Path, *, appendonly: bool = True) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = appendonly
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.popen = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.folder),
                "--appendonly", "yes" if self.appendonly else "no",
                "--appendfsync", "always",
                "--save", "",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.wait_up()

    def wait_up(self) -> None:
        from redis import Redis
        from redis.exceptions import RedisError

        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if Redis(port=self.port, socket_timeout=1).ping():
                    return
            except RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server on {self.port} did not start")

    def stop(self) -> None:
        """SIGTERM: Redis finishes writing its append-only file, then exits."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(REDIS_START_TIMEOUT_S)
        self.popen = None

    def restart(self, down_for: float = 1.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def volatile_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis without any persistence: a restart forgets everything."""
    server = OwnRedis(tmp_path / "volatile-redis", appendonly=False)
    server.start()
    yield server
    server.stop()


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found.extend(process_tree(int(child)))
    return found


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a worker's main process, its scheduler and its work horse, all at once."""
    pids = process_tree(pid)
    for each in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
    return pids


@pytest.fixture
def spawn_worker(queue_name: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Factory: ``spawn_worker(redis_url, env)`` starts ``carousel worker`` on this test's queue."""
    started: list[WorkerProcess] = []

    def start(
        redis_url: str, env: Mapping[str, str] | None = None, *, wait: bool = True, verbose: bool = False
    ) -> WorkerProcess:
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
        with log_path.open("wb") as log_file:
            command = worker_command()
            if verbose:
                command.insert(-1, "--verbose")
            popen = subprocess.Popen(
                command,
                cwd=tmp_path,
                env=full_env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(popen, log_path, queue_name, redis_url, full_env)
        started.append(worker)
        if wait:
            worker.wait_registered()
        return worker

    yield start
    for worker in started:
        if worker.popen.poll() is None:
            kill_tree(worker.popen.pid)
            worker.popen.wait(10)
    # whatever a fault test did, no worker's log carries a token it was given or a job carried
    for worker in started:
        worker.assert_no_secret_logged()


@dataclass
class Submitted:
    job_id: str
    chat_id: int


def submit_link(
    fake_telegram: FakeTelegramAPI, queue: Any, url: str, chat_id: int, **payload: Any
) -> Submitted:
    """What the bot does for a pasted link: a status message, then the job (one chat per job)."""
    user_message = fake_telegram.user_message(chat_id, url)["message"]["message_id"]
    with TelegramClient(fake_telegram.token, fake_telegram.api_url) as client:
        status = client.send_message(chat_id, "⏳ Queued")["message_id"]
    reply = ReplyAddress(
        platform="telegram", chat_id=chat_id, reply_to_message_id=user_message, status_message_id=status
    )
    return Submitted(queue.submit(JobPayload(source=url, reply=reply, **payload)), chat_id)


def telegram_env(fake_telegram: FakeTelegramAPI) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_URL": fake_telegram.api_url,
        "TELEGRAM_FILE_URL": fake_telegram.file_url,
    }


def documents_by_chat(fake_telegram: FakeTelegramAPI) -> dict[int, int]:
    """How many PDFs (the last piece of a delivery) each chat received."""
    counts: dict[int, int] = {}
    for call in fake_telegram.calls_to("sendDocument"):
        if isinstance(call.response, dict) and call.response.get("ok"):
            chat = int(call.params["chat_id"])
            counts[chat] = counts.get(chat, 0) + 1
    return counts


def sentences_to(fake_telegram: FakeTelegramAPI, chat_id: int) -> list[str]:
    """Texts sent or edited into a chat (status lines and failure sentences)."""
    return [
        str(c.params.get("text"))
        for c in fake_telegram.calls
        if c.method in ("sendMessage", "editMessageText") and str(c.params.get("chat_id")) == str(chat_id)
    ]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
