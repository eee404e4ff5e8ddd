"""Exactly once under kill -9: a batch run killed mid-way and started again drafts only what is missing,
and a run after success does nothing. Real subprocess, real store, the fake OpenAI server over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from assistant.batch import store
from assistant.batch.runner import run_batch
from assistant.batch.tables import BatchItemRow
from assistant.config import Settings
from assistant.review.tables import DraftRow
from assistant.runtime import Runtime
from tests.fakes.openai_server import delay, echo_schema, start_fake_openai

QUESTIONS = ["Is batch L{n} recalled?", "My dog ate granola {n}, what now?", "Where is the refund form for order {n}?",
             "Can I still eat the bars from box {n}?", "Which stores sold lot {n}?", "Who pays for the vet, case {n}?"]


def comments(n: int) -> bytes:
    rows = [{"id": f"k{i}", "platform": "x", "author_handle": f"user{i}",
             "text": QUESTIONS[i % len(QUESTIONS)].format(n=4800 + i) + f" (asked by reader {i * 7919 % 1000})"}
            for i in range(n)]
    return "\n".join(json.dumps(r) for r in rows).encode()


def item_states(runtime: Runtime, batch: str) -> dict[str, int]:
    with runtime.db.read() as s:
        return dict(s.execute(select(BatchItemRow.status, func.count()).where(BatchItemRow.batch_id == batch)
                              .group_by(BatchItemRow.status)).tuples().all())


def drafts_per_comment(runtime: Runtime) -> dict[str, int]:
    with runtime.db.read() as s:
        return dict(s.execute(select(DraftRow.comment_id, func.count()).group_by(DraftRow.comment_id)).tuples().all())


def test_kill_9_mid_run_then_resume_drafts_each_comment_exactly_once(sample_kb_dir: Path, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'batch.sqlite'}"
    total = 40
    with start_fake_openai(default=lambda req: delay(0.25, echo_schema(req))) as fake:
        settings = Settings(data_dir=sample_kb_dir, database_url=db_url, llm_provider="openai",
                            openai_base_url=fake.base_url, batch_concurrency=4)
        runtime = Runtime(settings)
        report = store.import_data(runtime.db, settings, comments(total), "jsonl", incident="recall-2026-11",
                                   batch_id="b-kill")
        assert report.added == total
        env = os.environ | {"CRISIS_DATA_DIR": str(sample_kb_dir), "CRISIS_DATABASE_URL": db_url,
                            "CRISIS_LLM_PROVIDER": "openai", "OPENAI_BASE_URL": fake.base_url,
                            "OPENAI_API_KEY": "test", "CRISIS_BATCH_CONCURRENCY": "4"}
        proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import app; app()", "batch", "run",
                                 "b-kill", "--no-groups", "--json"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 90
            while item_states(runtime, "b-kill").get("drafted", 0) < 8:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                assert time.monotonic() < deadline, "the runner drafted nothing"
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        before = item_states(runtime, "b-kill")
        assert before.get("running", 0) > 0 and before.get("drafted", 0) < total  # killed mid-way, items in hand
        requests_before = len(fake.chat_requests)

        # Resume at once: the dead runner's leases are taken over (same host, process gone).
        resumed = asyncio.run(run_batch(runtime, "b-kill", use_groups=False))
        after = item_states(runtime, "b-kill")
        assert after.get("drafted", 0) + after.get("held", 0) == total, after
        per_comment = drafts_per_comment(runtime)
        assert len(per_comment) == total and set(per_comment.values()) == {1}  # none lost, none twice
        # Only the missing ones went to the provider (a draft stored just before the kill is adopted).
        assert len(fake.chat_requests) - requests_before <= total - before.get("drafted", 0) - before.get("held", 0)
        assert resumed.processed == total - before.get("drafted", 0) - before.get("held", 0)

        # A run after success does nothing at all.
        calls = len(fake.chat_requests)
        again = asyncio.run(run_batch(runtime, "b-kill", use_groups=False))
        assert again.processed == 0 and len(fake.chat_requests) == calls and drafts_per_comment(runtime) == per_comment
        runtime.close()


def test_redraft_stale_redrafts_only_drafts_whose_facts_changed(sample_runtime: Runtime, monkeypatch) -> None:
    rt = sample_runtime
    store.import_data(rt.db, rt.settings, comments(6), "jsonl", incident="recall-2026-11", batch_id="b-stale")
    asyncio.run(run_batch(rt, "b-stale"))
    with rt.db.read() as s:
        items = {i.key: (i.draft_id, rt.db) for i in s.scalars(select(BatchItemRow))}
        drafts = {d.id: d.data.get("knowledge_versions") or {} for d in s.scalars(select(DraftRow))}
    first_ids = {k: v[0] for k, v in items.items()}
    # One fact sheet chunk changes: only the drafts that cited it are stale.
    changed = next(iter(next(v for v in drafts.values() if v)))
    affected = {k for k, d in first_ids.items() if changed in drafts[d]}
    current = rt.kb.versions() | {changed: "new-version"}
    monkeypatch.setattr(rt.kb, "versions", lambda: current)
    plain = asyncio.run(run_batch(rt, "b-stale"))
    assert plain.processed == 0  # without --redraft-stale nothing is redrafted
    redone = asyncio.run(run_batch(rt, "b-stale", redraft_stale=True))
    assert redone.processed == len(affected) > 0
    with rt.db.read() as s:
        now_ids = {i.key: i.draft_id for i in s.scalars(select(BatchItemRow))}
        current_drafts = s.scalar(select(func.count()).select_from(DraftRow).where(DraftRow.current.is_(True)))
    assert {k for k in now_ids if now_ids[k] != first_ids[k]} == affected
    assert current_drafts == 6  # the old drafts stay in history, one current draft per comment
