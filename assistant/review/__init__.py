"""Stage 4, review: the human-in-the-loop lifecycle (edit, approve, reject, posted, promote), its SQL
store (SQLAlchemy + Alembic migrations), optimistic concurrency and the audit trail.

Imports: core, text, guards, drafting (never api or cli).
"""
