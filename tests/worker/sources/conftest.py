from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.sources import FakeSources
from worker.config import Settings
from worker.http import make_client


@pytest.fixture
def fake() -> Iterator[FakeSources]:
    with FakeSources() as server:
        yield server


@pytest.fixture
def settings(fake: FakeSources) -> Settings:
    return fake.settings()


@pytest.fixture
def client(settings: Settings) -> Iterator[httpx.Client]:
    with make_client(settings) as c:
        yield c
