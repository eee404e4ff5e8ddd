"""Reports: triage facets on comments (for metrics grouped in SQL), lessons per incident, gap entries.

The comment's triage (intent, sentiment, severity, language, escalation targets) was only inside the
drafts' JSON; as columns, metrics over time group and count in SQL on both backends. Existing rows
are filled from their current draft's triage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

FACETS = ("intent", "sentiment", "severity", "language")
COMMENT_REPORT = ["incident", "created_at", "intent", "sentiment", "severity", "language", "platform", "escalate_to"]
DRAFT_REPORT = ["incident", "created_at", "kind", "current", "status", "approved_at", "posted_at", "edit_distance",
                "comment_id", "id"]


def upgrade() -> None:
    for name in FACETS:
        op.add_column("comments", sa.Column(name, sa.String(16), nullable=True))
    op.add_column("comments", sa.Column("escalate_to", sa.String(100), nullable=True))
    # Covering indexes: the metrics read only these columns, never the wide rows (text, JSON).
    op.create_index("ix_comments_report", "comments", COMMENT_REPORT)
    op.create_index("ix_comments_id_created", "comments", ["id", "created_at"])
    op.create_index("ix_drafts_report", "drafts", DRAFT_REPORT)
    op.create_table(
        "incident_notes",
        sa.Column("incident", sa.String(100), primary_key=True),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "gap_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident", sa.String(100), nullable=False),
        sa.Column("gap_key", sa.String(40), nullable=False),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident", "gap_key", name="uq_gap_entries_incident_key"),
    )
    _backfill()


def _backfill() -> None:
    """Existing comments get the triage of their current draft (JSON parsed here, once, in batches)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT comment_id, data FROM drafts WHERE "current" AND comment_id IS NOT NULL'))
    update = sa.text("UPDATE comments SET intent = :intent, sentiment = :sentiment, severity = :severity, "
                     "language = :language, escalate_to = :escalate_to WHERE id = :id")
    batch: list[dict[str, Any]] = []
    for comment_id, data in rows.all():
        triage = (json.loads(data) if isinstance(data, str) else data or {}).get("triage") or {}
        batch.append({"id": comment_id, **{f: triage.get(f) for f in FACETS},
                      "escalate_to": ",".join(triage.get("escalate_to") or []) or None})
        if len(batch) >= 1000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def downgrade() -> None:
    op.drop_table("gap_entries")
    op.drop_table("incident_notes")
    op.drop_index("ix_drafts_report", "drafts")
    op.drop_index("ix_comments_id_created", "comments")
    op.drop_index("ix_comments_report", "comments")
    with op.batch_alter_table("comments") as batch:  # SQLite rebuilds the table to drop columns
        for name in (*FACETS, "escalate_to"):
            batch.drop_column(name)
