"""End-to-end load benchmark: link → last file, through everything a user waits on.

    python3 -m uv run python bench/load.py [--posts 20] [--jobs 20] [--single 5] [--redis-port 6391]

Real pieces: a redis-server of its own (started on ``--redis-port``, stopped at the end), real
``carousel worker`` processes (one, then two), RQ, the renderer, the Telegram delivery. Faked (outside
the machine): the Telegram Bot API and FxTwitter with its media, as the local HTTP servers of
tests/fakes. Every job is a new thread (new post ids: no cache answers for it) in its own private
chat; its clock starts when the front-end would post its status message and stops when the PDF (the
last file) reaches the fake Bot API.

Printed, all measured in this run:

* the warm render of the same thread in this process, and a cold ``carousel render`` of it;
* p50 / p95 of link → last file for one job at a time and for ``--jobs`` concurrent jobs, on one and
  on two workers, and the throughput ratio of two workers to one (target ≥ 1.9);
* p50 link → last file over the cold ``carousel render`` (target ≤ 1.3);
* work horse start → render start (target ≤ 0.3 s; it includes fetching the thread and its photos
  from the fake servers), and the largest work horse's proportional memory (PSS, target ≤ 120 MB),
  sampled on a pass of its own after the timed scenarios (sampling costs the kernel CPU);
* the workers' CPU seconds per job, and the machine's load average after each scenario: other
  processes on the machine slow the workers, and two workers cannot go twice as fast on two cores
  that something else is using; equal CPU per job on one and two workers says they would.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_THROUGHPUT_RATIO = 1.9
TARGET_P50_OVER_COLD = 1.3
TARGET_HORSE_TO_RENDER_S = 0.3
TARGET_HORSE_PSS_MB = 120
JOB_DEADLINE_S = 600.0
MEMORY_JOBS = 4  # jobs run one at a time while the work horses' memory is sampled
WORKER_START_S = 60.0
WORDS = [
    *("latency", "batching", "memory", "cache", "token", "decode", "prefill", "kernel", "scheduler"),
    *("throughput", "queue", "replica", "shard", "tensor", "bandwidth", "layer", "attention", "budget"),
]


def carousel_command() -> list[str]:
    exe = Path(sys.executable).with_name("carousel")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "carousel"]


# ---------------------------------------------------------------------------------------- pieces


@contextlib.contextmanager
def redis_server(port: int, folder: Path) -> Iterator[str]:
    """A redis-server of this benchmark's own on 127.0.0.1:``port``, no persistence."""
    from redis import Redis
    from redis.exceptions import RedisError

    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (scripts/test installs it)")
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                Redis.from_url(url, socket_connect_timeout=0.5).ping()
                break
            except RedisError:
                if proc.poll() is not None:
                    raise SystemExit(f"redis-server did not start on port {port} (in use?)") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@dataclass
class Workers:
    procs: list[subprocess.Popen] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_workers(count: int, env: dict[str, str], redis_url: str, queue: str, folder: Path) -> Workers:
    from redis import Redis
    from rq import Queue, Worker

    workers = Workers()
    for i in range(count):
        log = (folder / f"worker-{count}-{i}.log").open("wb")
        workers.procs.append(
            subprocess.Popen([*carousel_command(), "worker"], cwd=folder, env=env, stdout=log, stderr=log)
        )
        log.close()
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + WORKER_START_S
    while len(Worker.all(queue=Queue(queue, connection=connection))) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in workers.procs):
            workers.stop()
            raise SystemExit(f"workers did not start; see {folder}/worker-*.log")
        time.sleep(0.1)
    connection.close()
    return workers


class HorseWatch:
    """Samples the work horses (children of the worker processes): their largest PSS."""

    def __init__(self, worker_pids: list[int]) -> None:
        self.worker_pids = worker_pids
        self.max_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HorseWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            for pid in self.worker_pids:
                for horse in _children(pid):
                    self.max_pss_kb = max(self.max_pss_kb, _pss_kb(horse))


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of the worker processes and of their reaped work horses (utime, stime, cutime, cstime)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])
    return total / ticks


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    return out


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------- jobs


def _last_part(call: Any) -> bool:
    """Whether a sent PDF is the last file of its job: a thread longer than one carousel (20 slides)
    arrives as "Part 1 of 2", "Part 2 of 2", each with its PDF."""
    part = re.search(r"Part (\d+) of (\d+)", str(call.params.get("caption") or ""))
    return part is None or part[1] == part[2]


class Bench:
    def __init__(self, tg: Any, sources: Any, redis_url: str, queue: str, posts: int) -> None:
        from worker.queue import RQJobQueue

        self.tg = tg
        self.sources = sources
        self.redis_url = redis_url
        self.queue_name = queue
        self.posts = posts
        self.queue = RQJobQueue(redis_url, queue)
        self.user = sources.x_user("loadbench", "Load Bench")
        from worker.delivery.telegram import TelegramClient

        self.front_end = TelegramClient(tg.token, tg.api_url)  # posts the status messages, as the bot does

    def new_thread(self) -> str:
        """A new self-thread of ``posts`` posts (three with a photo), with ids no cache has seen."""
        base = 1_700_000_000_000_000_000 + secrets.randbelow(10**17) * 100
        parent = None
        first = ""
        for i in range(self.posts):
            words = " ".join(secrets.choice(WORDS) for _ in range(38))
            photos = None
            if i in (1, self.posts // 2, self.posts - 2):
                photos = [self.sources.x_photo(f"p{base + i}.png", size=(1200, 800))]
            status = self.sources.x_status(
                f"{i + 1}/ {words.capitalize()}.",
                user=self.user,
                reply_to=parent,
                status_id=str(base + i),
                photos=photos,
            )
            self.sources.add_x_status(status)
            parent = status
            first = first or self.sources.x_statuses[status["id"]]["url"]
        return first

    def submit(self, url: str) -> tuple[int, float, str]:
        """As the front-end does: a status message in a new private chat, then the job. (chat, t0, id)."""
        from contract import JobPayload, ReplyAddress

        chat = 10**9 + secrets.randbelow(10**9)
        t0 = time.monotonic()
        status = self.front_end.send_message(chat, "Queued…")["message_id"]
        reply = ReplyAddress(
            platform="telegram", chat_id=chat, reply_to_message_id=1, status_message_id=status
        )
        return chat, t0, self.queue.submit(JobPayload(source=url, reply=reply))

    def run(self, count: int) -> dict[str, Any]:
        """``count`` jobs submitted together; their link → last file times and the makespan."""
        urls = [self.new_thread() for _ in range(count)]
        submitted = [self.submit(url) for url in urls]
        done: dict[int, float] = {}
        deadline = time.monotonic() + JOB_DEADLINE_S
        while len(done) < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(done)} of {count} jobs delivered within {JOB_DEADLINE_S} s")
            chats = {chat for chat, _, _ in submitted}
            for call in self.tg.calls_to("sendDocument"):
                chat = call.params.get("chat_id")
                if chat in chats and call.response.get("ok") and chat not in done and _last_part(call):
                    done[chat] = call.at
            time.sleep(0.02)
        latencies = [done[chat] - t0 for chat, t0, _ in submitted]
        first = min(t0 for _, t0, _ in submitted)
        return {
            "load": os.getloadavg()[0],
            "latencies": latencies,
            "makespan": max(done.values()) - first,
            "to_render": [self.horse_to_render(chat, job_id) for chat, _, job_id in submitted],
        }

    def horse_to_render(self, chat: int, job_id: str) -> float:
        """RQ's start of the job in its work horse → the render starting (after the thread and photo
        fetches from the fake servers), from the job's result."""
        from redis import Redis
        from rq.job import Job
        from rq.serializers import JSONSerializer

        connection = Redis.from_url(self.redis_url)
        try:
            job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
            deadline = time.monotonic() + 30
            while not job.is_finished and not job.is_failed and time.monotonic() < deadline:
                time.sleep(0.05)  # the PDF is out; the job's result is written just after
            started, result = job.started_at, job.return_value(refresh=True)
        finally:
            connection.close()
        if started is None or not isinstance(result, dict) or "render_started_at" not in result:
            return float("nan")
        return float(result["render_started_at"]) - started.replace(tzinfo=UTC).timestamp()


def warm_render_s(bench: Bench, env: dict[str, str], runs: int = 3) -> float:
    """Threads like the jobs' fetched here, then rendered in this warm process: what a warm horse pays.

    Each run renders a thread not rendered before (its text is measured afresh, as in a job).
    """
    from contract.options import RenderOptions
    from rendering.api import render_carousel
    from worker.config import Settings
    from worker.http import make_client
    from worker.media import fetch_images
    from worker.sources import resolve

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        fxtwitter_api_url=env["FXTWITTER_API_URL"],
        media_hosts=env["MEDIA_HOSTS"],
    )
    options = RenderOptions()
    loaded = []
    with make_client(settings) as client:
        for _ in range(runs + 1):
            url = bench.new_thread()
            thread = resolve(url, settings=settings, client=client, max_posts=options.max_posts)
            loaded.append((thread, fetch_images(thread, settings=settings, client=client)))
    render_carousel(loaded[0][0], options, loaded[0][1])  # warm-up
    times = []
    for thread, images in loaded[1:]:
        started = time.perf_counter()
        render_carousel(thread, options, images)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_cli_s(url: str, env: dict[str, str], folder: Path, runs: int = 3) -> float:
    """``carousel render LINK`` in a fresh process: imports, fetch, render, files written."""
    times = []
    for i in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [*carousel_command(), "render", url, "--out", str(folder / f"cold-{i}")],
            env=env,
            cwd=folder,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=20, help="posts per thread (default 20)")
    ap.add_argument("--jobs", type=int, default=20, help="concurrent jobs (default 20)")
    ap.add_argument("--single", type=int, default=5, help="jobs run one at a time (default 5)")
    ap.add_argument("--redis-port", type=int, default=6391)
    ap.add_argument("--keep", action="store_true", help="keep the workers' logs (the folder is printed)")
    args = ap.parse_args()

    from tests.fakes.sources import FakeSources
    from tests.fakes.telegram_api import FakeTelegramAPI

    folder = Path(tempfile.mkdtemp(prefix="carousel-load-"))
    queue = f"bench-{secrets.token_hex(4)}"
    rows: list[tuple[str, dict[str, Any]]] = []
    pss_kb = 0
    with (
        redis_server(args.redis_port, folder) as redis_url,
        FakeTelegramAPI() as tg,
        FakeSources() as sources,
    ):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(folder)),
            "LANG": "C.UTF-8",
            "REDIS_URL": redis_url,
            "QUEUE_NAME": queue,
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_URL": tg.api_url,
            "TELEGRAM_FILE_URL": tg.file_url,
            **sources.env(),
        }
        bench = Bench(tg, sources, redis_url, queue, args.posts)
        warm = warm_render_s(bench, env)
        cold = cold_cli_s(bench.new_thread(), {k: v for k, v in env.items() if k != "REDIS_URL"}, folder)
        for count in (1, 2):
            workers = start_workers(count, env, redis_url, queue, folder)
            try:
                bench.run(1)  # the first job also opens connections: not counted
                single: dict[str, Any] = {"latencies": [], "to_render": [], "makespan": 0.0, "load": 0.0}
                cpu = cpu_seconds(workers.pids())
                fakes = time.process_time()
                for _ in range(args.single):
                    one = bench.run(1)
                    single["latencies"] += one["latencies"]
                    single["to_render"] += one["to_render"]
                    single["makespan"] += one["makespan"]
                    single["load"] = max(single["load"], one["load"])
                single["cpu"] = cpu_seconds(workers.pids()) - cpu
                single["fakes"] = time.process_time() - fakes
                who = f"{count} worker{'s' if count > 1 else ''}"
                rows.append((f"{who}, 1 job at a time", single))
                cpu = cpu_seconds(workers.pids())
                fakes = time.process_time()
                many = bench.run(args.jobs)
                many["cpu"] = cpu_seconds(workers.pids()) - cpu
                many["fakes"] = time.process_time() - fakes
                rows.append((f"{who}, {args.jobs} at once", many))
            finally:
                workers.stop()
        # Memory on its own pass: reading a horse's smaps_rollup makes the kernel walk its pages, which
        # costs the cores the timed scenarios above measure.
        workers = start_workers(1, env, redis_url, queue, folder)
        try:
            with HorseWatch(workers.pids()) as watch:
                for _ in range(MEMORY_JOBS):
                    bench.run(1)
            pss_kb = watch.max_pss_kb
        finally:
            workers.stop()

    print(f"thread: {args.posts} posts (3 photos), PNG album + PDF to a private chat; each job a new thread")
    print(f"{'warm render (this process)':<34}{warm:>8.2f} s")
    print(f"{'cold carousel render (same thread)':<34}{cold:>8.2f} s")
    print()
    print(
        f"{'scenario':<28}{'p50 s':>8}{'p95 s':>8}{'p50/cold':>10}{'p50/warm':>10}{'jobs/s':>8}"
        f"{'CPU s/job':>11}{'fakes':>7}{'load':>6}"
    )
    throughput: dict[str, float] = {}
    for name, r in rows:
        lat = r["latencies"]
        rate = len(lat) / r["makespan"] if r["makespan"] else float("nan")
        throughput[name] = rate
        print(
            f"{name:<28}{pct(lat, 0.5):>8.2f}{pct(lat, 0.95):>8.2f}"
            f"{pct(lat, 0.5) / cold:>10.2f}{pct(lat, 0.5) / warm:>10.2f}{rate:>8.2f}"
            f"{r['cpu'] / len(lat):>11.2f}{r['fakes'] / len(lat):>7.2f}{r['load']:>6.1f}"
        )
    concurrent = [name for name, _ in rows if "at once" in name]
    ratio = throughput[concurrent[1]] / throughput[concurrent[0]]
    p50_single = pct(rows[0][1]["latencies"], 0.5)
    to_render = [x for _, r in rows for x in r["to_render"] if x == x]
    print()
    print(f"{'throughput, 2 workers / 1':<34}{ratio:>8.2f} ×  (target ≥ {TARGET_THROUGHPUT_RATIO})")
    print(
        f"{'p50 link → last file / cold CLI':<34}{p50_single / cold:>8.2f} ×  "
        f"(1 worker, 1 job at a time; target ≤ {TARGET_P50_OVER_COLD})"
    )
    if to_render:
        print(
            f"{'horse start → rendering, p50':<34}{pct(to_render, 0.5):>8.2f} s  "
            f"(includes the thread and photo fetches; target ≤ {TARGET_HORSE_TO_RENDER_S})"
        )
    print(f"{'largest work horse PSS':<34}{pss_kb / 1024:>8.0f} MB (target ≤ {TARGET_HORSE_PSS_MB})")
    print(
        f"CPU s/job: the workers' and their horses' CPU time per job; fakes: this process's CPU time per "
        f"job (the fake Bot API and sources, on the same cores); load: the machine's 1-minute load "
        f"average after the scenario ({os.cpu_count()} cores here)"
    )
    if args.keep:
        print(f"logs: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
