"""Monitor state in the store: the observed comment stream and the alert episodes, shared by every
worker and kept across restarts (issue 13, item 4).

Revision ID: monitor_0001
Revises: batch_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "monitor_0001"
down_revision: str | None = "batch_0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_observations",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("comment_id", sa.String(200), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident", sa.String(100), nullable=True),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
    )
    op.create_index("ix_monitor_observations_placed_at", "monitor_observations", ["placed_at"])
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("slot_key", sa.String(100), nullable=False),
        sa.Column("slot_term", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
    )
    op.create_index("ix_monitor_alerts_status", "monitor_alerts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_monitor_alerts_status", "monitor_alerts")
    op.drop_table("monitor_alerts")
    op.drop_index("ix_monitor_observations_placed_at", "monitor_observations")
    op.drop_table("monitor_observations")
