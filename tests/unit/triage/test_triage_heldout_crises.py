"""Triage on three whole crises nobody tuned on (tests/data/triage_heldout_crises.jsonl).

A telecom outage, a rail strike and a bank data exposure, in French and English on eight platforms,
written before any change to triage and never used for training or for choosing thresholds (those
came from leave-one-crisis-out on the training crises). Floors, not targets: they keep what was
measured (docs/DESIGN.md has the figures); a change that loses a safety, legal or press case fails.
"""

from functools import partial
from pathlib import Path

import pytest

from assistant.triage import triage
from assistant.triage.evaluate import TriageReport, evaluate_triage

HELDOUT = Path(__file__).resolve().parents[2] / "data" / "triage_heldout_crises.jsonl"


@pytest.fixture(scope="module")
def combined() -> TriageReport:
    return evaluate_triage(HELDOUT)


@pytest.fixture(scope="module")
def rules() -> TriageReport:
    return evaluate_triage(HELDOUT, classify=partial(triage, model=None))


def _caught(report: TriageReport, target: str) -> int:
    score = report.escalation.label(target)
    assert score is not None
    return round(score.recall * score.support)


def test_the_held_out_set_is_three_whole_crises() -> None:
    from assistant.triage.evaluate import load_cases

    cases = load_cases(HELDOUT)
    assert len(cases) >= 120 and {c.crisis for c in cases} == {"telecom", "rail", "bank"}
    assert {c.language for c in cases} == {"en", "fr"} and len({c.platform for c in cases}) >= 6


def test_the_learned_layer_escalates_what_the_rules_miss(combined: TriageReport, rules: TriageReport) -> None:
    assert combined.provider == "rules+model" and rules.provider == "rules"
    for target, floor in (("safety", 13), ("legal", 8), ("press", 7), ("support", 10)):
        assert _caught(combined, target) >= floor, target
        assert _caught(combined, target) >= _caught(rules, target), target
    assert combined.intent.accuracy >= 0.7 > rules.intent.accuracy
    assert combined.campaign_to_comms_lead == combined.campaign_members == 17
    assert combined.should_respond.accuracy >= 0.9
    assert combined.language.accuracy == 1.0
    assert combined.wrongly_escalated <= 12
