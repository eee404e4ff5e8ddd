"""Metric rollups kept on write: per incident and time bucket, the counts and wait histograms that the
metrics over time read (reports/metrics.py), so a read costs a few thousand small rows, not a scan of
every comment and draft.

One rule defines what a comment and its drafts contribute (`_facts`): the triage facets of the
comment, each draft created, each approve / reject / posted / override decision, flags raised (and
overridden), acceptance and edit distance of current approved drafts, current drafts by status, and
the waits comment -> approved / posted reply, comment -> first decision per escalation target, draft ->
approval. Every write in review/lifecycle.py runs inside `tracking(...)`: the contribution of the
touched comment (and all its drafts) is read before and after the change, and only the difference is
added to the rollup rows, in the same transaction. `rebuild` computes the same rollups from the rows
(the migration's backfill, bulk loads); a test checks that both always agree.

Each fact is added at three bucket widths (15 min, 1 h, 1 day) and to the whole incident (width 0).
Waits go into a histogram of fixed log-scale bins: exact below 2**SUB_BITS seconds, then 2**SUB_BITS
bins per power of two, so a bin's width is at most 1/2**SUB_BITS of its smallest value. A percentile
is read as the mean of the values in the bin holding its rank: always inside that bin, so within
1/2**SUB_BITS (3.1 %) of the exact nearest-rank value, and exact when the bin holds one distinct value.

Imports: core (models) and review/tables only (reports/ reads what this module writes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from sqlalchemy import Connection, bindparam, delete, select, text
from sqlalchemy.orm import Session

from assistant.models import EscalationTarget
from assistant.review.tables import (
    CommentRow,
    DecisionRow,
    DraftRow,
    RollupCountRow,
    RollupDurationRow,
    RollupPercentileRow,
)

WIDTHS = (900, 3600, 86400)  # the buckets the metrics offer: 15m, 1h, 1d
WHOLE = 0  # width (and bucket) of the whole-incident rows
SUB_BITS = 5
DISTANCE_UNIT = 1e9  # edit distances (0..1) are summed as whole nanounits
FACETS = ("intent", "sentiment", "severity", "language", "platform")
TARGETS: tuple[str, ...] = get_args(EscalationTarget)
COUNTED_DECISIONS = ("approve", "reject", "posted", "override")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_LOCK_SPACE = 0x726F6C6C  # "roll": the advisory-lock space of rollup groups (two-int form)
_PERCENTILE_LOCK_SPACE = 0x70637473  # "pcts": one incident's percentile refreshes
PERCENTILES = (50, 90)

Conn = Session | Connection
# (incident, at or None for whole-incident-only facts, metric, label) -> [n, total]
Counts = dict[tuple[str, int | None, str, str], list[float]]
# (incident, at or None, metric, seconds) -> n
Waits = dict[tuple[str, int | None, str, int], int]


# ---------------------------------------------------------------- histogram bins


def duration_bin(seconds: int) -> int:
    """The bin of a wait: exact below 2**SUB_BITS, then 2**SUB_BITS bins per power of two; increasing
    with the value (negative waits, from a comment dated after its reply, mirror the positive ones)."""
    if seconds < 0:
        return -1 - duration_bin(-seconds)
    if seconds < 1 << SUB_BITS:
        return seconds
    exp = seconds.bit_length() - 1
    return ((exp - SUB_BITS + 1) << SUB_BITS) + (seconds >> (exp - SUB_BITS)) - (1 << SUB_BITS)


def bin_bounds(b: int) -> tuple[int, int]:
    """The smallest and largest value of bin `b` (inclusive)."""
    if b < 0:
        lo, hi = bin_bounds(-1 - b)
        return -hi, -lo
    if b < 1 << SUB_BITS:
        return b, b
    exp = (b >> SUB_BITS) + SUB_BITS - 1
    lo = ((b & ((1 << SUB_BITS) - 1)) + (1 << SUB_BITS)) << (exp - SUB_BITS)
    return lo, lo + (1 << (exp - SUB_BITS)) - 1


# ---------------------------------------------------------------- what a comment and its drafts contribute


@dataclass
class _Comment:
    incident: str | None
    created_at: datetime
    facets: dict[str, str | None]
    escalate_to: str | None


@dataclass
class _Draft:
    incident: str | None
    kind: str
    current: bool
    status: str
    created_at: datetime
    approved_at: datetime | None
    posted_at: datetime | None
    edit_distance: float | None
    flags: list[tuple[str, str]]  # (code, severity)
    decisions: list[tuple[str, datetime]] = field(default_factory=list)


def epoch(t: datetime) -> int:
    """Whole seconds since 1970 (floor), as the metrics count time."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return (t - _EPOCH) // _SECOND


def _facts(comment: _Comment | None, drafts: Iterable[_Draft], counts: Counts, waits: Waits) -> None:
    def count(incident: str | None, at: datetime | None, metric: str, label: str, total: float = 0.0) -> None:
        if incident is None:
            return  # metrics are per incident
        cell = counts.setdefault((incident, None if at is None else epoch(at), metric, label[:100]), [0, 0.0])
        cell[0] += 1
        cell[1] += total

    def wait(incident: str | None, at: datetime | None, metric: str, start: datetime, end: datetime) -> None:
        if incident is not None:
            key = (incident, None if at is None else epoch(at), metric, epoch(end) - epoch(start))
            waits[key] = waits.get(key, 0) + 1

    if comment is not None:
        for facet in FACETS:
            count(comment.incident, comment.created_at, facet, comment.facets[facet] or "unknown")
    for d in drafts:
        count(d.incident, d.created_at, "drafts", d.kind)
        overridden = any(x == "override" for x, _ in d.decisions)
        for code, severity in d.flags:
            count(d.incident, d.created_at, "flag", code)
            if severity == "high" and overridden:
                count(d.incident, d.created_at, "flag_overridden", code)
        for decision, at in d.decisions:
            count(d.incident, at, "decision", decision)
        if not d.current:
            continue
        count(d.incident, None, "status", d.status)
        if d.approved_at is not None:
            wait(d.incident, None, "draft_to_approval", d.created_at, d.approved_at)
            if d.edit_distance is not None:
                # In nanounits, so sums stay whole numbers: adding and removing never drifts.
                count(d.incident, d.approved_at, "accepted", "measured", round(d.edit_distance * DISTANCE_UNIT))
                if d.edit_distance == 0:
                    count(d.incident, d.approved_at, "accepted", "exact")
        if comment is None:
            continue
        if d.kind == "reply" and d.approved_at is not None:
            wait(d.incident, comment.created_at, "to_approval", comment.created_at, d.approved_at)
            if d.posted_at is not None:
                wait(d.incident, comment.created_at, "to_posted", comment.created_at, d.posted_at)
        targets = set((comment.escalate_to or "").split(",")) & set(TARGETS)
        handled = min((at for x, at in d.decisions if x in ("approve", "reject")), default=None)
        for t in sorted(targets):
            count(comment.incident, comment.created_at, "escalated", t)
            if handled is not None:
                count(comment.incident, comment.created_at, "escalation_handled", t)
                wait(comment.incident, comment.created_at, f"wait:{t}", comment.created_at, handled)


# ---------------------------------------------------------------- reading rows


_COMMENT_COLS = (CommentRow.id, CommentRow.incident, CommentRow.created_at, CommentRow.escalate_to,
                 *(getattr(CommentRow, f) for f in FACETS))
_DRAFT_COLS = (DraftRow.id, DraftRow.comment_id, DraftRow.incident, DraftRow.kind, DraftRow.current,
               DraftRow.status, DraftRow.created_at, DraftRow.approved_at, DraftRow.posted_at,
               DraftRow.edit_distance, DraftRow.data)


def _comment(row: Any) -> _Comment:
    return _Comment(incident=row.incident, created_at=row.created_at, escalate_to=row.escalate_to,
                    facets={f: getattr(row, f) for f in FACETS})


def _draft(row: Any) -> _Draft:
    flags = [(str(f.get("code")), str(f.get("severity"))) for f in (row.data or {}).get("flags") or []]
    return _Draft(incident=row.incident, kind=row.kind, current=bool(row.current), status=row.status,
                  created_at=row.created_at, approved_at=row.approved_at, posted_at=row.posted_at,
                  edit_distance=row.edit_distance, flags=flags)


# Built once: a write runs them twice, and building a statement costs more than running it here.
_ONE_COMMENT = select(*_COMMENT_COLS).where(CommentRow.id == bindparam("cid"))
_COMMENT_DRAFTS = select(*_DRAFT_COLS).where(DraftRow.comment_id == bindparam("cid"))
_DRAFTS = select(*_DRAFT_COLS).where(DraftRow.id.in_(bindparam("ids", expanding=True)))
_DECISIONS = select(DecisionRow.draft_id, DecisionRow.decision, DecisionRow.at).where(
    DecisionRow.draft_id.in_(bindparam("ids", expanding=True)), DecisionRow.decision.in_(COUNTED_DECISIONS))


def _group_facts(s: Conn, comment_id: str | None, draft_ids: Sequence[str]) -> tuple[Counts, Waits]:
    """The contribution of one comment (with all its drafts), or of comment-less drafts, as stored now."""
    counts: Counts = {}
    waits: Waits = {}
    comment = None
    if comment_id is not None:
        row = s.execute(_ONE_COMMENT, {"cid": comment_id}).first()
        comment = _comment(row) if row is not None else None
        rows = s.execute(_COMMENT_DRAFTS, {"cid": comment_id})
    else:
        rows = s.execute(_DRAFTS, {"ids": list(draft_ids)})
    drafts = {r.id: _draft(r) for r in rows}
    if drafts:
        for draft_id, decision, at in s.execute(_DECISIONS, {"ids": list(drafts)}):
            drafts[draft_id].decisions.append((decision, at))
    _facts(comment, drafts.values(), counts, waits)
    return counts, waits


# ---------------------------------------------------------------- writing rollups


def _cells(counts: Counts, waits: Waits, sign: int,
           count_cells: dict[tuple[Any, ...], list[float]], wait_cells: dict[tuple[Any, ...], list[int]]) -> None:
    """Spread facts over every width (and the whole incident), adding sign * each into the cells."""
    for (incident, at, metric, label), (n, total) in counts.items():
        for width, bucket in _buckets(at):
            cell = count_cells.setdefault((incident, width, bucket, metric, label), [0, 0.0])
            cell[0] += sign * n
            cell[1] += sign * total
    for (incident, at, metric, seconds), n in waits.items():
        b = duration_bin(seconds)
        for width, bucket in _buckets(at):
            wcell = wait_cells.setdefault((incident, width, bucket, metric, b), [0, 0])
            wcell[0] += sign * n
            wcell[1] += sign * n * seconds


def _buckets(at: int | None) -> list[tuple[int, int]]:
    whole = [(WHOLE, WHOLE)]
    return whole if at is None else [*((w, at - at % w) for w in WIDTHS), *whole]


_UPSERT_COUNTS = text(
    "INSERT INTO rollup_counts (incident, width, bucket, metric, label, n, total) "
    "VALUES (:incident, :width, :bucket, :metric, :label, :n, :total) "
    "ON CONFLICT (incident, width, bucket, metric, label) DO UPDATE SET "
    "n = rollup_counts.n + excluded.n, total = rollup_counts.total + excluded.total")
_UPSERT_WAITS = text(
    "INSERT INTO rollup_durations (incident, width, bucket, metric, bin, n, total) "
    "VALUES (:incident, :width, :bucket, :metric, :bin, :n, :total) "
    "ON CONFLICT (incident, width, bucket, metric, bin) DO UPDATE SET "
    "n = rollup_durations.n + excluded.n, total = rollup_durations.total + excluded.total")


def _percentile_sql(where: str) -> str:
    """Recompute the percentile rows of the histograms selected by `where`: per histogram, the bin where
    the running count first reaches rank ceil(p * n / 100), read as the mean of its values."""

    def pick(p: int) -> str:
        rank = f"((cnt * {p} + 99) / 100)"
        return f"MAX(CASE WHEN cum - n < {rank} AND cum >= {rank} THEN (2 * total + n) / (2 * n) END)"

    return ("INSERT INTO rollup_percentiles (incident, width, bucket, metric, n, p50, p90) "
            "SELECT incident, width, bucket, metric, cnt, " + ", ".join(pick(p) for p in PERCENTILES) + " FROM ("
            "SELECT incident, width, bucket, metric, bin, n, total, SUM(n) OVER (PARTITION BY incident, width, "
            "bucket, metric ORDER BY bin ROWS UNBOUNDED PRECEDING) AS cum, SUM(n) OVER (PARTITION BY incident, "
            f"width, bucket, metric) AS cnt FROM rollup_durations WHERE n > 0 AND {where}) h "
            "GROUP BY incident, width, bucket, metric, cnt "
            "ON CONFLICT (incident, width, bucket, metric) DO UPDATE SET n = excluded.n, p50 = excluded.p50, "
            "p90 = excluded.p90")


_ONE_HISTOGRAM = "incident = :incident AND width = :width AND bucket = :bucket AND metric = :metric"
_REFRESH = text(_percentile_sql(_ONE_HISTOGRAM))
_FORGET = text(f"DELETE FROM rollup_percentiles WHERE {_ONE_HISTOGRAM}")


def _dialect(s: Conn) -> str:
    return (s.get_bind() if isinstance(s, Session) else s).dialect.name


def _apply(s: Conn, count_cells: dict[tuple[Any, ...], list[float]],
           wait_cells: dict[tuple[Any, ...], list[int]]) -> None:
    # Sorted, so concurrent writers lock the shared rows (the whole incident's) in one order: no deadlock.
    counts = [dict(zip(("incident", "width", "bucket", "metric", "label"), k, strict=True), n=int(v[0]), total=v[1])
              for k, v in sorted(count_cells.items()) if v[0] or v[1]]
    waits = [dict(zip(("incident", "width", "bucket", "metric", "bin"), k, strict=True), n=v[0], total=v[1])
             for k, v in sorted(wait_cells.items()) if v[0] or v[1]]
    if counts:
        s.execute(_UPSERT_COUNTS, counts)
    if waits:
        s.execute(_UPSERT_WAITS, waits)
        # The percentiles of each histogram touched, recomputed now so a read never ranks bins. On
        # PostgreSQL one incident's refreshes queue (until commit), so the last one sees every change.
        touched = sorted({k[:4] for k, v in wait_cells.items() if v[0] or v[1]})
        if _dialect(s) == "postgresql":
            for incident in sorted({k[0] for k in touched}):
                s.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:i))"),
                          {"space": _PERCENTILE_LOCK_SPACE, "i": incident})
        keys = [dict(zip(("incident", "width", "bucket", "metric"), k, strict=True)) for k in touched]
        s.execute(_FORGET, keys)
        for key in keys:
            s.execute(_REFRESH, key)


@contextmanager
def tracking(s: Session, comment_id: str | None, draft_ids: Sequence[str] = ()) -> Iterator[None]:
    """Keep the rollups in step with a write to one comment and its drafts (or to comment-less drafts):
    their contribution before the block, then after it, and only the difference is written.

    Enter it before locking any row of the group: on PostgreSQL it first takes a transaction lock on the
    group, so two writers of one comment read "before" one after the other (SQLite has one writer)."""
    if _dialect(s) == "postgresql":
        group = comment_id if comment_id is not None else ",".join(sorted(draft_ids))
        s.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:group))"),
                  {"space": _LOCK_SPACE, "group": group})
    before = _group_facts(s, comment_id, draft_ids)
    yield
    s.flush()
    after = _group_facts(s, comment_id, draft_ids)
    count_cells: dict[tuple[Any, ...], list[float]] = {}
    wait_cells: dict[tuple[Any, ...], list[int]] = {}
    _cells(*before, -1, count_cells, wait_cells)
    _cells(*after, 1, count_cells, wait_cells)
    _apply(s, count_cells, wait_cells)


def rebuild(s: Conn, incident: str | None = None) -> int:
    """Recompute the rollups of one incident (or of all) from the rows; returns the comments read.
    Used by the migration's backfill and after bulk loads that bypass the lifecycle."""
    where_c = [] if incident is None else [CommentRow.incident == incident]
    where_d = [] if incident is None else [DraftRow.incident == incident]
    for table in (RollupCountRow, RollupDurationRow, RollupPercentileRow):
        s.execute(delete(table).where(*([] if incident is None else [table.incident == incident])))
    comments = {r.id: _comment(r) for r in s.execute(select(*_COMMENT_COLS).where(*where_c))}
    drafts: dict[str, _Draft] = {}
    by_comment: dict[str | None, list[_Draft]] = defaultdict(list)
    loose: list[_Draft] = []
    for r in s.execute(select(*_DRAFT_COLS).where(*where_d)):
        d = drafts[r.id] = _draft(r)
        (by_comment[r.comment_id] if r.comment_id is not None else loose).append(d)
    decisions = select(DecisionRow.draft_id, DecisionRow.decision, DecisionRow.at).where(
        DecisionRow.decision.in_(COUNTED_DECISIONS))
    if incident is not None:
        decisions = decisions.join(DraftRow, DraftRow.id == DecisionRow.draft_id).where(DraftRow.incident == incident)
    for draft_id, decision, at in s.execute(decisions):
        if draft_id in drafts:
            drafts[draft_id].decisions.append((decision, at))
    counts: Counts = {}
    waits: Waits = {}
    for cid, comment in comments.items():
        _facts(comment, by_comment.pop(cid, []), counts, waits)
    for group in [*by_comment.values(), loose]:  # drafts whose comment is in another incident, or none
        _facts(None, group, counts, waits)
    count_cells: dict[tuple[Any, ...], list[float]] = {}
    wait_cells: dict[tuple[Any, ...], list[int]] = {}
    _cells(counts, waits, 1, count_cells, wait_cells)
    _apply(s, count_cells, {})
    rows = [dict(zip(("incident", "width", "bucket", "metric", "bin"), k, strict=True), n=v[0], total=v[1])
            for k, v in sorted(wait_cells.items()) if v[0]]
    if rows:
        s.execute(_UPSERT_WAITS, rows)
    s.execute(text(_percentile_sql("TRUE" if incident is None else "incident = :incident")), {"incident": incident})
    return len(comments)
