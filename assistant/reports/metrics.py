"""Metrics of an incident over time, per bucket (15m, 1h, 1d) and in total, read from the rollups.

The review lifecycle keeps per-bucket counts and wait histograms up to date in the transaction of
every write (review/rollups.py, which also says what counts where); this module reads the rows of
one width and of the whole incident (a few thousand small rows at 100k comments) and shapes them.
Percentiles of waits come from the histograms, recomputed by each write that changes one: the bin
holding the nearest rank (position ceil(p * n)), read as the mean of its values, so within
1/2**SUB_BITS (3.1 %) of the exact value and exact when the bin holds one distinct value (every wait
under 32 s, and the hand-computed fixtures).
Only the published updates (an index on kind) and, when asked, stale drafts read the drafts table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from assistant.errors import NotFound
from assistant.reports.schemas import (
    BUCKET_SECONDS,
    Bucket,
    Durations,
    EscalationStat,
    FlagStat,
    PublishedUpdate,
    Slice,
    TimelineMetrics,
)
from assistant.reports.sql import Dialect, as_utc, incident_exists
from assistant.review.rollups import DISTANCE_UNIT, FACETS, WHOLE
from assistant.review.store import Database

DECISION_FIELDS = {"approve": "approved", "reject": "rejected", "posted": "posted"}
WAIT_FIELDS = {"to_approval": "to_approval", "to_posted": "to_posted"}


def incident_timeline(db: Database, incident: str, bucket: Bucket = "1h",
                      kb_versions: Callable[[], Mapping[str, str]] | None = None) -> TimelineMetrics:
    """Metrics per bucket and in total. `kb_versions` (chunk id -> version, e.g. `runtime.kb.versions`)
    enables the count of stale drafts."""
    width = BUCKET_SECONDS[bucket]
    d = Dialect(db.dialect)
    slices: dict[int, Slice] = defaultdict(Slice)
    total = Slice()
    with db.read() as s:
        if not incident_exists(s, incident):
            raise NotFound(f"no incident '{incident}'")
        by_status, overrides, acceptance = _counts(s, incident, width, slices, total)
        waits = _percentiles(s, incident, width)
        updates = _updates(s, d, incident)
        stale = _stale(s, d, incident, dict(kb_versions())) if kb_versions is not None else None
    for (w, start, metric), (n, p50, p90) in waits.items():
        sl = total if w == WHOLE else slices[start]
        stat = Durations(count=n, p50_s=p50, p90_s=p90)
        if metric in WAIT_FIELDS:
            setattr(sl, WAIT_FIELDS[metric], stat)
        elif metric.startswith("wait:"):
            sl.escalations.setdefault(metric[5:], EscalationStat()).wait = stat
    for (w, start), (n, exact, dist) in acceptance.items():
        sl = total if w == WHOLE else slices[start]
        sl.approvals_measured = n
        if n:
            sl.acceptance_rate, sl.mean_edit_distance = exact / n, dist / DISTANCE_UNIT / n
    buckets = []
    for start in sorted(slices):
        sl = slices[start]
        sl.start = datetime.fromtimestamp(start, UTC)
        _finish(sl)
        buckets.append(sl)
    _finish(total)
    approved = by_status.get("approved", 0) + by_status.get("posted", 0)
    decided = approved + by_status.get("rejected", 0)
    _, median, _ = waits.get((WHOLE, WHOLE, "draft_to_approval"), (0, None, None))
    return TimelineMetrics(
        incident=incident, comments=total.comments, by_platform=total.by_platform, drafts=sum(by_status.values()),
        by_status=by_status, approved=approved, rejected=by_status.get("rejected", 0),
        posted=by_status.get("posted", 0), approval_rate=approved / decided if decided else None,
        acceptance_rate=total.acceptance_rate, mean_edit_distance=total.mean_edit_distance, overrides=overrides,
        median_time_to_approval_s=median, bucket=bucket, total=total, buckets=buckets, stale_drafts=stale,
        updates_published=updates)


def _finish(sl: Slice) -> None:
    if sl.comments:
        sl.negative_share = sl.by_sentiment.get("negative", 0) / sl.comments
    for facet in FACETS:
        counts = getattr(sl, f"by_{facet}")
        setattr(sl, f"by_{facet}", dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    sl.escalations = dict(sorted(sl.escalations.items()))
    sl.flags = dict(sorted(sl.flags.items()))


def _counts(s: Session, incident: str, width: int, slices: dict[int, Slice], total: Slice
            ) -> tuple[dict[str, int], int, dict[tuple[int, int], tuple[int, int, float]]]:
    """Fill the slices from the count rows; return drafts by status, overrides and acceptance sums."""
    rows = s.execute(text("SELECT width, bucket, metric, label, n, total FROM rollup_counts "
                          "WHERE incident = :i AND width IN (:w, 0) AND n <> 0"), {"i": incident, "w": width})
    by_status: dict[str, int] = {}
    overrides = 0
    accepted: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for w, start, metric, label, n, value in rows:
        sl = total if w == WHOLE else slices[start]
        if metric in FACETS:
            counts = getattr(sl, f"by_{metric}")
            counts[label] = n
            if metric == FACETS[0]:
                sl.comments += n
        elif metric == "drafts":
            sl.drafts_created[label] = n
        elif metric == "decision" and label in DECISION_FIELDS:
            setattr(sl, DECISION_FIELDS[label], n)
        elif metric == "decision" and label == "override" and w == WHOLE:
            overrides = n
        elif metric == "accepted":
            cell = accepted[(w, start)]
            if label == "measured":
                cell[0], cell[2] = n, value
            else:
                cell[1] = n
        elif metric in ("escalated", "escalation_handled"):
            stat = sl.escalations.setdefault(label, EscalationStat())
            if metric == "escalated":
                stat.comments = n
            else:
                stat.handled = n
        elif metric in ("flag", "flag_overridden"):
            flag = sl.flags.setdefault(label, FlagStat())
            if metric == "flag":
                flag.raised = n
            else:
                flag.overridden = n
        elif metric == "status":
            by_status[label] = n
    return by_status, overrides, {k: (int(v[0]), int(v[1]), float(v[2])) for k, v in accepted.items()}


def _percentiles(s: Session, incident: str, width: int
                 ) -> dict[tuple[int, int, str], tuple[int, int | None, int | None]]:
    """(width, bucket, metric) -> (count, p50, p90), as the writes left them (review/rollups.py)."""
    rows = s.execute(text("SELECT width, bucket, metric, n, p50, p90 FROM rollup_percentiles "
                          "WHERE incident = :i AND width IN (:w, 0) AND n > 0"), {"i": incident, "w": width})
    return {(int(w), int(b), str(m)): (int(n), _int(p50), _int(p90)) for w, b, m, n, p50, p90 in rows}


def _int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _updates(s: Session, d: Dialect, incident: str) -> list[PublishedUpdate]:
    sql = (f"SELECT d.id, {d.json_text('d.data', 'platform')}, d.approved_at, d.posted_at, d.posted_url "
           "FROM drafts d WHERE d.incident = :i AND d.kind = 'update' AND d.posted_at IS NOT NULL "
           "ORDER BY d.posted_at")
    rows = s.execute(text(sql), {"i": incident}).all()
    return [PublishedUpdate(draft_id=r[0], channel=r[1] or "other", approved_at=as_utc(r[2]),
                            posted_at=as_utc(r[3]), url=r[4]) for r in rows]


def _stale(s: Session, d: Dialect, incident: str, current: dict[str, str]) -> int:
    """Unposted current drafts citing a chunk whose version changed or that left the knowledge base."""
    pairs = d.json_object_pairs("d.data", "knowledge_versions", "kv")
    open_drafts = "d.incident = :i AND d.\"current\" AND d.status IN ('draft', 'edited', 'approved')"
    used = s.execute(text(f"SELECT DISTINCT kv.key, kv.value FROM drafts d, {pairs} WHERE {open_drafts}"),
                     {"i": incident})
    changed = sorted(f"{k}={v}" for k, v in used if current.get(k) != v)
    if not changed:
        return 0
    sql = text(f"SELECT COUNT(DISTINCT d.id) FROM drafts d, {pairs} WHERE {open_drafts} "
               "AND (kv.key || '=' || kv.value) IN :changed").bindparams(bindparam("changed", expanding=True))
    return int(s.execute(sql, {"i": incident, "changed": changed}).scalar() or 0)
