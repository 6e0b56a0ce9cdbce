"""A local fake of Discord's REST API (``/api/v10``), speaking its wire format.

It answers what a discord.py client and a result-posting worker send: login (``/users/@me``,
``/oauth2/applications/@me``), command sync, interaction callbacks, interaction webhooks (follow-ups,
``@original`` edits) and channel messages with the bot token. Every request is recorded as a
:class:`Call` (method, path, query, headers, JSON body or multipart parts with their bytes).

It enforces what Discord enforces and a client can get wrong: JSON replies carry
``Content-Type: application/json`` exactly (discord.py decodes nothing else), channel routes want
``Authorization: Bot <token>``, a message holds at most 10 attachments whose ``attachments[i].id``
match the ``files[i]`` parts, and a file above the size limit gets 413 (code 40005) — the limit is the
test's (``file_size_limit``), or the ``attachment_size_limit`` of the interaction a webhook call belongs to
(:meth:`FakeDiscord.open_interaction`). It keeps the messages it made: each interaction has one
original response with a stable id, an edit or delete of a message it does not know (or of an ephemeral
one, through the channel) gets 404 (code 10008), as on Discord. Tests can queue 429 answers
(``retry_after`` in the JSON body) and expire interaction tokens (401, code 50027).

A minimal gateway answers a client that connects (``gateway_url``): HELLO, a heartbeat ACK, READY
after IDENTIFY; :meth:`FakeDiscord.send_event` then pushes a dispatch (an INTERACTION_CREATE) as
Discord would, in plain text frames.

The server runs on its own thread and event loop, so sync code (httpx) and async code (discord.py
in the test's loop) can both talk to it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import CIMultiDictProxy

API_PREFIX = "/api/v10"
JSON_TYPE = "application/json"
BOT_TOKEN = "fake-bot-token"
APPLICATION_ID = "1100000000000000001"
BOT_USER_ID = "1100000000000000002"
OWNER_ID = "1100000000000000003"
FILE_SIZE_LIMIT = 10 * 1024 * 1024  # Discord's default per-file upload limit
ATTACHMENTS_MAX = 10
EPHEMERAL = 1 << 6
MESSAGE_CONTENT_MAX = 2000  # characters of a message's content
CDN_LINK_LIFETIME_S = 24 * 3600  # Discord's signed attachment links last about a day

# Discord JSON error codes the fake produces
UNKNOWN_WEBHOOK = 10015
UNKNOWN_MESSAGE = 10008
INVALID_WEBHOOK_TOKEN = 50027
UNAUTHORIZED = 40001
REQUEST_TOO_LARGE = 40005
TOO_MANY_ATTACHMENTS = 30015
INVALID_FORM_BODY = 50035


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    parts: list[Part] = field(default_factory=list)
    status: int = 200
    at: float = 0.0  # time.time() when the request arrived
    reply: Any = None  # the JSON the fake answered with

    @property
    def payload(self) -> Any:
        """The JSON body, or the ``payload_json`` part of a multipart body."""
        if self.json is not None:
            return self.json
        for part in self.parts:
            if part.name == "payload_json":
                return part.json()
        return None

    @property
    def files(self) -> list[Part]:
        return [p for p in self.parts if p.name.startswith("files[")]

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


CALL = web.RequestKey("call", Call)


def _user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # web.json_response adds "; charset=utf-8", which discord.py does not decode
    return web.Response(
        body=json.dumps(body).encode(), status=status, content_type=JSON_TYPE, headers=headers
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)


class FakeDiscord:
    """``with FakeDiscord() as fake:`` serves ``fake.api_base`` until the block ends."""

    def __init__(self, *, file_size_limit: int = FILE_SIZE_LIMIT, bot_token: str = BOT_TOKEN) -> None:
        self.file_size_limit = file_size_limit
        self.bot_token = bot_token
        self.application_id = APPLICATION_ID
        self.calls: list[Call] = []
        self.expired_tokens: set[str] = set()
        self.upload_limits: dict[str, int] = {}  # interaction token → its attachment_size_limit
        self.channel_limits: dict[str, int] = {}  # channel → the upload limit of its server
        self.messages: dict[str, dict[str, Any]] = {}  # message id → the message, while it exists
        self.originals: dict[str, str] = {}  # interaction token → its original response's message id
        self._channels: dict[str, str] = {}  # interaction token → its channel
        self._gateway: web.WebSocketResponse | None = None
        self._sequence = itertools.count(2)
        self.identified = threading.Event()  # a client connected to the gateway and sent IDENTIFY
        self.cdn: dict[str, tuple[bytes, str]] = {}  # attachment id → (bytes, content type)
        # [method, path prefix, retry_after, matching requests still to let through first]
        self._rate_limits: list[list[Any]] = []
        self._ids = itertools.count(1_300_000_000_000_000_001)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def start(self) -> FakeDiscord:
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._runner = web.AppRunner(self._app(), access_log=None)
            loop.run_until_complete(self._runner.setup())
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-discord", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("fake Discord server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FakeDiscord:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test controls -----------------------------------------------------------------------

    def rate_limit_next(
        self, method: str, path_prefix: str, retry_after: float = 0.05, *, after: int = 0
    ) -> None:
        """Answer the next matching request with 429 and ``retry_after`` (seconds); ``after``: that
        many matching requests succeed first."""
        with self._lock:
            self._rate_limits.append([method.upper(), path_prefix, retry_after, after])

    def send_event(self, name: str, data: dict[str, Any]) -> None:
        """Push a gateway dispatch (op 0) to the connected client."""
        if self._loop is None or self._gateway is None:
            raise RuntimeError("no client is connected to the fake gateway")
        frame = {"op": 0, "t": name, "s": next(self._sequence), "d": data}
        asyncio.run_coroutine_threadsafe(self._gateway.send_str(json.dumps(frame)), self._loop).result(10)

    def expire_token(self, token: str) -> None:
        self.expired_tokens.add(token)

    def open_interaction(
        self, token: str, channel_id: str, *, attachment_size_limit: int | None = None
    ) -> None:
        """An interaction Discord created: its channel, and the per-file limit it told the app."""
        with self._lock:
            self._channels[token] = channel_id
            if attachment_size_limit is not None:
                self.upload_limits[token] = attachment_size_limit
                self.channel_limits[channel_id] = attachment_size_limit  # the server's, for bot posts too

    def interaction_tokens(self) -> set[str]:
        """Every interaction token the fake has seen (in a webhook or callback path, or opened)."""
        with self._lock:
            seen = set(self._channels) | set(self.originals)
            for call in self.calls:
                parts = call.path.split("/")
                if len(parts) > 3 and parts[1] in ("webhooks", "interactions"):
                    seen.add(parts[3])
        return seen

    def original_id(self, token: str) -> str:
        """The message id of an interaction's original response (made on first use, like a deferral)."""
        with self._lock:
            if token not in self.originals:
                message_id = str(next(self._ids))
                self.originals[token] = message_id
                self.messages[message_id] = {
                    "id": message_id,
                    "channel_id": self._channels.get(token, "0"),
                    "content": "",
                    "flags": 0,
                }
            return self.originals[token]

    def content_of(self, message_id: str) -> str | None:
        """What a message says now; None once it is deleted (or never existed)."""
        message = self.messages.get(message_id)
        return None if message is None else str(message.get("content", ""))

    def find(self, method: str, path_prefix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method.upper() and c.path.startswith(path_prefix)]

    def new_id(self) -> str:
        return str(next(self._ids))

    def add_attachment(self, filename: str, data: bytes, content_type: str) -> dict[str, Any]:
        """A file a user attached to a slash command: the ``resolved.attachments`` entry for it.

        Its ``url`` is signed like Discord's (``ex``/``is``/``hm``) and served by the fake's CDN route.
        """
        attachment_id = self.new_id()
        self.cdn[attachment_id] = (data, content_type)
        issued = int(time.time())
        signature = f"ex={issued + CDN_LINK_LIFETIME_S:x}&is={issued:x}&hm={'ab' * 32}&"
        url = f"{self.api_base}/cdn/{attachment_id}/{filename}?{signature}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
            "ephemeral": True,
        }

    # --- plumbing ----------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._record])
        r = app.router
        p = API_PREFIX
        r.add_get(p + "/users/@me", self._me)
        r.add_get(p + "/oauth2/applications/@me", self._application)
        r.add_get(p + "/gateway/bot", self._gateway_bot)
        r.add_get(p + "/gateway", self._gateway_bot)
        r.add_put(p + "/applications/{app}/commands", self._sync_commands)
        r.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._sync_commands)
        r.add_post(p + "/interactions/{iid}/{token}/callback", self._callback)
        r.add_post(p + "/webhooks/{app}/{token}", self._webhook_post)
        r.add_patch(p + "/webhooks/{app}/{token}/messages/{mid}", self._webhook_edit)
        r.add_get(p + "/webhooks/{app}/{token}/messages/{mid}", self._webhook_get)
        r.add_delete(p + "/webhooks/{app}/{token}/messages/{mid}", self._webhook_delete)
        r.add_post(p + "/channels/{cid}/messages", self._channel_post)
        r.add_patch(p + "/channels/{cid}/messages/{mid}", self._channel_edit)
        r.add_delete(p + "/channels/{cid}/messages/{mid}", self._channel_delete)
        r.add_get(p + "/cdn/{aid}/{name}", self._cdn)
        r.add_get("/gateway", self._gateway_socket)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        arrived = time.time()
        body_json: Any = None
        parts: list[Part] = []
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: Discord does not use it
                data = await part.read(decode=False)
                parts.append(
                    Part(
                        name=part.name or "",
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                )
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                body_json = json.loads(raw)
        path = request.path.removeprefix(API_PREFIX)
        call = Call(
            method=request.method,
            path=path,
            query=dict(request.query),
            headers={k.lower(): v for k, v in _headers(request.headers)},
            json=body_json,
            parts=parts,
            at=arrived,
        )
        limited = self._take_rate_limit(request.method, path)
        if limited is not None:
            response: web.StreamResponse = _json(
                {"message": "You are being rate limited.", "retry_after": limited, "global": False},
                status=429,
                headers={
                    "Retry-After": str(max(1, round(limited))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(limited),
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "user",
                },
            )
        else:
            request[CALL] = call
            response = await handler(request)
        reply = None
        if isinstance(response, web.Response) and response.content_type == JSON_TYPE and response.body:
            reply = json.loads(response.body)  # type: ignore[arg-type]
        with self._lock:
            self.calls.append(replace(call, status=response.status, reply=reply))
        return response

    def _take_rate_limit(self, method: str, path: str) -> float | None:
        with self._lock:
            for i, (m, prefix, retry_after, after) in enumerate(self._rate_limits):
                if m == method and path.startswith(prefix):
                    if after > 0:
                        self._rate_limits[i][3] = after - 1
                        return None
                    del self._rate_limits[i]
                    return float(retry_after)
        return None

    def _message(
        self, channel_id: str, call: Call, *, webhook: bool, message_id: str | None = None
    ) -> dict[str, Any]:
        payload = call.payload or {}
        attachments = []
        files = call.files
        for meta in payload.get("attachments", []):
            part = files[int(meta["id"])] if int(meta["id"]) < len(files) else None
            data = part.data if part is not None else b""
            attachment_id = self.new_id()
            self.cdn[attachment_id] = (
                data,
                (part.content_type if part else None) or "application/octet-stream",
            )
            attachments.append(
                {
                    "id": attachment_id,
                    "filename": meta["filename"],
                    "description": meta.get("description"),
                    "size": len(data),
                    "url": f"{self.api_base}/cdn/{attachment_id}/{meta['filename']}",
                    "proxy_url": f"{self.api_base}/cdn/{attachment_id}/{meta['filename']}",
                }
            )
        message = {
            "id": message_id or self.new_id(),
            "channel_id": channel_id,
            "type": 0,
            "content": payload.get("content", ""),
            "author": _user(BOT_USER_ID, "carousel", bot=True),
            "attachments": attachments,
            "embeds": payload.get("embeds", []),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "flags": payload.get("flags", 0),
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "components": payload.get("components", []),  # echoed as sent, like Discord
        }
        if webhook:
            message["webhook_id"] = self.application_id
            message["application_id"] = self.application_id
        with self._lock:
            kept = self.messages.get(message["id"], {})
            if message_id is not None and "content" not in payload:  # an edit keeps what it does not change
                message["content"] = kept.get("content", "")
            if message_id is not None:
                message["flags"] = payload.get("flags", kept.get("flags", 0))
            self.messages[message["id"]] = message
        return message

    def _check_upload(
        self, call: Call, token: str | None = None, channel: str | None = None
    ) -> web.Response | None:
        payload = call.payload or {}
        if len(str(payload.get("content") or "")) > MESSAGE_CONTENT_MAX:
            too_long = f"Invalid Form Body: content: Must be {MESSAGE_CONTENT_MAX} or fewer in length."
            return _error(400, INVALID_FORM_BODY, too_long)
        metas = payload.get("attachments", [])
        files = call.files
        if len(files) > ATTACHMENTS_MAX or len(metas) > ATTACHMENTS_MAX:
            message = f"Maximum number of attachments in a message reached ({ATTACHMENTS_MAX})"
            return _error(400, TOO_MANY_ATTACHMENTS, message)
        if len(metas) != len(files):
            return _error(400, INVALID_FORM_BODY, "Invalid Form Body: attachments do not match files")
        for meta in metas:
            index = int(meta["id"])
            if index >= len(files) or files[index].name != f"files[{index}]":
                return _error(400, INVALID_FORM_BODY, f"Invalid Form Body: no files[{index}] part")
        if token:
            limit = self.upload_limits.get(token, self.file_size_limit)
        else:
            limit = self.channel_limits.get(channel or "", self.file_size_limit)
        for f in files:
            if len(f.data) > limit:
                return _error(413, REQUEST_TOO_LARGE, "Request entity too large")
        return None

    def _check_token(self, token: str) -> web.Response | None:
        if token in self.expired_tokens:
            return _error(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        return None

    def _check_bot(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bot {self.bot_token}":
            return _error(401, UNAUTHORIZED, "401: Unauthorized")
        return None

    # --- handlers ----------------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        return self._check_bot(request) or _json(_user(BOT_USER_ID, "carousel", bot=True))

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": self.application_id,
                "name": "carousel",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "00" * 32,
                "owner": _user(OWNER_ID, "owner"),
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return _json({"url": "ws://127.0.0.1:1", "shards": 1})

    async def _sync_commands(self, request: web.Request) -> web.Response:
        commands = request[CALL].json or []
        out = []
        for command in commands:
            item = dict(command)
            item.update(id=self.new_id(), application_id=request.match_info["app"], version="1")
            item.setdefault("type", 1)
            item.setdefault("description", "")  # Discord answers "" for context menus
            item.setdefault("default_member_permissions", None)
            item.setdefault("nsfw", False)
            if "guild" in request.match_info:
                item["guild_id"] = request.match_info["guild"]
            out.append(item)
        return _json(out)

    async def _callback(self, request: web.Request) -> web.Response:
        body = request[CALL].payload or {}
        response_type = body.get("type")
        flags = (body.get("data") or {}).get("flags", 0)
        if response_type in (4, 5):  # the original response exists from now on
            original = self.messages[self.original_id(request.match_info["token"])]
            original.update(content=(body.get("data") or {}).get("content", ""), flags=flags)
        return _json(
            {
                "interaction": {
                    "id": request.match_info["iid"],
                    "type": 2,
                    "response_message_loading": response_type == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                },
                "resource": {"type": response_type},
            }
        )

    def _webhook_message_id(self, token: str, mid: str) -> str | None:
        """The id a webhook route names (``@original``: the interaction's original); None if unknown."""
        message_id = self.original_id(token) if mid == "@original" else mid
        return message_id if message_id in self.messages else None

    async def _webhook_post(self, request: web.Request) -> web.StreamResponse:
        call: Call = request[CALL]
        token = request.match_info["token"]
        problem = self._check_token(token) or self._check_upload(call, token)
        if problem is not None:
            return problem
        message = self._message(self._channels.get(token, "0"), call, webhook=True)
        if request.query.get("wait", "false").lower() not in ("1", "true"):
            return web.Response(status=204)
        return _json(message)

    async def _webhook_edit(self, request: web.Request) -> web.Response:
        call: Call = request[CALL]
        token = request.match_info["token"]
        problem = self._check_token(token) or self._check_upload(call, token)
        if problem is not None:
            return problem
        message_id = self._webhook_message_id(token, request.match_info["mid"])
        if message_id is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        return _json(self._message(self._channels.get(token, "0"), call, webhook=True, message_id=message_id))

    async def _webhook_get(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        problem = self._check_token(token)
        if problem is not None:
            return problem
        message_id = self._webhook_message_id(token, request.match_info["mid"])
        if message_id is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        return _json({**self.messages[message_id], "author": _user(BOT_USER_ID, "carousel", bot=True)})

    async def _webhook_delete(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        problem = self._check_token(token)
        if problem is not None:
            return problem
        message_id = self._webhook_message_id(token, request.match_info["mid"])
        if message_id is None:
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        with self._lock:
            del self.messages[message_id]
        return web.Response(status=204)

    async def _channel_post(self, request: web.Request) -> web.Response:
        call: Call = request[CALL]
        problem = self._check_bot(request) or self._check_upload(call, channel=request.match_info["cid"])
        if problem is not None:
            return problem
        return _json(self._message(request.match_info["cid"], call, webhook=False))

    async def _channel_edit(self, request: web.Request) -> web.Response:
        call: Call = request[CALL]
        problem = self._check_bot(request) or self._check_upload(call)
        if problem is not None:
            return problem
        cid, mid = request.match_info["cid"], request.match_info["mid"]
        if not self._editable(mid):
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        return _json(self._message(cid, call, webhook=False, message_id=mid))

    def _editable(self, message_id: str) -> bool:
        """Through the channel, with the bot token: a message that exists and is not ephemeral."""
        message = self.messages.get(message_id)
        return message is not None and not int(message.get("flags") or 0) & EPHEMERAL

    async def _channel_delete(self, request: web.Request) -> web.Response:
        problem = self._check_bot(request)
        if problem is not None:
            return problem
        mid = request.match_info["mid"]
        if not self._editable(mid):
            return _error(404, UNKNOWN_MESSAGE, "Unknown Message")
        with self._lock:
            del self.messages[mid]
        return web.Response(status=204)

    async def _gateway_socket(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO; heartbeats acknowledged; READY after IDENTIFY (op codes 10, 1 → 11, 2 → READY)."""
        socket_ = web.WebSocketResponse()
        await socket_.prepare(request)
        await socket_.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for frame in socket_:
            message = json.loads(frame.data)
            if message.get("op") == 1:
                await socket_.send_str(json.dumps({"op": 11}))
            elif message.get("op") == 2:
                ready = {
                    "v": 10,
                    "user": _user(BOT_USER_ID, "carousel", bot=True),
                    "guilds": [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": self.application_id, "flags": 0},
                }
                await socket_.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": ready}))
                self._gateway = socket_
                self.identified.set()
        return socket_

    async def _cdn(self, request: web.Request) -> web.Response:
        stored = self.cdn.get(request.match_info["aid"])
        expiry = request.query.get("ex")
        if stored is None or (expiry is not None and int(expiry, 16) < time.time()):
            return web.Response(status=404, text="This content is no longer available.")
        data, content_type = stored
        return web.Response(body=data, content_type=content_type)


def _headers(headers: CIMultiDictProxy[str]) -> Iterator[tuple[str, str]]:
    yield from headers.items()
