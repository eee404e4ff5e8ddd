"""The audit trail (lead, admin): who did what, when and why; newest first, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.api.auth import LeadDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.review.schemas import CURSOR, AuditPage

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage, responses=problem_responses())
def list_audit(
    runtime: RuntimeDep,
    _: LeadDep,
    target: Annotated[str | None, Query(max_length=300, description="e.g. a draft id")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="an API key id")] = None,
    action: Annotated[str | None, Query(max_length=100, description="e.g. draft.approved")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, pattern=CURSOR)] = None,
) -> AuditPage:
    return runtime.db.list_audit(target=target, actor=actor, action=action, limit=limit, cursor=cursor)
