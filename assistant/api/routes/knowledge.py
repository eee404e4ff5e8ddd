"""Knowledge documents: add/replace, delete, search preview."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from assistant.api.auth import AgentDep, LeadDep, Principal
from assistant.api.deps import RuntimeDep
from assistant.errors import DocumentInvalid, UnsupportedMediaType
from assistant.knowledge.loaders import parse_markdown, split_front_matter
from assistant.knowledge.store import SearchFilter
from assistant.models import DocumentIn, IsoDatetime, Kind, SearchHit
from assistant.runtime import Runtime

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


class DocumentResult(BaseModel):
    id: str
    outcome: Literal["added", "updated", "unchanged"]
    chunks: int
    version: str


class SearchResult(BaseModel):
    hits: list[SearchHit]


@router.post("/documents", response_model=DocumentResult, status_code=200)
def put_document(doc: DocumentIn, runtime: RuntimeDep, principal: LeadDep) -> DocumentResult:
    return _upsert(runtime, doc, principal)


MARKDOWN_EXAMPLE = """---
id: factsheet-recall-v3-en
title: Recall fact sheet (v3)
kind: fact_sheet
language: en
approved: true
incident: recall-2026-11
valid_from: 2026-11-29T12:00:00Z
---
## What we know
Batches L4821 and L4822 are recalled.
"""


@router.post("/documents/markdown", response_model=DocumentResult, status_code=200,
             openapi_extra={"requestBody": {"required": True, "content": {"text/markdown": {
                 "schema": {"type": "string"}, "example": MARKDOWN_EXAMPLE}}}})
async def put_markdown(request: Request, runtime: RuntimeDep, principal: LeadDep) -> DocumentResult:
    """The same as a file in the knowledge folder: Markdown with YAML front matter (id and kind required)."""
    if not request.headers.get("content-type", "").startswith("text/markdown"):
        raise UnsupportedMediaType("send the document as text/markdown (YAML front matter, then the body)")
    try:
        raw = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentInvalid("request body: not UTF-8 text") from exc
    meta, _ = split_front_matter(raw, "request body")
    if "id" not in meta:
        raise DocumentInvalid("request body: front matter has no 'id'")
    doc = parse_markdown(raw, "request body", default_id=str(meta["id"]))
    return await asyncio.to_thread(_upsert, runtime, doc, principal)


def _upsert(runtime: Runtime, doc: DocumentIn, principal: Principal) -> DocumentResult:
    outcome = runtime.kb.upsert(doc, origin="api")
    chunks = runtime.kb.doc_chunks(doc.id)
    runtime.db.audit(actor=principal.key_id, action=f"knowledge.{outcome}", target=doc.id,
                     detail={"chunks": len(chunks), "approved": doc.approved})
    return DocumentResult(id=doc.id, outcome=outcome, chunks=len(chunks), version=chunks[0].doc_version)


@router.delete("/documents/{doc_id}", status_code=200)
def delete_document(doc_id: Annotated[str, Path(max_length=200)], runtime: RuntimeDep,
                    principal: LeadDep) -> dict[str, object]:
    removed = runtime.kb.delete(doc_id)
    runtime.db.audit(actor=principal.key_id, action="knowledge.deleted", target=doc_id, detail={"chunks": removed})
    return {"id": doc_id, "deleted_chunks": removed}


@router.get("/search", response_model=SearchResult)
def search(
    runtime: RuntimeDep,
    _: AgentDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    kind: Annotated[list[Kind] | None, Query()] = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    incident: Annotated[str | None, Query(max_length=100)] = None,
    at: IsoDatetime | None = None,
    include_unapproved: bool = False,
    mode: Literal["hybrid", "vector", "lexical"] = "hybrid",
) -> SearchResult:
    filters = SearchFilter(kinds=kind, language=lang, incident=incident, at=at,
                           include_unapproved=include_unapproved, include_expired=include_unapproved)
    return SearchResult(hits=runtime.kb.search(q, k=k, filters=filters, mode=mode))
