"""The post-crisis report: one self-contained HTML page (inline CSS and SVG, no script, no link
outside the page) or the same content in Markdown.

Sections: summary, volume and sentiment over time (public updates and fact-sheet versions marked),
response times, acceptance and edit rates, the edits reviewers made most often, escalations, flags,
top questions and rumours by group, knowledge gaps, public updates and fact-sheet versions, and the
lessons a lead wrote (`put_lessons`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text

from assistant.errors import Forbidden, InvalidInput, NotFound
from assistant.models import utcnow
from assistant.reports.charts import Marker, Series, bar_chart, time_chart
from assistant.reports.edits import frequent_edits
from assistant.reports.gaps import find_gaps, question_of
from assistant.reports.grouping import group_similar, stems_of, typical
from assistant.reports.metrics import incident_timeline
from assistant.reports.schemas import (
    BUCKET_SECONDS,
    Bucket,
    EditStats,
    FactSheetVersion,
    GapList,
    Lessons,
    TimelineMetrics,
    TopGroup,
)
from assistant.reports.sql import as_utc
from assistant.review.schemas import Incident, Principal
from assistant.review.store import Database, record_audit
from assistant.review.tables import IncidentNoteRow

LEADS = ("lead", "admin")
SECTIONS = ("summary", "volume", "response", "acceptance", "edits", "escalations", "flags", "questions",
            "rumours", "gaps", "events", "lessons")


class ReportData(BaseModel):
    incident: Incident | None
    incident_id: str
    generated_at: datetime
    metrics: TimelineMetrics
    gaps: GapList
    edits: EditStats
    questions: list[TopGroup]
    rumours: list[TopGroup]
    fact_sheets: list[FactSheetVersion]
    lessons: Lessons


# ---------------------------------------------------------------- data


def get_lessons(db: Database, incident: str) -> Lessons:
    with db.read() as s:
        row = s.get(IncidentNoteRow, incident)
        if row is None:
            return Lessons(incident=incident, lessons="")
        return Lessons(incident=incident, lessons=row.lessons, updated_at=row.updated_at, updated_by=row.updated_by)


def put_lessons(db: Database, incident: str, lessons: str, actor: Principal) -> Lessons:
    if actor.role not in LEADS:
        raise Forbidden("only a lead or an admin can write the lessons of an incident")
    if len(lessons) > 50_000:
        raise InvalidInput("lessons: at most 50000 characters")
    db.get_incident(incident)  # 404 for an unknown incident
    now = utcnow()
    with db.write() as s:
        row = s.get(IncidentNoteRow, incident)
        if row is None:
            row = IncidentNoteRow(incident=incident, lessons=lessons, updated_at=now, updated_by=actor.key_id)
            s.add(row)
        else:
            row.lessons, row.updated_at, row.updated_by = lessons, now, actor.key_id
        record_audit(s, actor.key_id, "incident.lessons", incident, {"chars": len(lessons)})
    return Lessons(incident=incident, lessons=lessons, updated_at=now, updated_by=actor.key_id)


def top_groups(db: Database, incident: str, intent: str, *, top: int = 8, limit: int = 5000) -> list[TopGroup]:
    """The most repeated comments of one intent (the newest `limit`), grouped by what they say."""
    sql = text("SELECT c.text, c.created_at FROM comments c WHERE c.incident = :i AND c.intent = :intent "
               "ORDER BY c.created_at DESC LIMIT :n")
    with db.read() as s:
        rows = s.execute(sql, {"i": incident, "intent": intent, "n": limit}).all()[::-1]
    texts = [question_of(r[0]) for r in rows]
    stem_sets = [stems_of(t) for t in texts]
    at = [as_utc(r[1]) for r in rows]
    groups = [TopGroup(text=texts[typical(g, stem_sets, texts)], count=len(g), first_seen=min(at[i] for i in g),
                       last_seen=max(at[i] for i in g)) for g in group_similar(stem_sets)]
    return sorted(groups, key=lambda g: (-g.count, g.first_seen))[:top]


def fact_sheet_versions(documents: Iterable[Mapping[str, Any]], incident: str) -> list[FactSheetVersion]:
    """The incident's fact sheets (from `KnowledgeBase.documents()`), oldest validity first."""
    out = [FactSheetVersion(doc_id=d["id"], label=d.get("label") or d["id"], language=d.get("language", ""),
                            approved=bool(d.get("approved")), valid_from=d.get("valid_from"),
                            valid_until=d.get("valid_until"))
           for d in documents if d.get("kind") == "fact_sheet" and d.get("incident") == incident]
    return sorted(out, key=lambda f: (f.valid_from is not None, f.valid_from or utcnow(), f.doc_id))


def build_report(db: Database, incident: str, bucket: Bucket = "1h",
                 documents: Callable[[], Iterable[Mapping[str, Any]]] | None = None,
                 kb_versions: Callable[[], Mapping[str, str]] | None = None) -> ReportData:
    metrics = incident_timeline(db, incident, bucket, kb_versions)
    try:
        meta: Incident | None = db.get_incident(incident)
    except NotFound:
        meta = None
    docs = list(documents()) if documents is not None else []
    approved = {d["id"]: bool(d.get("approved")) for d in docs}
    return ReportData(
        incident=meta, incident_id=incident, generated_at=utcnow(), metrics=metrics,
        gaps=find_gaps(db, incident, lambda: approved), edits=frequent_edits(db, incident),
        questions=top_groups(db, incident, "question"), rumours=top_groups(db, incident, "rumour"),
        fact_sheets=fact_sheet_versions(docs, incident), lessons=get_lessons(db, incident))


# ---------------------------------------------------------------- formatting


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.0f}%"


def _ratio(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _dur(s: int | float | None) -> str:
    if s is None:
        return "–"
    s = int(s)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d}"


def _when(t: datetime | None) -> str:
    return "–" if t is None else t.strftime("%Y-%m-%d %H:%M UTC")


def _title(data: ReportData) -> str:
    return data.incident.title if data.incident else data.incident_id


def _summary_rows(data: ReportData) -> list[tuple[str, str]]:
    m, t = data.metrics, data.metrics.total
    return [("Comments", str(m.comments)), ("Negative share", _pct(t.negative_share)),
            ("Drafts (current)", str(m.drafts)), ("Approved", str(m.approved)), ("Rejected", str(m.rejected)),
            ("Posted", str(m.posted)), ("Approval rate", _pct(m.approval_rate)),
            ("AI acceptance (approved unchanged)", _pct(m.acceptance_rate)),
            ("Mean edit distance", _ratio(m.mean_edit_distance)),
            ("Comment → approved reply (p50 / p90)", f"{_dur(t.to_approval.p50_s)} / {_dur(t.to_approval.p90_s)}"),
            ("Comment → posted reply (p50 / p90)", f"{_dur(t.to_posted.p50_s)} / {_dur(t.to_posted.p90_s)}"),
            ("High flags overridden", str(m.overrides)),
            ("Stale drafts", "not checked" if m.stale_drafts is None else str(m.stale_drafts)),
            ("Public updates published", str(len(m.updates_published)))]


def _events(data: ReportData) -> list[tuple[datetime | None, str, str]]:
    """(time, what, detail) of the public updates and fact-sheet versions, in time order."""
    ev: list[tuple[datetime | None, str, str]] = [
        (u.posted_at, f"Public update posted ({u.channel})", u.url or u.draft_id)
        for u in data.metrics.updates_published]
    ev += [(f.valid_from, f"Fact sheet {f.label}", f"{f.doc_id} ({f.language}"
            f"{'' if f.approved else ', not approved'}; valid until {_when(f.valid_until)})")
           for f in data.fact_sheets]
    return sorted(ev, key=lambda e: (e[0] is not None, e[0] or data.generated_at))


def _markers(data: ReportData) -> list[Marker]:
    out = [Marker(u.posted_at, f"update {u.channel}", "#2a7d2a") for u in data.metrics.updates_published]
    versions = {(f.valid_from, f"fact sheet {f.label.split(' ')[0]}") for f in data.fact_sheets if f.valid_from}
    return out + [Marker(at, label, "#8a4baf") for at, label in sorted(versions)]  # one per language: once


def _every_bucket(data: ReportData) -> list[tuple[datetime, tuple[int, int]]]:
    """(start, (comments, negative)) for every bucket from the first to the last with comments."""
    seen = {s.start: (s.comments, s.by_sentiment.get("negative", 0)) for s in data.metrics.buckets
            if s.start is not None and s.comments}
    if not seen:
        return []
    step = timedelta(seconds=BUCKET_SECONDS[data.metrics.bucket])
    t, last = min(seen), max(seen)
    out: list[tuple[datetime, tuple[int, int]]] = []
    while t <= last and len(out) < 5000:
        out.append((t, seen.get(t, (0, 0))))
        t += step
    return out


def charts(data: ReportData) -> dict[str, str]:
    b = [s for s in data.metrics.buckets if s.start is not None]
    counts = _every_bucket(data)  # quiet buckets are zeros on the volume chart, not a line across them
    volume = time_chart(
        [Series("comments", [(t, n) for t, (n, _) in counts], "#3b6ea8"),
         Series("negative", [(t, neg) for t, (_, neg) in counts], "#c0392b")],
        _markers(data), title="Comments and negative comments per bucket", y_label="comments")
    share = time_chart(
        [Series("negative share", [(s.start, s.negative_share) for s in b if s.start and s.negative_share is not None],
                "#c0392b")], _markers(data), title="Share of negative comments", y_label="share", y_max=1.0,
        y_format=lambda v: f"{100 * v:.0f}%")
    waits = time_chart(
        [Series("p50", [(s.start, s.to_approval.p50_s / 60) for s in b if s.start and s.to_approval.p50_s is not None],
                "#3b6ea8"),
         Series("p90", [(s.start, s.to_approval.p90_s / 60) for s in b if s.start and s.to_approval.p90_s is not None],
                "#e67e22", dashed=True)],
        title="Comment → approved reply, by the comment's bucket", y_label="minutes")
    accept = time_chart(
        [Series("acceptance", [(s.start, s.acceptance_rate) for s in b if s.start and s.acceptance_rate is not None],
                "#2a7d2a"),
         Series("edit distance", [(s.start, s.mean_edit_distance) for s in b
                                  if s.start and s.mean_edit_distance is not None], "#8a4baf", dashed=True)],
        title="AI acceptance rate and mean edit distance, by approval time", y_label="rate", y_max=1.0,
        y_format=lambda v: f"{v:.2f}")
    esc = bar_chart([(t, float(e.comments)) for t, e in data.metrics.total.escalations.items()],
                    title="Comments escalated, by target", color="#c0392b")
    return {"volume": volume, "share": share, "response": waits, "acceptance": accept, "escalations": esc}


# ---------------------------------------------------------------- HTML

CSS = """body{font:15px/1.5 system-ui,sans-serif;color:#222;max-width:960px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid #eee;vertical-align:top}th{background:#f5f5f5}td.n{text-align:right;white-space:nowrap}
.meta{color:#666}.empty{color:#888;font-style:italic}.lessons{white-space:pre-wrap;background:#fffbe6;
padding:.8rem;border:1px solid #eedc82}@media print{h2{break-before:auto}svg{break-inside:avoid}}"""


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    rows = list(rows)
    if not rows:
        return '<p class="empty">None.</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{escape(str(c))}</td>'
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _section(sid: str, title: str, *parts: str) -> str:
    return f'<section id="{sid}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def render_html(data: ReportData) -> str:
    c = charts(data)
    t = data.metrics.total
    per_bucket = _table(["Bucket", "Comments", "Negative", "p50", "p90", "Approved", "Rejected", "Posted"],
                        [(_when(s.start), s.comments, _pct(s.negative_share), _dur(s.to_approval.p50_s),
                          _dur(s.to_approval.p90_s), s.approved, s.rejected, s.posted) for s in data.metrics.buckets],
                        numeric=(1, 2, 3, 4, 5, 6, 7))
    e = data.edits
    lessons = data.lessons
    parts = [
        _section("summary", "Summary", _table(["Measure", "Value"], _summary_rows(data), numeric=(1,)),
                 _table(["Intent", "Comments"], t.by_intent.items(), numeric=(1,)),
                 _table(["Platform", "Comments"], t.by_platform.items(), numeric=(1,)),
                 _table(["Language", "Comments"], t.by_language.items(), numeric=(1,))),
        _section("volume", "Volume and sentiment over time", c["volume"], c["share"],
                 '<p class="meta">Dashed lines: public updates posted (green) and fact-sheet versions (purple).</p>'),
        _section("response", "Response times", c["response"], per_bucket),
        _section("acceptance", "Acceptance and edit rates", c["acceptance"],
                 f"<p>{t.approvals_measured} approved drafts: {_pct(t.acceptance_rate)} approved exactly as "
                 f"generated, mean edit distance {_ratio(t.mean_edit_distance)}.</p>"),
        _section("edits", "Edits reviewers made most often",
                 f"<p>{e.edited_drafts} approved drafts were changed by a person.</p>",
                 "<h3>Removed</h3>", _table(["Text", "Times"], [(p.text, p.count) for p in e.removed], (1,)),
                 "<h3>Added</h3>", _table(["Text", "Times"], [(p.text, p.count) for p in e.added], (1,)),
                 "<h3>Replaced</h3>", _table(["Before", "After", "Times"],
                                             [(r.before, r.after, r.count) for r in e.replaced], (2,))),
        _section("escalations", "Escalations", c["escalations"],
                 _table(["Target", "Comments", "Handled", "Wait p50", "Wait p90"],
                        [(k, v.comments, v.handled, _dur(v.wait.p50_s), _dur(v.wait.p90_s))
                         for k, v in t.escalations.items()], (1, 2, 3, 4))),
        _section("flags", "Guard flags", _table(["Code", "Raised", "Overridden by a lead"],
                                                [(k, v.raised, v.overridden) for k, v in
                                                 sorted(t.flags.items(), key=lambda kv: -kv[1].raised)], (1, 2))),
        _section("questions", "Top questions (by group)", _groups_table(data.questions)),
        _section("rumours", "Top rumours (by group)", _groups_table(data.rumours)),
        _section("gaps", "Knowledge gaps",
                 f"<p>{data.gaps.questions} questions the knowledge could not answer, in {data.gaps.count} groups.</p>",
                 _table(["Question", "Times", "Why", "Fact-sheet entry"],
                        [(g.question, g.count, ", ".join(f"{k} {n}" for k, n in g.reasons.items()),
                          f"{g.entry_doc_id} ({g.entry_status})" if g.entry_doc_id else "none")
                         for g in data.gaps.data[:20]], (1,))),
        _section("events", "Public updates and fact-sheet versions",
                 _table(["When", "What", "Detail"], [(_when(w), what, d) for w, what, d in _events(data)])),
        _section("lessons", "Lessons",
                 f'<div class="lessons">{escape(lessons.lessons)}</div>' if lessons.lessons.strip() else
                 '<p class="empty">No lessons written yet: a lead writes them with PUT /v1/incidents/'
                 f"{escape(data.incident_id)}/lessons or `crisis-desk lessons {escape(data.incident_id)}`.</p>"),
    ]
    title = escape(_title(data))
    status = f" · {escape(data.incident.status)} · severity {escape(data.incident.severity)}" if data.incident else ""
    first = data.metrics.buckets[0].start if data.metrics.buckets else None
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>Post-crisis report: {title}</title><style>{CSS}</style></head><body>"
            f"<h1>Post-crisis report: {title}</h1>"
            f'<p class="meta">{escape(data.incident_id)}{status} · from {_when(first)} · '
            f"{escape(data.metrics.bucket)} buckets · generated {_when(data.generated_at)}</p>"
            + "".join(parts) + "</body></html>\n")


def _groups_table(groups: list[TopGroup]) -> str:
    return _table(["Typical comment", "Comments", "First", "Last"],
                  [(g.text, g.count, _when(g.first_seen), _when(g.last_seen)) for g in groups], (1,))


# ---------------------------------------------------------------- Markdown


def _md_table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = list(rows)
    if not rows:
        return "_None._\n"

    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def render_markdown(data: ReportData) -> str:
    t, e = data.metrics.total, data.edits
    out = [f"# Post-crisis report: {_title(data)}\n", f"_{data.incident_id} · {data.metrics.bucket} buckets · "
           f"generated {_when(data.generated_at)}. Charts are in the HTML version._\n",
           "## Summary\n", _md_table(["Measure", "Value"], _summary_rows(data)),
           _md_table(["Intent", "Comments"], t.by_intent.items()),
           "## Volume and sentiment over time\n",
           _md_table(["Bucket", "Comments", "Negative", "Negative share"],
                     [(_when(s.start), s.comments, s.by_sentiment.get("negative", 0), _pct(s.negative_share))
                      for s in data.metrics.buckets]),
           "## Response times\n",
           _md_table(["Bucket", "Approved p50", "Approved p90", "Posted p50"],
                     [(_when(s.start), _dur(s.to_approval.p50_s), _dur(s.to_approval.p90_s), _dur(s.to_posted.p50_s))
                      for s in data.metrics.buckets]),
           "## Acceptance and edit rates\n",
           _md_table(["Bucket", "Approved", "Acceptance", "Mean edit distance"],
                     [(_when(s.start), s.approvals_measured, _pct(s.acceptance_rate),
                       _ratio(s.mean_edit_distance))
                      for s in data.metrics.buckets if s.approvals_measured]),
           "## Edits reviewers made most often\n", f"{e.edited_drafts} approved drafts were changed by a person.\n\n",
           "Removed:\n\n", _md_table(["Text", "Times"], [(p.text, p.count) for p in e.removed]),
           "\nAdded:\n\n", _md_table(["Text", "Times"], [(p.text, p.count) for p in e.added]),
           "\nReplaced:\n\n",
           _md_table(["Before", "After", "Times"], [(r.before, r.after, r.count) for r in e.replaced]),
           "## Escalations\n",
           _md_table(["Target", "Comments", "Handled", "Wait p50", "Wait p90"],
                     [(k, v.comments, v.handled, _dur(v.wait.p50_s), _dur(v.wait.p90_s))
                      for k, v in t.escalations.items()]),
           "## Guard flags\n", _md_table(["Code", "Raised", "Overridden"],
                                          [(k, v.raised, v.overridden) for k, v in t.flags.items()]),
           "## Top questions (by group)\n", _md_table(["Typical comment", "Comments"],
                                                      [(g.text, g.count) for g in data.questions]),
           "## Top rumours (by group)\n", _md_table(["Typical comment", "Comments"],
                                                    [(g.text, g.count) for g in data.rumours]),
           "## Knowledge gaps\n", _md_table(["Question", "Times", "Why", "Entry"],
                                            [(g.question, g.count, ", ".join(f"{k} {n}" for k, n in g.reasons.items()),
                                              g.entry_doc_id or "none") for g in data.gaps.data[:20]]),
           "## Public updates and fact-sheet versions\n",
           _md_table(["When", "What", "Detail"], [(_when(w), what, d) for w, what, d in _events(data)]),
           "## Lessons\n", (data.lessons.lessons.strip() or "_No lessons written yet._") + "\n"]
    return "\n".join(out)
