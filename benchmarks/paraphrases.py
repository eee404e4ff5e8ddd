"""Grouping by meaning (assistant/batch/paraphrases.py), scored on labelled rewordings in French and English.

Each row of tests/data/question_groups_*.jsonl is a comment with its crisis and gold group (the same
question, the same identifiers, the same reply language). Grouping runs per crisis, like a batch.
Printed: pair precision first (a wrong merge sends a wrong answer to every member), pair recall,
wrongly merged groups, and core answers needed (provider calls) vs one per comment.

    python benchmarks/paraphrases.py                      # tuning set at the shipped thresholds
    python benchmarks/paraphrases.py --grid               # tuning sets, thresholds swept
    python benchmarks/paraphrases.py --set holdout2       # the held-out crises, scored once at the end

Round 1 tuned on `tuning` and scored `holdout` once (precision 0.474): that set is tuning data since,
and `holdout2` (two new crises, written before any change that followed) is the held-out set.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


SETS = {"tuning": ("tuning",), "holdout": ("holdout",), "tuning+holdout": ("tuning", "holdout"),
        "holdout2": ("holdout2",)}


def load(name: str) -> list[dict[str, Any]]:
    rows = []
    for part in SETS[name]:
        path = ROOT / "tests" / "data" / f"question_groups_{part}.jsonl"
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def score(rows: list[dict[str, Any]], **thresholds: float) -> dict[str, Any]:
    from assistant.batch.paraphrases import same_question_groups
    from assistant.models import Comment

    by_crisis: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_crisis[r["crisis"]].append(i)
    predicted: list[list[int]] = []
    for members in by_crisis.values():
        comments = [Comment(text=rows[i]["text"], platform="facebook") for i in members]
        predicted += [[members[j] for j in g] for g in same_question_groups(comments, **thresholds)]
    gold = {i: (r["crisis"], r["group"], r["lang"]) for i, r in enumerate(rows)}
    pred_pairs = {(a, b) for g in predicted for a, b in itertools.combinations(sorted(g), 2)}
    gold_groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, label in gold.items():
        gold_groups[label].append(i)
    gold_pairs = {(a, b) for g in gold_groups.values() for a, b in itertools.combinations(sorted(g), 2)}
    right = pred_pairs & gold_pairs
    wrong = [g for g in predicted if len({gold[i] for i in g}) > 1]
    grouped = sum(len(g) for g in predicted)
    calls = len(rows) - grouped + len(predicted)
    return {"precision": len(right) / len(pred_pairs) if pred_pairs else 1.0,
            "recall": len(right) / len(gold_pairs) if gold_pairs else 1.0,
            "pairs": len(pred_pairs), "gold_pairs": len(gold_pairs), "groups": len(predicted),
            "wrong_groups": len(wrong), "calls": calls, "comments": len(rows),
            "best_calls": len(gold_groups),
            "wrong": [[rows[i]["text"] for i in g] for g in wrong]}


def show(name: str, result: dict[str, Any], label: str = "") -> None:
    print(f"{name}{label}: pair precision {result['precision']:.3f}, recall {result['recall']:.3f} "
          f"({result['pairs']} pairs predicted, {result['gold_pairs']} gold); {result['groups']} groups, "
          f"{result['wrong_groups']} wrongly merged; provider calls {result['calls']} for {result['comments']} "
          f"comments (one per gold group: {result['best_calls']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=list(SETS), default="tuning+holdout")
    parser.add_argument("--grid", action="store_true", help="sweep the thresholds (tuning set only)")
    parser.add_argument("--verbose", action="store_true", help="print the wrongly merged groups")
    args = parser.parse_args()
    if args.grid and "holdout2" in args.set:
        parser.error("tune on the tuning sets only")
    rows = load(args.set)
    if args.grid:
        for w, q in itertools.product((0.6, 0.65, 0.7, 0.75, 0.8, 0.85), (0.6, 0.65, 0.7, 0.75, 0.8, 0.85)):
            show(args.set, score(rows, whole_threshold=w, question_threshold=q), f" whole>={w} question>={q}")
        return
    result = score(rows)
    show(args.set, result)
    if args.verbose:
        for g in result["wrong"]:
            print("  wrong:", " | ".join(g))


if __name__ == "__main__":
    main()
