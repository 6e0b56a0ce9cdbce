"""The render job: a JobPayload in, an album and a PDF out in the chat it came from.

``render_carousel`` is what RQ runs (enqueued by its dotted path, see worker/contract.py);
``run_job`` is the body, shared with the embedded in-process queue; ``report_failure`` is RQ's
``on_failure`` callback for the crashes the body could not report itself (a timeout raised outside
it, a killed work horse, an abandoned job).

The user always hears something: progress in the status message, then the result, or one clear
sentence. A :class:`~contract.errors.UserError` is an expected outcome (the job finishes normally);
anything else is logged with its traceback, told to the user as a generic sentence, and re-raised
so RQ records the failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from contract import JobPayload
from contract.errors import GENERIC_FAILURE, UserError
from contract.options import Brand
from rendering.api import Carousel
from rendering.api import render_carousel as render
from rendering.model import Author, Thread
from worker.config import Settings, get_settings
from worker.delivery import Delivery, ResultSummary, make_delivery
from worker.limits import TELEGRAM_STATUS_EDIT_INTERVAL_S
from worker.results import RenderRecord, ResultStore, content_key, memory_store

log = logging.getLogger(__name__)

STATUS_FETCHING = "Fetching thread…"
STATUS_READING = "Reading your text…"  # pasted text or a sent file: nothing to fetch
STATUS_PREPARING = "Preparing…"  # a re-render: the thread is already here
STATUS_RENDERING = "Rendering {done}/{total}"
STATUS_SENDING = "Sending…"
TIMEOUT_FAILURE = "Sorry, that carousel took too long to make — try a shorter thread, or try again later."
TITLE_MAX_CHARS = 120  # a title taken from the first post's text


class Progress:
    """Status updates with manners: only when the text changes, at most one per ``interval``.

    Forced updates (stage changes) always go out; skipped render counts are simply dropped.
    """

    def __init__(
        self,
        delivery: Delivery,
        interval: float = TELEGRAM_STATUS_EDIT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delivery = delivery
        self.interval = interval
        self.clock = clock
        self.text: str | None = None
        self.at: float | None = None
        self.stage: str | None = None

    def show(self, text: str, *, force: bool = False) -> None:
        if text == self.text:
            return
        now = self.clock()
        if not force and self.at is not None and now - self.at < self.interval:
            return
        self.text, self.at = text, now
        self.delivery.status(text)

    def rendering(self, done: int, total: int) -> None:
        """The first count of the rendering stage always shows; later ones when the interval allows."""
        first = self.stage != "rendering"
        self.stage = "rendering"
        self.show(STATUS_RENDERING.format(done=done, total=total), force=first)


def render_carousel(payload: dict) -> dict:
    """The RQ job (``worker.jobs.render_carousel``)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        raise RuntimeError("render_carousel runs inside an RQ worker; call run_job directly otherwise")
    return run_job(payload, job.id, connection=job.connection)


def run_job(
    payload: dict,
    job_id: str,
    *,
    connection: Any = None,
    settings: Settings | None = None,
) -> dict:
    """Fetch, render and deliver one carousel. ``connection``: Redis, or None for the in-memory store."""
    settings = settings or get_settings()
    request = JobPayload.model_validate(payload)
    store = ResultStore(connection) if connection is not None else memory_store()
    delivery = make_delivery(request.reply, settings, store)
    try:
        return _run(request, job_id, settings=settings, connection=connection, store=store, delivery=delivery)
    except UserError as err:
        log.info("job %s: %s", job_id, err.message)
        if store.mark_reported(job_id):
            _tell(delivery, err.message, job_id)
        return {"ok": False, "error": err.message}
    except Exception as err:
        log.exception("job %s failed", job_id)
        if store.mark_reported(job_id):
            _tell(delivery, TIMEOUT_FAILURE if _is_timeout(err) else GENERIC_FAILURE, job_id)
        raise
    finally:
        delivery.close()


def signed_by_brand(thread: Thread, brand: Brand) -> Thread:
    """Pasted text and files carry no author: they are signed with the brand kit when there is one."""
    if thread.source not in ("text", "file") or not (brand.name or brand.handle):
        return thread
    return thread.authored_by(
        Author(name=brand.name or brand.handle or "", handle=brand.handle or "", avatar_url=brand.avatar_url)
    )


def _run(
    request: JobPayload,
    job_id: str,
    *,
    settings: Settings,
    connection: Any,
    store: ResultStore,
    delivery: Delivery,
) -> dict:
    options = request.options
    progress = Progress(delivery)
    progress.show(_first_status(request), force=True)

    from worker.http import make_client

    with make_client(settings) as client:
        thread = _load_thread(request, settings=settings, client=client, connection=connection, store=store)
        thread = signed_by_brand(thread.capped(options.max_posts), options.brand)
        key = content_key(thread, options)

        reused = delivery.deliver_cached(key, job_id)
        if reused is not None:
            store.save_render(
                job_id, _record(request, job_id, reused.get("title"), reused.get("slides")), thread
            )
            delivery.finish()
            log.info("job %s: identical result re-sent by file_id", job_id)
            return {"ok": True, "job_id": job_id, **reused}

        from worker.media import fetch_images

        extra = [u for u in (options.brand.avatar_url, options.brand.logo_url) if u]
        images = fetch_images(thread, settings=settings, client=client, extra=extra)

    carousel = render(thread, options, images, progress.rendering)
    summary = summarize(thread, carousel)
    store.save_render(job_id, _record(request, job_id, summary.title, carousel.slide_count), thread)
    progress.show(STATUS_SENDING, force=True)
    sent = delivery.deliver(carousel, summary, job_id, key)
    delivery.finish()
    log.info("job %s: %d slides delivered (%s)", job_id, carousel.slide_count, summary.title)
    return {
        "ok": True,
        "job_id": job_id,
        "slides": carousel.slide_count,
        "title": summary.title,
        "timings": carousel.timings,
        **sent,
    }


def _first_status(request: JobPayload) -> str:
    if request.rerender_of:
        return STATUS_PREPARING
    return STATUS_READING if request.source_kind != "link" else STATUS_FETCHING


def _load_thread(
    request: JobPayload, *, settings: Settings, client: Any, connection: Any, store: ResultStore
) -> Thread:
    """A re-render uses the thread its first job saved; otherwise (or once expired) the source."""
    if request.rerender_of:
        saved = store.load_thread(request.rerender_of)
        if saved is not None:
            log.info("re-render of %s: thread from the store", request.rerender_of)
            return saved
        log.info("re-render of %s: stored thread expired, fetching again", request.rerender_of)

    from worker.cache import ThreadCache
    from worker.sources import resolve

    cache = ThreadCache(connection) if connection is not None else None
    return resolve(
        request.source,
        kind=request.source_kind,
        settings=settings,
        client=client,
        cache=cache,
        max_posts=request.options.max_posts,
    )


def _record(request: JobPayload, job_id: str, title: Any, slides: Any) -> RenderRecord:
    return RenderRecord(
        job_id=job_id,
        source=request.source,
        source_kind=request.source_kind,
        options=request.options,
        title=title if isinstance(title, str) else None,
        slide_count=slides if isinstance(slides, int) else None,
    )


def summarize(thread: Thread, carousel: Carousel) -> ResultSummary:
    title = (carousel.title or thread.title or "").strip()
    if not title:
        first = next((p.text for p in thread.posts if p.text.strip()), "")
        title = first.strip().splitlines()[0] if first.strip() else ""
        if len(title) > TITLE_MAX_CHARS:
            title = title[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return ResultSummary(
        title=title,
        author_name=thread.author.name,
        author_handle=thread.author.handle,
        slide_count=carousel.slide_count,
        posts_shown=len(thread.posts),
        posts_total=thread.total_posts if thread.truncated else None,
    )


def _tell(delivery: Delivery, sentence: str, job_id: str) -> None:
    try:
        delivery.fail(sentence)
    except Exception:
        log.exception("job %s: could not tell the user %r", job_id, sentence)


def _is_timeout(err: BaseException) -> bool:
    from rq.timeouts import JobTimeoutException

    return isinstance(err, JobTimeoutException)


def report_failure(job: Any, connection: Any, type: Any, value: Any, traceback: Any) -> None:
    """RQ ``on_failure`` callback: tell the user about a crash the job body did not report."""
    store = ResultStore(connection)
    if not store.mark_reported(job.id):
        return  # the body already told the user
    sentence = TIMEOUT_FAILURE if isinstance(value, BaseException) and _is_timeout(value) else GENERIC_FAILURE
    log.error("job %s failed outside its body (%s); telling the user", job.id, type)
    _notify(job, connection, sentence)


def report_killed_horse(job: Any, retpid: int, ret_val: int, rusage: Any) -> None:
    """For ``Worker(work_horse_killed_handler=...)``: a work horse killed mid-job (e.g. out of memory)."""
    store = ResultStore(job.connection)
    if store.mark_reported(job.id):
        log.error("job %s: work horse %s died (%s); telling the user", job.id, retpid, ret_val)
        _notify(job, job.connection, GENERIC_FAILURE)


def _notify(job: Any, connection: Any, sentence: str) -> None:
    try:
        request = JobPayload.model_validate(job.args[0])
        delivery = make_delivery(request.reply, get_settings(), ResultStore(connection))
    except Exception:
        log.exception("job %s: cannot address the user about its failure", job.id)
        return
    try:
        _tell(delivery, sentence, job.id)
    finally:
        delivery.close()
