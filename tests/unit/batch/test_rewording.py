"""Grouping by meaning, round 7: the knowledge decides whether two questions differ only in wording.

paraphrases.rewording_only, compatible, same_names, numbered; answer_keys.knowledge_words;
questions.without_manner. Keys are fabricated here (no knowledge base); the real sample knowledge is in
tests/integration/test_answer_keys.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.batch.answer_keys import AnswerKey, knowledge_words
from assistant.batch.paraphrases import (
    compatible,
    numbered,
    read,
    rewording_only,
    same_names,
    same_question_groups,
)
from assistant.drafting.candidates import Candidate, text_keys
from assistant.drafting.questions import without_manner
from assistant.models import Comment, SearchHit, Triage


def words(text: str) -> tuple[str, ...]:
    reading = read(Comment(text=text, platform="facebook"))
    assert reading is not None, text
    return reading.topic


def knowing(*sentences: str, specific: str = "", general: str = "", verdict: str | None = None,
            kind: str = "can", items: frozenset[str] = frozenset()) -> AnswerKey:
    """A key whose answer states `sentences`, in knowledge that also uses the `specific` and `general` words."""
    stated = frozenset().union(*map(text_keys, sentences))
    return AnswerKey(sentences=frozenset(sentences), verdicts=(verdict,), kinds=(kind,), items=(items,),
                     stated=stated, specific=stated | text_keys(specific), general=text_keys(general))


@pytest.mark.parametrize(("text", "left"), [
    ("Is batch L4822 part of the recall?", "batch l4822"),  # "is", "part of", "recall": how it asks
    ("Can you check if my order SF20931 has been refunded?", "order sf20931 refunded?"),
    ("Quelle est la démarche pour se faire rembourser svp ?", "rembourser"),
    ("Is it safe to drink water from the tap right now?", "drink water tap"),  # "safe", "right now"
    ("Quand le sirop sera-t-il de nouveau disponible ?", "sirop nouveau disponible"),  # "sera-t-il"
    ("How long until the network is back up??", "network back"),
    # Never a pattern spanning a word of what is asked: "how does the refund work" keeps "refund".
    ("I want my money back, how does the refund work?", "money back, refund work?"),
])
def test_without_manner_keeps_what_a_question_is_about(text: str, left: str) -> None:
    assert without_manner(text) == left


def hit(title: str = "Granola recall") -> SearchHit:
    return SearchHit(doc_id="d", chunk_id="c", title=title, kind="fact_sheet", language="en", approved=True,
                     score=1.0, text="")


def test_knowledge_words_are_specific_unless_most_sentences_or_a_title_use_them() -> None:
    texts = [f"Refund number {i} is paid within 14 days." for i in range(6)] + ["No receipt is needed."]
    cands = [Candidate(text=t, chunk_id="c", hit=hit(), terms=frozenset(), unknown=False, next_step=False)
             for t in texts]
    specific, general = knowledge_words(cands)
    # A quarter of at least 30 sentences: 6 of 7 is not "most of the knowledge" yet.
    assert text_keys("receipt") <= specific and text_keys("days") <= specific
    assert text_keys("granola") <= general  # the title
    specific, general = knowledge_words(cands * 2)  # "days" in 12 of 14: more than a quarter of 30
    assert text_keys("days") <= general and text_keys("receipt") <= specific


def test_a_word_the_knowledge_says_something_of_must_be_in_both_answers() -> None:
    drink = knowing("Do not drink the tap water.", specific="shower bath", verdict="no")
    # "shower" is in the knowledge but neither answer states it: the shower question may need another answer.
    assert not rewording_only(words("Can we drink the tap water?"), words("Can we shower with the tap water?"),
                              drink, drink)
    both = knowing("Do not drink the tap water.", "You can shower.", verdict="no")
    assert rewording_only(words("Can we drink the tap water?"), words("Can we shower with the tap water?"),
                          both, both)  # both answers state it: no difference by itself
    assert not rewording_only(words("Can we drink the tap water?"), words("Can we shower with the tap water?"),
                              drink, both)  # stated in one answer only


def test_words_most_of_the_knowledge_uses_are_no_difference() -> None:
    plan = knowing("Claim your refund with the recall form.", general="granola alpena")
    assert rewording_only(words("How do I get refunded for the granola?"), words("How do I get refunded?"), plan, plan)
    assert rewording_only(words("How do I get refunded for the Alpena granola?"), words("How do I get refunded?"),
                          plan, knowing("Refunds are paid within 14 days.", general="granola alpena"),
                          same_plan=False)


def test_the_authors_own_words_on_one_side_pass_only_with_the_same_plan() -> None:
    plan = knowing("Do not drink the tap water.", verdict="no")
    other = knowing("Boil the water before drinking it.", verdict="no")
    a, b = words("Can we drink the tap water?"), words("Just got home from work, can we drink the tap water?")
    assert rewording_only(a, b, plan, plan)
    assert not rewording_only(a, b, plan, other, same_plan=False)  # "resale tickets" / "tickets": no


def test_own_words_on_both_sides_must_mean_the_same() -> None:
    plan = knowing("Refunds are paid within 14 days.")
    a, b = words("When will I get my refund, money coming?"), words("When will I get my refund back, cash?")
    assert rewording_only(a, b, plan, plan, threshold=-1.0)
    granola, vet = words("Can I get a refund for the granola?"), words("Can I get a refund for the vet bill?")
    assert not rewording_only(granola, vet, plan, plan)


def test_plans_that_may_answer_one_question() -> None:
    base = knowing("Yes: you can.", verdict="yes")
    assert compatible(base, knowing("You can, at any shop.", verdict=None))  # a "yes" and the sentence alone
    assert not compatible(base, knowing("No.", verdict="no"))  # contradicting yes/no
    assert not compatible(base, knowing("Yes.", verdict="yes", items=frozenset({"camping pass"})))  # another item
    two = AnswerKey(sentences=frozenset({"Yes."}), verdicts=("yes", None), kinds=("can", "when"), items=((), ()))
    assert not compatible(base, two)  # one question and two


def test_a_name_most_of_the_knowledge_uses_is_no_difference() -> None:
    subject = knowing("Claim your refund.", general="pediakid")
    assert same_names(frozenset({"pediakid"}), frozenset(), subject, subject)
    assert not same_names(frozenset({"pasteur"}), frozenset({"hugo"}), subject, subject)  # two streets
    assert not same_names(frozenset({"pediakid"}), frozenset(), None, subject)  # no knowledge: as written
    assert same_names(frozenset({"pasteur"}), frozenset({"pasteur"}), None, None)


def test_an_identifiers_letter_written_apart_joins_it() -> None:
    assert numbered("the sticker says B 2319") == numbered("batterie b-2319") == numbered("LOT B2319") \
        == frozenset({"b2319"})
    assert numbered("Le 69003 est touché ?") == frozenset({"69003"})  # a word before a number stays apart
    assert numbered("a 150 euros") == frozenset({"150"})


def answers(table: dict[str, AnswerKey]) -> Callable[[Comment, Triage], AnswerKey | None]:
    return lambda comment, tri: table[comment.text]


def test_different_plans_for_one_question_in_other_words_share_a_core() -> None:
    a, b = "How do I get my money back for the granola?", "How can I get my money back for the Alpena granola?"
    table = {a: knowing("Claim your refund with the form.", general="granola alpena"),
             b: knowing("Refunds are paid within 14 days.", "Claim your refund with the form.",
                        general="granola alpena", verdict="yes")}
    assert same_question_groups([Comment(text=t, platform="facebook") for t in (a, b)],
                                answer_of=answers(table)) == [[0, 1]]
    c = "How can I get my money back for the recalled boxes at the store?"
    table[c] = knowing("Refunds are paid within 14 days.", specific="store boxes", verdict="yes")
    assert same_question_groups([Comment(text=t, platform="facebook") for t in (a, c)],
                                answer_of=answers(table)) == []


def test_a_question_under_a_condition_is_another_question() -> None:
    plain = read(Comment(text="Can we drink the tap water?", platform="facebook"))
    boiled = read(Comment(text="Can we drink the tap water if we boil it?", platform="facebook"))
    sans = read(Comment(text="Je peux être remboursé sans le ticket de caisse ?", platform="facebook"))
    assert plain is not None and boiled is not None and sans is not None
    assert plain.signature != boiled.signature and sans.signature[-1]
    table = dict.fromkeys(("Can we drink the tap water?", "Can we drink the tap water if we boil it?"),
                          knowing("Do not drink the tap water.", general="boil water", verdict="no"))
    assert same_question_groups([Comment(text=t, platform="facebook") for t in table],
                                answer_of=answers(table)) == []


def test_an_item_verdict_never_passes_on_one_sides_own_words() -> None:
    # The composer answers both with the recall's "yes"; "recalled" is how an item question asks, so
    # "contain nuts" would be the only words left, on one side.
    recall = AnswerKey(sentences=frozenset({"Yes: only batches L4821 and L4822 are affected."}), verdicts=("yes",),
                       kinds=("item",), items=(frozenset({"l4822"}),))
    a, b = words("My box says L4822, is that one recalled too?"), words("My box says L4822, does it contain nuts?")
    assert not rewording_only(a, b, recall, recall)
    plain = AnswerKey(sentences=recall.sentences, verdicts=("yes",), kinds=("can",), items=((),))
    assert rewording_only(a, b, plain, plain)  # the same plan for another kind: the author's words pass
