"""Retrieval quality on a labelled query set: hit@k and MRR per ranking mode (hybrid vs vector)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.knowledge.store import KnowledgeBase, Mode, SearchFilter


@dataclass(frozen=True)
class RetrievalScore:
    mode: str
    queries: int
    hit_at_1: float
    hit_at_3: float
    hit_at_5: float
    mrr: float


def load_queries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(kb: KnowledgeBase, queries: list[dict[str, object]], mode: Mode, at: datetime | None = None,
             k: int = 10) -> RetrievalScore:
    """A query is answered at rank r when the r-th hit's document is one of its relevant documents."""
    hits_at = {1: 0, 3: 0, 5: 0}
    rr = 0.0
    for q in queries:
        relevant = set(q["relevant"])  # type: ignore[call-overload]
        docs = [h.doc_id for h in kb.search(str(q["query"]), k=k, mode=mode, filters=SearchFilter(at=at))]
        rank = next((i + 1 for i, d in enumerate(docs) if d in relevant), None)
        if rank is not None:
            rr += 1.0 / rank
            for cut in hits_at:
                hits_at[cut] += rank <= cut
    n = max(1, len(queries))
    return RetrievalScore(mode, len(queries), hits_at[1] / n, hits_at[3] / n, hits_at[5] / n, rr / n)
