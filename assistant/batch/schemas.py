"""Typed records of batch drafting at the API/CLI boundary (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

ItemStatus = Literal["queued", "running", "drafted", "held", "skipped", "failed"]
ITEM_STATUSES: tuple[str, ...] = ("queued", "running", "drafted", "held", "skipped", "failed")
DONE: tuple[str, ...] = ("drafted", "held", "skipped")  # nothing left to do for these items
BATCH_ID = r"^[A-Za-z0-9._:-]{1,100}$"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RowError(_Out):
    line: int = Field(description="line of the file (JSONL, CSV) or position in the JSON list, from 1")
    reason: str


class ImportReport(_Out):
    batch: str
    incident: str
    received: int = Field(description="rows read")
    added: int
    duplicates: int = Field(description="rows whose comment was already imported for this incident")
    rejected: int
    errors: list[RowError] = Field(default_factory=list, description="the rejected rows, with line and reason")


class Counts(_Out):
    total: int = 0
    queued: int = 0
    running: int = 0
    drafted: int = 0
    held: int = 0
    skipped: int = 0
    failed: int = 0


class ItemProblem(_Out):
    item: int
    line: int
    comment_id: str | None
    status: ItemStatus
    reason: str
    draft_id: str | None = None


class BatchOut(_Out):
    id: str
    incident: str
    source: str
    created_at: datetime
    counts: Counts
    groups: int = Field(description="groups of near-duplicates (one core answer each)")
    failures: list[ItemProblem] = Field(default_factory=list, description="failed items, with the reason")
    held: list[ItemProblem] = Field(default_factory=list, description="drafts held for individual review")
    skipped: list[ItemProblem] = Field(default_factory=list, description="no reply needed, with the reason")


class BatchesPage(_Out):
    data: list[BatchOut]
    count: int


class GroupMember(_Out):
    item: int
    comment_id: str | None
    author: str | None
    text: str
    status: ItemStatus
    draft_id: str | None
    reason: str | None = None


class GroupOut(_Out):
    id: int
    batch: str
    size: int
    status: Literal["pending", "drafted", "edited", "approved"]
    version: int
    language: str | None = None
    core_text: str | None = Field(description="the answer every member inherits (after its own greeting)")
    counts: Counts
    members: list[GroupMember] = Field(default_factory=list)


class GroupsPage(_Out):
    data: list[GroupOut]
    count: int


class GroupEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000)
    version: StrictInt


class GroupApprove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: StrictInt
    override_reason: str | None = Field(default=None, max_length=2000)


class MemberOutcome(_Out):
    item: int
    draft_id: str | None
    outcome: Literal["approved", "edited", "held", "kept", "skipped"]
    reason: str | None = None


class GroupDecision(_Out):
    group: GroupOut
    outcomes: list[MemberOutcome]


class RunReport(_Out):
    batch: str
    counts: Counts
    processed: int = Field(description="items finished by this run")
    seconds: float
    provider_calls: int | None = None


class ExportRow(_Out):
    comment_id: str | None
    platform: str
    url: str | None
    text: str
    draft_id: str
    author: str | None = None
