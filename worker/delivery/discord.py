"""Results back to Discord over its HTTP API (no gateway, no discord.py in the worker).

While the interaction token lives (15 minutes from the slash command), everything goes through the
interaction's webhook: progress edits the deferred original response
(``PATCH /webhooks/{app}/{token}/messages/@original``) and the album arrives as follow-ups
(``POST /webhooks/{app}/{token}?wait=true``). When the token is absent, nearly expired or refused,
the bot token posts to the channel instead (``POST /channels/{id}/messages``).

The message carrying the PDF also carries three select menus (theme, ratio, format) whose
``custom_id`` is ``rr:{job_ref}:{field}``, the same job reference the Telegram buttons use; the Discord
front-end answers them with a re-render of the saved thread.

Once the token is gone, the bot token edits the original response (a non-ephemeral interaction
response is an ordinary message of the bot's) with progress and, at the end, a link to the result,
and the result posted in the channel names the person who asked.

A message holds at most 10 files, each within the interaction's ``attachment_size_limit`` (10 MiB
unless the server is boosted), so the slides are split into batches in order, and the PDF is the last
attachment of the last message. A slide above the limit is re-encoded as JPEG, then made smaller;
slides that still do not fit leave the PDF alone, a PDF that does not fit leaves the slides alone, and
when neither fits the user reads one sentence. A worker-side error is told privately: an ephemeral
follow-up, and the public "Queued…" response deleted. 429 answers are waited out (their
``retry_after``) while the interaction token and the job have time left; anything that still fails
becomes a :class:`DeliveryError`. The HTTP itself (retries, rate limits, token refusals) is
:class:`~worker.delivery.discord_rest.DiscordREST`.
"""

from __future__ import annotations

import io
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from contract import ReplyAddress, redact
from contract.choices import choices
from contract.next_posts import next_posts_data
from contract.rerender import (
    CAPTION_EMOJI,
    RERENDER_FIELDS,
    RERENDER_PLACEHOLDERS,
    caption_data,
    rerender_custom_id,
)
from worker.config import Settings
from worker.delivery.common import (
    ResultSummary,
    changed_line,
    credit_line,
    result_filename,
    slides_zip,
    unusable_notes,
)
from worker.delivery.discord_rest import DeliveryError, DiscordREST, TokenGone, Upload
from worker.limits import (
    DISCORD_ALT_TEXT_MAX,
    DISCORD_FILES_PER_MESSAGE,
    DISCORD_FOLLOWUP_WINDOW_S,
    DISCORD_JOB_MARGIN_S,
    DISCORD_MESSAGE_MAX,
    DISCORD_REQUEST_MAX_BYTES,
    DISCORD_RETRY_AFTER_MAX_S,
    DISCORD_SELECT_OPTIONS_MAX,
    DISCORD_SLIDE_SCALES,
    DISCORD_TOKEN_MARGIN_S,
    DISCORD_UPLOAD_MAX_BYTES,
)

if TYPE_CHECKING:
    from rendering.api import Carousel

log = logging.getLogger(__name__)

ORIGINAL = "@original"
PDF_NAME = "carousel.pdf"  # when no title is known
JPEG_FALLBACK_QUALITIES = (90, 80, 70, 60)  # tried in turn for a slide above the upload limit
NO_MENTIONS: dict[str, Any] = {"parse": []}  # a thread title must never ping @everyone
EPHEMERAL = 1 << 6  # message flag: only the person who asked sees it
JUMP_URL = "https://discord.com/channels/{guild}/{channel}/{message}"

MIME = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf", "zip": "application/zip"}
EXT = {"png": "png", "jpeg": "jpg"}


DONE = "✅ Done."
RESEND_PICTURE = "the {what} option of /brand"  # how a brand picture is attached again on Discord
PDF_TOO_LARGE = (
    "The PDF ({size}) is larger than the {limit} per file this channel accepts, so only the slides were sent."
)
SLIDES_TOO_LARGE = (
    "The slides are larger than the {limit} per file this channel accepts, even as smaller JPEGs, "
    "so only the PDF was sent."
)
ALL_TOO_LARGE = (
    "This carousel is larger than the {limit} per file this channel accepts, even with smaller slides, "
    "so I couldn't send it; try fewer posts with max_posts."
)
SCALED_NOTE = " (made smaller to fit this channel's {limit} upload limit)"
RATE_LIMITED = "Discord is rate-limiting me right now, so please try again in a minute."
RATE_WAIT = "⏳ Discord asked me to wait {seconds} s before posting, so your carousel comes right after."


ACTION_ROW, BUTTON, STRING_SELECT = 1, 2, 3  # Discord component types
SECONDARY = 2  # a grey button
CAPTION_LABEL = "Caption"
PRIMARY = 1  # button style


def rerender_components(job_id: str) -> list[dict[str, Any]]:
    """One action row per field, each a select menu of that field's choices (message components JSON)."""
    rows = []
    for field in RERENDER_FIELDS:
        options = [
            {"label": label, "value": value} for value, label in choices(field)[:DISCORD_SELECT_OPTIONS_MAX]
        ]
        select = {
            "type": STRING_SELECT,
            "custom_id": rerender_custom_id(job_id, field),
            "placeholder": RERENDER_PLACEHOLDERS[field],
            "min_values": 1,
            "max_values": 1,
            "options": options,
        }
        rows.append({"type": ACTION_ROW, "components": [select]})
    caption = {
        "type": BUTTON,
        "style": SECONDARY,
        "label": CAPTION_LABEL,
        "emoji": {"name": CAPTION_EMOJI},
        "custom_id": caption_data(job_id),
    }
    rows.append({"type": ACTION_ROW, "components": [caption]})
    return rows


def credit_lines(summary: ResultSummary) -> list[str]:
    """Under the result's first line: who made it and where it is (no link preview), and what a
    re-render changed. A plain "by Ada" stays on the first line (see :func:`result_line`)."""
    credit = ""
    if summary.source_url or summary.kind:
        credit = credit_line(summary, DISCORD_MESSAGE_MAX // 2, link=lambda url: f"<{url}>")
    return [line for line in (credit, changed_line(summary)) if line]


def result_components(job_id: str, summary: ResultSummary) -> list[dict[str, Any]]:
    """The re-render menus and the caption button, and a "Next posts" button beside it when the cap
    left posts out (a later part's controls name part 1's job, the one the front-end knows)."""
    ref = summary.controls_of or job_id
    rows = rerender_components(ref)
    following = summary.following
    if following is not None:
        button = {
            "type": BUTTON,
            "style": PRIMARY,
            "label": following.label,
            "custom_id": next_posts_data(ref, following),
        }
        rows[-1]["components"].append(button)  # beside the caption button
    return rows


def _slide_alt(carousel: Carousel, index: int, title: str, total: int) -> str:
    """A slide's alt text: what its picture shows when it has one, else where it sits in the deck."""
    alts = getattr(carousel, "alts", ())
    shown = alts[index - 1].strip() if index - 1 < len(alts) else ""
    place = f"{title}: slide {index} of {total}"
    return f"{place}. {shown}" if shown else place


def discord_filename(index: int, image_format: str) -> str:
    return f"slide-{index:02d}.{EXT.get(image_format, image_format)}"


class SlideTooLarge(Exception):
    """No JPEG of a slide, down to the smallest scale, fits the per-file limit."""


def human_size(size: int) -> str:
    """10485760 → "10 MB", 52428800 → "50 MB", 40960 → "40 KB"."""
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes >= 10 or megabytes.is_integer() else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def fit_slide(
    data: bytes, image_format: str, limit: int = DISCORD_UPLOAD_MAX_BYTES
) -> tuple[bytes, str, bool]:
    """The slide as it can be uploaded, and whether it was made smaller: as is when within ``limit``,
    else a JPEG at falling quality, else a JPEG at smaller scales; :class:`SlideTooLarge` when none fits."""
    if len(data) <= limit:
        return data, image_format, False
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
    for scale in (1.0, *DISCORD_SLIDE_SCALES):
        sized = (
            rgb
            if scale == 1.0
            else rgb.resize(
                (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
                Image.Resampling.LANCZOS,
            )
        )
        for quality in JPEG_FALLBACK_QUALITIES:
            out = io.BytesIO()
            sized.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= limit:
                return out.getvalue(), "jpeg", scale != 1.0
    raise SlideTooLarge(f"a slide of {len(data)} bytes fits no JPEG within {limit} bytes")


def plan_messages(
    uploads: Sequence[Upload],
    *,
    files_per_message: int = DISCORD_FILES_PER_MESSAGE,
    request_max_bytes: int = DISCORD_REQUEST_MAX_BYTES,
) -> list[list[Upload]]:
    """Split uploads into messages, in order: at most N files and M bytes per message."""
    batches: list[list[Upload]] = []
    current: list[Upload] = []
    size = 0
    for upload in uploads:
        if current and (len(current) >= files_per_message or size + len(upload.data) > request_max_bytes):
            batches.append(current)
            current, size = [], 0
        current.append(upload)
        size += len(upload.data)
    if current:
        batches.append(current)
    return batches


def result_line(
    title: str,
    author: str | None,
    slides: int,
    *,
    part: int = 1,
    parts: int = 1,
    posts: str | None = None,
    with_pdf: bool = True,
    with_slides: bool = True,
) -> str:
    """The text of a result message: "**Title** by Ada (@ada) · 12 slides + PDF · first 20 of 24 posts".

    It names what the message brings: "12 slides" when the PDF stayed back, "PDF" when the slides did."""
    who = f" by {author}" if author else ""
    count = f"{slides} slide{'s' if slides != 1 else ''}"
    what = (f"{count} + PDF" if with_pdf else count) if with_slides else "PDF"
    text = f"**{title}**{who} · {what}"
    if posts:
        text += f" · {posts}"
    if parts > 1:
        text += f" ({part}/{parts})"
    return _clip(text)


def posts_note(summary: ResultSummary) -> str | None:
    """Says "first 20 of 24 posts" (or "posts 21–24 of 24") when not every post of the thread is shown."""
    return summary.shown_posts().removeprefix(" · ") or None


def done_line(slides: int, *, with_pdf: bool = True, with_slides: bool = True, note: str = "") -> str:
    """The status once the result is posted: "✅ Done: 12 slides and the PDF below."."""
    noun = "slide" if slides == 1 else "slides"
    what = f"{slides} {noun}{note}{' and the PDF' if with_pdf else ''}" if with_slides else "the PDF"
    return f"✅ Done: {what} below."


def author_label(summary: ResultSummary) -> str | None:
    name, handle = summary.author_name.strip(), summary.author_handle.strip().lstrip("@")
    if name and handle:
        return f"{name} (@{handle})"
    return name or (f"@{handle}" if handle else None)


def _clip(text: str, limit: int = DISCORD_MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _job_deadline(clock: Callable[[], float]) -> float | None:
    """When the current RQ job is stopped (its start + its timeout), less a margin; None outside RQ."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - rq is a dependency
        return None
    job = get_current_job()
    if job is None or not job.started_at or not job.timeout or job.timeout < 0:
        return None
    return _as_utc(job.started_at).timestamp() + float(job.timeout) - DISCORD_JOB_MARGIN_S


def _job_enqueued_at() -> datetime | None:
    """When the current RQ job was enqueued: moments after the slash command was deferred."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - rq is a dependency
        return None
    job = get_current_job()
    return _as_utc(job.enqueued_at) if job is not None and job.enqueued_at else None


class DiscordDelivery:
    """Progress, result and failure of one job, posted to the reply address on Discord.

    ``issued_at`` is when the interaction was created (its token lives 15 minutes from then); by
    default the current RQ job's enqueue time, or now. ``deadline`` (Unix seconds) is when the job
    must be done; by default the current RQ job's timeout. ``client`` is closed by :meth:`close` only
    when this object created it.
    """

    def __init__(
        self,
        reply: ReplyAddress,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        issued_at: datetime | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if reply.platform != "discord":
            raise ValueError(f"not a Discord reply address: {reply.platform}")
        self.reply = reply
        redact.install([settings.discord_bot_token])  # no log line carries the bot token...
        redact.remember(reply.interaction_token)  # ...or the interaction's (webhook URLs are logged)
        self.rest = DiscordREST(
            settings.discord_api_url, settings.discord_bot_token, client=client, sleep=sleep
        )
        self._clock = clock
        moment = issued_at or _job_enqueued_at()
        self.issued_at = _as_utc(moment).timestamp() if moment else clock()
        self.deadline = deadline if deadline is not None else _job_deadline(clock)
        self.upload_limit = reply.attachment_size_limit or DISCORD_UPLOAD_MAX_BYTES
        self._token_refused = False
        # the original response, edited with the bot token once the interaction token is gone
        self._original_editable = bool(reply.response_message_id)
        self._status_id: str | None = None  # channel mode: the status message we post and edit
        self._last_progress: str | None = None
        self._done_text = DONE
        self._result_link: str | None = None  # channel mode: the first message of the result
        # told what was sent after every message (the job records it: a job run again resumes there)
        self.on_progress: Callable[[dict], None] | None = None

    # --- the interface the job uses ----------------------------------------------------------

    def progress(self, text: str) -> None:
        """Show progress in the status message (a repeat of the last text is skipped).

        Pacing is the caller's: the job sends stage changes and a few render counts, not every slide.
        """
        if text == self._last_progress:
            return
        self._last_progress = text
        try:
            self._set_status(text)
        except DeliveryError:
            log.warning("could not update the Discord status message", exc_info=True)

    def send_carousel(
        self,
        carousel: Carousel,
        *,
        author: str | None = None,
        title: str | None = None,
        pdf_name: str = PDF_NAME,
        components: list[dict[str, Any]] | None = None,
        posts: str | None = None,
        notes: Sequence[str] = (),
        credit: Sequence[str] = (),
        delivery: str = "album",
        sent_before: int = 0,
    ) -> list[dict[str, Any]]:
        """Post the slides (≤ 10 per message, in order) and the PDF as the last attachment.

        Every file is kept within the interaction's upload limit (JPEG, then smaller; else the PDF
        alone, or the slides alone; else one sentence). ``components`` (message components JSON) go
        on the last message; ``credit`` lines (who made it, the source link, what a re-render changed)
        and ``notes`` (what the slides went without) under the first message's line. ``delivery``
        "zip" sends one ZIP of the slides in their place (the slides themselves when the ZIP is over
        the limit); "files" is the album: on Discord every slide already arrives as its own file.
        ``sent_before``: messages an earlier run of the same job posted (its worker died): not again.
        Returns the Message objects Discord answered with.
        """
        title = title or carousel.title
        limit = self.upload_limit
        total = len(carousel.slides)
        slides: list[Upload] = []
        scaled = False
        archive = slides_zip(carousel.slides) if delivery == "zip" else None
        if archive is not None and len(archive) <= limit:  # one file in place of the slides
            zip_name = pdf_name.removesuffix(".pdf") + ".zip"
            about = _clip(f"{title}: {total} slides", DISCORD_ALT_TEXT_MAX)
            slides.append(Upload(zip_name, archive, MIME["zip"], about))
        try:
            for i, data in enumerate(carousel.slides if not slides else (), start=1):
                body, fmt, smaller = fit_slide(data, carousel.image_format, limit)
                scaled = scaled or smaller
                slides.append(
                    Upload(
                        filename=discord_filename(i, fmt),
                        data=body,
                        content_type=MIME.get(fmt, "application/octet-stream"),
                        description=_clip(_slide_alt(carousel, i, title, total), DISCORD_ALT_TEXT_MAX),
                    )
                )
        except SlideTooLarge:
            log.info("slides above the %d-byte upload limit even as small JPEGs: the PDF goes alone", limit)
            slides = []
        pdf_fits = len(carousel.pdf) <= limit
        if not slides and not pdf_fits:
            raise DeliveryError(ALL_TOO_LARGE.format(limit=human_size(limit)))
        uploads = list(slides)
        if pdf_fits:
            uploads.append(Upload(pdf_name, carousel.pdf, MIME["pdf"], _clip(title, DISCORD_ALT_TEXT_MAX)))
        batches = plan_messages(uploads, request_max_bytes=max(DISCORD_REQUEST_MAX_BYTES, limit))
        messages = []
        for part, batch in enumerate(batches, start=1):
            if part <= sent_before:
                continue
            content = result_line(
                title,
                author,
                total,
                part=part,
                parts=len(batches),
                posts=posts,
                with_pdf=pdf_fits,
                with_slides=bool(slides),
            )
            if part == 1 and (credit or notes):
                content = _clip("\n".join([content, *credit, *(f"⚠️ {note}" for note in notes)]))
            last = part == len(batches)
            messages.append(
                self._post_files(content, batch, first=part == 1, components=components if last else None)
            )
            if self.on_progress is not None:
                self.on_progress({"messages": part, "result_link": self._result_link})
        if not pdf_fits:
            size = human_size(len(carousel.pdf))
            self._post_text(PDF_TOO_LARGE.format(size=size, limit=human_size(limit)))
        if not slides:
            self._post_text(SLIDES_TOO_LARGE.format(limit=human_size(limit)))
        note = SCALED_NOTE.format(limit=human_size(limit)) if scaled else ""
        self._done_text = done_line(total, with_pdf=pdf_fits, with_slides=bool(slides), note=note)
        return messages

    def send_error(self, sentence: str) -> None:
        """Tell the person who asked what went wrong, privately while the interaction token lives.

        The sentence goes as an ephemeral follow-up and the public status ("⏳ Queued…") is deleted;
        without the token, the status message says it, naming the person.
        """
        text = _clip(sentence)
        if self._use_token():
            body = {"content": text, "flags": EPHEMERAL, "allowed_mentions": NO_MENTIONS}
            try:
                self.rest.request(
                    "POST", self._webhook, params={"wait": "true"}, json=body, wait_budget=self._token_budget
                )
            except TokenGone:
                self._token_gone()
            except DeliveryError:
                log.warning("could not send the error privately; showing it in the status", exc_info=True)
            else:
                self._delete_original()
                return
        try:
            self._set_status(self._naming(text), final=True, mention=True)
        except DeliveryError:
            log.warning("could not edit the status message with the error; posting it", exc_info=True)
            self._post_text(self._naming(text), mention=True)

    def finish(self, text: str | None = None) -> None:
        """Finalise the status: edit it to ``text`` (by default: done, and where the result is).

        The deferred interaction response cannot be removed without losing who asked, so it is
        edited (with the bot token once the interaction token is gone); a status message the worker
        posted in the channel is deleted.
        """
        try:
            if self._use_token():
                self._set_status(text or self._done_text, final=True)
            elif self._original_editable:
                self._set_status(text or self._linked(self._done_text), final=True)
            elif self._status_id is not None:
                self.rest.request(
                    "DELETE", f"/channels/{self.reply.chat_id}/messages/{self._status_id}", bot=True
                )
                self._status_id = None
        except DeliveryError:
            log.warning("could not finalise the Discord status message", exc_info=True)

    # --- the delivery protocol the job body speaks (worker.delivery.Delivery) ----------------

    def status(self, text: str) -> None:
        self.progress(text)

    def fail(self, sentence: str) -> None:
        self.send_error(sentence)

    def deliver(
        self,
        carousel: Carousel,
        summary: ResultSummary,
        job_id: str,
        content_key: str | None,
        resume: Mapping[str, Any] | None = None,
        alt_texts: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """All messages in one go (Discord's per-route limits take a carousel's few messages at once);
        ``resume``: what an earlier run of this job recorded as posted, continued after."""
        sent_before = int((resume or {}).get("messages") or 0)
        if sent_before:
            self._result_link = (resume or {}).get("result_link") or self._result_link
            log.warning("continuing a delivery after the %d message(s) an earlier run posted", sent_before)
        credit = credit_lines(summary)
        credited = bool(credit) and (summary.source_url or summary.kind)
        messages = self.send_carousel(
            carousel,
            author=None if credited else author_label(summary),  # else the credit line names the author
            title=summary.title or None,
            pdf_name=result_filename(summary, "pdf"),
            components=result_components(job_id, summary),
            posts=posts_note(summary),
            notes=unusable_notes(summary.unusable, RESEND_PICTURE),
            credit=credit,
            delivery=summary.delivery,
            sent_before=sent_before,
        )
        return {"message_ids": [m.get("id") for m in messages if m], "reused_file_ids": False}

    def deliver_cached(
        self,
        content_key: str,
        job_id: str,
        resume: Mapping[str, Any] | None = None,
        changed: tuple[tuple[str, str], ...] = (),
    ) -> dict[str, Any] | None:
        return None  # Discord has no reusable file ids: every result is uploaded

    def post_text(self, messages: Sequence[str]) -> None:
        """The "📝 Caption" texts for the person who pressed: their deferred ephemeral response
        shows the first, ephemeral follow-ups the rest (only they see them)."""
        if not self._use_token():
            raise DeliveryError("The interaction that asked for the post text has expired.")
        for index, text in enumerate(messages):
            body: dict[str, Any] = {"content": _clip(text), "allowed_mentions": NO_MENTIONS}
            if index == 0:
                self.rest.request("PATCH", f"{self._webhook}/messages/{ORIGINAL}", json=body)
            else:
                body["flags"] = EPHEMERAL
                self.rest.request("POST", self._webhook, params={"wait": "true"}, json=body)

    def close(self) -> None:
        self.rest.close()

    def __enter__(self) -> DiscordDelivery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- routes ------------------------------------------------------------------------------

    def _token_left(self) -> float:
        """Seconds the interaction token may still be used."""
        return self.issued_at + DISCORD_FOLLOWUP_WINDOW_S - DISCORD_TOKEN_MARGIN_S - self._clock()

    def _token_budget(self) -> float:
        """How long a 429 on the interaction webhook may be waited out: the token's and job's time left."""
        left = self._token_left()
        if self.deadline is not None:
            left = min(left, self.deadline - self._clock())
        return max(0.0, left)

    def _bot_budget(self) -> float:
        left = DISCORD_RETRY_AFTER_MAX_S
        if self.deadline is not None:
            left = min(left, self.deadline - self._clock())
        return max(0.0, left)

    def _use_token(self) -> bool:
        if self._token_refused or not self.reply.interaction_token or not self.reply.application_id:
            return False
        return self._token_left() > 0

    def _token_gone(self) -> None:
        self._token_refused = True
        log.info("interaction token refused; using the channel")

    @property
    def _webhook(self) -> str:
        return f"/webhooks/{self.reply.application_id}/{self.reply.interaction_token}"

    @property
    def _channel(self) -> str:
        return f"/channels/{self.reply.chat_id}/messages"

    def _bot(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.rest.request(method, path, bot=True, wait_budget=self._bot_budget, **kwargs)

    def _mentions(self, mention: bool) -> dict[str, Any]:
        user = self.reply.user_id
        return {"parse": [], "users": [str(user)]} if mention and user else NO_MENTIONS

    def _naming(self, text: str) -> str:
        """``text`` addressed to the person who asked (channel posts, where anyone reads them)."""
        return f"<@{self.reply.user_id}> {text}" if self.reply.user_id else text

    def _linked(self, done: str) -> str:
        if self._result_link is None or not done.endswith(" below."):
            return done
        return done.removesuffix(" below.") + f", posted here: {self._result_link}"

    def _delete_original(self) -> None:
        try:
            self.rest.request(
                "DELETE", f"{self._webhook}/messages/{ORIGINAL}", wait_budget=self._token_budget
            )
        except (TokenGone, DeliveryError):
            log.warning("could not delete the public status message", exc_info=True)

    def _set_status(self, text: str, *, final: bool = False, mention: bool = False) -> None:
        body = {"content": _clip(text), "allowed_mentions": self._mentions(mention)}
        if self._use_token():
            try:
                self.rest.request(
                    "PATCH", f"{self._webhook}/messages/{ORIGINAL}", json=body, wait_budget=self._token_budget
                )
                return
            except TokenGone:
                self._token_gone()
        if self._original_editable and self._status_id is None:
            try:  # the original response is the bot's own message: the bot token edits it
                self._bot("PATCH", f"{self._channel}/{self.reply.response_message_id}", json=body)
                return
            except DeliveryError:
                self._original_editable = False
                log.info("the original response can't be edited with the bot token; posting a status")
        existing = self._status_id or self._channel_status_id()
        if existing is not None:
            self._bot("PATCH", f"{self._channel}/{existing}", json=body)
            self._status_id = existing
        elif not final:
            message = self._bot("POST", self._channel, json=self._with_reference(body))
            self._status_id = str(message["id"])
        else:
            self._bot("POST", self._channel, json=self._with_reference(body))

    def _tell_wait(self, seconds: float) -> None:
        """A long rate-limit wait before the result is posted: the status says so instead of "Sending…"."""
        try:
            self._set_status(RATE_WAIT.format(seconds=math.ceil(seconds)))
        except (TokenGone, DeliveryError):
            log.info("could not show the rate-limit wait in the status", exc_info=True)

    def _channel_status_id(self) -> str | None:
        mid = self.reply.status_message_id
        return None if mid is None or str(mid) == ORIGINAL else str(mid)

    def _with_reference(self, body: dict[str, Any]) -> dict[str, Any]:
        """A channel post answers the message the carousel was made from, or the original response."""
        target = self.reply.reply_to_message_id
        if target is None and self._original_editable:
            target = self.reply.response_message_id
        if target is None:
            return body
        reference = {"message_id": str(target), "fail_if_not_exists": False}
        return {**body, "message_reference": reference}

    def _post_text(self, text: str, *, mention: bool = False) -> None:
        body = {"content": _clip(text), "allowed_mentions": self._mentions(mention)}
        if self._use_token():
            try:
                self.rest.request(
                    "POST", self._webhook, params={"wait": "true"}, json=body, wait_budget=self._token_budget
                )
                return
            except TokenGone:
                self._token_gone()
        self._bot("POST", self._channel, json=body)

    def _post_files(
        self,
        content: str,
        batch: Sequence[Upload],
        *,
        first: bool,
        components: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "content": content,
            "allowed_mentions": NO_MENTIONS,
            "attachments": [
                {"id": i, "filename": u.filename, **({"description": u.description} if u.description else {})}
                for i, u in enumerate(batch)
            ],
        }
        if components:
            payload["components"] = components
        files = [(f"files[{i}]", (u.filename, u.data, u.content_type)) for i, u in enumerate(batch)]
        if self._use_token():
            try:
                return self.rest.request(
                    "POST",
                    self._webhook,
                    params={"wait": "true"},
                    data={"payload_json": json.dumps(payload)},
                    files=files,
                    wait_budget=self._token_budget,
                    on_wait=self._tell_wait,
                )
            except TokenGone:
                self._token_gone()
        if first:  # in the channel, the result names the person who asked
            payload = self._with_reference(
                {**payload, "content": _clip(self._naming(content)), "allowed_mentions": self._mentions(True)}
            )
        message = self._bot(
            "POST",
            self._channel,
            data={"payload_json": json.dumps(payload)},
            files=files,
            on_wait=self._tell_wait,
        )
        if first and self._result_link is None and message and message.get("id"):
            guild = self.reply.guild_id or "@me"
            self._result_link = JUMP_URL.format(
                guild=guild, channel=self.reply.chat_id, message=message["id"]
            )
        return message
