"""Grouping by meaning: rewordings share a core answer, different questions never do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.batch.answer_keys import (
    AnswerKey,
    disagreement,
    item_words,
    kind_words,
    named_items,
    same_answer,
    same_item_answer,
)
from assistant.batch.paraphrases import (
    asked_words,
    comment_groups,
    leftovers,
    names,
    numbered,
    read,
    same_question_groups,
    who,
    words_close,
)
from assistant.models import Comment, Triage


def comments(*texts: str) -> list[Comment]:
    return [Comment(text=t, platform="facebook") for t in texts]


def key(*sentences: str, verdict: str | None = None) -> AnswerKey:
    return AnswerKey(sentences=frozenset(sentences), verdicts=(verdict,))


def answers(table: dict[str, AnswerKey | None], asked: list[str] | None = None
            ) -> Callable[[Comment, Triage], AnswerKey | None]:
    """A fake answer_of: the key of each text from a table (every other text: one same answer)."""
    def of(comment: Comment, tri: Triage) -> AnswerKey | None:
        if asked is not None:
            asked.append(comment.text)
        return table.get(comment.text, key("The one answer."))
    return of


def test_rewordings_of_one_question_are_one_group_in_each_language() -> None:
    found = same_question_groups(comments(
        "Why was the granola recalled?",
        "Pourquoi le granola a-t-il été rappelé ?",
        "What's actually wrong with the granola? Why the recall?",
        "C'est quoi le problème exactement avec le granola ? Pourquoi ce rappel ?",
    ))
    assert found == [[0, 2], [1, 3]]  # one core per reply language


# Pairs whose vectors are close but whose answers differ: never one group.
DIFFERENT = [
    ("Is batch L4822 part of the recall?", "Is batch L4821 part of the recall?"),  # identifier
    ("Is the granola safe for my dog?", "Is the granola safe for my kids?"),  # who is affected
    ("Est-ce que la rue Pasteur est concernée ?", "Est-ce que la rue Victor Hugo est concernée ?"),  # a name
    ("Will we be compensated for the outage?", "How much compensation will we get for the outage?"),  # kind
    ("I paid 180 euros for 2 tickets, will I get all 180 back?",
     "I paid 90 euros for 1 ticket, will I get the 90 back?"),  # amounts
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_questions_are_never_grouped(a: str, b: str) -> None:
    # Even when the knowledge would answer both alike, the signature keeps them apart.
    assert same_question_groups(comments(a, b), answer_of=answers({})) == []
    assert comment_groups(comments(a, b), answer_of=answers({})) == []


REWORDED = ("Is batch L4822 part of the recall?", "is L4822 one of the recalled lots??")


def test_rewordings_answered_differently_are_not_grouped() -> None:
    a, b = REWORDED
    assert same_question_groups(comments(a, b), answer_of=answers({})) == [[0, 1]]
    other = answers({a: key("Yes: batches L4821 and L4822.", verdict="yes"),
                     b: key("Yes: batches L4821 and L4822.", verdict="no")})
    assert same_question_groups(comments(a, b), answer_of=other) == []  # another verdict
    apart = answers({a: key("Only batches L4821 and L4822.", "Call 0 800 55 12 12."),
                     b: key("Only batches L4821 and L4822.", "Do not eat it.", "Keep the box.")})
    assert same_question_groups(comments(a, b), answer_of=apart) == []  # 1 sentence of 4 in common
    unanswered = answers({b: None})
    assert same_question_groups(comments(a, b), answer_of=unanswered) == []  # "not known yet" joins nothing


def test_answers_are_planned_only_for_comments_close_in_meaning() -> None:
    asked: list[str] = []
    texts = [*REWORDED, "Where do I return the boxes?", "Le lot L4822 est-il concerné par le rappel ?"]
    assert same_question_groups(comments(*texts), answer_of=answers({}, asked)) == [[0, 1]]
    assert sorted(asked) == sorted(REWORDED)


def test_the_words_only_one_comment_asks_with_must_mean_the_same() -> None:
    assert asked_words("Is the hotline open on Sunday?") == ("hotline", "open", "sunday")
    assert asked_words("Pourquoi le granola a-t-il été rappelé ?") == ("pourquoi", "granola", "rappele")  # "a-t-il"
    assert leftovers(asked_words("Is the camping pass refunded?"), asked_words("Is the parking pass refunded too?")) \
        == ("camping", "parking")
    assert words_close(asked_words("How do I get a refund?"), asked_words("How do I get my money back?"))
    assert words_close(asked_words("Is it refunded?"), asked_words("Is it refunded too?"))  # nothing left over
    assert not words_close(asked_words("Is the hotline open on Sunday?"), asked_words("Is the hotline free of charge?"))
    assert not words_close(asked_words("Can I get a refund for the granola?"),
                           asked_words("Can I get a refund for the vet bill?"))


def test_a_same_answer_does_not_group_questions_asked_about_other_things() -> None:
    # Close in meaning, the same (faked) answer: the words that differ decide.
    texts = comments("Can I get a refund for the granola?", "Can I get a refund for the vet bill?")
    loose = {"whole_threshold": 0.5, "question_threshold": 0.5}  # vectors 0.60 apart: let them through
    assert same_question_groups(texts, answer_of=answers({}), **loose) == []
    assert same_question_groups(texts, answer_of=answers({}), words_threshold=-1.0, **loose) == [[0, 1]]


def test_the_kinds_of_question_must_match() -> None:
    when = AnswerKey(sentences=frozenset({"Bring it to a boil for one minute."}), verdicts=(None,), kinds=("when",))
    how_much = AnswerKey(sentences=when.sentences, verdicts=(None,), kinds=("how_much",))
    assert same_answer(when, when)
    assert not same_answer(when, how_much)
    assert not same_answer(when, AnswerKey(sentences=when.sentences, verdicts=(None, None), kinds=("when", "when")))


def test_same_answer() -> None:
    a = key("Yes: only L4821 and L4822.", "Do not eat it.", verdict="yes")
    assert same_answer(a, key("Yes: only L4821 and L4822.", verdict="yes"), 0.5)  # the overlap of rounds 3-4
    assert not same_answer(a, key("Yes: only L4821 and L4822.", verdict="yes"), 0.67)
    assert not same_answer(a, key("Yes: only L4821 and L4822.", "Do not eat it.", verdict=None))


def test_signature_parts() -> None:
    assert numbered("Lot L4822, postcode 75011, 180€") == frozenset({"l4822", "75011", "180"})
    assert names("Is rue Pasteur affected? Yes I KNOW.") == frozenset({"pasteur"})
    assert who("Mon bébé et mon chien") == frozenset({"baby", "pet"})
    assert who("Comment se faire rembourser son billet ?", "fr") == frozenset()  # "son": theirs, not a son
    assert who("Is my son safe?", "en") == frozenset({"child"})


@pytest.mark.parametrize("text", [
    "You waited a week to tell us. Disgraceful.",  # asks nothing
    "My son ate three bars and is vomiting, what do I do?",  # serious: a reply of its own
])
def test_not_grouped_by_meaning(text: str) -> None:
    assert read(Comment(text=text, platform="x")) is None


def test_copies_with_other_numbers_are_split_and_rewordings_join_copies() -> None:
    base = "Is batch {lot} part of the recall? I bought three boxes at my local store last week, please answer."
    texts = [base.format(lot="L4822"), base.format(lot="L4822") + "!", base.format(lot="L4821"),
             "Batch L4822: part of the recall? Please answer, I bought three boxes last week at my local store."]
    assert comment_groups(comments(*texts), answer_of=answers({})) == [[0, 1, 3]]  # L4821 stays alone
    assert comment_groups(comments(*texts)) == [[0, 1]]  # copies only


def test_an_item_is_compared_as_the_comment_names_it() -> None:
    # The composer finds the item "Pass" in both; the word that qualifies it tells two passes apart.
    assert named_items("Is the camping pass refunded too?", ["Pass"]) == frozenset({"camping pass"})
    assert named_items("Is the pass refunded?", ["Pass"]) == frozenset({"pass"})  # "the": no qualifier
    assert named_items("Le pass camping est-il remboursé ?", ["Pass"], "fr") == frozenset({"pass camping"})
    assert named_items("Le pass est-il remboursé ?", ["Pass"], "fr") == frozenset({"pass"})  # "est": no qualifier
    assert named_items("Le lot L-4822 est-il concerné ?", ["L4822"], "fr") == frozenset({"l4822"})
    camping, parking = (AnswerKey(sentences=frozenset({"Yes: 3-Day Pass holders are refunded."}), verdicts=("yes",),
                                  kinds=("item",), items=(named_items(t, ["Pass"]),))
                        for t in ("Is the camping pass refunded too?", "Is the parking pass refunded?"))
    assert not same_answer(camping, parking)  # the same sentence and verdict, about two items
    assert same_answer(camping, camping)


def test_the_same_answer_means_the_same_sentences() -> None:
    a = key("Yes: only L4821 and L4822.", "Do not eat it.", verdict="yes")
    assert same_answer(a, key("Do not eat it.", "Yes: only L4821 and L4822.", verdict="yes"))  # order ignored
    assert not same_answer(a, key("Yes: only L4821 and L4822.", verdict="yes"))  # half an answer is another


# (English, French): close in meaning (questions' vectors 0.56 and 0.62) and answered alike.
SETTLED_PAIRS = [("Is my money safe in my account?", "Are our savings at risk?"),
                 ("Quand est-ce que l'appli remarchera ?", "L'application revient quand ?")]


@pytest.mark.parametrize(("a", "b"), SETTLED_PAIRS)
def test_an_answer_that_says_not_known_yet_needs_closer_meaning(a: str, b: str) -> None:
    settled = answers({a: AnswerKey(sentences=frozenset({"Balances are safe."}), verdicts=(None,)),
                       b: AnswerKey(sentences=frozenset({"Balances are safe."}), verdicts=(None,))})
    unknown = AnswerKey(sentences=frozenset({"We do not know yet when it will work again."}), verdicts=(None,),
                        unsettled=True)
    unsettled = answers({a: unknown, b: unknown})
    assert same_question_groups(comments(a, b), answer_of=settled) == [[0, 1]]
    # "Not known yet" fits many questions: only the French pair, 0.62 apart, is close enough (>= 0.6).
    expected = [[0, 1]] if a.startswith("Quand") else []
    assert same_question_groups(comments(a, b), answer_of=unsettled) == expected


# The same identified item, asked in other words (answer_keys.same_item_answer, disagreement).
def item_key(verdict: str = "yes", item: str = "l4822", asked: frozenset[str] = frozenset({"recal"}),
             said: frozenset[str] = frozenset({"recal", "affect"}), kind: str = "item",
             sentences: tuple[str, ...] = ("Yes: only batches L4821 and L4822 are affected.",)) -> AnswerKey:
    return AnswerKey(sentences=frozenset(sentences), verdicts=(verdict,), kinds=(kind,),
                     items=(frozenset({item}),), said=said, asked=asked)


def test_the_verdict_on_one_identified_item_is_one_answer_whatever_the_other_words() -> None:
    assert same_item_answer(item_key(), item_key(asked=frozenset({"recal", "part"})))


@pytest.mark.parametrize("other", [
    item_key(verdict="no"),  # another verdict
    item_key(item="l4821", sentences=("Yes: only batches L4821 and L4822 are affected.",)),  # another item
    item_key(asked=frozenset({"nut", "contain"})),  # asks what the knowledge does not say of it
    item_key(sentences=("Yes: the hotline is open.",)),  # the answer does not name the item
])
def test_other_verdicts_items_or_questions_are_not_the_same_item_answer(other: AnswerKey) -> None:
    assert not same_item_answer(item_key(), other)


def test_an_item_answer_without_a_verdict_or_with_a_word_the_knowledge_does_not_say_is_no_evidence() -> None:
    assert not same_item_answer(item_key(verdict=None), item_key(verdict=None))  # type: ignore[arg-type]
    assert not same_item_answer(item_key(said=frozenset({"affect"})), item_key(said=frozenset({"affect"})))
    assert not same_item_answer(item_key(kind="when"), item_key(kind="when"))


def test_kind_words_and_item_words() -> None:
    assert kind_words(["Only batches L4821 and L4822 are recalled.", "My box L4822?"]) == {"batch", "box"}
    said = item_words(["Only batches L4821 and L4822 are recalled. The hotline is open."], {"l4822"})
    assert "recal" in said and "batch" not in said and "hotlin" not in said


def test_a_member_whose_own_verdict_contradicts_the_core_is_a_disagreement() -> None:
    assert disagreement(item_key(), item_key(verdict="no")) is not None
    assert disagreement(item_key(kind="can", item=""), item_key(kind="can", item="", verdict="no")) is not None
    assert disagreement(item_key(), item_key()) is None
    assert disagreement(item_key(), item_key(item="l4821", verdict="no")) is not None  # another item, "no"
    assert disagreement(item_key(), None) is None and disagreement(None, item_key()) is None
