"""The SQL store: drafts and their versions, comments, incidents, decisions, audit events, API keys.

SQLite file by default (WAL, foreign keys, busy timeout; writes take the lock up front with
BEGIN IMMEDIATE so concurrent writers queue instead of failing), PostgreSQL by URL. The schema is
created and upgraded by the Alembic migrations in `assistant/review/migrations/` when a Database opens.
The lifecycle rules live in review.py; this module only stores and queries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from sqlalchemy import Engine, Text, cast, create_engine, event, func, or_, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, StaticPool

from assistant.errors import InvalidInput, NotFound
from assistant.models import Comment, Draft, EscalationTarget, utcnow
from assistant.review.schemas import (
    ROLES,
    AuditEvent,
    AuditPage,
    Incident,
    IncidentIn,
    IncidentPage,
    KeyInfo,
    Principal,
    QueueItem,
    QueueOrder,
    QueuePage,
    decode_cursor,
    encode_cursor,
    normalize_url,
)
from assistant.review.tables import ApiKeyRow, AuditRow, CommentRow, DraftRow, IncidentRow

_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_MIGRATION_LOCK = 0x63726973_64657331  # any constant: serialises `upgrade head` across processes


def _hash_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------- drafts <-> rows

_DRAFT_COLUMNS = ("id", "comment_id", "incident", "kind", "status", "version", "text", "original_text",
                  "created_at", "updated_at")


def draft_values(draft: Draft) -> dict[str, Any]:
    """The columns of a DraftRow for a Draft (queried fields as columns, the rest as JSON)."""
    data = draft.model_dump(mode="json", exclude=set(_DRAFT_COLUMNS))
    priority = draft.triage.priority if draft.triage is not None else 0.0
    values = {name: getattr(draft, name) for name in _DRAFT_COLUMNS}
    return values | {"data": data, "priority": float(priority)}


def draft_from_row(row: DraftRow) -> Draft:
    return Draft.model_validate({**row.data, **{name: getattr(row, name) for name in _DRAFT_COLUMNS}})


def record_audit(session: Session, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    """Audit inside the caller's transaction: the event commits (or not) with the change it describes."""
    session.add(AuditRow(at=utcnow(), actor=actor[:200], action=action[:100], target=target[:300],
                         detail=json.loads(json.dumps(detail, default=str))))


class Database:
    def __init__(self, url: str, *, migrate: bool = True, pooled: bool = True,
                 key_cache_s: float = 10.0) -> None:
        self.url = normalize_url(url)
        self.engine = _make_engine(self.url, pooled)
        self.dialect = self.engine.dialect.name
        # SQLite: writers take the write lock at BEGIN (IMMEDIATE), so a read-then-write transaction
        # never fails half-way with "database is locked" (the busy timeout makes them queue instead).
        self._write_engine = self.engine.execution_options(crisis_write=True)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = sessionmaker(bind=self._write_engine, expire_on_commit=False)
        self._key_cache: dict[str, tuple[float, Principal]] = {}
        self._key_cache_s = key_cache_s
        self._cache_lock = threading.Lock()
        self._sqlite_writer: AbstractContextManager[Any] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext())
        if migrate:
            self.migrate()

    # ------------------------------------------------------------ sessions and schema

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any exception."""
        # SQLite has one writer at a time: threads of this process queue on a lock (FIFO-ish, no
        # wake-up delay) instead of sleeping in SQLite's busy handler, which backs off up to 100 ms.
        with self._sqlite_writer, self._writer() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """`alembic upgrade head`, idempotent; concurrent processes wait for each other."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self._write_engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # ------------------------------------------------------------ API keys

    def create_key(self, role: str, name: str = "") -> tuple[Principal, str]:
        """A new key `cd_<id>_<secret>`; only its sha256 is stored, so the key is shown once."""
        if role not in ROLES:
            raise InvalidInput(f"role: must be one of {', '.join(ROLES)}")
        key_id = secrets.token_hex(6)
        token = f"cd_{key_id}_{secrets.token_urlsafe(32)}"
        with self.write() as s:
            s.add(ApiKeyRow(id=key_id, role=role, name=name[:200], key_hash=_hash_key(token),
                            created_at=utcnow(), revoked_at=None))
            record_audit(s, "cli", "key.created", key_id, {"role": role, "name": name[:200]})
        return Principal(key_id=key_id, role=role, name=name[:200]), token  # type: ignore[arg-type]

    def verify_key(self, token: str) -> Principal | None:
        prefix, _, rest = token.partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != "cd" or not key_id or not secret or len(token) > 256:
            return None
        digest = _hash_key(token)
        now = time.monotonic()
        cached = self._key_cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        with self.read() as s:
            row = s.get(ApiKeyRow, key_id)
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, digest):
            return None
        principal = Principal(key_id=row.id, role=row.role, name=row.name)  # type: ignore[arg-type]
        with self._cache_lock:
            if len(self._key_cache) > 10_000:
                self._key_cache.clear()
            self._key_cache[digest] = (now + self._key_cache_s, principal)
        return principal

    def revoke_key(self, key_id: str) -> KeyInfo:
        with self.write() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key '{key_id}'")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                record_audit(s, "cli", "key.revoked", key_id, {"role": row.role, "name": row.name})
            info = KeyInfo.model_validate(row, from_attributes=True)
        with self._cache_lock:
            # This process forgets it now; others within key_cache_s seconds.
            self._key_cache = {d: v for d, v in self._key_cache.items() if v[1].key_id != key_id}
        return info

    def list_keys(self, include_revoked: bool = True) -> list[KeyInfo]:
        with self.read() as s:
            stmt = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
            if not include_revoked:
                stmt = stmt.where(ApiKeyRow.revoked_at.is_(None))
            return [KeyInfo.model_validate(r, from_attributes=True) for r in s.scalars(stmt)]

    # ------------------------------------------------------------ audit

    def audit(self, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
        with self.write() as s:
            record_audit(s, actor, action, target, detail)

    def list_audit(self, *, target: str | None = None, actor: str | None = None, action: str | None = None,
                   limit: int = 50, cursor: str | None = None) -> AuditPage:
        """Newest first."""
        where = []
        if target is not None:
            where.append(AuditRow.target == target)
        if actor is not None:
            where.append(AuditRow.actor == actor)
        if action is not None:
            where.append(AuditRow.action == action)
        with self.read() as s:
            count = s.scalar(select(func.count()).select_from(AuditRow).where(*where)) or 0
            stmt = select(AuditRow).where(*where).order_by(AuditRow.id.desc()).limit(limit + 1)
            if cursor:
                (last,) = decode_cursor(cursor, 1)
                stmt = stmt.where(AuditRow.id < int(last))
            rows = list(s.scalars(stmt))
        more = len(rows) > limit
        rows = rows[:limit]
        return AuditPage(data=[AuditEvent.model_validate(r, from_attributes=True) for r in rows], count=count,
                         next_cursor=encode_cursor([rows[-1].id]) if more else None)

    # ------------------------------------------------------------ queue

    def queue(self, *, statuses: Sequence[str] | None = None, order: QueueOrder = "priority",
              incident: str | None = None, limit: int = 50, cursor: str | None = None,
              kind: str | None = None, intent: str | None = None, escalate: str | None = None) -> QueuePage:
        """Current drafts with their comment: highest priority first (oldest first among equals), or
        oldest first. Keyset paging, so a page never repeats or skips while the queue changes.
        `kind`, `intent` and `escalate` filter on the draft and its stored triage (see _triage_filters)."""
        where: list[Any] = [DraftRow.current.is_(True)]
        if statuses:
            where.append(DraftRow.status.in_(list(statuses)))
        if incident is not None:
            where.append(DraftRow.incident == incident)
        where += _triage_filters(kind, intent, escalate)
        stmt = select(DraftRow, CommentRow).outerjoin(CommentRow, DraftRow.comment_id == CommentRow.id)
        if order == "priority":
            stmt = stmt.order_by(DraftRow.priority.desc(), DraftRow.seq)
        else:
            stmt = stmt.order_by(DraftRow.seq)
        with self.read() as s:
            count = s.scalar(select(func.count()).select_from(DraftRow).where(*where)) or 0
            if cursor and order == "priority":
                prio, seq = decode_cursor(cursor, 2)
                where.append(or_(DraftRow.priority < float(prio),
                                 (DraftRow.priority == float(prio)) & (DraftRow.seq > int(seq))))
            elif cursor:
                (seq,) = decode_cursor(cursor, 1)
                where.append(DraftRow.seq > int(seq))
            rows = list(s.execute(stmt.where(*where).limit(limit + 1)).tuples())
        more = len(rows) > limit
        rows = rows[:limit]
        items = [QueueItem(draft=draft_from_row(d), priority=d.priority,
                           comment=Comment.model_validate(c.data) if c is not None else None)
                 for d, c in rows]
        next_cursor = None
        if more:
            last = rows[-1][0]
            next_cursor = encode_cursor([last.priority, last.seq] if order == "priority" else [last.seq])
        return QueuePage(data=items, count=count, next_cursor=next_cursor)

    # ------------------------------------------------------------ incidents

    def put_incident(self, incident: IncidentIn, actor: str) -> tuple[Incident, bool]:
        """Create or update (leads change the status as the crisis evolves); True when created."""
        now = utcnow()
        with self.write() as s:
            row = s.get(IncidentRow, incident.id, with_for_update=True)
            created = row is None
            if row is None:
                row = IncidentRow(id=incident.id, created_at=now, created_by=actor)
                s.add(row)
            for name, value in incident.model_dump(exclude={"id"}).items():
                setattr(row, name, value)
            row.updated_at = now
            s.flush()
            record_audit(s, actor, "incident.created" if created else "incident.updated", incident.id,
                         incident.model_dump(mode="json", exclude={"id", "description"}))
            return Incident.model_validate(row, from_attributes=True), created

    def get_incident(self, incident_id: str) -> Incident:
        with self.read() as s:
            row = s.get(IncidentRow, incident_id)
            if row is None:
                raise NotFound(f"no incident '{incident_id}'")
            return Incident.model_validate(row, from_attributes=True)

    def list_incidents(self, *, status: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> IncidentPage:
        """Newest first."""
        where = [IncidentRow.status == status] if status else []
        with self.read() as s:
            count = s.scalar(select(func.count()).select_from(IncidentRow).where(*where)) or 0
            stmt = select(IncidentRow).where(*where).order_by(IncidentRow.created_at.desc(), IncidentRow.id)
            if cursor:
                at, last = decode_cursor(cursor, 2)
                at_dt = datetime.fromisoformat(str(at))
                stmt = stmt.where(or_(IncidentRow.created_at < at_dt,
                                      (IncidentRow.created_at == at_dt) & (IncidentRow.id > str(last))))
            rows = list(s.scalars(stmt.limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        data = [Incident.model_validate(r, from_attributes=True) for r in rows]
        return IncidentPage(data=data, count=count, next_cursor=encode_cursor(
            [rows[-1].created_at.isoformat(), rows[-1].id]) if more else None)


def _triage_filters(kind: str | None, intent: str | None, escalate: str | None) -> list[Any]:
    """Conditions on the draft's kind and its stored triage (JSON paths, which SQLite and PostgreSQL
    both read). `escalate`: one target (legal, press, safety, comms_lead, support), `any` or `none`;
    a draft without triage (a public update) is neither escalated nor not."""
    where: list[Any] = []
    if kind is not None:
        where.append(DraftRow.kind == kind)
    triaged_intent = DraftRow.data[("triage", "intent")].as_string()
    if intent is not None:
        where.append(triaged_intent == intent)
    if escalate is not None:
        targets = DraftRow.data[("triage", "escalate_to")].as_json()
        if escalate == "any":
            where.append(func.json_array_length(targets) > 0)
        elif escalate == "none":
            where += [triaged_intent.is_not(None), func.coalesce(func.json_array_length(targets), 0) == 0]
        elif escalate in get_args(EscalationTarget):  # distinct words: the quoted word matches exactly one
            where.append(cast(targets, Text).like(f'%"{escalate}"%'))
        else:
            raise InvalidInput(f"escalate: '{escalate}' is not an escalation target, 'any' or 'none'")
    return where


def _make_engine(url: str, pooled: bool) -> Engine:
    if not url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"poolclass": NullPool} if not pooled else {
            "pool_size": 10, "max_overflow": 20, "pool_pre_ping": True}
        return create_engine(url, **kwargs)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        database = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        if database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = {"pool_size": 16, "max_overflow": 32} if pooled else {"poolclass": NullPool}
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("crisis_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
