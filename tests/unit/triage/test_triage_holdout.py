"""Triage on a held-out set written after the rules, never used to tune them (tests/data/triage_holdout.jsonl).

The main set (triage_set.jsonl) was written alongside the rules; this one tells how they generalise.
Floors, not targets: escalation to legal, press and safety must never be missed.
"""

from pathlib import Path

from assistant.triage.evaluate import evaluate_triage

HOLDOUT = Path(__file__).resolve().parents[2] / "data" / "triage_holdout.jsonl"


def test_holdout_never_misses_legal_press_or_safety() -> None:
    report = evaluate_triage(HOLDOUT)
    assert report.n == 40
    for target in ("legal", "press", "safety"):
        score = report.escalation.label(target)
        assert score is not None and score.support > 0 and score.recall == 1.0, (target, score)
    assert report.language.accuracy >= 0.98
    # measured 0.90 when the set was written; 0.85 -> 0.825 when the third fresh crises joined the model's
    # training (one comment: "Found a sharp bit of metal in my bowl" now read as safety, its label complaint)
    assert report.intent.accuracy >= 0.8
    assert report.should_respond.accuracy >= 0.9


def test_extra_regression_set_keeps_every_escalation() -> None:
    """230 more comments (tuned on after one blind measurement: a regression guard, not evidence)."""
    report = evaluate_triage(HOLDOUT.parent / "triage_extra.jsonl")
    for target in ("legal", "press", "safety"):
        score = report.escalation.label(target)
        assert score is not None and score.recall == 1.0, (target, score)
    assert report.intent.macro_f1 >= 0.9 and report.language.accuracy >= 0.98
