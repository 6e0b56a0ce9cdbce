"""Reading a response body within a byte cap and a deadline, whatever the server does.

The cap is enforced on the *decoded* bytes, with our own decompression that never produces more
than the cap allows: a gzip or deflate "bomb" (kilobytes that inflate to gigabytes) is stopped at the
cap without ever holding more than the cap in memory. Encodings we did not ask for (brotli, zstd, …)
are refused rather than passed through. The deadline bounds the whole read, so a server trickling one
byte every few seconds (each read within the socket timeout) still ends at the deadline.
"""

from __future__ import annotations

import time
import zlib

import httpx

ACCEPT_ENCODING = "gzip, deflate"  # what read_body can decode within a cap


class BodyRefused(Exception):
    """The body broke a bound (too big, too slow, an encoding we cannot bound); the reason is the message."""


class BodyTooLarge(BodyRefused):
    pass


class BodyTooSlow(BodyRefused):
    pass


class _Inflater:
    """gzip / zlib / raw deflate, decoded at most ``room`` bytes at a time."""

    def __init__(self, encoding: str) -> None:
        # 32 + 15: gzip or zlib header detected; "deflate" in the wild is zlib or raw, decided on use
        self.encoding = encoding
        self.obj = zlib.decompressobj(32 + 15 if encoding == "gzip" else 15)
        self.first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to ``room + 1`` decoded bytes of ``data`` (one more than fits tells the caller it is over)."""
        if self.first and self.encoding == "deflate":
            self.first = False
            try:
                return self.obj.decompress(data, room + 1)
            except zlib.error:
                self.obj = zlib.decompressobj(-15)  # raw deflate, no zlib header
        self.first = False
        try:
            return self.obj.decompress(data, room + 1)
        except zlib.error as exc:
            raise BodyRefused(f"undecodable {self.encoding} body") from exc


def read_body(response: httpx.Response, max_bytes: int, deadline: float, *, truncate: bool = False) -> bytes:
    """The body of a streamed ``response``, decoded, at most ``max_bytes``, read by ``deadline``
    (a ``time.monotonic()`` value). Raises :class:`BodyRefused`; with ``truncate``, a longer body is
    cut at ``max_bytes`` instead of refused."""
    encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
    encodings = [e for e in encodings if e and e != "identity"]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "deflate", "x-gzip")):
        raise BodyRefused(f"content encoding {', '.join(encodings)!r} refused")
    inflater = _Inflater("gzip" if encodings[0] == "x-gzip" else encodings[0]) if encodings else None
    length = response.headers.get("content-length", "")
    if not truncate and not encodings and length.isdigit() and int(length) > max_bytes:
        raise BodyTooLarge(f"{length} bytes is over the {max_bytes} byte cap")
    body = bytearray()
    for raw in response.iter_raw():
        if time.monotonic() > deadline:
            raise BodyTooSlow("the body did not arrive in time")
        room = max_bytes - len(body)
        body += raw if inflater is None else inflater.feed(raw, room)
        if len(body) > max_bytes:
            if truncate:
                return bytes(body[:max_bytes])
            raise BodyTooLarge(f"over the {max_bytes} byte cap")
    if time.monotonic() > deadline:
        raise BodyTooSlow("the body did not arrive in time")
    return bytes(body)
