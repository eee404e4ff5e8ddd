"""Answers ranked by meaning as well as by shared words (real multilingual sentence vectors), and the
rules that came with it: one language's sources when it has enough, "common" words on small sets."""

from __future__ import annotations

import numpy as np

from assistant.drafting import meaning
from assistant.drafting.answers import SIM_SECOND, Picker, answer_question
from assistant.drafting.candidates import candidates
from assistant.drafting.items import known_items
from assistant.drafting.questions import find_questions
from assistant.models import SearchHit
from tests.unit.drafting.test_answers import HITS, hit


def ask(text: str, hits: list[SearchHit] = HITS, *, by_meaning: bool = True,
        language: str = "en") -> list[str]:
    cands = candidates(hits, language)
    picker = Picker(cands, language)
    (q, *_) = find_questions(text, known_items(cands))
    sims = meaning.similarities([q.text], text, [c.text for c in cands]) if by_meaning else [None]
    return [s for s, _ in answer_question(q, picker, set(), language=language, sim=sims[0]).sentences]


def test_meaning_picks_the_amount_the_question_is_about() -> None:
    # "voucher" is in two sentences, so by words alone the hotel cap (a rarer "per night") wins the
    # "how much"; by meaning the voucher's amount does.
    hits = [*HITS, hit(6, "Travel voucher", "The voucher is valid for 12 months on any sailing.")]
    assert "€120" in ask("How much is the voucher?", hits, by_meaning=False)[0]
    assert "€40" in ask("How much is the voucher?", hits)[0]


def test_a_question_worded_unlike_its_answer_is_answered_across_languages() -> None:
    # No shared word at all, and the question is French: "quand" wants a date, meaning finds which one.
    assert "10 working days" in ask("remboursé quand ??")[0]


def test_a_second_sentence_only_when_it_is_as_close_in_meaning() -> None:
    assert ask("How long until I get my money back?", by_meaning=False) == ["Refunds are paid within 10 working days."]
    assert ask("How long until I get my money back?") == ["Refunds are paid within 10 working days.",
                                                          "No receipt is needed for the refund."]
    # Nothing relevant stays nothing: closeness in meaning below the bar adds no filler.
    assert ask("Can I bring my bicycle on board?") == []
    far = meaning.similarities(["Can I bring my bicycle on board?"], "Can I bring my bicycle on board?",
                               ["Lost wages are not reimbursed."])[0]["Lost wages are not reimbursed."]
    assert far < SIM_SECOND


def test_sentence_vectors_are_cached_and_questions_mixed_with_their_comment(monkeypatch) -> None:
    calls: list[list[str]] = []
    real = meaning.encode

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(meaning, "encode", counting)
    sentences = ["A sentence seen once for this test only.", "Another one, also new."]
    meaning.similarities(["When?"], "When?", sentences)
    assert calls == [["When?", *sentences]]  # one call: the question once, the new sentences with it
    meaning.similarities(["Where?"], "Where?", sentences)
    assert calls[-1] == ["Where?"]  # the knowledge sentences come from the cache
    rows = meaning.sentence_vectors(sentences)
    assert rows.shape == (2, 512) and np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    # A clause of a longer comment leans towards the whole comment ("il" is the dog of the sentence before).
    dog = "Le chien voyage avec nous."
    alone = meaning.similarities(["il se passe quoi pour lui ?"], "il se passe quoi pour lui ?", [dog])[0][dog]
    mixed = meaning.similarities(["il se passe quoi pour lui ?"], f"{dog} il se passe quoi pour lui ?", [dog])[0][dog]
    assert mixed > alone


def test_one_language_when_it_has_enough_sentences() -> None:
    french = [hit(10 + i, "Situation", f"Phrase numéro {i} de la fiche en français sur la traversée.", language="fr")
              for i in range(6)]
    cands = candidates([*HITS, *french], "fr")
    assert {c.hit.language for c in cands} == {"fr"}  # the English twins would compete by meaning
    few = candidates([*HITS, *french[:2]], "fr")
    assert {c.hit.language for c in few} == {"fr", "en"} and few[0].hit.language == "fr"  # too few: both, French first


def test_common_words_are_not_decided_on_a_handful_of_sentences() -> None:
    # 15 sentences, "refunded" in 4 of them: still what the question asks about the item, so its yes stands.
    lines = ["Saturday Pass tickets are refunded automatically within 30 days.",
             "Holders of a 3-Day Pass are refunded €45.", "Travel costs are not refunded.",
             "Camping fees are refunded on request.", "Sunday Pass tickets remain valid.",
             *(f"Festival fact number {i} about the stage and the site." for i in range(10))]
    hits = [hit(20 + i, "Tickets", line) for i, line in enumerate(lines)]
    assert ask("I've got a Saturday Pass, is it refunded?", hits)[0].startswith("Yes: Saturday Pass tickets")


EXTRA = [hit(8, "Data", "Bank details (IBAN) and passwords are not affected."),
         hit(10, "Inquiry", "An independent inquiry is led by the firm Altessa.\n"
                            "We expect its conclusions by 18 December 2026.")]


def test_a_sentence_denying_what_was_asked_is_a_no_and_never_for_safety() -> None:
    assert ask("Were my bank details stolen?", [*HITS, *EXTRA]) == [
        "No: Bank details (IBAN) and passwords are not affected."]
    assert ask("Is my bank info safe?", [*HITS, *EXTRA]) == ["Bank details (IBAN) and passwords are not affected."]
    assert ask("Isn't my IBAN affected?", [*HITS, *EXTRA])[0].startswith("Bank details")  # asked negatively: no verdict


def test_a_date_in_the_sentence_after_the_closest_one_answers_when() -> None:
    assert ask("When will the inquiry be over?", [*HITS, *EXTRA]) == [
        "An independent inquiry is led by the firm Altessa.", "We expect its conclusions by 18 December 2026."]


def test_no_other_comes_after_what_there_is() -> None:
    hits = [hit(0, "Situation", "About 48,000 customers are affected.\nThe next update is on 4 December 2026."),
            hit(9, "Will I get compensation?", "Affected customers get 12 months of free identity monitoring.\n"
                                               "No other compensation is planned at this stage.", kind="faq"),
            hit(11, "Contact", "Customer line: +33 9 70 80 12 34.")]
    got = ask("Is there any other compensation planned?", hits)
    assert got == ["Affected customers get 12 months of free identity monitoring.",
                   "No other compensation is planned at this stage."], got
