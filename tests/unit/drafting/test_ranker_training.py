"""Training the answer ranker on what the composer offers it, and scoring it on real replies across crises."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.drafting.composer import compose, render
from assistant.drafting.evaluate import Case, Fact
from assistant.drafting.ranker import FEATURES, AnswerRanker
from assistant.drafting.ranker_training import Drafted, Example, composer_examples, cross_crisis, offers, train
from assistant.drafting.retrieval import Context
from assistant.models import Comment, Triage
from tests.unit.drafting.test_answers import HITS

COMMENT = "Our sailing was cancelled. Do you pay for the hotel we had to book for the night?"
TRI = Triage(language="en", sentiment="negative", intent="question", severity="medium", priority=2,
             should_respond=True)


def drafted(crisis: str, required: list[list[str]], text: str = COMMENT, cid: str = "c1",
            respond: bool = True) -> Drafted:
    case = Case(id=cid, text=text, language="en", platform="facebook", author="Ana",
                required=[Fact(any_of=alts) for alts in required], forbidden=[])
    tri = TRI if respond else TRI.model_copy(update={"should_respond": False})
    return Drafted(crisis, case, Comment(id=cid, text=text, author="Ana", platform="facebook"), text, tri,
                   Context(language="en", sources=HITS))


def test_offers_hold_the_rules_reply_and_only_what_the_ranker_may_add() -> None:
    # "€120" is what the rules answer with; "€40 travel voucher" is a fact the rules' reply misses.
    d = drafted("ferry", [["€120"], ["€40"]])
    (o,) = offers([d])
    assert o is not None
    plain = compose(d.comment, d.masked, d.triage, d.ctx, platform="facebook", ranker="off")
    assert o.rules_text == render(plain) and "€120" in o.rules_text
    assert o.missing == [["€40"]]
    # What the rules had chosen when the ranker is asked (the answers; the next step comes after it).
    assert o.skip == {"Hotel costs are reimbursed up to €120 per night."}
    assert not any(o.eligible[i] for i, c in enumerate(o.cands) if c.text in o.skip)
    (ex,) = composer_examples([o])
    # Only the sentences it may add, and a positive only for the fact the rules' reply misses.
    assert not set(ex.sentences) & o.skip and len(ex.y) == int(o.eligible.sum()) and ex.x.shape[1] == len(FEATURES)
    positives = [s for s, y in zip(ex.sentences, ex.y, strict=True) if y]
    assert positives == ["Each passenger receives a €40 travel voucher."]


def test_a_reply_with_every_fact_gives_negatives_only_and_no_reply_gives_nothing() -> None:
    (o,) = offers([drafted("ferry", [["€120"]])])
    assert o is not None and o.missing == []
    (ex,) = composer_examples([o])
    assert ex.y.sum() == 0 and len(ex.y) > 0
    assert offers([drafted("ferry", [["€40"]], respond=False)]) == [None]
    assert composer_examples([None]) == []


def test_train_saves_the_threshold_and_top_k_it_is_given() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, len(FEATURES)))
    y = (x[:, 0] > 0).astype(float)
    ranker = train([Example("a", "1", x, y, [""] * 200, [])], threshold=0.7, top_k=2)
    assert isinstance(ranker, AnswerRanker) and ranker.threshold == 0.7 and ranker.top_k == 2
    assert ranker.meta["crises"] == ["a"] and ranker.meta["positives"] == int(y.sum())


def test_cross_crisis_composes_the_replies_of_each_crisis_left_out_and_chooses_the_operating_point() -> None:
    questions = [COMMENT, "Is there any compensation for the cancelled sailing? What do we get?",
                 "When will you know what caused the failure?"]
    # Each reply must hold the answer and a fact the rules' reply leaves out (the voucher, the wages).
    required = [[["€120"], ["€40"]], [["€40"], ["Lost wages"]], [["30 November"], ["€40"]]]
    inputs = [drafted(crisis, required[i], text=q, cid=f"{crisis}{i}")
              for crisis in ("ferry", "boat") for i, q in enumerate(questions)]
    inputs.append(drafted("boat", [["€40"]], respond=False, cid="spam"))
    offered = offers(inputs)
    result = cross_crisis(inputs, offered, thresholds=(0.5, 0.9), top_ks=(1, 3))
    assert [s.crisis for s in result.scores] == ["boat", "ferry"] and result.facts == 13
    assert set(result.grid) == {(0.5, 1), (0.5, 3), (0.9, 1), (0.9, 3)}
    assert (result.threshold, result.top_k) in result.grid
    # The chosen point finds the most facts, less the cost of each sentence added.
    best = max(v[0] - 0.02 * v[1] for v in result.grid.values())
    chosen = result.grid[(result.threshold, result.top_k)]
    assert chosen[0] - 0.02 * chosen[1] == best
    assert sum(s.found for s in result.scores) == chosen[0] and sum(s.picks for s in result.scores) == chosen[1]
    # Facts are counted as the evaluation counts them, in the real replies.
    assert all(0 <= s.rules <= s.facts and 0 <= s.found <= s.facts for s in result.scores)
    with pytest.raises(ValueError, match="at least two crises"):
        cross_crisis(inputs[:3], offered[:3])
