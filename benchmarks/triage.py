"""Triage latency per comment on the labelled set (rules alone vs rules + learned layer), and the
near-duplicate grouping on 10k texts.

    python benchmarks/triage.py [path/to/set.jsonl]

Prints wall-clock p50/p95/max over every comment (one pass, model already loaded), the same with
the best of three runs per comment (what the code costs when the machine is not busy elsewhere),
and CPU time per comment.
"""

from __future__ import annotations

import json
import random
import statistics
import string
import sys
import time
from pathlib import Path

from assistant.models import Comment
from assistant.text import encoder
from assistant.triage.classify import triage
from assistant.triage.duplicates import near_duplicate_groups
from assistant.triage.learned import TriageModel, load_model, model_path

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "triage_set.jsonl"


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))]


def measure(comments: list[Comment], model: TriageModel | None) -> dict[str, list[float]]:
    wall, best, cpu = [], [], []
    for comment in comments:
        runs = []
        for _ in range(3):
            with encoder._cache_lock:  # every run encodes the comment, as a new comment would be
                encoder._cache.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            triage(comment, model=model)
            runs.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
        wall.append(runs[0][0])
        best.append(min(r[0] for r in runs))
        cpu.append(statistics.median(r[1] for r in runs))
    return {"wall, one pass": wall, "wall, best of 3": best, "cpu time": cpu}


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    comments = [Comment(text=t) for t in texts]
    start = time.perf_counter()
    triage(comments[0], model=None)
    print(f"language model load + first comment: {(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    model = load_model()
    assert model is not None, "no shipped triage model: run `crisis-desk triage train`"
    triage(comments[0], model=model)
    print(f"sentence encoder + triage model load: {(time.perf_counter() - start) * 1000:.0f} ms "
          f"(model file {model_path().stat().st_size / 1024:.0f} kB, trained on {model.meta['examples']} "
          f"comments in {model.meta.get('train_seconds', '?')} s)")

    print(f"{len(comments)} comments from {path.name}")
    layers = {"rules": measure(comments, None), "rules+model": measure(comments, model)}
    for layer, series in layers.items():
        for name, values in series.items():
            print(f"  {layer:<12}{name:<16} p50 {percentile(values, 50):6.3f} ms   "
                  f"p95 {percentile(values, 95):6.3f} ms   max {max(values):6.3f} ms")
    for q in (50, 95):
        rules_q = percentile(layers["rules"]["wall, best of 3"], q)
        both_q = percentile(layers["rules+model"]["wall, best of 3"], q)
        print(f"  learned layer costs {both_q / rules_q:.1f}x the rules alone at p{q} "
              f"({both_q:.2f} ms vs {rules_q:.2f} ms, best of 3)")

    rng = random.Random(0)
    core = "I demand a full refund and a public apology from Alpena for selling metal in granola"
    dupes = [f"@user{i} {core}{rng.choice(['!', '.', ''])}" for i in range(3000)]
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9))) for _ in range(2000)]
    # A 10-word vocabulary is the worst case: every text shares most shingles, so LSH proposes many pairs.
    tiny = ["granola", "batch", "refund", "metal", "recall", "hotline", "box", "child", "school", "store"]
    for name, words in (("2,000-word vocabulary", vocab), ("10-word vocabulary (worst case)", tiny)):
        others = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 30))) + f" #{i}" for i in range(7000)]
        start = time.perf_counter()
        groups = near_duplicate_groups(dupes + others)
        print(f"near_duplicate_groups on 10,000 texts, {name}: {time.perf_counter() - start:.2f} s, "
              f"{len(groups)} groups, largest {max(len(g) for g in groups)}")


if __name__ == "__main__":
    main()
