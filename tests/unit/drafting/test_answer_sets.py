"""The crises written for the learned answer ranker are whole (both languages, several platforms,
comments that need no reply, yes/no verdicts) and each has a superseded fact sheet whose outdated
figures the crisis-wide forbidden patterns catch, while the current knowledge does not trip them.
(That every required fact is in its crisis's current knowledge is checked for every set in
test_answer_sets_fair.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.drafting.evaluate import load_set, normalise
from assistant.knowledge.loaders import load_folder
from assistant.models import DocumentIn

TUNING = Path(__file__).resolve().parents[3] / "tests/data/answers_tuning"
# Crises written for the learned answer ranker: whole sets (the older ones are smaller).
RANKER_CRISES = {"boilwater-2026-12", "bankapp-2026-12", "parcels-2026-11", "canteen-2026-12"}


def _current(doc: DocumentIn, now: datetime) -> bool:
    def aware(d: datetime) -> datetime:
        return d if d.tzinfo else d.replace(tzinfo=UTC)

    return (doc.approved and (doc.valid_from is None or aware(doc.valid_from) <= now)
            and (doc.valid_until is None or aware(doc.valid_until) > now))


def _knowledge(folder: Path) -> tuple[str, str]:
    """(current approved text, superseded text) of a crisis's knowledge, normalised like the scorer."""
    docs, errors = load_folder(folder)
    assert not errors, errors
    now = datetime.now(UTC)
    current = " ".join(normalise(f"{d.title} {d.text}") for d in docs if _current(d, now))
    old = " ".join(normalise(d.text) for d in docs if not _current(d, now))
    return current, old


@pytest.mark.parametrize("name", sorted(RANKER_CRISES))
def test_the_ranker_crises_are_whole_and_their_old_sheet_differs(name: str) -> None:
    labelled = load_set(TUNING / name)
    cases = labelled.cases
    assert 25 <= len(cases) <= 32 and len({c.id for c in cases}) == len(cases)
    assert {c.language for c in cases} == {"en", "fr"} and len({c.platform for c in cases}) >= 4
    assert sum(not c.expect_reply for c in cases) >= 1
    assert sum(1 for c in cases for f in c.required if f.verdict) >= 3
    current, old = _knowledge(labelled.knowledge)
    assert old, "a superseded fact sheet is part of every ranker crisis"
    # Some figure of the superseded sheet is no longer true: the crisis-wide forbidden patterns catch it.
    assert any(p.search(old) for p in labelled.forbidden)
    assert not any(p.search(current) for p in labelled.forbidden[:4])
