"""The render job on real Redis and RQ (SimpleWorker, in-process), against fake Telegram and X servers."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from rq import Callback, Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.timeouts import JobTimeoutException

from contract import FAILURE_CALLBACK_PATH, JOB_PATH, JobPayload, RenderOptions, ReplyAddress
from contract.errors import GENERIC_FAILURE, PostNotFound, PostPrivate
from contract.rerender import job_ref
from tests.fakes.sources import FakeSources
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from worker.delivery.telegram import TelegramClient
from worker.jobs import (
    STATUS_FETCHING,
    STATUS_PREPARING,
    STATUS_READING,
    STATUS_SENDING,
    TIMEOUT_FAILURE,
    report_failure,
    report_killed_horse,
)
from worker.limits import TELEGRAM_MEDIA_GROUP_MAX
from worker.queue import RQJobQueue
from worker.results import ResultStore

CHAT = 5151
WORDS = ("Quokkas", "photosynthesis", "Zanzibar", "kaleidoscope")
TEXTS = [
    "Quokkas are small marsupials that live on Rottnest Island. A thread 🧵",
    "They get their energy from plants, which in turn rely on photosynthesis.",
    "Unlike the spice traders of Zanzibar, quokkas never leave their island.",
    "Their world is a kaleidoscope of scrub, sand and curious tourists. The end.",
]


@pytest.fixture
def env(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    settings_env: Callable[..., Any],
    redis_url: str,
    queue_name: str,
) -> Any:
    return settings_env(
        redis_url=redis_url,
        queue_name=queue_name,
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        telegram_file_url=fake_telegram.file_url,
        **{k.lower(): v for k, v in fake_sources.env().items()},
    )


@pytest.fixture
def queue(env: Any, redis_conn: Any, queue_name: str) -> Iterator[Queue]:
    q = Queue(queue_name, connection=redis_conn, serializer=JSONSerializer)
    yield q
    q.delete(delete_jobs=True)


@pytest.fixture
def submit(queue: Queue, redis_url: str) -> Callable[[JobPayload], str]:
    """Enqueue as the front-ends do (worker.queue.RQJobQueue: JSON, on_failure callback)."""
    return RQJobQueue(redis_url, queue.name).submit


def run_worker(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def user_and_status(fake: FakeTelegramAPI) -> tuple[int, int]:
    """The user's message id, and the status message the bot posted in reply (as the front-end does)."""
    user_message = fake.user_message(CHAT, "look at this")["message"]["message_id"]
    with TelegramClient(fake.token, fake.api_url) as client:
        status = client.send_message(CHAT, "Queued…", reply_parameters={"message_id": user_message})
    return user_message, status["message_id"]


def payload_for(fake: FakeTelegramAPI, source: str, **changes: Any) -> JobPayload:
    user_message, status = user_and_status(fake)
    reply = ReplyAddress(
        platform="telegram",
        chat_id=CHAT,
        reply_to_message_id=user_message,
        status_message_id=status,
        user_id=CHAT,
    )
    return JobPayload(source=source, reply=reply, **changes)


def texts_sent(fake: FakeTelegramAPI) -> list[str]:
    return [
        c.params["text"]
        for c in fake.calls
        if c.method in ("sendMessage", "editMessageText") and c.response["ok"]
    ]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def photos_in(call: Call) -> list[bytes]:
    return [call.files[item["media"].removeprefix("attach://")] for item in call.params["media"]]


# ----------------------------------------------------------------------------------------- success


def test_thread_link_becomes_album_and_pdf_with_progress(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
) -> None:
    thread = unique_x_thread(TEXTS)
    payload = payload_for(fake_telegram, f"please render {thread.url}")
    job_id = submit(payload)
    run_worker(queue)

    job = Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FINISHED, (
        job.latest_result().exc_string if job.latest_result() else ""
    )
    result = job.return_value()
    assert result["ok"] is True and result["slides"] >= 2

    groups = fake_telegram.calls_to("sendMediaGroup")
    assert groups and all(2 <= len(c.params["media"]) <= TELEGRAM_MEDIA_GROUP_MAX for c in groups)
    slides = [data for c in groups for data in photos_in(c)]
    assert len(slides) == result["slides"]
    for data in slides:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert (image.format, image.size) == ("PNG", (1080, 1350))

    (document,) = fake_telegram.calls_to("sendDocument")
    assert document.filenames["document"].endswith(".pdf")
    text = pdf_text(document.files["document"])
    for word in WORDS:
        assert word in text, (word, text[:500])
    keyboard = document.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"].split(":")[2] for b in keyboard[0]] == ["theme", "ratio", "format"]

    for call in [*groups, document]:
        assert call.params["reply_parameters"]["message_id"] == payload.reply.reply_to_message_id

    # progress in the status message, then it goes away
    edits = [c.params["text"] for c in fake_telegram.calls_to("editMessageText") if c.response["ok"]]
    assert edits[0] == STATUS_FETCHING
    assert any(e.startswith("Rendering ") and e.endswith(f"/{result['slides']}") for e in edits), edits
    assert edits[-1] == STATUS_SENDING
    assert all(
        c.params["message_id"] == payload.reply.status_message_id
        for c in fake_telegram.calls_to("editMessageText")
    )
    assert fake_telegram.deleted == [(CHAT, payload.reply.status_message_id)]
    assert not [c for c in fake_telegram.calls if not c.response["ok"]]

    # what re-renders need is kept
    store = ResultStore(queue.connection)
    assert store.load_thread(job_id) is not None
    record = store.load_render(job_id)
    assert record is not None and record.source == payload.source and record.slide_count == result["slides"]


def test_a_source_longer_than_one_carousel_arrives_as_whole_parts_in_order(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
) -> None:
    texts = [
        f"{k}/ Point {k}: one more thing about caching, explained in a few sentences. " * 3
        for k in range(1, 43)
    ]
    thread = unique_x_thread(texts)
    first_job = submit(payload_for(fake_telegram, thread.url, options=RenderOptions(max_posts=40)))
    run_worker(queue)  # part 1, which queues part 2 once it has arrived
    run_worker(queue)
    run_worker(queue)

    documents = fake_telegram.calls_to("sendDocument")
    assert len(documents) >= 2
    n = len(documents)
    names = [d.filenames["document"] for d in documents]
    assert all(f"part-{k}-of-{n}" in name.lower() for k, name in enumerate(names, start=1)), names
    groups = fake_telegram.calls_to("sendMediaGroup")
    # every album comes before its own PDF, part by part: sends are in the order of the parts
    order = [c.method for c in fake_telegram.calls if c.method in ("sendMediaGroup", "sendDocument")]
    assert order[-1] == "sendDocument" and order.count("sendDocument") == n
    slides = [data for c in groups for data in photos_in(c)]
    per_part = len(slides) / n
    assert per_part <= 20
    for k, d in enumerate(documents, start=1):
        text = pdf_text(d.files["document"])
        assert f"PART {k} OF {n}" in text.upper()
    captions = [m.get("caption", "") for c in groups for m in c.params["media"] if m.get("caption")]
    assert [f"Part {k} of {n}" in c for k, c in enumerate(captions, start=1)] == [True] * n, captions
    first_text = pdf_text(documents[0].files["document"])
    last_text = pdf_text(documents[-1].files["document"])
    assert "Point 2:" in first_text and "Point 40:" in last_text and "Point 40:" not in first_text
    assert "Point 41:" not in last_text  # past the cap: the "Next posts" button's
    # every part's controls name the job the front-end submitted; "Next posts" is under the last only
    ref = job_ref(first_job)
    for k, d in enumerate(documents, start=1):
        datas = [b["callback_data"] for row in d.params["reply_markup"]["inline_keyboard"] for b in row]
        assert {data.split(":")[1] for data in datas} == {ref}
        assert f"rr:{ref}:theme" in datas
        assert [x for x in datas if x.startswith("nx:")] == ([f"nx:{ref}:40:41:42"] if k == n else [])


def test_pasted_text_is_signed_with_the_brand(
    queue: Queue, submit: Callable[[JobPayload], str], fake_telegram: FakeTelegramAPI
) -> None:
    brand = {"name": "Ada Lovelace", "handle": "ada"}
    payload = payload_for(
        fake_telegram,
        "\n\n".join(TEXTS),
        source_kind="text",
        options=RenderOptions(brand=brand, cta="follow"),
    )
    submit(payload)
    run_worker(queue)

    (document,) = fake_telegram.calls_to("sendDocument")
    text = pdf_text(document.files["document"])
    assert "Ada Lovelace" in text and "@ada" in text, text[:400]
    assert "Follow @ada" in text
    album = fake_telegram.calls_to("sendMediaGroup")[0]
    assert "by Ada Lovelace (@ada)" in album.params["media"][0]["caption"]
    # nothing was fetched, so the status never said so
    edits = [c.params["text"] for c in fake_telegram.calls_to("editMessageText")]
    assert edits[0] == STATUS_READING and STATUS_FETCHING not in edits


def test_rerender_uses_the_saved_thread_without_fetching(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    from worker.sources import parse_link

    thread = unique_x_thread(TEXTS[:2])
    first = submit(payload_for(fake_telegram, thread.url))
    run_worker(queue)
    assert (
        Job.fetch(first, connection=redis_conn, serializer=JSONSerializer).get_status() == JobStatus.FINISHED
    )

    # the source forgets the thread and the thread cache drops it: only the saved copy is left
    fake_sources.x_statuses.clear()
    ref = parse_link(thread.url)
    assert ref is not None
    redis_conn.delete(f"carousel:{ref.cache_key}")
    fetches = fake_sources.count("/fx/")

    payload = payload_for(
        fake_telegram, thread.url, options=RenderOptions(theme="midnight"), rerender_of=first
    )
    second = submit(payload)
    run_worker(queue)
    job = Job.fetch(second, connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value()["ok"] is True
    assert fake_sources.count("/fx/") == fetches
    assert len(fake_telegram.calls_to("sendDocument")) == 2
    status = payload.reply.status_message_id
    edits = [
        c.params["text"]
        for c in fake_telegram.calls_to("editMessageText")
        if c.params["message_id"] == status
    ]
    assert edits[0] == STATUS_PREPARING and STATUS_FETCHING not in edits


def test_identical_request_resends_file_ids_without_uploading(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    thread = unique_x_thread(TEXTS)
    submit(payload_for(fake_telegram, thread.url))
    run_worker(queue)
    first_uploads = [c for c in fake_telegram.calls if c.files]
    assert first_uploads
    calls_before = len(fake_telegram.calls)

    second = submit(payload_for(fake_telegram, thread.url))
    run_worker(queue)
    job = Job.fetch(second, connection=redis_conn, serializer=JSONSerializer)
    assert job.return_value()["reused_file_ids"] is True
    later = fake_telegram.calls[calls_before:]
    sends = [c for c in later if c.method in ("sendMediaGroup", "sendPhoto", "sendDocument")]
    assert sends and all(c.response["ok"] for c in sends)
    assert not [c for c in later if c.files]  # nothing uploaded the second time
    first_slides = [
        d for c in fake_telegram.calls[:calls_before] if c.method == "sendMediaGroup" for d in photos_in(c)
    ]
    resent = [
        fake_telegram.download(i["media"])
        for c in sends
        if c.method == "sendMediaGroup"
        for i in c.params["media"]
    ]
    assert resent == first_slides


def test_a_capped_thread_says_so_in_the_caption_also_when_resent(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
) -> None:
    thread = unique_x_thread(TEXTS)
    options = RenderOptions(max_posts=2)
    for _ in range(2):  # rendered, then re-sent by file_id
        submit(payload_for(fake_telegram, thread.url, options=options))
        run_worker(queue)

    first, again = (c.params["media"][0]["caption"] for c in fake_telegram.calls_to("sendMediaGroup"))
    assert first.splitlines()[-1].endswith(f" · first 2 of {len(TEXTS)} posts"), first
    assert again == first
    assert not fake_telegram.calls_to("sendMediaGroup")[1].files


def test_the_caption_credits_the_source_and_a_rerender_names_its_change(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
) -> None:
    thread = unique_x_thread(TEXTS[:3], handle="quokkafan", name="Quokka Fan")
    first = submit(payload_for(fake_telegram, thread.url))
    run_worker(queue)
    midnight = RenderOptions(theme="midnight")
    second = submit(payload_for(fake_telegram, thread.url, options=midnight, rerender_of=first))
    run_worker(queue)
    # a re-render of the re-render is told against the first carousel
    square = RenderOptions(theme="midnight", ratio="1:1")
    submit(payload_for(fake_telegram, thread.url, options=square, rerender_of=second))
    run_worker(queue)

    captions = [c.params["media"][0]["caption"] for c in fake_telegram.calls_to("sendMediaGroup")]
    assert len(captions) == 3
    assert captions[2].splitlines()[3] == "Re-rendered: theme Midnight, ratio 1:1"
    credit = f"Thread by Quokka Fan (@quokkafan) · {thread.url}"
    assert captions[0].splitlines()[1] == credit and "Re-rendered" not in captions[0]
    assert captions[1].splitlines()[1] == credit
    assert "Re-rendered: theme Midnight" in captions[1].splitlines()
    documents = fake_telegram.calls_to("sendDocument")
    first_pdf, second_pdf, third_pdf = (d.filenames["document"] for d in documents)
    assert second_pdf.endswith("-midnight.pdf") and second_pdf != first_pdf
    assert third_pdf.endswith("-midnight-1x1.pdf")
    assert second_pdf.startswith("quokkas-are-small") and first_pdf.startswith("quokkas-are-small")


def test_a_rerender_resent_by_file_id_still_says_what_changed(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    thread = unique_x_thread(TEXTS[:2])
    midnight = RenderOptions(theme="midnight")
    submit(payload_for(fake_telegram, thread.url, options=midnight))  # someone's carousel in Midnight
    run_worker(queue)
    first = submit(payload_for(fake_telegram, thread.url))  # another one in the default theme…
    run_worker(queue)
    # …re-rendered in Midnight: the same slides as the first
    rerun = submit(payload_for(fake_telegram, thread.url, options=midnight, rerender_of=first))
    run_worker(queue)

    job = Job.fetch(rerun, connection=redis_conn, serializer=JSONSerializer)
    assert job.return_value()["reused_file_ids"] is True  # the same slides as the first: sent by file_id
    captions = [c.params["media"][0]["caption"] for c in fake_telegram.calls_to("sendMediaGroup")]
    assert "Re-rendered" not in captions[0] and "Re-rendered" not in captions[1]
    assert captions[2].splitlines()[-1] == "Re-rendered: theme Midnight"


def test_the_caption_button_sends_a_post_text_to_paste(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
    redis_url: str,
) -> None:
    from contract.job import PostTextPayload, delivery_queue_name
    from contract.rerender import job_ref, parse_caption
    from worker.jobs import POST_TEXT_GONE

    texts = [
        "Quokkas are small marsupials that live on Rottnest Island. A thread 🧵 #quokka",
        "They get their energy from plants. They rarely drink water at all. #wildlife #Quokka",
        "Their world is a kaleidoscope of scrub, sand and curious tourists. The end.",
    ]
    thread = unique_x_thread(texts)
    job_id = submit(payload_for(fake_telegram, thread.url))
    run_worker(queue)
    (document,) = fake_telegram.calls_to("sendDocument")
    [button] = document.params["reply_markup"]["inline_keyboard"][1]
    assert button["text"] == "📝 Caption"
    ref = parse_caption(button["callback_data"])
    assert ref == job_ref(job_id)

    # the front-end queues the press (see bot/telegram/caption.py); a worker answers from what it kept
    result_id = document.response["result"]["message_id"]
    reply = ReplyAddress(platform="telegram", chat_id=CHAT, reply_to_message_id=result_id, user_id=CHAT)
    jobs = RQJobQueue(redis_url, queue.name)
    jobs.submit_post_text(PostTextPayload(job=ref, reply=reply))
    jobs.submit_post_text(PostTextPayload(job="0" * 32, reply=reply))  # a carousel long forgotten
    delivery = Queue(delivery_queue_name(queue.name), connection=queue.connection, serializer=JSONSerializer)
    try:
        before = len(fake_telegram.calls_to("sendMessage"))
        run_worker(delivery)
        sent = fake_telegram.calls_to("sendMessage")[before:]
    finally:
        delivery.delete(delete_jobs=True)
    post, alts, gone = (c.params for c in sent)
    assert post["text"] == (
        "Quokkas are small marsupials that live on Rottnest Island\n\n"
        "They get their energy from plants. They rarely drink water at all. "
        "Their world is a kaleidoscope of scrub, sand and curious tourists.\n\n"
        "#quokka #wildlife\n\n"
        f"Thread by Quokka Fan (@quokkafan) · {thread.url}"
    )
    lines = alts["text"].splitlines()
    assert lines[0] == "Alt text, slide by slide:" and lines[1].startswith("1. Quokkas are small marsupials")
    job = Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer)
    assert len(lines) == 1 + job.return_value()["slides"]
    for params in (post, alts):
        assert params["reply_parameters"]["message_id"] == result_id
        assert params["link_preview_options"] == {"is_disabled": True}
    assert gone["text"] == POST_TEXT_GONE


def test_without_redis_the_caption_button_is_answered_in_process(
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    settings_env: Callable[..., Any],
) -> None:
    from contract.job import PostTextPayload
    from contract.rerender import job_ref
    from worker.queue import EmbeddedJobQueue

    settings_env(
        redis_url=None,
        telegram_bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_url,
        **{k.lower(): v for k, v in fake_sources.env().items()},
    )
    thread = unique_x_thread(TEXTS[:2])
    embedded = EmbeddedJobQueue()
    try:
        job_id = embedded.submit(payload_for(fake_telegram, thread.url))
        reply = ReplyAddress(platform="telegram", chat_id=CHAT)
        embedded.submit_post_text(PostTextPayload(job=job_ref(job_id), reply=reply))
    finally:
        embedded.shutdown()  # the one in-process worker runs them in order
    post, alts = (c.params["text"] for c in fake_telegram.calls_to("sendMessage")[-2:])
    assert post.startswith("Quokkas are small marsupials") and post.endswith(thread.url)
    assert alts.startswith("Alt text, slide by slide:\n1. ")


def test_a_post_text_never_repeats_its_hook_and_its_alt_text_reads_in_sentences(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    redis_url: str,
) -> None:
    """A first post that is its own title plus more ("… by 60% 🧵 A thread about …"): the post text says
    the title once; the cover's alt text ends its title as a sentence; two pictures are "Pictures"."""
    from contract.job import PostTextPayload, delivery_queue_name
    from contract.rerender import job_ref

    user = fake_sources.x_user("cloudcutter", "Cloud Cutter")
    base = 1_700_000_000_000_000_000 + secrets.randbelow(10**17) * 100
    first = fake_sources.x_status(
        "How we cut our cloud bill by 60% 🧵 A thread about the boring fixes that actually worked.",
        user=user,
        status_id=str(base),
    )
    photos = [fake_sources.x_photo(f"cc-{base}-{k}.png", alt=f"Chart {k}") for k in (1, 2)]
    second = fake_sources.x_status(
        "Then we moved batch jobs to spot instances. Here is the before and after:",
        user=user,
        reply_to=first,
        status_id=str(base + 1),
        photos=photos,
    )
    for status in (first, second):
        fake_sources.add_x_status(status)
    job_id = submit(payload_for(fake_telegram, first["url"]))
    run_worker(queue)
    (document,) = fake_telegram.calls_to("sendDocument")
    result_id = document.response["result"]["message_id"]
    reply = ReplyAddress(platform="telegram", chat_id=CHAT, reply_to_message_id=result_id, user_id=CHAT)
    RQJobQueue(redis_url, queue.name).submit_post_text(PostTextPayload(job=job_ref(job_id), reply=reply))
    delivery = Queue(delivery_queue_name(queue.name), connection=queue.connection, serializer=JSONSerializer)
    try:
        before = len(fake_telegram.calls_to("sendMessage"))
        run_worker(delivery)
        post, alts = (str(c.params["text"]) for c in fake_telegram.calls_to("sendMessage")[before:])
    finally:
        delivery.delete(delete_jobs=True)
    hook, body = post.split("\n\n")[:2]
    assert hook == "How we cut our cloud bill by 60%"
    assert body.startswith("A thread about the boring fixes that actually worked.")
    assert post.count("cloud bill") == 1
    lines = alts.splitlines()
    assert lines[1] == "1. How we cut our cloud bill by 60%. A thread by Cloud Cutter (@cloudcutter)."
    assert any(line.endswith("Pictures: Chart 1 · Chart 2") for line in lines), lines


def test_chosen_posts_become_the_slides_and_numbers_past_the_end_are_one_sentence(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
) -> None:
    thread = unique_x_thread(TEXTS)
    submit(payload_for(fake_telegram, thread.url, options=RenderOptions(posts=(2, 4), cta="none")))
    run_worker(queue)
    (document,) = fake_telegram.calls_to("sendDocument")
    text = pdf_text(document.files["document"])
    assert "photosynthesis" in text and "kaleidoscope" in text
    assert "Zanzibar" not in text and "Rottnest" not in text
    assert "Showing posts 2, 4 of 4." in text  # the closing note, without a call to action
    caption = fake_telegram.calls_to("sendMediaGroup")[0].params["media"][0]["caption"]
    assert " · posts 2, 4 of 4" in caption, caption
    datas = [b["callback_data"] for row in document.params["reply_markup"]["inline_keyboard"] for b in row]
    assert not [d for d in datas if d.startswith("nx:")]

    payload = payload_for(fake_telegram, thread.url, options=RenderOptions(posts=(3, 7)))
    submit(payload)
    run_worker(queue)
    assert texts_sent(fake_telegram)[-1] == "That thread has 4 posts, so pick post numbers from 1 to 4."
    assert len(fake_telegram.calls_to("sendDocument")) == 1


# ------------------------------------------------------------------------------------------ failures


@pytest.mark.parametrize("case", ["not-found", "private"])
def test_user_errors_are_one_clear_sentence(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    redis_conn: Any,
    case: str,
) -> None:
    status_id = str(1_700_000_000_000_000_000 + secrets.randbelow(10**17))
    if case == "private":
        fake_sources.x_private.add(status_id)
    expected = PostPrivate.message if case == "private" else PostNotFound.message
    payload = payload_for(fake_telegram, f"https://x.com/someone/status/{status_id}")
    job_id = submit(payload)
    run_worker(queue)

    job = Job.fetch(job_id, connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == {"ok": False, "error": expected}
    visible = [m["text"] for m in fake_telegram.messages.values() if m["chat"]["id"] == CHAT]
    assert visible == [expected]  # the status message now says it; nothing else was sent
    assert texts_sent(fake_telegram).count(expected) == 1
    assert not fake_telegram.calls_to("sendMediaGroup") and not fake_telegram.calls_to("sendDocument")


def test_crash_while_rendering_is_a_generic_sentence_and_a_failed_job(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    thread = unique_x_thread(TEXTS[:2])
    payload = payload_for(fake_telegram, thread.url, options=RenderOptions(theme="no-such-theme"))
    job_id = submit(payload)
    run_worker(queue)

    job = Job.fetch(job_id, connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FAILED
    assert "no-such-theme" in (job.latest_result().exc_string or "")
    assert texts_sent(fake_telegram).count(GENERIC_FAILURE) == 1  # body told the user; the callback did not
    visible = [m["text"] for m in fake_telegram.messages.values()]
    assert visible == [GENERIC_FAILURE]
    assert ResultStore(redis_conn).was_reported(job_id)


def test_timeout_is_told_once(
    queue: Queue,
    fake_telegram: FakeTelegramAPI,
    fake_sources: FakeSources,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    thread = unique_x_thread(TEXTS[:2])
    payload = payload_for(fake_telegram, thread.url)
    fake_telegram.delay_next("editMessageText", 4.0)  # the first progress edit hangs past the job timeout
    job = queue.enqueue(
        JOB_PATH, payload.to_job_arg(), job_timeout=1, on_failure=Callback(FAILURE_CALLBACK_PATH)
    )
    run_worker(queue)

    job = Job.fetch(job.id, connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.FAILED
    fake_telegram.wait_until(lambda: len(fake_telegram.calls_to("editMessageText")) >= 2, timeout=10)
    assert texts_sent(fake_telegram).count(TIMEOUT_FAILURE) == 1
    assert GENERIC_FAILURE not in texts_sent(fake_telegram)
    assert not fake_telegram.calls_to("sendDocument")


def test_failure_callback_reports_crashes_the_body_could_not(
    queue: Queue, fake_telegram: FakeTelegramAPI, redis_conn: Any
) -> None:
    payload = payload_for(fake_telegram, "https://x.com/a/status/1")
    job = queue.enqueue(JOB_PATH, payload.to_job_arg())  # never run: as if the work horse died at once
    job = Job.fetch(job.id, connection=redis_conn, serializer=JSONSerializer)

    report_failure(job, redis_conn, JobTimeoutException, JobTimeoutException("too slow"), None)
    report_failure(job, redis_conn, JobTimeoutException, JobTimeoutException("too slow"), None)
    report_killed_horse(job, 1234, 9, None)
    assert texts_sent(fake_telegram) == ["Queued…", TIMEOUT_FAILURE]
    edit = fake_telegram.calls_to("editMessageText")[0]
    assert edit.params["message_id"] == payload.reply.status_message_id


def test_killed_work_horse_is_reported(queue: Queue, fake_telegram: FakeTelegramAPI, redis_conn: Any) -> None:
    payload = payload_for(fake_telegram, "https://x.com/a/status/2")
    job = queue.enqueue(JOB_PATH, payload.to_job_arg())
    job = Job.fetch(job.id, connection=redis_conn, serializer=JSONSerializer)
    report_killed_horse(job, 1234, 9, None)
    assert texts_sent(fake_telegram)[-1] == GENERIC_FAILURE
    assert [m["text"] for m in fake_telegram.messages.values()] == [GENERIC_FAILURE]


def test_progress_edits_are_throttled() -> None:
    from worker.jobs import Progress

    shown: list[str] = []

    class Recorder:
        def status(self, text: str) -> None:
            shown.append(text)

    now = [0.0]
    progress = Progress(Recorder(), interval=1.0, clock=lambda: now[0])  # type: ignore[arg-type]
    progress.show(STATUS_FETCHING, force=True)
    for done in range(1, 21):
        now[0] += 0.3
        progress.rendering(done, 20)
    progress.show(STATUS_SENDING, force=True)
    assert shown[0] == STATUS_FETCHING and shown[-1] == STATUS_SENDING
    assert len(shown) <= 2 + 20 * 0.3 + 1
    assert len(set(shown)) == len(shown)


def test_a_theme_sent_as_a_file_draws_the_carousel_and_a_broken_one_is_one_sentence(
    queue: Queue, submit: Callable[[JobPayload], str], fake_telegram: FakeTelegramAPI, redis_conn: Any
) -> None:
    from contract.options import CUSTOM_THEME
    from contract.sentences import THEME_FILE_BROKEN

    own = 'extends = "paper"\nlabel = "Acme"\n\n[layout]\nfamily = "swiss"\n'
    text = "\n\n".join(TEXTS)
    submit(payload_for(fake_telegram, text, source_kind="text",
                       options=RenderOptions(theme=CUSTOM_THEME, theme_file=own)))
    run_worker(queue)
    assert len(fake_telegram.calls_to("sendDocument")) == 1

    broken = 'extends = "no-such-preset"\n'  # saved before a preset was renamed, say
    job_id = submit(payload_for(fake_telegram, text + "\n\nAnd one more.", source_kind="text",
                                options=RenderOptions(theme=CUSTOM_THEME, theme_file=broken)))
    run_worker(queue)
    job = Job.fetch(job_id, connection=redis_conn, serializer=JSONSerializer)
    error = job.return_value()["error"]
    assert error.startswith(THEME_FILE_BROKEN.split("{")[0]) and "extends" in error
    assert texts_sent(fake_telegram).count(error) == 1
    assert len(fake_telegram.calls_to("sendDocument")) == 1  # nothing more was delivered


# ------------------------------------------------------------------------------ brand pictures


MAGENTA = (255, 0, 255)


def _telegram_file(fake: FakeTelegramAPI, data: bytes) -> str:
    """A picture a user sent, as the front-end saves it (a file reference), served as octet-stream."""
    file_id = fake.add_file(data, kind="document", file_name="logo.png", mime_type="application/octet-stream")
    return f"telegram-file:{fake.files[file_id].file_path}"


def _magenta_pixels(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(count for count, colour in colours if colour == MAGENTA)


@pytest.fixture
def telegram_files(
    env: Any, settings_env: Callable[..., Any], fake_sources: FakeSources, fake_telegram: FakeTelegramAPI
) -> Any:
    """Brand pictures come from the (fake) Telegram file host, like a picture a user sent."""
    host = fake_telegram.url.removeprefix("http://")
    return settings_env(media_hosts=f"{fake_sources.media_host},{host}")


def test_brand_pictures_are_recognised_by_their_bytes_whatever_the_content_type(
    queue: Queue, submit: Callable[[JobPayload], str], fake_telegram: FakeTelegramAPI, telegram_files: Any
) -> None:
    logo = io.BytesIO()
    Image.new("RGB", (120, 120), MAGENTA).save(logo, "PNG")
    brand = {"name": "Ada Lovelace", "logo_url": _telegram_file(fake_telegram, logo.getvalue())}
    options = RenderOptions(brand=brand)
    submit(payload_for(fake_telegram, "\n\n".join(TEXTS), source_kind="text", options=options))
    run_worker(queue)

    slides = [data for c in fake_telegram.calls_to("sendMediaGroup") for data in photos_in(c)]
    assert slides and any(_magenta_pixels(s) > 100 for s in slides)  # the logo is on the slides
    (document,) = fake_telegram.calls_to("sendDocument")
    assert "⚠️" not in document.params["caption"]


def test_an_unreadable_brand_picture_is_named_and_its_result_never_reused(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    telegram_files: Any,
    redis_conn: Any,
) -> None:
    garbage = _telegram_file(fake_telegram, b"this is not a picture at all")
    brand = {"name": "Ada Lovelace", "logo_url": garbage}
    options = RenderOptions(brand=brand)
    text = "\n\n".join(TEXTS) + f" {secrets.token_hex(4)}"  # no earlier run's file_ids can answer
    jobs = []
    for _ in range(2):  # the same request twice: the second is rendered again, not re-sent
        jobs.append(submit(payload_for(fake_telegram, text, source_kind="text", options=options)))
        run_worker(queue)

    first, second = fake_telegram.calls_to("sendDocument")
    for document in (first, second):
        caption = document.params["caption"]
        assert caption.startswith(
            "⚠️ The brand kit's logo could not be read as a picture — send it again with /brand logo.\n\n"
        ), caption
        assert caption.endswith("Another theme, ratio or format? 📝 Caption writes the post to go with it.")
        assert document.files  # uploaded each time
    again = Job.fetch(jobs[1], connection=redis_conn, serializer=JSONSerializer).return_value()
    assert again["ok"] is True and again["reused_file_ids"] is False


# ------------------------------------------------------------------------------ delivery: files, zip


LONG_TEXTS = [f"Point {i}: {TEXTS[i % len(TEXTS)]} {TEXTS[(i + 1) % len(TEXTS)]}" for i in range(1, 17)]


def _documents_in(call: Call) -> list[tuple[str, bytes]]:
    return [
        (call.filenames[i["media"].removeprefix("attach://")], call.files[i["media"].removeprefix("attach://")])
        for i in call.params["media"]
    ]


def test_files_delivery_sends_the_slides_as_they_were_made_in_groups_of_ten_then_again_by_file_id(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    thread = unique_x_thread(LONG_TEXTS)
    options = RenderOptions(delivery="files")
    first = submit(payload_for(fake_telegram, thread.url, options=options))
    run_worker(queue)
    result = Job.fetch(first, connection=redis_conn, serializer=JSONSerializer).return_value()
    assert result["ok"] is True and result["slides"] > TELEGRAM_MEDIA_GROUP_MAX

    groups = fake_telegram.calls_to("sendMediaGroup")
    assert len(groups) >= 2 and all(2 <= len(c.params["media"]) <= TELEGRAM_MEDIA_GROUP_MAX for c in groups)
    assert {i["type"] for c in groups for i in c.params["media"]} == {"document"}
    files = [f for c in groups for f in _documents_in(c)]
    assert [name for name, _ in files] == [f"slide-{i:02d}.png" for i in range(1, result["slides"] + 1)]
    for _, data in files:
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("PNG", (1080, 1350))  # the file as made
    assert f"{result['slides']} slides" in groups[0].params["media"][0]["caption"].splitlines()
    (pdf,) = fake_telegram.calls_to("sendDocument")
    assert pdf.filenames["document"].endswith(".pdf") and pdf.params["reply_markup"]["inline_keyboard"]

    before = len(fake_telegram.calls)
    again = submit(payload_for(fake_telegram, thread.url, options=options))
    run_worker(queue)
    reused = Job.fetch(again, connection=redis_conn, serializer=JSONSerializer).return_value()
    assert reused["reused_file_ids"] is True
    later = fake_telegram.calls[before:]
    resent = [c for c in later if c.method == "sendMediaGroup"]
    assert not [c for c in later if c.files]
    assert [len(c.params["media"]) for c in resent] == [len(c.params["media"]) for c in groups]
    downloads = [fake_telegram.download(i["media"]) for c in resent for i in c.params["media"]]
    assert downloads == [data for _, data in files]
    assert {i["type"] for c in resent for i in c.params["media"]} == {"document"}


def test_zip_delivery_sends_one_zip_of_the_slides_and_the_pdf(
    queue: Queue,
    submit: Callable[[JobPayload], str],
    fake_telegram: FakeTelegramAPI,
    unique_x_thread: Callable[..., Any],
    redis_conn: Any,
) -> None:
    import zipfile

    thread = unique_x_thread(TEXTS)
    options = RenderOptions(delivery="zip", format="jpeg")
    first = submit(payload_for(fake_telegram, thread.url, options=options))
    run_worker(queue)
    result = Job.fetch(first, connection=redis_conn, serializer=JSONSerializer).return_value()

    assert not fake_telegram.calls_to("sendMediaGroup") and not fake_telegram.calls_to("sendPhoto")
    archive, pdf = fake_telegram.calls_to("sendDocument")
    name = archive.filenames["document"]
    assert name.endswith(".zip")
    assert name.removesuffix(".zip") == pdf.filenames["document"].removesuffix(".pdf")
    caption = archive.params["caption"]
    assert "Thread by Quokka Fan" in caption and f"{result['slides']} slides" in caption
    with zipfile.ZipFile(io.BytesIO(archive.files["document"])) as opened:
        names = opened.namelist()
        assert names == [f"slide-{i:02d}.jpg" for i in range(1, result["slides"] + 1)]
        with Image.open(io.BytesIO(opened.read(names[0]))) as image:
            assert (image.format, image.size) == ("JPEG", (1080, 1350))
    assert "reply_markup" not in archive.params and pdf.params["reply_markup"]["inline_keyboard"]

    # the same thread as an album is another result: rendered and sent as photos, not the ZIP again
    submit(payload_for(fake_telegram, thread.url, options=RenderOptions(format="jpeg")))
    run_worker(queue)
    assert fake_telegram.calls_to("sendMediaGroup")[0].files
