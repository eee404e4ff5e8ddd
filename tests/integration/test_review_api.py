"""The review lifecycle over HTTP: edit, approve, reject, posted, conflicts, overrides, audit, restart."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.errors import Conflict
from assistant.models import Draft
from assistant.review import lifecycle as review
from assistant.runtime import Runtime
from tests.utils.builders import FakeKB, Key, checked, draft, flag

Seed = Callable[..., Draft]


def call(client: TestClient, key: Key, method: str, path: str, **kwargs: Any) -> Any:
    return client.request(method, path, headers=key.headers | kwargs.pop("headers", {}), **kwargs)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_edit_approve_posted(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    # No fact in the text: the knowledge base of these tests is empty, and an edit is guarded against it.
    d = seed_draft(incident="recall", text="Hi Sarah, we are sorry for the worry. Call us any time.")
    agent = keys["agent"]
    got = call(client, agent, "GET", f"/v1/drafts/{d.id}")
    assert got.headers["etag"] == '"1"'
    body = ok(got)
    assert (body["status"], body["version"], body["original_text"]) == ("draft", 1, d.text)
    assert body["citations"][0]["title"] == "Recall fact sheet v3"

    edited_text = d.text.replace("Call", "Please call")
    edited = ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": edited_text, "version": 1}))
    assert (edited["status"], edited["version"], edited["text"]) == ("edited", 2, edited_text)
    assert edited["original_text"] == d.text  # the AI original is kept beside the final text

    approved = ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/approve", json={"version": 2}))
    assert (approved["status"], approved["version"]) == ("approved", 3)
    url = "https://x.com/acme/status/1"
    posted = ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/posted", json={"version": 3, "url": url}))
    assert (posted["status"], posted["version"]) == ("posted", 4)

    history = ok(call(client, agent, "GET", f"/v1/drafts/{d.id}/history"))
    assert [(v["version"], v["action"], v["status"]) for v in history["data"]] == [
        (1, "created", "draft"), (2, "edited", "edited"), (3, "approved", "approved"), (4, "posted", "posted")]
    assert history["data"][0]["text"] == d.text and history["data"][1]["text"] == edited_text

    metrics = ok(call(client, agent, "GET", "/v1/incidents/recall/metrics"))
    assert metrics["posted"] == 1 and metrics["approval_rate"] == 1.0 and metrics["acceptance_rate"] == 0.0
    assert 0 < metrics["mean_edit_distance"] < 0.2
    assert metrics["median_time_to_approval_s"] >= 0


def test_if_match_header_and_noop_edit(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    d = seed_draft()
    agent = keys["agent"]
    r = call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "Hi Sarah, new text."},
             headers={"If-Match": '"1"'})
    assert ok(r)["version"] == 2 and r.headers["etag"] == '"2"'
    same = ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "Hi Sarah, new text."},
                   headers={"If-Match": 'W/"2"'}))
    assert same["version"] == 2  # nothing changed: no new version
    missing = call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "x"})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"


def test_concurrent_edits_second_gets_409_with_current(client: TestClient, keys: dict[str, Key],
                                                       seed_draft: Seed) -> None:
    d = seed_draft()
    first = ok(call(client, keys["agent"], "PATCH", f"/v1/drafts/{d.id}", json={"text": "mine", "version": 1}))
    second = call(client, keys["lead"], "PATCH", f"/v1/drafts/{d.id}", json={"text": "theirs", "version": 1})
    assert second.status_code == 409
    problem = second.json()
    assert second.headers["content-type"].startswith("application/problem+json")
    assert (problem["code"], problem["reason"]) == ("version_conflict", "stale_version")
    assert problem["current"]["version"] == first["version"] == 2 and problem["current"]["text"] == "mine"


def test_racing_writers_exactly_one_wins(runtime: Runtime, keys: dict[str, Key], seed_draft: Seed) -> None:
    d = seed_draft()

    def attempt(n: int) -> str:
        try:
            review.edit(runtime.db, d.id, f"text {n}", 1, keys["agent"].principal, checked(f"text {n}"))
            return "won"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    assert outcomes.count("won") == 1 and outcomes.count("conflict") == 15
    assert review.get_draft(runtime.db, d.id).version == 2


def test_edit_after_approval_reopens_review(client: TestClient, keys: dict[str, Key], seed_draft: Seed,
                                            runtime: Runtime) -> None:
    d = seed_draft(incident="recall")
    agent = keys["agent"]
    ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/approve", json={"version": 1}))
    reopened = ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "changed", "version": 2}))
    assert reopened["status"] == "edited"
    assert call(client, agent, "POST", f"/v1/drafts/{d.id}/posted",
                json={"version": 3, "url": "https://x.com/a/1"}).status_code == 409
    assert ok(call(client, agent, "GET", "/v1/incidents/recall/metrics"))["approved"] == 0
    events = runtime.db.list_audit(target=d.id, action="draft.edited").data
    assert events[0].detail["reopened"] is True
    assert ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/approve", json={"version": 3}))["status"] == "approved"


def test_reject_then_edit_reopens(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    d = seed_draft()
    agent = keys["agent"]
    assert call(client, agent, "POST", f"/v1/drafts/{d.id}/reject", json={"version": 1, "reason": ""}
                ).status_code == 422
    rejected = ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/reject",
                       json={"version": 1, "reason": "promises a refund"}))
    assert rejected["status"] == "rejected"
    blocked = call(client, agent, "POST", f"/v1/drafts/{d.id}/approve", json={"version": 2})
    assert blocked.status_code == 409 and blocked.json()["reason"] == "invalid_state"
    assert ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "better", "version": 2})
              )["status"] == "edited"


def test_high_flag_blocks_approval_until_lead_override(client: TestClient, keys: dict[str, Key],
                                                       seed_draft: Seed, runtime: Runtime) -> None:
    d = seed_draft(flags=[flag("high"), flag("low", code="length")], incident="recall")
    path = f"/v1/drafts/{d.id}/approve"
    agent = call(client, keys["agent"], "POST", path, json={"version": 1, "override_reason": "fine"})
    assert agent.status_code == 409
    assert (agent.json()["code"], agent.json()["can_override"]) == ("approval_blocked", False)
    assert [f["code"] for f in agent.json()["flags"]] == ["commitment"]
    lead_no_reason = call(client, keys["lead"], "POST", path, json={"version": 1, "override_reason": "  "})
    assert lead_no_reason.status_code == 409 and lead_no_reason.json()["can_override"] is True

    reason = "refund confirmed by legal at 14:00"
    approved = ok(call(client, keys["lead"], "POST", path, json={"version": 1, "override_reason": reason}))
    assert approved["status"] == "approved"
    event = runtime.db.list_audit(target=d.id, action="draft.approved").data[0]
    assert event.actor == keys["lead"].principal.key_id
    assert (event.detail["override_reason"], event.detail["overridden_flags"]) == (reason, ["commitment"])
    assert ok(call(client, keys["lead"], "GET", "/v1/incidents/recall/metrics"))["overrides"] == 1


def test_public_updates_need_a_lead(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    d = seed_draft(kind="update")
    path = f"/v1/drafts/{d.id}/approve"
    assert call(client, keys["agent"], "POST", path, json={"version": 1}).status_code == 403
    assert ok(call(client, keys["lead"], "POST", path, json={"version": 1}))["status"] == "approved"


def test_audit_trail_for_a_lifecycle(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    d = seed_draft()
    agent, lead = keys["agent"], keys["lead"]
    ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "v2", "version": 1}))
    ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/approve", json={"version": 2}))
    ok(call(client, lead, "POST", f"/v1/drafts/{d.id}/posted", json={"version": 3, "url": "https://x.com/a/2"}))
    assert call(client, agent, "GET", "/v1/audit").status_code == 403
    page = ok(call(client, lead, "GET", "/v1/audit", params={"target": d.id, "limit": 2}))
    events = page["data"]
    assert page["count"] == 4 and page["next_cursor"]
    events += ok(call(client, lead, "GET", "/v1/audit", params={"target": d.id, "cursor": page["next_cursor"]})
                 )["data"]
    assert [e["action"] for e in reversed(events)] == ["draft.created", "draft.edited", "draft.approved",
                                                        "draft.posted"]
    who = {e["action"]: (e["actor"], e["detail"]["role"]) for e in events}
    assert who["draft.edited"] == (agent.principal.key_id, "agent")
    assert who["draft.posted"] == (lead.principal.key_id, "lead")
    assert all(e["at"] for e in events) and events[0]["detail"]["url"] == "https://x.com/a/2"


def test_stale_flag_when_cited_knowledge_changes(client: TestClient, keys: dict[str, Key], seed_draft: Seed,
                                                 fake_kb: FakeKB) -> None:
    fake_kb.set_version("recall-fact-sheet#0", "h1")
    fake_kb.set_version("policy#2", "h7")
    d = seed_draft(knowledge_versions={"recall-fact-sheet#0": "h1", "policy#2": "h7"})
    codes = [f["code"] for f in ok(call(client, keys["agent"], "GET", f"/v1/drafts/{d.id}"))["flags"]]
    assert "stale" not in codes
    fake_kb.set_version("recall-fact-sheet#0", "h2")
    fake_kb.set_version("policy#2", None)
    stale = [f for f in ok(call(client, keys["agent"], "GET", f"/v1/drafts/{d.id}"))["flags"] if f["code"] == "stale"]
    # One flag per chunk, naming it: the changed fact-sheet chunk and the policy chunk that is gone.
    assert [f["severity"] for f in stale] == ["medium", "medium"]
    assert {f["source"] for f in stale} == {"recall-fact-sheet#0", "policy#2"}
    assert any("h1 to h2" in f["message"] for f in stale) and any("no longer" in f["message"] for f in stale)


def test_regenerate_keeps_history(client: TestClient, keys: dict[str, Key], seed_draft: Seed,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    drafting = pytest.importorskip("assistant.drafting.chain")
    seen: list[Any] = []

    async def fake_draft_reply(runtime: Any, req: Any, on_token: Any = None) -> Draft:
        seen.append(req)
        return draft("Hi Sarah, here is a fresh answer.", provider="offline", model="composer-2")

    monkeypatch.setattr(drafting, "draft_reply", fake_draft_reply)
    d = seed_draft(incident="recall")
    agent = keys["agent"]
    ok(call(client, agent, "PATCH", f"/v1/drafts/{d.id}", json={"text": "human edit", "version": 1}))
    assert call(client, agent, "POST", f"/v1/drafts/{d.id}/regenerate", json={"version": 1}).status_code == 409
    fresh = ok(call(client, agent, "POST", f"/v1/drafts/{d.id}/regenerate", json={"version": 2}))
    assert (fresh["id"], fresh["status"], fresh["version"]) == (d.id, "draft", 3)
    assert fresh["text"] == fresh["original_text"] == "Hi Sarah, here is a fresh answer."
    assert fresh["model"] == "composer-2" and fresh["comment_id"] == d.comment_id
    assert seen[0].comment.text == "My son ate granola from batch L4822, is it safe?"
    assert seen[0].incident == "recall"
    texts = [v["text"] for v in ok(call(client, agent, "GET", f"/v1/drafts/{d.id}/history"))["data"]]
    assert texts == [d.text, "human edit", "Hi Sarah, here is a fresh answer."]


def test_promote_approved_text_to_statement(client: TestClient, keys: dict[str, Key], seed_draft: Seed,
                                            fake_kb: FakeKB) -> None:
    d = seed_draft(incident="recall", text="Hi Sarah, we are sorry for the worry this causes.")
    path = f"/v1/drafts/{d.id}/promote"
    assert call(client, keys["lead"], "POST", path).status_code == 409  # not approved yet
    ok(call(client, keys["agent"], "POST", f"/v1/drafts/{d.id}/approve", json={"version": 1}))
    assert call(client, keys["agent"], "POST", path).status_code == 403
    promoted = ok(call(client, keys["lead"], "POST", path))
    doc = fake_kb.upserted[0]
    assert promoted["document_id"] == doc.id
    assert (doc.kind, doc.approved, doc.text, doc.incident) == ("statement", True, d.text, "recall")


def test_queue_orders_filters_and_pages(client: TestClient, keys: dict[str, Key], seed_draft: Seed) -> None:
    made = [seed_draft(priority=p, incident="recall" if p > 20 else None) for p in (10, 90, 50, 50, 70)]
    agent = keys["agent"]
    seen: list[str] = []
    cursor = None
    while True:
        page = ok(call(client, agent, "GET", "/v1/queue", params={"limit": 2} | ({"cursor": cursor} if cursor else {})))
        assert page["count"] == 5
        seen += [item["draft"]["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    by_priority = [made[i].id for i in (1, 4, 2, 3, 0)]  # equal priorities: oldest first
    assert seen == by_priority
    created = ok(call(client, agent, "GET", "/v1/queue", params={"order": "created"}))
    assert [i["draft"]["id"] for i in created["data"]] == [d.id for d in made]
    assert created["data"][0]["comment"]["author"] == "Sarah Martin"
    assert ok(call(client, agent, "GET", "/v1/queue", params={"incident": "recall"}))["count"] == 4
    ok(call(client, agent, "POST", f"/v1/drafts/{made[1].id}/approve", json={"version": 1}))
    assert ok(call(client, agent, "GET", "/v1/queue"))["count"] == 4  # open only by default
    approved = ok(call(client, agent, "GET", "/v1/queue", params={"status": "approved"}))
    assert [i["draft"]["id"] for i in approved["data"]] == [made[1].id]
    assert ok(call(client, agent, "GET", "/v1/queue", params={"status": "all"}))["count"] == 5
    assert call(client, agent, "GET", "/v1/queue", params={"cursor": "garbage"}).status_code == 422


def test_a_new_draft_for_the_same_comment_replaces_it_in_the_queue(client: TestClient, keys: dict[str, Key],
                                                                    seed_draft: Seed) -> None:
    first = seed_draft(comment_fields={"id": "c-1"})
    second = seed_draft(comment_fields={"id": "c-1"})
    items = ok(call(client, keys["agent"], "GET", "/v1/queue"))["data"]
    assert [i["draft"]["id"] for i in items] == [second.id]
    # The comment's key is scoped by incident and platform (the client's id is unique only there).
    assert ok(call(client, keys["agent"], "GET", f"/v1/drafts/{first.id}"))["comment_id"] == second.comment_id
    assert items[0]["comment"]["id"] == "c-1"


def test_incidents(client: TestClient, keys: dict[str, Key]) -> None:
    body = {"id": "recall-2026-11", "title": "Granola recall", "severity": "high"}
    assert call(client, keys["agent"], "POST", "/v1/incidents", json=body).status_code == 403
    created = ok(call(client, keys["lead"], "POST", "/v1/incidents", json=body))
    assert created["status"] == "active" and created["created_by"] == keys["lead"].principal.key_id
    updated = ok(call(client, keys["lead"], "POST", "/v1/incidents", json=body | {"status": "resolved"}))
    assert updated["status"] == "resolved" and updated["created_at"] == created["created_at"]
    ok(call(client, keys["lead"], "POST", "/v1/incidents", json={"id": "other", "title": "Other"}))
    page = ok(call(client, keys["agent"], "GET", "/v1/incidents", params={"limit": 1}))
    assert page["count"] == 2 and page["next_cursor"]
    rest = ok(call(client, keys["agent"], "GET", "/v1/incidents", params={"cursor": page["next_cursor"]}))
    assert {page["data"][0]["id"], rest["data"][0]["id"]} == {"recall-2026-11", "other"}
    assert ok(call(client, keys["agent"], "GET", "/v1/incidents/other"))["title"] == "Other"
    assert call(client, keys["agent"], "GET", "/v1/incidents/nope").status_code == 404
    assert ok(call(client, keys["agent"], "GET", "/v1/incidents/other/metrics"))["drafts"] == 0


def test_restart_sees_everything(settings: Settings, keys: dict[str, Key], seed_draft: Seed,
                                 runtime: Runtime) -> None:
    d = seed_draft(incident="recall")
    with TestClient(create_app(runtime=runtime)) as first:
        ok(call(first, keys["agent"], "PATCH", f"/v1/drafts/{d.id}", json={"text": "kept", "version": 1}))
    runtime.close()

    again = Runtime(Settings(data_dir=settings.data_dir, rate_limit_per_minute=1000))
    try:
        with TestClient(create_app(runtime=again)) as second:
            got = ok(call(second, keys["agent"], "GET", f"/v1/drafts/{d.id}"))
            assert (got["text"], got["status"], got["version"], got["original_text"]) == (
                "kept", "edited", 2, d.text)
            assert ok(call(second, keys["agent"], "GET", "/v1/queue"))["count"] == 1
            audit = ok(call(second, keys["lead"], "GET", "/v1/audit", params={"target": d.id}))
            assert audit["count"] == 2
    finally:
        again.close()


def test_rate_limit_per_key(tmp_path: Any) -> None:
    rt = Runtime(Settings(data_dir=tmp_path, rate_limit_per_minute=3))
    try:
        _, token = rt.db.create_key("agent", "burst")
        _, other = rt.db.create_key("agent", "other")
        with TestClient(create_app(runtime=rt)) as client:
            statuses = [client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
                        for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            limited = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
            assert client.get("/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    finally:
        rt.close()


def test_revoked_key_is_refused(client: TestClient, keys: dict[str, Key], runtime: Runtime) -> None:
    agent = keys["agent"]
    assert call(client, agent, "GET", "/v1/me").status_code == 200
    runtime.db.revoke_key(agent.principal.key_id)
    assert call(client, agent, "GET", "/v1/me").status_code == 401


def test_cli_keys_and_queue(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer import Typer
    from typer.testing import CliRunner

    from assistant.cli.review import keys_app, queue_command
    from assistant.config import get_settings

    monkeypatch.setenv("CRISIS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    app = Typer()
    app.add_typer(keys_app, name="keys")
    app.command("queue")(queue_command)
    runner = CliRunner()
    try:
        created = runner.invoke(app, ["keys", "create", "--role", "lead", "--name", "Chloé", "--json"])
        assert created.exit_code == 0, created.output
        key = json.loads(created.stdout)
        assert key["role"] == "lead" and key["key"].startswith(f"cd_{key['id']}_")
        assert runner.invoke(app, ["keys", "create", "--role", "boss"]).exit_code == 2
        listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)
        assert [(k["id"], k["name"]) for k in listed] == [(key["id"], "Chloé")] and "key" not in listed[0]
        rt = Runtime()
        try:
            principal = rt.db.verify_key(key["key"])
            assert principal is not None
            review.save_new_draft(rt.db, draft(priority=70), None, principal)
        finally:
            rt.close()
        queue = runner.invoke(app, ["queue", "--json"])
        assert queue.exit_code == 0 and json.loads(queue.stdout)["count"] == 1
        assert "Hi Sarah" in runner.invoke(app, ["queue"]).stdout
        assert runner.invoke(app, ["keys", "revoke", key["id"]]).exit_code == 0
        assert runner.invoke(app, ["keys", "revoke", "nope"]).exit_code == 2
    finally:
        get_settings.cache_clear()


def test_a_knowledge_outage_does_not_hide_the_draft(client: TestClient, keys: dict[str, Key], seed_draft: Seed,
                                                    runtime: Runtime) -> None:
    class BrokenKB:
        def versions(self) -> dict[str, str]:
            raise RuntimeError("chroma is down")

    runtime.__dict__["kb"] = BrokenKB()
    d = seed_draft(knowledge_versions={"recall-fact-sheet#0": "h1"})
    flags = ok(call(client, keys["agent"], "GET", f"/v1/drafts/{d.id}"))["flags"]
    assert [f["code"] for f in flags if f["source"] == "review"] == ["stale_unchecked"]


def test_an_edited_update_is_measured_as_a_post_not_a_reply(client: TestClient, keys: dict[str, Key],
                                                            seed_draft: Seed) -> None:
    """A LinkedIn update is ~2,300 characters: over the reply limit (1,250), within the post limit (3,000)."""
    long_text = "We are publishing the full update on the recall for our customers. " * 34
    d = seed_draft(kind="update", platform="linkedin", text=long_text)
    edited = ok(call(client, keys["lead"], "PATCH", f"/v1/drafts/{d.id}",
                     json={"text": long_text + "Next update tomorrow.", "version": 1}))
    assert 1250 < len(edited["text"]) <= 3000
    assert not [f for f in edited["flags"] if f["code"] in ("too_long", "over_target")], edited["flags"]
    over = ok(call(client, keys["lead"], "PATCH", f"/v1/drafts/{d.id}", json={"text": long_text * 2, "version": 2}))
    assert any(f["code"] == "too_long" and "post limit of 3000" in f["message"] for f in over["flags"])
    # A reply on the same platform keeps the reply limit.
    r = seed_draft(platform="linkedin")
    reply = ok(call(client, keys["agent"], "PATCH", f"/v1/drafts/{r.id}", json={"text": long_text, "version": 1}))
    assert any(f["code"] == "too_long" for f in reply["flags"])
