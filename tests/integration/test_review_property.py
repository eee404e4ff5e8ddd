"""Property (hypothesis) through the real API on the sample knowledge: no sequence of edit, approve,
override, regenerate, reject, posted and promote, by any role, reaches `approved` (or `posted`) with
an open high-severity flag unless a lead or an admin overrode it with a reason the audit trail shows;
and no text with a high flag is ever promoted into the knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.runtime import Runtime
from tests.integration.test_security import HOSTILE_EDIT, INCIDENT, SAFE_EDIT, high
from tests.utils.builders import Key, make_keys

ROLES = ("agent", "lead", "admin")
TEXTS = (
    SAFE_EDIT,
    HOSTILE_EDIT,
    "Hi, thank you for your patience while we look into this.",
    "Batches L1234 and L9999 are also recalled, and the product is safe for children.",
    "You will receive a €20 voucher tomorrow.",
    "Each refund comes with a €5 goodwill voucher.",
    "It was probably caused by a worn part from our supplier.",
)
COMMENTS = ("Which batches are recalled?", "How much compensation will I get?",
            "My son ate some, is it dangerous? Call me on 06 12 34 56 78")
role = st.sampled_from(ROLES)
operation = st.one_of(
    st.tuples(st.just("edit"), role, st.sampled_from(TEXTS)),
    st.tuples(st.just("approve"), role, st.sampled_from([None, "", "   ", "legal checked the wording"])),
    st.tuples(st.just("regenerate"), role, st.none()),
    st.tuples(st.just("reject"), role, st.just("off-message")),
    st.tuples(st.just("posted"), role, st.just("https://x.com/acme/status/1")),
    st.tuples(st.just("promote"), role, st.none()),
)


@pytest.fixture(scope="module")
def env(sample_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, Key],
                                                                                          Runtime]]:
    db = tmp_path_factory.mktemp("property") / "db.sqlite"
    # Promotions write statements into the knowledge base: a copy, not the shared sample one.
    data = tmp_path_factory.mktemp("property-kb") / "data"
    shutil.copytree(sample_kb_dir, data)
    runtime = Runtime(Settings(data_dir=data, database_url=f"sqlite:///{db}", rate_limit_per_minute=1_000_000))
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield client, make_keys(runtime.db), runtime
    runtime.close()


def _call(client: TestClient, key: Key, method: str, path: str, **kw: Any) -> Any:
    r = client.request(method, path, headers=key.headers, **kw)
    assert r.status_code < 500, r.text
    return r


def _invariant(draft: dict[str, Any], runtime: Runtime, recheck: set[str]) -> None:
    """`recheck`: what the guards say about the text now (for a text a person wrote), so an edit that
    skipped the guards cannot pass for a clean one."""
    if draft["status"] not in ("approved", "posted"):
        return
    open_high = high(draft) | recheck
    if not open_high:
        return
    approvals = runtime.db.list_audit(target=draft["id"], action="draft.approved").data  # newest first
    assert approvals, draft
    last = approvals[0]
    assert last.detail["role"] in ("lead", "admin"), last
    assert (last.detail.get("override_reason") or "").strip(), last
    assert open_high <= set(last.detail["overridden_flags"]), (open_high, last.detail)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comment=st.sampled_from(COMMENTS), ops=st.lists(operation, min_size=1, max_size=8))
def test_nothing_with_an_open_high_flag_is_approved_without_an_audited_override(
        env: tuple[TestClient, dict[str, Key], Runtime], comment: str, ops: list[tuple[str, str, Any]]) -> None:
    client, keys, runtime = env
    created = _call(client, keys["agent"], "POST", "/v1/drafts", json={
        "comment": {"text": comment, "platform": "facebook"}, "incident": INCIDENT, "force": True})
    draft_id = created.json()["id"]
    person_wrote = False
    for op, who, arg in ops:
        cur = _call(client, keys[who], "GET", f"/v1/drafts/{draft_id}").json()
        path = f"/v1/drafts/{draft_id}"
        if op == "edit":
            r = _call(client, keys[who], "PATCH", path, json={"text": arg, "version": cur["version"]})
        elif op == "approve":
            r = _call(client, keys[who], "POST", f"{path}/approve",
                      json={"version": cur["version"], "override_reason": arg})
        elif op == "regenerate":
            r = _call(client, keys[who], "POST", f"{path}/regenerate", json={"version": cur["version"]})
        elif op == "reject":
            r = _call(client, keys[who], "POST", f"{path}/reject", json={"version": cur["version"], "reason": arg})
        elif op == "posted":
            r = _call(client, keys[who], "POST", f"{path}/posted", json={"version": cur["version"], "url": arg})
        else:
            r = _call(client, keys[who], "POST", f"{path}/promote")
            if r.status_code == 200:  # only a text without any high flag becomes knowledge
                assert not high(cur), cur["flags"]
                assert who in ("lead", "admin")
        assert r.status_code in (200, 403, 409, 422), r.text
        if r.status_code == 200 and op in ("edit", "regenerate"):
            person_wrote = op == "edit"
        now = _call(client, keys["lead"], "GET", path).json()
        recheck: set[str] = set()
        if person_wrote:
            checked = _call(client, keys["agent"], "POST", "/v1/check", json={
                "text": now["text"], "incident": INCIDENT, "platform": "facebook", "language": now["language"],
                "comment": {"text": comment, "platform": "facebook"}})
            recheck = high(checked.json())
        _invariant(now, runtime, recheck)
