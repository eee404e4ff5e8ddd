"""The review store's typed records at its boundary: who is calling (Principal), keys, audit events,
incidents and their metrics, queue items, and the opaque cursors every list endpoint pages with."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.errors import InvalidInput
from assistant.models import Comment, Draft, Severity, utc_representable

Role = Literal["agent", "lead", "admin"]
ROLES: tuple[str, ...] = ("agent", "lead", "admin")
IncidentStatus = Literal["active", "monitoring", "resolved"]
QueueOrder = Literal["priority", "created"]
CURSOR = r"^[A-Za-z0-9_-]+$"  # what encode_cursor produces (unpadded base64url)
T = TypeVar("T")


class Principal(BaseModel):
    """Who is calling: an API key and its role (re-exported by api/auth.py)."""

    key_id: str
    role: Role
    name: str = ""


class KeyInfo(BaseModel):
    id: str
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None = None


class AuditEvent(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Page(BaseModel, Generic[T]):
    """One page of a list: `count` is the total that matches, `next_cursor` is null on the last page."""

    model_config = ConfigDict(json_schema_extra={"example": {"data": [], "count": 0, "next_cursor": None}})

    data: list[T]
    count: int
    next_cursor: str | None = None


class QueueItem(BaseModel):
    comment: Comment | None = None
    draft: Draft
    priority: float


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "recall-2026-11", "title": "Granola recall, batch L4822", "status": "active",
        "severity": "high", "description": "Possible allergen contamination; recall announced 27 Nov.",
        "started_at": "2026-11-27T13:10:00Z"}]})

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    status: IncidentStatus = "active"
    severity: Severity = "high"
    started_at: datetime | None = None

    @field_validator("started_at", mode="before")
    @classmethod
    def _iso(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str | datetime):
            raise ValueError("an ISO 8601 date-time, e.g. 2026-11-27T13:10:00Z")
        return v

    @field_validator("started_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        return utc_representable(v)


class Incident(IncidentIn):
    model_config = ConfigDict(extra="ignore")

    created_at: datetime
    updated_at: datetime
    created_by: str


class IncidentMetrics(BaseModel):
    incident: str
    comments: int = Field(description="comments stored for this incident")
    by_platform: dict[str, int]
    drafts: int = Field(description="current drafts (one per comment, plus updates)")
    by_status: dict[str, int]
    approved: int = Field(description="approved or posted")
    rejected: int
    posted: int
    overrides: int = Field(description="approvals that overrode a high-severity flag")
    approval_rate: float | None = Field(description="approved / (approved + rejected)")
    acceptance_rate: float | None = Field(description="share of approvals that kept the AI text unchanged")
    mean_edit_distance: float | None = Field(description="normalised Levenshtein, AI original vs approved")
    median_time_to_approval_s: float | None


class AuditPage(Page[AuditEvent]):
    pass


class QueuePage(Page[QueueItem]):
    pass


class IncidentPage(Page[Incident]):
    pass


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor: not a cursor returned by this endpoint") from exc
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("cursor: not a cursor returned by this endpoint")
    return values


def normalize_url(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3 here (psycopg2 is not a dependency)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


