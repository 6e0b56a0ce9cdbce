"""The shared client and its bounded retries, against the fake sources server."""

from __future__ import annotations

import time

import httpx
import pytest

from contract.errors import SourceUnavailable
from tests.fakes.sources import FakeSources
from worker.http import USER_AGENT, get_with_retry, make_client, resolves_to_public, retry_after_seconds


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
    with make_client() as client, pytest.raises(SourceUnavailable):
        get_with_retry(client, "http://127.0.0.1:9/", attempts=2)


def test_retry_after_http_date() -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    value = retry_after_seconds(httpx.Response(429, headers={"Retry-After": later}))
    assert value is not None and 25 <= value <= 31
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(429)) is None


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.0.0.8",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "fe80::1",
        "no-such-host.invalid",
    ],
)
def test_non_public_addresses(host: str) -> None:
    assert not resolves_to_public(host)


def test_public_address_literal() -> None:
    assert resolves_to_public("8.8.8.8")
