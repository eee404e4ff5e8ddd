"""`POST /v1/incidents/{id}/updates`: holding / progress / resolution statements per channel."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from ...models import PublicUpdate, UpdateRequest
from ...updates import draft_updates
from ..auth import AgentDep
from ..deps import RuntimeDep

router = APIRouter(prefix="/v1/incidents", tags=["updates"])


class UpdatesOut(BaseModel):
    incident: str
    updates: list[PublicUpdate]


@router.post("/{incident_id}/updates", response_model=UpdatesOut)
async def create_updates(incident_id: Annotated[str, Path(max_length=100)], req: UpdateRequest,
                         runtime: RuntimeDep, _: AgentDep) -> UpdatesOut:
    updates = await asyncio.to_thread(draft_updates, runtime.kb, incident_id, req.kind, list(req.channels),
                                      req.language)
    return UpdatesOut(incident=incident_id, updates=updates)
