"""What answer-first composing costs: the composer (questions, answers, assembly) against the whole
offline draft (triage, retrieval with the query embedding, composer, citations, guards), on the
sample knowledge base and the tuning comments of tests/data/answers_tuning/recall-2026-11.

Times are CPU time of this process (time.process_time), comparable on a shared machine where wall
time mostly measures the other sessions. `--words-only` ranks answers by shared words alone (no
sentence vectors): the ratio printed is what ranking by meaning costs.

Run: .venv/bin/python benchmarks/answers.py [--rounds 5] [--words-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import Settings
from assistant.drafting import composer
from assistant.drafting.chain import draft_reply
from assistant.models import Comment, DraftRequest
from assistant.runtime import Runtime
from assistant.text import encoder

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests/data/answers_tuning/recall-2026-11/comments.jsonl"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--words-only", action="store_true", help="no ranking by meaning (the naive baseline)")
    args = parser.parse_args()
    if args.words_only:
        composer.similarities = lambda questions, *_: [{} for _ in questions]  # type: ignore[assignment]
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings(data_dir=Path(tmp)))
        runtime.kb.ingest_path(ROOT / "knowledge")
        compose_ms: list[float] = []
        original = composer.compose

        def timed(*a, **kw):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return original(*a, **kw)
            finally:
                compose_ms.append((time.process_time() - start) * 1000)

        import assistant.drafting.chain as chain

        chain.compose = timed  # type: ignore[assignment]
        draft_ms: list[float] = []
        for r in range(args.rounds + 1):
            for row in rows:
                comment = Comment(text=row["text"], author=row.get("author"), platform=row.get("platform", "other"))
                encoder._cache.clear()  # a real stream brings new comments: no vector from an earlier round
                start = time.process_time()
                asyncio.run(draft_reply(runtime, DraftRequest(comment=comment, incident="recall-2026-11")))
                if r:  # round 0 warms the model and the caches
                    draft_ms.append((time.process_time() - start) * 1000)
            if r == 0:
                compose_ms.clear()
        runtime.close()
    print(f"{len(draft_ms)} drafts ({len(rows)} comments x {args.rounds} rounds), sample knowledge base, CPU time"
          + (", words only" if args.words_only else ", words + meaning"))
    print(f"whole offline draft   p50 {statistics.median(draft_ms):6.1f} ms   p95 {pct(draft_ms, 0.95):6.1f} ms")
    print(f"composer (answering)  p50 {statistics.median(compose_ms):6.1f} ms   p95 {pct(compose_ms, 0.95):6.1f} ms")
    print(f"composer share of a draft: {sum(compose_ms) / sum(draft_ms):.0%}")


if __name__ == "__main__":
    main()
