"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.runtime import Runtime
from tests.fakes import block_real_network
from tests.utils.kb import sample_kb
from tests.utils.redis import redis_url  # noqa: F401  (a real redis-server, session fixture)


@pytest.fixture(autouse=True)
def _no_real_model_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may reach a real model: dummy key, no base URL, loopback-only HTTP (see tests/fakes)."""
    blocked = block_real_network(monkeypatch)
    yield
    if blocked:  # also caught when a retry/fallback swallowed the RealNetworkBlocked error
        pytest.fail(f"test tried to reach real hosts: {blocked}", pytrace=False)


@pytest.fixture(scope="session")
def sample_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample knowledge base, ingested once per test session (embedding is the slow part)."""
    data = tmp_path_factory.mktemp("sample-kb")
    sample_kb(data)
    return data


@pytest.fixture
def sample_runtime(sample_kb_dir: Path, tmp_path: Path) -> Iterator[Runtime]:
    """A Runtime reading the shared sample knowledge, with its own empty database."""
    runtime = Runtime(Settings(data_dir=sample_kb_dir, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    yield runtime
    runtime.close()
