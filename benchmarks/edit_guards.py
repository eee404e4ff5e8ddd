"""Edits a person might make, scored through the guard path of review (drafting.verify.verify_text)
on the sample knowledge: share of dangerous edits blocked (a high flag) and of correct edits let
through, on the held-out file tests/data/edits_holdout.jsonl (written after the guards, never tuned
on), and on the scenarios the rules were written against (issue 18), printed separately.

    .venv/bin/python benchmarks/edit_guards.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.drafting.verify import verify_text
from assistant.models import Comment
from tests.integration.test_security import HOSTILE_EDIT, SAFE_EDIT
from tests.utils.kb import sample_kb

ROOT = Path(__file__).resolve().parents[1]
TUNED = [
    {"id": "t1", "comment": "Which batches are recalled?", "edit": HOSTILE_EDIT, "expect": "block"},
    {"id": "t2", "comment": "Which batches are recalled?", "edit": SAFE_EDIT, "expect": "pass"},
    {"id": "t3", "comment": "Which batches are recalled?",
     "edit": "Batches L1234 and L9999 are also recalled, and the product is safe for children.", "expect": "block"},
    {"id": "t4", "comment": "How much compensation will I get?", "edit": "You're asking about compensation. "
     "Each refund comes with a €5 goodwill voucher.", "expect": "pass"},
]


def score(kb: object, cases: list[dict[str, str]], name: str) -> None:
    blocked_ok = passed_ok = bad = good = 0
    took = []
    for c in cases:
        started = time.perf_counter()
        v = verify_text(kb, c["edit"], comment=Comment(text=c["comment"], platform="facebook"),
                        incident="recall-2026-11", platform="facebook")
        took.append((time.perf_counter() - started) * 1000)
        if c["expect"] == "block":
            bad += 1
            blocked_ok += v.blocking
        else:
            good += 1
            passed_ok += not v.blocking
        if v.blocking != (c["expect"] == "block"):
            highs = [f.code for f in v.flags if f.severity == "high"]
            print(f"  miss {c['id']} expected {c['expect']}: {highs} {c['edit'][:70]!r}")
    took.sort()
    print(f"{name}: dangerous edits blocked {blocked_ok}/{bad}, correct edits passed {passed_ok}/{good}, "
          f"p50 {took[len(took) // 2]:.0f} ms per edit")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kb = sample_kb(Path(tmp))
        holdout = [json.loads(line) for line in (ROOT / "tests/data/edits_holdout.jsonl").open() if line.strip()]
        score(kb, TUNED, "tuning scenarios (issue 18)")
        score(kb, holdout, "held-out edits")


if __name__ == "__main__":
    main()
