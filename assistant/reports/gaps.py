"""Knowledge gaps: the questions the knowledge base could not answer, grouped, counted and ranked.

A current reply draft records a gap when it
- had to say "we don't know yet" (the composer's unknowns, or its "not known yet" / "no confirmed
  answer" sentences),
- answered a question, a rumour, a complaint or a safety concern with no source at all, or
- had a claim flagged as unsupported that a reviewer removed before approval.
The question is the comment's question sentences (personal data masked). Candidates are selected in
SQL; similar questions are grouped in order of arrival (grouping.py), so a group's key (a hash of
its first question's stems) stays stable as new questions come in. A lead turns
a group into an unapproved fact-sheet entry pre-filled with the questions; once approved and
ingested, drafts on that question can cite it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text

from assistant.drafting.phrases import PHRASES
from assistant.errors import Conflict, Forbidden, NotFound
from assistant.guards import mask_pii
from assistant.models import DocumentIn, utcnow
from assistant.reports.grouping import group_key, group_similar, stems_of, typical
from assistant.reports.schemas import EntryStatus, Gap, GapExample, GapList, GapReason
from assistant.reports.sql import Dialect, as_utc, incident_exists
from assistant.review.schemas import Principal
from assistant.review.store import Database, record_audit
from assistant.review.tables import GapEntryRow
from assistant.text import sentences

ANSWERABLE_INTENTS = ("question", "rumour", "complaint", "safety")
UNKNOWN_PHRASES = tuple(PHRASES[lang][key] for lang in ("en", "fr") for key in ("unknown_intro", "not_in_kb"))
LEADS = ("lead", "admin")


@dataclass
class _Question:
    example: GapExample
    language: str
    stems: frozenset[str]


def question_of(comment_text: str) -> str:
    """The comment's question sentences (or its first sentence), personal data masked, at most 300 chars."""
    masked = mask_pii(comment_text).text
    said = sentences(masked) or [masked]
    asked = [s for s in said if "?" in s] or said[:1]
    return " ".join(asked).strip()[:300]


def find_gaps(db: Database, incident: str,
              approved_docs: Callable[[], Mapping[str, bool]] | None = None) -> GapList:
    """Groups of unanswered questions, most asked first. `approved_docs` (doc id -> approved) tells
    whether a drafted entry has been approved in the knowledge base."""
    questions = _questions(db, incident)
    stem_sets = [q.stems for q in questions]
    texts = [q.example.question for q in questions]
    with db.read() as s:
        entries = {r.gap_key: r.doc_id for r in s.scalars(select(GapEntryRow).where(GapEntryRow.incident == incident))}
    docs = dict(approved_docs()) if approved_docs is not None and entries else {}
    out = []
    for members in group_similar(stem_sets):
        key = group_key(stem_sets[members[0]])
        ex = [questions[i].example for i in members]
        doc_id = entries.get(key)
        status: EntryStatus = "none" if doc_id is None else ("approved" if docs.get(doc_id) else "drafted")
        out.append(Gap(key=key, question=texts[typical(members, stem_sets, texts)], count=len(ex),
                       reasons=dict(Counter(e.reason for e in ex)),
                       languages=dict(Counter(questions[i].language for i in members)),
                       first_seen=min(e.at for e in ex), last_seen=max(e.at for e in ex), examples=ex[:5],
                       entry_doc_id=doc_id, entry_status=status))
    out.sort(key=lambda g: (-g.count, -g.last_seen.timestamp(), g.key))
    return GapList(incident=incident, data=out, count=len(out), questions=len(questions))


def draft_entry(db: Database, incident: str, key: str, actor: Principal) -> DocumentIn:
    """The unapproved fact-sheet entry for a gap, pre-filled with its questions; recorded once per gap."""
    if actor.role not in LEADS:
        raise Forbidden("only a lead or an admin can turn a knowledge gap into a fact-sheet entry")
    gap = next((g for g in find_gaps(db, incident).data if g.key == key), None)
    if gap is None:
        raise NotFound(f"no knowledge gap '{key}' in incident '{incident}'")
    if gap.entry_doc_id is not None:
        raise Conflict(f"gap '{key}' already has the entry '{gap.entry_doc_id}'", reason="exists")
    language = max(gap.languages, key=lambda lang: gap.languages[lang])
    asked = "\n".join(f"- {e.question}" for e in gap.examples)
    doc = DocumentIn(
        id=f"gap-{incident}-{key}"[:200], title=f"Fact sheet entry: {gap.question[:250]}", kind="fact_sheet",
        language=language if language in ("en", "fr") else "en", approved=False, incident=incident,
        version=f"draft from knowledge gap {key}",
        text=f"# {gap.question}\n\nTO BE WRITTEN: the confirmed answer, in one or two sentences a customer "
             f"can read. Approve this entry only once the answer is confirmed.\n\n"
             f"## Asked {gap.count} time(s) (staff notes)\n\n{asked}\n")
    with db.write() as s:
        s.add(GapEntryRow(incident=incident, gap_key=key, doc_id=doc.id, question=gap.question,
                          created_by=actor.key_id, created_at=utcnow()))
        record_audit(s, actor.key_id, "gap.entry_drafted", doc.id, {"incident": incident, "gap": key,
                                                                    "questions": gap.count})
    return doc


# ---------------------------------------------------------------- internals


def _questions(db: Database, incident: str) -> list[_Question]:
    d = Dialect(db.dialect)
    unknowns, citations = d.json_array_len("d.data", "unknowns"), d.json_array_len("d.data", "citations")
    phrases = " OR ".join(f"d.text LIKE :u{i}" for i in range(len(UNKNOWN_PHRASES)))
    intents = ", ".join(f"'{i}'" for i in ANSWERABLE_INTENTS)
    # Edits re-run the guards (the draft keeps the flags of its current text): whether the generated
    # text had an unsupported claim is in the audit event of its creation.
    flagged_at_creation = ("EXISTS (SELECT 1 FROM audit_events a WHERE a.target = d.id AND a.action = 'draft.created' "
                           f"AND {d.as_text('a.detail')} LIKE '%unsupported_claim%')")
    sql = (f"SELECT d.id, d.comment_id, c.text, COALESCE(c.language, 'en'), c.created_at, d.text, d.original_text, "
           f"{unknowns}, {citations}, c.intent, {d.json_text('d.data', 'flags')}, "
           f"CASE WHEN d.original_text <> d.text AND {flagged_at_creation} THEN 1 ELSE 0 END "
           "FROM drafts d JOIN comments c ON c.id = d.comment_id "
           "WHERE d.incident = :i AND d.\"current\" AND d.kind = 'reply' AND ("
           f"{unknowns} > 0 OR {phrases} OR (d.text <> '' AND {citations} = 0 AND c.intent IN ({intents})) "
           f"OR (d.original_text <> d.text AND {flagged_at_creation})) "
           "ORDER BY c.created_at, d.id")
    params: dict[str, Any] = {"i": incident, **{f"u{i}": f"%{p}%" for i, p in enumerate(UNKNOWN_PHRASES)}}
    with db.read() as s:
        if not incident_exists(s, incident):
            raise NotFound(f"no incident '{incident}'")
        rows = s.execute(text(sql), params).all()
    out = []
    for draft_id, comment_id, comment_text, language, at, final, _, n_unknown, n_cited, intent, flags, edited in rows:
        reason = _reason(final, int(n_unknown or 0), int(n_cited or 0), intent, flags, bool(edited))
        if reason is None:
            continue
        q = question_of(comment_text)
        out.append(_Question(GapExample(draft_id=draft_id, comment_id=comment_id, question=q, reason=reason,
                                        at=as_utc(at)), language, stems_of(q)))
    return out


def _reason(final: str, n_unknown: int, n_cited: int, intent: str | None, flags_json: Any,
            edited_after_unsupported: bool) -> GapReason | None:
    if n_unknown or any(p in final for p in UNKNOWN_PHRASES):
        return "unknown"
    if final.strip() and n_cited == 0 and intent in ANSWERABLE_INTENTS:
        return "no_source"
    flags = json.loads(flags_json) if isinstance(flags_json, str) else flags_json or []
    still = any(isinstance(f, dict) and f.get("code") == "unsupported_claim" for f in flags)
    return "claim_removed" if edited_after_unsupported and not still else None
