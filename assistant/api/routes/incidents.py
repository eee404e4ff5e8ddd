"""Incidents: register or update (lead), list, read (metrics: routes/reports.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from assistant.api.auth import AgentDep, LeadDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.review.schemas import CURSOR, Incident, IncidentIn, IncidentPage, IncidentStatus

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])

IncidentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.post("", response_model=Incident, responses=problem_responses(400, 413))
def put_incident(body: IncidentIn, runtime: RuntimeDep, principal: LeadDep) -> Incident:
    """Create the incident, or update it (title, description, status, severity) when the id exists."""
    incident, _ = runtime.db.put_incident(body, actor=principal.key_id)
    return incident


@router.get("", response_model=IncidentPage, responses=problem_responses())
def list_incidents(
    runtime: RuntimeDep,
    _: AgentDep,
    status: IncidentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, pattern=CURSOR)] = None,
) -> IncidentPage:
    return runtime.db.list_incidents(status=status, limit=limit, cursor=cursor)


@router.get("/{incident_id}", response_model=Incident, responses=problem_responses(404))
def get_incident(incident_id: IncidentId, runtime: RuntimeDep, _: AgentDep) -> Incident:
    return runtime.db.get_incident(incident_id)
