"""`GET /v1/drafts/{id}/sentences`: the text sentence by sentence, with its sources and flags (console)."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.auth import AgentDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.api.routes.review import DraftId
from assistant.review import lifecycle as review
from assistant.review.sentences import DraftSentences, sentence_view

router = APIRouter(prefix="/v1/drafts", tags=["review"])


@router.get("/{draft_id}/sentences", response_model=DraftSentences, responses=problem_responses(404))
def get_sentences(draft_id: DraftId, runtime: RuntimeDep, _: AgentDep) -> DraftSentences:
    """The draft (as GET /v1/drafts/{id}) and its text as the guards split it: each sentence with the
    citations that support it and the flags on its words."""
    return sentence_view(review.get_draft(runtime.db, draft_id, kb_versions=lambda: runtime.kb.versions()))
