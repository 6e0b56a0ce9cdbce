"""Delivery to Telegram over the Bot API (plain HTTPS, no bot framework in the worker).

:class:`TelegramClient` is a small synchronous client: one method call per request, sends paced to
the Bot API's limits (:mod:`worker.delivery.pacing`), flood control (429 ``retry_after``) honoured.
A client made with ``defer=True`` never sleeps for either: it raises :class:`PaceWait` with the time
to wait, and the job hands the rest of its delivery to a later job (see :mod:`worker.handoff`).
:class:`TelegramDelivery` speaks for one job: it keeps the status message up to date, sends the
album (balanced media groups of at most 10, in order) and the PDF, replies to the user's message in
the same forum topic, and tells the user one clear sentence when something fails.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from contract import ReplyAddress
from contract.next_posts import telegram_next_button
from contract.rerender import telegram_rerender_keyboard
from rendering.api import Carousel
from worker.delivery.common import (
    DeliveryDeferred,
    PhotoLimits,
    ResultSummary,
    caption_text,
    ellipsize,
    fit_photo,
    image_kind,
    result_filename,
    slide_filename,
    slide_word,
    slides_zip,
    split_groups,
    unusable_notes,
)
from worker.delivery.pacing import LocalPacer, Pacer
from worker.http import tls_context
from worker.limits import (
    TELEGRAM_CAPTION_MAX,
    TELEGRAM_DOCUMENT_MAX_BYTES,
    TELEGRAM_FLOOD_RETRIES,
    TELEGRAM_HTTP_CONNECT_TIMEOUT_S,
    TELEGRAM_HTTP_TIMEOUT_S,
    TELEGRAM_JPEG_QUALITIES,
    TELEGRAM_MEDIA_GROUP_MAX,
    TELEGRAM_MEDIA_GROUP_MIN,
    TELEGRAM_MESSAGE_MAX,
    TELEGRAM_PHOTO_MAX_BYTES,
    TELEGRAM_PHOTO_MAX_DIMENSION_SUM,
    TELEGRAM_PHOTO_MAX_RATIO,
    TELEGRAM_RETRY_AFTER_MAX_S,
    TELEGRAM_SEND_PROBE_SPAN,
    TELEGRAM_TRANSIENT_BACKOFF_S,
    TELEGRAM_TRANSIENT_RETRIES,
)
from worker.metrics import RETRIES
from worker.results import ResultStore, SentFiles, bot_key

log = logging.getLogger(__name__)

PHOTO_LIMITS = PhotoLimits(
    max_bytes=TELEGRAM_PHOTO_MAX_BYTES,
    max_dimension_sum=TELEGRAM_PHOTO_MAX_DIMENSION_SUM,
    max_ratio=TELEGRAM_PHOTO_MAX_RATIO,
)
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
NOT_MODIFIED = "message is not modified"
DONE_STATUS = "Done."


class TelegramAPIError(Exception):
    """A Bot API answer with ``ok: false`` (or a transport failure, code 0).

    ``maybe_applied``: the request may have reached Telegram and been carried out although no answer
    came back (a read timeout, a connection dropped mid-answer): sending it again could duplicate it.
    """

    def __init__(
        self,
        method: str,
        code: int,
        description: str,
        retry_after: float | None = None,
        *,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied

    @property
    def transient(self) -> bool:
        """A server error or a lost connection: worth trying again after a pause."""
        return self.code == 0 or self.code >= 500

    @property
    def bad_file_reference(self) -> bool:
        text = self.description.lower()
        return self.code == 400 and (
            "file identifier" in text or "file_id" in text or "file reference" in text
        )


def method_url(api_url: str, token: str, method: str) -> str:
    """Same rules as python-telegram-bot's ``base_url``: format ``{token}`` if present, else append it."""
    base = api_url.format(token=token) if "{token}" in api_url else f"{api_url}{token}"
    return f"{base}/{method}"


Upload = tuple[str, bytes, str]  # (file name, bytes, mime type) of a multipart part


class PaceWait(Exception):
    """Nothing was sent: the chat's pace (or Telegram's ``retry_after``) asks to wait ``seconds``."""

    def __init__(self, seconds: float, *, flood: bool = False) -> None:
        super().__init__(f"wait {seconds:.1f} s before sending to this chat")
        self.seconds = seconds
        self.flood = flood


class TelegramClient:
    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        http: httpx.Client | None = None,
        pacer: Pacer | None = None,
        defer: bool = False,
        flood_retries: int = TELEGRAM_FLOOD_RETRIES,
        max_retry_after: float = TELEGRAM_RETRY_AFTER_MAX_S,
        transient_retries: int = TELEGRAM_TRANSIENT_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.api_url = api_url
        self._own_http = http is None
        self.http = http or httpx.Client(
            verify=tls_context(),
            timeout=httpx.Timeout(TELEGRAM_HTTP_TIMEOUT_S, connect=TELEGRAM_HTTP_CONNECT_TIMEOUT_S)
        )
        self.pacer: Pacer = pacer if pacer is not None else LocalPacer(clock=clock)
        self.defer = defer
        self.flood_retries = flood_retries
        self.max_retry_after = max_retry_after
        self.transient_retries = transient_retries
        self.sleep = sleep
        self.clock = clock

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> TelegramClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the one request path

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Upload] | None = None,
        *,
        flood_retries: int | None = None,
    ) -> Any:
        """Call a Bot API method; returns ``result``.

        Sends wait for the chat's pace; a 429 holds the chat for its ``retry_after`` and is tried
        again up to ``flood_retries`` times. With ``defer``, a send that would wait raises
        :class:`PaceWait` instead (nothing was sent), however long the wait: the job that takes
        over waits for it. A 5xx answer or a connection that failed before anything was sent is
        tried again with backoff (``transient_retries`` times); a send that may have been carried
        out without an answer is not sent again here (the delivery checks what arrived first).
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        retries = self.flood_retries if flood_retries is None else flood_retries
        chat = str(params.get("chat_id"))
        sending = method in SEND_METHODS
        attempt = 0
        transient = 0
        while True:
            if sending:
                self._pace(chat)
            try:
                return self._request(method, params, files)
            except TelegramAPIError as err:
                if err.transient and err.code != 429:
                    if (sending and err.maybe_applied) or transient >= self.transient_retries:
                        raise
                    pause = TELEGRAM_TRANSIENT_BACKOFF_S * (2**transient)
                    transient += 1
                    RETRIES.labels("chat_api").inc()
                    log.warning("telegram %s failed (%s); trying again in %.1f s", method, err, pause)
                    self.sleep(pause)
                    continue
                if err.code != 429:
                    raise
                wait = err.retry_after if err.retry_after is not None else 1.0
                if wait > self.max_retry_after and not (sending and self.defer):
                    raise
                if "chat_id" in params:  # Telegram asked this chat to pause: every sender holds off
                    self.pacer.hold(chat, wait)
                if sending and self.defer:
                    log.info("telegram flood control on %s: handing on for %.1f s", method, wait)
                    raise PaceWait(wait, flood=True) from err
                if attempt >= retries:
                    raise
                attempt += 1
                log.info("telegram flood control on %s: waiting %.1f s", method, wait)
                if not sending:  # a send waits for the chat's hold in _pace
                    self.sleep(wait)

    def _pace(self, chat: str) -> None:
        while (wait := self.pacer.reserve(chat)) > 0:
            if self.defer:
                raise PaceWait(wait)
            self.sleep(wait)

    def _request(self, method: str, params: dict[str, Any], files: Mapping[str, Upload] | None) -> Any:
        url = method_url(self.api_url, self.token, method)
        try:
            if files:
                form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
                response = self.http.post(url, data=form, files=dict(files))
            else:
                response = self.http.post(url, json=params)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:  # nothing was sent
            raise TelegramAPIError(method, 0, f"transport error: {exc.__class__.__name__}") from exc
        except httpx.HTTPError as exc:  # sent, but no answer: it may have been carried out
            raise TelegramAPIError(
                method, 0, f"no answer: {exc.__class__.__name__}", maybe_applied=True
            ) from exc
        try:
            body = response.json()
        except ValueError:
            raise TelegramAPIError(method, response.status_code, response.text[:200]) from None
        if body.get("ok"):
            return body.get("result")
        parameters = body.get("parameters") or {}
        raise TelegramAPIError(
            method,
            int(body.get("error_code") or response.status_code),
            str(body.get("description") or ""),
            retry_after=parameters.get("retry_after"),
        )

    # ---- methods

    def send_message(self, chat_id: int | str, text: str, **extra: Any) -> dict:
        return self.call("sendMessage", {"chat_id": chat_id, "text": text[:TELEGRAM_MESSAGE_MAX], **extra})

    def edit_message_text(
        self,
        chat_id: int | str,
        message_id: int | str,
        text: str,
        *,
        flood_retries: int | None = None,
        **extra: Any,
    ) -> Any:
        params = {"chat_id": chat_id, "message_id": message_id, "text": text[:TELEGRAM_MESSAGE_MAX], **extra}
        return self.call("editMessageText", params, flood_retries=flood_retries)

    def delete_message(self, chat_id: int | str, message_id: int | str) -> bool:
        return bool(self.call("deleteMessage", {"chat_id": chat_id, "message_id": message_id}))

    def send_photo(self, chat_id: int | str, photo: str | Upload, **extra: Any) -> dict:
        return self._send_file("sendPhoto", "photo", chat_id, photo, extra)

    def send_document(self, chat_id: int | str, document: str | Upload, **extra: Any) -> dict:
        return self._send_file("sendDocument", "document", chat_id, document, extra)

    def send_media_group(
        self,
        chat_id: int | str,
        media: Sequence[dict],
        files: Mapping[str, Upload] | None = None,
        **extra: Any,
    ) -> list[dict]:
        """``media``: InputMedia dicts whose ``media`` is a file_id or ``attach://{name}`` of ``files``."""
        return list(self.call("sendMediaGroup", {"chat_id": chat_id, "media": list(media), **extra}, files))

    def _send_file(
        self, method: str, name: str, chat_id: int | str, value: str | Upload, extra: dict
    ) -> dict:
        params = {"chat_id": chat_id, **extra}
        if isinstance(value, str):
            return dict(self.call(method, {**params, name: value}))
        return dict(self.call(method, params, {name: value}))


# --------------------------------------------------------------------------- one job's delivery


@dataclass(frozen=True)
class OutFile:
    """A file to send: new bytes, or a file_id Telegram already holds."""

    data: bytes | None = None
    file_id: str | None = None
    filename: str = ""
    mime: str = "application/octet-stream"

    def upload(self) -> Upload:
        assert self.data is not None
        return (self.filename, self.data, self.mime)


@dataclass
class Sent:
    """What a delivery produced: message ids and the file_ids to reuse next time.

    ``photo_*`` are the slides' messages and file_ids, whatever they were sent as (photos, documents,
    or the one ZIP): the names stay, so a delivery recorded by an earlier worker still resumes.
    """

    photo_message_ids: list[int] = field(default_factory=list)
    photo_file_ids: list[str] = field(default_factory=list)
    document_message_id: int | None = None
    document_file_id: str | None = None
    groups: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "photo_message_ids": self.photo_message_ids,
            "document_message_id": self.document_message_id,
            "groups": self.groups,
        }

    def to_state(self) -> dict:
        """Everything sent so far, as JSON, to resume a delivery from the first unsent message."""
        return asdict(self)

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Sent:
        return cls(
            photo_message_ids=[int(m) for m in state.get("photo_message_ids") or []],
            photo_file_ids=[str(f) for f in state.get("photo_file_ids") or []],
            document_message_id=state.get("document_message_id"),
            document_file_id=state.get("document_file_id"),
            groups=[int(g) for g in state.get("groups") or []],
        )


def slide_files(slides: Sequence[bytes]) -> list[OutFile]:
    """Slides as photo uploads within Telegram's photo limits (re-encoded as JPEG only if needed)."""
    out = []
    for i, data in enumerate(slides, start=1):
        fitted = fit_photo(data, PHOTO_LIMITS, TELEGRAM_JPEG_QUALITIES)
        if fitted.reencoded:
            log.info("slide %d re-encoded as JPEG to fit Telegram photo limits", i)
        out.append(OutFile(data=fitted.data, filename=f"slide-{i:02d}.{fitted.extension}", mime=fitted.mime))
    return out


def original_files(slides: Sequence[bytes]) -> list[OutFile]:
    """Slides as documents: the files exactly as made (no recompression, no resizing)."""
    return [
        OutFile(data=data, filename=slide_filename(i, data), mime=image_kind(data)[0])
        for i, data in enumerate(slides, start=1)
    ]


PHOTO, DOCUMENT = "photo", "document"  # how the slides go: InputMedia types


def slide_items(carousel: Carousel, summary: ResultSummary) -> tuple[list[OutFile], str]:
    """The slides as the person chose to get them (``summary.delivery``), and their InputMedia type.

    album: photos within Telegram's photo limits; files: the original files as documents, in media
    groups of ≤ 10; zip: one ZIP document (the files instead when it is over the document limit).
    """
    if summary.delivery == "zip":
        archive = slides_zip(carousel.slides)
        if len(archive) <= TELEGRAM_DOCUMENT_MAX_BYTES:
            name = result_filename(summary, "zip")
            return [OutFile(data=archive, filename=name, mime="application/zip")], DOCUMENT
        log.info("the slides' ZIP is %d bytes, over the document limit; sending the files", len(archive))
        return original_files(carousel.slides), DOCUMENT
    if summary.delivery == "files":
        return original_files(carousel.slides), DOCUMENT
    return slide_files(carousel.slides), PHOTO


def pdf_file(pdf: bytes, summary: ResultSummary) -> OutFile:
    return OutFile(data=pdf, filename=result_filename(summary, "pdf"), mime="application/pdf")


RESEND_PICTURE = "/brand {what}"  # how a brand picture is sent again on Telegram


def result_keyboard(job_id: str, summary: ResultSummary) -> dict:
    """The controls under the PDF: re-render buttons, and "Next posts" when the cap left some out.

    They name the job the front-end submitted (``summary.controls_of`` on a later part)."""
    ref = summary.controls_of or job_id
    keyboard = telegram_rerender_keyboard(ref)
    following = summary.following
    if following is not None:
        keyboard["inline_keyboard"].append([telegram_next_button(ref, following)])
    return keyboard


def document_caption(summary: ResultSummary) -> str:
    """The PDF's caption; above it, what the slides had to go without (a brand picture to send again)."""
    pages = slide_word(summary.slide_count).replace("slide", "page")
    text = f"PDF · {pages}. Another theme, ratio or format? 📝 Caption writes the post to go with it."
    following = summary.following
    if following is not None:
        more = "post is" if len(following.numbers) == 1 else f"{len(following.numbers)} posts are"
        text += f" ➡️ The next {more} one tap away."
    notes = unusable_notes(summary.unusable, RESEND_PICTURE)
    if not notes:
        return text
    return ellipsize("\n".join(f"⚠️ {note}" for note in notes) + "\n\n" + text, TELEGRAM_CAPTION_MAX)


class TelegramDelivery:
    """Status, results and failures of one job, sent to its reply address."""

    platform = "telegram"

    def __init__(self, reply: ReplyAddress, client: TelegramClient, store: ResultStore | None = None) -> None:
        self.reply = reply
        self.client = client
        self.store = store
        self.bot = bot_key(client.api_url, client.token)
        self.status_message_id: int | str | None = reply.status_message_id
        self._status_text: str | None = None
        # told what was sent after every message (the job records it: a job run again resumes there)
        self.on_progress: Callable[[dict], None] | None = None

    def close(self) -> None:
        self.client.close()

    # ---- addressing

    def _where(self) -> dict[str, Any]:
        where: dict[str, Any] = {}
        if self.reply.thread_id:
            where["message_thread_id"] = self.reply.thread_id
        if self.reply.reply_to_message_id is not None:
            where["reply_parameters"] = {
                "message_id": self.reply.reply_to_message_id,
                "allow_sending_without_reply": True,
            }
        return where

    # ---- status message

    def status(self, text: str) -> None:
        """Show progress: edit the status message (post one first if there is none). Best effort."""
        if text == self._status_text:
            return
        try:
            if self.status_message_id is None:
                message = self.client.send_message(self.reply.chat_id, text, **self._where())
                self.status_message_id = message["message_id"]
            else:
                self.client.edit_message_text(
                    self.reply.chat_id,
                    self.status_message_id,
                    text,
                    flood_retries=0,  # progress is not worth waiting for; the next update will come
                )
            self._status_text = text
        except PaceWait as wait:  # a busy group: progress is not worth a message of its minute
            log.info("status not posted: the chat's pace asks to wait %.1f s", wait.seconds)
        except TelegramAPIError as err:
            if NOT_MODIFIED in err.description:
                self._status_text = text
            else:
                log.warning("status update failed: %s", err)

    def finish(self) -> None:
        """Remove the status message once the result is there (or mark it done if it can't go)."""
        if self.status_message_id is None:
            return
        try:
            self.client.delete_message(self.reply.chat_id, self.status_message_id)
            self.status_message_id = None
        except TelegramAPIError as err:
            log.info("status message not deleted (%s); marking it done", err)
            self.status(DONE_STATUS)

    def fail(self, sentence: str) -> None:
        """Tell the user one clear sentence: in place of the status message, else as a reply."""
        if self.status_message_id is not None:
            try:
                self.client.edit_message_text(self.reply.chat_id, self.status_message_id, sentence)
                self._status_text = sentence
                return
            except TelegramAPIError as err:
                if NOT_MODIFIED in err.description:
                    return
                log.warning("could not edit the status message with the failure: %s", err)
        # the job's last word: it waits for the chat's pace rather than be lost (a rare, single message)
        defer, self.client.defer = self.client.defer, False
        try:
            self.client.send_message(self.reply.chat_id, sentence, **self._where())
        finally:
            self.client.defer = defer

    # ---- results

    def deliver(
        self,
        carousel: Carousel,
        summary: ResultSummary,
        job_id: str,
        content_key: str | None,
        resume: Mapping[str, Any] | None = None,
        alt_texts: Sequence[str] | None = None,
    ) -> dict:
        """Upload the slides and the PDF; remember their file_ids for an identical request later.

        ``resume``: the state of a :class:`DeliveryDeferred` raised by an earlier call for the same
        result; what it records as sent is not sent again.
        """
        items, sent_as = slide_items(carousel, summary)
        sent = self.send_result(
            items,
            pdf_file(carousel.pdf, summary),
            summary,
            result_keyboard(job_id, summary),
            sent=self._resume(resume),
            sent_as=sent_as,
        )
        if self.store is not None and content_key and sent.document_file_id and all(sent.photo_file_ids):
            self.store.save_sent_files(
                self.bot,
                content_key,
                SentFiles(
                    photos=sent.photo_file_ids,
                    sent_as=sent_as,
                    slides=carousel.slide_count,
                    document=sent.document_file_id,
                    title=summary.title,
                    author_name=summary.author_name,
                    author_handle=summary.author_handle,
                    image_format=carousel.image_format,
                    posts_shown=summary.posts_shown,
                    posts_total=summary.posts_total,
                    alts=list(summary.alts),
                    alt_texts=list(alt_texts or ()),
                    source_url=summary.source_url,
                    kind=summary.kind,
                    post_numbers=list(summary.post_numbers),
                    next_offset=summary.next_offset,
                    next_numbers=list(summary.next_numbers),
                ),
            )
        return {**sent.as_dict(), "reused_file_ids": False}

    def deliver_cached(
        self,
        content_key: str,
        job_id: str,
        resume: Mapping[str, Any] | None = None,
        changed: tuple[tuple[str, str], ...] = (),
    ) -> dict | None:
        """Send an identical earlier result again by file_id (no rendering, no upload); None if unknown."""
        if self.store is None:
            return None
        files = self.store.sent_files(self.bot, content_key)
        if files is None:
            return None
        summary = ResultSummary(
            files.title,
            files.author_name,
            files.author_handle,
            files.slide_count,
            posts_shown=files.posts_shown,
            posts_total=files.posts_total,
            alts=tuple(files.alts),
            source_url=files.source_url,
            kind=files.kind,
            changed=changed,
            post_numbers=tuple(files.post_numbers),
            next_offset=files.next_offset,
            next_numbers=tuple(files.next_numbers),
        )
        try:
            sent = self.send_result(
                [OutFile(file_id=f) for f in files.photos],
                OutFile(file_id=files.document),
                summary,
                result_keyboard(job_id, summary),
                sent=self._resume(resume),
                sent_as=files.sent_as,
            )
        except TelegramAPIError as err:
            if not err.bad_file_reference:
                raise
            log.info("stored file_ids were refused (%s); rendering again", err)
            self.store.forget_sent_files(self.bot, content_key)
            return None
        return {
            **sent.as_dict(),
            "reused_file_ids": True,
            "slides": files.slide_count,
            "title": files.title,
            "alt_texts": files.alt_texts,
        }

    def post_text(self, messages: Sequence[str]) -> None:
        """The "📝 Caption" texts, in order, as replies to the result, without link previews."""
        defer, self.client.defer = self.client.defer, False  # a few messages someone asked for: they wait
        try:
            for text in messages:
                self.client.send_message(
                    self.reply.chat_id, text, link_preview_options={"is_disabled": True}, **self._where()
                )
        finally:
            self.client.defer = defer

    def _resume(self, state: Mapping[str, Any] | None) -> Sent | None:
        if not state:
            return None
        if state.get("status_message_id") is not None:
            self.status_message_id = state["status_message_id"]
        return Sent.from_state(state.get("sent") or {})

    def send_result(
        self,
        photos: Sequence[OutFile],
        document: OutFile,
        summary: ResultSummary,
        keyboard: dict | None,
        *,
        sent: Sent | None = None,
        sent_as: str = PHOTO,
    ) -> Sent:
        """The slides in balanced groups of ≤ 10 (caption on the first), then the PDF with buttons.

        ``sent_as``: the slides' InputMedia type, "photo" (an album) or "document" (files, one ZIP).

        ``sent``: what an earlier, deferred call already sent; those messages are skipped. When the
        client defers a send (the chat's pace), :class:`DeliveryDeferred` carries what was sent.
        """
        sent = sent or Sent()
        try:
            return self._send_result(photos, document, summary, keyboard, sent, sent_as)
        except PaceWait as wait:
            state = {"sent": sent.to_state(), "status_message_id": self.status_message_id}
            raise DeliveryDeferred(wait.seconds, state) from wait

    def _send_result(
        self,
        photos: Sequence[OutFile],
        document: OutFile,
        summary: ResultSummary,
        keyboard: dict | None,
        sent: Sent,
        sent_as: str = PHOTO,
    ) -> Sent:
        caption = caption_text(summary, TELEGRAM_CAPTION_MAX)
        send_one = self.client.send_photo if sent_as == PHOTO else self.client.send_document
        sizes = split_groups(len(photos), TELEGRAM_MEDIA_GROUP_MAX, TELEGRAM_MEDIA_GROUP_MIN)
        done = len(sent.groups)
        if sent.groups != sizes[:done]:
            raise ValueError(f"resumed delivery sent groups {sent.groups}, expected a prefix of {sizes}")
        start = sum(sent.groups)
        for size in sizes[done:]:
            group = photos[start : start + size]
            first = start == 0
            start += size
            captions = [caption if first and i == 0 else "" for i in range(size)]
            if size == 1:
                extra: dict[str, Any] = {**self._where()}
                if first:
                    extra["caption"] = caption
                item = group[0]
                one = functools.partial(send_one, self.reply.chat_id, item.file_id or item.upload(), **extra)
                messages = self._once(_as_list(one), captions, sent)
            else:
                media, files = [], {}
                for index, item in enumerate(group):
                    entry: dict[str, Any] = {"type": sent_as}
                    if item.file_id:
                        entry["media"] = item.file_id
                    else:
                        part = f"photo{len(sent.photo_file_ids) + index + 1}"
                        files[part] = item.upload()
                        entry["media"] = f"attach://{part}"
                    if first and index == 0:
                        entry["caption"] = caption
                    media.append(entry)
                messages = self._once(
                    functools.partial(
                        self.client.send_media_group, self.reply.chat_id, media, files, **self._where()
                    ),
                    captions,
                    sent,
                )
            sent.groups.append(size)
            for message in messages:
                sent.photo_message_ids.append(int(message["message_id"]))
                file_id = _largest_photo(message) if sent_as == PHOTO else _document_id(message)
                sent.photo_file_ids.append(file_id)
            self._progress(sent)
        if sent.document_message_id is not None:
            return sent
        doc_extra: dict[str, Any] = {**self._where(), "caption": document_caption(summary)}
        if keyboard is not None:
            doc_extra["reply_markup"] = keyboard
        payload = document.file_id or document.upload()
        [message] = self._once(
            _as_list(functools.partial(self.client.send_document, self.reply.chat_id, payload, **doc_extra)),
            [doc_extra["caption"]],
            sent,
            keyboard=keyboard,
        )
        sent.document_message_id = int(message["message_id"])
        sent.document_file_id = _document_id(message) or None
        self._progress(sent)
        return sent

    def _progress(self, sent: Sent) -> None:
        if self.on_progress is not None:
            self.on_progress({"sent": sent.to_state(), "status_message_id": self.status_message_id})


    # ---- a send without an answer

    def _once(
        self,
        send: Callable[[], list[dict]],
        captions: Sequence[str],
        sent: Sent,
        *,
        keyboard: dict | None = None,
    ) -> list[dict]:
        """``send()``; when it got no answer, what it made if it was carried out, else ``send()`` again.

        Never both: the messages after the last one this delivery knows are checked first.
        """
        try:
            return send()
        except TelegramAPIError as err:
            if not err.maybe_applied:
                raise
            found = self._arrived(captions, sent, keyboard)
            if found is not None:
                arrived = [m["message_id"] for m in found]
                log.warning("%s got no answer but arrived (messages %s)", err.method, arrived)
                return found
            log.warning("%s got no answer and did not arrive; sending it again", err.method)
            return send()

    def _arrived(self, captions: Sequence[str], sent: Sent, keyboard: dict | None) -> list[dict] | None:
        """The messages a send without an answer made, or None if it made none.

        The ids after the last message this delivery knows are checked by setting each one's caption
        to what was sent with it: an answer (or Telegram's "message is not modified") means that
        message is ours and as sent; a message that is not ours, or none, refuses the edit.
        """
        known: list[int | str | None] = [sent.document_message_id, *sent.photo_message_ids]
        known += [self.status_message_id, self.reply.reply_to_message_id]
        ids = [int(k) for k in known if isinstance(k, int) or (isinstance(k, str) and k.isdigit())]
        if not ids:
            return None
        found: list[dict] = []
        for message_id in range(max(ids) + 1, max(ids) + 1 + TELEGRAM_SEND_PROBE_SPAN):
            params: dict[str, Any] = {
                "chat_id": self.reply.chat_id,
                "message_id": message_id,
                "caption": captions[len(found)],
            }
            if keyboard is not None:
                params["reply_markup"] = keyboard
            try:
                answer = self.client.call("editMessageCaption", params, flood_retries=1)
                found.append(answer if isinstance(answer, dict) else {"message_id": message_id})
            except TelegramAPIError as err:
                if NOT_MODIFIED not in err.description:
                    if found:
                        break  # the messages of one send are consecutive
                    continue
                found.append({"message_id": message_id})
            if len(found) == len(captions):
                break
        return found or None


def _as_list(send: Callable[[], dict]) -> Callable[[], list[dict]]:
    return lambda: [send()]


def _document_id(message: Mapping[str, Any]) -> str:
    return str((message.get("document") or {}).get("file_id") or "")


def _largest_photo(message: Mapping[str, Any]) -> str:
    sizes = message.get("photo") or []
    if not sizes:
        return ""
    best = max(sizes, key=lambda s: (s.get("width", 0) * s.get("height", 0), s.get("file_size", 0)))
    return str(best.get("file_id") or "")
