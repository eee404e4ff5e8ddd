"""Grouping by meaning: rewordings share a core answer, different questions never do."""

from __future__ import annotations

import pytest

from assistant.batch.paraphrases import comment_groups, names, numbered, read, same_question_groups, who
from assistant.models import Comment


def comments(*texts: str) -> list[Comment]:
    return [Comment(text=t, platform="facebook") for t in texts]


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
    assert same_question_groups(comments(a, b)) == []
    assert comment_groups(comments(a, b)) == []


def test_signature_parts() -> None:
    assert numbered("Lot L4822, postcode 75011, 180€") == frozenset({"l4822", "75011", "180"})
    assert names("Is rue Pasteur affected? Yes I KNOW.") == frozenset({"pasteur"})
    assert who("Mon bébé et mon chien") == frozenset({"baby", "pet"})


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
    assert comment_groups(comments(*texts)) == [[0, 1, 3]]  # L4821 stays alone
    assert comment_groups(comments(*texts), by_meaning=False) == [[0, 1]]
