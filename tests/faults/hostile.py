"""A hostile HTTP server: what a malicious Mastodon instance or media host could answer.

Every path answers, whatever follows its first segment (so it can stand in for any API base):

* ``/bomb/…``     a gzip body of a few MB that inflates to :data:`BOMB_BYTES` (2 GB)
* ``/trickle/…``  a JSON body sent one byte every ``trickle_interval`` seconds, forever
* ``/huge/…``     a :data:`HUGE_BYTES` body with its Content-Length announced
* ``/endless/…``  a chunked body without Content-Length that never ends
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOMB_BYTES = 2 * 1024**3
HUGE_BYTES = 300 * 1024**2
CHUNK = b" " * (1024 * 1024)


@functools.cache
def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """A gzip stream of ``size`` spaces, a few MB long (built once per test session, in about a second).

    One 64 MB block of spaces is deflated once, ending at a full flush (byte-aligned, no reference
    to earlier data); the same raw block then repeats, so nothing of 2 GB is ever compressed here.
    """
    block = b" " * (64 * 1024 * 1024)
    count = size // len(block)
    first = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = first.compress(block) + first.flush(zlib.Z_FULL_FLUSH)  # gzip header + block one
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    middle = raw.compress(block) + raw.flush(zlib.Z_FULL_FLUSH)
    end = raw.flush(zlib.Z_FINISH)  # an empty final block
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (count * len(block)) & 0xFFFFFFFF)
    return head + middle * (count - 1) + end + trailer


class HostileServer:
    def __init__(self, trickle_interval: float = 2.0) -> None:
        self.trickle_interval = trickle_interval
        self.hits: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.hits.append(self.path)
                kind = self.path.strip("/").split("/", 1)[0]
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    getattr(self, f"_{kind}", self._missing)()
                self.close_connection = True

            def _head(self, headers: dict[str, str]) -> None:
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()

            def _bomb(self) -> None:
                body = gzip_bomb()
                self._head(
                    {"Content-Type": "application/json", "Content-Encoding": "gzip",
                     "Content-Length": str(len(body))}
                )
                self.wfile.write(body)

            def _trickle(self) -> None:
                self._head({"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
                for _ in itertools.count():
                    self.wfile.write(b"1\r\n \r\n")
                    self.wfile.flush()
                    time.sleep(owner.trickle_interval)

            def _huge(self) -> None:
                self._head({"Content-Type": "application/json", "Content-Length": str(HUGE_BYTES)})
                for _ in range(HUGE_BYTES // len(CHUNK)):
                    self.wfile.write(CHUNK)

            def _endless(self) -> None:
                self._head({"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
                for _ in itertools.count():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))

            def _missing(self) -> None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
