"""Talking about a danger is not being in one: the safety cases the model alone reads that are set aside
(`combine.safety_set_aside`), and the date that is not the emergency number. Each rule in French and English,
with what it must catch and what it must leave alone. The model is a fixed reading (`_fixed`), the rules run
for real; the effect on every labelled crisis (leave-one-crisis-out) is in docs/DESIGN.md.
"""

from __future__ import annotations

from assistant.models import Comment
from assistant.triage.classify import triage
from assistant.triage.cues import FIGURE_OF_DEATH, normalize
from tests.unit.triage.test_learned import _fixed


def _safety(text: str, intent: str, p: float = 0.6, **targets: float) -> tuple[bool, list[str]]:
    result = triage(Comment(text=text), model=_fixed(intent, p, **targets))
    return "safety" in result.escalate_to, result.reasons


# ---------------------------------------------------------------- a general question


def test_a_general_question_about_a_danger_is_answered_in_public() -> None:
    for text in ("Can you still cook pasta with the tap water, or do we boil it first?",
                 "est-ce qu'on peut encore se baigner dans le lac cette semaine ?"):
        escalated, reasons = _safety(text, "question", 0.7, safety=0.5)
        assert not escalated, text
        assert any(r.startswith("note: the model reads a safety case") and "general question" in r
                   for r in reasons), text


def test_a_question_about_someone_of_ones_own_stays_a_safety_case() -> None:
    for text in ("My daughter drank the tap water this morning, should she see someone?",
                 "Mon père de 80 ans est seul sans chauffage, vous venez quand ?"):
        escalated, _ = _safety(text, "question", 0.7, safety=0.5)
        assert escalated, text
    # a question the model reads as a safety situation is not a "general question"
    escalated, _ = _safety("Is anyone going to get those people off the bridge?", "safety", 0.6, safety=0.5)
    assert escalated


# ---------------------------------------------------------------- a legal claim about a past harm


def test_a_legal_claim_about_a_past_harm_has_one_owner_legal() -> None:
    for text in ("My son broke his wrist on your trampoline last spring. Our solicitor sends the claim Monday.",
                 "Ma fille a été brûlée par votre radiateur en mars, notre avocat vous adresse une mise en demeure."):
        result = triage(Comment(text=text), model=_fixed("threat_legal", 0.8, safety=0.6, legal=0.9))
        assert result.escalate_to == ["legal"], text
        assert any("legal team owns a legal claim" in r for r in result.reasons), text


def test_a_safety_rule_in_a_legal_claim_still_reaches_safety() -> None:
    # the rules' own safety cues are never set aside: someone in the ER now is a case whoever sues
    for text in ("My son is in the ER right now after eating your bar, my lawyer will hear about this.",
                 "Mon fils est aux urgences, il a avalé un aimant. Je vais porter plainte."):
        result = triage(Comment(text=text), model=_fixed("threat_legal", 0.8, safety=0.6, legal=0.9))
        assert "safety" in result.escalate_to and "legal" in result.escalate_to, text
    # without the legal team taking the case, the model's safety reading stands
    escalated, _ = _safety("He was thrown off when the scooter folded; we talked to a friend about it.",
                           "threat_legal", 0.5, safety=0.6)
    assert escalated


# ---------------------------------------------------------------- death as a figure of speech


def test_death_as_a_figure_of_speech_is_no_safety_case() -> None:
    for text in ("this checkout queue is literally killing me, 2 hours now",
                 "dying to know when the trains run again",
                 "cette attente me tue, trois jours sans réponse",
                 "your app will be the death of me"):
        assert FIGURE_OF_DEATH.search(normalize(text)), text
        escalated, reasons = _safety(text, "complaint", 0.5, safety=0.5)
        assert not escalated, text
        assert any("figure of speech" in r for r in reasons), text


def test_a_person_who_may_die_is_never_a_figure_of_speech() -> None:
    for text in ("the man next door is killing me, please send someone",
                 "my ex is killing me", "I'm dying, I can't breathe", "je vais mourir ici",
                 "mon voisin me tue à petit feu"):
        assert not FIGURE_OF_DEATH.search(normalize(text)), text
        escalated, _ = _safety(text, "complaint", 0.5, safety=0.5)
        assert escalated, text
    # someone of the author's own named keeps the model's reading, figure of speech or not
    escalated, _ = _safety("this lift is killing me, my dad (74) is still stuck up there", "complaint", 0.5, safety=0.5)
    assert escalated


# ---------------------------------------------------------------- "le 15": a date or the emergency number


def test_le_15_followed_by_a_month_is_a_date() -> None:
    for text in ("Je vous ai écrit le 15 avril, toujours rien.", "Commande passée le 15/04, jamais reçue."):
        result = triage(Comment(text=text), model=None)
        assert "safety" not in result.escalate_to, text
    for text in ("On a appelé le 15 pour mon fils, il respire mal.", "Appelez le 15 si vous avez des symptômes !"):
        result = triage(Comment(text=text), model=None)
        assert "safety" in result.escalate_to, text


# ---------------------------------------------------------------- a care service as the author's own job


def test_a_care_service_naming_the_authors_job_is_no_safety_cue() -> None:
    for text in ("I'm an A&E nurse and my rota doesn't care about your glitch, any flight before Monday?",
                 "Je suis infirmière aux urgences, mon planning ne bouge pas : un vol avant lundi ?"):
        assert "safety" not in triage(Comment(text=text), model=None).escalate_to, text
    for text in ("My son is in A&E since last night, nobody from your side has called.",
                 "Ma fille est infirmière aux urgences et mon fils y est hospitalisé depuis hier.",
                 "I'm an A&E nurse and my own son is at the hospital after eating your bar."):
        assert "safety" in triage(Comment(text=text), model=None).escalate_to, text
