"""`GET /v1/alerts`: spikes and new topics detected on the comment stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from assistant.api.auth import AgentDep
from assistant.api.deps import RuntimeDep
from assistant.models import IsoDatetime
from assistant.triage.monitor import Alert

router = APIRouter(prefix="/v1", tags=["alerts"])


class AlertsOut(BaseModel):
    data: list[Alert]
    count: int


@router.get("/alerts", response_model=AlertsOut)
def list_alerts(runtime: RuntimeDep, _: AgentDep,
                incident: Annotated[str | None, Query(max_length=100)] = None,
                at: IsoDatetime | None = None, include_resolved: bool = False,
                limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AlertsOut:
    alerts = runtime.monitor.alerts(at=at, include_resolved=include_resolved)
    if incident is not None:
        alerts = [a for a in alerts if a.incident == incident]
    return AlertsOut(data=alerts[:limit], count=len(alerts))
