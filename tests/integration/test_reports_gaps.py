"""Knowledge gaps through the real app, drafting chain and knowledge base: questions the drafts could
not answer are grouped and counted; a lead turns one into a fact-sheet entry; once approved and
ingested, the next draft on that question cites it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.utils.builders import Key

INCIDENT = "recall-gap"
FACT_SHEET = {
    "id": "fs-gap", "title": "Fact sheet: granola recall", "kind": "fact_sheet", "language": "en",
    "approved": True, "incident": INCIDENT,
    "text": "# Fact sheet\n\n## What happened\n\nBatch L4822 of the chocolate granola is withdrawn from sale because "
            "it may contain hazelnut traces.\n\n## What customers should do\n\nDo not eat it; return the box "
            "to the shop for a full refund.\n\n## Contact\n\nCall the free hotline on 0800 123 456.\n"}


def _draft(client: TestClient, key: Key, text: str) -> dict[str, Any]:
    r = client.post("/v1/drafts", headers=key.headers, json={
        "comment": {"text": text, "platform": "facebook", "author": "Sam"}, "incident": INCIDENT})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_gap_closed_by_a_lead_is_cited_by_the_next_draft(client: TestClient, keys: dict[str, Key]) -> None:
    lead, agent = keys["lead"], keys["agent"]
    assert client.post("/v1/incidents", headers=lead.headers, json={"id": INCIDENT, "title": "Gap"}).status_code == 200
    assert client.post("/v1/knowledge/documents", headers=lead.headers, json=FACT_SHEET).status_code in (200, 201)
    first = _draft(client, agent, "Will I get any compensation for all this?")
    assert first["unknowns"] and not any(c["doc_id"].startswith("gap-") for c in first["citations"])
    _draft(client, agent, "Is there any compensation for customers, like a voucher?")
    _draft(client, agent, "Which batch is withdrawn from sale?")

    gaps = client.get(f"/v1/incidents/{INCIDENT}/gaps", headers=agent.headers).json()
    top = gaps["data"][0]
    assert top["count"] == 2 and "compensation" in top["question"].lower()
    assert top["reasons"] == {"unknown": 2} and top["entry_status"] == "none"
    assert all("batch" not in e["question"].lower() for e in top["examples"])

    url = f"/v1/incidents/{INCIDENT}/gaps/{top['key']}/entry"
    assert client.post(url, headers=agent.headers).status_code == 403  # leads only
    r = client.post(url, headers=lead.headers)
    assert r.status_code == 201, r.text
    entry = r.json()["document"]
    assert entry["approved"] is False and entry["kind"] == "fact_sheet" and entry["incident"] == INCIDENT
    assert "compensation" in entry["text"].lower()
    assert client.post(url, headers=lead.headers).status_code == 409  # one entry per gap
    assert client.get(f"/v1/incidents/{INCIDENT}/gaps", headers=agent.headers).json()["data"][0][
        "entry_status"] == "drafted"
    # Unapproved: drafts must not cite it yet.
    again = _draft(client, agent, "Do customers get compensation?")
    assert entry["id"] not in {c["doc_id"] for c in again["citations"]}

    answer = entry | {"approved": True, "text": "# Compensation\n\nEvery customer who returns a recalled box "
                                                "receives a goodwill voucher as compensation, on top of the refund.\n"}
    assert client.post("/v1/knowledge/documents", headers=lead.headers, json=answer).status_code in (200, 201)
    after = _draft(client, agent, "Will I get any compensation for all this?")
    assert entry["id"] in {c["doc_id"] for c in after["citations"]}, after["text"]
    assert "voucher" in after["text"]
    assert client.get(f"/v1/incidents/{INCIDENT}/gaps", headers=agent.headers).json()["data"][0][
        "entry_status"] == "approved"


def test_gap_requests_are_checked(client: TestClient, keys: dict[str, Key]) -> None:
    agent, lead = keys["agent"], keys["lead"]
    assert client.get("/v1/incidents/nope/gaps", headers=agent.headers).status_code == 404
    assert client.post("/v1/incidents/nope/gaps/0123456789ab/entry", headers=lead.headers).status_code == 404
    assert client.post("/v1/incidents/nope/gaps/NOT-A-KEY/entry", headers=lead.headers).status_code in (400, 422)
    assert client.get("/v1/incidents/nope/gaps").status_code == 401
