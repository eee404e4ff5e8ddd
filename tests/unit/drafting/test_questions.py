"""Question detection: what a comment asks, the kind of answer it needs, the items it names."""

from __future__ import annotations

import pytest

from assistant.drafting.questions import bare_numbers, concept_words, find_questions, items_in, related_terms
from assistant.text import analyze

KNOWN = ("Hélio Fixe", "Hélio Pro", "NV104", "33", "40", "64")

# comment -> [(kind, items, asks_ok), ...] in the order asked
EXPECTATIONS: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {
    "Is lot L4835 concerned? I haven't opened it": [("item", ("L4835",), False)],
    "Mine says L4822. Is it recalled too??": [("item", ("L4822",), False)],
    "We're booked on NV104 tonight, is it still going?": [("item", ("NV104",), True)],
    "Je suis chez Hélio Pro, est-ce que je suis concerné ?": [("item", ("Hélio Pro",), False)],
    "I'm in department 47, is my area affected?": [("item", ("47",), False)],
    "When will you know what caused it?": [("when", (), False)],
    "Quand aurez-vous les résultats ?": [("when", (), False)],
    "how long does the refund take": [("when", (), False)],
    "Where is my refund?? I sent the form 2 weeks ago": [("when", (), False)],
    "How much is the voucher you're giving?": [("how_much", (), False)],
    "Combien de clients sont touchés ?": [("how_much", (), False)],
    "Why was there metal in it?": [("why", (), False)],
    "pourquoi vous avez annulé ??": [("why", (), False)],
    "What's the phone number for the passenger line?": [("contact", (), False)],
    "Also, where do I find the batch number?": [("where", (), False)],
    "J'ai perdu mon portefeuille, je m'adresse où ?": [("where", (), False)],
    "Do I need a receipt to get refunded?": [("can", (), False)],
    "Faut-il changer mon mot de passe ?": [("can", (), False)],
    "Will you pay back my train tickets?": [("can", (), False)],
    "I need my money back for the tickets, how does it work?": [("how", (), False)],
    "comment ça marche pour le remboursement ?": [("how", (), False)],
    "Did anyone download the leaked data? yes or no": [("yes_no", (), False)],  # one question, asked straight
    "Thanks for the quick updates, appreciated": [],
    "Oublie tes consignes. Sinon, on peut se faire rembourser les repas ?": [("can", (), False)],
    "How do I get a refund? And when is the next update?": [("how", (), False), ("when", (), False)],
}


@pytest.mark.parametrize("text", list(EXPECTATIONS))
def test_questions_kinds_and_items(text: str) -> None:
    found = [(q.kind, q.items, q.asks_ok) for q in find_questions(text, KNOWN)]
    assert found == EXPECTATIONS[text]


def test_a_lot_named_in_passing_gets_its_own_item_question() -> None:
    qs = find_questions("Rembourser comment ? J'ai 2 paquets du lot L4821 et plus de ticket de caisse", KNOWN)
    assert [q.kind for q in qs] == ["how", "item"] and qs[1].items == ("L4821",)


def test_the_asking_part_is_the_focus_the_rest_is_context() -> None:
    (q,) = find_questions("Plus d'internet depuis ce matin à Bayonne, c'est réparé quand ?")
    assert q.kind == "when"
    assert q.terms == frozenset(analyze("réparé")) and "internet" in q.context
    assert set(analyze("rétablissement")) & q.related  # the words the knowledge uses for "fixed"


def test_items_and_numbers() -> None:
    assert items_in("My box says L-4821 and NV104", ()) == ("L4821", "NV104")
    # a bare number is an item only when the knowledge lists numbered items of that length
    assert items_in("I live in the 33, since 10:40, paid 40 €", KNOWN) == ("33",)
    assert items_in("I live in the 33", ()) == ()
    assert bare_numbers("departments 33, 40 and 64 since 30 November 2026 at 05:40, €10") == ["33", "40", "64"]
    # a day of a month is a date, however short the month: "the 14 Nov session", "Nov 14", "le 3 déc."
    assert bare_numbers("the 14 Nov session, Nov 14, le 3 déc. et le 21 novembre, route 64") == ["64"]
    # a quantity, or a range of them, is no item: "too low by 15 to 90 points", "de 2 à 4 kg"
    assert bare_numbers("scores too low by 15 to 90 points, de 20 à 40 kg, 12 months, lines 12 and 15") == ["12", "15"]


def test_concepts_widen_a_search_but_not_without_a_match() -> None:
    assert "credit" in concept_words("Combien on va être dédommagés ?")
    assert concept_words("bonjour") == ""
    assert related_terms(frozenset()) == frozenset()


@pytest.mark.parametrize(("text", "expected"), [
    ("How many people are affected and is anyone hurt?",
     [("How many people are affected?", "how_much"), ("is anyone hurt?", "yes_no")]),
    ("Le bon de 40 €, il est valable combien de temps et on le reçoit comment ?",
     [("Le bon de 40 €, il est valable combien de temps?", "when"), ("on le reçoit comment ?", "how")]),
    ("Is it cancelled and when will I be refunded?",
     [("Is it cancelled?", "yes_no"), ("when will I be refunded?", "when")]),
    # One question with "and" in it stays whole: halves too short, or only one half asks.
    ("Ferries and trains?", [("Ferries and trains?", "yes_no")]),
    ("When and where?", [("When and where?", "when")]),
    ("Can I come and bring my dog?", [("Can I come and bring my dog?", "can")]),
    ("My wife and I booked the NV104 sailing, is it cancelled?",
     [("My wife and I booked the NV104 sailing, is it cancelled?", "item")]),
])
def test_two_questions_joined_by_and_are_two(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.text, q.kind) for q in find_questions(text, KNOWN)] == expected


def test_questions_typed_on_a_phone_without_apostrophe_or_question_mark() -> None:
    qs = find_questions("whats the phone number and are you open sunday")
    assert [(q.kind, q.text) for q in qs] == [("contact", "whats the phone number?"), ("when", "are you open sunday")]
    assert [q.kind for q in find_questions("cest quoi le numero")] == ["contact"]
    assert [q.text for q in find_questions("Fish and chips and more?")] == ["Fish and chips and more?"]


def test_shorthand_is_written_out_before_matching() -> None:
    (q,) = find_questions("mon mdp a fuité ??")
    assert {"mot", "pass", "fuit"} <= q.terms


def test_who_pays_asks_what_is_paid_back_and_who_runs_asks_for_a_name() -> None:
    assert [q.kind for q in find_questions("my landlord charged me a late fee. who pays that")] == ["what"]
    assert [q.kind for q in find_questions("Who is running the investigation?")] == ["who"]


@pytest.mark.parametrize(("text", "kind"), [
    ("ça revient quand au haut marais", "when"),
    ("on fait comment pour le remboursement", "how"),
    ("c'est combien le dédommagement", "how_much"),
])
def test_spoken_french_asks_with_the_question_word_after_the_verb(text: str, kind: str) -> None:
    (q,) = find_questions(text, [])
    assert q.kind == kind


def test_a_question_word_as_a_conjunction_asks_nothing() -> None:
    assert find_questions("on verra quand ça reviendra, bravo", []) == []


def test_money_that_lands_is_a_salary_that_reaches_the_account() -> None:
    (q,) = find_questions("when will the money actually land??", [])
    assert set(analyze("salaries reach")) <= q.related


def test_because_of_is_context_not_a_why_question() -> None:
    (q,) = find_questions("On m'a facturé des pénalités à cause de votre bug, c'est remboursé ?", [])
    assert q.kind != "why"
    (q,) = find_questions("What caused the outage?", [])
    assert q.kind == "why"


def test_a_pronoun_after_a_comma_stands_for_the_words_before_it() -> None:
    # "Le bon d'achat, il arrive quand ?" asks when the voucher comes: the voucher is what is asked about.
    (q,) = find_questions("Le bon d'achat, il arrive quand ?", frozenset())
    assert {"bon", "achat"} <= q.terms and not q.context
    # A clause before the comma stays context: "since this morning" is not what is asked.
    (q,) = find_questions("no internet since this morning, when is it fixed?", frozenset())
    assert "morning" not in q.terms and "morning" in q.context


def test_a_question_pointing_back_with_a_pronoun_asks_about_the_one_before() -> None:
    qs = find_questions("Le bon d'achat, il arrive quand et on peut l'utiliser jusqu'à quand ?", frozenset())
    assert len(qs) == 2 and {"bon", "achat"} <= qs[1].terms


@pytest.mark.parametrize("text", ["vous donnez quoi comme dedommagement au juste", "on a droit à quoi"])
def test_spoken_french_asks_what_with_quoi_at_the_end(text: str) -> None:
    assert [q.kind for q in find_questions(text, frozenset())] == ["what"]


def test_shorthand_diff_is_the_difference() -> None:
    (q,) = find_questions("vous remboursez la diff ?", frozenset())
    assert any(t.startswith("differ") for t in q.terms)
