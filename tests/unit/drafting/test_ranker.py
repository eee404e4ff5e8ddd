"""The learned answer ranker: features, training, the saved file, and what it adds to a composed reply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.drafting.answers import Picker
from assistant.drafting.candidates import candidates
from assistant.drafting.composer import compose, render
from assistant.drafting.items import known_items
from assistant.drafting.questions import find_questions
from assistant.drafting.ranker import FEATURES, AnswerRanker, features, fit, load_ranker, pick, resolve
from assistant.drafting.retrieval import Context
from assistant.models import Comment, Triage
from tests.unit.drafting.test_answers import HITS

COMMENT = "Our sailing was cancelled. Do you pay for the hotel we had to book for the night?"


def feats(text: str = COMMENT) -> tuple[list, np.ndarray]:
    cands = candidates(HITS, "en")
    picker = Picker(cands, "en")
    questions = find_questions(text, known_items(cands))
    return cands, features(cands, questions, text, picker, language="en", intent="question")


def only(feature: str, weight: float = 8.0, bias: float = -1.0) -> AnswerRanker:
    """A ranker that scores by one feature alone (standardised as in training)."""
    w = np.zeros(len(FEATURES) + 1)
    w[FEATURES.index(feature)], w[-1] = weight, bias
    return AnswerRanker(mean=np.zeros(len(FEATURES)), scale=np.ones(len(FEATURES)), weights=w, threshold=0.5, top_k=2)


def test_features_have_one_row_per_candidate_and_the_named_columns() -> None:
    cands, x = feats()
    assert x.shape == (len(cands), len(FEATURES)) and np.isfinite(x).all()
    col = FEATURES.index
    hotel = next(i for i, c in enumerate(cands) if "Hotel costs" in c.text)
    lost = next(i for i, c in enumerate(cands) if "Lost wages" in c.text)
    # The hotel sentence is closer in meaning to the question than the lost-wages one.
    assert x[hotel, col("sim_question")] > x[lost, col("sim_question")]
    assert x[:, col("sim_rank")].max() == 1.0 and x[:, col("lexical_rank")].max() == 1.0
    assert {x[i, col("first_in_chunk")] for i in range(len(cands))} == {0.0, 1.0}


def test_no_candidates_give_an_empty_matrix() -> None:
    x = features([], [], "hello", Picker([], "en"), language="en", intent="other")
    assert x.shape == (0, len(FEATURES))


def test_fit_learns_a_separable_feature_and_refuses_one_class() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 3] > 0.5).astype(float)
    ranker = fit(x, y)
    p = ranker.probabilities(x)
    assert ((p >= 0.5) == (y == 1)).mean() > 0.95
    with pytest.raises(ValueError, match="both"):
        fit(x, np.zeros(400))


def test_save_and_load_round_trip_and_a_foreign_file_is_refused(tmp_path: Path) -> None:
    ranker = only("sim_question")
    ranker.meta = {"crises": ["a", "b"]}
    path = ranker.save(tmp_path / "r.npz")
    back = load_ranker(str(path))
    assert back is not None and back.meta["crises"] == ["a", "b"] and back.top_k == 2 and back.threshold == 0.5
    _, x = feats()
    assert np.allclose(back.probabilities(x), ranker.probabilities(x))
    np.savez(tmp_path / "other.npz", meta=np.array('{"format": "something-else"}'))
    with pytest.raises(ValueError, match="another format"):
        load_ranker(str(tmp_path / "other.npz"))
    assert load_ranker(str(tmp_path / "missing.npz")) is None


def test_resolve_reads_the_setting() -> None:
    assert resolve("off") is None and resolve(None) is None
    shipped = resolve("shipped")
    assert shipped is not None and shipped.meta["comments"] >= 100
    # The shipped model never saw the held-out answer sets (answers_holdout4 and _holdout8; holdout5 to _holdout7,
    # scored and read, are training data since).
    held_out = {p.name for name in ("answers_holdout4", "answers_holdout8")
                for p in (Path(__file__).resolve().parents[3] / "tests/data" / name).iterdir()}
    assert held_out and not held_out & set(shipped.meta["crises"])  # type: ignore[arg-type]
    assert {"petfood-2026-11", "skilift-2026-12", "trains-2026-12", "camera-2026-12", "hotels-2026-12"} \
        <= set(shipped.meta["crises"])  # type: ignore[arg-type]


def test_pick_keeps_the_top_k_above_threshold_that_the_rules_did_not_say() -> None:
    cands, x = feats()
    ranker = only("kind_policy")
    assert not any(c.hit.kind == "policy" for c in cands)  # the test knowledge has no policy: nothing scores
    assert pick(ranker, cands, x, set()) == []
    ranker = only("sim_question")
    picked = pick(ranker, cands, x, set())
    assert 1 <= len(picked) <= 2
    again = pick(ranker, cands, x, {picked[0].text})
    assert picked[0] not in again  # what the rules already chose is not repeated


def test_compose_adds_the_rankers_sentences_cited_and_off_adds_none() -> None:
    comment = Comment(text=COMMENT, author="Ana", platform="facebook")
    tri = Triage(language="en", sentiment="negative", intent="question", severity="medium", priority=2,
                 should_respond=True)
    ctx = Context(language="en", sources=HITS)
    plain = compose(comment, COMMENT, tri, ctx, platform="facebook", ranker="off")
    # A ranker that favours the sentence closest in meaning adds what the rules did not choose.
    ranked = compose(comment, COMMENT, tri, ctx, platform="facebook", ranker=only("sim_question"))
    added = [s for s in ranked.sentences if s.text not in {p.text for p in plain.sentences}]
    assert added and all(s.sources for s in added)
    assert len(render(ranked)) <= 700


def test_the_setting_refuses_a_missing_or_foreign_model_file(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from assistant.config import Settings

    with pytest.raises(ValidationError, match="not 'shipped', 'off' or an existing model file"):
        Settings(data_dir=tmp_path, answer_ranker=str(tmp_path / "missing.npz"))
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, meta=np.array('{"format": "other"}'))
    with pytest.raises(ValidationError, match="another format"):
        Settings(data_dir=tmp_path, answer_ranker=str(foreign))
    good = only("sim_question").save(tmp_path / "mine.npz")
    assert Settings(data_dir=tmp_path, answer_ranker=str(good)).answer_ranker == str(good)


def test_top_k_counts_only_the_sentences_the_ranker_may_add() -> None:
    # What the rules already said, however well scored, takes none of the ranker's top_k places.
    cands, x = feats()
    ranker = only("sim_question")
    best = pick(ranker, cands, x, set())
    assert len(best) == 2
    again = pick(ranker, cands, x, {best[0].text})
    assert len(again) == 2 and best[0] not in again and best[1] in again
