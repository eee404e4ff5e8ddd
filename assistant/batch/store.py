"""Batch rows in the review database: import, grouping, claims with leases, progress, export.

Exactly once rests on two rules here: an item is claimed (compare-and-set on its status and lease)
before it is drafted, and the id of its draft is fixed at its first claim (from its idempotency key),
so whoever finishes it -- the first worker, or the one that took over after a crash -- stores the
same draft id, which the drafts table accepts once.

Imports: core, triage, review.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant.batch.answer_keys import AnswerOf
from assistant.batch.importer import PLATFORM_NAMES, Format, ParsedRow, parse
from assistant.batch.paraphrases import comment_groups
from assistant.batch.schemas import (
    BATCH_ID,
    DONE,
    BatchesPage,
    BatchOut,
    Counts,
    ExportRow,
    GroupMember,
    GroupOut,
    GroupsPage,
    ImportReport,
    ItemProblem,
    RowError,
)
from assistant.batch.tables import BatchGroupRow, BatchItemRow, BatchRow
from assistant.config import Settings
from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.models import PLATFORM_LIMITS, Comment, utcnow
from assistant.review.store import Database, record_audit
from assistant.review.tables import DraftRow

HOST = socket.gethostname()
CLAIMABLE = ("queued", "failed", "running")


def owner_id() -> str:
    """Who holds a lease: host and pid, so a rerun on the same host takes over a killed run at once."""
    return f"{HOST}:{os.getpid()}"


def _lease_free(row: BatchItemRow, now: datetime) -> bool:
    if row.status != "running":
        return True
    if row.lease_until is None or row.lease_until <= now:
        return True
    host, _, pid = (row.lease_owner or "").rpartition(":")
    if host == HOST and pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True  # the process that held it is gone (kill -9): no need to wait for the lease
        except PermissionError:
            return False
    return False


# ---------------------------------------------------------------- import


def import_data(db: Database, settings: Settings, data: bytes, fmt: Format, *, incident: str,
                batch_id: str | None = None, mapping: dict[str, str] | None = None, platform: str | None = None,
                source: str = "", actor: str = "cli") -> ImportReport:
    """Parse an export and add its good rows to a batch. Without a batch id, the id follows from the
    incident and the bytes, so importing the same file again lands in the same batch and adds nothing.
    Nothing is created when no row is usable (InvalidInput, with the first reasons)."""
    if not incident.strip() or len(incident) > 100:
        raise InvalidInput("incident: give the incident id (1 to 100 characters)")
    if platform is not None and platform not in PLATFORM_NAMES:
        raise InvalidInput(f"platform: unknown '{platform[:40]}' (one of {', '.join(PLATFORM_LIMITS)})")
    if batch_id is not None and not re.fullmatch(BATCH_ID, batch_id):
        raise InvalidInput("batch: 1 to 100 characters among letters, digits and . _ : -")
    if not data.strip():
        raise InvalidInput("the file is empty: nothing to import")
    rows, errors, read = parse(data, fmt, mapping=mapping, platform=platform and PLATFORM_NAMES[platform],
                               max_chars=settings.max_comment_chars, max_rows=settings.batch_max_rows)
    if not rows:
        shown = "; ".join(f"line {e.line}: {e.reason}" for e in errors[:5])
        raise InvalidInput(f"no usable comment in {read} row(s): {shown or 'no rows'}",
                           errors=[e.model_dump() for e in errors[:100]])
    if batch_id is None:
        digest = hashlib.sha256(data).hexdigest()[:10]
        batch_id = f"{re.sub(r'[^A-Za-z0-9._:-]', '-', incident)[:80]}-{digest}"
    return import_rows(db, batch_id=batch_id, incident=incident, source=source, actor=actor, rows=rows,
                       errors=errors, read=read)


def import_rows(db: Database, *, batch_id: str, incident: str, source: str, actor: str,
                rows: list[ParsedRow], errors: list[RowError], read: int) -> ImportReport:
    """Add the new comments to the batch (created if needed); comments already imported for this
    incident (same key) are counted as duplicates and left alone."""
    now = utcnow()
    added = duplicates = 0
    with db.write() as s:
        batch = s.get(BatchRow, batch_id, with_for_update=True)
        if batch is None:
            batch = BatchRow(id=batch_id, incident=incident, source=source[:300], created_by=actor[:200],
                             created_at=now)
            s.add(batch)
            s.flush()
        elif batch.incident != incident:
            raise Conflict(f"batch '{batch_id}' belongs to incident '{batch.incident}', not '{incident}'",
                           reason="incident_mismatch")
        known: set[str] = set()
        keys = list({r.key for r in rows})
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            known |= set(s.scalars(select(BatchItemRow.key).where(BatchItemRow.incident == incident,
                                                                  BatchItemRow.key.in_(part))))
        for row in rows:
            if row.key in known:
                duplicates += 1
                continue
            known.add(row.key)
            s.add(BatchItemRow(batch_id=batch_id, incident=incident, key=row.key, line=row.line,
                               comment=row.comment.model_dump(mode="json"), parent_id=row.parent_id,
                               status="queued", attempts=0, updated_at=now))
            added += 1
        record_audit(s, actor, "batch.imported", batch_id, {"incident": incident, "read": read, "added": added,
                                                             "duplicates": duplicates, "rejected": len(errors)})
    return ImportReport(batch=batch_id, incident=incident, received=read, added=added, duplicates=duplicates,
                        rejected=len(errors), errors=errors)


# ---------------------------------------------------------------- reads


def _batch(s: Session, batch_id: str) -> BatchRow:
    row = s.get(BatchRow, batch_id)
    if row is None:
        raise NotFound(f"no batch '{batch_id}'")
    return row


def _counts(pairs: Iterable[tuple[str, int]]) -> Counts:
    values = dict(pairs)
    return Counts(total=sum(values.values()), **{k: v for k, v in values.items() if k in Counts.model_fields})


def _problem(row: BatchItemRow) -> ItemProblem:
    return ItemProblem(item=row.seq, line=row.line, comment_id=row.comment.get("id"), status=row.status,  # type: ignore[arg-type]
                       reason=row.reason or "", draft_id=row.draft_id)


def batch_out(db: Database, batch_id: str, limit: int = 100) -> BatchOut:
    with db.read() as s:
        batch = _batch(s, batch_id)
        counts = _counts(s.execute(select(BatchItemRow.status, func.count()).where(
            BatchItemRow.batch_id == batch_id).group_by(BatchItemRow.status)).tuples().all())
        groups = s.scalar(select(func.count()).select_from(BatchGroupRow).where(
            BatchGroupRow.batch_id == batch_id)) or 0

        def listed(status: str) -> list[ItemProblem]:
            stmt = select(BatchItemRow).where(BatchItemRow.batch_id == batch_id, BatchItemRow.status == status)
            return [_problem(r) for r in s.scalars(stmt.order_by(BatchItemRow.seq).limit(limit))]

        return BatchOut(id=batch.id, incident=batch.incident, source=batch.source, created_at=batch.created_at,
                        counts=counts, groups=groups, failures=listed("failed"), held=listed("held"),
                        skipped=listed("skipped"))


def list_batches(db: Database, *, incident: str | None = None, limit: int = 50) -> BatchesPage:
    """Newest first, with their counts (the failure lists are on GET /v1/batches/{id})."""
    where = [BatchRow.incident == incident] if incident else []
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(BatchRow).where(*where)) or 0
        rows = list(s.scalars(select(BatchRow).where(*where).order_by(BatchRow.created_at.desc(), BatchRow.id)
                              .limit(limit)))
        ids = [r.id for r in rows]
        tally: dict[str, list[tuple[str, int]]] = {i: [] for i in ids}
        groups: dict[str, int] = {}
        if ids:
            for batch_id, status, n in s.execute(select(BatchItemRow.batch_id, BatchItemRow.status, func.count())
                                                 .where(BatchItemRow.batch_id.in_(ids))
                                                 .group_by(BatchItemRow.batch_id, BatchItemRow.status)).tuples():
                tally[batch_id].append((status, n))
            groups = dict(s.execute(select(BatchGroupRow.batch_id, func.count()).where(
                BatchGroupRow.batch_id.in_(ids)).group_by(BatchGroupRow.batch_id)).tuples().all())
        data = [BatchOut(id=r.id, incident=r.incident, source=r.source, created_at=r.created_at,
                         counts=_counts(tally[r.id]), groups=groups.get(r.id, 0)) for r in rows]
    return BatchesPage(data=data, count=total)


def counts(db: Database, batch_id: str) -> Counts:
    with db.read() as s:
        return _counts(s.execute(select(BatchItemRow.status, func.count()).where(
            BatchItemRow.batch_id == batch_id).group_by(BatchItemRow.status)).tuples().all())


def _group_out(group: BatchGroupRow, members: list[BatchItemRow], with_members: bool) -> GroupOut:
    core = group.core or {}
    return GroupOut(
        id=group.id, batch=group.batch_id, size=group.size, status=group.status,  # type: ignore[arg-type]
        version=group.version, language=core.get("language"), core_text=group.core_text,
        counts=_counts(_tally(m.status for m in members)),
        members=[GroupMember(item=m.seq, comment_id=m.comment.get("id"), author=m.comment.get("author") or
                             m.comment.get("author_handle"), text=m.comment["text"], status=m.status,  # type: ignore[arg-type]
                             draft_id=m.draft_id, reason=m.reason) for m in members] if with_members else [])


def _tally(statuses: Iterable[str]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for status in statuses:
        out[status] = out.get(status, 0) + 1
    return list(out.items())


def groups_page(db: Database, batch_id: str, *, limit: int = 50, offset: int = 0,
                members: bool = False) -> GroupsPage:
    """Largest groups first."""
    with db.read() as s:
        _batch(s, batch_id)
        total = s.scalar(select(func.count()).select_from(BatchGroupRow).where(
            BatchGroupRow.batch_id == batch_id)) or 0
        groups = list(s.scalars(select(BatchGroupRow).where(BatchGroupRow.batch_id == batch_id)
                                .order_by(BatchGroupRow.size.desc(), BatchGroupRow.id).limit(limit).offset(offset)))
        by_group: dict[int, list[BatchItemRow]] = {g.id: [] for g in groups}
        if groups:
            for item in s.scalars(select(BatchItemRow).where(BatchItemRow.group_id.in_(list(by_group)))
                                  .order_by(BatchItemRow.seq)):
                by_group[item.group_id].append(item)  # type: ignore[index]
        return GroupsPage(data=[_group_out(g, by_group[g.id], members) for g in groups], count=total)


def get_group(db: Database, batch_id: str, group_id: int) -> tuple[GroupOut, dict[str, Any] | None]:
    """The group with its members, and its core (DraftOut, sources, versions) as stored."""
    with db.read() as s:
        group = s.get(BatchGroupRow, group_id)
        if group is None or group.batch_id != batch_id:
            raise NotFound(f"no group {group_id} in batch '{batch_id}'")
        members = list(s.scalars(select(BatchItemRow).where(BatchItemRow.group_id == group_id)
                                 .order_by(BatchItemRow.seq)))
        return _group_out(group, members, True), group.core


def item_comment(db: Database, seq: int) -> tuple[Comment, str]:
    with db.read() as s:
        row = s.get(BatchItemRow, seq)
        if row is None:
            raise NotFound(f"no batch item {seq}")
        return Comment.model_validate(row.comment), row.incident


def export_rows(db: Database, batch_id: str) -> list[ExportRow]:
    """The approved (or posted) replies of a batch, in import order."""
    with db.read() as s:
        _batch(s, batch_id)
        pairs = s.execute(select(BatchItemRow, DraftRow).join(DraftRow, DraftRow.id == BatchItemRow.draft_id)
                          .where(BatchItemRow.batch_id == batch_id, DraftRow.status.in_(("approved", "posted")))
                          .order_by(BatchItemRow.seq)).tuples()
        return [ExportRow(comment_id=item.comment.get("id"), platform=item.comment.get("platform", "other"),
                          url=item.comment.get("url"), text=draft.text, draft_id=draft.id,
                          author=item.comment.get("author") or item.comment.get("author_handle"))
                for item, draft in pairs]


# ---------------------------------------------------------------- planning


def plan_groups(db: Database, batch_id: str, threshold: float = 0.8, *, answer_of: AnswerOf | None = None) -> int:
    """Group the batch's waiting, ungrouped comments with their copies and, with `answer_of`, with the
    comments that ask the same question in other words and would be answered from the same knowledge
    (batch/paraphrases.py, batch/answer_keys.py). The grouping (sentence vectors, answer plans) is
    computed outside the write transaction; an item grouped meanwhile by another planner is left where
    it is. Returns the number of new groups."""
    waiting = (BatchItemRow.batch_id == batch_id, BatchItemRow.group_id.is_(None),
               BatchItemRow.status.in_(("queued", "failed")))
    with db.read() as s:
        _batch(s, batch_id)
        pairs = s.execute(select(BatchItemRow.seq, BatchItemRow.comment).where(*waiting)
                          .order_by(BatchItemRow.seq)).tuples().all()
    seqs = [seq for seq, _ in pairs]
    planned = comment_groups([Comment.model_validate(c) for _, c in pairs], copy_threshold=threshold,
                             answer_of=answer_of)
    if not planned:
        return 0
    now = utcnow()
    made = 0
    with db.write() as s:
        s.get(BatchRow, batch_id, with_for_update=True)  # one planner at a time
        rows = {r.seq: r for r in s.scalars(select(BatchItemRow).where(*waiting))}
        for members in planned:
            items = [rows[seqs[i]] for i in members if seqs[i] in rows]
            if len(items) < 2:
                continue
            group = BatchGroupRow(batch_id=batch_id, size=len(items), status="pending", version=1, core=None,
                                  core_text=None, updated_at=now)
            s.add(group)
            s.flush()
            for item in items:
                item.group_id = group.id
            made += 1
    return made


@dataclass(frozen=True)
class Unit:
    """One job: a lone comment, or a group of near-duplicates (one core answer)."""

    kind: str  # "item" | "group"
    id: int

    def job_id(self, batch_id: str, run: str) -> str:
        return f"batch:{batch_id}:{self.kind}:{self.id}:{run}"


def pending_units(db: Database, batch_id: str) -> list[Unit]:
    with db.read() as s:
        _batch(s, batch_id)
        rows = s.execute(select(BatchItemRow.seq, BatchItemRow.group_id).where(
            BatchItemRow.batch_id == batch_id, BatchItemRow.status.not_in(DONE)).order_by(BatchItemRow.seq)).all()
    units: list[Unit] = []
    seen: set[int] = set()
    for seq, group_id in rows:
        if group_id is None:
            units.append(Unit("item", seq))
        elif group_id not in seen:
            seen.add(group_id)
            units.append(Unit("group", group_id))
    return units


def reset_stale(db: Database, batch_id: str, is_stale: Callable[[dict[str, str]], bool]) -> int:
    """Requeue the items whose draft used knowledge that has changed since (not posted ones); a stale
    group core is dropped so the group is drafted again. Returns the number of items requeued."""
    now = utcnow()
    requeued = 0
    with db.write() as s:
        _batch(s, batch_id)
        for group in s.scalars(select(BatchGroupRow).where(BatchGroupRow.batch_id == batch_id,
                                                           BatchGroupRow.core.is_not(None))):
            if group.status != "approved" and is_stale((group.core or {}).get("versions", {})):
                group.core, group.core_text, group.status = None, None, "pending"
                group.version += 1
                group.updated_at = now
        pairs = s.execute(select(BatchItemRow, DraftRow).join(DraftRow, DraftRow.id == BatchItemRow.draft_id)
                          .where(BatchItemRow.batch_id == batch_id, BatchItemRow.status.in_(("drafted", "held")),
                                 DraftRow.status != "posted")).tuples().all()
        for item, draft in pairs:
            if is_stale(draft.data.get("knowledge_versions") or {}):
                item.status, item.reason, item.draft_id, item.updated_at = "queued", None, None, now
                requeued += 1
    return requeued


# ---------------------------------------------------------------- claims and results


@dataclass(frozen=True)
class Claimed:
    seq: int
    key: str
    incident: str
    comment: Comment
    draft_id: str  # planned at the first claim: a takeover stores the same id


def claim(db: Database, seqs: list[int], owner: str, lease_s: float,
          plan: Callable[[str, str], str]) -> list[Claimed]:
    """Take the items that are waiting, failed, or whose lease lapsed (or whose holder died);
    `plan(incident, key)` names the draft of an item claimed for the first time."""
    now = utcnow()
    until = now + timedelta(seconds=lease_s)
    out: list[Claimed] = []
    with db.write() as s:
        rows = s.scalars(select(BatchItemRow).where(BatchItemRow.seq.in_(seqs), BatchItemRow.status.in_(CLAIMABLE))
                         .order_by(BatchItemRow.seq).with_for_update())
        for row in rows:
            if not _lease_free(row, now):
                continue
            row.status, row.lease_owner, row.lease_until = "running", owner, until
            row.attempts += 1
            row.draft_id = row.draft_id or plan(row.incident, row.key)
            row.updated_at = now
            out.append(Claimed(row.seq, row.key, row.incident, Comment.model_validate(row.comment), row.draft_id))
    return out


def finish(db: Database, seq: int, status: str, reason: str | None = None, *, keep_draft: bool = True) -> None:
    """Record an item's outcome. A failed item keeps its planned draft id (a retry reuses it)."""
    with db.write() as s:
        values: dict[str, Any] = {"status": status, "reason": (reason or None) and reason[:2000],
                                  "lease_owner": None, "lease_until": None, "updated_at": utcnow()}
        if not keep_draft:
            values["draft_id"] = None
        s.execute(update(BatchItemRow).where(BatchItemRow.seq == seq).values(**values))


def release(db: Database, seqs: list[int], owner: str) -> None:
    """Give back claimed items not processed (a run interrupted cleanly)."""
    with db.write() as s:
        s.execute(update(BatchItemRow).where(BatchItemRow.seq.in_(seqs), BatchItemRow.status == "running",
                                             BatchItemRow.lease_owner == owner)
                  .values(status="queued", lease_owner=None, lease_until=None))


def group_seqs(db: Database, group_id: int) -> list[int]:
    with db.read() as s:
        return list(s.scalars(select(BatchItemRow.seq).where(BatchItemRow.group_id == group_id)
                              .order_by(BatchItemRow.seq)))


def group_core(db: Database, group_id: int) -> dict[str, Any] | None:
    with db.read() as s:
        row = s.get(BatchGroupRow, group_id)
        return row.core if row is not None else None


def set_core(db: Database, group_id: int, core: dict[str, Any], text: str) -> dict[str, Any]:
    """Store the group's core unless another worker stored one first; returns the core in force."""
    with db.write() as s:
        row = s.get(BatchGroupRow, group_id, with_for_update=True)
        if row is None:
            raise NotFound(f"no group {group_id}")
        if row.core is None:
            row.core, row.core_text, row.status, row.updated_at = core, text, "drafted", utcnow()
        return row.core


def update_core(db: Database, batch_id: str, group_id: int, version: int, *, text: str | None = None,
                core: dict[str, Any] | None = None, status: str, actor: str) -> None:
    """A reviewer's change to the group (edit or approve), bound to the version they saw."""
    with db.write() as s:
        row = s.get(BatchGroupRow, group_id, with_for_update=True)
        if row is None or row.batch_id != batch_id:
            raise NotFound(f"no group {group_id} in batch '{batch_id}'")
        if row.core is None:
            raise Conflict(f"group {group_id} has no core answer yet: run the batch first", reason="invalid_state")
        if row.version != version:
            raise Conflict(f"group {group_id} is at version {row.version}, not {version}: reload and try again",
                           reason="stale_version")
        if text is not None:
            if not text.strip():
                raise InvalidInput("text: the core answer is empty")
            row.core_text = text
        if core is not None:
            row.core = core
        row.status, row.version, row.updated_at = status, row.version + 1, utcnow()
        record_audit(s, actor, f"batch.group.{status}", f"{batch_id}/{group_id}", {"version": row.version})


def mark(db: Database, seq: int, status: str, reason: str | None) -> None:
    """Change a finished item's review state (held <-> drafted) after a group decision."""
    with db.write() as s:
        s.execute(update(BatchItemRow).where(BatchItemRow.seq == seq)
                  .values(status=status, reason=reason, updated_at=utcnow()))
