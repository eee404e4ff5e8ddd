"""Batch drafting: batches, their items (one per imported comment) and groups of near-duplicates.

Revision ID: batch_0001
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "batch_0001"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_batches_incident", "batches", ["incident"])
    op.create_table(
        "batch_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(100), sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("core", sa.JSON(), nullable=True),
        sa.Column("core_text", sa.Text(), nullable=True),
        _ts("updated_at"),
    )
    op.create_index("ix_batch_groups_batch_id", "batch_groups", ["batch_id"])
    op.create_table(
        "batch_items",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(100), sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("comment", sa.JSON(), nullable=False),
        sa.Column("parent_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("batch_groups.id"), nullable=True),
        sa.Column("draft_id", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        _ts("lease_until", nullable=True),
        _ts("updated_at"),
        sa.UniqueConstraint("incident", "key", name="uq_batch_items_incident_key"),
    )
    op.create_index("ix_batch_items_batch_status", "batch_items", ["batch_id", "status"])
    op.create_index("ix_batch_items_group_id", "batch_items", ["group_id"])


def downgrade() -> None:
    op.drop_table("batch_items")
    op.drop_table("batch_groups")
    op.drop_table("batches")
