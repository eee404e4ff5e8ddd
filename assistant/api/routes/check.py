"""`POST /v1/check`: the guards on any text, written by a person or a model, without storing anything."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.api.auth import AgentDep
from assistant.api.deps import RuntimeDep
from assistant.drafting.verify import verify_text
from assistant.errors import InvalidInput
from assistant.models import Citation, Comment, Flag, Platform


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "text": "Hi Sarah, batches L4821 and L4822 are recalled; you will get a €20 voucher.",
        "incident": "recall-2026-11", "platform": "facebook"}]})

    text: str = Field(min_length=1, max_length=20_000, pattern=r"^[^\x00]*$")
    incident: str | None = Field(default=None, max_length=100)
    platform: Platform = "other"
    language: str | None = Field(default=None, min_length=2, max_length=8, description="default: detected")
    comment: Comment | None = Field(default=None, description="the comment the text answers, if any")


class CheckOut(BaseModel):
    blocking: bool = Field(description="a high-severity flag stands: this text could not be approved as it is")
    flags: list[Flag]
    citations: list[Citation] = Field(description="the current chunks that state each sentence")
    knowledge_versions: dict[str, str]


router = APIRouter(prefix="/v1", tags=["check"])


@router.post("/check", response_model=CheckOut)
async def check_text(body: CheckIn, runtime: RuntimeDep, _: AgentDep) -> CheckOut:
    """Run every guard on a text against the current knowledge, as on a draft; nothing is stored."""
    if not body.text.strip():
        raise InvalidInput("text: the text is empty")
    v = await run_in_threadpool(verify_text, runtime.kb, body.text, comment=body.comment, incident=body.incident,
                                platform=body.platform, language=body.language)
    return CheckOut(blocking=v.blocking, flags=v.flags, citations=v.citations,
                    knowledge_versions=v.knowledge_versions)
