"""Metrics over time at 100k comments: rollups kept on write vs scanning the rows in SQL vs loading
every row into Python.

    python benchmarks/reports.py [--comments 100000] [--runs 30] [--slow-runs 3] [--backend sqlite|postgresql|both]

A synthetic incident over three days: one current reply draft per comment, 60% approved (a third of
them edited), 12% of the comments' drafts posted, 10% rejected, 10% escalated, 20% with flags, a lead
override on 2%. Rows are written with bulk inserts (the drafting chain is not what is measured), then the rollups
are rebuilt from them (the migration's backfill, timed). "rollups" is `incident_timeline` (what the
API and CLI run); "SQL scan" is the previous version, which grouped and ranked the rows in SQL
(tests/utils/metrics_scan.py, the tests' reference); "naive" loads the incident's comments, drafts
and decisions as ORM rows and computes the same figures in Python. The three are checked against
each other (counts equal, percentiles within the histogram bound). Also timed: the write path
(save a draft, approve it) with and without the rollup hook, and the whole report (metrics, gaps,
edits, groups, HTML). PostgreSQL is a throwaway server (initdb, fsync off).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.reports.metrics import incident_timeline  # noqa: E402
from assistant.reports.report import build_report, render_html  # noqa: E402
from assistant.review import lifecycle, rollups  # noqa: E402
from assistant.review.schemas import IncidentIn, Principal  # noqa: E402
from assistant.review.store import Database  # noqa: E402
from assistant.review.tables import CommentRow, DecisionRow, DraftRow  # noqa: E402
from tests.utils.builders import comment, draft  # noqa: E402
from tests.utils.metrics_scan import assert_same_metrics, scan_timeline  # noqa: E402

T0 = datetime(2026, 11, 25, 8, tzinfo=UTC)
INCIDENT = "bench"
INTENTS = ["question"] * 4 + ["complaint"] * 3 + ["rumour", "safety", "praise", "other"]
TARGETS = ["legal", "press", "safety", "comms_lead", "support"]


def seed(db: Database, n: int, rng: random.Random) -> None:
    db.put_incident(IncidentIn(id=INCIDENT, title="Benchmark incident"), actor="bench")
    comments, drafts, decisions = [], [], []
    for i in range(n):
        at = T0 + timedelta(seconds=rng.uniform(0, 3 * 86400))
        escalate = rng.choice(TARGETS) if rng.random() < 0.1 else None
        comments.append({"id": f"c{i}", "incident": INCIDENT, "platform": rng.choice(["x", "facebook", "instagram"]),
                         "author": None, "text": f"comment {i} about batch L4822?", "data": {},
                         "created_at": at, "received_at": at, "intent": rng.choice(INTENTS),
                         "sentiment": rng.choice(["negative", "negative", "neutral", "positive"]),
                         "severity": rng.choice(["low", "medium", "high"]), "language": rng.choice(["en", "fr"]),
                         "escalate_to": escalate})
        created = at + timedelta(seconds=rng.uniform(1, 60))
        roll = rng.random()
        edited = roll < 0.2
        approved = created + timedelta(seconds=rng.expovariate(1 / 1800)) if roll < 0.6 else None
        posted = approved + timedelta(seconds=rng.uniform(60, 900)) if approved and rng.random() < 0.2 else None
        flags = [{"code": rng.choice(["unsupported_claim", "tone", "commitment"]),
                  "severity": rng.choice(["medium", "high"]), "message": "m"}] if rng.random() < 0.2 else []
        status = "posted" if posted else "approved" if approved else "rejected" if roll > 0.9 else "draft"
        drafts.append({"id": f"d{i}", "comment_id": f"c{i}", "incident": INCIDENT, "kind": "reply", "status": status,
                       "version": 2, "text": "Hi, batch L4822 is recalled." + (" Sorry." if edited else ""),
                       "original_text": "Hi, batch L4822 is recalled.", "priority": 10.0, "current": True,
                       "data": {"flags": flags, "citations": [{"doc_id": "fs"}], "unknowns": [],
                                "knowledge_versions": {"fs::0": "h1"}, "platform": "x"},
                       "created_at": created, "updated_at": created, "approved_at": approved,
                       "approved_by": "k" if approved else None, "edit_distance": (0.2 if edited else 0.0)
                       if approved else None, "posted_at": posted, "posted_url": None})
        if approved:
            decisions.append({"draft_id": f"d{i}", "decision": "approve", "actor": "k", "role": "agent", "version": 2,
                              "reason": None, "at": approved})
            if flags and flags[0]["severity"] == "high" and rng.random() < 0.1:
                decisions.append({"draft_id": f"d{i}", "decision": "override", "actor": "k", "role": "lead",
                                  "version": 2, "reason": "ok", "at": approved})
        if posted:
            decisions.append({"draft_id": f"d{i}", "decision": "posted", "actor": "k", "role": "agent", "version": 3,
                              "reason": "url", "at": posted})
        if status == "rejected":
            decisions.append({"draft_id": f"d{i}", "decision": "reject", "actor": "k", "role": "agent", "version": 2,
                              "reason": "no", "at": created + timedelta(seconds=rng.uniform(60, 3600))})
    with db.write() as s:
        for table, rows in ((CommentRow, comments), (DraftRow, drafts), (DecisionRow, decisions)):
            for start in range(0, len(rows), 5000):
                s.execute(insert(table), rows[start:start + 5000])
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _s(t: datetime) -> int:
    return int(t.timestamp())  # whole seconds, as the SQL side (floor of each epoch)


def naive(db: Database, width: int = 3600) -> dict[str, Any]:
    """Every row of the incident into Python, then the same figures (the load-everything alternative)."""
    with db.read() as s:
        comments = list(s.scalars(select(CommentRow).where(CommentRow.incident == INCIDENT)))
        drafts = list(s.scalars(select(DraftRow).where(DraftRow.incident == INCIDENT)))
        ids = {d.id for d in drafts}
        decisions = [x for x in s.scalars(select(DecisionRow)) if x.draft_id in ids]

    def bucket(t: datetime) -> int:
        e = int(t.timestamp())
        return e - e % width

    facets: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    by_comment = {c.id: c for c in comments}
    for c in comments:
        for f in ("intent", "sentiment", "severity", "language", "platform"):
            facets[bucket(c.created_at)][(f, getattr(c, f) or "unknown")] += 1
    events: Counter[tuple[int, str]] = Counter((bucket(x.at), x.decision) for x in decisions)
    waits: dict[int, list[int]] = defaultdict(list)
    flags: Counter[str] = Counter()
    overridden = {x.draft_id for x in decisions if x.decision == "override"}
    accepted: dict[int, list[float]] = defaultdict(list)
    first_decision: dict[str, datetime] = {}
    for x in decisions:
        if x.decision in ("approve", "reject"):
            first_decision[x.draft_id] = min(first_decision.get(x.draft_id, x.at), x.at)
    esc: dict[str, list[int]] = defaultdict(list)
    for d in drafts:
        c = by_comment.get(d.comment_id or "")
        for f in d.data.get("flags", []):
            flags[f["code"]] += 1
            flags["overridden"] += f["severity"] == "high" and d.id in overridden
        if d.current and d.approved_at is not None and c is not None:
            waits[bucket(c.created_at)].append(_s(d.approved_at) - _s(c.created_at))
            accepted[bucket(d.approved_at)].append(d.edit_distance or 0.0)
        if c is not None and c.escalate_to and d.id in first_decision:
            esc[c.escalate_to].append(_s(first_decision[d.id]) - _s(c.created_at))

    def pct(values: list[int], p: int) -> int:
        values = sorted(values)
        return values[(len(values) * p + 99) // 100 - 1]

    return {"comments": len(comments), "facets": facets, "events": events, "flags": flags,
            "p50": {k: pct(v, 50) for k, v in waits.items()}, "p90": {k: pct(v, 90) for k, v in waits.items()},
            "accept": {k: sum(1 for v in vs if v == 0) / len(vs) for k, vs in accepted.items()},
            "esc": {k: pct(v, 50) for k, v in esc.items()}}


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))], out


@contextmanager
def backend(name: str, tmp: Path) -> Iterator[str]:
    if name == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    from tests.utils.postgres import running_postgres

    with running_postgres() as admin:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        engine.dispose()
        yield admin.rsplit("/", 1)[0] + "/bench"


def write_path(db: Database, n: int, *, hook: bool) -> tuple[float, float]:
    """p50/p95 ms of one review write pair (store a new draft with its comment, approve it)."""
    agent = Principal(key_id="bench", role="agent", name="bench")
    saved = rollups.tracking
    if not hook:
        lifecycle.rollups.tracking = lambda *a, **k: nullcontext()  # type: ignore[assignment]
    times = []
    try:
        for i in range(n):
            t = time.perf_counter()
            d = lifecycle.save_new_draft(db, draft(f"reply {i}", incident=INCIDENT), comment(
                f"write {hook} {i}", id=f"w{hook}{i}", created_at=T0 + timedelta(hours=30)), agent)
            lifecycle.approve(db, d.id, 1, agent)
            times.append((time.perf_counter() - t) * 1000)
    finally:
        lifecycle.rollups.tracking = saved  # type: ignore[assignment]
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30, help="runs of the rollup version")
    ap.add_argument("--slow-runs", type=int, default=3, help="runs of the SQL scan and the naive version")
    ap.add_argument("--writes", type=int, default=100)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"{args.comments} comments, 1h buckets; rollups {args.runs} runs, SQL scan and naive {args.slow_runs}")
    for name in names:
        with tempfile.TemporaryDirectory() as tmp, backend(name, Path(tmp)) as url:
            db = Database(url)
            t = time.perf_counter()
            seed(db, args.comments, random.Random(7))
            print(f"\n{name}: seeded in {time.perf_counter() - t:.1f} s", end="")
            t = time.perf_counter()
            with db.write() as s:
                rollups.rebuild(s, INCIDENT)
            if db.dialect == "postgresql":
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            print(f", rollups rebuilt (backfill) in {time.perf_counter() - t:.1f} s")
            fast_p50, fast_p95, m = timed(lambda db=db: incident_timeline(db, INCIDENT, "1h"), args.runs)
            scan_p50, scan_p95, scan = timed(lambda db=db: scan_timeline(db, INCIDENT, "1h"), args.slow_runs)
            nv_p50, nv_p95, nv = timed(lambda db=db: naive(db), args.slow_runs)
            assert m.total.comments == nv["comments"] == args.comments
            assert_same_metrics(m, scan)
            bound = 1 / (1 << rollups.SUB_BITS)
            b = {int(s.start.timestamp()): s for s in m.buckets if s.start}
            for field, key in (("p50_s", "p50"), ("p90_s", "p90")):
                worst = max(abs(getattr(b[k].to_approval, field) - v) / v for k, v in nv[key].items() if v)
                assert worst <= bound, f"{key} differs from the naive by {worst:.2%}"
                print(f"  {key} per bucket vs exact: worst error {worst:.2%} (bound {bound:.2%})")
            assert sum(f.raised for f in m.total.flags.values()) == sum(
                v for k, v in nv["flags"].items() if k != "overridden")
            rep_p50, rep_p95, page = timed(lambda db=db: render_html(build_report(db, INCIDENT, "1h")),
                                           args.slow_runs)
            print(f"  metrics, rollups   p50 {fast_p50:8.1f} ms  p95 {fast_p95:8.1f} ms  (target p95 < 200 ms: "
                  f"{'met' if fast_p95 < 200 else 'NOT met'})")
            print(f"  metrics, SQL scan  p50 {scan_p50:8.1f} ms  p95 {scan_p95:8.1f} ms")
            print(f"  naive (all rows)   p50 {nv_p50:8.1f} ms  p95 {nv_p95:8.1f} ms")
            print(f"  ratio SQL scan / rollups  p50 {scan_p50 / fast_p50:6.1f}x  p95 {scan_p95 / fast_p95:6.1f}x")
            print(f"  ratio naive / rollups     p50 {nv_p50 / fast_p50:6.1f}x  p95 {nv_p95 / fast_p95:6.1f}x")
            print(f"  whole report       p50 {rep_p50:8.1f} ms  p95 {rep_p95:8.1f} ms  ({len(page) // 1024} kB HTML)")
            w_on = write_path(db, args.writes, hook=True)
            w_off = write_path(db, args.writes, hook=False)
            print(f"  write (save + approve) with rollups p50 {w_on[0]:.1f} ms p95 {w_on[1]:.1f} ms; "
                  f"without p50 {w_off[0]:.1f} ms p95 {w_off[1]:.1f} ms")
            db.dispose()


if __name__ == "__main__":
    main()
