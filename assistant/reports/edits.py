"""The edits reviewers make most often: word-level differences between the AI text and the approved
text (rapidfuzz opcodes), counted across an incident's approved drafts.

Only drafts a person changed are read (the diff is text work, not SQL), newest approvals first, at
most `limit` of them.
"""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz.distance import Levenshtein
from sqlalchemy import text

from assistant.reports.schemas import EditStats, PhraseCount, Replacement
from assistant.review.store import Database
from assistant.text import fold

MAX_WORDS = 12
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


_TOKEN = re.compile(r"[\w'’-]+|[^\w\s]")
_BEFORE_PUNCT = re.compile(r" ([.,;:!?)])")


def _phrase(words: list[str]) -> str:
    out = _BEFORE_PUNCT.sub(r"\1", " ".join(words[:MAX_WORDS]))
    return out + (" …" if len(words) > MAX_WORDS else "")


def _norm(phrase: str) -> str:
    return " ".join(_EDGE.sub("", w) for w in fold(phrase).split()).strip()


def frequent_edits(db: Database, incident: str, *, top: int = 10, limit: int = 5000) -> EditStats:
    sql = text('SELECT d.original_text, d.text FROM drafts d WHERE d.incident = :i AND d."current" '
               "AND d.approved_at IS NOT NULL AND d.original_text <> d.text ORDER BY d.approved_at DESC LIMIT :n")
    with db.read() as s:
        rows = s.execute(sql, {"i": incident, "n": limit}).all()
    removed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    replaced: Counter[tuple[str, str]] = Counter()
    shown: dict[str, str] = {}
    for original, final in rows:
        a, b = _TOKEN.findall(original), _TOKEN.findall(final)
        for op in Levenshtein.opcodes(a, b):
            before, after = _phrase(a[op.src_start:op.src_end]), _phrase(b[op.dest_start:op.dest_end])
            nb, na = _norm(before), _norm(after)
            if op.tag == "delete" and nb:
                removed[nb] += 1
            elif op.tag == "insert" and na:
                added[na] += 1
            elif op.tag == "replace" and nb != na:
                replaced[(nb, na)] += 1
            else:
                continue
            shown.setdefault(nb, before)
            shown.setdefault(na, after)

    def ranked(counter: Counter[str]) -> list[PhraseCount]:
        best = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [PhraseCount(text=shown.get(k, k), count=n) for k, n in best]

    return EditStats(
        edited_drafts=len(rows), removed=ranked(removed), added=ranked(added),
        replaced=[Replacement(before=shown.get(k[0], k[0]), after=shown.get(k[1], k[1]), count=n)
                  for k, n in sorted(replaced.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
