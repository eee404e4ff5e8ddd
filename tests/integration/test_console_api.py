"""What the console asks of the API beyond the review routes: queue filters on the triage, the
sentence view of a draft, and the page's own files (icon included: no 404 on load)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.models import Draft, Flag, Triage
from tests.utils.builders import Key, citation, flag

Seed = Callable[..., Draft]


def tri(intent: str = "question", escalate: list[str] | None = None, **fields: Any) -> Triage:
    return Triage(language="en", intent=intent, escalate_to=escalate or [], **fields)  # type: ignore[arg-type]


@pytest.fixture
def mixed(seed_draft: Seed) -> dict[str, Draft]:
    return {
        "safety": seed_draft(triage=tri("safety", ["safety", "comms_lead"], priority=90), incident="a"),
        "press": seed_draft(triage=tri("press", ["press"], priority=70), incident="a"),
        "question": seed_draft(triage=tri("question", priority=20), incident="a"),
        "support": seed_draft(triage=tri("complaint", ["support"], priority=30), incident="b"),
        "update": seed_draft(triage=None, kind="update", incident="a", platform="website"),
    }


def ids(client: TestClient, key: Key, **params: Any) -> list[str]:
    r = client.get("/v1/queue", params=params, headers=key.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["data"])
    return [item["draft"]["id"] for item in body["data"]]


@pytest.mark.parametrize(("params", "expected"), [
    ({"escalate": "safety"}, ["safety"]),
    ({"escalate": "comms_lead"}, ["safety"]),
    ({"escalate": "any"}, ["safety", "press", "support"]),
    ({"escalate": "none"}, ["question"]),  # an update has no triage: neither escalated nor not
    ({"escalate": "legal"}, []),
    ({"intent": "press"}, ["press"]),
    ({"intent": "complaint", "escalate": "support"}, ["support"]),
    ({"escalate": "any", "incident": "a"}, ["safety", "press"]),
    ({"kind": "update"}, ["update"]),
    ({"kind": "reply"}, ["safety", "press", "support", "question"]),
])
def test_queue_filters_on_the_triage(client: TestClient, keys: dict[str, Key], mixed: dict[str, Draft],
                                     params: dict[str, str], expected: list[str]) -> None:
    assert ids(client, keys["agent"], **params) == [mixed[name].id for name in expected]


@pytest.mark.parametrize("params", [{"escalate": "police"}, {"intent": "SAFETY"}, {"kind": "statement"},
                                    {"escalate": ""}])
def test_unknown_filter_values_are_422(client: TestClient, keys: dict[str, Key], params: dict[str, str]) -> None:
    r = client.get("/v1/queue", params=params, headers=keys["agent"].headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_sentence_view_of_a_draft(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    text = "Hi Sarah, batch L4822 is recalled. We refund everyone 500 EUR. Call 0800 123 456."
    start = text.index("refund everyone")
    d = seed_draft(text=text, citations=[citation(sentence=0), citation(chunk_id="hotline#0", sentence=2)],
                   flags=[flag("high", span=(start, start + 15)),
                          Flag(code="prompt_injection", severity="medium", message="x", span=(0, 3),
                               source="injection:override")])
    r = client.get(f"/v1/drafts/{d.id}/sentences", headers=keys["agent"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["draft"]["id"] == d.id and body["draft"]["version"] == 1
    assert [(s["text"], s["citations"], s["flags"]) for s in body["sentences"]] == [
        ("Hi Sarah, batch L4822 is recalled.", [0], []), ("We refund everyone 500 EUR.", [], [0]),
        ("Call 0800 123 456.", [1], [])]
    assert (body["comment_flags"], body["general_flags"], body["unplaced_citations"]) == ([1], [], [])

    # An edit is what the next view shows (the marks follow the text the server holds).
    edited = client.patch(f"/v1/drafts/{d.id}", json={"text": "Hi Sarah. Call 0800 123 456.", "version": 1},
                          headers=keys["agent"].headers)
    assert edited.status_code == 200
    again = client.get(f"/v1/drafts/{d.id}/sentences", headers=keys["agent"].headers).json()
    assert [s["text"] for s in again["sentences"]] == ["Hi Sarah.", "Call 0800 123 456."]
    assert again["draft"]["version"] == 2


@pytest.mark.parametrize(("path", "status"), [("/v1/drafts/no-such-draft/sentences", 404),
                                              ("/v1/drafts/%00x/sentences", 422)])
def test_sentence_view_errors(client: TestClient, keys: dict[str, Key], path: str, status: int) -> None:
    r = client.get(path, headers=keys["agent"].headers)
    assert r.status_code == status and r.json()["status"] == status
    assert client.get(path).status_code == 401


@pytest.mark.parametrize(("asset", "media"), [("console.js", "text/javascript"), ("i18n.js", "text/javascript"),
                                              ("console.css", "text/css"), ("icon.svg", "image/svg+xml")])
def test_console_files_are_served_with_the_page_policy(client: TestClient, asset: str, media: str) -> None:
    r = client.get(f"/console/{asset}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_the_page_names_its_icon_and_only_its_own_files(client: TestClient) -> None:
    page = client.get("/console").text
    assert '<link rel="icon" href="/console/icon.svg"' in page  # else the browser asks /favicon.ico: 404
    for asset in ("i18n.js", "console.js", "console.css", "icon.svg"):
        assert f"/console/{asset}" in page
    assert client.get("/console/../app.py").status_code == 404
    assert client.get("/console/secrets.txt").status_code == 404
