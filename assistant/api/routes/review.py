"""Review a draft: read, edit, approve, reject, record as posted, regenerate, promote (see review.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.api.auth import AgentDep, LeadDep, problem_responses
from assistant.api.deps import RuntimeDep
from assistant.drafting.verify import verify_text
from assistant.errors import Conflict, InvalidInput, PreconditionRequired, ProviderUnavailable
from assistant.models import Draft, DraftRequest, Verified
from assistant.review import lifecycle as review
from assistant.review.lifecycle import DraftVersion
from assistant.review.schemas import Page

router = APIRouter(prefix="/v1/drafts", tags=["review"])

DraftId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f/]+$")]
IfMatch = Annotated[str | None, Header(max_length=100, description='the version as an ETag, e.g. "3"')]


def _number(v: Any) -> Any:
    if isinstance(v, str | bool):  # JSON numbers only: "3" or true are client bugs, not versions
        raise ValueError("version must be a JSON integer")
    return v


Version = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(_number)]
VERSION_DOC = "the version you saw (or send an If-Match header)"
ERRORS = problem_responses(400, 404, 409, 413, 428)
READ_ERRORS = problem_responses(404)


def _example(**fields: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [fields]})


class EditIn(BaseModel):
    model_config = _example(text="Hi Sarah, we're sorry: the batch L4822 recall covers ...", version=1)
    text: str = Field(min_length=1, max_length=20_000, pattern=r"^[^\x00]*$")  # NUL: binary, not a reply
    version: Version | None = Field(default=None, description=VERSION_DOC)


class ApproveIn(BaseModel):
    model_config = _example(version=2, override_reason=None)
    version: Version | None = Field(default=None, description=VERSION_DOC)
    override_reason: str | None = Field(default=None, max_length=2000,
                                        description="lead/admin: why a high-severity flag is acceptable here")


class RejectIn(BaseModel):
    model_config = _example(version=2, reason="promises a refund we have not announced")
    version: Version | None = Field(default=None, description=VERSION_DOC)
    reason: str = Field(min_length=1, max_length=2000)


class PostedIn(BaseModel):
    model_config = _example(version=3, url="https://x.com/acme/status/1862000000000000000")
    version: Version | None = Field(default=None, description=VERSION_DOC)
    url: str = Field(max_length=2000, pattern=r"^https?://[^\x00-\x20\x7f]+$",
                     description="where a person published it")


class VersionIn(BaseModel):
    model_config = _example(version=2)
    version: Version | None = Field(default=None, description=VERSION_DOC)


class Promoted(BaseModel):
    document_id: str
    outcome: Literal["added", "updated", "unchanged"]
    title: str


class DraftHistory(Page[DraftVersion]):
    pass


def _wanted(version: int | None, if_match: str | None) -> int:
    if version is not None:
        return version
    tag = (if_match or "").strip().removeprefix("W/").strip('"')
    if tag.isdigit() and 0 < int(tag) < 2**31:
        return int(tag)
    raise PreconditionRequired("version: send the version you saw (body `version` or an If-Match header)")


def _etag(response: Response, draft: Draft) -> Draft:
    response.headers["ETag"] = f'"{draft.version}"'
    return draft


@router.get("/{draft_id}", response_model=Draft, responses=READ_ERRORS)
def get_draft(draft_id: DraftId, runtime: RuntimeDep, _: AgentDep, response: Response) -> Draft:
    return _etag(response, review.get_draft(runtime.db, draft_id, kb_versions=lambda: runtime.kb.versions()))


@router.get("/{draft_id}/history", response_model=DraftHistory, responses=READ_ERRORS)
def get_history(draft_id: DraftId, runtime: RuntimeDep, _: AgentDep) -> DraftHistory:
    """Every version (a draft has a few): the AI original, each edit, decision and regeneration."""
    versions = review.history(runtime.db, draft_id)
    return DraftHistory(data=versions, count=len(versions))


def _verify(runtime: Any, current: Draft, text: str) -> Verified:
    """The guards on `text` as they run on a generated draft: same comment, incident, platform, language."""
    comment = review.get_comment(runtime.db, current.comment_id) if current.comment_id else None
    return verify_text(runtime.kb, text, comment=comment, incident=current.incident, platform=current.platform,
                       language=current.language, kind=current.kind)


@router.patch("/{draft_id}", response_model=Draft, responses=ERRORS)
async def edit_draft(draft_id: DraftId, body: EditIn, runtime: RuntimeDep, principal: AgentDep,
                     response: Response, if_match: IfMatch = None) -> Draft:
    """A person's new text, guarded like a generated one (claims, promises, personal data, tone, language)
    and cited anew; a high flag blocks approval until the text is fixed or a lead overrides it."""
    version = _wanted(body.version, if_match)
    current = await run_in_threadpool(review.get_draft, runtime.db, draft_id)
    verified = await run_in_threadpool(_verify, runtime, current, body.text)
    return _etag(response, await run_in_threadpool(review.edit, runtime.db, draft_id, body.text, version, principal,
                                                   verified))


@router.post("/{draft_id}/approve", response_model=Draft, responses=ERRORS)
def approve_draft(draft_id: DraftId, body: ApproveIn, runtime: RuntimeDep, principal: AgentDep,
                  response: Response, if_match: IfMatch = None) -> Draft:
    """Agents approve replies; public updates, and overriding a high-severity flag, need a lead."""
    return _etag(response, review.approve(runtime.db, draft_id, _wanted(body.version, if_match), principal,
                                          body.override_reason))


@router.post("/{draft_id}/reject", response_model=Draft, responses=ERRORS)
def reject_draft(draft_id: DraftId, body: RejectIn, runtime: RuntimeDep, principal: AgentDep,
                 response: Response, if_match: IfMatch = None) -> Draft:
    return _etag(response, review.reject(runtime.db, draft_id, _wanted(body.version, if_match), principal,
                                         body.reason))


@router.post("/{draft_id}/posted", response_model=Draft, responses=ERRORS)
def mark_posted(draft_id: DraftId, body: PostedIn, runtime: RuntimeDep, principal: AgentDep,
                response: Response, if_match: IfMatch = None) -> Draft:
    """Record that a person published the approved text (crisis-desk never posts anything itself)."""
    version = _wanted(body.version, if_match)
    return _etag(response, review.mark_posted(runtime.db, draft_id, version, principal, body.url))


@router.post("/{draft_id}/regenerate", response_model=Draft,
             responses=problem_responses(400, 404, 409, 413, 428, 503))
async def regenerate_draft(draft_id: DraftId, body: VersionIn, runtime: RuntimeDep, principal: AgentDep,
                           response: Response, if_match: IfMatch = None) -> Draft:
    """Draft again from the stored comment; the previous texts stay in the history."""
    version = _wanted(body.version, if_match)
    current = await run_in_threadpool(review.get_draft, runtime.db, draft_id)
    if current.version != version:  # fail before paying for a generation
        raise Conflict(f"draft '{draft_id}' is at version {current.version}, not {version}: reload it",
                       reason="stale_version", current=current.model_dump(mode="json"))
    if current.comment_id is None:
        raise InvalidInput("only a reply to a stored comment can be regenerated")
    try:
        from assistant.drafting.chain import draft_reply
    except ImportError as exc:  # pragma: no cover - drafting ships with the package
        raise ProviderUnavailable("drafting is not available in this installation") from exc
    comment = await run_in_threadpool(review.get_comment, runtime.db, current.comment_id)
    fresh = await draft_reply(runtime, DraftRequest(comment=comment, incident=current.incident, force=True))
    updated = await run_in_threadpool(review.regenerate, runtime.db, draft_id, version, principal, fresh)
    return _etag(response, updated)


@router.post("/{draft_id}/promote", response_model=Promoted, responses=problem_responses(404, 409, 503))
def promote_draft(draft_id: DraftId, runtime: RuntimeDep, principal: LeadDep) -> Promoted:
    """Add the approved text to the knowledge base as an approved past statement (lead). The text is
    checked again against the knowledge as it is now; a text with a high flag is refused (409)."""
    current = review.get_draft(runtime.db, draft_id)
    doc = review.promote_to_statement(runtime.db, draft_id, principal, _verify(runtime, current, current.text))
    outcome = runtime.kb.upsert(doc, origin="api")
    return Promoted(document_id=doc.id, outcome=outcome, title=doc.title)
