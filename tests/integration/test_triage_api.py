"""`POST /v1/triage` through the real app: a comment that copies a campaign the monitor sees is told so."""

from typing import Any

from fastapi.testclient import TestClient

CORE = "I booked with Azura in good faith. Refund every customer in full and bring every traveller home now."
COPIES = [CORE, CORE.upper(), CORE.replace(".", "!"), "@azura " + CORE, CORE + " #AzuraRefundNow"]


def _triage(client: TestClient, keys: dict[str, Any], text: str, author: str, incident: str = "azura") -> Any:
    r = client.post("/v1/triage", json={"comment": {"text": text, "author": author, "platform": "x"},
                                        "incident": incident}, headers=keys["agent"].headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_comment_in_a_copy_paste_campaign_gets_its_id_and_size(client: TestClient, keys: dict[str, Any]) -> None:
    first = [_triage(client, keys, text, f"user{i}") for i, text in enumerate(COPIES[:3])]
    assert all(t["campaign_id"] is None and "comms_lead" not in t["escalate_to"] for t in first)  # 3 authors: not yet
    fourth = _triage(client, keys, COPIES[3], "user3")
    assert fourth["campaign_id"] and fourth["campaign_size"] == 4 and "comms_lead" in fourth["escalate_to"]
    assert any("copy-paste campaign" in r for r in fourth["reasons"])
    fifth = _triage(client, keys, COPIES[4], "user4")
    assert fifth["campaign_id"] == fourth["campaign_id"] and fifth["campaign_size"] == 5
    other = _triage(client, keys, "Is the repatriation flight from Palma still leaving on Saturday morning?", "user5")
    assert other["campaign_id"] is None and other["campaign_size"] == 0
    assert _triage(client, keys, "refund now", "user6")["campaign_id"] is None  # too short to be a campaign copy


def test_bad_triage_requests_are_4xx(client: TestClient, keys: dict[str, Any]) -> None:
    assert client.post("/v1/triage", json={"comment": {"text": "hi"}, "nope": 1},
                       headers=keys["agent"].headers).status_code == 422
    assert client.post("/v1/triage", json={"comment": {}}, headers=keys["agent"].headers).status_code == 422
    assert client.post("/v1/triage", json={"comment": {"text": "hi"}}).status_code == 401
