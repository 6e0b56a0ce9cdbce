"""The render job: a JobPayload in, an album and a PDF out in the chat it came from.

``render_carousel`` is what RQ runs (enqueued by its dotted path, see contract/job.py);
``run_job`` is the body, shared with the embedded in-process queue; ``deliver_carousel`` sends the
rest of a result whose delivery had to wait for the chat's pace (worker/handoff.py);
``report_failure`` is RQ's ``on_failure`` callback for the crashes the body could not report
itself (a timeout raised outside it, a killed work horse, an abandoned job).

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

from contract import JobPayload, RenderOptions, ReplyAddress, redact
from contract.errors import GENERIC_FAILURE, JOB_LOST, MEMORY_FAILURE, POISON_FAILURE, UserError
from contract.job import DELIVERY_JOB_PATH, DeliveryPayload, PostTextPayload
from contract.next_posts import NextPosts
from contract.options import CUSTOM_THEME, DEFAULT_DELIVERY
from contract.sentences import THEME_FILE_BROKEN
from contract.theme_file import THEME_FILE_NAME
from rendering.api import Carousel
from rendering.api import render_carousel as render
from rendering.model import Author, Thread
from themes.schema import Theme
from worker.brand import signed_by_brand
from worker.checks import check_options, check_thread
from worker.config import Settings, get_settings
from worker.delivery import Delivery, DeliveryDeferred, ResultSummary, make_delivery
from worker.delivery.common import utf16_len
from worker.limits import (
    DELIVERY_MAX_DEFERRALS,
    DISCORD_MESSAGE_MAX,
    SOURCE_MAX_POSTS,
    TELEGRAM_MESSAGE_MAX,
    TELEGRAM_STATUS_EDIT_INTERVAL_S,
)
from worker.metrics import DELIVERY_SECONDS, FETCH_ERRORS, JOBS, RENDER_SECONDS, RETRIES
from worker.post_text import (
    credit_kind,
    credited_author,
    post_messages,
    slide_descriptions,
    source_link,
)
from worker.posts import choose_posts
from worker.results import RenderRecord, ResultStore, content_key, memory_store

log = logging.getLogger(__name__)

STATUS_FETCHING = "Fetching thread…"
STATUS_READING = "Reading your text…"  # pasted text or a sent file: nothing to fetch
STATUS_READING_THEIRS = "Reading {name}'s message…"  # another member's message, made by the requester
STATUS_PREPARING = "Preparing…"  # a re-render: the thread is already here
STATUS_RENDERING = "Rendering {done}/{total}"
STATUS_SENDING = "Sending…"
TIMEOUT_FAILURE = "Sorry, that carousel took too long to make — try a shorter thread, or try again later."
TITLE_MAX_CHARS = 120  # a title taken from the first post's text
FILES_EXPIRED = "Sorry, your carousel was ready but could not be sent in time — please ask for it again."
POST_TEXT_GONE = (
    "That carousel is too old for me to write its post text, so please make it again and press 📝 Caption "
    "under the new one."
)


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


class Stages:
    """Seconds each stage of a job took, for the log line and the job's result."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.at = clock()
        self.seconds: dict[str, float] = {}

    def done(self, stage: str) -> None:
        now = self.clock()
        self.seconds[f"job_{stage}"] = now - self.at
        self.at = now

    def __str__(self) -> str:
        return ", ".join(f"{k.removeprefix('job_')} {v:.2f} s" for k, v in self.seconds.items())


def render_carousel(payload: dict) -> dict:
    """The RQ job (``worker.jobs.render_carousel``)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        raise RuntimeError("render_carousel runs inside an RQ worker; call run_job directly otherwise")
    try:
        return run_job(payload, job.id, connection=job.connection)
    except Exception:
        # The body caught it and told the user: RQ records the failure but does not run it again
        # (the job's Retry is for work horses and workers that die, see report_killed_horse).
        job.retries_left = 0
        raise


def run_job(
    payload: dict,
    job_id: str,
    *,
    connection: Any = None,
    settings: Settings | None = None,
) -> dict:
    """Fetch, render and deliver one carousel. ``connection``: Redis, or None for the in-memory store."""
    settings = settings or get_settings()
    keep_secret(settings, payload)
    request = JobPayload.model_validate(payload)
    store = ResultStore(connection) if connection is not None else memory_store()
    delivery = make_delivery(request.reply, settings, store, connection=connection)
    return _reporting(
        job_id,
        store,
        delivery,
        lambda: _run(
            request, job_id, settings=settings, connection=connection, store=store, delivery=delivery
        ),
    )


def deliver_carousel(payload: dict) -> dict:
    """The RQ job (``worker.jobs.deliver_carousel``) sending the rest of a handed-on delivery."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        raise RuntimeError("deliver_carousel runs inside an RQ worker")
    try:
        return run_delivery(payload, connection=job.connection)
    except Exception:
        job.retries_left = 0  # told to the user by the body; Retry is for a worker that dies
        raise


def run_delivery(payload: dict, *, connection: Any, settings: Settings | None = None) -> dict:
    """Send what a render job (or an earlier delivery job) could not send yet; hand on again if need be."""
    settings = settings or get_settings()
    keep_secret(settings, payload)
    request = DeliveryPayload.model_validate(payload)
    store = ResultStore(connection)
    delivery = make_delivery(request.reply, settings, store, connection=connection)
    if hasattr(delivery, "on_progress"):
        delivery.on_progress = lambda state: store.save_delivery_state(request.job_id, state)
    # what was recorded as sent, message by message: further than the hand-off's state when an earlier
    # run of this delivery job died mid-way (it runs again, and must not send those messages twice)
    recorded = store.delivery_state(request.job_id)
    if recorded is not None and recorded != request.state:
        log.warning("job %s: delivery runs again after a partial send; continuing after it", request.job_id)
        request = request.model_copy(update={"state": recorded})
    return _reporting(
        request.job_id,
        store,
        delivery,
        lambda: _resume_delivery(
            request, settings=settings, connection=connection, delivery=delivery, store=store
        ),
    )


def send_post_text(payload: dict) -> dict:
    """The RQ job (``worker.jobs.send_post_text``) answering a "📝 Caption" press."""
    from rq import get_current_job

    job = get_current_job()
    return run_post_text(payload, connection=job.connection if job is not None else None)


def run_post_text(payload: dict, *, connection: Any = None, settings: Settings | None = None) -> dict:
    """Send the ready-to-paste post text of a delivered job, built from what the worker kept of it."""
    settings = settings or get_settings()
    keep_secret(settings, payload)
    request = PostTextPayload.model_validate(payload)
    store = ResultStore(connection) if connection is not None else memory_store()
    delivery = make_delivery(request.reply, settings, store, connection=connection)
    try:
        record = store.load_render(request.job)
        thread = store.load_thread(request.job)
        if record is None or thread is None:
            delivery.post_text([POST_TEXT_GONE])
            return {"ok": False, "error": POST_TEXT_GONE}
        measure: Callable[[str], int] = len  # Discord counts characters, Telegram UTF-16 units
        limit = DISCORD_MESSAGE_MAX
        if request.reply.platform == "telegram":
            limit, measure = TELEGRAM_MESSAGE_MAX, utf16_len
        shown = _shown(thread, record.options)  # a later part speaks of its own posts
        messages = post_messages(shown, record.title or "", record.alt_texts, limit, measure)
        delivery.post_text(messages)
        log.info("job %s: post text sent in %d message(s)", request.job, len(messages))
        return {"ok": True, "messages": len(messages)}
    except Exception:
        log.exception("post text of job %s failed", request.job)
        _tell(delivery, GENERIC_FAILURE, request.job)
        raise
    finally:
        delivery.close()


def keep_secret(settings: Settings, payload: Any) -> None:
    """No token in this job's log lines: the bots' tokens, and the interaction token it carries
    (named before anything about the job is logged, even its payload failing validation)."""
    redact.install([settings.telegram_bot_token, settings.discord_bot_token])
    reply = payload.get("reply") if isinstance(payload, dict) else None
    token = reply.get("interaction_token") if isinstance(reply, dict) else None
    redact.remember(token if isinstance(token, str) else None)


def own_theme(options: RenderOptions) -> Theme | None:
    """The theme someone sent as a file, when the options use it; None: the preset ``options.theme``."""
    if options.theme != CUSTOM_THEME or not options.theme_file:
        return None
    from themes import ThemeError, parse_theme

    try:
        return parse_theme(options.theme_file, THEME_FILE_NAME)
    except ThemeError as exc:
        raise UserError(THEME_FILE_BROKEN.format(problem=exc.problems[0])) from None


def _outcome(result: dict) -> str:
    if result.get("handed_on"):
        return "handed_on"
    if result.get("reused_file_ids"):
        return "reused"
    return "delivered" if result.get("ok") else "refused"


def _reporting(job_id: str, store: ResultStore, delivery: Delivery, body: Callable[[], dict]) -> dict:
    """Run a job body; whatever goes wrong, the user hears one sentence, once per render job."""
    try:
        result = body()
        JOBS.labels(_outcome(result)).inc()
        return result
    except UserError as err:
        JOBS.labels("refused").inc()
        log.info("job %s: %s", job_id, err.message)
        if store.mark_reported(job_id):
            _tell(delivery, err.message, job_id)
        return {"ok": False, "error": err.message}
    except Exception as err:
        JOBS.labels("failed").inc()
        log.exception("job %s failed", job_id)
        if store.mark_reported(job_id):
            _tell(delivery, _sentence_for(err), job_id)
        raise
    finally:
        delivery.close()


def _resume_delivery(
    request: DeliveryPayload, *, settings: Settings, connection: Any, delivery: Delivery, store: ResultStore
) -> dict:
    from worker import handoff

    try:
        if request.mode == "cached":
            assert request.content_key is not None
            changed = tuple(tuple(p) for p in request.summary.get("changed") or ())
            sent = delivery.deliver_cached(
                request.content_key, request.job_id, resume=request.state, changed=changed
            )
            if sent is None:
                raise UserError(FILES_EXPIRED)
        else:
            carousel = handoff.load_files(connection, request.job_id)
            if carousel is None:
                raise UserError(FILES_EXPIRED)
            summary = ResultSummary(**request.summary)
            record = store.load_render(request.job_id)
            sent = delivery.deliver(
                carousel,
                summary,
                request.job_id,
                request.content_key,
                resume=request.state,
                alt_texts=record.alt_texts if record is not None else None,
            )
    except DeliveryDeferred as deferred:
        if request.handoffs >= DELIVERY_MAX_DEFERRALS:
            raise UserError(
                "Sorry, the chat is too busy for me to send your carousel right now — please ask again later."
            ) from deferred
        again = request.model_copy(update={"state": deferred.state, "handoffs": request.handoffs + 1})
        handoff.hand_off(connection, settings.queue_name, again, deferred.seconds)
        return {"ok": True, "job_id": request.job_id, "handed_on": True}
    if request.mode == "files":
        handoff.drop_files(connection, request.job_id)
    delivery.finish()
    log.info("job %s: delivery finished after %d hand-on(s)", request.job_id, request.handoffs)
    if request.then is not None:
        following = JobPayload.model_validate(request.then)
        _submit_next_part(following, request.job_id, settings=settings, connection=connection)
    return {"ok": True, "job_id": request.job_id, **sent}


def _hand_off(
    request: JobPayload,
    job_id: str,
    deferred: DeliveryDeferred,
    *,
    settings: Settings,
    connection: Any,
    content_key: str | None,
    summary: ResultSummary | dict | None = None,
    carousel: Carousel | None = None,
    then: JobPayload | None = None,
) -> None:
    """The rest of this job's delivery goes to a delivery job, due when the chat's pace allows."""
    from dataclasses import asdict

    from worker import handoff

    if carousel is not None:
        handoff.stash_files(connection, job_id, carousel)
    payload = DeliveryPayload(
        job_id=job_id,
        reply=request.reply,
        mode="files" if carousel is not None else "cached",
        content_key=content_key,
        summary=asdict(summary) if isinstance(summary, ResultSummary) else summary or {},
        state=deferred.state,
        then=then.to_job_arg() if then is not None else None,
    )
    handoff.hand_off(connection, settings.queue_name, payload, deferred.seconds)


def _run(
    request: JobPayload,
    job_id: str,
    *,
    settings: Settings,
    connection: Any,
    store: ResultStore,
    delivery: Delivery,
) -> dict:
    done = store.delivered(job_id)
    if done is not None:  # run again after its worker died: the chat already has it all
        log.warning("job %s was already delivered; not sending it again", job_id)
        return done
    options = request.options
    check_options(options)
    first = first_options(request, store)
    changed = changes(first, options) if request.rerender_of else ()
    stages = Stages()
    resume = _recording(delivery, store, job_id)
    progress = Progress(delivery)
    progress.show(_first_status(request), force=True)
    stages.done("status")

    from worker.http import make_client

    with make_client(settings) as client:
        try:
            thread = _load_thread(
                request, settings=settings, client=client, connection=connection, store=store
            )
        except UserError as err:
            FETCH_ERRORS.labels(_source_of(request), err.__class__.__name__).inc()
            raise
        stages.done("thread")
        whole = _credited(thread, request)  # kept whole: re-renders and "Next posts" use it
        selection = choose_posts(whole, options)
        thread = selection.thread
        check_thread(thread)
        key = content_key(thread, options)

        try:
            # a later part of a long source is never an identical earlier result
            reused = (
                delivery.deliver_cached(key, job_id, resume=resume, changed=changed)
                if request.part == 1
                else None
            )
        except DeliveryDeferred as deferred:  # an identical result, re-sent by file_id once the chat allows
            store.save_render(job_id, _record(request, job_id, None, None, first=first), whole)
            _hand_off(
                request,
                job_id,
                deferred,
                settings=settings,
                connection=connection,
                content_key=key,
                summary={"changed": changed},
            )
            handed = {"ok": True, "job_id": job_id, "handed_on": True}
            store.mark_delivered(job_id, handed)
            return handed
        if reused is not None:
            record = _record(
                request,
                job_id,
                reused.get("title"),
                reused.get("slides"),
                first=first,
                alt_texts=reused.pop("alt_texts", None),
            )
            store.save_render(job_id, record, whole)
            delivery.finish()
            log.info("job %s: identical result re-sent by file_id", job_id)
            result = {"ok": True, "job_id": job_id, **reused}
            store.mark_delivered(job_id, result)
            return result

        from worker.media import fetch_images

        extra = [u for u in (options.brand.avatar_url, options.brand.logo_url) if u]
        failed: dict[str, str] = {}
        images = fetch_images(thread, settings=settings, client=client, extra=extra, failed=failed)
        unusable = unusable_pictures(options, failed)
        if unusable:  # named in the result, and never kept as the "identical" result of a later request
            log.info("job %s: rendering without %s", job_id, ", ".join(what for what, _ in unusable))
        stages.done("pictures")

    render_started_at = time.time()  # wall clock, comparable with RQ's started_at (benchmarks)
    with RENDER_SECONDS.time():
        carousel = render(
            thread, options, images, progress.rendering, theme=own_theme(options), part=request.part
        )
    stages.done("render")
    carousel, following = _this_part(carousel, request, job_id)
    # the "Next posts" control goes under the last part, naming the job the front-end knows
    summary = summarize(
        thread,
        carousel,
        unusable,
        changed=changed,
        delivery=options.delivery,
        next_posts=selection.following if following is None else None,
        controls_of=request.part_of,
    )
    # parts are not remembered as one identical result, nor a result that went without a picture
    keep = key if carousel.part is None and not unusable else None
    descriptions = slide_descriptions(carousel.texts, carousel.alts)
    record = _record(
        request, job_id, summary.title, carousel.slide_count, first=first, alt_texts=descriptions
    )
    store.save_render(job_id, record, whole)
    progress.show(STATUS_SENDING, force=True)
    try:
        with DELIVERY_SECONDS.time():
            sent = delivery.deliver(carousel, summary, job_id, keep, resume=resume, alt_texts=descriptions)
    except DeliveryDeferred as deferred:  # the chat's pace: the rest goes later, this worker renders on
        _hand_off(
            request,
            job_id,
            deferred,
            settings=settings,
            connection=connection,
            content_key=keep,
            summary=summary,
            carousel=carousel,
            then=following,
        )
        handed = {"ok": True, "job_id": job_id, "slides": carousel.slide_count, "handed_on": True}
        store.mark_delivered(job_id, handed)  # run again, this job sends nothing: the delivery job does
        return handed
    result = {
        "ok": True,
        "job_id": job_id,
        "slides": carousel.slide_count,
        "title": summary.title,
        "timings": {**carousel.timings, **stages.seconds},
        "render_started_at": render_started_at,
        **sent,
    }
    store.mark_delivered(job_id, result)
    delivery.finish()
    if following is not None:
        _submit_next_part(following, job_id, settings=settings, connection=connection, store=store)
    stages.done("delivery")
    log.info("job %s: %d slides delivered (%s); %s", job_id, carousel.slide_count, summary.title, stages)
    return result


def _credited(thread: Thread, request: JobPayload) -> Thread:
    """Pasted text by someone other than the requester is credited to them; otherwise pasted text
    is signed with the requester's brand kit."""
    author = request.text_author
    if author is not None and thread.source == "text":
        return thread.authored_by(Author(name=author.name, handle=author.handle))
    return signed_by_brand(thread, request.options.brand)


def _recording(delivery: Delivery, store: ResultStore, job_id: str) -> dict | None:
    """Record what this job's delivery sends, message by message; what an earlier run of the same job
    (its worker died mid-delivery) already sent, to continue after it instead of sending it twice."""
    if hasattr(delivery, "on_progress"):
        delivery.on_progress = lambda state: store.save_delivery_state(job_id, state)
    resume = store.delivery_state(job_id)
    if resume is not None:
        log.warning("job %s runs again after a partial delivery; continuing after what was sent", job_id)
    return resume


def _source_of(request: JobPayload) -> str:
    if request.source_kind != "link":
        return request.source_kind
    from contract.links import find_link

    match = find_link(request.source)
    return match.ref.kind if match is not None else "unknown"


def _this_part(
    carousel: Carousel, request: JobPayload, job_id: str
) -> tuple[Carousel, JobPayload | None]:
    """The part this job sends (the only one rendered), and the job for the part after it (None for
    the last or only one)."""
    if carousel.part is None:
        return carousel, None
    index, count = carousel.part
    following = None
    if index < count:  # its status message is gone with this part: the next one reports none
        reply = request.reply.model_copy(update={"status_message_id": None})
        following = request.model_copy(
            update={"part": index + 1, "reply": reply, "part_of": request.part_of or job_id}
        )
    return carousel, following


def _submit_next_part(
    following: JobPayload, job_id: str, *, settings: Settings, connection: Any, store: Any = None
) -> None:
    """The next part of a long source, after this one has arrived: its own job, so each part is
    delivered exactly once and in order."""
    if connection is not None and settings.redis_url:
        from worker.queue import RQJobQueue

        RQJobQueue(settings.redis_url, settings.queue_name).submit(following)
        log.info("job %s: part %d queued", job_id, following.part)
        return
    run_job(following.to_job_arg(), f"{job_id}-part{following.part}", settings=settings, connection=None)


def _shown(thread: Thread, options: RenderOptions) -> Thread:
    """The posts a delivered carousel showed (a later part, a ``posts`` pick) of the thread it kept
    whole; the whole thread when they can no longer be chosen."""
    try:
        return choose_posts(thread, options).thread
    except UserError:
        return thread


def _first_status(request: JobPayload) -> str:
    if request.rerender_of:
        return STATUS_PREPARING
    if request.source_kind == "link":
        return STATUS_FETCHING
    if request.text_author is not None:  # the status is public: it is not the requester's text
        return STATUS_READING_THEIRS.format(name=request.text_author.name)
    return STATUS_READING


def _load_thread(
    request: JobPayload, *, settings: Settings, client: Any, connection: Any, store: ResultStore
) -> Thread:
    """The whole thread (no cap): a re-render, a "Next posts" carousel and a later part use the one
    an earlier job saved; otherwise (or once expired) the source."""
    for earlier in (request.rerender_of, request.part_of):
        if not earlier:
            continue
        saved = store.load_thread(earlier)
        if saved is not None and not saved.truncated:  # a capped copy (kept before) lacks posts
            log.info("thread of %s from the store", earlier)
            return saved
        log.info("stored thread of %s expired, fetching again", earlier)

    from worker.cache import ThreadCache
    from worker.sources import resolve

    cache = ThreadCache(connection) if connection is not None else None
    return resolve(
        request.source,
        kind=request.source_kind,
        settings=settings,
        client=client,
        cache=cache,
        max_posts=SOURCE_MAX_POSTS,  # the cap is applied by choose_posts, after any pick
    )


def _record(
    request: JobPayload,
    job_id: str,
    title: Any,
    slides: Any,
    *,
    first: RenderOptions | None = None,
    alt_texts: Any = None,
) -> RenderRecord:
    return RenderRecord(
        job_id=job_id,
        source=request.source,
        source_kind=request.source_kind,
        options=request.options,
        title=title if isinstance(title, str) else None,
        slide_count=slides if isinstance(slides, int) else None,
        first_options=first if first != request.options else None,
        alt_texts=[str(a) for a in alt_texts] if isinstance(alt_texts, list) else [],
    )


def unusable_pictures(options: RenderOptions, failed: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(what, why) of each picture the slides go without: the brand kit's by name, then the thread's."""
    brand = {options.brand.avatar_url: "avatar", options.brand.logo_url: "logo"}
    named = [(brand[url], why) for url, why in failed.items() if url in brand and url]
    return tuple(named + [("picture", why) for url, why in failed.items() if url not in brand])


def summarize(
    thread: Thread,
    carousel: Carousel,
    unusable: tuple[tuple[str, str], ...] = (),
    *,
    changed: tuple[tuple[str, str], ...] = (),
    delivery: str = DEFAULT_DELIVERY,
    next_posts: NextPosts | None = None,
    controls_of: str | None = None,
) -> ResultSummary:
    title = (carousel.title or thread.title or "").strip()
    if not title:
        first = next((p.text for p in thread.posts if p.text.strip()), "")
        title = first.strip().splitlines()[0] if first.strip() else ""
        if len(title) > TITLE_MAX_CHARS:
            title = title[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if carousel.part is not None:  # caption and PDF name say which part of a long source this is
        title = f"Part {carousel.part[0]} of {carousel.part[1]} · {title}"
    name, handle = credited_author(thread)
    return ResultSummary(
        title=title,
        author_name=name,
        author_handle=handle,
        slide_count=carousel.slide_count,
        posts_shown=len(thread.posts),
        posts_total=thread.total_posts if thread.truncated else None,
        alts=tuple(carousel.alts),
        unusable=unusable,
        source_url=source_link(thread),
        kind=credit_kind(thread),
        changed=changed,
        delivery=delivery,
        post_numbers=thread.numbers or (),
        next_offset=next_posts.offset if next_posts is not None else None,
        next_numbers=next_posts.numbers if next_posts is not None else (),
        controls_of=controls_of,
    )


# What a re-render's caption and PDF name say it changed (the brand's picture links change with
# every request and say nothing about the look)
CHANGE_FIELDS: tuple[str, ...] = ("theme", "ratio", "format", "cta", "max_posts")


def first_options(request: JobPayload, store: ResultStore) -> RenderOptions | None:
    """The options of the first carousel of this source: a chain of re-renders is told against it.
    None when unknown (the earlier job's record expired)."""
    if not request.rerender_of:
        return request.options
    earlier = store.load_render(request.rerender_of)
    if earlier is None:
        return None
    return earlier.first_options or earlier.options


def changes(first: RenderOptions | None, options: RenderOptions) -> tuple[tuple[str, str], ...]:
    """(field, value) for each look ``options`` changed from ``first``, in a fixed order."""
    if first is None:
        return ()
    return tuple(
        (field, str(getattr(options, field)))
        for field in CHANGE_FIELDS
        if getattr(options, field) != getattr(first, field)
    )


def _tell(delivery: Delivery, sentence: str, job_id: str) -> None:
    try:
        delivery.fail(sentence)
    except Exception:
        log.exception("job %s: could not tell the user %r", job_id, sentence)


def _sentence_for(err: BaseException) -> str:
    if _is_timeout(err):
        return TIMEOUT_FAILURE
    if isinstance(err, MemoryError):  # the work horse's memory cap (worker/runner.py)
        return MEMORY_FAILURE
    return GENERIC_FAILURE


def _is_timeout(err: BaseException) -> bool:
    from rq.timeouts import JobTimeoutException

    return isinstance(err, JobTimeoutException)


def report_failure(job: Any, connection: Any, type: Any, value: Any, traceback: Any) -> None:
    """RQ ``on_failure`` callback: tell the user about a crash the job body did not report.

    RQ also calls it for a job whose whole worker died (``AbandonedJobError``, found by another
    worker's maintenance); such a job is run again while it has retries left, so the user hears
    nothing yet, and the sentence for a poison job once it has none.
    """
    from rq.exceptions import AbandonedJobError

    origin = _origin(job)
    abandoned = isinstance(value, AbandonedJobError) or type is AbandonedJobError
    if abandoned and _will_retry(job):
        RETRIES.labels("job").inc()
        log.warning("job %s: its worker died; running it again (%s retries left)", origin, job.retries_left)
        return
    store = ResultStore(connection)
    if not store.mark_reported(origin):
        return  # the body already told the user
    if abandoned:
        JOBS.labels("poison").inc()
        sentence = POISON_FAILURE
    elif isinstance(value, BaseException):
        sentence = _sentence_for(value)
    else:
        sentence = GENERIC_FAILURE
    log.error("job %s failed outside its body (%s); telling the user", origin, type)
    _notify(job, connection, sentence)


def report_killed_horse(job: Any, retpid: int, ret_val: int, rusage: Any) -> None:
    """For ``Worker(work_horse_killed_handler=...)``: a work horse killed mid-job (e.g. out of memory).

    Called before RQ decides on a retry: with retries left the job runs again and the user hears
    nothing; a job that killed its horse again is a poison job, and its user hears one sentence.
    """
    origin = _origin(job)
    if _will_retry(job):
        RETRIES.labels("job").inc()
        log.warning("job %s: work horse %s died (%s); running it again", origin, retpid, ret_val)
        return
    store = ResultStore(job.connection)
    if store.mark_reported(origin):
        JOBS.labels("poison").inc()
        log.error("job %s: work horse %s died (%s) again; telling the user", origin, retpid, ret_val)
        _notify(job, job.connection, POISON_FAILURE if job.retry_intervals is not None else GENERIC_FAILURE)


def report_lost(payload: dict, lost_job_id: str) -> dict:
    """The RQ job a front-end queues for a job that vanished from Redis: one sentence to its user."""
    keep_secret(get_settings(), payload)
    request = JobPayload.model_validate(payload)
    delivery = make_delivery(request.reply, get_settings())
    JOBS.labels("lost").inc()
    try:
        _tell(delivery, JOB_LOST, lost_job_id)
    finally:
        delivery.close()
    return {"ok": False, "error": JOB_LOST, "job_id": lost_job_id}


def _will_retry(job: Any) -> bool:
    return bool(job.retries_left and job.retries_left > 0)


def _origin(job: Any) -> str:
    """The render job a job speaks for: itself, or the one whose delivery it continues."""
    arg = job.args[0] if job.args else None
    if isinstance(arg, dict) and job.func_name == DELIVERY_JOB_PATH and arg.get("job_id"):
        return str(arg["job_id"])
    return str(job.id)


def _notify(job: Any, connection: Any, sentence: str) -> None:
    try:
        keep_secret(get_settings(), job.args[0])
        reply = ReplyAddress.model_validate(job.args[0]["reply"])
        delivery = make_delivery(reply, get_settings(), ResultStore(connection))
    except Exception:
        log.exception("job %s: cannot address the user about its failure", job.id)
        return
    try:
        _tell(delivery, sentence, job.id)
    finally:
        delivery.close()
