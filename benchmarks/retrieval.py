"""Retrieval quality on tests/data/retrieval_queries.jsonl (fr + en): hybrid vs vector-only vs lexical.
Run: .venv/bin/python benchmarks/retrieval.py"""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.config import Settings
from assistant.knowledge.evaluate import evaluate, load_queries
from assistant.knowledge.store import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    queries = load_queries(ROOT / "tests/data/retrieval_queries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Settings(data_dir=Path(tmp)))
        kb.ingest_path(ROOT / "knowledge")
        scores = {m: evaluate(kb, queries, m) for m in ("hybrid", "vector", "lexical")}  # type: ignore[arg-type]
        for lang in ("fr", "en"):
            sub = [q for q in queries if q["language"] == lang]
            for m in ("hybrid", "vector"):
                s = evaluate(kb, sub, m)  # type: ignore[arg-type]
                print(f"  {lang} {m:7} hit@1 {s.hit_at_1:.2f}  hit@3 {s.hit_at_3:.2f}  MRR {s.mrr:.3f}")
    print(f"{len(queries)} queries")
    for m, s in scores.items():
        print(f"{m:8} hit@1 {s.hit_at_1:.2f}  hit@3 {s.hit_at_3:.2f}  hit@5 {s.hit_at_5:.2f}  MRR {s.mrr:.3f}")
    print(f"hybrid / vector MRR ratio: {scores['hybrid'].mrr / scores['vector'].mrr:.2f}x")
