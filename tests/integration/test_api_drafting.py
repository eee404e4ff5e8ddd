"""The API on the sample knowledge: knowledge documents, search, triage, drafts (JSON and SSE), updates,
and bad input -> clear 4xx problem+json with nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.runtime import Runtime
from tests.utils.builders import Key, make_keys

COMMENT = {"text": "Combien de temps pour le remboursement ? J'ai 2 paquets du lot L4821",
           "author": "Léa Dubois", "author_handle": "lea_db", "platform": "facebook", "followers": 120}


@pytest.fixture
def api(sample_runtime: Runtime) -> Iterator[tuple[TestClient, dict[str, Key]]]:
    with TestClient(create_app(runtime=sample_runtime)) as client:
        yield client, make_keys(sample_runtime.db)


def problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


def test_health_and_readiness_need_no_key(api) -> None:
    client, _ = api
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["checks"]["knowledge"]["chunks"] > 50


def test_search_returns_scored_filtered_hits(api) -> None:
    client, keys = api
    r = client.get("/v1/knowledge/search", params={"q": "remboursement", "k": 3}, headers=keys["agent"].headers)
    hits = r.json()["hits"]
    assert r.status_code == 200 and hits[0]["doc_id"] == "policy-refunds-fr"
    assert {"doc_id", "chunk_id", "title", "kind", "score", "text", "approved"} <= set(hits[0])
    r = client.get("/v1/knowledge/search", params={"q": "refund", "kind": "faq"}, headers=keys["agent"].headers)
    assert {h["kind"] for h in r.json()["hits"]} == {"faq"}
    problem(client.get("/v1/knowledge/search", params={"q": "x", "kind": "rumour"},
                       headers=keys["agent"].headers), 422, "invalid_input")
    problem(client.get("/v1/knowledge/search", params={"q": ""}, headers=keys["agent"].headers), 422,
            "invalid_input")
    problem(client.get("/v1/knowledge/search", params={"q": "x"}), 401, "unauthorized")


def test_documents_add_replace_delete_and_bad_documents(api, sample_runtime) -> None:
    client, keys = api
    lead, agent = keys["lead"].headers, keys["agent"].headers
    doc = {"id": "faq-parking", "title": "Parking", "kind": "faq", "language": "en", "approved": True,
           "text": "## Where to park?\nVisitors park at gate 3 of the Lyon plant."}
    before = sample_runtime.kb.count()
    problem(client.post("/v1/knowledge/documents", json=doc, headers=agent), 403, "forbidden")
    r = client.post("/v1/knowledge/documents", json=doc, headers=lead)
    assert r.status_code == 200 and r.json()["outcome"] == "added" and r.json()["chunks"] == 1
    assert client.post("/v1/knowledge/documents", json=doc, headers=lead).json()["outcome"] == "unchanged"
    hits = client.get("/v1/knowledge/search", params={"q": "gate 3 parking"}, headers=agent).json()["hits"]
    assert hits[0]["doc_id"] == "faq-parking"
    for bad, code in [({**doc, "text": "   "}, 422), ({**doc, "kind": "rumour"}, 422), ({**doc, "id": "a b"}, 422),
                      ({**doc, "valid_from": "2026-12-01T00:00:00Z", "valid_until": "2026-11-01T00:00:00Z"}, 422),
                      ({**doc, "surprise": 1}, 422), ({**doc, "text": "x" * 300_000}, 413)]:
        r = client.post("/v1/knowledge/documents", json=bad, headers=lead)
        assert r.status_code == code, (bad.keys(), r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert sample_runtime.kb.count() == before + 1  # nothing half-written
    r = client.post("/v1/knowledge/documents", content=b"{not json", headers={**lead, "content-type":
                                                                                 "application/json"})
    problem(r, 422, "invalid_input")
    r = client.post("/v1/knowledge/documents", content=b"x" * 2_000_000, headers=lead)
    problem(r, 413, "payload_too_large")
    assert client.delete("/v1/knowledge/documents/faq-parking", headers=lead).json()["deleted_chunks"] == 1
    problem(client.delete("/v1/knowledge/documents/faq-parking", headers=lead), 404, "not_found")
    assert sample_runtime.kb.count() == before


def test_markdown_documents_and_bad_front_matter(api, sample_runtime) -> None:
    client, keys = api
    lead = {**keys["lead"].headers, "content-type": "text/markdown"}
    md = ("---\nid: faq-pets\ntitle: Pets\nkind: faq\nlanguage: en\napproved: true\n---\n"
          "## Can my dog eat it?\nNo: the granola is for people only.\n")
    r = client.post("/v1/knowledge/documents/markdown", content=md.encode(), headers=lead)
    assert r.status_code == 200 and r.json()["outcome"] == "added", r.text
    before = sample_runtime.kb.count()
    for body, status, code, words in [
        ("---\nid: x\nkind: [unclosed\n---\ntext", 422, "document_invalid", "not valid YAML"),
        ("---\nid: x\nkind: rumour\n---\ntext", 422, "document_invalid", "kind"),
        ("---\nkind: faq\n---\ntext", 422, "document_invalid", "no 'id'"),
        ("---\nid: x\nkind: faq\n---\n   \n", 422, "document_invalid", "empty"),
        ("no front matter at all", 422, "document_invalid", "no 'id'"),
    ]:
        body_problem = problem(client.post("/v1/knowledge/documents/markdown", content=body.encode(),
                                           headers=lead), status, code)
        assert words in body_problem["detail"], body_problem
    r = client.post("/v1/knowledge/documents/markdown", content=b"\xff\xfe", headers=lead)
    problem(r, 422, "document_invalid")
    r = client.post("/v1/knowledge/documents/markdown", json={"id": "x"}, headers=keys["lead"].headers)
    problem(r, 415, "unsupported_media_type")
    assert sample_runtime.kb.count() == before  # nothing half-written
    assert client.delete("/v1/knowledge/documents/faq-pets", headers=keys["lead"].headers).status_code == 200


def test_triage_endpoint_and_bad_comments(api) -> None:
    client, keys = api
    h = keys["agent"].headers
    r = client.post("/v1/triage", json={"comment": {"text": "Mon avocat va porter plainte !", "platform": "x"}},
                    headers=h)
    t = r.json()
    assert r.status_code == 200 and t["intent"] == "threat_legal" and "legal" in t["escalate_to"] and t["reasons"]
    for body, status, code in [
        ({"comment": {"text": ""}}, 422, "invalid_input"),
        ({"comment": {"text": "   "}}, 422, "invalid_input"),
        ({"comment": {"text": "a\x00b"}}, 422, "invalid_input"),
        ({"comment": {"text": "hi", "platform": "myspace"}}, 422, "invalid_input"),
        ({"comment": {"text": "x" * 6000}}, 413, "payload_too_large"),
        ({"comment": {"text": "x" * 200_000}}, 413, "payload_too_large"),
        ({}, 422, "invalid_input"),
    ]:
        problem(client.post("/v1/triage", json=body, headers=h), status, code)


def test_post_draft_is_stored_cited_and_in_the_queue(api) -> None:
    client, keys = api
    r = client.post("/v1/drafts", json={"comment": COMMENT, "incident": "recall-2026-11", "variants": ["concise"]},
                    headers=keys["agent"].headers)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["language"] == "fr" and "14 jours" in d["text"] and d["citations"] and d["status"] == "draft"
    assert d["version"] == 1 and d["original_text"] == d["text"] and d["variants"][0]["style"] == "concise"
    got = client.get(f"/v1/drafts/{d['id']}", headers=keys["agent"].headers).json()
    assert got["text"] == d["text"] and got["citations"] == d["citations"]
    queue = client.get("/v1/queue", headers=keys["agent"].headers).json()
    assert d["id"] in json.dumps(queue)


def test_draft_stream_sends_tokens_then_the_draft(api) -> None:
    client, keys = api
    events: list[tuple[str, dict]] = []
    with client.stream("POST", "/v1/drafts/stream", json={"comment": COMMENT},
                       headers=keys["agent"].headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name or "", json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "draft" and kinds.count("token") >= 2 and "error" not in kinds
    final = events[-1][1]
    assert "".join(e["text"] for k, e in events if k == "token") == final["text"].replace("\n", " ") or \
        "".join(e["text"] for k, e in events if k == "token") == final["text"]
    assert final["citations"] and final["id"]


def test_stream_refuses_bad_input_before_streaming(api) -> None:
    client, keys = api
    r = client.post("/v1/drafts/stream", json={"comment": {**COMMENT, "text": "x" * 6000}},
                    headers=keys["agent"].headers)
    problem(r, 413, "payload_too_large")


def test_public_updates_per_channel(api) -> None:
    client, keys = api
    r = client.post("/v1/incidents/recall-2026-11/updates",
                    json={"kind": "holding", "channels": ["x", "linkedin", "website"], "language": "fr"},
                    headers=keys["agent"].headers)
    assert r.status_code == 200, r.text
    ups = r.json()["updates"]
    assert [u["channel"] for u in ups] == ["x", "linkedin", "website"]
    assert len(ups[0]["text"]) <= 280 and all(u["citations"] and u["language"] == "fr" for u in ups)
    # Stored for review: an agent may not approve a public update, a lead may.
    first = client.get(f"/v1/drafts/{ups[0]['draft_id']}", headers=keys["agent"].headers).json()
    assert first["kind"] == "update" and first["text"] == ups[0]["text"]
    r = client.post(f"/v1/drafts/{first['id']}/approve", json={"version": 1}, headers=keys["agent"].headers)
    problem(r, 403, "forbidden")
    r = client.post(f"/v1/drafts/{first['id']}/approve", json={"version": 1}, headers=keys["lead"].headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    problem(client.post("/v1/incidents/unknown-incident/updates", json={"kind": "holding"},
                        headers=keys["agent"].headers), 404, "not_found")
    problem(client.post("/v1/incidents/recall-2026-11/updates", json={"kind": "apology"},
                        headers=keys["agent"].headers), 422, "invalid_input")


def test_alerts_report_a_spike_once(api) -> None:
    from datetime import UTC, datetime, timedelta

    client, keys = api
    h = keys["agent"].headers
    start = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    n = 0

    def send(when: datetime, text: str) -> None:
        nonlocal n
        n += 1
        body = {"comment": {"id": f"c{n}", "text": text, "platform": "x", "created_at": when.isoformat()},
                "incident": "recall-2026-11"}
        assert client.post("/v1/triage", json=body, headers=h).status_code == 200

    for b in range(24):  # two quiet hours: 2-3 comments per 5-minute bucket
        for i in range(2 + b % 2):
            send(start + timedelta(minutes=5 * b, seconds=30 * i), "Which batches are recalled?")
    spike_at = start + timedelta(minutes=5 * 24)
    for i in range(40):
        send(spike_at + timedelta(seconds=5 * i), "My child is in hospital after eating your granola!!")
    at = (spike_at + timedelta(minutes=4)).isoformat()
    alerts = client.get("/v1/alerts", params={"at": at, "incident": "recall-2026-11"}, headers=h).json()
    kinds = {a["kind"] for a in alerts["data"]}
    assert "volume_spike" in kinds, alerts
    again = client.get("/v1/alerts", params={"at": at, "incident": "recall-2026-11"}, headers=h).json()
    assert [a["id"] for a in again["data"]] == [a["id"] for a in alerts["data"]]  # one alert per spike
    example = next(a for a in alerts["data"] if a["kind"] == "volume_spike")
    assert example["message"]
    problem(client.get("/v1/alerts", headers={}), 401, "unauthorized")


def test_a_knowledge_change_makes_unposted_drafts_stale(sample_kb_dir, tmp_path) -> None:
    import shutil

    from assistant.config import Settings

    data = tmp_path / "kb"
    shutil.copytree(sample_kb_dir, data)  # a private copy: this test changes a cited document
    runtime = Runtime(Settings(data_dir=data, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    with TestClient(create_app(runtime=runtime)) as client:
        keys = make_keys(runtime.db)
        agent, lead = keys["agent"].headers, keys["lead"].headers
        d = client.post("/v1/drafts", json={"comment": {"text": "Which batches are recalled?", "platform": "facebook"},
                                            "incident": "recall-2026-11"}, headers=agent).json()
        cited = d["citations"][0]["doc_id"]
        assert "stale" not in {f["code"] for f in client.get(f"/v1/drafts/{d['id']}", headers=agent).json()["flags"]}
        # The fact changes (a third batch): the document is re-published through the API.
        source = next((Path(__file__).resolve().parents[2] / "knowledge").rglob(f"{cited}.md"))
        updated = source.read_text().replace("L4821 and L4822", "L4821, L4822 and L4823")
        assert updated != source.read_text()
        r = client.post("/v1/knowledge/documents/markdown", content=updated.encode(),
                        headers={**lead, "content-type": "text/markdown"})
        assert r.json()["outcome"] == "updated"
        flags = client.get(f"/v1/drafts/{d['id']}", headers=agent).json()["flags"]
        stale = {f["source"] for f in flags if f["code"] == "stale"}
        assert stale and all(c.startswith(f"{cited}::") for c in stale)
    runtime.close()


def test_errors_carry_cors_headers_for_the_extension(sample_runtime, monkeypatch) -> None:
    from assistant.config import Settings

    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    runtime = Runtime(Settings(data_dir=sample_runtime.settings.data_dir, database_url=sample_runtime.settings.
                               database_url, cors_origins=[origin]))
    keys = make_keys(runtime.db)
    import assistant.api.routes.triage as triage_route

    def boom(comment):
        raise RuntimeError("a bug")

    monkeypatch.setattr(triage_route, "triage", boom)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        h = {**keys["agent"].headers, "Origin": origin}
        r = client.post("/v1/triage", json={"comment": {"text": "hi"}}, headers=h)
        assert r.status_code == 500 and r.json()["code"] == "internal_error" and "a bug" not in r.text
        assert r.headers["access-control-allow-origin"] == origin
        r = client.post("/v1/triage", content=b"x" * 2_000_000, headers=h)
        assert r.status_code == 413 and r.headers["access-control-allow-origin"] == origin
        r = client.get("/v1/alerts", headers={"Origin": "https://evil.example", **keys["agent"].headers})
        assert "access-control-allow-origin" not in r.headers
