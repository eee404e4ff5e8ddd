"""Fixtures for API/store tests: a temp data dir, a Runtime, the app, a client and a key per role.

Drafts are stored directly with `review.save_new_draft` (see tests/utils/builders.py), so these
tests depend on neither the knowledge base nor a model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.models import Draft
from assistant.review.store import Database
from assistant.runtime import Runtime
from tests.utils.builders import FakeKB, Key, make_keys, seed
from tests.utils.postgres import Unavailable, new_database, running_postgres


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", rate_limit_per_minute=100_000)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    yield rt
    rt.close()


@pytest.fixture
def fake_kb(runtime: Runtime) -> FakeKB:
    """Replaces runtime.kb (a cached_property) for staleness and promotion tests."""
    kb = FakeKB()
    runtime.__dict__["kb"] = kb
    return kb


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def keys(runtime: Runtime) -> dict[str, Key]:
    """{"agent" | "lead" | "admin": Key(principal, token)}; `keys["lead"].headers` for requests."""
    return make_keys(runtime.db)


@pytest.fixture
def seed_draft(runtime: Runtime, keys: dict[str, Key]) -> Callable[..., Draft]:
    """seed_draft(**draft_fields) -> a stored Draft (created by the agent key)."""

    def make(**fields: Any) -> Draft:
        return seed(runtime.db, keys["agent"].principal, **fields)

    return make


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """An admin URL for a throwaway PostgreSQL server (fsync off: tests, not durability), one per module."""
    try:
        with running_postgres() as url:
            yield url
    except Unavailable as exc:
        pytest.skip(str(exc))
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to a new, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    admin_url: str = request.getfixturevalue("postgres")
    return new_database(admin_url)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A review store on each backend."""
    database = Database(db_url)
    yield database
    database.dispose()
