"""The SQL tables (SQLAlchemy 2, typed). The schema itself is created by the Alembic migrations in
`assistant/review/migrations/`; a test compares these models with the migrated database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way out, whatever the backend keeps (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the whole key; the key is never stored
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CommentRow(Base):
    __tablename__ = "comments"
    # Covering indexes for the metrics (migration 0002): they never read the wide rows.
    __table_args__ = (Index("ix_comments_report", "incident", "created_at", "intent", "sentiment", "severity",
                            "language", "platform", "escalate_to"),
                      Index("ix_comments_id_created", "id", "created_at"))

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    incident: Mapped[str | None] = mapped_column(String(100), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    author: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]  # the whole Comment as JSON
    created_at: Mapped[datetime]  # when the comment was written (or received, when unknown)
    received_at: Mapped[datetime]
    # Its triage as columns, so metrics group and count in SQL (migration 0002).
    intent: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    escalate_to: Mapped[str | None] = mapped_column(String(100))  # comma-separated targets


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_queue", "current", "status", "priority", "seq"),
                      Index("ix_drafts_report", "incident", "created_at", "kind", "current", "status", "approved_at",
                            "posted_at", "edit_distance", "comment_id", "id"),
                      Index("ix_drafts_incident_kind", "incident", "kind", "posted_at"))

    # An integer key gives a stable total order for keyset paging; `id` is the public id.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True)
    comment_id: Mapped[str | None] = mapped_column(ForeignKey("comments.id"), index=True)
    incident: Mapped[str | None] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str] = mapped_column(Text)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    # False once a newer draft exists for the same comment: the queue shows current drafts only.
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]]  # the rest of the Draft (citations, flags, triage, ...) as JSON
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(32))
    edit_distance: Mapped[float | None] = mapped_column(Float)  # AI original vs approved text, 0..1
    posted_at: Mapped[datetime | None]
    posted_url: Mapped[str | None] = mapped_column(String(2000))


class DraftVersionRow(Base):
    """One row per version of a draft: the AI original, every edit, every state change."""

    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class DecisionRow(Base):
    """Human decisions on a draft (approve, override, reject, posted, promote), for metrics and reports."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class AuditRow(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300), index=True)
    detail: Mapped[dict[str, Any]]


class IncidentNoteRow(Base):
    """What a lead writes after the crisis (the report's "lessons" section)."""

    __tablename__ = "incident_notes"

    incident: Mapped[str] = mapped_column(String(100), primary_key=True)
    lessons: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class GapEntryRow(Base):
    """A knowledge gap a lead turned into a (first unapproved) fact-sheet entry."""

    __tablename__ = "gap_entries"
    __table_args__ = (UniqueConstraint("incident", "gap_key", name="uq_gap_entries_incident_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident: Mapped[str] = mapped_column(String(100))
    gap_key: Mapped[str] = mapped_column(String(40))
    doc_id: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class MonitorObservationRow(Base):
    """One comment the stream monitor counted (migration monitor_0001): every worker replays the same
    stream, so spikes and campaigns are seen alike by all and survive a restart."""

    __tablename__ = "monitor_observations"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(index=True)  # when it counts (Monitor.placed)
    incident: Mapped[str | None] = mapped_column(String(100))
    negative: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))


class MonitorAlertRow(Base):
    """An alert episode (open or resolved) under its stable id; `slot` is what the monitor keys an open
    episode by (kind, incident or '*', topic stem)."""

    __tablename__ = "monitor_alerts"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    slot_key: Mapped[str] = mapped_column(String(100))
    slot_term: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    updated_at: Mapped[datetime]
    alert: Mapped[dict[str, Any]]
class RollupCountRow(Base):
    """Metric counts per incident and time bucket, kept on write by review/rollups.py (migration rollups_0001).
    `width` is the bucket width in seconds (900, 3600, 86400; 0 = the whole incident, bucket 0); `total`
    sums a value where one is measured (edit distance)."""

    __tablename__ = "rollup_counts"
    __table_args__ = {"sqlite_with_rowid": False}  # stored in key order: a bucket range is one sequential read

    incident: Mapped[str] = mapped_column(String(100), primary_key=True)
    width: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)


class RollupDurationRow(Base):
    """Wait histograms per incident and time bucket (fixed log-scale bins, review/rollups.py): how many
    waits fell in each bin and their sum in seconds."""

    __tablename__ = "rollup_durations"
    __table_args__ = {"sqlite_with_rowid": False}

    incident: Mapped[str] = mapped_column(String(100), primary_key=True)
    width: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)


class RollupPercentileRow(Base):
    """p50 and p90 of each wait histogram, recomputed whenever a write changes the histogram (so reads
    never rank bins): the mean of the bin holding the nearest rank, within 1/32 of the exact value."""

    __tablename__ = "rollup_percentiles"
    __table_args__ = {"sqlite_with_rowid": False}

    incident: Mapped[str] = mapped_column(String(100), primary_key=True)
    width: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    p50: Mapped[int | None] = mapped_column(BigInteger)
    p90: Mapped[int | None] = mapped_column(BigInteger)
