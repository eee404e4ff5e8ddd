"""Retrieval quality on a labelled query set: hit@k and MRR per ranking mode (hybrid vs vector), overall
and per language pair.

Language pairs: a query is scored `fr->fr` / `en->en` on the whole knowledge base; `fr->en` and
`en->fr` score it against the other language's knowledge only (a language filter), its relevant
documents mapped to their translations (`<id>-fr` <-> `<id>-en`) or kept when they exist only in that
language. So every labelled question also measures the case "the answer exists only in the other
language", in both directions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.knowledge.store import KnowledgeBase, Mode, SearchFilter

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class RetrievalScore:
    mode: str
    queries: int
    hit_at_1: float
    hit_at_3: float
    hit_at_5: float
    mrr: float


@dataclass(frozen=True)
class Case:
    query: str
    relevant: frozenset[str]
    language: str | None = None  # search only the knowledge in this language


def load_queries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cases(queries: list[dict[str, object]]) -> list[Case]:
    return [Case(str(q["query"]), frozenset(q["relevant"])) for q in queries]  # type: ignore[call-overload]


def language_pairs(kb: KnowledgeBase, queries: list[dict[str, object]]) -> dict[str, list[Case]]:
    """`fr->fr`, `en->en`, `fr->en`, `en->fr` cases (see the module docstring)."""
    langs = {d["id"]: d["language"] for d in kb.documents()}
    out: dict[str, list[Case]] = {f"{a}->{b}": [] for a in LANGUAGES for b in LANGUAGES}
    for q in queries:
        ql, rel = str(q["language"]), set(q["relevant"])  # type: ignore[call-overload]
        other = "en" if ql == "fr" else "fr"
        if any(langs.get(r) == ql for r in rel):
            out[f"{ql}->{ql}"].append(Case(str(q["query"]), frozenset(rel)))
        mapped = {r if langs.get(r) == other else f"{r[:-3]}-{other}" for r in rel if r.endswith(f"-{ql}")
                  or langs.get(r) == other} & {d for d, lang in langs.items() if lang == other}
        if mapped:
            out[f"{ql}->{other}"].append(Case(str(q["query"]), frozenset(mapped), other))
    return out


def evaluate(kb: KnowledgeBase, queries: list[dict[str, object]] | list[Case], mode: Mode,
             at: datetime | None = None, k: int = 10) -> RetrievalScore:
    """A query is answered at rank r when the r-th hit's document is one of its relevant documents."""
    hits_at = {1: 0, 3: 0, 5: 0}
    rr = 0.0
    for c in (q if isinstance(q, Case) else cases([q])[0] for q in queries):
        docs = [h.doc_id for h in kb.search(c.query, k=k, mode=mode, filters=SearchFilter(at=at, language=c.language))]
        rank = next((i + 1 for i, d in enumerate(docs) if d in c.relevant), None)
        if rank is not None:
            rr += 1.0 / rank
            for cut in hits_at:
                hits_at[cut] += rank <= cut
    n = max(1, len(queries))
    return RetrievalScore(mode, len(queries), hits_at[1] / n, hits_at[3] / n, hits_at[5] / n, rr / n)
