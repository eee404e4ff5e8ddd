"""Initial schema: API keys, audit events, comments, incidents, drafts, draft versions, decisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ts("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_audit_events_target", "audit_events", ["target"])
    op.create_table(
        "comments",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("incident", sa.String(100), nullable=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("received_at"),
    )
    op.create_index("ix_comments_incident", "comments", ["incident"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        _ts("started_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False, unique=True),
        sa.Column("comment_id", sa.String(200), sa.ForeignKey("comments.id"), nullable=True),
        sa.Column("incident", sa.String(100), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("approved_at", nullable=True),
        sa.Column("approved_by", sa.String(32), nullable=True),
        sa.Column("edit_distance", sa.Float(), nullable=True),
        _ts("posted_at", nullable=True),
        sa.Column("posted_url", sa.String(2000), nullable=True),
    )
    op.create_index("ix_drafts_comment_id", "drafts", ["comment_id"])
    op.create_index("ix_drafts_incident", "drafts", ["incident"])
    op.create_index("ix_drafts_queue", "drafts", ["current", "status", "priority", "seq"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(200), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _ts("at"),
    )
    op.create_index("ix_decisions_draft_id", "decisions", ["draft_id"])
    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(200), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        _ts("at"),
        sa.UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_version"),
    )
    op.create_index("ix_draft_versions_draft_id", "draft_versions", ["draft_id"])


def downgrade() -> None:
    for table in ("draft_versions", "decisions", "drafts", "incidents", "comments", "audit_events",
                  "api_keys"):
        op.drop_table(table)
