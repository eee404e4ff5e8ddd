"""The rollups the lifecycle keeps on write, on both backends: after a random mix of every review step
(new drafts, redrafts of a comment, regenerations, edits, approvals with and without override,
rejections, posting, public updates, briefs on a stored comment) they equal a rebuild from the rows,
and the metrics read from them equal the metrics computed by scanning the rows (tests/utils/
metrics_scan.py): every count exactly, every percentile within the histogram's bound. The migration's
backfill gives the same rollups as the writes did."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assistant.errors import ApprovalBlocked, Conflict
from assistant.models import Flag, Triage
from assistant.reports.metrics import incident_timeline
from assistant.review import lifecycle as review
from assistant.review import rollups
from assistant.review.schemas import IncidentIn, Principal
from assistant.review.store import Database
from tests.utils.builders import checked, comment, draft, make_keys
from tests.utils.incident import T0
from tests.utils.metrics_scan import assert_same_metrics, scan_timeline

INCIDENT = "rollup-mix"
TARGETS = ["legal", "press", "safety", "comms_lead", "support"]


def _triage(rng: random.Random) -> Triage:
    return Triage(language=rng.choice(["en", "fr"]), intent=rng.choice(["question", "complaint", "rumour", "safety"]),
                  sentiment=rng.choice(["negative", "neutral", "positive"]),
                  severity=rng.choice(["low", "medium", "high", "critical"]),
                  escalate_to=rng.sample(TARGETS, rng.choice([0, 0, 1, 2])))  # type: ignore[arg-type]


def random_incident(store: Database, agent: Principal, lead: Principal, monkeypatch: pytest.MonkeyPatch,
                    steps: int = 160, seed: int = 5) -> None:
    rng = random.Random(seed)
    now = [T0]
    monkeypatch.setattr(review, "utcnow", lambda: now[0])
    store.put_incident(IncidentIn(id=INCIDENT, title="Random mix"), actor=lead.key_id)
    comments: list[Any] = []
    drafts: list[str] = []
    for i in range(steps):
        now[0] += timedelta(seconds=rng.choice([3, 40, 700, 2500, 9000]))
        op = rng.random()
        flags = [Flag(code=rng.choice(["commitment", "tone"]), severity=rng.choice(["medium", "high"]), message="m")
                 ] if rng.random() < 0.3 else []
        try:
            if op < 0.3 or not drafts:
                c = comment(f"comment {i}", id=f"c{i}", platform=rng.choice(["x", "facebook"]),
                            created_at=now[0] - timedelta(seconds=rng.randint(0, 4000)))
                comments.append(c)
                d = draft(f"reply {i}", incident=INCIDENT, created_at=now[0], updated_at=now[0],
                          triage=_triage(rng), flags=flags)
                drafts.append(review.save_new_draft(store, d, c, agent).id)
            elif op < 0.36:  # the same comment drafted again (re-triaged): the old draft leaves the queue
                c = rng.choice(comments)
                d = draft(f"again {i}", incident=INCIDENT, created_at=now[0], updated_at=now[0],
                          triage=_triage(rng), flags=flags)
                drafts.append(review.save_new_draft(store, d, c, agent).id)
            elif op < 0.40:  # a public update, or a brief beside a stored comment's reply
                kind = rng.choice(["update", "brief"])
                key = None if kind == "update" else review.comment_key(INCIDENT, comments[-1].platform,
                                                                       comments[-1].id)
                d = draft(f"{kind} {i}", kind=kind, incident=INCIDENT, created_at=now[0], updated_at=now[0],
                          triage=None, comment_id=key, flags=flags)
                drafts.append(review.save_new_draft(store, d, None, lead).id)
            else:
                d_id = rng.choice(drafts)
                cur = review.get_draft(store, d_id)
                step = rng.random()
                if step < 0.15:
                    review.edit(store, d_id, cur.text + " edited", cur.version, agent, checked(cur.text + " edited"))
                elif step < 0.55:
                    high = any(f.severity == "high" for f in cur.flags)
                    who = lead if high or cur.kind != "reply" else agent
                    review.approve(store, d_id, cur.version, who, override_reason="ok" if high else None)
                elif step < 0.7:
                    review.reject(store, d_id, cur.version, agent if cur.kind == "reply" else lead, "no")
                elif step < 0.9:
                    review.mark_posted(store, d_id, cur.version, agent if cur.kind == "reply" else lead,
                                       f"https://x.example/{i}")
                else:
                    new = draft(f"regenerated {i}", flags=flags)
                    review.regenerate(store, d_id, cur.version, agent, new)
        except (Conflict, ApprovalBlocked):
            pass  # a step the lifecycle refuses changes nothing (and must not touch the rollups)


def rollup_rows(store: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with store.read() as s:
        for table, cols in (("rollup_counts", "label, n, total"), ("rollup_durations", "bin, n, total"),
                            ("rollup_percentiles", "n, p50, p90")):
            out[table] = sorted(tuple(r) for r in s.execute(text(
                f"SELECT incident, width, bucket, metric, {cols} FROM {table} WHERE n <> 0")))
    return out


def test_rollups_kept_on_write_equal_a_rebuild_and_the_scanned_metrics(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = make_keys(db)
    random_incident(db, keys["agent"].principal, keys["lead"].principal, monkeypatch)
    kept = rollup_rows(db)
    assert len(kept["rollup_counts"]) > 100 and len(kept["rollup_durations"]) > 20
    with db.write() as s:
        rollups.rebuild(s, INCIDENT)
    assert rollup_rows(db) == kept
    for bucket in ("15m", "1h", "1d"):
        fast = incident_timeline(db, INCIDENT, bucket)  # type: ignore[arg-type]
        assert fast.total.to_approval.count >= 5 and fast.posted and fast.rejected and fast.overrides
        assert_same_metrics(fast, scan_timeline(db, INCIDENT, bucket))  # type: ignore[arg-type]


def test_the_migration_backfills_existing_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command
    from alembic.config import Config

    store = Database(f"sqlite:///{tmp_path / 'store.db'}")
    keys = make_keys(store)
    random_incident(store, keys["agent"].principal, keys["lead"].principal, monkeypatch, steps=60, seed=9)
    kept = rollup_rows(store)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(review.__file__).with_name("migrations")))
    cfg.set_main_option("sqlalchemy.url", store.url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "monitor_0001")  # as before the rollups existed
    store.migrate()
    assert rollup_rows(store) == kept
    store.dispose()
