"""Knowledge documents: add/replace, delete, search preview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from ...knowledge.store import SearchFilter
from ...models import DocumentIn, IsoDatetime, Kind, SearchHit
from ..auth import AgentDep, LeadDep
from ..deps import RuntimeDep

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
