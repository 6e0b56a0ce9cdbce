"""Fault figures: what each kind of death, outage and hostile input costs, measured in this run.

    python3 -m uv run python bench/faults.py [--jobs 8]

Real pieces: a redis-server of its own per scenario (on a free port, append-only file on, in a
temporary folder), real ``carousel worker`` processes and ``carousel render`` processes, RQ, the
renderer, the Telegram delivery. Faked (outside the machine): the Bot API, FxTwitter and a hostile
HTTP server (tests/fakes, tests/faults/hostile.py). The same faults run as tests in tests/faults/.

One row per scenario:

* jobs — links submitted (or ``carousel render`` runs);
* delivered — chats that got their PDF; told — chats (or runs) that got one sentence instead;
* duplicated — PDFs beyond one per chat; lost — jobs that got neither;
* recovery s — from the fault to the last delivery (or, for hostile input, the run's whole time);
* peak RSS MB — the largest resident set of a worker (with its work horses) or of the render run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from rq import Queue, Worker  # noqa: E402
from rq.command import send_kill_horse_command  # noqa: E402

from contract.errors import JOB_LOST, POISON_FAILURE  # noqa: E402
from tests.fakes.sources import FakeSources  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.faults.conftest import OwnRedis, documents_by_chat, kill_tree, submit_link, telegram_env  # noqa: E402
from tests.faults.hostile import HostileServer  # noqa: E402
from worker.queue import RQJobQueue  # noqa: E402

DEADLINE_S = 300.0


@dataclass
class Row:
    scenario: str
    jobs: int
    delivered: int
    told: int
    duplicated: int
    lost: int
    recovery_s: float
    peak_rss_mb: float


def carousel_command() -> list[str]:
    exe = Path(sys.executable).with_name("carousel")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "carousel"]


class Workers:
    def __init__(self, redis_url: str, queue: str, env: dict[str, str], folder: Path) -> None:
        self.redis_url, self.queue, self.env, self.folder = redis_url, queue, env, folder
        self.popens: list[subprocess.Popen] = []
        self.peak_kb = 0

    def start(self) -> subprocess.Popen:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.folder)),
            "REDIS_URL": self.redis_url,
            "QUEUE_NAME": self.queue,
            **self.env,
        }
        log = (self.folder / f"worker-{len(self.popens)}.log").open("wb")
        popen = subprocess.Popen([*carousel_command(), "worker"], cwd=self.folder, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        self.popens.append(popen)
        connection = Redis.from_url(self.redis_url)
        until = time.monotonic() + 60
        alive = len([p for p in self.popens if p.poll() is None])
        queue = Queue(self.queue, connection=connection)
        while time.monotonic() < until and len(Worker.all(queue=queue)) < alive:
            time.sleep(0.1)
        connection.close()
        return popen

    def reap(self, popen: subprocess.Popen) -> None:
        with contextlib.suppress(ChildProcessError):
            _, _, usage = os.wait4(popen.pid, 0)
            self.peak_kb = max(self.peak_kb, usage.ru_maxrss)  # the worker and the horses it waited for

    def stop(self) -> None:
        for popen in self.popens:
            if popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, 15)
        for popen in self.popens:
            self.reap(popen)


def wait(condition: Callable[[], Any], timeout: float = DEADLINE_S) -> bool:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.1)
    return False


def new_thread(sources: FakeSources, label: str) -> str:
    user = sources.x_user("faultbench", "Fault Bench")
    base = 1_800_000_000_000_000_000 + secrets.randbelow(10**17) * 100
    parent = None
    for i, text in enumerate([f"{label}: a thread that must arrive once.", "Its second post.", "Third."]):
        status = sources.x_status(text, user=user, reply_to=parent, status_id=str(base + i))
        sources.add_x_status(status)
        parent = status
    return f"https://x.com/faultbench/status/{base}"


def told(tg: FakeTelegramAPI, chat: int, sentences: tuple[str, ...]) -> bool:
    return any(
        str(c.params.get("chat_id")) == str(chat) and c.params.get("text") in sentences
        for c in tg.calls
        if c.method in ("sendMessage", "editMessageText")
    )


@contextlib.contextmanager
def stack(
    folder: Path, workers: int
) -> Iterator[tuple[FakeTelegramAPI, FakeSources, OwnRedis, Workers, RQJobQueue]]:
    from tests.conftest import unique_token

    with FakeTelegramAPI(token=unique_token()) as tg, FakeSources() as sources:
        redis = OwnRedis(folder / "redis")
        redis.start()
        queue_name = f"faultbench-{secrets.token_hex(4)}"
        pool = Workers(redis.url, queue_name, {**telegram_env(tg), **sources.env()}, folder)
        try:
            for _ in range(workers):
                pool.start()
            yield tg, sources, redis, pool, RQJobQueue(redis.url, queue_name, watch_interval=1.0)
        finally:
            pool.stop()
            redis.stop()


def outcome(name: str, tg: FakeTelegramAPI, chats: list[int], since: float, pool: Workers) -> Row:
    docs = documents_by_chat(tg)
    delivered = sum(1 for c in chats if docs.get(c))
    said = sum(1 for c in chats if not docs.get(c) and told(tg, c, (POISON_FAILURE, JOB_LOST)))
    duplicated = sum(max(0, docs.get(c, 0) - 1) for c in chats)
    pool.stop()
    return Row(name, len(chats), delivered, said, duplicated, len(chats) - delivered - said,
               time.monotonic() - since, pool.peak_kb / 1024)


def redis_restart(folder: Path, jobs: int) -> Row:
    with stack(folder, 2) as (tg, sources, redis, pool, queue):
        chats = [10**9 + secrets.randbelow(10**9) for _ in range(jobs)]
        for i, chat in enumerate(chats):
            submit_link(tg, queue, new_thread(sources, f"restart {i}"), chat)
        wait(lambda: documents_by_chat(tg))
        redis.restart(down_for=2.0)
        since = time.monotonic()
        wait(lambda: len(documents_by_chat(tg)) >= len(chats))
        time.sleep(1.0)
        return outcome(f"Redis restart, {jobs} queued, 2 workers", tg, chats, since, pool)


def killed_horse(folder: Path, times: int) -> Row:
    with stack(folder, 1) as (tg, sources, redis, pool, queue):
        url = new_thread(sources, "horse")
        for _ in range(times):
            sources.stall_next("/fx/2/thread/", 15)
        chat = 10**9 + secrets.randbelow(10**9)
        submit_link(tg, queue, url, chat)
        connection = Redis.from_url(redis.url)
        since = time.monotonic()
        for attempt in range(1, times + 1):
            wait(lambda a=attempt: sources.count("/fx/2/thread/") >= a, 60)
            (worker,) = Worker.all(queue=Queue(pool.queue, connection=connection))
            wait(lambda w=worker: Worker.find_by_key(w.key, connection=connection).get_current_job_id(), 30)
            send_kill_horse_command(connection, worker.name)
            since = time.monotonic()
        wait(lambda: documents_by_chat(tg).get(chat) or told(tg, chat, (POISON_FAILURE,)))
        time.sleep(1.0)
        label = "work horse killed once" if times == 1 else "work horse killed twice (poison)"
        return outcome(label, tg, [chat], since, pool)


def killed_tree(folder: Path) -> Row:
    with stack(folder, 2) as (tg, sources, redis, pool, queue):
        url = new_thread(sources, "tree")
        sources.stall_next("/fx/2/thread/", 15)
        chat = 10**9 + secrets.randbelow(10**9)
        submit_link(tg, queue, url, chat)
        connection = Redis.from_url(redis.url)
        wait(lambda: sources.count("/fx/2/thread/"), 60)

        def running() -> Worker | None:
            return next((w for w in Worker.all(queue=Queue(pool.queue, connection=connection))
                         if w.get_current_job_id()), None)

        wait(running, 30)
        victim = running()
        assert victim is not None
        popen = next(p for p in pool.popens if p.pid == victim.pid)
        kill_tree(popen.pid)
        pool.reap(popen)
        since = time.monotonic()
        wait(lambda: documents_by_chat(tg).get(chat))
        return outcome("whole worker tree killed, 2 workers", tg, [chat], since, pool)


def wiped_redis(folder: Path, jobs: int) -> Row:
    from tests.conftest import unique_token

    with FakeTelegramAPI(token=unique_token()) as tg:
        redis = OwnRedis(folder / "volatile", appendonly=False)
        redis.start()
        queue_name = f"faultbench-{secrets.token_hex(4)}"
        pool = Workers(redis.url, queue_name, telegram_env(tg), folder)
        try:
            queue = RQJobQueue(redis.url, queue_name, watch_interval=1.0)
            chats = [10**9 + secrets.randbelow(10**9) for _ in range(jobs)]
            for i, chat in enumerate(chats):
                submit_link(tg, queue, f"https://x.com/faultbench/status/{1000 + i}", chat)
            redis.restart(down_for=1.0)
            since = time.monotonic()
            pool.start()
            wait(lambda: all(told(tg, c, (JOB_LOST,)) for c in chats), 120)
            return outcome(f"Redis wiped (no persistence), {jobs} queued", tg, chats, since, pool)
        finally:
            pool.stop()
            redis.stop()


def hostile_render(folder: Path, label: str, args: list[str], env: dict[str, str]) -> Row:
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    full_env.update(env)
    since = time.monotonic()
    popen = subprocess.Popen(
        [*carousel_command(), "render", *args, "--out", str(folder / "out")],
        cwd=folder,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak_kb = 0
    while popen.poll() is None:  # VmHWM: this process's own peak (wait4's maxrss counts the fork too)
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{popen.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        time.sleep(0.02)
    elapsed = time.monotonic() - since
    stderr = popen.stderr.read().decode() if popen.stderr else ""
    one_sentence = popen.returncode == 2 and len(stderr.strip().splitlines()) == 1
    delivered = int(popen.returncode == 0)
    lost = int(not (delivered or one_sentence))
    return Row(label, 1, delivered, int(one_sentence), 0, lost, elapsed, peak_kb / 1024)


def hostile_rows(folder: Path) -> list[Row]:
    import io

    from PIL import Image

    rows = []
    link = "https://mastodon.example/@someone/110000000000000001"
    with HostileServer(trickle_interval=1.0) as hostile:
        host = hostile.url.split("://", 1)[1]
        for kind, label in [("bomb", "gzip bomb (2 GB inflated)"), ("huge", "300 MB body"),
                            ("trickle", "1 byte/s trickle")]:
            env = {"MASTODON_API_URL": f"{hostile.url}/{kind}", "MEDIA_HOSTS": host}
            rows.append(hostile_render(folder, f"carousel render: {label}", [link], env))
    buf = io.BytesIO()
    Image.new("L", (6300, 6300), 0).save(buf, "PNG", compress_level=9)
    with FakeSources() as sources:
        user = sources.x_user("pixels", "Pixel Bomb")
        photos = [sources.x_photo(f"bomb-{i}.png", size=(6300, 6300)) for i in range(6)]
        for i in range(6):
            sources.add_image(f"bomb-{i}.png", buf.getvalue())
        status = sources.x_status("Six 6300×6300 PNGs, 116 KB each.", user=user, photos=photos)
        sources.add_x_status(status)
        label = "carousel render: 6 pixel-bomb PNGs"
        rows.append(hostile_render(folder, label, [status["url"]], sources.env()))
    rows.append(hostile_render(folder, "carousel render /dev/zero", ["/dev/zero"], {}))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=8, help="jobs queued across the Redis restarts")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="faultbench-") as tmp:
        folder = Path(tmp)
        scenarios: list[Callable[[Path], Row | list[Row]]] = [
            lambda f: redis_restart(f, args.jobs),
            lambda f: wiped_redis(f, 3),
            lambda f: killed_horse(f, 1),
            lambda f: killed_horse(f, 2),
            killed_tree,
            hostile_rows,
        ]
        for i, scenario in enumerate(scenarios):
            sub = folder / f"s{i}"
            sub.mkdir()
            result = scenario(sub)
            rows.extend(result if isinstance(result, list) else [result])
            print(f"… {rows[-1].scenario}", file=sys.stderr)
    header = (
        f"{'scenario':<42} {'jobs':>4} {'delivered':>9} {'told':>4} {'dup':>4} {'lost':>4} "
        f"{'recovery s':>10} {'peak RSS MB':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r.scenario:<42} {r.jobs:>4} {r.delivered:>9} {r.told:>4} {r.duplicated:>4} {r.lost:>4} "
              f"{r.recovery_s:>10.1f} {r.peak_rss_mb:>11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
