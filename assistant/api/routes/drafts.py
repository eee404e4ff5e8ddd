"""Create drafts: `POST /v1/drafts` and the same as Server-Sent Events on `/v1/drafts/stream`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.api.auth import AgentDep, Principal
from assistant.api.deps import RuntimeDep
from assistant.drafting.chain import check_comment, draft_reply
from assistant.errors import CrisisError
from assistant.models import Draft, DraftRequest
from assistant.review import lifecycle as review

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])

EXAMPLE = {
    "comment": {"text": "My son ate some of the granola from batch L4822, what should I do?",
                "author": "Sarah Martin", "author_handle": "sarah_m", "platform": "x", "followers": 320},
    "incident": "recall-2026-11",
    "variants": ["concise"],
}


def _observe(runtime: Any, req: DraftRequest, draft: Draft) -> None:
    runtime.monitor_observe(req.comment, draft.triage, req.incident)


async def _create(runtime: Any, req: DraftRequest, principal: Principal, on_token: Any = None,
                  on_reset: Any = None) -> Draft:
    draft = await draft_reply(runtime, req, on_token=on_token, on_reset=on_reset)
    # The SQL store is synchronous: keep it off the event loop.
    saved = await asyncio.to_thread(review.save_new_draft, runtime.db, draft, req.comment, principal)
    _observe(runtime, req, saved)  # only a comment that was accepted counts on the stream
    return saved


@router.post("", response_model=Draft, status_code=201,
             openapi_extra={"requestBody": {"content": {"application/json": {"example": EXAMPLE}}}})
async def create_draft(req: DraftRequest, runtime: RuntimeDep, principal: AgentDep) -> Draft:
    return await _create(runtime, req, principal)


def _event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


@router.post("/stream", status_code=200, response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "events: `token` {text}*, `reset` {reason} (clear the tokens "
                                             "shown: the model failed mid-stream, the offline draft follows), "
                                             "then `draft` (the Draft, the stored text) or `error`"}})
async def stream_draft(req: DraftRequest, runtime: RuntimeDep, principal: AgentDep) -> StreamingResponse:
    check_comment(runtime.settings, req.comment)  # a 413 before the stream starts, not inside it
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def on_token(text: str) -> None:
        await queue.put(_event("token", {"text": text}))

    async def on_reset(reason: str) -> None:  # the tokens sent so far are withdrawn: clear them
        await queue.put(_event("reset", {"reason": reason}))

    async def produce() -> None:
        try:
            draft = await _create(runtime, req, principal, on_token, on_reset)
            await queue.put(_event("draft", draft.model_dump(mode="json")))
        except CrisisError as exc:
            await queue.put(_event("error", {"status": exc.status, "code": exc.code, "detail": exc.detail}))
        except Exception:
            await queue.put(_event("error", {"status": 500, "code": "internal_error",
                                             "detail": "unexpected server error; see the server log"}))
        finally:
            await queue.put(None)

    async def body() -> AsyncIterator[bytes]:
        task = asyncio.create_task(produce())
        try:
            while (item := await queue.get()) is not None:
                yield item
        finally:
            if not task.done():
                task.cancel()

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
