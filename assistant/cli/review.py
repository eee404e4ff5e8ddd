"""`crisis-desk keys ...` and `crisis-desk queue`: registered by cli.py (thin layers over store.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.cli.main import JsonOpt, _emit_json, _fail, err, out
from assistant.errors import CrisisError

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


def _db() -> Any:
    from assistant.runtime import Runtime

    return Runtime().db


@keys_app.command("create")
def create_key(
    role: Annotated[str, typer.Option("--role", help="agent | lead | admin")],
    name: Annotated[str, typer.Option("--name", help="who or what uses it")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a key. It is printed once: only its hash is stored."""
    try:
        principal, key = _db().create_key(role, name)
    except CrisisError as exc:
        raise _fail(exc) from exc
    if as_json:
        _emit_json({"id": principal.key_id, "role": principal.role, "key": key})
        return
    out.print(f"created {principal.role} key [bold]{principal.key_id}[/bold]{f' ({name})' if name else ''}")
    out.print("key (shown once, keep it secret):")
    print(key)


@keys_app.command("list")
def list_keys(as_json: JsonOpt = False) -> None:
    """Every key with its role and state (never the key itself)."""
    keys = _db().list_keys()
    if as_json:
        _emit_json([k.model_dump(mode="json") for k in keys])
        return
    table = Table("id", "role", "name", "created", "revoked")
    for k in keys:
        table.add_row(k.id, k.role, k.name, k.created_at.strftime("%Y-%m-%d %H:%M"),
                      k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "")
    out.print(table)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="the key id (from `keys list`)")],
               as_json: JsonOpt = False) -> None:
    """Revoke a key (running servers stop accepting it within seconds)."""
    try:
        info = _db().revoke_key(key_id)
    except CrisisError as exc:
        raise _fail(exc) from exc
    if as_json:
        _emit_json(info.model_dump(mode="json"))
    else:
        out.print(f"revoked {info.id} ({info.role}{f', {info.name}' if info.name else ''})")


def queue_command(
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="draft|edited|approved|rejected|posted, open (default), all; repeatable")] = None,
    incident: Annotated[str | None, typer.Option(help="only this incident")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The review queue, highest priority first."""
    groups = {"open": ("draft", "edited"), "all": ("draft", "edited", "approved", "rejected", "posted")}
    wanted = [s for name in status or ["open"] for s in groups.get(name, (name,))]
    bad = sorted(set(wanted) - set(groups["all"]))
    if bad:
        err.print(f"[red]error[/red]: unknown status {', '.join(bad)}")
        raise typer.Exit(2)
    page = _db().queue(statuses=wanted, incident=incident, limit=limit)
    if as_json:
        _emit_json(page.model_dump(mode="json"))
        return
    if not page.data:
        out.print("the queue is empty")
        return
    table = Table("prio", "status", "draft", "platform", "author", "comment", "flags", show_lines=True)
    for item in page.data:
        c, d = item.comment, item.draft
        flags = ", ".join(f"{f.code}:{f.severity}" for f in d.flags)
        table.add_row(f"{item.priority:.0f}", d.status, f"{d.id}\n[dim]v{d.version}[/dim]",
                      c.platform if c else d.kind, (c.author or c.author_handle or "") if c else "",
                      (c.text if c else d.text)[:160], flags)
    out.print(table)
    if page.count > len(page.data):
        out.print(f"[dim]{len(page.data)} of {page.count} shown (--limit)[/dim]")
