"""The review queue: current drafts with their comment, by priority or arrival, paged."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from assistant.api.auth import AgentDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.models import DraftStatus, EscalationTarget, Intent
from assistant.review.schemas import CURSOR, QueuePage

router = APIRouter(prefix="/v1/queue", tags=["review"])

QueueStatus = Literal[DraftStatus, "open", "all"]
_GROUPS: dict[str, tuple[str, ...]] = {"open": ("draft", "edited"),
                                       "all": ("draft", "edited", "approved", "rejected", "posted")}


@router.get("", response_model=QueuePage, responses=problem_responses())
def get_queue(
    runtime: RuntimeDep,
    _: AgentDep,
    status: Annotated[list[QueueStatus] | None, Query(max_length=6, description="repeatable; default `open` "
                                                      "(draft + edited); `all` for every status")] = None,
    order: Literal["priority", "created"] = "priority",
    incident: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, pattern=CURSOR,
                                        description="next_cursor of the previous page")] = None,
    kind: Literal["reply", "update"] | None = None,
    intent: Annotated[Intent | None, Query(description="the triage's main intent")] = None,
    escalate: Annotated[Literal[EscalationTarget, "any", "none"] | None,
                        Query(description="escalated to this target, to any target, or to none")] = None,
) -> QueuePage:
    statuses = sorted({s for name in status or ["open"] for s in _GROUPS.get(name, (name,))})
    return runtime.db.queue(statuses=statuses, order=order, incident=incident, limit=limit, cursor=cursor,
                           kind=kind, intent=intent, escalate=escalate)
