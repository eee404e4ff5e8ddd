"""The answer-level check against the real sample knowledge: rewordings plan the same answer, other
questions about the same recall do not."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from assistant.batch import store
from assistant.batch.answer_keys import AnswerKey, answer_key, answers_from, disagreement, same_answer
from assistant.batch.paraphrases import comment_groups
from assistant.batch.runner import run_batch
from assistant.batch.tables import BatchItemRow
from assistant.models import Comment
from assistant.review import lifecycle as review
from assistant.runtime import Runtime
from assistant.triage.classify import triage

INCIDENT = "recall-2026-11"


def key_of(runtime: Runtime, text: str) -> AnswerKey | None:
    comment = Comment(text=text, platform="facebook")
    return answer_key(runtime.kb, comment, triage(comment), incident=INCIDENT)


def test_rewordings_share_an_answer_and_other_questions_do_not(sample_runtime: Runtime) -> None:
    lot = key_of(sample_runtime, "Is batch L4822 part of the recall?")
    reworded = key_of(sample_runtime, "is L4822 one of the recalled lots??")
    receipt = key_of(sample_runtime, "Do I need the receipt to get a refund?")
    assert lot is not None and reworded is not None and receipt is not None
    assert lot.verdicts == ("yes",) and receipt.verdicts == ("no",)
    assert same_answer(lot, reworded)
    assert not same_answer(lot, receipt)


def test_a_batch_groups_rewordings_through_the_knowledge(sample_runtime: Runtime) -> None:
    texts = ["Is batch L4822 part of the recall?", "Do I need the receipt to get a refund?",
             "is L4822 one of the recalled lots??", "Is batch L4821 part of the recall?"]
    found = comment_groups([Comment(text=t, platform="facebook") for t in texts],
                           answer_of=answers_from(sample_runtime.kb, INCIDENT))
    assert found == [[0, 2]]


def test_a_comment_asking_two_things_joins_only_one_asking_the_same_two(sample_runtime: Runtime) -> None:
    texts = ["Why was the granola recalled?", "Why was the granola recalled? Is there a number I can call?",
             "why did you recall the granola?", "Why did you recall the granola? What number can I call?"]
    both = key_of(sample_runtime, texts[1])
    assert both is not None and both.kinds == ("why", "contact")
    found = comment_groups([Comment(text=t, platform="facebook") for t in texts],
                           answer_of=answers_from(sample_runtime.kb, INCIDENT))
    assert [0, 2] in found
    assert all(1 not in g or set(g) <= {1, 3} for g in found)


# Against the sample knowledge (a granola recall): pairs that must be one group, and pairs that must
# not, in both languages.
MUST_GROUP = [
    ("Is batch L4822 part of the recall?", "is L4822 one of the recalled lots??"),
    ("What's the phone number for the recall hotline?", "Is there a number I can call about the recall?"),
    ("Quel est le numéro de téléphone pour le rappel ?", "Il y a un numéro à appeler pour le rappel ?"),
    # The verdict on one identified item, in other words (answer_keys.same_item_answer).
    ("Is batch L4821 part of the recall?", "My box says L4821, is that one recalled too?"),
    ("Le lot L4822 est-il concerné par le rappel ?", "L4822 c'est rappelé ou pas ?? merci de répondre"),
    # Round 7 (paraphrases.rewording_only): the same plan, the author's own words on one side...
    ("I threw away the receipt, can I still get refunded?", "No receipt anymore - will you still refund me?"),
    # ... and two plans, with nothing but the wording between the two questions.
    ("Comment me faire rembourser le granola ?", "Quelle est la démarche pour se faire rembourser svp ?"),
]
MUST_NOT_GROUP = [
    ("Is batch L4822 part of the recall?", "Is batch L4821 part of the recall?"),  # another batch
    ("Le lot L4822 est-il concerné par le rappel ?", "Le lot L4821 est-il concerné par le rappel ?"),
    ("Le granola est-il sans danger pour les enfants ?", "Le granola est-il dangereux pour mon chien ?"),  # who
    # The same planned answer, but what to do to be refunded is not whether a lost receipt matters.
    ("What do I need to do to get refunded? I have two boxes at home.",
     "I threw away the receipt, can I still get refunded?"),
    # The composer answers these with the recall's "yes" too, but they do not ask whether L4822 is recalled.
    ("Is batch L4822 part of the recall?", "Is batch L4822 still fine to eat?"),
    ("Is batch L4822 part of the recall?", "Does my box L4822 contain nuts?"),
    ("My box says L4822, is that one recalled too?", "My box says L4822, does it contain nuts?"),
    ("Is batch L4822 part of the recall?", "Is L4822 ok to keep?"),  # another verdict
    # Plans that share a sentence, but returning the boxes to a store is not how to be refunded.
    ("How can I get a refund for the recalled boxes?", "Can I bring the recalled boxes back to the store?"),
    ("How do I get my money back for the granola?", "Do I need the receipt to get a refund?"),
    ("Comment me faire rembourser le granola ?", "Faut-il le ticket de caisse pour être remboursé ?"),
]


def test_pairs_that_must_and_must_not_share_a_core(sample_runtime: Runtime) -> None:
    of = answers_from(sample_runtime.kb, INCIDENT)
    for a, b in MUST_GROUP:
        assert comment_groups([Comment(text=t, platform="facebook") for t in (a, b)], answer_of=of) == [[0, 1]], a
    for a, b in MUST_NOT_GROUP:
        assert comment_groups([Comment(text=t, platform="facebook") for t in (a, b)], answer_of=of) == [], a
    lot = key_of(sample_runtime, "Is batch L4822 part of the recall?")
    assert lot is not None and lot.items == (frozenset({"l4822"}),) and not lot.unsettled


def test_a_member_whose_own_answer_contradicts_the_core_is_drafted_alone_and_held(sample_runtime: Runtime,
                                                                                   monkeypatch) -> None:
    rt = sample_runtime
    texts = ["Is batch L4822 part of the recall?", "Is L4822 ok to keep?", "is L4822 one of the recalled lots??"]
    core, contrary, same = (key_of(rt, t) for t in texts)
    assert disagreement(core, contrary) is not None and disagreement(core, same) is None
    # However the three came to be one group (a copy campaign, a looser rule), the runner checks each member.
    monkeypatch.setattr(store, "comment_groups", lambda comments, **_: [[0, 1, 2]])
    rows = "\n".join(f'{{"id": "m{i}", "platform": "facebook", "text": "{t}"}}' for i, t in enumerate(texts))
    store.import_data(rt.db, rt.settings, rows.encode(), "jsonl", incident=INCIDENT, batch_id="b-check")
    asyncio.run(run_batch(rt, "b-check"))
    with rt.db.read() as s:
        items = {i.comment["id"]: (i.status, i.reason or "") for i in s.scalars(select(BatchItemRow))}
        drafts = {i.comment["id"]: i.draft_id for i in s.scalars(select(BatchItemRow))}
    assert items["m1"][0] == "held" and "held for individual review" in items["m1"][1]
    assert "L4822 'no'" in items["m1"][1]
    assert items["m0"][0] == items["m2"][0] == "drafted"
    out = store.batch_out(rt.db, "b-check")
    assert out.counts.held == 1
    # Drafted from its own answer, not given the core's "yes".
    held, member = (review.get_draft(rt.db, drafts[c]).text for c in ("m1", "m2"))
    assert "No" in held and "Yes" not in held and "Yes" in member
