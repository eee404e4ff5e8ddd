"""`POST /v1/triage`: comment -> Triage (language, sentiment, intent, severity, escalation, reasons).

Offline triage first; with a chat model configured, a comment it is unsure about is read again by the
model (drafting/llm_triage.py), which may add teams but never removes one.
The comment also feeds the monitor; when it near-duplicates a copy-paste campaign the monitor sees in
the stream, its triage names that campaign (id, size so far) and escalates to the comms lead."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from assistant.api.auth import AgentDep
from assistant.api.deps import RuntimeDep
from assistant.drafting.chain import check_comment
from assistant.drafting.llm_triage import second_reading
from assistant.guards import mask_pii
from assistant.models import Comment, Triage
from assistant.triage.classify import triage
from assistant.triage.duplicates import join_campaign

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
    if runtime.settings.triage_llm and result.unsure:  # a chat model, when configured, reads it again
        result = second_reading(runtime.settings, runtime.chat_model, req.comment, result)
    runtime.monitor_observe(req.comment, result, req.incident)
    # The monitor's alerts carry masked example texts: the comment is compared masked the same way.
    known = [(a.id.removeprefix("campaign:"), int(a.current), [e.text for e in a.examples])
             for a in runtime.monitor.alerts() if a.kind == "campaign" and a.incident in (None, req.incident)]
    return join_campaign(mask_pii(req.comment.text).text, result, known) if known else result
