"""Triage on whole crises: the fresh held-out set (score only) and the tuning crises (regression floors).

`triage_fresh_crises.jsonl`: a tour operator's collapse, a landlord's winter heating failure and an
offensive advert, fr + en on eight platforms, written before any change to the combination and never
used for training or for choosing a threshold. `triage_tuning_crises.jsonl`: the first held-out
crises (telecom outage, rail strike, bank data exposure), looked at too often to stay held out: now
training data, so its floors only catch a regression. Floors, not targets (docs/DESIGN.md has the
figures): a change that loses a safety, legal or press case fails.
"""

from functools import partial
from pathlib import Path

import pytest

from assistant.triage import triage
from assistant.triage.evaluate import TriageReport, evaluate_triage, load_cases

DATA = Path(__file__).resolve().parents[2] / "data"
FRESH = DATA / "triage_fresh_crises.jsonl"
TUNING = DATA / "triage_tuning_crises.jsonl"


@pytest.fixture(scope="module")
def tuning() -> TriageReport:
    return evaluate_triage(TUNING)


def _caught(report: TriageReport, target: str) -> int:
    score = report.escalation.label(target)
    assert score is not None
    return round(score.recall * score.support)


@pytest.mark.parametrize(("path", "crises"), [(FRESH, {"tour", "housing", "advert"}),
                                              (TUNING, {"telecom", "rail", "bank"})])
def test_each_set_is_three_whole_crises(path: Path, crises: set[str]) -> None:
    cases = load_cases(path)
    assert len(cases) >= 120 and {c.crisis for c in cases} == crises
    assert {c.language for c in cases} == {"en", "fr"} and len({c.platform for c in cases}) >= 6


def test_no_fresh_comment_is_in_a_training_set() -> None:
    fresh = {c.text for c in load_cases(FRESH)}
    for other in DATA.glob("triage_*.jsonl"):
        if other != FRESH:
            assert not fresh & {c.text for c in load_cases(other)}, other.name


def test_the_tuning_crises_keep_every_escalation(tuning: TriageReport) -> None:
    rules = evaluate_triage(TUNING, classify=partial(triage, model=None))
    assert tuning.provider == "rules+model" and rules.provider == "rules"
    for target in ("safety", "legal", "press", "support"):
        assert _caught(tuning, target) == tuning.escalation.label(target).support, target  # type: ignore[union-attr]
    assert tuning.intent.accuracy >= 0.9 > rules.intent.accuracy
    assert tuning.campaign_to_comms_lead == tuning.campaign_members == 17
    assert tuning.wrongly_escalated <= 6 and tuning.language.accuracy == 1.0


def test_the_fresh_crises_floors() -> None:
    """Measured once the combination was settled on the tuning crises (docs/DESIGN.md): floors, not goals."""
    combined = evaluate_triage(FRESH)
    for target, floor in (("safety", 14), ("legal", 9), ("press", 8), ("support", 9)):
        assert _caught(combined, target) >= floor, target
    assert combined.intent.accuracy >= 0.8 and combined.should_respond.accuracy >= 0.94
    assert combined.wrongly_escalated <= 8 and combined.language.accuracy == 1.0
