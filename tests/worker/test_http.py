"""The shared client and its bounded retries, against the fake sources server."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from contract.errors import HostRefused, SourceUnavailable
from tests.fakes.sources import FakeSources
from worker.config import Settings
from worker.http import (
    USER_AGENT,
    BlockedAddress,
    get_with_retry,
    is_public_address,
    make_client,
    retry_after_seconds,
    system_resolve,
)


def test_client_identifies_itself() -> None:
    with FakeSources() as fake, make_client(fake.settings()) as client:
        t = fake.add_x_thread(1)
        client.get(f"{fake.fx_url}/2/status/{t.ids[0]}")
        assert fake.requests[-1].headers["user-agent"] == USER_AGENT
        assert USER_AGENT == "thread-carousel/0.1 (+https://github.com/thread-carousel)"


def test_retry_after_is_honoured() -> None:
    with FakeSources() as fake, make_client(fake.settings()) as client:
        t = fake.add_x_thread(1)
        fake.fail_next("/fx/", 429, headers={"Retry-After": "1"})
        started = time.monotonic()
        response = get_with_retry(client, f"{fake.fx_url}/2/status/{t.ids[0]}")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 0.95
    assert fake.count("/fx/") == 2


def test_backoff_without_retry_after_then_success() -> None:
    with FakeSources() as fake, make_client(fake.settings()) as client:
        t = fake.add_x_thread(1)
        fake.fail_next("/fx/", 503, times=2)
        started = time.monotonic()
        response = get_with_retry(client, f"{fake.fx_url}/2/status/{t.ids[0]}")
        elapsed = time.monotonic() - started
    assert response.status_code == 200 and fake.count("/fx/") == 3
    assert elapsed >= 0.5 * 0.8 + 1.0 * 0.8  # two exponential waits


def test_attempts_are_bounded_and_the_last_answer_returned() -> None:
    with FakeSources() as fake, make_client(fake.settings()) as client:
        fake.fail_next("/fx/", 502, times=10, headers={"Retry-After": "0"})
        response = get_with_retry(client, f"{fake.fx_url}/2/status/12345")
        assert response.status_code == 502 and fake.count("/fx/") == 3


def test_transport_failure_becomes_source_unavailable() -> None:
    listed = Settings(_env_file=None, media_hosts="127.0.0.1:9")  # type: ignore[call-arg]
    with make_client(listed) as client, pytest.raises(SourceUnavailable):
        get_with_retry(client, "http://127.0.0.1:9/", attempts=2)


def test_retry_after_http_date() -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    value = retry_after_seconds(httpx.Response(429, headers={"Retry-After": later}))
    assert value is not None and 25 <= value <= 31
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(429)) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.8",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "0.0.0.0",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 form of 127.0.0.1
        "2002:7f00:1::",  # 6to4 form of 127.0.0.1
        "100.64.0.1",
        "fe80::1",
        "fc00::1",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "not an address",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_system_resolver_answers_literals_without_dns() -> None:
    assert system_resolve("::ffff:127.0.0.1", 443) == ["::ffff:127.0.0.1"]
    assert set(system_resolve("localhost", 80)) <= {"127.0.0.1", "::1"}
    assert system_resolve("no-such-host.invalid", 443) == []


# ------------------------------------------------------------------------------------ SSRF guard

UNLISTED = Settings(_env_file=None)  # type: ignore[call-arg]


def resolver(table: dict[str, list[str]], calls: list[str] | None = None):
    """A resolver for tests: names → the addresses given (a public name may map to loopback)."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return table.get(host, system_resolve(host, port))

    return resolve


def test_public_name_resolving_to_a_private_address_is_refused() -> None:
    with FakeSources() as fake:
        url = fake.add_image("a.png").replace("http://127.0.0.1", "https://images.example.com")
        table = {"images.example.com": ["127.0.0.1"]}
        with make_client(UNLISTED, resolve=resolver(table)) as client:
            with pytest.raises(BlockedAddress, match="non-public address"):
                client.get(url)
            with pytest.raises(HostRefused):
                get_with_retry(client, url)
        assert fake.count("/") == 0  # refused before any connection was made


def test_every_resolved_address_is_checked() -> None:
    table = {"mixed.example.com": ["93.184.216.34", "10.0.0.1"]}
    with (
        make_client(UNLISTED, resolve=resolver(table)) as client,
        pytest.raises(BlockedAddress, match="10.0.0.1"),
    ):
        client.get("https://mixed.example.com/")


def test_ipv4_mapped_ipv6_loopback_is_refused() -> None:
    with FakeSources() as fake, make_client(UNLISTED) as client:
        with pytest.raises(BlockedAddress, match="non-public"):
            client.get(f"https://[::ffff:127.0.0.1]:{fake.port}/media/a.png")
        table = {"mapped.example.com": ["::ffff:7f00:1"]}
        with (
            make_client(UNLISTED, resolve=resolver(table)) as named,
            pytest.raises(BlockedAddress, match="non-public"),
        ):
            named.get(f"https://mapped.example.com:{fake.port}/")
        assert fake.count("/") == 0


def test_plain_http_is_refused_unless_listed() -> None:
    with FakeSources() as fake:
        url = fake.add_image("a.png")
        with make_client(UNLISTED) as client, pytest.raises(BlockedAddress, match="only https"):
            client.get(url)
        with make_client(fake.settings()) as client:
            assert client.get(url).status_code == 200


def test_redirect_to_a_private_address_is_refused_at_that_hop() -> None:
    with FakeSources() as fake:
        fake.add_image("secret.png")
        table = {"internal.example.com": ["127.0.0.1"]}
        hop = fake.add_redirect("hop.png", f"https://internal.example.com:{fake.port}/media/secret.png")
        mapped = fake.add_redirect("mapped.png", f"https://[::ffff:127.0.0.1]:{fake.port}/media/secret.png")
        with make_client(fake.settings(), resolve=resolver(table)) as client:
            for first in (hop, mapped):
                with pytest.raises(BlockedAddress):
                    client.get(first, follow_redirects=True)
                with pytest.raises(HostRefused):
                    get_with_retry(client, first, follow_redirects=True)
        assert fake.count("/media/secret.png") == 0
        assert fake.count("/media/hop.png") == 2 and fake.count("/media/mapped.png") == 2


def test_connection_goes_to_the_checked_address_with_the_name_kept() -> None:
    # a listed name that no DNS knows: the request can only reach the fake through the address the
    # resolver gave, and it arrives with its own Host header
    with FakeSources() as fake:
        fake.add_image("a.png")
        calls: list[str] = []
        settings = Settings(_env_file=None, media_hosts=f"cdn.example.test:{fake.port}")  # type: ignore[call-arg]
        with make_client(settings, resolve=resolver({"cdn.example.test": ["127.0.0.1"]}, calls)) as client:
            for _ in range(2):
                response = client.get(f"http://cdn.example.test:{fake.port}/media/a.png")
                assert response.status_code == 200
        assert fake.requests[-1].headers["host"] == f"cdn.example.test:{fake.port}"
        assert calls == ["cdn.example.test"]  # resolved once; the kept-alive connection reused


TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"


@contextmanager
def tls_server(names: list[str]) -> Iterator[int]:
    """An https server on 127.0.0.1 whose certificate names media.example.test (a test CA's);
    ``names`` collects the server names (SNI) clients ask for."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "media.pem", TLS / "media.key")
    context.sni_callback = lambda sock, name, ctx: names.append(name or "")  # type: ignore[assignment,func-returns-value]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.headers.get("Host", "").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_tls_to_the_pinned_address_still_verifies_the_name() -> None:
    names: list[str] = []
    trust = ssl.create_default_context(cafile=str(TLS / "ca.pem"))
    with tls_server(names) as port:
        listed = f"media.example.test:{port},wrong.example.test:{port}"
        settings = Settings(_env_file=None, media_hosts=listed)  # type: ignore[call-arg]
        table = {"media.example.test": ["127.0.0.1"], "wrong.example.test": ["127.0.0.1"]}
        with make_client(settings, resolve=resolver(table), verify=trust) as client:
            response = client.get(f"https://media.example.test:{port}/a.png")
            assert response.status_code == 200
            assert response.text == f"media.example.test:{port}"  # the Host header kept
            assert names == ["media.example.test"]  # SNI: the name, not the address
            # the same address under a name the certificate does not carry: refused by TLS
            with pytest.raises(httpx.ConnectError, match="certificate|hostname"):
                client.get(f"https://wrong.example.test:{port}/a.png")
