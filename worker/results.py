"""What a job leaves behind for later requests: the thread for re-renders, and Telegram file_ids.

Redis keys (all strings, JSON values, with TTLs):

=============================================  ===================================================
``carousel:job:{ref}:render``                  the job's request: source, source kind, options,
                                               title, slide count, each slide's alt text, the
                                               first carousel's options (:class:`RenderRecord`);
                                               the "📝 Caption" post text is built from it
``carousel:job:{ref}:thread``                  the Thread the job rendered, so a re-render with
                                               another theme/ratio/format never re-fetches
``carousel:job:{job_id}:reported``             set once the user was told about the job's failure
``carousel:job:{ref}:sent``                    what the job's delivery sent so far (message ids by
                                               group): a job run again continues after it
``carousel:job:{job_id}:delivered``            the job's result once the chat has it all: a job run
                                               again (its worker died after sending) sends nothing
``carousel:tg:files:{bot}:{content}``          Telegram file_ids of a delivered result
                                               (:class:`SentFiles`); ``bot`` hashes the API URL and
                                               token (file_ids belong to one bot), ``content`` hashes
                                               the thread and the options
=============================================  ===================================================

``{ref}`` is :func:`job_ref`: a UUID job id without dashes (the same reference the re-render buttons
carry in their callback data, ``rr:{ref}:{field}``).

Without Redis (the embedded queue), the same store lives in this process's memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError
from redis.exceptions import RedisError

from contract.options import RenderOptions
from contract.rerender import job_ref
from rendering.model import Thread
from worker.limits import (
    DELIVERED_MARK_PATIENCE_S,
    DELIVERY_FILES_TTL_S,
    FILE_ID_TTL_S,
    JOB_REPORTED_TTL_S,
    JOB_RESULT_TTL_S,
    RERENDER_TTL_S,
)

log = logging.getLogger(__name__)

PREFIX = "carousel:"


class KeyValue(Protocol):
    """The slice of redis-py's client the store uses (an in-memory stand-in implements it too)."""

    def get(self, name: str) -> Any: ...

    def set(self, name: str, value: str, ex: int | None = None, nx: bool = False) -> Any: ...

    def delete(self, *names: str) -> Any: ...


class MemoryKV:
    """A process-local KeyValue with expiry, for the embedded queue (no Redis)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> str | None:
        with self._lock:
            item = self._data.get(name)
            if item is None:
                return None
            value, expires = item
            if expires is not None and expires < time.monotonic():
                del self._data[name]
                return None
            return value

    def set(self, name: str, value: str, ex: int | None = None, nx: bool = False) -> bool | None:
        with self._lock:
            current = self._data.get(name)
            alive = current is not None and (current[1] is None or current[1] >= time.monotonic())
            if nx and alive:
                return None
            self._data[name] = (value, time.monotonic() + ex if ex else None)
            return True

    def delete(self, *names: str) -> int:
        with self._lock:
            return sum(self._data.pop(n, None) is not None for n in names)


_MEMORY = MemoryKV()


def content_key(thread: Thread, options: RenderOptions) -> str:
    """Identifies a result: the same thread rendered with the same options gives the same slides."""
    digest = hashlib.sha256()
    digest.update(thread.model_dump_json().encode())
    digest.update(b"\0")
    digest.update(options.model_dump_json().encode())
    return digest.hexdigest()[:32]


def bot_key(api_url: str, token: str) -> str:
    """file_ids are valid for one bot on one Bot API server only."""
    return hashlib.sha256(f"{api_url}\0{token}".encode()).hexdigest()[:16]


class RenderRecord(BaseModel):
    """A delivered job's request, enough to re-render it with one option changed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    job_id: str
    source: str
    source_kind: str = "link"
    options: RenderOptions
    title: str | None = None
    slide_count: int | None = None
    # the options of the first carousel of the source, when this one is a re-render that changed them
    first_options: RenderOptions | None = None
    alt_texts: list[str] = []  # per slide: its words and what its pictures show (the post text's alt text)


class SentFiles(BaseModel):
    """Telegram file_ids of a delivered result, in slide order, with what the caption needs.

    ``photos`` are the slides' file_ids as they were sent (``sent_as``): photos, documents, or the
    one ZIP; ``document`` is the PDF's.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    photos: list[str]
    sent_as: str = "photo"  # the slides' InputMedia type: "photo" or "document"
    slides: int | None = None  # slides in the result (a ZIP is one file of them all)
    document: str
    title: str
    author_name: str
    author_handle: str = ""
    image_format: str = "png"
    posts_shown: int | None = None
    posts_total: int | None = None
    alts: list[str] = []  # per slide, what its pictures show (the caption's 🖼 lines)
    alt_texts: list[str] = []  # per slide, its alt text for the post text
    source_url: str = ""
    kind: str = ""
    post_numbers: list[int] = []  # the posts' numbers when they are not the thread's first ones
    next_offset: int | None = None  # the "Next posts" control under the result (see ResultSummary)
    next_numbers: list[int] = []

    @property
    def slide_count(self) -> int:
        return self.slides if self.slides is not None else len(self.photos)


class ResultStore:
    def __init__(self, kv: Any = None, prefix: str = PREFIX) -> None:
        """``kv``: a redis-py client (or anything shaped like :class:`KeyValue`); None: process memory."""
        self.kv: KeyValue = kv if kv is not None else _MEMORY
        self.prefix = prefix

    # ---- keys

    def _job(self, job_id: str, what: str) -> str:
        return f"{self.prefix}job:{job_ref(job_id)}:{what}"

    def _files(self, bot: str, content: str) -> str:
        return f"{self.prefix}tg:files:{bot}:{content}"

    # ---- low level, every Redis failure is a logged miss

    def _get(self, key: str) -> str | None:
        try:
            raw = self.kv.get(key)
        except RedisError:
            log.warning("result store read failed for %s", key, exc_info=True)
            return None
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    def _set(self, key: str, value: str, ttl: int) -> None:
        try:
            self.kv.set(key, value, ex=ttl)
        except RedisError:
            log.warning("result store write failed for %s", key, exc_info=True)

    # ---- re-renders

    def save_render(self, job_id: str, record: RenderRecord, thread: Thread) -> None:
        self._set(self._job(job_id, "thread"), thread.model_dump_json(), RERENDER_TTL_S)
        self._set(self._job(job_id, "render"), record.model_dump_json(), RERENDER_TTL_S)

    def load_thread(self, job_id: str) -> Thread | None:
        raw = self._get(self._job(job_id, "thread"))
        if raw is None:
            return None
        try:
            return Thread.model_validate_json(raw)
        except (ValidationError, ValueError):
            log.warning("stored thread of job %s unreadable", job_id)
            return None

    def load_render(self, job_id: str) -> RenderRecord | None:
        """The request behind a delivered job (for re-render buttons), or None once expired."""
        raw = self._get(self._job(job_id, "render"))
        if raw is None:
            return None
        try:
            return RenderRecord.model_validate_json(raw)
        except (ValidationError, ValueError):
            log.warning("stored render record of job %s unreadable", job_id)
            return None

    # ---- failures told to the user once

    def mark_reported(self, job_id: str) -> bool:
        """True the first time for a job (the caller tells the user); False if already told."""
        try:
            return bool(
                self.kv.set(f"{self.prefix}job:{job_id}:reported", "1", ex=JOB_REPORTED_TTL_S, nx=True)
            )
        except RedisError:
            log.warning("could not mark job %s as reported", job_id, exc_info=True)
            return True

    # ---- delivered once

    def mark_delivered(
        self, job_id: str, result: dict, *, patience: float = DELIVERED_MARK_PATIENCE_S
    ) -> None:
        """Record that the job's result is in the chat; Redis away for a moment is waited for."""
        key = f"{self.prefix}job:{job_id}:delivered"
        value = json.dumps(result, default=str)
        deadline = time.monotonic() + patience
        wait = 0.25
        while True:
            try:
                self.kv.set(key, value, ex=JOB_RESULT_TTL_S)
                return
            except RedisError:
                if time.monotonic() + wait > deadline:
                    log.exception("could not record job %s as delivered", job_id)
                    return
                log.warning("recording job %s as delivered failed; retrying in %.1fs", job_id, wait)
                time.sleep(wait)
                wait = min(wait * 2, 5.0)

    def save_delivery_state(self, job_id: str, state: dict) -> None:
        """What a job's delivery has sent so far (a job run again continues after it)."""
        self._set(f"{self.prefix}job:{job_ref(job_id)}:sent", json.dumps(state), DELIVERY_FILES_TTL_S)

    def delivery_state(self, job_id: str) -> dict | None:
        raw = self._get(f"{self.prefix}job:{job_ref(job_id)}:sent")
        try:
            value = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def delivered(self, job_id: str) -> dict | None:
        """The result recorded by :meth:`mark_delivered`, or None."""
        raw = self._get(f"{self.prefix}job:{job_id}:delivered")
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def was_reported(self, job_id: str) -> bool:
        return self._get(f"{self.prefix}job:{job_id}:reported") is not None

    # ---- Telegram file_ids

    def sent_files(self, bot: str, content: str) -> SentFiles | None:
        raw = self._get(self._files(bot, content))
        if raw is None:
            return None
        try:
            return SentFiles.model_validate_json(raw)
        except (ValidationError, ValueError):
            return None

    def save_sent_files(self, bot: str, content: str, files: SentFiles) -> None:
        self._set(self._files(bot, content), files.model_dump_json(), FILE_ID_TTL_S)

    def forget_sent_files(self, bot: str, content: str) -> None:
        try:
            self.kv.delete(self._files(bot, content))
        except RedisError:
            log.warning("could not drop stale file ids", exc_info=True)


def memory_store() -> ResultStore:
    """The process-wide store used when there is no Redis (bot and embedded worker share it)."""
    return ResultStore(_MEMORY)
