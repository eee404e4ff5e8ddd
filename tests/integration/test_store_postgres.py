"""The store and the review lifecycle on both backends: a SQLite file, and a real PostgreSQL that this
module starts with initdb/pg_ctl on 127.0.0.1 in a temp dir (skipped when the binaries are absent)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import assistant.batch.tables  # noqa: F401  (the batch tables share the metadata)
from assistant.errors import ApprovalBlocked, Conflict, Forbidden, InvalidInput, NotFound
from assistant.models import Triage, Verified
from assistant.reports.metrics import incident_timeline
from assistant.review import lifecycle as review
from assistant.review.schemas import IncidentIn
from assistant.review.store import Database
from assistant.review.tables import Base
from tests.utils.builders import Key, checked, comment, draft, flag, make_keys

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keys(db: Database) -> dict[str, Key]:
    return make_keys(db)


def _head() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(review.__file__).with_name("migrations")))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_are_idempotent_and_match_the_models(db: Database, db_url: str) -> None:
    Database(db_url).dispose()  # a second open re-runs `upgrade head`: nothing to do
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_two_processes_open_a_new_database_at_once(db_url: str) -> None:
    url = db_url
    code = "import sys; from assistant.review.store import Database; Database(sys.argv[1]).dispose()"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, url], env=env, stderr=subprocess.PIPE)
             for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    Database(url).dispose()


def test_keys_are_hashed_verified_and_revoked(db: Database) -> None:
    principal, token = db.create_key("lead", "Chloé (comms)")
    assert token.startswith(f"cd_{principal.key_id}_") and len(token) > 40
    assert db.verify_key(token) == principal
    assert db.verify_key(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert db.verify_key("cd_nope_x") is None and db.verify_key("garbage") is None
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM api_keys")).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert [(k.id, k.role, k.name) for k in db.list_keys()] == [(principal.key_id, "lead", "Chloé (comms)")]
    db.revoke_key(principal.key_id)
    assert db.verify_key(token) is None
    assert db.list_keys()[0].revoked_at is not None
    with pytest.raises(NotFound):
        db.revoke_key("missing")


def test_lifecycle_history_and_metrics(db: Database, keys: dict[str, Key]) -> None:
    agent, lead = keys["agent"].principal, keys["lead"].principal
    db.put_incident(IncidentIn(id="recall", title="Recall"), actor=lead.key_id)
    text_fr = "Bonjour Sarah, le lot L4822 est rappelé 🙏 — ne le consommez pas."
    d = review.save_new_draft(db, draft(text_fr, flags=[flag("high")], incident="recall"),
                              comment(created_at="2026-11-27T10:00:00+01:00"), agent)
    got = review.get_draft(db, d.id)
    assert got.text == text_fr and got.created_at.utcoffset() is not None and got.flags[0].severity == "high"
    with pytest.raises(Conflict) as stale:
        review.edit(db, d.id, "x", 7, agent, checked("x"))
    assert stale.value.extra["current"]["version"] == 1
    new_text = text_fr.replace("Bonjour", "Bonsoir")
    edited = review.edit(db, d.id, new_text, 1, agent, Verified(text=new_text, flags=[flag("high")]))
    with pytest.raises(ApprovalBlocked):
        review.approve(db, d.id, edited.version, agent, "because")
    approved = review.approve(db, d.id, edited.version, lead, "legal said yes")
    assert approved.status == "approved"
    with pytest.raises(Forbidden):
        review.promote_to_statement(db, d.id, agent, checked(approved.text))
    with pytest.raises(ApprovalBlocked):  # overridden for this reply, never knowledge for the next ones
        review.promote_to_statement(db, d.id, lead, checked(approved.text))
    review.mark_posted(db, d.id, approved.version, agent, "https://x.com/a/1")
    assert [v.action for v in review.history(db, d.id)] == ["created", "edited", "approved", "posted"]
    m = incident_timeline(db, "recall")
    assert (m.comments, m.drafts, m.posted, m.overrides, m.approval_rate) == (1, 1, 1, 1, 1.0)
    assert m.mean_edit_distance is not None and 0 < m.mean_edit_distance < 0.2
    assert db.get_incident("recall").created_at.utcoffset() is not None


def test_racing_writers_exactly_one_wins(db: Database, keys: dict[str, Key]) -> None:
    agent = keys["agent"].principal
    d = review.save_new_draft(db, draft(), comment(), agent)

    def attempt(n: int) -> bool:
        try:
            review.edit(db, d.id, f"text {n}", 1, agent, checked(f"text {n}"))
            return True
        except Conflict:
            return False

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(attempt, range(24))) == 1
    assert [v.version for v in review.history(db, d.id)] == [1, 2]


def test_queue_and_audit_pages(db: Database, keys: dict[str, Key]) -> None:
    agent = keys["agent"].principal
    made = [review.save_new_draft(db, draft(priority=p), comment(), agent) for p in (5, 80, 80, 40)]
    seen, cursor = [], None
    while True:
        page = db.queue(limit=1, cursor=cursor)
        seen += [item.draft.id for item in page.data]
        if not (cursor := page.next_cursor):
            break
    assert seen == [made[1].id, made[2].id, made[3].id, made[0].id]
    db.audit("someone", "test.event", "t-1", {"n": 1})
    events, cursor = [], None
    while True:
        apage = db.list_audit(limit=2, cursor=cursor)
        events += apage.data
        if not (cursor := apage.next_cursor):
            break
    assert len(events) == apage.count == 3 + 4 + 1  # 3 keys, 4 drafts, 1 event
    assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)


def test_a_second_store_on_the_same_database_sees_everything(db: Database, db_url: str,
                                                             keys: dict[str, Key]) -> None:
    d = review.save_new_draft(db, draft(), comment(), keys["agent"].principal)
    other = Database(db_url)
    try:
        assert other.verify_key(keys["agent"].token) == keys["agent"].principal
        assert review.get_draft(other, d.id) == review.get_draft(db, d.id)
    finally:
        other.dispose()


def test_queue_filters_on_the_stored_triage(db: Database, keys: dict[str, Key]) -> None:
    """The JSON paths behind ?intent= and ?escalate= read the same on both backends."""
    agent = keys["agent"].principal

    def made(intent: str, targets: list[str], **fields: object) -> str:
        tri = Triage(language="en", intent=intent, escalate_to=targets, priority=50)  # type: ignore[arg-type]
        return review.save_new_draft(db, draft(triage=tri, **fields), comment(), agent).id

    safety = made("safety", ["safety", "comms_lead"])
    press = made("press", ["press"])
    question = made("question", [])
    update = review.save_new_draft(db, draft(triage=None, kind="update"), None, agent).id

    def ids(**filters: str) -> list[str]:
        page = db.queue(**filters)  # type: ignore[arg-type]
        assert page.count == len(page.data)
        return [item.draft.id for item in page.data]

    assert ids(escalate="safety") == ids(escalate="comms_lead") == [safety]
    assert ids(escalate="any") == [safety, press]
    assert ids(escalate="none") == [question]
    assert ids(escalate="legal") == []
    assert ids(intent="press") == [press]
    assert ids(kind="update") == [update]
    with pytest.raises(InvalidInput):
        ids(escalate="%")  # never a LIKE pattern of the caller's


def test_two_batch_runners_at_once_draft_each_comment_once(db_url: str, sample_kb_dir: Path) -> None:
    """Batch claims on both backends: two runners (own engines, own threads) on one batch share the work,
    and every comment ends with exactly one draft."""
    import asyncio
    import json

    from sqlalchemy import func, select

    from assistant.batch import store
    from assistant.batch.runner import run_batch
    from assistant.config import Settings
    from assistant.review.tables import DraftRow
    from assistant.runtime import Runtime

    runtimes = [Runtime(Settings(data_dir=sample_kb_dir, database_url=db_url)) for _ in range(2)]
    rows = [{"id": f"p{i}", "platform": "x", "text": f"Is lot L{4700 + i * 13} recalled? Asking for shop {i * 31}."}
            for i in range(24)]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    store.import_data(runtimes[0].db, runtimes[0].settings, data, "jsonl", incident="recall-2026-11", batch_id="pg")
    reports: list[object] = []
    threads = [threading.Thread(target=lambda rt=rt: reports.append(asyncio.run(run_batch(rt, "pg", use_groups=False))))
               for rt in runtimes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        processed = [r.processed for r in reports]  # type: ignore[attr-defined]
        assert sum(processed) == 24
        with runtimes[0].db.read() as s:
            per_comment = dict(s.execute(select(DraftRow.comment_id, func.count()).group_by(DraftRow.comment_id))
                               .tuples().all())
        assert len(per_comment) == 24 and set(per_comment.values()) == {1}
    finally:
        for rt in runtimes:
            rt.close()
