"""Retrieval quality, offline models side by side: hit@1/hit@5/MRR overall and per language pair
(fr->fr, en->en, fr->en-only, en->fr-only; see assistant/knowledge/evaluate.py) for USE-multilingual
and MiniLM, hybrid and vector-only (lexical once: it does not depend on the model).

Two sets: the tuning set (the sample knowledge, tests/data/retrieval_queries.jsonl, which the analysis
was tuned on) and the held-out set (a second fictional crisis, tests/data/holdout/, written after the
choices were made and only scored against).
Run: .venv/bin/python benchmarks/retrieval.py [--models use,minilm]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.knowledge.evaluate import cases, evaluate, language_pairs, load_queries
from assistant.knowledge.store import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
SETS = {"tuning": (ROOT / "knowledge", ROOT / "tests/data/retrieval_queries.jsonl"),
        "held-out": (ROOT / "tests/data/holdout/knowledge", ROOT / "tests/data/holdout/retrieval_queries.jsonl")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="use,minilm")
    args = ap.parse_args()
    models = args.models.split(",")
    mrr: dict[tuple[str, str, str, str], float] = {}
    for set_name, (folder, qpath) in SETS.items():
        queries = load_queries(qpath)
        print(f"\n{set_name}: {len(queries)} queries on {folder.relative_to(ROOT)}")
        print(f"  {'group':8} {'n':>3}  {'model':7} {'mode':7}  hit@1  hit@5    MRR")
        for model in models:
            with tempfile.TemporaryDirectory() as tmp:
                kb = KnowledgeBase(Settings(data_dir=Path(tmp), embedding_provider=model))  # type: ignore[arg-type]
                t = time.perf_counter()
                kb.ingest_path(folder)
                took = time.perf_counter() - t
                groups = {"all": cases(queries), **language_pairs(kb, queries)}
                for group, items in groups.items():
                    for mode in ("hybrid", "vector", "lexical"):
                        if mode == "lexical" and model != models[0]:
                            continue
                        s = evaluate(kb, items, mode)  # type: ignore[arg-type]
                        mrr[(set_name, group, model, mode)] = s.mrr
                        print(f"  {group:8} {s.queries:3d}  {model:7} {mode:7}  {s.hit_at_1:5.2f}  {s.hit_at_5:5.2f}  "
                              f"{s.mrr:5.3f}")
                print(f"  ({model}: {kb.count()} chunks ingested in {took:.1f}s)")
        if len(models) > 1:
            a, b = models[0], models[1]
            for group in ("all", "fr->en", "en->fr"):
                print(f"  {group:8} hybrid MRR {a} / {b}: "
                      f"{mrr[(set_name, group, a, 'hybrid')] / max(1e-9, mrr[(set_name, group, b, 'hybrid')]):.2f}x")


if __name__ == "__main__":
    main()
