"""The draft lifecycle over the store: draft -> edited -> approved -> posted (or rejected), with history.

Rules (DESIGN.md): every change takes the `version` the caller saw and increments it; a stale
version is a Conflict carrying the current draft. Approval is bound to the exact text: an edit
after approval re-opens review. Agents approve replies; public updates need a lead or admin, and so
does approving past a high-severity flag (with a reason, kept in the audit trail). Posting is
recorded, never performed. Every step writes an audit event in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.errors import ApprovalBlocked, Conflict, CrisisError, Forbidden, InvalidInput, NotFound
from assistant.guards import stale_flags
from assistant.models import Comment, DocumentIn, Draft, Flag, Triage, Verified, utcnow
from assistant.review import rollups
from assistant.review.schemas import Principal
from assistant.review.store import Database, draft_from_row, draft_values, record_audit
from assistant.review.tables import CommentRow, DecisionRow, DraftRow, DraftVersionRow

log = logging.getLogger(__name__)
LEADS = ("lead", "admin")
OPEN = ("draft", "edited")
# Flags about how a draft was made, not about its words: an edit keeps them (the guards recompute the rest).
KEPT_ON_EDIT = frozenset({"missing_fact"})
LEAD_KINDS = {"update": "public update", "brief": "influencer brief"}  # kinds only a lead approves


class DraftVersion(BaseModel):
    version: int
    action: str
    status: str
    text: str
    actor: str
    at: datetime


# ---------------------------------------------------------------- reads


def get_draft(db: Database, draft_id: str,
              kb_versions: Callable[[], Mapping[str, str]] | None = None) -> Draft:
    """The draft, with a `stale` flag when knowledge it used has changed since (until it is posted).

    `kb_versions` (e.g. `runtime.kb.versions`) is only called when the draft used knowledge."""
    with db.read() as s:
        draft = draft_from_row(_row(s, draft_id))
    if kb_versions is None or not draft.knowledge_versions or draft.status == "posted":
        return draft
    if any(f.code == "stale" for f in draft.flags):
        return draft
    try:
        current = kb_versions()
    except Exception as exc:  # staleness is advisory: a knowledge outage must not hide the draft
        log.warning("stale check failed draft=%s error=%s", draft_id, exc)
        detail = exc.detail if isinstance(exc, CrisisError) else type(exc).__name__
        flag = Flag(code="stale_unchecked", severity="info", source="review",
                    message=f"could not compare with the knowledge base ({detail}): check the facts by hand")
        return draft.model_copy(update={"flags": [*draft.flags, flag]})
    return draft.model_copy(update={"flags": [*draft.flags, *stale_flags(draft.knowledge_versions, dict(current))]})


def get_comment(db: Database, comment_id: str) -> Comment:
    with db.read() as s:
        row = s.get(CommentRow, comment_id)
        if row is None:
            raise NotFound(f"no comment '{comment_id}'")
        return Comment.model_validate(row.data)


def history(db: Database, draft_id: str) -> list[DraftVersion]:
    """Every version, oldest first: the AI original, each edit, each decision, each regeneration."""
    with db.read() as s:
        _row(s, draft_id)
        rows = s.scalars(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id)
                         .order_by(DraftVersionRow.version))
        return [DraftVersion.model_validate(r, from_attributes=True) for r in rows]


# ---------------------------------------------------------------- changes


def comment_key(incident: str | None, platform: str, comment_id: str) -> str:
    """The stored comment's key. A client's comment id names one comment only within its incident and
    platform: the same id in another incident is another comment, never an overwrite of this one."""
    raw = json.dumps([incident or "", platform, comment_id], ensure_ascii=False)
    return "c_" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def save_new_draft(db: Database, draft: Draft, comment: Comment | None, actor: Principal) -> Draft:
    """Store a freshly generated draft (and its comment): status draft, version 1, original = text.

    `draft.comment_id` becomes the stored comment's key (comment_key); a comment id already stored in
    the same incident and platform with another text is a Conflict (409), never a silent overwrite."""
    key = draft.comment_id
    if comment is not None:
        comment = comment.model_copy(update={"id": comment.id or f"c_{uuid4().hex}"})
        key = comment_key(draft.incident, comment.platform, comment.id or "")
    draft = draft.model_copy(update={"comment_id": key, "original_text": draft.text, "status": "draft",
                                     "version": 1})
    with db.write() as s:
        if s.scalar(select(DraftRow.seq).where(DraftRow.id == draft.id)) is not None:
            raise Conflict(f"a draft with id '{draft.id}' already exists", reason="exists")
        with rollups.tracking(s, key, [draft.id]):
            if comment is not None and key is not None:
                _put_comment(s, comment, key, draft.incident, draft.triage)
                # A new draft for the same comment replaces the old one in the queue (history stays).
                s.execute(update(DraftRow).where(DraftRow.comment_id == key).values(current=False))
            elif key is not None and s.get(CommentRow, key) is None:
                raise InvalidInput(f"comment_id: no stored comment '{key}' (pass the comment)")
            s.add(DraftRow(**draft_values(draft), current=True))
        _version(s, draft, "created", actor)
        record_audit(s, actor.key_id, "draft.created", draft.id, {
            "role": actor.role, "version": 1, "comment_id": key, "kind": draft.kind,
            "provider": draft.provider, "model": draft.model, "prompt_version": draft.prompt_version,
            "flags": _flag_codes(draft.flags)})
    return draft


def edit(db: Database, draft_id: str, text: str, version: int, actor: Principal, verified: Verified) -> Draft:
    """A person's new text, stored with what the guards found on that very text (`verified`, from
    drafting.verify_text): its citations and flags replace the old ones, so a high flag on an edit
    blocks approval exactly as on a generated draft."""
    if not text.strip():
        raise InvalidInput("text: the draft text is empty")
    if verified.text != text:
        raise InvalidInput("text: the guards checked another text; check this one")

    def apply(s: Session, row: DraftRow, cur: Draft) -> tuple[Draft | None, dict[str, Any]]:
        if cur.status == "posted":
            raise _state(cur, "a posted draft cannot be edited (it is the record of what was published)")
        if text == cur.text:
            return None, {}  # nothing changed: no new version, approval kept (it is bound to this text)
        reopened = cur.status == "approved"
        _clear_approval(row)
        kept = [f for f in cur.flags if f.code in KEPT_ON_EDIT]
        new = _next(cur, text=text, status="edited", citations=verified.citations, flags=kept + verified.flags,
                    knowledge_versions=verified.knowledge_versions)
        return new, {"reopened": reopened, "chars": len(text), "flags": _flag_codes(new.flags)}

    return _transition(db, draft_id, version, actor, "edited", apply)


def approve(db: Database, draft_id: str, version: int, actor: Principal,
            override_reason: str | None = None) -> Draft:
    reason = (override_reason or "").strip() or None

    def apply(s: Session, row: DraftRow, cur: Draft) -> tuple[Draft | None, dict[str, Any]]:
        if cur.status not in OPEN:
            raise _state(cur, f"only a draft or an edited draft can be approved (this one is {cur.status})")
        _require_lead_for_updates(cur, actor, "approve")
        high = [f for f in cur.flags if f.severity == "high"]
        if high and (reason is None or actor.role not in LEADS):
            who = "give an override_reason" if actor.role in LEADS else "ask a lead or an admin to override"
            raise ApprovalBlocked(
                f"{len(high)} high-severity flag(s) block approval "
                f"({', '.join(f.code for f in high)}): {who}",
                flags=[f.model_dump(mode="json") for f in high], can_override=actor.role in LEADS,
                current=cur.model_dump(mode="json"))
        new = _next(cur, status="approved")
        distance = edit_distance(cur.original_text, cur.text)
        row.approved_at, row.approved_by, row.edit_distance = new.updated_at, actor.key_id, distance
        _decide(s, new, actor, "approve", None)
        detail: dict[str, Any] = {"edit_distance": round(distance, 4)}
        if high:
            _decide(s, new, actor, "override", reason)
            detail |= {"override_reason": reason, "overridden_flags": [f.code for f in high]}
        return new, detail

    return _transition(db, draft_id, version, actor, "approved", apply)


def reject(db: Database, draft_id: str, version: int, actor: Principal, reason: str) -> Draft:
    if not reason.strip():
        raise InvalidInput("reason: say why the draft is rejected")

    def apply(s: Session, row: DraftRow, cur: Draft) -> tuple[Draft | None, dict[str, Any]]:
        if cur.status not in (*OPEN, "approved"):
            raise _state(cur, f"a {cur.status} draft cannot be rejected")
        _require_lead_for_updates(cur, actor, "reject")
        _clear_approval(row)
        new = _next(cur, status="rejected")
        _decide(s, new, actor, "reject", reason.strip())
        return new, {"reason": reason.strip()}

    return _transition(db, draft_id, version, actor, "rejected", apply)


def mark_posted(db: Database, draft_id: str, version: int, actor: Principal, url: str) -> Draft:
    """Record that a person published the approved text at `url` (nothing is posted from here)."""

    def apply(s: Session, row: DraftRow, cur: Draft) -> tuple[Draft | None, dict[str, Any]]:
        if cur.status != "approved":
            raise _state(cur, f"only an approved draft can be marked as posted (this one is {cur.status})")
        _require_lead_for_updates(cur, actor, "mark as posted")
        new = _next(cur, status="posted")
        row.posted_at, row.posted_url = new.updated_at, url
        _decide(s, new, actor, "posted", url)
        return new, {"url": url}

    return _transition(db, draft_id, version, actor, "posted", apply)


def regenerate(db: Database, draft_id: str, version: int, actor: Principal, new_draft: Draft) -> Draft:
    """The new generation becomes current (status draft, new AI original); the old texts stay in history."""

    def apply(s: Session, row: DraftRow, cur: Draft) -> tuple[Draft | None, dict[str, Any]]:
        if cur.status == "posted":
            raise _state(cur, "a posted draft cannot be regenerated")
        _clear_approval(row)
        keep = {"id", "kind", "comment_id", "incident", "created_at"}
        fresh = new_draft.model_dump(exclude=keep | {"status", "version", "original_text", "updated_at"})
        new = _next(cur, **fresh, status="draft", original_text=new_draft.text)
        return new, {"provider": new.provider, "model": new.model, "prompt_version": new.prompt_version,
                     "previous_status": cur.status}

    return _transition(db, draft_id, version, actor, "regenerated", apply)


def promote_to_statement(db: Database, draft_id: str, actor: Principal, verified: Verified) -> DocumentIn:
    """An approved text as an approved `statement` document, for the route to upsert into the KB.

    `verified` is the guards' verdict on the text against the knowledge as it is now: a text with a
    high flag (stored, overridden or found now) never becomes knowledge that later drafts may cite."""
    if actor.role not in LEADS:
        raise Forbidden("only a lead or an admin can promote a draft to a statement")
    with db.write() as s:
        row = _row(s, draft_id)
        cur = draft_from_row(row)
        if cur.status not in ("approved", "posted"):
            raise _state(cur, f"only an approved or posted draft can be promoted (this one is {cur.status})")
        if verified.text != cur.text:
            raise _state(cur, "the text changed while it was being checked: try again")
        high = [f for f in [*cur.flags, *verified.flags] if f.severity == "high"]
        if high:
            raise ApprovalBlocked(
                f"{len(high)} high-severity flag(s) ({', '.join(sorted({f.code for f in high}))}): a text "
                "with a high flag is never promoted to a statement, even after an override; edit it first",
                flags=[f.model_dump(mode="json") for f in high], can_override=False,
                current=cur.model_dump(mode="json"))
        comment = s.get(CommentRow, cur.comment_id) if cur.comment_id else None
        about = f" to: {comment.text[:80]}" if comment is not None else ""
        doc = DocumentIn(
            id=f"statement-{re.sub(r'[^A-Za-z0-9._:-]', '-', draft_id)}"[:200],
            title=f"Approved {cur.kind}{about}"[:300], kind="statement", language=cur.language, approved=True,
            valid_from=row.approved_at, incident=cur.incident, source_url=row.posted_url,
            version=f"draft {draft_id} v{cur.version}", text=cur.text)
        _decide(s, cur, actor, "promote", doc.id)
        record_audit(s, actor.key_id, "draft.promoted", draft_id,
                     {"role": actor.role, "version": cur.version, "document": doc.id})
    return doc


# ---------------------------------------------------------------- edit distance


def edit_distance(original: str, final: str) -> float:
    """Normalised to 0..1 by the longer text: 0 = approved as generated."""
    return float(Levenshtein.normalized_distance(original, final))


# ---------------------------------------------------------------- internals

Apply = Callable[[Session, DraftRow, Draft], tuple[Draft | None, dict[str, Any]]]


def _transition(db: Database, draft_id: str, version: int, actor: Principal, action: str,
                apply: Apply) -> Draft:
    with db.write() as s:
        comment_id = s.scalar(select(DraftRow.comment_id).where(DraftRow.id == draft_id))
        with rollups.tracking(s, comment_id, [draft_id]):
            row = _row(s, draft_id, lock=True)
            cur = draft_from_row(row)
            if row.version != version:
                raise Conflict(f"draft '{draft_id}' is at version {row.version}, not {version}: someone "
                               "changed it; reload and try again", reason="stale_version",
                               current=cur.model_dump(mode="json"))
            new, detail = apply(s, row, cur)
            if new is None:
                return cur
            for name, value in draft_values(new).items():
                setattr(row, name, value)
        _version(s, new, action, actor)
        record_audit(s, actor.key_id, f"draft.{action}", draft_id,
                     {"role": actor.role, "version": new.version, "from": cur.status, "to": new.status,
                      **detail})
    return new


def _flag_codes(flags: list[Flag]) -> list[str]:
    return [f"{f.code}:{f.severity}" for f in flags]


def _row(s: Session, draft_id: str, lock: bool = False) -> DraftRow:
    stmt = select(DraftRow).where(DraftRow.id == draft_id)
    row = s.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if row is None:
        raise NotFound(f"no draft '{draft_id}'")
    return row


def _next(cur: Draft, **changes: Any) -> Draft:
    bump = {"version": cur.version + 1, "updated_at": utcnow()}
    return Draft.model_validate(cur.model_dump() | changes | bump)


def _state(cur: Draft, detail: str) -> Conflict:
    return Conflict(detail, reason="invalid_state", current=cur.model_dump(mode="json"))


def _require_lead_for_updates(cur: Draft, actor: Principal, verb: str) -> None:
    if cur.kind in LEAD_KINDS and actor.role not in LEADS:
        raise Forbidden(f"only a lead or an admin can {verb} a {LEAD_KINDS[cur.kind]}")


def _clear_approval(row: DraftRow) -> None:
    row.approved_at = row.approved_by = row.edit_distance = None


def _version(s: Session, draft: Draft, action: str, actor: Principal) -> None:
    s.add(DraftVersionRow(draft_id=draft.id, version=draft.version, action=action, status=draft.status,
                          text=draft.text, actor=actor.key_id, at=draft.updated_at))


Decision = Literal["approve", "override", "reject", "posted", "promote"]


def _decide(s: Session, draft: Draft, actor: Principal, decision: Decision, reason: str | None) -> None:
    s.add(DecisionRow(draft_id=draft.id, decision=decision, actor=actor.key_id, role=actor.role,
                      version=draft.version, reason=reason, at=utcnow()))


def _put_comment(s: Session, comment: Comment, key: str, incident: str | None, triage: Triage | None) -> None:
    row = s.get(CommentRow, key, with_for_update=True)
    now = utcnow()
    if row is None:
        row = CommentRow(id=key, incident=incident, platform=comment.platform, author=comment.author,
                         text=comment.text, data=comment.model_dump(mode="json"),
                         created_at=comment.created_at or now, received_at=now)
        s.add(row)
    elif row.text != comment.text:
        where = f"incident '{incident}'" if incident else "no incident"
        raise Conflict(f"comment '{comment.id}' on {comment.platform} ({where}) is already stored with another "
                       "text: a comment id names one comment; send a new id for a new comment",
                       reason="comment_mismatch")
    if triage is not None:  # the latest triage, as columns for metrics grouped in SQL
        row.intent, row.sentiment, row.severity = triage.intent, triage.sentiment, triage.severity
        row.language, row.escalate_to = triage.language[:16], ",".join(triage.escalate_to) or None
