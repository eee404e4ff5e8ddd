"""Metric rollups: counts, wait histograms and their percentiles per incident and time bucket, kept on write
(review/rollups.py), filled here from the existing rows; an index for the published updates.

Revision ID: rollups_0001
Revises: batch_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "rollups_0001"
down_revision: str | None = "monitor_0001"
branch_labels: str | None = None
depends_on: str | None = None

KEY = ["incident", "width", "bucket", "metric"]


def upgrade() -> None:
    op.create_table(
        "rollup_counts",
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "label"),
        sqlite_with_rowid=False,  # stored in key order: a bucket range is one sequential read
    )
    op.create_table(
        "rollup_durations",
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "bin"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_percentiles",
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("p50", sa.BigInteger(), nullable=True),
        sa.Column("p90", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(*KEY),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_drafts_incident_kind", "drafts", ["incident", "kind", "posted_at"])
    # The backfill applies today's rule (one implementation, review/rollups.py) to the rows as they are.
    from assistant.review.rollups import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_drafts_incident_kind", "drafts")
    op.drop_table("rollup_percentiles")
    op.drop_table("rollup_durations")
    op.drop_table("rollup_counts")
