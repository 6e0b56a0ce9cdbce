"""A local fake of the Telegram Bot API, speaking its real wire format.

It listens on 127.0.0.1 (a free port), answers ``POST /bot{token}/{method}`` with JSON, form or
multipart bodies exactly like api.telegram.org (``{"ok": true, "result": ...}`` with well-formed
``Message`` objects), serves downloads at ``GET /file/bot{token}/{file_path}``, and records every call.

Usage::

    from tests.fakes.telegram_api import FakeTelegramAPI

    with FakeTelegramAPI() as fake:
        # python-telegram-bot
        app = (Application.builder().token(fake.token)
               .base_url(fake.api_url).base_file_url(fake.file_url).updater(None).build())
        # our worker (worker/delivery/telegram.py) reads the same two settings:
        env = {"TELEGRAM_API_URL": fake.api_url, "TELEGRAM_FILE_URL": fake.file_url,
               "TELEGRAM_BOT_TOKEN": fake.token}

        update = Update.de_json(fake.user_message(chat_id=42, text="https://x.com/a/status/1"), app.bot)
        await app.process_update(update)

        fake.wait_for("sendDocument", timeout=30)      # blocks until the call arrived
        call = fake.calls_to("sendMediaGroup")[0]
        call.params["chat_id"], call.params["media"]    # decoded parameters
        call.files["slide1"]                            # uploaded bytes, by multipart field name
        call.uploads                                    # [(field, filename, bytes)] in order
        fake.messages[(42, 7)]                          # every message the bot sent/edited, by (chat, id)

Knobs:
    fake.fail_next("sendMediaGroup", retry_after=1)      # one 429 flood-control answer, then normal
    fake.fail_next("sendMediaGroup", retry_after=1, after=1)   # the second call fails, not the first
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    fake.delay_next("editMessageText", 3.0)             # the next answer to it comes 3 s late
    fake.set_member_status(chat_id, user_id, "administrator")   # getChatMember ("member" by default)
    file_id = fake.add_file(b"...", kind="photo")        # a file a user "sent", downloadable via getFile
    fake.push_update(update_dict)                        # served by getUpdates (long polling works)
    fake.user_message(...), fake.callback_query(...)     # Update dicts for Update.de_json

Parameters are decoded like the real server does: JSON bodies as they are; form and multipart
fields are strings, where JSON-looking values (objects, arrays, booleans) and integer ids are
decoded, so ``params["chat_id"]`` is an int and ``params["reply_markup"]`` a dict either way.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import io
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
BOT_USERNAME = "carousel_test_bot"
THUMB_MAX_SIDE = 320
POLL_WAIT_MAX_S = 1.0

# form/multipart fields that stay strings even when they look like numbers
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "title",
        "description",
        "query",
        "callback_data",
        "data",
        "parse_mode",
        "short_description",
        "name",
        "custom_title",
        "file_name",
        "sticker",
    }
)
_INT_RE = re.compile(r"-?\d+")


@dataclass
class Call:
    """One request the fake received."""

    method: str
    token: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # multipart field name -> bytes
    filenames: dict[str, str] = field(default_factory=dict)  # multipart field name -> file name
    at: float = field(default_factory=time.monotonic)
    response: Any = None  # the JSON answer that was sent back

    @property
    def uploads(self) -> list[tuple[str, str, bytes]]:
        return [(name, self.filenames.get(name, ""), data) for name, data in self.files.items()]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # "photo" | "document" | ...
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


class TelegramAPIError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class FakeTelegramAPI:
    def __init__(self, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.calls: list[Call] = []
        self.messages: dict[tuple[int | str, int], dict] = {}
        self.deleted: list[tuple[int | str, int]] = []
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict] = []
        self._member_status: dict[tuple[int | str, int], str] = {}
        self._failures: dict[str, list[list[Any]]] = {}  # [successes still to let through, error]
        self._delays: dict[str, list[float]] = {}
        self._late: dict[str, list[float]] = {}
        self._ids = itertools.count(1)
        self._message_ids: dict[int | str, itertools.count] = {}
        self._update_ids = itertools.count(1)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """For PTB's ``base_url`` and our TELEGRAM_API_URL (the token is appended)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """For PTB's ``base_file_url`` and our TELEGRAM_FILE_URL."""
        return f"{self.url}/file/bot"

    def start(self) -> FakeTelegramAPI:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- knobs

    def fail_next(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        error_code: int = 429,
        description: str | None = None,
        after: int = 0,
    ) -> None:
        """The next call to ``method`` fails (429 flood control by default); later calls succeed.

        ``after``: that many calls succeed first, then one fails.
        """
        params = None
        if retry_after is not None:
            error_code = 429
            params = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        with self._lock:
            self._failures.setdefault(method, []).append(
                [after, TelegramAPIError(error_code, description or "Bad Request", params)]
            )

    def delay_next(self, method: str, seconds: float) -> None:
        """The next call to ``method`` is answered ``seconds`` late (a slow or stuck server)."""
        with self._lock:
            self._delays.setdefault(method, []).append(seconds)

    def answer_late_next(self, method: str, seconds: float) -> None:
        """The next call to ``method`` is carried out at once, its answer sent ``seconds`` later: a
        client that gives up waiting sees a timeout for a call that was applied."""
        with self._lock:
            self._late.setdefault(method, []).append(seconds)

    def set_member_status(self, chat_id: int | str, user_id: int, status: str) -> None:
        """getChatMember answers: creator, administrator, member, restricted, left, kicked."""
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    def add_file(
        self, data: bytes, kind: str = "photo", file_name: str | None = None, mime_type: str | None = None
    ) -> str:
        with self._lock:
            return self._store(data, kind, file_name, mime_type).file_id

    def push_update(self, update: dict) -> dict:
        with self._lock:
            update = dict(update)
            update.setdefault("update_id", next(self._update_ids))
            self.updates.append(update)
            self._changed.notify_all()
            return update

    # ---------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def wait_for(
        self,
        method: str,
        timeout: float = 30.0,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` successful calls to ``method`` (matching ``where``) were received."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    c for c in self.calls if c.method == method and _ok(c) and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"fake Telegram: {count}x {method} not received within {timeout}s; "
                        f"got {self.methods()}"
                    )
                self._changed.wait(left)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"fake Telegram: condition not met within {timeout}s; got {self.methods()}"
                    )
                self._changed.wait(left)

    def download(self, file_id: str) -> bytes:
        return self.files[file_id].data

    # ---------------------------------------------------------------- incoming update builders

    def user(self, user_id: int = 1001, first_name: str = "Ada", username: str | None = "ada") -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def chat(self, chat_id: int, title: str | None = None, is_forum: bool = False) -> dict:
        if isinstance(chat_id, int) and chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Ada", "username": "ada"}
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title or "Content team"}
        if is_forum:
            chat["is_forum"] = True
        return chat

    def user_message(
        self,
        chat_id: int = 1001,
        text: str = "",
        *,
        user_id: int | None = None,
        thread_id: int | None = None,
        reply_to: dict | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
        entities: list[dict] | None = None,
        push: bool = False,
    ) -> dict:
        """An Update dict carrying a message a user sent (for ``Update.de_json``).

        URLs and /commands in ``text`` get their entities like the real server adds them.
        """
        with self._lock:
            message_id = self._next_message_id(chat_id)
        uid = (
            user_id
            if user_id is not None
            else (chat_id if isinstance(chat_id, int) and chat_id > 0 else 1001)
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(chat_id, is_forum=thread_id is not None),
            "from": self.user(uid),
        }
        if text:
            message["text"] = text
            message["entities"] = entities if entities is not None else _entities(text)
        if photo is not None:
            with self._lock:
                message["photo"] = self._photo_sizes(self._store(photo, "photo"))
            if caption:
                message["caption"] = caption
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        update = {"update_id": next(self._update_ids), "message": message}
        if push:
            self.push_update(update)
        return update

    def callback_query(self, message: dict, data: str, *, user_id: int = 1001, push: bool = False) -> dict:
        """An Update dict for a press on an inline button under ``message`` (a message the bot sent)."""
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._ids)),
                "from": self.user(user_id),
                "chat_instance": "-1",
                "message": message,
                "data": data,
            },
        }
        if push:
            self.push_update(update)
        return update

    # ---------------------------------------------------------------- server internals

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                m = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
                if m:
                    stored = fake._file_by_path(m.group(2))
                    if stored is None:
                        self._send(404, b"Not Found", "text/plain")
                    else:
                        self._send(200, stored.data, stored.mime_type or "application/octet-stream")
                    return
                m = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
                if m:
                    query = parse_qs(urlsplit(self.path).query)
                    params = _decode_form({k: v[-1] for k, v in query.items()})
                    self._answer(m.group(1), m.group(2), params, {}, {})
                    return
                self._send(
                    404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
                )

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                m = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if not m:
                    self._send(
                        404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
                    )
                    return
                try:
                    params, files, filenames = _parse_body(self.headers.get("Content-Type", ""), body)
                except ValueError as exc:
                    payload = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
                    self._send(400, json.dumps(payload).encode(), "application/json")
                    return
                self._answer(m.group(1), m.group(2), params, files, filenames)

            def _answer(
                self,
                token: str,
                method: str,
                params: dict,
                files: dict[str, bytes],
                filenames: dict[str, str],
            ) -> None:
                status, payload = fake._dispatch(token, method, params, files, filenames)
                self._send(status, json.dumps(payload).encode(), "application/json")

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _dispatch(
        self, token: str, method: str, params: dict, files: dict[str, bytes], filenames: dict[str, str]
    ) -> tuple[int, dict]:
        call = Call(method=method, token=token, params=params, files=files, filenames=filenames)
        with self._lock:
            delays = self._delays.get(method)
            delay = delays.pop(0) if delays else 0.0
        if delay:
            time.sleep(delay)
        with self._changed:
            try:
                if token != self.token:
                    raise TelegramAPIError(401, "Unauthorized")
                queued = self._failures.get(method)
                if queued and queued[0][0] > 0:
                    queued[0][0] -= 1
                elif queued:
                    raise queued.pop(0)[1]
                handler = getattr(self, f"_m_{method}", None)
                if handler is None:
                    raise TelegramAPIError(404, "Not Found: method not found")
                result = handler(call)
                status, payload = 200, {"ok": True, "result": result}
            except TelegramAPIError as err:
                payload = {"ok": False, "error_code": err.code, "description": err.description}
                if err.parameters:
                    payload["parameters"] = err.parameters
                status = err.code
            call.response = payload
            self.calls.append(call)
            self._changed.notify_all()
            late = self._late.get(method)
            answer_after = late.pop(0) if late else 0.0
        if answer_after:
            time.sleep(answer_after)
        return status, payload

    # ---------------------------------------------------------------- helpers (lock held)

    def _next_message_id(self, chat_id: int | str) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _store(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        n = next(self._ids)
        prefix = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk"}.get(kind, "CAACAgIAAxk")
        ext = _extension(data, file_name)
        stored = StoredFile(
            file_id=f"{prefix}{n:08d}{self.bot_id}",
            file_unique_id=f"AQAD{n:08d}",
            data=data,
            kind=kind,
            file_path=f"{kind}s/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type or _mime(data),
        )
        self.files[stored.file_id] = stored
        return stored

    def _file_by_path(self, path: str) -> StoredFile | None:
        with self._lock:
            return next((f for f in self.files.values() if f.file_path == path), None)

    def _input_file(self, call: Call, value: Any, kind: str, field_name: str) -> StoredFile:
        """Resolve an InputFile parameter: an uploaded part, an attach:// reference or a file_id."""
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part not in call.files:
                raise TelegramAPIError(
                    400, f"Bad Request: file {part!r} must be uploaded as a multipart part"
                )
            return self._store(call.files[part], kind, call.filenames.get(part))
        if value is None and field_name in call.files:
            return self._store(call.files[field_name], kind, call.filenames.get(field_name))
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _photo_sizes(self, stored: StoredFile) -> list[dict]:
        width, height = _image_size(stored.data)
        if width == 0:
            raise TelegramAPIError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        scale = min(1.0, THUMB_MAX_SIDE / max(width, height))
        thumb = self._store(stored.data, "photo")  # same bytes stand in for the thumbnail
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
                "file_size": len(stored.data) // 10 or 1,
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            },
        ]

    def _chat_id(self, call: Call) -> int | str:
        chat_id = call.params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise TelegramAPIError(400, "Bad Request: chat_id is empty")
        return chat_id

    def _message(self, call: Call, **content: Any) -> dict:
        chat_id = self._chat_id(call)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": self.chat(chat_id) if isinstance(chat_id, int) else {"id": chat_id, "type": "channel"},
            "date": int(time.time()),
        }
        thread_id = call.params.get("message_thread_id")
        if thread_id:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            message["chat"]["is_forum"] = True
        reply_to = _reply_target(call.params)
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": message["chat"],
            }
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # as the real server: a Message carries only an inline keyboard (not ForceReply etc.)
            message["reply_markup"] = markup
        message.update(content)
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Carousel", "username": BOT_USERNAME}

    def _existing(self, call: Call, what: str) -> tuple[tuple[int | str, int], dict]:
        key = (self._chat_id(call), call.params.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise TelegramAPIError(400, f"Bad Request: message to {what} not found")
        return key, message  # type: ignore[return-value]

    # ---------------------------------------------------------------- methods

    def _m_getMe(self, call: Call) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, call: Call) -> bool:
        return True

    def _m_close(self, call: Call) -> bool:
        return True

    def _m_setMyCommands(self, call: Call) -> bool:
        return True

    def _m_deleteMyCommands(self, call: Call) -> bool:
        return True

    def _m_getMyCommands(self, call: Call) -> list:
        for previous in reversed(self.calls):
            if previous.method == "setMyCommands":
                return list(previous.params.get("commands") or [])
        return []

    def _m_deleteWebhook(self, call: Call) -> bool:
        return True

    def _m_setWebhook(self, call: Call) -> bool:
        return True

    def _m_getWebhookInfo(self, call: Call) -> dict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _m_getUpdates(self, call: Call) -> list:
        offset = int(call.params.get("offset") or 0)
        wait = min(float(call.params.get("timeout") or 0), POLL_WAIT_MAX_S)
        deadline = time.monotonic() + wait
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                break
            self._changed.wait(max(0.0, deadline - time.monotonic()))
        self.updates = pending  # confirmed updates are forgotten, as on the real server
        limit = int(call.params.get("limit") or 100)
        return pending[:limit]

    def _m_getChat(self, call: Call) -> dict:
        chat = self.chat(self._chat_id(call))  # type: ignore[arg-type]
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    def _m_getChatMember(self, call: Call) -> dict:
        chat_id = self._chat_id(call)
        user_id = int(call.params.get("user_id") or 0)
        status = self._member_status.get((chat_id, user_id), "member")
        user = self.user(user_id) if user_id != self.bot_id else self._bot_user()
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    k: True
                    for k in (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_pin_messages",
                        "can_manage_topics",
                    )
                },
                can_be_edited=False,
                is_anonymous=False,
                can_promote_members=False,
            )
        elif status == "restricted":
            member.update(
                {
                    k: False
                    for k in (
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                    )
                },
                is_member=True,
                until_date=0,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_getChatAdministrators(self, call: Call) -> list:
        chat_id = self._chat_id(call)
        out = []
        for (cid, uid), status in self._member_status.items():
            if cid == chat_id and status in ("creator", "administrator"):
                out.append(
                    self._m_getChatMember(Call("getChatMember", call.token, {"chat_id": cid, "user_id": uid}))
                )
        return out

    def _m_sendChatAction(self, call: Call) -> bool:
        self._chat_id(call)
        return True

    def _m_answerCallbackQuery(self, call: Call) -> bool:
        if not call.params.get("callback_query_id"):
            raise TelegramAPIError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = call.params.get("text") or ""
        if len(text) > 200:
            raise TelegramAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_sendMessage(self, call: Call) -> dict:
        text = call.params.get("text")
        if not text:
            raise TelegramAPIError(400, "Bad Request: message text is empty")
        if len(str(text)) > 4096:
            raise TelegramAPIError(400, "Bad Request: message is too long")
        _check_keyboard(call.params.get("reply_markup"))
        return self._message(call, text=str(text))

    def _m_editMessageText(self, call: Call) -> dict:
        _key, message = self._existing(call, "edit")
        text = str(call.params.get("text") or "")
        if not text:
            raise TelegramAPIError(400, "Bad Request: message text is empty")
        markup = call.params.get("reply_markup")
        if message.get("text") == text and markup == message.get("reply_markup"):
            raise TelegramAPIError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        _check_keyboard(markup)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_editMessageCaption(self, call: Call) -> dict:
        _key, message = self._existing(call, "edit")
        message["caption"] = str(call.params.get("caption") or "")
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageReplyMarkup(self, call: Call) -> dict:
        _key, message = self._existing(call, "edit")
        markup = call.params.get("reply_markup")
        _check_keyboard(markup)
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    def _m_deleteMessage(self, call: Call) -> bool:
        key, _message = self._existing(call, "delete")
        del self.messages[key]
        self.deleted.append(key)
        return True

    def _m_sendPhoto(self, call: Call) -> dict:
        stored = self._input_file(call, call.params.get("photo"), "photo", "photo")
        _check_photo(stored.data)
        content: dict[str, Any] = {"photo": self._photo_sizes(stored)}
        content.update(_caption(call.params))
        return self._message(call, **content)

    def _m_sendDocument(self, call: Call) -> dict:
        stored = self._input_file(call, call.params.get("document"), "document", "document")
        if len(stored.data) > 50_000_000:
            raise TelegramAPIError(413, "Request Entity Too Large")
        _check_keyboard(call.params.get("reply_markup"))
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name or "document",
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        content: dict[str, Any] = {"document": document}
        content.update(_caption(call.params))
        return self._message(call, **content)

    def _m_sendMediaGroup(self, call: Call) -> list:
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise TelegramAPIError(400, "Bad Request: media must include 2-10 items")
        kinds = {item.get("type") for item in media}
        if ("document" in kinds or "audio" in kinds) and len(kinds) > 1:
            raise TelegramAPIError(
                400, "Bad Request: documents and audio can't be mixed with other media types"
            )
        resolved = []
        for item in media:
            kind = item.get("type")
            stored = self._input_file(call, item.get("media"), kind, "")
            if kind == "photo":
                _check_photo(stored.data)
            caption = item.get("caption")
            if caption and len(caption) > 1024:
                raise TelegramAPIError(400, "Bad Request: message caption is too long")
            resolved.append((item, stored))
        group_id = str(10_000_000_000 + next(self._ids))
        messages = []
        for item, stored in resolved:
            content: dict[str, Any] = {"media_group_id": group_id}
            if item["type"] == "photo":
                content["photo"] = self._photo_sizes(stored)
            else:
                content[item["type"]] = {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_name": stored.file_name or "document",
                    "mime_type": stored.mime_type,
                    "file_size": len(stored.data),
                }
            content.update(_caption(item))
            messages.append(self._message(call, **content))
        return messages

    def _m_getFile(self, call: Call) -> dict:
        file_id = call.params.get("file_id")
        stored = self.files.get(str(file_id))
        if stored is None:
            raise TelegramAPIError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }


# -------------------------------------------------------------------- parsing


def _parse_body(content_type: str, body: bytes) -> tuple[dict, dict[str, bytes], dict[str, str]]:
    ctype = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}, {}, {}
    if ctype == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        return data, {}, {}
    if ctype == "application/x-www-form-urlencoded":
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        return _decode_form(form), {}, {}
    if ctype == "multipart/form-data":
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        for headers, payload in _multipart_parts(content_type, body):
            name = headers.get_param("name", header="content-disposition")
            if not name:
                continue
            filename = headers.get_filename()
            if filename is not None:
                files[str(name)] = payload
                filenames[str(name)] = filename
            else:
                charset = headers.get_content_charset() or "utf-8"
                fields[str(name)] = payload.decode(charset)
        return _decode_form(fields), files, filenames
    raise ValueError(f"unsupported content type {ctype!r}")


def _multipart_parts(content_type: str, body: bytes) -> list[tuple[email.message.Message, bytes]]:
    """A multipart/form-data body's parts: (headers, bytes), split at the boundary (RFC 7578).

    The bytes are sliced out at the delimiters rather than run through the e-mail parser line by
    line, so a fake server costs the machine little next to the workers that upload to it.
    """
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    boundary = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header).get_boundary()
    if not boundary:
        raise ValueError("malformed multipart body")
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0 or body.find(delimiter + b"--") < 0:
        raise ValueError("malformed multipart body")
    parts: list[tuple[email.message.Message, bytes]] = []
    for chunk in body[start + len(delimiter) :].split(b"\r\n" + delimiter):
        if chunk.startswith(b"--"):
            break  # the close delimiter
        head, sep, payload = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("malformed multipart body")
        headers = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + b"\r\n\r\n")
        parts.append((headers, payload))
    return parts


def _decode_form(fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _TEXT_FIELDS:
            out[key] = value
        elif value[:1] in ("{", "[") or value in ("true", "false", "null"):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        elif _INT_RE.fullmatch(value):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _reply_target(params: dict) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and reply.get("message_id"):
        return int(reply["message_id"])
    if params.get("reply_to_message_id"):
        return int(params["reply_to_message_id"])
    return None


def _caption(params: dict) -> dict:
    caption = params.get("caption")
    if not caption:
        return {}
    if len(caption) > 1024:
        raise TelegramAPIError(400, "Bad Request: message caption is too long")
    out: dict[str, Any] = {"caption": caption}
    if params.get("caption_entities"):
        out["caption_entities"] = params["caption_entities"]
    return out


def _check_keyboard(markup: Any) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise TelegramAPIError(400, "Bad Request: BUTTON_DATA_INVALID")


def _check_photo(data: bytes) -> None:
    if len(data) > 10_000_000:
        raise TelegramAPIError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    width, height = _image_size(data)
    if width == 0 or height == 0:
        raise TelegramAPIError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    if width + height > 10_000 or max(width, height) / min(width, height) > 20:
        raise TelegramAPIError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")


def _image_size(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return 0, 0


def _mime(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


def _extension(data: bytes, file_name: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(_mime(data), "")


def _entities(text: str) -> list[dict]:
    """URL and bot_command entities, with offsets in UTF-16 code units like the real server."""

    def utf16(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    out = []
    for m in re.finditer(r"https?://\S+|(?<!\S)/[A-Za-z0-9_]+(?:@\w+)?", text):
        kind = "url" if m.group(0).startswith("http") else "bot_command"
        out.append({"type": kind, "offset": utf16(text[: m.start()]), "length": utf16(m.group(0))})
    return out


def _ok(call: Call) -> bool:
    return isinstance(call.response, dict) and bool(call.response.get("ok"))
