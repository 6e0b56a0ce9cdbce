"""Exactly once through every kind of death: killed work horses, killed worker trees, Redis restarts."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.command import send_kill_horse_command
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from contract.errors import GENERIC_FAILURE, JOB_LOST, POISON_FAILURE
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.faults.conftest import (
    OwnRedis,
    documents_by_chat,
    kill_tree,
    sentences_to,
    submit_link,
    telegram_env,
    wait_for,
)
from worker.queue import RQJobQueue

STALL_S = 20.0  # a fetch that hangs long enough to kill what runs it
RECOVERY_S = 60.0  # a dead worker's job runs again within this (RQ's defaults: over ten minutes)


def _chat() -> int:
    return 10**9 + secrets.randbelow(10**9)


def _running(connection: Redis, queue_name: str, job: Job) -> Worker:
    """The worker whose horse runs ``job`` (once it started)."""
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.STARTED, "the job to start", 60)

    def find() -> Worker | None:
        for worker in Worker.all(queue=Queue(queue_name, connection=connection)):
            if worker.get_current_job_id() == job.id:
                return worker
        return None

    return wait_for(find, "the worker running the job", 30)


def _kill_horse_of(connection: Redis, queue_name: str, job: Job) -> None:
    send_kill_horse_command(connection, _running(connection, queue_name, job).name)


def test_killed_work_horse_runs_the_job_again_and_delivers_once(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    thread = unique_x_thread(["A thread whose first renderer is killed.", "It comes back anyway."])
    fake_sources.stall_next("/fx/2/thread/", STALL_S)
    chat = _chat()
    sent = submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat)

    connection = Redis.from_url(own_redis.url)
    job = Job.fetch(sent.job_id, connection=connection, serializer=JSONSerializer)
    wait_for(lambda: fake_sources.count("/fx/2/thread/"), "the worker to fetch the thread", 60)
    _kill_horse_of(connection, queue_name, job)

    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 120)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, "the job to finish", 30)
    assert documents_by_chat(fake_telegram) == {chat: 1}
    assert len(fake_telegram.calls_to("sendMediaGroup")) == 1
    told = sentences_to(fake_telegram, chat)
    assert GENERIC_FAILURE not in told and POISON_FAILURE not in told
    connection.close()


def test_a_job_that_kills_its_horse_twice_gets_one_sentence(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    thread = unique_x_thread(["A poison thread.", "Its renderer dies every time."])
    fake_sources.stall_next("/fx/2/thread/", STALL_S)
    fake_sources.stall_next("/fx/2/thread/", STALL_S)
    chat = _chat()
    sent = submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat)

    connection = Redis.from_url(own_redis.url)
    job = Job.fetch(sent.job_id, connection=connection, serializer=JSONSerializer)
    for attempt in (1, 2):
        wait_for(lambda a=attempt: fake_sources.count("/fx/2/thread/") >= a, f"fetch {attempt}", 60)
        _kill_horse_of(connection, queue_name, job)

    told = lambda: POISON_FAILURE in sentences_to(fake_telegram, chat)  # noqa: E731
    wait_for(told, f"the sentence\n{worker.output}", 60)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FAILED, "the job to be marked failed", 30)
    time.sleep(1.0)  # nothing more arrives: the user hears it once
    told = sentences_to(fake_telegram, chat)
    assert told.count(POISON_FAILURE) == 1 and GENERIC_FAILURE not in told
    assert not fake_telegram.calls_to("sendMediaGroup")
    connection.close()


def test_a_whole_worker_tree_killed_its_job_runs_again_on_another_worker(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    env = {**telegram_env(fake_telegram), **fake_sources.env()}
    workers = [spawn_worker(own_redis.url, env), spawn_worker(own_redis.url, env)]
    thread = unique_x_thread(["A thread whose whole worker dies.", "Another worker finishes it."])
    fake_sources.stall_next("/fx/2/thread/", STALL_S)
    chat = _chat()
    sent = submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat)

    connection = Redis.from_url(own_redis.url)
    job = Job.fetch(sent.job_id, connection=connection, serializer=JSONSerializer)
    wait_for(lambda: fake_sources.count("/fx/2/thread/"), "the worker to fetch the thread", 60)
    running = _running(connection, queue_name, job)
    victim = next(w for w in workers if w.popen.pid == running.pid)
    survivor = next(w for w in workers if w is not victim)
    killed = kill_tree(victim.popen.pid)
    assert len(killed) >= 3  # main process, scheduler, work horse
    victim.popen.wait(10)

    logs = lambda: f"\n--- survivor ---\n{survivor.output}"  # noqa: E731
    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF{logs()}", RECOVERY_S + STALL_S)
    assert documents_by_chat(fake_telegram) == {chat: 1}
    assert GENERIC_FAILURE not in sentences_to(fake_telegram, chat)
    connection.close()


def test_redis_restart_under_queued_jobs_delivers_each_once(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    env = {**telegram_env(fake_telegram), **fake_sources.env()}
    workers = [spawn_worker(own_redis.url, env), spawn_worker(own_redis.url, env)]
    queue = RQJobQueue(own_redis.url, queue_name, watch_interval=0.5)
    chats = [_chat() for _ in range(8)]
    for i, chat in enumerate(chats):
        thread = unique_x_thread([f"Thread {i} queued before a Redis restart.", "It arrives once."])
        submit_link(fake_telegram, queue, thread.url, chat)

    wait_for(lambda: documents_by_chat(fake_telegram), "a first delivery", 120)
    own_redis.restart(down_for=2.0)

    logs = lambda: "".join(f"\n--- worker ---\n{w.output[-3000:]}" for w in workers)  # noqa: E731
    wait_for(lambda: len(documents_by_chat(fake_telegram)) == len(chats), f"every PDF{logs()}", 180)
    time.sleep(1.0)
    assert documents_by_chat(fake_telegram) == dict.fromkeys(chats, 1)
    assert all(w.popen.poll() is None for w in workers), logs()
    assert not any(JOB_LOST in sentences_to(fake_telegram, chat) for chat in chats)  # nothing was lost


def test_jobs_lost_with_a_redis_without_persistence_are_told_to_their_users(
    fake_telegram: FakeTelegramAPI,
    spawn_worker: Callable[..., Any],
    volatile_redis: OwnRedis,
    queue_name: str,
) -> None:
    queue = RQJobQueue(volatile_redis.url, queue_name, watch_interval=0.5)
    chats = [_chat() for _ in range(3)]
    for i, chat in enumerate(chats):  # no worker yet: they wait in the queue
        submit_link(fake_telegram, queue, f"https://x.com/someone/status/{1000 + i}", chat)
    volatile_redis.restart(down_for=1.0)  # nothing persisted: the queue comes back empty
    spawn_worker(volatile_redis.url, telegram_env(fake_telegram))

    for chat in chats:
        wait_for(lambda c=chat: JOB_LOST in sentences_to(fake_telegram, c), "the lost-link sentence", 60)
    time.sleep(1.5)  # later rounds do not repeat it
    assert [sentences_to(fake_telegram, c).count(JOB_LOST) for c in chats] == [1, 1, 1]
    assert queue.watch is not None and queue.watch.pending() == 0


def test_a_handed_on_delivery_whose_worker_dies_runs_again_and_sends_each_message_once(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    spawn_worker: Callable[..., Any],
    own_redis: OwnRedis,
    queue_name: str,
) -> None:
    from contract.job import DELIVERY_JOB_PATH

    worker = spawn_worker(own_redis.url, {**telegram_env(fake_telegram), **fake_sources.env()})
    line = "a paragraph long enough to fill a slide of its own, more or less. " * 3
    thread = unique_x_thread([f"{i}/ Post {i}: {line}".strip() for i in range(1, 15)])
    # the render job sends group one, meets a flood wait on group two and hands the rest on; the
    # delivery job sends group two, then its PDF upload fails (500) while the test kills its horse
    fake_telegram.fail_next("sendMediaGroup", retry_after=2, after=1)
    for _ in range(3):
        fake_telegram.fail_next("sendDocument", error_code=500, description="Internal Server Error")
    chat = _chat()
    sent = submit_link(fake_telegram, RQJobQueue(own_redis.url, queue_name), thread.url, chat)

    def failed_document() -> bool:
        return any(not (c.response or {}).get("ok") for c in fake_telegram.calls_to("sendDocument"))

    wait_for(failed_document, f"the delivery job's PDF to fail once\n{worker.output}", 180)
    connection = Redis.from_url(own_redis.url)
    (running,) = Worker.all(connection=connection)
    current = Job.fetch(running.get_current_job_id() or "", connection=connection, serializer=JSONSerializer)
    assert current.func_name == DELIVERY_JOB_PATH  # a handed-on delivery runs
    assert current.origin.endswith("-delivery")
    send_kill_horse_command(connection, running.name)

    wait_for(lambda: documents_by_chat(fake_telegram).get(chat), f"the PDF\n{worker.output}", 120)
    time.sleep(1.0)  # nothing else arrives
    groups = [c for c in fake_telegram.calls_to("sendMediaGroup") if (c.response or {}).get("ok")]
    photos = sum(len(c.params["media"]) for c in groups)
    render = Job.fetch(sent.job_id, connection=connection, serializer=JSONSerializer)
    assert render.return_value() and render.return_value()["handed_on"]
    assert photos == render.return_value()["slides"] and len(groups) == 2  # group two was not sent again
    assert documents_by_chat(fake_telegram) == {chat: 1}
    told = sentences_to(fake_telegram, chat)
    assert GENERIC_FAILURE not in told and POISON_FAILURE not in told
    connection.close()
