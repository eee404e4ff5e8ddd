"""Roles x endpoints: who may call what. Every authenticated route of the app must be in the table.

Probes pass authentication but fail validation (a JSON body with an unknown field, `limit=0`, an
unknown id), so an allowed role gets 200/404/422 without doing real work, a refused one gets 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.runtime import Runtime
from tests.utils.builders import ROLES, Key, make_keys

ALL = frozenset(ROLES)
LEADS = frozenset({"lead", "admin"})
ADMINS = frozenset({"admin"})

EXPECTATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/me"): ALL,
    ("POST", "/v1/knowledge/documents"): LEADS,
    ("POST", "/v1/knowledge/documents/markdown"): LEADS,
    ("DELETE", "/v1/knowledge/documents/{doc_id}"): LEADS,
    ("GET", "/v1/knowledge/search"): ALL,
    ("POST", "/v1/triage"): ALL,
    ("POST", "/v1/drafts"): ALL,
    ("POST", "/v1/drafts/stream"): ALL,
    ("GET", "/v1/drafts/{draft_id}"): ALL,
    ("GET", "/v1/drafts/{draft_id}/history"): ALL,
    ("GET", "/v1/drafts/{draft_id}/sentences"): ALL,
    ("PATCH", "/v1/drafts/{draft_id}"): ALL,
    ("POST", "/v1/drafts/{draft_id}/approve"): ALL,
    ("POST", "/v1/drafts/{draft_id}/reject"): ALL,
    ("POST", "/v1/drafts/{draft_id}/posted"): ALL,
    ("POST", "/v1/drafts/{draft_id}/regenerate"): ALL,
    ("POST", "/v1/drafts/{draft_id}/promote"): LEADS,
    ("GET", "/v1/queue"): ALL,
    ("POST", "/v1/incidents"): LEADS,
    ("GET", "/v1/incidents"): ALL,
    ("GET", "/v1/incidents/{incident_id}"): ALL,
    ("GET", "/v1/incidents/{incident_id}/metrics"): ALL,
    ("POST", "/v1/incidents/{incident_id}/updates"): ALL,
    ("GET", "/v1/incidents/{incident_id}/gaps"): ALL,
    ("POST", "/v1/incidents/{incident_id}/gaps/{key}/entry"): LEADS,
    ("GET", "/v1/incidents/{incident_id}/report"): ALL,
    ("GET", "/v1/incidents/{incident_id}/lessons"): ALL,
    ("PUT", "/v1/incidents/{incident_id}/lessons"): LEADS,
    ("POST", "/v1/incidents/{incident_id}/influencer-brief"): ALL,
    ("GET", "/v1/audit"): LEADS,
    ("GET", "/v1/alerts"): ALL,
    ("POST", "/v1/check"): ALL,
    ("POST", "/v1/batches"): ALL,
    ("GET", "/v1/batches"): ALL,
    ("GET", "/v1/batches/{batch_id}"): ALL,
    ("POST", "/v1/batches/{batch_id}/run"): ALL,
    ("GET", "/v1/batches/{batch_id}/groups"): ALL,
    ("GET", "/v1/batches/{batch_id}/groups/{group_id}"): ALL,
    ("POST", "/v1/batches/{batch_id}/groups/{group_id}/approve"): ALL,
    ("POST", "/v1/batches/{batch_id}/groups/{group_id}/edit"): ALL,
    ("GET", "/v1/batches/{batch_id}/export"): ALL,
}
# Path parameters that validate but match nothing; a too-long doc id fails validation (no KB work).
PATH_VALUES = {"draft_id": "no-such-draft", "incident_id": "no-such-incident", "doc_id": "x" * 201,
               "key": "0123456789ab", "batch_id": "no-such-batch", "group_id": "1"}
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz")}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient, dict[str, Key]]]:
    """One app for the whole matrix (the probes change nothing)."""
    runtime = Runtime(Settings(data_dir=tmp_path_factory.mktemp("roles"), rate_limit_per_minute=100_000))
    app = create_app(runtime=runtime)
    with TestClient(app) as client:
        yield app, client, make_keys(runtime.db)


@pytest.fixture
def app(env: tuple[FastAPI, TestClient, dict[str, Key]]) -> FastAPI:
    return env[0]


@pytest.fixture
def client(env: tuple[FastAPI, TestClient, dict[str, Key]]) -> TestClient:
    return env[1]


@pytest.fixture
def keys(env: tuple[FastAPI, TestClient, dict[str, Key]]) -> dict[str, Key]:
    return env[2]


def probe(client: TestClient, method: str, template: str, headers: dict[str, str]) -> Any:
    path = template.format(**PATH_VALUES)
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {"__probe__": True}
    elif method == "GET":
        kwargs["params"] = {"limit": 0}
    return client.request(method, path, **kwargs)


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    routes = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    missing = routes - set(EXPECTATIONS) - PUBLIC
    assert not missing, f"add these routes to EXPECTATIONS: {sorted(missing)}"
    assert set(EXPECTATIONS) <= routes, f"stale entries: {sorted(set(EXPECTATIONS) - routes)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(EXPECTATIONS))
def test_role_matrix(client: TestClient, keys: dict[str, Key], method: str, path: str, role: str) -> None:
    response = probe(client, method, path, keys[role].headers)
    if role in EXPECTATIONS[(method, path)]:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTATIONS))
@pytest.mark.parametrize("auth", [None, "Bearer cd_0000_not-a-key", "Bearer nonsense", "Basic dXNlcjpwdw=="])
def test_no_or_bad_key_is_401(client: TestClient, keys: dict[str, Key], method: str, path: str,
                              auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = probe(client, method, path, headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthorized"
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_forged_secret_for_a_real_key_id_is_401(client: TestClient, keys: dict[str, Key]) -> None:
    key_id = keys["admin"].principal.key_id
    forged = {"Authorization": f"Bearer cd_{key_id}_{'A' * 43}"}
    assert client.get("/v1/me", headers=forged).status_code == 401
    assert client.get("/v1/me", headers=keys["admin"].headers).json()["role"] == "admin"
