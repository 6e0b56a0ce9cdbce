"""One guarded HTTP client for the thread sources and media, and a bounded retry loop.

:func:`make_client` is the only client that fetches anything a user's input leads to: its transport
resolves each host once, refuses the connection unless every address is public (``MEDIA_HOSTS``
excepted), and connects to the checked address; each redirect hop is a new request through the same
check. Plain http is refused except to listed hosts. Nothing else in the worker follows redirects.

Every outside call goes through :func:`get_with_retry`: timeouts and transport errors, 429 and 5xx
answers are retried a bounded number of times, waiting for ``Retry-After`` when the server names a
short delay and backing off exponentially otherwise. What is left after the retries is returned (or,
for a transport failure, raised as :class:`~contract.errors.SourceUnavailable`) for the caller to map to
a sentence.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx

from contract.errors import HostRefused, SourceTooLarge, SourceTooSlow, SourceUnavailable
from worker.bounded import ACCEPT_ENCODING, BodyRefused, BodyTooLarge, BodyTooSlow, read_body
from worker.config import Settings
from worker.limits import (
    FETCH_DEADLINE_S,
    HTTP_BACKOFF_BASE_S,
    HTTP_CONNECT_TIMEOUT_S,
    HTTP_MAX_ATTEMPTS,
    HTTP_MAX_CONNECTIONS,
    HTTP_RETRY_AFTER_MAX_S,
    HTTP_TIMEOUT_S,
    SOURCE_MAX_BYTES,
)
from worker.metrics import RETRIES

log = logging.getLogger(__name__)

USER_AGENT = "thread-carousel/0.1 (+https://github.com/thread-carousel)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context (the CA bundle read once) for every client of this process and of the work
    horses forked from it: each job makes its clients without reading certificates again."""
    return httpx.create_ssl_context(trust_env=False)


def make_client(
    settings: Settings | None = None,
    *,
    resolve: Resolver | None = None,
    verify: ssl.SSLContext | None = None,
) -> httpx.Client:
    """The guarded client every source and the media fetcher share (thread-safe, pooled).

    ``resolve`` replaces the system resolver (tests map a public-looking name to 127.0.0.1 with it);
    ``verify`` replaces the system's trusted certificates (tests trust their own CA);
    ``settings.media_hosts`` lists the only hosts allowed on non-public addresses or plain http.
    """
    limits = httpx.Limits(
        max_connections=HTTP_MAX_CONNECTIONS, max_keepalive_connections=HTTP_MAX_CONNECTIONS
    )
    transport = GuardedTransport(
        resolve=resolve or system_resolve,
        listed=settings.extra_media_hosts if settings is not None else (),
        limits=limits,
        verify=verify,
    )
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(HTTP_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S),
        transport=transport,
        follow_redirects=False,
        trust_env=False,  # an environment proxy would connect for us, past the address check
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
    deadline_s: float = FETCH_DEADLINE_S,
) -> httpx.Response:
    """GET ``url``, retrying 429/5xx answers and transport errors; the last answer is returned.

    Everything, retries included, ends within ``deadline_s``; the decoded body is capped at
    ``SOURCE_MAX_BYTES`` (a longer one is :class:`SourceTooLarge`). With ``max_bytes`` only the first
    ``max_bytes`` of the decoded body are read and kept.
    """
    deadline = time.monotonic() + deadline_s
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = _get(client, url, params, headers, follow_redirects, max_bytes, deadline)
        except BlockedAddress as exc:  # never retried: the answer would be the same
            log.warning("GET %s refused: %s", url, exc)
            raise HostRefused() from exc
        except httpx.TransportError as exc:  # timeouts, refused connections, protocol errors
            log.warning(
                "GET %s failed (%s), attempt %d/%d", url, exc.__class__.__name__, attempt + 1, attempts
            )
            wait = _backoff(attempt)
            if last or time.monotonic() + wait >= deadline:
                if isinstance(exc, httpx.TimeoutException) and time.monotonic() >= deadline - 0.5:
                    raise SourceTooSlow() from exc
                raise SourceUnavailable() from exc
            RETRIES.labels("fetch").inc()
            time.sleep(wait)
            continue
        except BodyTooLarge as exc:
            log.warning("GET %s: %s", url, exc)
            raise SourceTooLarge() from exc
        except BodyTooSlow as exc:
            log.warning("GET %s: %s", url, exc)
            raise SourceTooSlow() from exc
        except BodyRefused as exc:
            log.warning("GET %s: %s", url, exc)
            raise SourceUnavailable() from exc
        if response.status_code not in RETRY_STATUSES or last:
            return response
        delay = retry_after_seconds(response)
        if delay is not None and delay > HTTP_RETRY_AFTER_MAX_S:
            log.warning("GET %s: %d with Retry-After %.0fs, not waiting", url, response.status_code, delay)
            return response
        wait = delay if delay is not None else _backoff(attempt)
        if time.monotonic() + wait >= deadline:
            return response
        log.info("GET %s: %d, retrying in %.2fs", url, response.status_code, wait)
        RETRIES.labels("fetch").inc()
        time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def request_timeout(client: httpx.Client, deadline: float) -> httpx.Timeout:
    """The client's socket timeouts, shortened so that none reaches past ``deadline`` (monotonic)."""
    left = max(0.1, deadline - time.monotonic())
    own = client.timeout

    def cut(value: float | None, default: float) -> float:
        return min(value if value is not None else default, left)

    return httpx.Timeout(
        cut(own.read, HTTP_TIMEOUT_S),
        connect=cut(own.connect, HTTP_CONNECT_TIMEOUT_S),
        write=cut(own.write, HTTP_TIMEOUT_S),
        pool=cut(own.pool, HTTP_TIMEOUT_S),
    )


_BODY_FRAMING = ("content-encoding", "content-length", "transfer-encoding")


def _get(
    client: httpx.Client,
    url: str,
    params: Mapping[str, str | int] | None,
    headers: Mapping[str, str] | None,
    follow_redirects: bool,
    max_bytes: int | None,
    deadline: float,
) -> httpx.Response:
    request = client.build_request(
        "GET", url, params=params, headers=headers, timeout=request_timeout(client, deadline)
    )
    streamed = client.send(request, stream=True, follow_redirects=follow_redirects)
    try:
        body = read_body(streamed, max_bytes or SOURCE_MAX_BYTES, deadline, truncate=max_bytes is not None)
    finally:
        streamed.close()
    kept = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _BODY_FRAMING]
    return httpx.Response(streamed.status_code, headers=kept, content=body, request=streamed.request)


def json_body(response: httpx.Response) -> dict:
    """The response's JSON object, or {} when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# ------------------------------------------------------------------------------ guarded connections
#
# Every request the worker makes because of what a user sent (a thread API on the instance a link
# names, an image a source's answer names, every redirect hop) goes through one client whose
# transport refuses non-public addresses. The check lives where the socket is opened: the name is
# resolved once, every address it resolves to is checked, and the socket is opened to a checked
# address (never to the name again, so a second DNS answer cannot differ from the checked one). TLS
# still runs against the name (SNI, certificate verification) and the Host header is unchanged.
# ``MEDIA_HOSTS`` is the only way to let a loopback or private address through (tests).

Resolver = Callable[[str, int], Sequence[str]]
"""``(host, port)`` → the addresses to connect to, in order (an injectable dependency for tests)."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(httpx.ConnectError):
    """A connection was refused before it was opened: the host is not public (or not https)."""


def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host`` (an IP literal is its own answer)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return [host]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    out: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in out:
            out.append(address)
    return out


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; loopback, private, link-local, multicast,
    reserved and unspecified addresses are not, nor IPv6 forms that embed one (IPv4-mapped, NAT64,
    6to4, Teredo)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: list[ipaddress.IPv4Address] = []
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.extend(ip.teredo)
        if any(not is_public_address(str(v4)) for v4 in embedded):
            return False
    return not (
        not ip.is_global
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def is_listed(host: str, port: int | None, listed: Iterable[str]) -> bool:
    """``host`` (on ``port``) is in ``MEDIA_HOSTS``: ``host:port``, or ``host`` for a default port."""
    listed = set(listed)
    host = host.lower().rstrip(".")
    if port is not None and f"{host}:{port}" in listed:
        return True
    return host in listed and port in (None, 80, 443)


class _GuardedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to checked addresses of the requested name."""

    def __init__(self, resolve: Resolver, listed: frozenset[str]) -> None:
        self._resolve = resolve
        self._listed = listed

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        listed = is_listed(host, port, self._listed)
        addresses = list(self._resolve(host, port))
        if not addresses:
            raise BlockedAddress(f"{host} does not resolve")
        if not listed:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                raise BlockedAddress(f"{host} resolves to a non-public address ({refused[0]})")
        last: Exception | None = None
        for address in addresses:  # the checked addresses, never the name again
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, connecting through :class:`_GuardedBackend`; plain http only to listed hosts."""

    def __init__(
        self,
        *,
        resolve: Resolver = system_resolve,
        listed: Iterable[str] = (),
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        super().__init__(verify=verify or tls_context(), limits=limits, trust_env=False)
        self.listed = frozenset(h.strip().lower() for h in listed if h.strip())
        # httpx builds its pool without a way to pass a network backend: the same pool, with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify or tls_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(resolve, self.listed),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme != "https" and not is_listed(url.host, url.port, self.listed):
            raise BlockedAddress(f"only https is fetched, not {url.scheme}://{url.host}", request=request)
        try:
            return super().handle_request(request)
        except BlockedAddress as exc:
            exc.request = request
            raise
