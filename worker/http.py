"""One shared HTTP client for the thread sources and media, and a bounded retry loop.

Every outside call goes through :func:`get_with_retry`: timeouts and transport errors, 429 and 5xx
answers are retried a bounded number of times, waiting for ``Retry-After`` when the server names a
short delay and backing off exponentially otherwise. What is left after the retries is returned (or,
for a transport failure, raised as :class:`~contract.errors.SourceUnavailable`) for the caller to map to
a sentence.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime

import httpx

from contract.errors import SourceUnavailable
from worker.config import Settings
from worker.limits import (
    HTTP_BACKOFF_BASE_S,
    HTTP_CONNECT_TIMEOUT_S,
    HTTP_MAX_ATTEMPTS,
    HTTP_MAX_CONNECTIONS,
    HTTP_RETRY_AFTER_MAX_S,
    HTTP_TIMEOUT_S,
)

log = logging.getLogger(__name__)

USER_AGENT = "thread-carousel/0.1 (+https://github.com/thread-carousel)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def make_client(settings: Settings | None = None) -> httpx.Client:
    """The client every source and the media fetcher share (thread-safe, pooled)."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(HTTP_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S),
        limits=httpx.Limits(
            max_connections=HTTP_MAX_CONNECTIONS, max_keepalive_connections=HTTP_MAX_CONNECTIONS
        ),
        follow_redirects=False,
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _backoff(attempt: int) -> float:
    base: float = HTTP_BACKOFF_BASE_S * (2**attempt)
    return base * random.uniform(0.8, 1.2)


def get_with_retry(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    attempts: int = HTTP_MAX_ATTEMPTS,
    max_bytes: int | None = None,
) -> httpx.Response:
    """GET ``url``, retrying 429/5xx answers and transport errors; the last answer is returned.

    With ``max_bytes`` only the first ``max_bytes`` of the (decoded) body are read and kept.
    """
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = _get(client, url, params, headers, follow_redirects, max_bytes)
        except httpx.TransportError as exc:  # timeouts, refused connections, protocol errors
            log.warning(
                "GET %s failed (%s), attempt %d/%d", url, exc.__class__.__name__, attempt + 1, attempts
            )
            if last:
                raise SourceUnavailable() from exc
            time.sleep(_backoff(attempt))
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        delay = retry_after_seconds(response)
        if delay is not None and delay > HTTP_RETRY_AFTER_MAX_S:
            log.warning("GET %s: %d with Retry-After %.0fs, not waiting", url, response.status_code, delay)
            return response
        wait = delay if delay is not None else _backoff(attempt)
        log.info("GET %s: %d, retrying in %.2fs", url, response.status_code, wait)
        time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


_BODY_FRAMING = ("content-encoding", "content-length", "transfer-encoding")


def _get(
    client: httpx.Client,
    url: str,
    params: Mapping[str, str | int] | None,
    headers: Mapping[str, str] | None,
    follow_redirects: bool,
    max_bytes: int | None,
) -> httpx.Response:
    if max_bytes is None:
        return client.get(url, params=params, headers=headers, follow_redirects=follow_redirects)
    request = client.build_request("GET", url, params=params, headers=headers)
    streamed = client.send(request, stream=True, follow_redirects=follow_redirects)
    body = bytearray()
    try:
        for chunk in streamed.iter_bytes():
            body.extend(chunk)
            if len(body) >= max_bytes:
                break
    finally:
        streamed.close()
    kept = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _BODY_FRAMING]
    return httpx.Response(
        streamed.status_code, headers=kept, content=bytes(body[:max_bytes]), request=request
    )


def json_body(response: httpx.Response) -> dict:
    """The response's JSON object, or {} when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def host_key(host: str, port: int | None) -> str:
    """``host`` or ``host:port`` as MEDIA_HOSTS spells it (lower case)."""
    host = host.lower().rstrip(".")
    return f"{host}:{port}" if port is not None else host


def is_allowed_listed(host: str, port: int | None, listed: Iterable[str]) -> bool:
    listed = set(listed)
    return host_key(host, port) in listed or (port is None and host.lower() in listed)


def resolves_to_public(host: str, port: int | None = None) -> bool:
    """True when every address ``host`` resolves to is a public (global) one."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    if not infos:
        return False
    for info in infos:
        address = str(info[4][0])
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return False
    return True
