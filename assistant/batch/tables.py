"""The batch tables (same metadata as the review store, created by migration batch_0001).

One row per batch, one per imported comment (its state in the batch, its lease while a worker
drafts it, the id of the draft it will have), one per group of near-duplicates (the core answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.review.tables import Base


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    incident: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class BatchItemRow(Base):
    __tablename__ = "batch_items"
    __table_args__ = (
        # A comment enters an incident's batches once: a re-import adds nothing.
        UniqueConstraint("incident", "key", name="uq_batch_items_incident_key"),
        Index("ix_batch_items_batch_status", "batch_id", "status"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    incident: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(300))  # "id:<platform>:<id>" or "sha:<content hash>"
    line: Mapped[int]
    comment: Mapped[dict[str, Any]]  # the Comment as JSON
    parent_id: Mapped[str | None] = mapped_column(String(200))  # the comment it answers, if the export says
    status: Mapped[str] = mapped_column(String(16))  # queued|running|drafted|held|skipped|failed
    reason: Mapped[str | None] = mapped_column(Text)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("batch_groups.id"), index=True)
    draft_id: Mapped[str | None] = mapped_column(String(200))  # planned at claim time, so a rerun adopts it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class BatchGroupRow(Base):
    __tablename__ = "batch_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # pending|drafted|edited|approved
    version: Mapped[int] = mapped_column(Integer, default=1)
    core: Mapped[dict[str, Any] | None]  # {"out": DraftOut, "language", "sources": [...], "versions": {...}}
    core_text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
