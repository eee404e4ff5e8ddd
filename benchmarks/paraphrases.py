"""Grouping by meaning (assistant/batch/paraphrases.py), scored on labelled rewordings in French and English.

Each row of tests/data/question_groups_*.jsonl is a comment with its crisis and gold group (the same
question, the same identifiers, the same reply language). Grouping runs per crisis, like a batch.
Printed: pair precision first (a wrong merge sends a wrong answer to every member), pair recall,
wrongly merged groups, and core answers needed (provider calls) vs one per comment.

    python benchmarks/paraphrases.py                        # tuning sets, vectors + the answer check
    python benchmarks/paraphrases.py --grid                 # tuning sets, thresholds swept
    python benchmarks/paraphrases.py --vectors-only         # without the answer check (rounds 1-2)
    python benchmarks/paraphrases.py --set holdout6         # the held-out crises, scored once at the end

Round 1 tuned on `tuning` and scored `holdout` once (precision 0.474); round 2 scored `holdout2` once
(1 pair, wrong). Round 3 (the answer check, batch/answer_keys.py) and round 4 (the leftover-words
check) scored `holdout3` (precision 0.667). All four are tuning data since (`all-tuning`, `--each`);
round 5 (the same answer plan, items as named, "not known yet" needing closer meaning) is held out on
`holdout4`, written by someone else and scored once by the lead: precision 1.000 (1 pair), recall
0.021. `holdout5` (e-bike battery recall, supermarket loyalty points, flooded parcel depot; 101 comments,
50 gold pairs, 20 designed look-alike pairs) was scored once at the end of round 6 (0 pairs grouped) and
is tuning data since round 7. `holdout6` is round 7's held-out set, written by another session and
scored once by the lead (`--set holdout6`). Each crisis's knowledge: KNOWLEDGE below (a held-out set's
crises need theirs in tests/data/question_groups_knowledge). Also printed: the cost of grouping per
comment.

    python benchmarks/paraphrases.py --each                 # each tuning set on its own
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


SETS = {"tuning": ("tuning",), "holdout": ("holdout",), "holdout2": ("holdout2",),
        "tuning+holdout": ("tuning", "holdout"), "holdout3": ("holdout3",),
        "all-tuning": ("tuning", "holdout", "holdout2", "holdout3", "holdout5"), "holdout4": ("holdout4",),
        "holdout5": ("holdout5",), "holdout6": ("holdout6",)}
TUNING = ("tuning", "holdout", "holdout2", "holdout3", "holdout5")  # --each: every tuning set on its own
HELD_OUT = ("holdout4", "holdout6")


def load(name: str) -> list[dict[str, Any]]:
    rows = []
    for part in SETS[name]:
        path = ROOT / "tests" / "data" / f"question_groups_{part}.jsonl"
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


# Each crisis's knowledge (incident id, folder): the answer-level check plans each comment's answer from it.
DATA = ROOT / "tests" / "data"
KNOWLEDGE = {
    "granola-recall": ("recall-2026-11", ROOT / "knowledge"),
    "telecom-outage": ("outage-2026-11", DATA / "answers_tuning" / "outage-2026-11" / "knowledge"),
    "festival-cancelled": ("festival-2026-08", DATA / "answers_tuning" / "festival-2026-08" / "knowledge"),
}
for _folder in sorted((DATA / "question_groups_knowledge").iterdir()):
    KNOWLEDGE[_folder.name] = (_folder.name, _folder)


class Answers:
    """answer_of for each crisis, against a knowledge base of its own documents, cached by text (the
    answers do not depend on the thresholds swept)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.runtimes: dict[str, Any] = {}
        self.cache: dict[tuple[str, str], Any] = {}

    def of(self, crisis: str) -> Any:
        from assistant.batch.answer_keys import answers_from
        from assistant.config import Settings
        from assistant.runtime import Runtime

        incident, folder = KNOWLEDGE[crisis]
        if crisis not in self.runtimes:
            rt = Runtime(Settings(data_dir=self.work / crisis))
            rt.kb.ingest_path(folder)
            self.runtimes[crisis] = rt
        plan = answers_from(self.runtimes[crisis].kb, incident)

        def cached(comment: Any, tri: Any) -> Any:
            key = (crisis, comment.text)
            if key not in self.cache:
                self.cache[key] = plan(comment, tri)
            return self.cache[key]
        return cached


def score(rows: list[dict[str, Any]], answers: Answers | None = None, **thresholds: float) -> dict[str, Any]:
    from assistant.batch.paraphrases import same_question_groups
    from assistant.models import Comment

    by_crisis: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_crisis[r["crisis"]].append(i)
    predicted: list[list[int]] = []
    for members in by_crisis.values():
        comments = [Comment(text=rows[i]["text"], platform="facebook") for i in members]
        answer_of = answers.of(rows[members[0]]["crisis"]) if answers is not None else None
        predicted += [[members[j] for j in g] for g in same_question_groups(comments, answer_of=answer_of,
                                                                            **thresholds)]
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
    parser.add_argument("--set", choices=list(SETS), default="all-tuning")
    parser.add_argument("--grid", action="store_true", help="sweep the thresholds (tuning sets only)")
    parser.add_argument("--vectors-only", action="store_true",
                        help="without the answer-level check (the round 1-2 method)")
    parser.add_argument("--verbose", action="store_true", help="print the wrongly merged groups")
    parser.add_argument("--each", action="store_true", help="each tuning set on its own, shipped thresholds")
    args = parser.parse_args()
    if args.grid and args.set in HELD_OUT:
        parser.error("tune on the tuning sets only")
    if args.each:
        for name in TUNING:
            run(name, load(name), args)
        return
    run(args.set, load(args.set), args)


def run(name: str, rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    if not args.vectors_only:
        missing = sorted({r["crisis"] for r in rows} - set(KNOWLEDGE))
        if missing:
            print(f"no knowledge for {', '.join(missing)}: left out")
            rows = [r for r in rows if r["crisis"] in KNOWLEDGE]
    with tempfile.TemporaryDirectory() as tmp:
        answers = None if args.vectors_only else Answers(Path(tmp))
        if args.grid:
            overlaps = (None,) if answers is None else (1.0, 0.5)
            for w, q, u, o, words in itertools.product((0.4, 0.5, 0.65), (0.4, 0.5, 0.6, 0.75), (0.6, 0.7),
                                                       overlaps, (0.3, 0.4, 0.5)):
                extra = {} if o is None else {"min_overlap": o, "unsettled_threshold": max(q, u)}
                show(name, score(rows, answers, whole_threshold=w, question_threshold=q, words_threshold=words,
                                 **extra),
                     f" whole>={w} question>={q} words>={words}"
                     + ("" if o is None else f" unsettled>={max(q, u)} overlap>={o}"))
            return
        # Vectors only: the round-2 thresholds, the method that failed on held-out crises.
        for crisis in {r["crisis"] for r in rows} if answers is not None else ():
            answers.of(crisis)  # the knowledge ingested before the clock starts
        from assistant.batch.runner import warm_up

        warm_up()  # triage's model and the encoder loaded, as the runner does before planning
        started = time.perf_counter()
        result = score(rows, answers) if answers is not None else score(rows, whole_threshold=0.75,
                                                                        question_threshold=0.85)
        cost = (time.perf_counter() - started) * 1000 / max(1, len(rows))
        show(name, result, " (vectors only)" if answers is None else " (vectors + same answer)")
        from assistant.triage.duplicates import near_duplicate_groups

        started = time.perf_counter()
        for crisis in {r["crisis"] for r in rows}:  # the naive alternative: copies only, per crisis
            near_duplicate_groups([r["text"] for r in rows if r["crisis"] == crisis], 0.8)
        copies = (time.perf_counter() - started) * 1000 / max(1, len(rows))
        print(f"grouping cost: {cost:.1f} ms per comment (every comment distinct, first sight: "
              f"triage, vectors, answer plans, leftover words) vs {copies:.2f} ms for copies only "
              f"({cost / max(copies, 1e-6):.0f}x)")
        if args.verbose:
            for g in result["wrong"]:
                print("  wrong:", " | ".join(g))


if __name__ == "__main__":
    main()
