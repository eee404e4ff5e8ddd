"""Stage 4, review: the human-in-the-loop lifecycle (edit, approve, reject, posted, promote), its SQL
store (SQLAlchemy + Alembic migrations), optimistic concurrency, the audit trail, and the metric
rollups each write keeps up to date (rollups.py; reports/ reads them).

Imports: core, text, guards, drafting (never api or cli).
"""
