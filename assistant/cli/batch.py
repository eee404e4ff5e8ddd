"""`crisis-desk batch ...`: import a comment export, run it (progress, rate, ETA), follow, export; and the
queue worker. Registered by cli/main.py; a thin layer over assistant/batch."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.cli.main import DataDir, JsonOpt, _emit_json, _run, _runtime, err, out

batch_app = typer.Typer(help="Batch drafting: import queued comments, draft them once each (grouped), "
                             "follow progress, export approved replies.", no_args_is_help=True)


@batch_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="comments.jsonl | .csv | .json (a list)", exists=True,
                                         dir_okay=False, readable=True)],
    incident: Annotated[str, typer.Option("--incident", help="the incident these comments are about")],
    batch: Annotated[str | None, typer.Option("--batch", help="add to this batch (default: one per file)")] = None,
    mapping: Annotated[str | None, typer.Option("--map", help="our field=their column, e.g. "
                                                "text=message,author=from_name")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="for rows that do not say")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl|csv|json (default: from the file name)")] = None,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Add comments to a batch. Bad rows are listed with line and reason; the good ones go in.
    Importing the same file again adds nothing."""
    from assistant.batch import store
    from assistant.batch.importer import detect_format, parse_mapping

    runtime = _runtime(data_dir)

    def work() -> Any:
        kind = detect_format(name=f"x.{fmt}" if fmt else path.name)
        return store.import_data(runtime.db, runtime.settings, path.read_bytes(), kind, incident=incident,
                                 batch_id=batch, mapping=parse_mapping(mapping), platform=platform,
                                 source=path.name, actor="cli")

    report = _run(work)
    if as_json:
        _emit_json(report.model_dump(mode="json"))
    else:
        out.print(f"batch [bold]{report.batch}[/bold]: {report.received} rows read, {report.added} added, "
                  f"{report.duplicates} already imported, {report.rejected} rejected")
        for e in report.errors[:50]:
            err.print(f"[yellow]line {e.line}[/yellow]: {e.reason}", highlight=False)
        if len(report.errors) > 50:
            err.print(f"... and {len(report.errors) - 50} more (use --json for all)")


@batch_app.command("run")
def run_command(
    batch_id: Annotated[str, typer.Argument(help="the batch id printed by `batch import`")],
    concurrency: Annotated[int | None, typer.Option(min=1, max=256, help="drafts at a time "
                                                    "(CRISIS_BATCH_CONCURRENCY)")] = None,
    timeout: Annotated[float | None, typer.Option(min=0.1, help="seconds per comment "
                                                  "(CRISIS_BATCH_ITEM_TIMEOUT_S)")] = None,
    redraft_stale: Annotated[bool, typer.Option("--redraft-stale", help="redraft the drafts whose facts "
                                                "changed since")] = False,
    no_groups: Annotated[bool, typer.Option("--no-groups", help="draft near-duplicates one by one")] = False,
    queue: Annotated[bool, typer.Option("--queue", help="run on the arq workers (CRISIS_REDIS_URL)")] = False,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft every comment of the batch not drafted yet. Safe to stop and start again at any time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from assistant.batch.schemas import Counts

    runtime = _runtime(data_dir)
    bar = None if as_json else Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=err)
    task = bar.add_task("drafting", total=None, rate="") if bar is not None else None
    first: dict[str, float] = {}

    def progress(c: Counts) -> None:
        if bar is None or task is None:
            return
        done = c.drafted + c.held + c.skipped + c.failed
        now = time.monotonic()
        first.setdefault("t", now)
        first.setdefault("done", done)
        elapsed = now - first["t"]
        rate = (done - first["done"]) / elapsed if elapsed > 1 else 0.0
        bar.update(task, completed=done, total=c.total, rate=f"{rate:.1f}/s",
                   description=f"drafting (held {c.held}, skipped {c.skipped}, failed {c.failed})")

    async def main() -> Any:
        try:
            if queue:
                from assistant.batch.jobs import run_distributed

                return await run_distributed(runtime, batch_id, redraft_stale=redraft_stale,
                                             use_groups=not no_groups, on_progress=progress)
            from assistant.batch.runner import run_batch

            return await run_batch(runtime, batch_id, concurrency=concurrency, item_timeout_s=timeout,
                                   redraft_stale=redraft_stale, use_groups=not no_groups, on_progress=progress)
        finally:
            # The model's HTTP client belongs to this event loop: close it here, not at exit after the loop.
            client = getattr(runtime.__dict__.get("chat_model"), "root_async_client", None)
            if client is not None:
                await client.close()

    def work() -> Any:
        return asyncio.run(main())

    if bar is not None:
        with bar:
            report = _run(work)
    else:
        report = _run(work)
    if as_json:
        _emit_json(report.model_dump(mode="json"))
        return
    c = report.counts
    out.print(f"batch {batch_id}: {report.processed} finished in {report.seconds:.1f}s · drafted {c.drafted}, "
              f"held {c.held}, skipped {c.skipped}, failed {c.failed}, waiting {c.queued + c.running}")
    if c.failed:
        err.print(f"[yellow]{c.failed} failed[/yellow]: see `crisis-desk batch status {batch_id}`; "
                  "run again to retry them")


@batch_app.command("status")
def status_command(batch_id: str, data_dir: DataDir = None, as_json: JsonOpt = False) -> None:
    """Counts, failures, holds and skips with their reasons."""
    from assistant.batch import store

    runtime = _runtime(data_dir)
    info = _run(lambda: store.batch_out(runtime.db, batch_id))
    if as_json:
        _emit_json(info.model_dump(mode="json"))
        return
    c = info.counts
    out.print(f"batch {info.id} ({info.incident}, {info.source}): {c.total} comments, {info.groups} groups · "
              f"queued {c.queued}, running {c.running}, drafted {c.drafted}, held {c.held}, skipped {c.skipped}, "
              f"failed {c.failed}")
    for title, items in (("failed", info.failures), ("held", info.held), ("skipped", info.skipped)):
        for p in items[:20]:
            out.print(f"  {title} line {p.line} ({p.comment_id or 'no id'}): {p.reason}", markup=False,
                      highlight=False)


@batch_app.command("groups")
def groups_command(batch_id: str, data_dir: DataDir = None, as_json: JsonOpt = False,
                   limit: Annotated[int, typer.Option(min=1, max=200)] = 20) -> None:
    """Groups of near-duplicates, largest first, with their core answer."""
    from assistant.batch import store

    runtime = _runtime(data_dir)
    page = _run(lambda: store.groups_page(runtime.db, batch_id, limit=limit))
    if as_json:
        _emit_json(page.model_dump(mode="json"))
        return
    table = Table("group", "size", "status", "v", "core answer")
    for g in page.data:
        table.add_row(str(g.id), str(g.size), g.status, str(g.version), (g.core_text or "(not drafted)")[:100])
    out.print(table)
    out.print(f"{page.count} group(s)")


@batch_app.command("export")
def export_command(
    batch_id: str,
    fmt: Annotated[str, typer.Option("--format", help="csv|jsonl")] = "csv",
    output: Annotated[Path | None, typer.Option("--out", help="file (default: standard output)")] = None,
    data_dir: DataDir = None,
) -> None:
    """The approved replies (comment id, platform, url, text), for posting with your own tools."""
    from assistant.batch import store

    if fmt not in ("csv", "jsonl"):
        err.print("[red]error[/red]: --format must be csv or jsonl")
        raise typer.Exit(2)
    runtime = _runtime(data_dir)
    rows = _run(lambda: store.export_rows(runtime.db, batch_id))
    with (output.open("w", encoding="utf-8", newline="") if output else _stdout()) as fh:
        if fmt == "jsonl":
            for r in rows:
                fh.write(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(fh, fieldnames=["comment_id", "platform", "url", "author", "text", "draft_id"])
            writer.writeheader()
            for r in rows:
                writer.writerow(r.model_dump(mode="json"))
    err.print(f"{len(rows)} approved repl{'y' if len(rows) == 1 else 'ies'}")


class _stdout:
    def __enter__(self) -> Any:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


@batch_app.command("worker")
def worker_command(
    burst: Annotated[bool, typer.Option("--burst", help="stop when the queue is empty")] = False,
    data_dir: DataDir = None,
) -> None:
    """An arq worker drafting batch jobs (CRISIS_REDIS_URL; share CRISIS_DATABASE_URL with the others)."""
    from assistant.batch.jobs import worker

    runtime = _runtime(data_dir)
    _run(lambda: worker(runtime.settings, burst=burst).run())
