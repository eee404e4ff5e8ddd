"""Typed results of the reports stage: metrics per time bucket, knowledge gaps, briefs, lessons."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Comment, Draft
from assistant.review.schemas import IncidentMetrics

Bucket = Literal["15m", "1h", "1d"]
BUCKET_SECONDS: dict[str, int] = {"15m": 900, "1h": 3600, "1d": 86400}
GapReason = Literal["unknown", "no_source", "claim_removed"]
EntryStatus = Literal["none", "drafted", "approved"]


class Durations(BaseModel):
    """Waits in whole seconds; percentiles by nearest rank (p50 of 4 values is the 2nd smallest)."""

    count: int = 0
    p50_s: int | None = None
    p90_s: int | None = None


class EscalationStat(BaseModel):
    comments: int = Field(default=0, description="comments triaged for this target")
    handled: int = Field(default=0, description="whose draft a person approved or rejected")
    wait: Durations = Field(default_factory=Durations, description="comment -> first approve/reject")


class FlagStat(BaseModel):
    raised: int = 0
    overridden: int = Field(default=0, description="high flags a lead approved past (override decision)")


class Slice(BaseModel):
    """One time bucket (`start` is its first instant) or the whole incident (`start` is null)."""

    start: datetime | None = None
    comments: int = 0
    by_intent: dict[str, int] = Field(default_factory=dict)
    by_sentiment: dict[str, int] = Field(default_factory=dict)
    by_severity: dict[str, int] = Field(default_factory=dict)
    by_language: dict[str, int] = Field(default_factory=dict)
    by_platform: dict[str, int] = Field(default_factory=dict)
    negative_share: float | None = None
    drafts_created: dict[str, int] = Field(default_factory=dict, description="by kind")
    approved: int = Field(default=0, description="approve decisions in the bucket")
    rejected: int = 0
    posted: int = 0
    to_approval: Durations = Field(default_factory=Durations, description="comment -> approved reply")
    to_posted: Durations = Field(default_factory=Durations, description="comment -> posted reply")
    approvals_measured: int = Field(default=0, description="current approved drafts (bucketed by approval time)")
    acceptance_rate: float | None = Field(default=None, description="share approved exactly as generated")
    mean_edit_distance: float | None = Field(default=None, description="normalised Levenshtein, AI text vs approved")
    escalations: dict[str, EscalationStat] = Field(default_factory=dict)
    flags: dict[str, FlagStat] = Field(default_factory=dict, description="by code, drafts created in the bucket")


class PublishedUpdate(BaseModel):
    draft_id: str
    channel: str
    approved_at: datetime | None
    posted_at: datetime
    url: str | None = None


class TimelineMetrics(IncidentMetrics):
    """The totals of `IncidentMetrics` (current drafts by status, rates), then the same over time."""

    bucket: Bucket
    total: Slice
    buckets: list[Slice] = Field(description="only buckets with activity, oldest first")
    stale_drafts: int | None = Field(default=None, description="unposted drafts whose cited knowledge changed "
                                                       "(null when the knowledge base was not consulted)")
    updates_published: list[PublishedUpdate] = Field(default_factory=list)


class GapExample(BaseModel):
    draft_id: str
    comment_id: str | None
    question: str
    reason: GapReason
    at: datetime


class Gap(BaseModel):
    key: str = Field(description="stable id of the group (used to draft a fact-sheet entry)")
    question: str = Field(description="the group's most typical question")
    count: int
    reasons: dict[str, int]
    languages: dict[str, int]
    first_seen: datetime
    last_seen: datetime
    examples: list[GapExample]
    entry_doc_id: str | None = Field(default=None, description="the fact-sheet entry a lead drafted for it")
    entry_status: EntryStatus = "none"


class GapList(BaseModel):
    incident: str
    data: list[Gap]
    count: int = Field(description="groups")
    questions: int = Field(description="questions in all groups")


class LessonsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lessons: str = Field(max_length=50_000, description="Markdown-free plain text; blank lines separate paragraphs")


class Lessons(LessonsIn):
    incident: str
    updated_at: datetime | None = None
    updated_by: str | None = None


class BriefRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = Field(default=None, description="the influencer's comment (or give comment_id)")
    comment_id: str | None = Field(default=None, max_length=200, description="a stored comment")
    language: str | None = Field(default=None, min_length=2, max_length=8, description="default: the comment's")


class BriefOut(BaseModel):
    draft: Draft
    missing: list[str] = Field(default_factory=list, description="brief sections the fact sheet lacks")


class PhraseCount(BaseModel):
    text: str
    count: int


class Replacement(BaseModel):
    before: str
    after: str
    count: int


class EditStats(BaseModel):
    edited_drafts: int = Field(description="approved drafts a person changed")
    removed: list[PhraseCount]
    added: list[PhraseCount]
    replaced: list[Replacement]


class TopGroup(BaseModel):
    text: str = Field(description="the group's most typical comment (personal data masked)")
    count: int
    first_seen: datetime
    last_seen: datetime


class FactSheetVersion(BaseModel):
    doc_id: str
    label: str
    language: str
    approved: bool
    valid_from: datetime | None = None
    valid_until: datetime | None = None
