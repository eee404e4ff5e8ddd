"""Influencer briefs through the real app on the sample knowledge: grounded, cited, guarded, stored
as a `brief` draft that only a lead approves; bad requests get a clear 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.knowledge.store import KnowledgeBase
from assistant.runtime import Runtime
from tests.utils.builders import Key

URL = "/v1/incidents/recall-2026-11/influencer-brief"
POST = {"text": "Alpena granola has METAL in it?! My followers need to know. Boycott!", "author": "Lena Park",
        "platform": "instagram", "followers": 2_000_000}


@pytest.fixture(scope="module")
def sample_kb(sample_kb_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(Settings(data_dir=sample_kb_dir))  # ingested once per session (tests/conftest.py)


@pytest.fixture
def sample(runtime: Runtime, sample_kb: KnowledgeBase) -> Runtime:
    runtime.__dict__["kb"] = sample_kb  # the briefs only read it
    return runtime


def _post(client: TestClient, key: Key, body: dict[str, Any]) -> Any:
    return client.post(URL, headers=key.headers, json=body)


def test_brief_is_cited_guarded_and_needs_a_lead(client: TestClient, keys: dict[str, Key], sample: Runtime) -> None:
    r = _post(client, keys["agent"], {"comment": POST})
    assert r.status_code == 201, r.text
    d = r.json()["draft"]
    assert d["kind"] == "brief" and d["status"] == "draft" and d["text"].startswith("Hello Lena,")
    cited = {c["doc_id"] for c in d["citations"]}
    assert "factsheet-recall-v2-en" in cited and "contact-hotline" in cited and "press@alpena.example" in d["text"]
    assert "L4821" in d["text"] and not [f for f in d["flags"] if f["severity"] == "high"]
    assert r.json()["missing"] == []
    approve = f"/v1/drafts/{d['id']}/approve"
    assert client.post(approve, headers=keys["agent"].headers, json={"version": 1}).status_code == 403
    assert client.post(approve, headers=keys["lead"].headers, json={"version": 1}).status_code == 200


def test_brief_for_a_stored_comment_keeps_its_reply_current(client: TestClient, keys: dict[str, Key],
                                                            sample: Runtime, seed_draft: Any) -> None:
    reply = seed_draft(incident="recall-2026-11")
    r = _post(client, keys["agent"], {"comment_id": reply.comment_id, "language": "fr"})
    assert r.status_code == 201 and r.json()["draft"]["language"] == "fr"
    queue = client.get("/v1/queue?incident=recall-2026-11", headers=keys["agent"].headers).json()
    assert {i["draft"]["kind"] for i in queue["data"]} == {"reply", "brief"}


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422),
    ({"comment": POST, "comment_id": "c1"}, 422),
    ({"comment_id": "missing"}, 404),
    ({"comment": POST, "tone": "x"}, 422),
    ({"comment": {"text": ""}}, 422),
    ({"comment": POST | {"text": "x" * 6000}}, 413),
])
def test_bad_brief_requests(client: TestClient, keys: dict[str, Key], body: dict[str, Any], status: int) -> None:
    r = _post(client, keys["agent"], body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_no_fact_sheet_is_not_found(client: TestClient, keys: dict[str, Key], sample: Runtime) -> None:
    r = client.post("/v1/incidents/other/influencer-brief", headers=keys["agent"].headers, json={"comment": POST})
    assert r.status_code == 404 and "fact sheet" in r.json()["detail"]
