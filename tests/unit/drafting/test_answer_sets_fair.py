"""The labelled answer sets are fair: every required fact is stated in its crisis's current knowledge.

A required fact that only a superseded (or unapproved, or not yet valid) document states cannot be
met by an honest draft, so it would measure the labeller, not the composer. For each comment of the
labelled sets (tuning too; a thank-you owed to praise is the one exception), at least one alternative
of every required fact must occur (on the scorer's folded text) in the approved documents valid today
in the comment's language; a verdict's item must be named by the comment or the knowledge. The
crisis-wide forbidden patterns of the held-out crises (the superseded facts) must match no current
document but a guideline, and each held-out crisis keeps a superseded version that they catch; a
comment's own forbidden patterns match none of its crisis's current documents either (a draft that
quotes the knowledge faithfully is never penalised). Each held-out folder is three new crises whose
comments appear in no other set.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.drafting.evaluate import AnswerSet, find_sets, load_set, normalise, not_valid_yet
from assistant.knowledge.loaders import load_folder
from assistant.models import DocumentIn

DATA = Path(__file__).resolve().parents[3] / "tests/data"
HELD_OUT = ("answers_holdout4", "answers_holdout5", "answers_holdout6", "answers_holdout7", "answers_holdout8")
# Held-out sets written with praise or spam that needs no reply; answers_holdout6, _holdout7 and _holdout8 owe a
# reply to every comment.
WITH_NO_REPLY = ("answers_holdout4", "answers_holdout5")
CHECKED = (*HELD_OUT, "answers_tuning")
COURTESY = {"merci", "thank"}  # a thank-you to praise is owed, not stated by the knowledge


def _current(doc: DocumentIn, now: datetime) -> bool:
    return doc.approved and (doc.valid_from is None or doc.valid_from <= now) and (
        doc.valid_until is None or doc.valid_until > now)


def _knowledge(answer_set: AnswerSet) -> tuple[list[DocumentIn], list[DocumentIn]]:
    """(current, superseded) documents of a crisis, as the knowledge base would see them today."""
    docs, errors = load_folder(answer_set.knowledge)
    assert not errors, errors
    now = datetime.now(UTC)
    return ([d for d in docs if _current(d, now)],
            [d for d in docs if d.valid_until is not None and d.valid_until <= now])


def _sets(folder: str) -> list[AnswerSet]:
    return [load_set(p) for p in find_sets(DATA / folder)]


@pytest.mark.parametrize("folder", CHECKED)
def test_every_required_fact_is_in_the_current_knowledge_of_its_language(folder: str) -> None:
    unfair = []
    for answer_set in _sets(folder):
        current, _ = _knowledge(answer_set)
        by_language = {lang: normalise("\n".join(f"{d.title}\n{d.text}" for d in current
                                                 if d.language == lang))
                       for lang in {c.language for c in answer_set.cases}}
        for case in answer_set.cases:
            text = by_language[case.language]
            for fact in case.required:
                if fact.verdict:
                    if fact.item and normalise(fact.item) not in normalise(case.text) + " " + text:
                        unfair.append(f"{answer_set.name}/{case.id}: item {fact.item!r} named nowhere")
                elif not any(normalise(a) in text or normalise(a) in COURTESY for a in fact.any_of):
                    unfair.append(f"{answer_set.name}/{case.id}: {fact.label()!r} not in the current "
                                  f"{case.language} knowledge")
    assert not unfair, "\n".join(unfair)


@pytest.mark.parametrize("folder", HELD_OUT)
def test_forbidden_patterns_catch_the_superseded_facts_only(folder: str) -> None:
    for answer_set in _sets(folder):
        current, superseded = _knowledge(answer_set)
        assert superseded, f"{answer_set.name}: no superseded document to tempt the drafts"
        for doc in (d for d in current if d.kind != "guideline"):  # a guideline lists the banned phrases
            hits = [p.pattern for p in answer_set.forbidden if p.search(doc.text) or p.search(normalise(doc.text))]
            assert not hits, f"{answer_set.name}: current document {doc.id} matches forbidden {hits}"
        old = "\n".join(d.text for d in superseded)
        assert any(p.search(old) for p in answer_set.forbidden), \
            f"{answer_set.name}: no forbidden pattern catches the superseded facts"


@pytest.mark.parametrize("folder", HELD_OUT)
def test_a_comments_forbidden_claims_are_not_in_the_current_knowledge(folder: str) -> None:
    for answer_set in _sets(folder):
        current, _ = _knowledge(answer_set)
        texts = [d.text for d in current if d.kind != "guideline"]
        for case in answer_set.cases:
            hits = [p.pattern for p in case.forbidden for t in texts if p.search(t) or p.search(normalise(t))]
            assert not hits, f"{answer_set.name}/{case.id}: forbidden {hits} is stated by the current knowledge"


@pytest.mark.parametrize("folder", HELD_OUT)
def test_each_holdout_is_new_crises_ready_today(folder: str) -> None:
    holdout = _sets(folder)
    others = _sets("answers_tuning") + [s for f in HELD_OUT if f != folder for s in _sets(f)]
    assert len(holdout) == 3 and all(len(s.cases) >= 25 for s in holdout)
    assert {s.incident for s in holdout}.isdisjoint({s.incident for s in others})
    ids = {c.id for s in holdout for c in s.cases}
    assert len(ids) == sum(len(s.cases) for s in holdout)
    seen = {normalise(c.text) for s in others for c in s.cases}
    assert not [c.id for s in holdout for c in s.cases if normalise(c.text) in seen]  # no comment reused
    for answer_set in holdout:
        assert not not_valid_yet(answer_set.knowledge), answer_set.name
        assert {c.language for c in answer_set.cases} == {"en", "fr"}
        if folder in WITH_NO_REPLY:
            assert any(not c.expect_reply for c in answer_set.cases)  # praise or spam that needs no reply
        else:
            assert all(c.expect_reply for c in answer_set.cases), answer_set.name
        assert all(c.required or not c.expect_reply for c in answer_set.cases)
        assert all(re.fullmatch(r"[a-z]\d\d", c.id) for c in answer_set.cases)
