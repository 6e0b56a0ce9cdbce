"""Operators see what happens: /healthz and Prometheus /metrics of a worker and of a bot."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import VENV_BIN, free_port
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import OwnRedis, documents_by_chat, submit_link, telegram_env, wait_for
from worker.queue import RQJobQueue


def _get(port: int, path: str) -> httpx.Response | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
    except httpx.HTTPError:
        return None


def _value(metrics: str, line_start: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_worker_health_and_metrics(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    port = free_port()
    env = {**telegram_env(fake_telegram), **fake_sources.env(), "METRICS_PORT": str(port)}
    worker = spawn_worker(own_redis.url, env)
    health = wait_for(lambda: _get(port, "/healthz"), f"/healthz\n{worker.output}", 30)
    assert health.status_code == 200 and health.text == "ok"

    thread = unique_x_thread(["A thread the operators count.", "Second post."])
    chat = 10**9 + secrets.randbelow(10**9)
    submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name, watch=False), thread.url, chat)
    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 120)

    def delivered() -> str | None:
        response = _get(port, "/metrics")
        text = response.text if response is not None else ""
        return text if _value(text, 'carousel_jobs_total{outcome="delivered"}') >= 1 else None

    metrics = wait_for(delivered, f"the delivered job in /metrics\n{worker.output}", 30)
    assert _value(metrics, "carousel_render_seconds_count") >= 1  # counted in the work horse
    assert _value(metrics, "carousel_delivery_seconds_count") >= 1
    assert f'carousel_queue_depth{{queue="{queue_name}"}}' in metrics

    own_redis.stop()  # Redis gone: the worker says so, and stays up to reconnect
    unhealthy = wait_for(
        lambda: (r := _get(port, "/healthz")) is not None and r.status_code == 503 and r, "503", 30
    )
    assert "redis" in unhealthy.text
    own_redis.start()
    wait_for(lambda: (r := _get(port, "/healthz")) is not None and r.status_code == 200, "healthy again", 60)
    assert worker.popen.poll() is None


def test_telegram_bot_health_and_metrics(fake_telegram: FakeTelegramAPI, tmp_path: Path) -> None:
    port = free_port()
    carousel = VENV_BIN / "carousel"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        **telegram_env(fake_telegram),
        "METRICS_PORT": str(port),
    }
    log = (tmp_path / "bot.log").open("wb")
    bot = subprocess.Popen(
        [str(carousel), "telegram"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        output = lambda: (tmp_path / "bot.log").read_text(errors="replace")  # noqa: E731
        health = wait_for(lambda: _get(port, "/healthz"), "the bot's /healthz", 60)
        assert health.status_code == 200
        metrics = _get(port, "/metrics")
        assert metrics is not None and "process_resident_memory_bytes" in metrics.text, output()
        wait_for(lambda: fake_telegram.calls_to("getUpdates"), f"polling\n{output()}", 60)
    finally:
        bot.terminate()
        try:
            bot.wait(20)
        except subprocess.TimeoutExpired:
            bot.kill()
        log.close()
    time.sleep(0.1)
    assert fake_telegram.token not in (tmp_path / "bot.log").read_text(errors="replace")
