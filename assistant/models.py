"""Domain types used at every boundary (API, CLI, store, chain). No I/O here."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
)

Kind = Literal["policy", "faq", "fact_sheet", "statement", "guideline", "contact"]
KINDS: tuple[str, ...] = ("policy", "faq", "fact_sheet", "statement", "guideline", "contact")

Platform = Literal["x", "facebook", "instagram", "linkedin", "tiktok", "youtube", "website", "email", "other"]
# Reply length limits per platform (characters). LinkedIn comments allow 1250.
PLATFORM_LIMITS: dict[str, int] = {
    "x": 280,
    "facebook": 8000,
    "instagram": 2200,
    "linkedin": 1250,
    "tiktok": 150,
    "youtube": 10000,
    "website": 5000,
    "email": 10000,
    "other": 2000,
}
# What a community manager should aim for, below the hard limit (long replies are not read).
PLATFORM_TARGETS: dict[str, int] = {
    "x": 280,
    "facebook": 700,
    "instagram": 600,
    "linkedin": 800,
    "tiktok": 150,
    "youtube": 700,
    "website": 1200,
    "email": 1500,
    "other": 700,
}

Intent = Literal[
    "complaint", "question", "rumour", "threat_legal", "press", "safety", "praise", "spam_troll", "other"
]
Severity = Literal["low", "medium", "high", "critical"]
Sentiment = Literal["negative", "neutral", "positive"]
EscalationTarget = Literal["legal", "press", "safety", "comms_lead", "support"]
DraftStatus = Literal["draft", "edited", "approved", "rejected", "posted"]
FlagSeverity = Literal["info", "low", "medium", "high"]
UpdateKind = Literal["holding", "progress", "resolution"]
Channel = Literal["x", "facebook", "instagram", "linkedin", "website"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Input(BaseModel):
    """What arrives from outside (API bodies): unknown keys are refused; booleans and counts must be
    real JSON booleans and integers (StrictBool/StrictInt), not "1" or 0."""

    model_config = ConfigDict(extra="forbid")


def _reject_numbers(v: object) -> object:
    """Dates are ISO 8601 strings; a bare number (epoch seconds? milliseconds?) is ambiguous: refuse it."""
    numeric = isinstance(v, int | float) and not isinstance(v, bool)
    if numeric or (isinstance(v, str) and re.fullmatch(r"\s*[-+]?\d+(\.\d*)?\s*", v)):
        raise ValueError("expected an ISO 8601 date-time such as 2026-11-27T18:00:00Z, not a number")
    return v


def utc_representable(v: datetime | None) -> datetime | None:
    """Aware (UTC when no zone is given), and a real instant: '9999-12-31T23:59:59-05:00' has no UTC
    equivalent and would break every later comparison or database write (issue 18)."""
    if v is None:
        return None
    if v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    try:
        v.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date-time out of range once converted to UTC") from exc
    return v


# A datetime given from outside (body or query): ISO 8601 only.
IsoDatetime = Annotated[datetime, BeforeValidator(_reject_numbers), AfterValidator(utc_representable)]


# ---------------------------------------------------------------- knowledge


class DocumentIn(_Input):
    """A knowledge document as submitted (API) or loaded from a file."""

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    language: str = Field(default="en", min_length=2, max_length=8)
    approved: StrictBool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    incident: str | None = Field(default=None, max_length=100)
    source_url: str | None = Field(default=None, max_length=2000)
    version: str | None = Field(default=None, max_length=100, description="e.g. 'v3 as of 2026-11-27 18:00'")
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is empty")
        return v

    @field_validator("language")
    @classmethod
    def _lang(cls, v: str) -> str:
        return v.lower()

    @field_validator("valid_from", "valid_until", mode="before")
    @classmethod
    def _no_epoch_numbers(cls, v: object) -> object:
        return _reject_numbers(v)

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        return utc_representable(v)


class Chunk(_Model):
    id: str
    doc_id: str
    index: int
    text: str
    heading: str = ""


class SearchHit(_Model):
    doc_id: str
    chunk_id: str
    title: str
    kind: str
    language: str
    approved: bool
    score: float
    text: str
    heading: str = ""
    incident: str | None = None
    doc_version: str = ""
    valid_until: datetime | None = None


class IngestReport(_Model):
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    embedded: int = 0
    errors: list[dict[str, str]] = Field(default_factory=list)


# ---------------------------------------------------------------- comments and triage


class Comment(_Input):
    id: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1)
    author: str | None = Field(default=None, max_length=200)
    author_handle: str | None = Field(default=None, max_length=200)
    platform: Platform = "other"
    followers: StrictInt | None = Field(default=None, ge=0, le=10**10)  # more than anyone has
    verified: StrictBool = False
    url: str | None = Field(default=None, max_length=2000)
    created_at: datetime | None = None
    language: str | None = Field(default=None, min_length=2, max_length=8)
    thread_context: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("created_at", mode="before")
    @classmethod
    def _no_epoch_numbers(cls, v: object) -> object:
        return _reject_numbers(v)

    @field_validator("created_at")
    @classmethod
    def _real_instant(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            return v
        return utc_representable(v)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("comment text is empty")
        if "\x00" in v:
            raise ValueError("comment text contains NUL bytes (binary data?)")
        return v


class Triage(_Model):
    language: str
    language_confidence: float = 1.0
    sentiment: Sentiment = "neutral"
    sentiment_score: float = 0.0  # -1 .. 1
    intent: Intent = "other"
    intents: list[str] = Field(default_factory=list, description="all intents that matched, strongest first")
    severity: Severity = "low"
    priority: float = 0.0  # 0 .. 100, orders the review queue
    should_respond: bool = True
    escalate_to: list[EscalationTarget] = Field(default_factory=list)
    influencer: bool = False
    injection_suspected: bool = False
    reasons: list[str] = Field(default_factory=list, description="readable: which rule fired and why")
    provider: str = Field(default="rules", description="rules, or rules+model when the learned layer ran")
    campaign_id: str | None = Field(default=None, description="the copy-paste campaign this comment belongs to")
    campaign_size: int = Field(default=0, description="how many comments that campaign has so far")
    unsure: list[str] = Field(default_factory=list, description="why the fast layer is unsure of its reading: "
                              "these comments get the LLM triage pass when a chat model is configured")


# ---------------------------------------------------------------- drafts


class Citation(_Model):
    doc_id: str
    chunk_id: str
    title: str
    quote: str
    sentence: int | None = Field(default=None, description="index of the draft sentence this supports")


class Flag(_Model):
    code: str
    severity: FlagSeverity
    message: str
    span: tuple[int, int] | None = None
    source: str | None = None


class DraftSentence(BaseModel):
    """One sentence of a draft and the chunk ids that support it (empty for greeting/empathy)."""

    text: str = Field(min_length=1, max_length=2000)
    sources: list[str] = Field(default_factory=list)


class DraftOut(BaseModel):
    """What a provider (LLM or offline composer) returns before citations and guards are attached."""

    sentences: list[DraftSentence] = Field(min_length=1, max_length=30)
    unknowns: list[str] = Field(default_factory=list, max_length=10)


class DraftVariant(_Model):
    style: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)


class Draft(_Model):
    id: str
    kind: Literal["reply", "update", "brief"] = "reply"
    comment_id: str | None = None
    incident: str | None = None
    text: str
    language: str
    platform: str = "other"
    provider: str
    model: str
    prompt_version: str
    citations: list[Citation] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    triage: Triage | None = None
    variants: list[DraftVariant] = Field(default_factory=list)
    unknowns: list[str] = Field(default_factory=list, description="questions the knowledge could not answer")
    fallback: bool = Field(default=False, description="true when the configured provider failed")
    fallback_reason: str | None = None
    no_reply_reason: str | None = None
    status: DraftStatus = "draft"
    original_text: str = ""
    version: int = 1
    knowledge_versions: dict[str, str] = Field(default_factory=dict, description="chunk_id -> doc version")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Verified(_Model):
    """What the guards found on one exact text (drafting.verify): review stores it with that text only."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    knowledge_versions: dict[str, str] = Field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return any(f.severity == "high" for f in self.flags)


class DraftRequest(_Input):
    comment: Comment
    incident: str | None = Field(default=None, max_length=100)
    variants: list[str] = Field(default_factory=list, max_length=4, description="e.g. ['empathetic', 'concise']")
    force: StrictBool = Field(default=False, description="draft even when triage says not to respond")


class PublicUpdate(_Model):
    kind: UpdateKind
    channel: Channel
    language: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="what the fact sheet lacks for this update")
    sections: list[str] = Field(default_factory=list, description="the fact sheet sections found, by meaning")
    provider: str = "offline"
    prompt_version: str = ""
    knowledge_versions: dict[str, str] = Field(default_factory=dict)
    draft_id: str | None = Field(default=None, description="the stored draft a lead reviews and approves")


class UpdateRequest(_Input):
    kind: UpdateKind = "holding"
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["x", "website"]), min_length=1,
                                    max_length=5)
    language: str = "en"
