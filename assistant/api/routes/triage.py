"""`POST /v1/triage`: comment -> Triage (language, sentiment, intent, severity, escalation, reasons)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from assistant.api.auth import AgentDep
from assistant.api.deps import RuntimeDep
from assistant.drafting.chain import check_comment
from assistant.models import Comment, Triage
from assistant.triage.classify import triage

router = APIRouter(prefix="/v1", tags=["triage"])


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"comment": {
        "text": "Mon avocat va vous contacter, c'est inadmissible !", "author": "Marc", "platform": "facebook"}}]})
    comment: Comment
    incident: str | None = None


@router.post("/triage", response_model=Triage)
def triage_comment(req: TriageRequest, runtime: RuntimeDep, _: AgentDep) -> Triage:
    check_comment(runtime.settings, req.comment)
    result = triage(req.comment)
    runtime.monitor_observe(req.comment, result, req.incident)
    return result
