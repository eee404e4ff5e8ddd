"""Batch drafting through the real API, store and knowledge: import, run, groups, review, export, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.batch.tables import BatchItemRow
from assistant.review.tables import DraftRow
from assistant.runtime import Runtime
from tests.utils.builders import Key, make_keys

INCIDENT = "recall-2026-11"
CAMPAIGN = "I bought the granola from batch L4822 last week, is it part of the recall and what should I do?"
AUTHORS = ["Sarah Martin", "Paul Dupont", "Anna Lee", "Marc Petit"]


def export_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"id": f"c{i}", "platform": "facebook", "from_name": a, "message": CAMPAIGN}
                                  for i, a in enumerate(AUTHORS)]
    # The same question in other words, with an email address: grouped by meaning, held back (its own flag).
    rows.append({"id": "c9", "platform": "facebook", "from_name": "Tom Hardy",
                 "message": "Bought batch L4822 last week: is it part of the recall, what should I do? "
                            "Write to me at tom.hardy@example.com"})
    rows.append({"id": "s1", "platform": "x", "text": "FOLLOW ME for free iPhone giveaway!!! click http://bit.ly/x"})
    rows.append({"id": "q1", "platform": "x", "author_handle": "bob",
                 "text": "Where can I get a refund for the recalled granola?"})
    return rows


def jsonl(rows: list[Any]) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"


@pytest.fixture
def api(sample_runtime: Runtime) -> Iterator[tuple[TestClient, dict[str, Key], Runtime]]:
    sample_runtime.settings.rate_limit_per_minute = 100_000
    sample_runtime.settings.batch_group_by_meaning = True  # c9 rewords the campaign's question
    keys = make_keys(sample_runtime.db)
    with TestClient(create_app(runtime=sample_runtime)) as client:
        yield client, keys, sample_runtime


def post_import(client: TestClient, key: Key, body: str, kind: str = "application/x-ndjson", **query: str) -> Any:
    params = {"incident": INCIDENT} | query
    headers = key.headers | {"content-type": kind}
    return client.post("/v1/batches", params=params, content=body.encode(), headers=headers)


def run_and_wait(client: TestClient, key: Key, batch: str, **params: Any) -> dict[str, Any]:
    started = client.post(f"/v1/batches/{batch}/run", params=params, headers=key.headers)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        info = client.get(f"/v1/batches/{batch}", headers=key.headers).json()
        task = client.app.state.runtime.__dict__["batch_tasks"][batch]  # type: ignore[attr-defined]
        if task.done():
            return client.get(f"/v1/batches/{batch}", headers=key.headers).json()
        time.sleep(0.1)
    raise AssertionError(f"batch not finished: {info}")


def drafts_per_comment(runtime: Runtime) -> dict[str, int]:
    with runtime.db.read() as s:
        return dict(s.execute(select(DraftRow.comment_id, func.count()).group_by(DraftRow.comment_id)).tuples().all())


def test_import_run_group_review_export_and_rerun(api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, runtime = api
    agent = keys["agent"]
    body = jsonl([*export_rows(), "{not json", {"id": "x1", "platform": "myspace", "text": "hi"}])
    report = post_import(client, agent, body)
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["received"], r["added"], r["duplicates"], r["rejected"]) == (9, 7, 0, 2)
    assert [(e["line"], e["reason"][:14]) for e in r["errors"]] == [(8, "not valid JSON"), (9, "unknown platfo")]
    again = post_import(client, agent, body).json()
    assert (again["batch"], again["added"], again["duplicates"]) == (r["batch"], 0, 7)
    batch = r["batch"]
    listed = client.get("/v1/batches", params={"incident": INCIDENT}, headers=agent.headers).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == batch and listed["data"][0]["counts"]["queued"] == 7

    info = run_and_wait(client, agent, batch)
    c = info["counts"]
    assert (c["total"], c["drafted"], c["held"], c["skipped"], c["failed"]) == (7, 5, 1, 1, 0)
    assert info["skipped"][0]["comment_id"] == "s1" and "spam" in info["skipped"][0]["reason"]
    assert info["held"][0]["comment_id"] == "c9" and "held for individual review" in info["held"][0]["reason"]
    assert info["groups"] == 1
    # Ordinary drafts in the review store, each with citations; exactly one per comment.
    per_comment = drafts_per_comment(runtime)
    assert len(per_comment) == 6 and set(per_comment.values()) == {1}  # c0-c3, c9, q1 (spam s1 skipped)

    groups = client.get(f"/v1/batches/{batch}/groups", params={"members": "true"}, headers=agent.headers).json()
    group = groups["data"][0]
    assert groups["count"] == 1 and group["size"] == 5 and group["core_text"]
    texts = {}
    for m in group["members"]:
        d = client.get(f"/v1/drafts/{m['draft_id']}", headers=agent.headers).json()
        assert d["citations"] and d["status"] == "draft"
        texts[m["comment_id"]] = d["text"]
    assert texts["c0"].startswith("Hi Sarah,") and texts["c1"].startswith("Hi Paul,")
    assert texts["c9"].startswith("Hi Tom,")

    # One member edited alone keeps its own text when the group is approved.
    alone = next(m for m in group["members"] if m["comment_id"] == "c3")
    edited = client.patch(f"/v1/drafts/{alone['draft_id']}", json={"text": texts["c3"] + " Take care.", "version": 1},
                          headers=agent.headers)
    assert edited.status_code == 200, edited.text
    decision = client.post(f"/v1/batches/{batch}/groups/{group['id']}/approve", json={"version": group["version"]},
                           headers=agent.headers).json()
    outcomes = {o["item"]: o["outcome"] for o in decision["outcomes"]}
    by_comment = {m["comment_id"]: outcomes[m["item"]] for m in group["members"]}
    assert by_comment == {"c0": "approved", "c1": "approved", "c2": "approved", "c3": "kept", "c9": "held"}
    assert decision["group"]["status"] == "approved" and decision["group"]["version"] == group["version"] + 1

    exported = client.get(f"/v1/batches/{batch}/export", params={"format": "jsonl"}, headers=agent.headers)
    rows = [json.loads(line) for line in exported.text.splitlines()]
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    assert sorted(r["comment_id"] for r in rows) == ["c0", "c1", "c2"] and rows[0]["text"] == texts["c0"]
    csv_text = client.get(f"/v1/batches/{batch}/export", headers=agent.headers).text
    assert csv_text.splitlines()[0] == "comment_id,platform,url,author,text,draft_id"

    # A rerun after success drafts nothing.
    info = run_and_wait(client, agent, batch)
    assert info["counts"] == c and drafts_per_comment(runtime) == per_comment


def test_group_edit_repersonalises_members_and_guards_each(api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, _ = api
    agent = keys["agent"]
    batch = post_import(client, agent, jsonl(export_rows()[:5])).json()["batch"]
    run_and_wait(client, agent, batch)
    page = client.get(f"/v1/batches/{batch}/groups", params={"members": "true"}, headers=agent.headers).json()
    group = page["data"][0]
    new_core = "Only batches L4821 and L4822 are recalled. Please keep the box until you get your refund."
    stale = client.post(f"/v1/batches/{batch}/groups/{group['id']}/edit",
                        json={"text": new_core, "version": group["version"] + 5}, headers=agent.headers)
    assert stale.status_code == 409 and stale.json()["reason"] == "stale_version"
    r = client.post(f"/v1/batches/{batch}/groups/{group['id']}/edit", json={"text": new_core,
                    "version": group["version"]}, headers=agent.headers)
    assert r.status_code == 200, r.text
    decision = r.json()
    assert decision["group"]["status"] == "edited" and decision["group"]["core_text"] == new_core
    outcomes = {o["draft_id"]: o for o in decision["outcomes"]}
    for m in group["members"]:
        d = client.get(f"/v1/drafts/{m['draft_id']}", headers=agent.headers).json()
        assert d["status"] == "edited" and new_core in d["text"]
        assert d["original_text"] != d["text"]  # the AI original is kept beside the reviewer's text
        assert outcomes[m["draft_id"]]["outcome"] in ("edited", "held")
    assert outcomes[next(m["draft_id"] for m in group["members"] if m["comment_id"] == "c9")]["outcome"] == "held"


BAD = {
    "wrong content type": (lambda c, k: c.post("/v1/batches", params={"incident": INCIDENT}, content=b"x",
                                               headers=k.headers | {"content-type": "text/plain"}), 415),
    "empty body": (lambda c, k: post_import(c, k, ""), 422),
    "every row bad": (lambda c, k: post_import(c, k, jsonl([{"id": "1"}, "{x"])), 422),
    "bad mapping": (lambda c, k: post_import(c, k, jsonl([{"text": "a"}]), map="colour=c"), 422),
    "bad batch id": (lambda c, k: post_import(c, k, jsonl([{"text": "a"}]), batch="a b"), 422),
    "no incident": (lambda c, k: c.post("/v1/batches", content=b'{"text": "a"}',
                                        headers=k.headers | {"content-type": "application/x-ndjson"}), 422),
    "JSON not a list": (lambda c, k: post_import(c, k, '{"text": "a"}', kind="application/json"), 422),
    "unknown batch": (lambda c, k: c.get("/v1/batches/nope", headers=k.headers), 404),
    "unknown batch run": (lambda c, k: c.post("/v1/batches/nope/run", headers=k.headers), 404),
    "unknown group": (lambda c, k: c.get("/v1/batches/nope/groups/3", headers=k.headers), 404),
    "group version a string": (lambda c, k: c.post("/v1/batches/b/groups/1/approve", json={"version": "1"},
                                                   headers=k.headers), 422),
    "group edit empty": (lambda c, k: c.post("/v1/batches/b/groups/1/edit", json={"text": "", "version": 1},
                                             headers=k.headers), 422),
    "export format": (lambda c, k: c.get("/v1/batches/b/export", params={"format": "xlsx"}, headers=k.headers), 422),
    "no key": (lambda c, k: c.get("/v1/batches/b"), 401),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gets_a_clear_4xx(case: str, api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, runtime = api
    call, status = BAD[case]
    r = call(client, keys["agent"])
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json") and r.json()["detail"]
    with runtime.db.read() as s:  # nothing half-imported
        assert s.scalar(select(func.count()).select_from(BatchItemRow)) == 0


def test_all_rows_bad_lists_the_reasons(api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, _ = api
    r = post_import(client, keys["agent"], jsonl([{"id": "1"}, {"text": "x\u0000y"}]))
    assert r.status_code == 422
    assert [e["line"] for e in r.json()["errors"]] == [1, 2] and "line 1: no text" in r.json()["detail"]


def test_group_without_core_and_stale_approve(api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, runtime = api
    agent = keys["agent"]
    batch = post_import(client, agent, jsonl(export_rows()[:3])).json()["batch"]
    from assistant.batch.store import plan_groups

    plan_groups(runtime.db, batch)
    gid = client.get(f"/v1/batches/{batch}/groups", headers=agent.headers).json()["data"][0]["id"]
    r = client.post(f"/v1/batches/{batch}/groups/{gid}/approve", json={"version": 1}, headers=agent.headers)
    assert r.status_code == 409 and "no core answer yet" in r.json()["detail"]


def big_export(n: int) -> str:
    return jsonl([{"id": f"b{i}", "platform": "facebook", "from_name": f"Reader {i}",
                   "message": f"Is batch L{10000 + i} part of the recall? " + "I bought it at the market. " * 8}
                  for i in range(n)])


def test_import_above_the_general_body_limit_streams_up_to_the_batch_limit(
        api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, runtime = api
    agent = keys["agent"]
    runtime.settings.batch_max_body_bytes = 3_000_000  # the route reads it at each request
    body = big_export(5_000)
    assert runtime.settings.max_body_bytes < len(body.encode()) < 3_000_000
    r = post_import(client, agent, body)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["added"] == 5_000
    # Chunked (no Content-Length): read as a stream too; the same rows again add nothing.
    parts = (body[i:i + 65_536].encode() for i in range(0, len(body), 65_536))
    again = client.post("/v1/batches", params={"incident": INCIDENT}, content=parts,
                        headers=agent.headers | {"content-type": "application/x-ndjson"})
    assert again.status_code == 200 and again.json()["duplicates"] == 5_000
    # Other routes keep the general limit.
    other = client.post("/v1/check", content=b"x" * (runtime.settings.max_body_bytes + 1),
                        headers=agent.headers | {"content-type": "application/json"})
    assert other.status_code == 413


@pytest.mark.parametrize("chunked", [False, True])
def test_import_over_the_batch_limit_is_a_clear_413_and_imports_nothing(
        chunked: bool, api: tuple[TestClient, dict[str, Key], Runtime]) -> None:
    client, keys, runtime = api
    runtime.settings.batch_max_body_bytes = 200_000
    body = big_export(1_000).encode()
    content: Any = (body[i:i + 65_536] for i in range(0, len(body), 65_536)) if chunked else body
    r = client.post("/v1/batches", params={"incident": INCIDENT}, content=content,
                    headers=keys["agent"].headers | {"content-type": "application/x-ndjson"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert "CRISIS_BATCH_MAX_BODY_BYTES" in detail and "nothing was imported" in detail and "batch import" in detail
    with runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(BatchItemRow)) == 0
    # Sent in parts under the limit, every row gets in.
    lines = body.decode().splitlines()
    added = sum(post_import(client, keys["agent"], "\n".join(lines[i:i + 400])).json()["added"]
                for i in range(0, len(lines), 400))
    assert added == 1_000
