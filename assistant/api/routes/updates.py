"""`POST /v1/incidents/{id}/updates`: holding / progress / resolution statements per channel."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from assistant.api.auth import AgentDep
from assistant.api.deps import RuntimeDep
from assistant.drafting.updates import as_draft, draft_updates
from assistant.models import PublicUpdate, UpdateRequest
from assistant.review import lifecycle as review

router = APIRouter(prefix="/v1/incidents", tags=["updates"])


class UpdatesOut(BaseModel):
    incident: str
    updates: list[PublicUpdate]


@router.post("/{incident_id}/updates", response_model=UpdatesOut)
async def create_updates(incident_id: Annotated[str, Path(max_length=100)], req: UpdateRequest,
                         runtime: RuntimeDep, principal: AgentDep) -> UpdatesOut:
    """Drafts one update per channel, stores each for review (only a lead approves an update)."""
    updates = await asyncio.to_thread(draft_updates, runtime.kb, incident_id, req.kind, list(req.channels),
                                      req.language)

    def store() -> list[PublicUpdate]:
        return [u.model_copy(update={"draft_id": review.save_new_draft(runtime.db, as_draft(u, incident_id), None,
                                                                       principal).id})
                for u in updates]

    return UpdatesOut(incident=incident_id, updates=await asyncio.to_thread(store))
