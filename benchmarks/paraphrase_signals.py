"""How far the signals grouping by meaning can use separate rewordings from other questions (tuning sets only).

For every pair of comments of one crisis and one reply language in the labelled tuning sets
(tests/data/question_groups_{tuning,holdout,holdout2,holdout3}.jsonl, the knowledge of benchmarks/paraphrases.py),
each signal batch/paraphrases.py and batch/answer_keys.py could use is computed:
- closeness of the whole comments and of their questions (USE cosine);
- closeness of the words only one of them asks with (the leftovers, paraphrases.words_close);
- the same signature parts (identifiers, names, who is affected, specific kinds of question);
- the same top knowledge sentence by meaning, and the share of their top three;
- the answer plans: Jaccard of their sentences, the same verdicts, the same kinds of question.
Printed: each signal alone (recall and precision over the gold pairs), then a logistic regression over
all of them trained leaving one crisis out, its precision at several recalls: the ceiling of these
signals, not a method (a comment's group is still decided by the rules of paraphrases.py).

    python benchmarks/paraphrase_signals.py
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from paraphrases import KNOWLEDGE, load  # noqa: E402


def comment_signals(rows: list[dict[str, Any]], work: Path) -> list[dict[str, Any] | None]:
    from assistant.batch.paraphrases import read
    from assistant.config import Settings
    from assistant.drafting.answers import plan_answers
    from assistant.drafting.candidates import candidates
    from assistant.drafting.context import comment_context
    from assistant.drafting.meaning import similarities
    from assistant.drafting.retrieval import reply_language
    from assistant.models import Comment
    from assistant.runtime import Runtime
    from assistant.text.encoder import encode
    from assistant.triage.classify import triage

    runtimes: dict[str, Any] = {}
    out: list[dict[str, Any] | None] = []
    for r in rows:
        incident, folder = KNOWLEDGE[r["crisis"]]
        if r["crisis"] not in runtimes:
            runtimes[r["crisis"]] = Runtime(Settings(data_dir=work / r["crisis"]))
            runtimes[r["crisis"]].kb.ingest_path(folder)
        kb = runtimes[r["crisis"]].kb
        comment = Comment(text=r["text"], platform="facebook")
        tri = triage(comment)
        reading = read(comment, tri)
        if reading is None:
            out.append(None)
            continue
        masked, ctx = comment_context(kb, comment, tri, incident=incident)
        language = reply_language(tri.language)
        plan = plan_answers(masked.text, ctx.sources, language)
        texts = [c.text for c in candidates(ctx.sources, language)]
        sims = similarities([reading.questions], masked.text, texts)[0]
        whole, asked = encode([reading.whole, reading.questions])
        out.append({"reading": reading, "language": language, "whole": whole, "asked": asked,
                    "top": [t for t, _ in sorted(sims.items(), key=lambda kv: -kv[1])[:3]],
                    "sentences": {t for a in plan for t, _ in a.sentences},
                    "verdicts": tuple(a.verdict for a in plan), "kinds": tuple(a.question.kind for a in plan),
                    "found": bool(plan) and all(a.found for a in plan)})
    for rt in runtimes.values():
        rt.close()
    return out


FEATURES = ("whole", "questions", "words", "signature", "top1", "top3", "plan", "verdicts", "kinds")


def pair_features(a: dict[str, Any], b: dict[str, Any]) -> list[float]:
    from assistant.batch.paraphrases import words_close_to

    sa, sb = a["reading"].signature, b["reading"].signature
    words = 0.0
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6):  # the leftovers' closeness, in steps (one encoder call each)
        words += float(words_close_to(a["reading"].words, [b["reading"].words], threshold)[0]) / 5
    union = a["sentences"] | b["sentences"]
    return [float(a["whole"] @ b["whole"]), float(a["asked"] @ b["asked"]), words, float(sa[1:] == sb[1:]),
            float(bool(a["top"]) and a["top"][:1] == b["top"][:1]), len(set(a["top"]) & set(b["top"])) / 3,
            len(a["sentences"] & b["sentences"]) / len(union) if union else 0.0,
            float(a["found"] and b["found"] and a["verdicts"] == b["verdicts"]), float(a["kinds"] == b["kinds"])]


def main() -> None:
    from assistant.drafting.ranker import fit

    rows = [r for r in load("all-tuning") if r["crisis"] in KNOWLEDGE]
    with tempfile.TemporaryDirectory() as tmp:
        signals = comment_signals(rows, Path(tmp))
    gold_pairs = 0
    x, y, crisis = [], [], []
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        if a["crisis"] != b["crisis"]:
            continue
        same = (a["group"], a["lang"]) == (b["group"], b["lang"])
        gold_pairs += same
        sa, sb = signals[i], signals[j]
        if sa is None or sb is None or sa["language"] != sb["language"]:
            continue
        x.append(pair_features(sa, sb))
        y.append(float(same))
        crisis.append(a["crisis"])
    xs, ys = np.array(x), np.array(y)
    print(f"{len(rows)} comments, {gold_pairs} gold pairs, {len(ys)} pairs that could be grouped "
          f"({int(ys.sum())} gold)")
    for k, name in enumerate(FEATURES):
        for threshold in ((0.5, 0.65, 0.75) if k < 2 else (0.34, 0.5, 1.0) if name == "plan" else (0.5,)):
            chosen = xs[:, k] >= threshold
            right = int(ys[chosen].sum())
            print(f"  {name} >= {threshold}: recall {right / gold_pairs:.3f}, precision "
                  f"{right / max(1, int(chosen.sum())):.3f}")
    scores = np.zeros(len(ys))
    groups = defaultdict(list)
    for n, c in enumerate(crisis):
        groups[c].append(n)
    for held in groups.values():
        train = np.ones(len(ys), dtype=bool)
        train[held] = False
        scores[held] = fit(xs[train], ys[train]).probabilities(xs[held])
    print("all signals, logistic regression, each crisis left out in turn:")
    order = np.argsort(-scores)
    for want in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
        needed = want * gold_pairs
        hits = np.cumsum(ys[order])
        at = int(np.searchsorted(hits, needed))
        if at >= len(order):
            print(f"  recall {want:.2f}: not reached")
            continue
        print(f"  recall {want:.2f}: precision {hits[at] / (at + 1):.3f}")


if __name__ == "__main__":
    main()
