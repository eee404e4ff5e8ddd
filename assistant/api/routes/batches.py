"""Batch drafting: import a comment export, run it, follow it, review it per group, export the result.

Thin: parsing and rules live in assistant/batch (importer, store, runner, review).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from assistant.api.auth import AgentDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.api.limits import too_large
from assistant.batch import store
from assistant.batch.importer import detect_format, parse_mapping
from assistant.batch.review import approve_group, edit_group
from assistant.batch.schemas import (
    BATCH_ID,
    BatchesPage,
    BatchOut,
    GroupApprove,
    GroupDecision,
    GroupEdit,
    GroupOut,
    GroupsPage,
    ImportReport,
)
from assistant.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from assistant.models import Platform

router = APIRouter(prefix="/v1/batches", tags=["batches"])
log = logging.getLogger(__name__)

BatchId = Annotated[str, Path(pattern=BATCH_ID)]
GroupId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CSV_EXAMPLE = "id,platform,from_name,message\n101,facebook,Paul Dupont,Is batch L4822 recalled?\n"
BODY = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}


class RunStarted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batch: str
    status: Literal["started", "running"]
    mode: Literal["embedded", "queue"]


@router.post("", response_model=ImportReport, status_code=200, openapi_extra=BODY,
             responses=problem_responses(404, 409, 413, 415))
async def import_batch(
    request: Request, runtime: RuntimeDep, principal: AgentDep,
    incident: Annotated[str, Query(min_length=1, max_length=100)],
    batch: Annotated[str | None, Query(pattern=BATCH_ID)] = None,
    map: Annotated[str | None, Query(max_length=1000, description="e.g. text=message,author=from_name")] = None,
    platform: Annotated[Platform | None, Query(description="for rows that do not say")] = None,
) -> ImportReport:
    """A JSONL, CSV or JSON-list body of comments, up to CRISIS_BATCH_MAX_BODY_BYTES (50 MB; chunked
    uploads are fine; larger files: `crisis-desk batch import`). Bad rows come back with line and reason; good rows
    are added. Importing the same body again adds nothing (comment id, else a content hash, is the key)."""
    kind = request.headers.get("content-type", "")
    try:
        fmt = detect_format(content_type=kind or "none")
    except InvalidInput as exc:
        raise UnsupportedMediaType(exc.detail) from exc
    mapping = parse_mapping(map)
    # Read as a stream, up to the batch's own limit (BodyLimit lets this route's body through); the
    # import starts only once the whole body is here, so a refused body leaves nothing behind.
    limit = runtime.settings.batch_max_body_bytes
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(too_large(limit, "CRISIS_BATCH_MAX_BODY_BYTES"))
        chunks.append(chunk)
    data = b"".join(chunks)
    return await asyncio.to_thread(store.import_data, runtime.db, runtime.settings, data, fmt, incident=incident,
                                   batch_id=batch, mapping=mapping, platform=platform, source="api",
                                   actor=principal.key_id)


@router.get("", response_model=BatchesPage)
def list_batches(runtime: RuntimeDep, _: AgentDep, incident: Annotated[str | None, Query(max_length=100)] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> BatchesPage:
    """Batches, newest first, with their counts."""
    return store.list_batches(runtime.db, incident=incident, limit=limit)


@router.get("/{batch_id}", response_model=BatchOut, responses=problem_responses(404))
def get_batch(batch_id: BatchId, runtime: RuntimeDep, _: AgentDep) -> BatchOut:
    """Counts (queued, running, drafted, held, skipped, failed), failures and holds with their reasons."""
    return store.batch_out(runtime.db, batch_id)


@router.post("/{batch_id}/run", response_model=RunStarted, status_code=202, responses=problem_responses(404, 409))
async def run_batch(batch_id: BatchId, runtime: RuntimeDep, _: AgentDep,
                    redraft_stale: bool = False) -> RunStarted:
    """Start drafting what is missing (on the arq workers when Redis is configured, else in this
    process); follow it with GET /v1/batches/{id}. Starting it again while it runs is harmless."""
    await asyncio.to_thread(store.batch_out, runtime.db, batch_id, 0)  # 404 for an unknown batch
    running: dict[str, asyncio.Task[Any]] = runtime.__dict__.setdefault("batch_tasks", {})
    task = running.get(batch_id)
    mode: Literal["embedded", "queue"] = "queue" if runtime.settings.redis_url else "embedded"
    if task is not None and not task.done():
        return RunStarted(batch=batch_id, status="running", mode=mode)
    if mode == "queue":
        from assistant.batch.jobs import run_distributed

        work = run_distributed(runtime, batch_id, redraft_stale=redraft_stale)
    else:
        from assistant.batch.runner import run_batch as run_embedded

        work = run_embedded(runtime, batch_id, redraft_stale=redraft_stale)
    running[batch_id] = asyncio.create_task(_logged(work, batch_id))
    return RunStarted(batch=batch_id, status="started", mode=mode)


async def _logged(work: Any, batch_id: str) -> None:
    try:
        await work
    except Exception:
        log.exception("batch run failed batch=%s", batch_id)


@router.get("/{batch_id}/groups", response_model=GroupsPage, responses=problem_responses(404))
def list_groups(batch_id: BatchId, runtime: RuntimeDep, _: AgentDep,
                limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
                members: bool = False) -> GroupsPage:
    """Groups of near-duplicates, largest first, each with its core answer."""
    return store.groups_page(runtime.db, batch_id, limit=limit, offset=offset, members=members)


@router.get("/{batch_id}/groups/{group_id}", response_model=GroupOut, responses=problem_responses(404))
def get_group(batch_id: BatchId, group_id: GroupId, runtime: RuntimeDep, _: AgentDep) -> GroupOut:
    return store.get_group(runtime.db, batch_id, group_id)[0]


@router.post("/{batch_id}/groups/{group_id}/approve", response_model=GroupDecision,
             responses=problem_responses(404, 409))
def approve(batch_id: BatchId, group_id: GroupId, body: GroupApprove, runtime: RuntimeDep,
            principal: AgentDep) -> GroupDecision:
    """Approve the core once: every member still carrying it is approved through the review lifecycle;
    a member with a flag of its own stays held for individual review."""
    return approve_group(runtime.db, batch_id, group_id, body.version, principal, body.override_reason)


@router.post("/{batch_id}/groups/{group_id}/edit", response_model=GroupDecision,
             responses=problem_responses(404, 409))
async def edit(batch_id: BatchId, group_id: GroupId, body: GroupEdit, runtime: RuntimeDep,
               principal: AgentDep) -> GroupDecision:
    """Edit the core once: each member that carries it gets the new text behind its own greeting,
    guarded on its own; members edited alone keep their text."""
    return await edit_group(runtime, batch_id, group_id, body.text, body.version, principal)


@router.get("/{batch_id}/export", responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                                                   "description": "approved replies"}, **problem_responses(404)})
def export(batch_id: BatchId, runtime: RuntimeDep, _: AgentDep,
           format: Literal["csv", "jsonl"] = "csv") -> Response:
    """The batch's approved replies (comment id, platform, url, text) for a team to post with its own
    tools: crisis-desk posts nothing."""
    rows = store.export_rows(runtime.db, batch_id)
    if format == "jsonl":
        body = "".join(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n" for r in rows)
        return Response(body, media_type="application/x-ndjson")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["comment_id", "platform", "url", "author", "text", "draft_id"])
    writer.writeheader()
    for r in rows:
        writer.writerow(r.model_dump(mode="json"))
    return Response(buf.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{batch_id}-approved.csv"'})

