"""Yes or no about an item against lists the knowledge writes as rules: ranges of references and the
prefixes they start with."""

from __future__ import annotations

import pytest

from assistant.drafting.answers import Picker, answer_question
from assistant.drafting.candidates import candidates
from assistant.drafting.context import comment_context
from assistant.drafting.items import known_items, sentence_rules
from assistant.drafting.questions import find_questions
from assistant.models import SearchHit
from tests.unit.drafting.test_answers import hit

PARCELS = [
    hit(0, "Situation", "The destroyed parcels are those with a tracking number from CX4810000 to CX4829999.\n"
                        "Parcels from CX4830000 to CX4839999 are delayed but not destroyed.\n"
                        "About 14,200 parcels were destroyed."),
    hit(1, "What to do", "If your parcel was destroyed, contact the seller who sent it."),
    hit(2, "Contact", "Customer line: +33 9 70 80 12 34, Monday to Saturday, from 8:00 to 20:00."),
]
WATER = [
    hit(0, "Area", "The advisory applies to addresses whose postal code starts with J7V 4, J7V 5 or J7V 6.\n"
                   "Boil tap water for one minute before drinking it.", language="en"),
]


def answer(text: str, hits: list[SearchHit]) -> tuple[str | None, list[str]]:
    cands = candidates(hits, "en")
    picker = Picker(cands, "en")
    questions = find_questions(text, known_items(cands, text))
    q = next(q for q in questions if q.kind == "item")
    ans = answer_question(q, picker, set(), language="en")
    return ans.verdict, [s for s, _ in ans.sentences]


@pytest.mark.parametrize(("text", "verdict", "first"), [
    ("is my parcel CX4821557 one of the burned ones??", "yes", "Yes, CX4821557 is on the list."),
    # A bound is named by the range itself: the sentence says yes on its own.
    ("CX4810000 destroyed or not", "yes", "Yes: the destroyed parcels are those with a tracking number from "
                                          "CX4810000 to CX4829999."),
    ("Tracking RL5521873. Was mine destroyed in the fire?", "no", "No, RL5521873 is not on the list."),
    ("Is CX4835120 destroyed?", "no", "No, CX4835120 is not on the list."),  # the "not destroyed" range
])
def test_a_range_of_references_says_yes_or_no(text: str, verdict: str, first: str) -> None:
    got, sentences = answer(text, PARCELS)
    assert (got, sentences[0]) == (verdict, first)
    assert any("CX4810000 to CX4829999" in s or "CX4830000 to CX4839999" in s for s in sentences)


@pytest.mark.parametrize(("text", "verdict"), [
    ("Postal code J7V 5K2 here. Does the boil notice apply to us?", "yes"),
    ("code j7v4a9 on est dedans ou pas", "yes"),
    ("Postal code J7V 8B1 here. Does the boil notice apply to us?", "no"),
])
def test_prefixes_of_a_list_say_yes_or_no(text: str, verdict: str) -> None:
    got, sentences = answer(text, WATER)
    assert got == verdict
    assert "starts with J7V 4, J7V 5 or J7V 6" in sentences[1]


@pytest.mark.parametrize("sentence", [
    "Open from 8 h to 20 h, every day from 2026 to 2027.",
    "Your candidate number starts with the code of your centre (for example PAR-11-04412).",
    "Call 0800 123 456 from 9:00 to 17:00.",
])
def test_times_years_and_words_are_no_list_rule(sentence: str) -> None:
    assert sentence_rules(sentence) == ()


def test_a_french_range_and_a_dash_range() -> None:
    (fr,) = sentence_rules("Les colis détruits sont ceux dont le numéro va de CX4810000 à CX4829999.")
    assert fr.covers("CX4821557") and not fr.covers("CX4835120")
    (dash,) = sentence_rules("Lots L4821–L4830 are recalled.")
    assert dash.covers("L4825") and not dash.covers("L4831") and dash.references("L4840 and L482") == ["L4840"]


def test_or_not_asks_a_question() -> None:
    (q,) = find_questions("BRU-02, Nov 14: am I in or not", ["BRU-02"])
    assert q.kind == "item" and q.items == ("BRU02",)
    (q,) = find_questions("colis CX4810002 detruit ou pas", ["CX4810002"])
    assert q.kind == "item"


class _Kb:
    """The knowledge base surface comment_context uses: lexical lookups find nothing, retrieval PARCELS."""

    def search(self, *args: object, **kwargs: object) -> list[SearchHit]:
        return PARCELS


def test_a_reference_a_list_rule_covers_is_not_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.drafting import context as module
    from assistant.drafting.retrieval import Context
    from assistant.models import Comment, Triage

    monkeypatch.setattr(module, "retrieve", lambda *a, **k: Context(language="en", sources=PARCELS))
    monkeypatch.setattr(module, "public_identifiers", lambda *a, **k: [])
    tri = Triage(language="en", sentiment="negative", intent="question", severity="low", priority=3,
                 should_respond=True)
    masked, _ = comment_context(_Kb(), Comment(text="Is my parcel CX4821557 destroyed? Order 88123456."),  # type: ignore[arg-type]
                                tri)
    assert "CX4821557" in masked.text


ADVISORY = [
    hit(0, "Area", "The other sectors, including Val-Nord and the industrial park, are not affected: tap water "
                   "there can be drunk without boiling.\nThe advisory applies to Val-Sud."),
    hit(1, "What to do", "Throw away ice cubes made with tap water since 30 November.\n"
                         "You can take a shower without boiling the water, but avoid swallowing it."),
]


def test_the_part_of_a_sentence_about_what_was_asked_says_yes_or_no() -> None:
    # "not affected" is about the sectors; "can be drunk" is the answer to "can I drink it?".
    cands = candidates(ADVISORY, "en")
    (q,) = find_questions("I'm in Val-Nord, can I drink the tap water or not?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "yes" and ans.sentences[0][0].startswith("Yes: the other sectors")
    # a yes that is not about being in scope calls for no "what to do" (throwing away ice cubes)
    assert not any("ice cubes" in s for s, _ in ans.sentences)


def test_an_explicit_you_can_answers_a_question_about_danger() -> None:
    cands = candidates(ADVISORY, "en")
    (q,) = find_questions("can i still shower or is that dangerous too", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "yes" and ans.sentences[0][0].startswith("Yes: you can take a shower")


def test_or_what_asks_a_yes_no_question_and_a_scam_check_in_any_form() -> None:
    (q,) = find_questions("suivi CX4830001, il a cramé ou quoi", ["CX4830001"])
    assert q.kind == "item"
    cands = candidates([hit(0, "Scams", "We will never ask for your bank details by text message.")], "en")
    (q,) = find_questions("I got a text quoting my contract number asking for my bank details, is that you?",
                          known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0].startswith("No: we will never ask")


def test_a_name_an_only_scope_sentence_leaves_out_is_not_on_the_list() -> None:
    hits = [hit(0, "Scope", "Only Ultra fast chargers in France and Belgium are affected.\n"
                            "The City chargers were billed at the right price.")]
    cands = candidates(hits, "en")
    (q,) = find_questions("I charged on a City charger in Nantes, am I affected?", known_items(cands))
    assert q.kind == "item" and q.items == ("City",)
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0] == "No, City is not on the list."


def test_a_range_of_bare_numbers_needs_six_digits() -> None:
    assert sentence_rules("Orders from 10000 to 19999 are delayed.") == ()  # postcodes have 5 digits
    (rule,) = sentence_rules("Orders from 100000 to 199999 are delayed.")
    assert rule.covers("123456") and rule.references("my postcode is 75011, order 123456") == ["123456"]


SEATS = [hit(0, "Scope", "The seats concerned have a serial number from MB24-31000 to MB24-38999.")]


@pytest.mark.parametrize(("text", "verdict", "item"), [
    ("Just checked under the seat: MB24-36512. Is ours part of the recall?", "yes", "MB24-36512"),
    ("serial MB24-39002, recalled or not??", "no", "MB24-39002"),
    ("Notre siège a le numéro MB2430877, on est concernés ?", "no", "MB2430877"),
])
def test_a_reference_split_by_a_hyphen_is_one_item_of_the_range(text: str, verdict: str, item: str) -> None:
    # "MB24" is only the start of the serial: never "No, MB24 is not on the list".
    got, sentences = answer(text, SEATS)
    assert got == verdict and item in sentences[0] and "MB24 " not in sentences[0]


LOTS = [
    hit(0, "What is recalled", "The recalled lots are:\n"
                               "- Adult Chicken dry dog food, 12 kg bags, lots CA26-0410 to CA26-0455.\n"
                               "- Kitten dry cat food, 1.5 kg bags, lots CA26-0470 to CA26-0478."),
    hit(1, "Where is the lot number?", "On the back of the bag. It starts with CA26, for example CA26-0432."),
]


@pytest.mark.parametrize(("text", "verdict", "near"), [
    ("Is lot CA26-0437 part of the recall?", "yes", "CA26-0410 to CA26-0455"),
    ("is CA26-0475 recalled", "yes", "CA26-0470 to CA26-0478"),  # the second list covers it
    ("lot CA26-0458 concerned or not??", "no", "CA26-0410 to CA26-0455"),  # the nearest list is shown
    ("is CA26-0402 one of the recalled ones", "no", "CA26-0410 to CA26-0455"),
    ("CA26-0466 recalled?", "no", "CA26-0470 to CA26-0478"),
])
def test_ranges_without_from_decide_and_a_format_prefix_does_not(text: str, verdict: str, near: str) -> None:
    # "lots A to B" is a range; "it starts with CA26, for example ..." says what a lot number looks like,
    # which would otherwise put every CA26 lot on the list.
    got, sentences = answer(text, LOTS)
    assert got == verdict
    assert near in sentences[1]


def test_two_references_joined_by_to_are_a_range_and_a_list_of_two_is_not() -> None:
    assert [(r.low, r.high) for r in sentence_rules("lots CA26-0410 to CA26-0455")] == [(260410, 260455)]
    assert sentence_rules("lots CA26-0410 and CA26-0455") == ()


FORMULA = [
    hit(0, "Exchange", "Les boîtes des lots L3101 à L3124 peuvent être échangées dans tout magasin, même ouvertes, "
                       "même sans ticket de caisse.", language="fr"),
    hit(1, "Scope", "Petilou Croissance 3 et tous les autres lots de Petilou Croissance 2 ne sont pas concernés.",
        language="fr"),
]


def _answer_fr(text: str, hits: list[SearchHit]) -> tuple[str | None, list[str]]:
    cands = candidates(hits, "fr")
    q = next(q for q in find_questions(text, known_items(cands, text)) if q.kind == "item")
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    return ans.verdict, [s for s, _ in ans.sentences]


@pytest.mark.parametrize(("text", "verdict"), [
    # "même sans ticket" is no negation of the range: L3117 is in it (it was read "not on the list").
    ("lot L3117 cest dans la liste ?", "yes"),
    # "all the other lots of Croissance 2 are not concerned" puts out what the range leaves out, not L3117.
    ("Ma boîte de Croissance 2 est du lot L3117, elle est concernée ?", "yes"),
    ("Ma boîte de Croissance 2 est du lot L3130, elle est concernée ?", "no"),
])
def test_a_range_with_a_without_and_the_others_excluded(text: str, verdict: str) -> None:
    got, sentences = _answer_fr(text, FORMULA)
    assert got == verdict, sentences
