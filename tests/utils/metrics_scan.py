"""The metrics computed by scanning the rows in SQL (what reports/metrics.py did before the rollups):
the reference the rollups are checked against in the tests, and the "SQL scan" baseline of
benchmarks/reports.py. Same figures, exact nearest-rank percentiles by window functions.

What counts where:
- comments (and their triage facets) by the time the comment was written;
- drafts created by creation time; approve / reject / posted decisions by the time they were taken;
- comment -> approved / posted reply waits by the comment's bucket (current reply drafts);
- acceptance and edit distance of current approved drafts by approval time;
- escalations: comments triaged for a target, and their wait until a person approved or rejected
  the draft; flags raised by code on drafts created in the bucket, and how many a lead overrode.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

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
from assistant.review import rollups
from assistant.review.rollups import FACETS, TARGETS
from assistant.review.store import Database


def scan_timeline(db: Database, incident: str, bucket: Bucket = "1h",
                      kb_versions: Callable[[], Mapping[str, str]] | None = None) -> TimelineMetrics:
    """Metrics per bucket and in total. `kb_versions` (chunk id -> version, e.g. `runtime.kb.versions`)
    enables the count of stale drafts."""
    width = BUCKET_SECONDS[bucket]
    q = _Queries(Dialect(db.dialect), width, incident)
    with db.read() as s:
        if not incident_exists(s, incident):
            raise NotFound(f"no incident '{incident}'")
        slices: dict[int, Slice] = defaultdict(Slice)
        total = Slice()
        q.comments(s, slices, total)
        q.drafts(s, slices, total)
        q.decisions(s, slices, total)
        q.acceptance(s, slices, total)
        q.waits(s, slices, total)
        q.escalations(s, slices, total)
        q.flags(s, slices, total)
        updates = q.updates(s)
        stale = q.stale(s, dict(kb_versions())) if kb_versions is not None else None
        summary = q.summary(s)
    buckets = []
    for start in sorted(slices):
        sl = slices[start]
        sl.start = datetime.fromtimestamp(start, UTC)
        _finish(sl)
        buckets.append(sl)
    _finish(total)
    by_status = summary.pop("by_status")
    approved = by_status.get("approved", 0) + by_status.get("posted", 0)
    decided = approved + by_status.get("rejected", 0)
    return TimelineMetrics(
        incident=incident, comments=total.comments, by_platform=total.by_platform, drafts=sum(by_status.values()),
        by_status=by_status, approved=approved, rejected=by_status.get("rejected", 0),
        posted=by_status.get("posted", 0), approval_rate=approved / decided if decided else None,
        acceptance_rate=total.acceptance_rate, mean_edit_distance=total.mean_edit_distance, **summary,
        bucket=bucket, total=total, buckets=buckets, stale_drafts=stale, updates_published=updates)


def _finish(sl: Slice) -> None:
    if sl.comments:
        sl.negative_share = sl.by_sentiment.get("negative", 0) / sl.comments
    for facet in FACETS:
        counts = getattr(sl, f"by_{facet}")
        setattr(sl, f"by_{facet}", dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))


def _add(counts: dict[str, int], key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


class _Queries:
    def __init__(self, d: Dialect, width: int, incident: str) -> None:
        self.d, self.width, self.p = d, width, {"i": incident}

    def b(self, col: str) -> str:
        return self.d.bucket(col, self.width)

    def comments(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        # The bucket is computed once per comment (materialised), then one GROUP BY per facet.
        cols = ", ".join(f"COALESCE(c.{f}, 'unknown') AS {f}" for f in FACETS)
        per_facet = " UNION ALL ".join(f"SELECT k, '{f}', {f}, COUNT(*) FROM c GROUP BY k, {f}" for f in FACETS)
        sql = (f"WITH c AS MATERIALIZED (SELECT {self.b('c.created_at')} AS k, {cols} FROM comments c "
               f"WHERE c.incident = :i) {per_facet}")
        for k, facet, value, n in s.execute(text(sql), self.p):
            for sl in (slices[k], total):
                _add(getattr(sl, f"by_{facet}"), value, n)
                if facet == FACETS[0]:
                    sl.comments += n

    def drafts(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        sql = f"SELECT {self.b('d.created_at')}, d.kind, COUNT(*) FROM drafts d WHERE d.incident = :i GROUP BY 1, 2"
        for k, kind, n in s.execute(text(sql), self.p):
            for sl in (slices[k], total):
                _add(sl.drafts_created, kind, n)

    def decisions(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        sql = (f"SELECT {self.b('x.at')}, x.decision, COUNT(*) FROM decisions x JOIN drafts d ON d.id = x.draft_id "
               "WHERE d.incident = :i AND x.decision IN ('approve', 'reject', 'posted') GROUP BY 1, 2")
        field = {"approve": "approved", "reject": "rejected", "posted": "posted"}
        for k, decision, n in s.execute(text(sql), self.p):
            for sl in (slices[k], total):
                setattr(sl, field[decision], getattr(sl, field[decision]) + n)

    def acceptance(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        sql = (f"SELECT {self.b('d.approved_at')}, COUNT(*), "
               "SUM(CASE WHEN d.edit_distance = 0 THEN 1 ELSE 0 END), SUM(d.edit_distance) FROM drafts d "
               'WHERE d.incident = :i AND d."current" AND d.approved_at IS NOT NULL AND d.edit_distance IS NOT NULL '
               "GROUP BY 1")
        sums: list[tuple[Slice, int, int, float]] = []
        for k, n, exact, dist in s.execute(text(sql), self.p):
            sums.append((slices[k], int(n), int(exact or 0), float(dist or 0.0)))
        whole = (total, sum(x[1] for x in sums), sum(x[2] for x in sums), sum(x[3] for x in sums))
        for sl, n, exact, dist in [*sums, whole]:
            sl.approvals_measured = n
            if n:
                sl.acceptance_rate, sl.mean_edit_distance = exact / n, dist / n

    def waits(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        e = self.d.epoch
        joined = (f"SELECT {self.b('c.created_at')} AS k, {e('d.approved_at')} - {e('c.created_at')} AS a, "
                  f"{e('d.posted_at')} - {e('c.created_at')} AS p FROM drafts d JOIN comments c ON c.id = d.comment_id "
                  "WHERE d.incident = :i AND d.\"current\" AND d.kind = 'reply' AND d.approved_at IS NOT NULL")
        inner = (f"WITH j AS MATERIALIZED ({joined}) SELECT k, 'to_approval' AS w, a AS v FROM j "
                 "UNION ALL SELECT k, 'to_posted' AS w, p AS v FROM j")
        for (k, field), (n, (p50, p90)) in percentiles(s, inner, self.p, groups=["w"]).items():
            setattr(total if k is None else slices[k], field, Durations(count=n, p50_s=p50, p90_s=p90))

    def escalations(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        handled = ("(SELECT MIN(x.at) FROM decisions x WHERE x.draft_id = d.id "
                   "AND x.decision IN ('approve', 'reject'))")
        targets = " UNION ALL ".join(f"SELECT '{t}' AS t" for t in TARGETS)
        inner = (f"WITH e AS MATERIALIZED (SELECT {self.b('c.created_at')} AS k, c.escalate_to AS targets, "
                 f"{self.d.epoch(handled)} - {self.d.epoch('c.created_at')} AS v FROM comments c "
                 'JOIN drafts d ON d.comment_id = c.id AND d."current" '
                 "WHERE c.incident = :i AND c.escalate_to IS NOT NULL) "
                 f"SELECT e.k AS k, tt.t AS t, e.v AS v FROM e JOIN ({targets}) tt "
                 "ON ',' || e.targets || ',' LIKE '%,' || tt.t || ',%'")
        counts = s.execute(text(f"WITH x AS ({inner}) SELECT k, t, COUNT(*), COUNT(v) FROM x GROUP BY k, t "
                                "UNION ALL SELECT NULL, t, COUNT(*), COUNT(v) FROM x GROUP BY t"), self.p).all()
        waits = percentiles(s, inner, self.p, groups=["t"])
        for k, t, n, done in counts:
            _, (p50, p90) = waits.get((k, t), (0, [None, None]))
            (total if k is None else slices[k]).escalations[t] = EscalationStat(
                comments=n, handled=done, wait=Durations(count=done, p50_s=p50, p90_s=p90))

    def flags(self, s: Session, slices: dict[int, Slice], total: Slice) -> None:
        expand, el = self.d.json_array("d.data", "flags", "f")
        overridden = ("EXISTS (SELECT 1 FROM decisions x WHERE x.draft_id = d.id AND x.decision = 'override')")
        sql = (f"SELECT {self.b('d.created_at')}, {self.d.element_text(el, 'code')} AS code, COUNT(*), "
               f"SUM(CASE WHEN {self.d.element_text(el, 'severity')} = 'high' AND {overridden} THEN 1 ELSE 0 END) "
               f"FROM drafts d, {expand} WHERE d.incident = :i GROUP BY 1, 2")
        for k, code, n, over in s.execute(text(sql), self.p):
            for sl in (slices[k], total):
                stat = sl.flags.setdefault(str(code), FlagStat())
                stat.raised += n
                stat.overridden += int(over or 0)

    def updates(self, s: Session) -> list[PublishedUpdate]:
        sql = (f"SELECT d.id, {self.d.json_text('d.data', 'platform')}, d.approved_at, d.posted_at, d.posted_url "
               "FROM drafts d WHERE d.incident = :i AND d.kind = 'update' AND d.posted_at IS NOT NULL "
               "ORDER BY d.posted_at")
        rows = s.execute(text(sql), self.p).all()
        return [PublishedUpdate(draft_id=r[0], channel=r[1] or "other", approved_at=as_utc(r[2]),
                                posted_at=as_utc(r[3]), url=r[4]) for r in rows]

    def summary(self, s: Session) -> dict[str, Any]:
        """Current drafts by status, overrides, and the median (nearest rank) draft -> approval wait."""
        rows = s.execute(text('SELECT d.status, COUNT(*) FROM drafts d WHERE d.incident = :i AND d."current" '
                              "GROUP BY d.status"), self.p)
        overrides = s.execute(text("SELECT COUNT(*) FROM decisions x JOIN drafts d ON d.id = x.draft_id "
                                   "WHERE d.incident = :i AND x.decision = 'override'"), self.p).scalar()
        inner = (f"SELECT 0 AS k, {self.d.epoch('d.approved_at')} - {self.d.epoch('d.created_at')} AS v FROM drafts d "
                 "WHERE d.incident = :i AND d.\"current\" AND d.approved_at IS NOT NULL")
        _, (median, _) = percentiles(s, inner, self.p).get((None,), (0, [None, None]))
        return {"by_status": {str(k): int(n) for k, n in rows}, "overrides": int(overrides or 0),
                "median_time_to_approval_s": median}

    def stale(self, s: Session, current: dict[str, str]) -> int:
        """Unposted current drafts citing a chunk whose version changed or that left the knowledge base."""
        pairs = self.d.json_object_pairs("d.data", "knowledge_versions", "kv")
        open_drafts = "d.incident = :i AND d.\"current\" AND d.status IN ('draft', 'edited', 'approved')"
        used = s.execute(text(f"SELECT DISTINCT kv.key, kv.value FROM drafts d, {pairs} WHERE {open_drafts}"), self.p)
        changed = sorted(f"{k}={v}" for k, v in used if current.get(k) != v)
        if not changed:
            return 0
        sql = text(f"SELECT COUNT(DISTINCT d.id) FROM drafts d, {pairs} WHERE {open_drafts} "
                   "AND (kv.key || '=' || kv.value) IN :changed").bindparams(bindparam("changed", expanding=True))
        return int(s.execute(sql, {**self.p, "changed": changed}).scalar() or 0)


def percentiles(s: Session, inner: str, params: Mapping[str, Any], *, bucket: str = "k",
                groups: Sequence[str] = (), ps: Sequence[int] = (50, 90)
                ) -> dict[tuple[Any, ...], tuple[int, list[int | None]]]:
    """`inner` selects the columns `bucket`, `groups` and `v` (NULL values are ignored). One statement
    ranks once per (bucket, groups) and once per groups alone: the answer maps (bucket, *groups) and
    (None, *groups), the whole incident, to (count, [value at each percentile])."""
    part = ", ".join([bucket, *groups])
    whole = ", ".join(groups)
    over_whole = f"PARTITION BY {whole} " if groups else ""

    def picks(rn: str, n: str) -> str:
        return ", ".join(f"MAX(CASE WHEN {rn} = ({n} * {int(p)} + 99) / 100 THEN v END)" for p in ps)

    sql = (f"WITH base AS ({inner}), ranked AS (SELECT {part}, v, "
           f"ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY {part}) AS n, "
           f"ROW_NUMBER() OVER ({over_whole}ORDER BY v) AS rn_t, COUNT(*) OVER ({over_whole}) AS n_t "
           f"FROM base WHERE v IS NOT NULL) "
           f"SELECT {part}, n, {picks('rn', 'n')} FROM ranked GROUP BY {part}, n UNION ALL "
           f"SELECT NULL, {whole + ', ' if groups else ''}n_t, {picks('rn_t', 'n_t')} FROM ranked "
           f"GROUP BY {whole + ', ' if groups else ''}n_t")
    out: dict[tuple[Any, ...], tuple[int, list[int | None]]] = {}
    k = 1 + len(groups)
    for row in s.execute(text(sql), dict(params)):
        values = list(row)
        out[tuple(values[:k])] = (int(values[k]), [None if v is None else int(v) for v in values[k + 1:]])
    return out


def assert_same_metrics(fast: TimelineMetrics, scan: TimelineMetrics) -> None:
    """Equal, except percentiles (within the histogram bound) and edit distance (summed in nanounits)."""
    bound = 1 / (1 << rollups.SUB_BITS)

    def strip(m: TimelineMetrics) -> tuple[dict[str, Any], list[tuple[str, Durations]]]:
        durations: list[tuple[str, Durations]] = []
        slices = [m.total, *m.buckets]
        for i, sl in enumerate(slices):
            durations += [(f"{i}.to_approval", sl.to_approval), (f"{i}.to_posted", sl.to_posted)]
            durations += [(f"{i}.{t}", e.wait) for t, e in sorted(sl.escalations.items())]
        data = m.model_dump(exclude={"mean_edit_distance", "median_time_to_approval_s"})
        for sl in [data["total"], *data["buckets"]]:
            sl.pop("mean_edit_distance")
            sl.pop("to_approval"), sl.pop("to_posted")
            for e in sl["escalations"].values():
                e.pop("wait")
        return data, durations

    a, da = strip(fast)
    b, db_ = strip(scan)
    assert a == b
    assert [(k, d.count) for k, d in da] == [(k, d.count) for k, d in db_]
    for (k, got), (_, want) in zip(da, db_, strict=True):
        for g, w in ((got.p50_s, want.p50_s), (got.p90_s, want.p90_s)):
            assert (g is None) == (w is None), k
            if g is not None and w is not None:
                assert abs(g - w) <= abs(w) * bound, (k, g, w)
    pairs = zip([fast, *fast.buckets], [scan, *scan.buckets], strict=True)
    for x, y in ((s.mean_edit_distance, t.mean_edit_distance) for s, t in pairs):
        assert (x is None) == (y is None) and (x is None or y is None or abs(x - y) < 1e-8)
    med, want_med = fast.median_time_to_approval_s, scan.median_time_to_approval_s
    assert med is not None and want_med is not None and abs(med - want_med) <= want_med * bound
