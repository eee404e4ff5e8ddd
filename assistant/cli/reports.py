"""`crisis-desk metrics | report | gaps | gap-entry | lessons | brief`: registered by cli/main.py, thin
layers over assistant/reports. Local commands act as the `cli` admin (as `keys` does)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.cli.main import JsonOpt, _emit_json, _fail, err, out
from assistant.errors import CrisisError

BucketOpt = Annotated[str, typer.Option("--bucket", help="15m | 1h | 1d")]
Incident = Annotated[str, typer.Argument(help="incident id, e.g. recall-2026-11")]


def _runtime() -> Any:
    from assistant.runtime import Runtime

    return Runtime()


def _cli_principal() -> Any:
    from assistant.review.schemas import Principal

    return Principal(key_id="cli", role="admin", name="local command line")


def _bucket(value: str) -> Any:
    if value not in ("15m", "1h", "1d"):
        err.print("[red]error[/red] (invalid_input): --bucket must be 15m, 1h or 1d")
        raise typer.Exit(2)
    return value


def _dur(s: int | None) -> str:
    return "–" if s is None else f"{s // 60} min" if s < 3600 else f"{s / 3600:.1f} h"


def metrics_command(incident: Incident, bucket: BucketOpt = "1h",
                    stale: Annotated[bool, typer.Option(help="count stale drafts (loads the knowledge base)")]
                    = False, as_json: JsonOpt = False) -> None:
    """Metrics over time: comments by facet, drafts and decisions, waits, acceptance, escalations, flags."""
    from assistant.reports.metrics import incident_timeline

    b = _bucket(bucket)
    runtime = _runtime()
    try:
        m = incident_timeline(runtime.db, incident, b, runtime.kb.versions if stale else None)
    except CrisisError as exc:
        raise _fail(exc) from exc
    if as_json:
        _emit_json(m.model_dump(mode="json"))
        return
    t = m.total
    out.print(f"[bold]{incident}[/bold]: {m.comments} comments, {m.drafts} drafts ({m.approved} approved, "
              f"{m.rejected} rejected, {m.posted} posted); acceptance "
              f"{'–' if m.acceptance_rate is None else f'{m.acceptance_rate:.0%}'}; comment -> approved "
              f"p50 {_dur(t.to_approval.p50_s)} p90 {_dur(t.to_approval.p90_s)}")
    table = Table("bucket", "comments", "negative", "created", "approved", "rejected", "posted", "p50", "p90",
                  "escalated")
    for s in m.buckets:
        table.add_row(s.start.strftime("%m-%d %H:%M") if s.start else "", str(s.comments),
                      "–" if s.negative_share is None else f"{s.negative_share:.0%}",
                      str(sum(s.drafts_created.values())), str(s.approved), str(s.rejected), str(s.posted),
                      _dur(s.to_approval.p50_s), _dur(s.to_approval.p90_s),
                      str(sum(e.comments for e in s.escalations.values())))
    out.print(table)
    for u in m.updates_published:
        out.print(f"update posted {u.posted_at:%Y-%m-%d %H:%M} on {u.channel} {u.url or ''}")


def report_command(incident: Incident,
                   out_path: Annotated[Path, typer.Option("--out", help="report.html or report.md")] = Path(
                       "report.html"),
                   bucket: BucketOpt = "1h") -> None:
    """Write the post-crisis report: one self-contained HTML page (inline SVG charts) or Markdown."""
    from assistant.reports.report import build_report, render_html, render_markdown

    b = _bucket(bucket)
    if out_path.suffix.lower() not in (".html", ".htm", ".md"):
        err.print("[red]error[/red] (invalid_input): --out must end in .html or .md")
        raise typer.Exit(2)
    runtime = _runtime()
    try:
        data = build_report(runtime.db, incident, b, runtime.kb.documents, runtime.kb.versions)
    except CrisisError as exc:
        raise _fail(exc) from exc
    page = render_markdown(data) if out_path.suffix.lower() == ".md" else render_html(data)
    out_path.write_text(page, encoding="utf-8")
    out.print(f"wrote {out_path} ({len(page) // 1024} kB)")


def gaps_command(incident: Incident, as_json: JsonOpt = False) -> None:
    """Questions the knowledge could not answer, grouped, most asked first."""
    from assistant.reports.gaps import find_gaps

    runtime = _runtime()
    try:
        gaps = find_gaps(runtime.db, incident,
                         lambda: {d["id"]: bool(d["approved"]) for d in runtime.kb.documents()})
    except CrisisError as exc:
        raise _fail(exc) from exc
    if as_json:
        _emit_json(gaps.model_dump(mode="json"))
        return
    if not gaps.data:
        out.print("no knowledge gap recorded")
        return
    table = Table("key", "times", "question", "why", "entry")
    for g in gaps.data:
        table.add_row(g.key, str(g.count), g.question, ", ".join(f"{k} {n}" for k, n in g.reasons.items()),
                      f"{g.entry_doc_id} ({g.entry_status})" if g.entry_doc_id else "")
    out.print(table)


def gap_entry_command(incident: Incident, key: Annotated[str, typer.Argument(help="the gap key (`gaps`)")],
                      as_json: JsonOpt = False) -> None:
    """Turn a gap into an unapproved fact-sheet entry (in the knowledge base), pre-filled with its questions."""
    from assistant.reports.gaps import draft_entry

    runtime = _runtime()
    try:
        doc = draft_entry(runtime.db, incident, key, _cli_principal())
        outcome = runtime.kb.upsert(doc, origin="cli")
    except CrisisError as exc:
        raise _fail(exc) from exc
    runtime.db.audit("cli", f"knowledge.{outcome}", doc.id, {"approved": False, "gap": key})
    if as_json:
        _emit_json(doc.model_dump(mode="json"))
        return
    out.print(f"{outcome} unapproved entry [bold]{doc.id}[/bold]: write the answer, set approved: true, ingest it")
    out.print(doc.text, markup=False, highlight=False)


def lessons_command(incident: Incident,
                    text: Annotated[str | None, typer.Argument(help="the lessons (or --file)")] = None,
                    file: Annotated[Path | None, typer.Option("--file", help="read the lessons from a file")] = None,
                    ) -> None:
    """Show the lessons of an incident, or write them (text or --file) for the report."""
    from assistant.reports.report import get_lessons, put_lessons

    runtime = _runtime()
    try:
        if text is None and file is None:
            runtime.db.get_incident(incident)
            out.print(get_lessons(runtime.db, incident).lessons or "(no lessons written yet)", markup=False)
            return
        body = file.read_text(encoding="utf-8") if file is not None else str(text)
        put_lessons(runtime.db, incident, body, _cli_principal())
    except CrisisError as exc:
        raise _fail(exc) from exc
    out.print(f"saved the lessons of {incident} ({len(body)} characters)")


def brief_command(
    incident: Incident,
    text: Annotated[str, typer.Argument(help="the influencer's comment")],
    author: Annotated[str | None, typer.Option(help="the author's name")] = None,
    platform: Annotated[str, typer.Option(help="where the comment was posted")] = "instagram",
    followers: Annotated[int | None, typer.Option(min=0)] = None,
    lang: Annotated[str | None, typer.Option(help="en|fr (default: the comment's)")] = None,
    save: Annotated[bool, typer.Option(help="store it for review (a lead approves it)")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft a private brief for a high-reach author from the fact sheet (cited, guarded)."""
    from pydantic import ValidationError

    from assistant.drafting.chain import check_comment
    from assistant.models import Comment
    from assistant.reports.briefs import draft_brief
    from assistant.review.lifecycle import save_new_draft

    try:
        comment = Comment.model_validate({"text": text, "author": author, "platform": platform,
                                          "followers": followers})
    except ValidationError as exc:
        e = exc.errors()[0]
        err.print(f"[red]error[/red] (invalid_input): {'.'.join(map(str, e['loc']))}: {e['msg']}")
        raise typer.Exit(2) from exc
    runtime = _runtime()
    try:
        check_comment(runtime.settings, comment)
        draft, missing = draft_brief(runtime.kb, incident, comment, lang)
        if save:
            draft = save_new_draft(runtime.db, draft, comment, _cli_principal())
    except CrisisError as exc:
        raise _fail(exc) from exc
    if as_json:
        _emit_json({"draft": draft.model_dump(mode="json"), "missing": missing})
        return
    out.print(draft.text, markup=False, highlight=False)
    for i, c in enumerate(draft.citations, 1):
        out.print(f"  [{i}] {c.title} ({c.chunk_id})", markup=False, highlight=False)
    for f in draft.flags:
        out.print(f"  {f.severity:6} {f.code}: {f.message}", markup=False, highlight=False)
    if save:
        out.print(f"stored as draft {draft.id} (kind brief: a lead approves it)")


def register(app: typer.Typer) -> None:
    app.command("brief")(brief_command)
    app.command("metrics")(metrics_command)
    app.command("report")(report_command)
    app.command("gaps")(gaps_command)
    app.command("gap-entry")(gap_entry_command)
    app.command("lessons")(lessons_command)
