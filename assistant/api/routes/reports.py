"""Evaluate and learn: metrics over time, knowledge gaps, the post-crisis report, lessons, influencer
briefs (thin: parse, call assistant/reports, return)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from assistant.api.auth import AgentDep, LeadDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.drafting.chain import check_comment
from assistant.errors import InvalidInput, NotFound
from assistant.models import DocumentIn
from assistant.reports.briefs import draft_brief
from assistant.reports.gaps import draft_entry, find_gaps
from assistant.reports.metrics import incident_timeline
from assistant.reports.report import build_report, get_lessons, put_lessons, render_html, render_markdown
from assistant.reports.schemas import BriefOut, BriefRequest, Bucket, GapList, Lessons, LessonsIn, TimelineMetrics
from assistant.review import lifecycle as review

router = APIRouter(prefix="/v1/incidents", tags=["reports"])
IncidentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.get("/{incident_id}/metrics", response_model=TimelineMetrics, responses=problem_responses(404))
async def get_metrics(incident_id: IncidentId, runtime: RuntimeDep, _: AgentDep,
                      bucket: Annotated[Bucket, Query(description="15m, 1h or 1d")] = "1h",
                      stale: Annotated[bool, Query(description="count stale drafts (reads the knowledge base)")]
                      = False) -> TimelineMetrics:
    """Totals (volumes, drafts by status, approval and acceptance rates, edit distance, time to approval)
    and the same per time bucket: comments by intent, sentiment, severity, language and platform,
    share negative, drafts and decisions, p50/p90 waits, escalations, flags, published updates."""
    versions = (lambda: runtime.kb.versions()) if stale else None
    return await asyncio.to_thread(incident_timeline, runtime.db, incident_id, bucket, versions)


GapKey = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="a gap's key from GET .../gaps")]


class GapEntryOut(BaseModel):
    document: DocumentIn = Field(description="the unapproved entry now in the knowledge base: edit the "
                                             "answer, then PUT it with approved=true")
    outcome: str


@router.get("/{incident_id}/gaps", response_model=GapList, responses=problem_responses(404))
async def get_gaps(incident_id: IncidentId, runtime: RuntimeDep, _: AgentDep) -> GapList:
    """Questions the knowledge could not answer, grouped by similarity, most asked first."""

    def approved() -> dict[str, bool]:
        return {d["id"]: bool(d["approved"]) for d in runtime.kb.documents()}

    return await asyncio.to_thread(find_gaps, runtime.db, incident_id, approved)


@router.post("/{incident_id}/gaps/{key}/entry", response_model=GapEntryOut, status_code=201,
             responses=problem_responses(403, 404, 409))
async def post_gap_entry(incident_id: IncidentId, key: GapKey, runtime: RuntimeDep,
                         principal: LeadDep) -> GapEntryOut:
    """Turn a gap into an unapproved fact-sheet entry pre-filled with its questions (lead)."""

    def work() -> GapEntryOut:
        doc = draft_entry(runtime.db, incident_id, key, principal)
        outcome = runtime.kb.upsert(doc, origin="api")
        runtime.db.audit(actor=principal.key_id, action=f"knowledge.{outcome}", target=doc.id,
                         detail={"approved": False, "gap": key})
        return GapEntryOut(document=doc, outcome=outcome)

    return await asyncio.to_thread(work)


@router.get("/{incident_id}/report", response_class=HTMLResponse, responses={
    **problem_responses(404), 200: {"content": {"text/html": {}, "text/markdown": {}},
                                    "description": "the post-crisis report, one self-contained page"}})
async def get_report(incident_id: IncidentId, runtime: RuntimeDep, _: AgentDep,
                     format: Annotated[Literal["html", "md"], Query(description="html (default) or md")] = "html",
                     bucket: Annotated[Bucket, Query(description="15m, 1h or 1d")] = "1h") -> Response:
    """The post-crisis report: volume and sentiment over time (updates and fact-sheet versions marked),
    response times, acceptance and edits, escalations, flags, top questions and rumours, knowledge gaps,
    lessons. HTML with inline SVG charts and no script or outside link, or Markdown."""
    # The knowledge base is opened only once the incident is known.
    data = await asyncio.to_thread(build_report, runtime.db, incident_id, bucket, lambda: runtime.kb.documents(),
                                   lambda: runtime.kb.versions())
    if format == "md":
        return Response(render_markdown(data), media_type="text/markdown; charset=utf-8")
    return HTMLResponse(render_html(data))


@router.get("/{incident_id}/lessons", response_model=Lessons, responses=problem_responses(404))
def get_incident_lessons(incident_id: IncidentId, runtime: RuntimeDep, _: AgentDep) -> Lessons:
    runtime.db.get_incident(incident_id)
    return get_lessons(runtime.db, incident_id)


@router.put("/{incident_id}/lessons", response_model=Lessons, responses=problem_responses(403, 404))
def put_incident_lessons(incident_id: IncidentId, body: LessonsIn, runtime: RuntimeDep,
                         principal: LeadDep) -> Lessons:
    """The report's "lessons" section, written by a lead (replaces the previous text)."""
    return put_lessons(runtime.db, incident_id, body.lessons, principal)


@router.post("/{incident_id}/influencer-brief", response_model=BriefOut, status_code=201,
             responses=problem_responses(404, 413))
async def post_influencer_brief(incident_id: IncidentId, body: BriefRequest, runtime: RuntimeDep,
                                principal: AgentDep) -> BriefOut:
    """A short private message for a high-reach author (what happened, what is confirmed, what we are
    doing, what we don't know yet, whom to contact), cited and guarded, stored as a draft of kind
    `brief` that only a lead approves."""
    if (body.comment is None) == (body.comment_id is None):
        raise InvalidInput("give either `comment` or `comment_id` (a stored comment)")

    def work() -> BriefOut:
        if body.comment_id is not None:
            comment, stored = review.get_comment(runtime.db, body.comment_id), True
            comment = comment.model_copy(update={"id": body.comment_id})
        else:
            assert body.comment is not None
            comment = body.comment
            stored = comment.id is not None and _stored(comment.id)
        check_comment(runtime.settings, comment)
        draft, missing = draft_brief(runtime.kb, incident_id, comment, body.language)
        # A stored comment keeps its reply draft current: the brief is stored beside it.
        saved = review.save_new_draft(runtime.db, draft, None if stored else comment, principal)
        return BriefOut(draft=saved, missing=missing)

    def _stored(comment_id: str) -> bool:
        try:
            review.get_comment(runtime.db, comment_id)
        except NotFound:
            return False
        return True

    return await asyncio.to_thread(work)
