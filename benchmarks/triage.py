"""Triage latency per comment on the labelled set, and the near-duplicate grouping on 10k texts.

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
from assistant.triage.classify import triage
from assistant.triage.duplicates import near_duplicate_groups

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "triage_set.jsonl"


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    comments = [Comment(text=t) for t in texts]
    start = time.perf_counter()
    triage(comments[0])
    print(f"language model load + first comment: {(time.perf_counter() - start) * 1000:.0f} ms")

    wall, best, cpu = [], [], []
    for comment in comments:
        runs = []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            triage(comment)
            runs.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
        wall.append(runs[0][0])
        best.append(min(r[0] for r in runs))
        cpu.append(statistics.median(r[1] for r in runs))
    print(f"{len(comments)} comments from {path.name}")
    for name, values in (("wall, one pass", wall), ("wall, best of 3", best), ("cpu time", cpu)):
        print(f"  {name:<16} p50 {percentile(values, 50):6.3f} ms   p95 {percentile(values, 95):6.3f} ms   "
              f"max {max(values):6.3f} ms")

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
