"""The answers scorer: facts, verdicts, forbidden claims, language, length; bad labelled sets refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.drafting.evaluate import Case, Fact, find_sets, load_set, normalise, score_case, summarise
from assistant.errors import InvalidInput

REPLY = ("Hi Ben,\nNo, NV110 is not on the list: the following sailings are cancelled: NV102 and NV104. "
         "Each passenger receives a €40 voucher.\n– The customer care team")


def case(*required: object, forbidden: tuple[str, ...] = (), platform: str = "x", language: str = "en") -> Case:
    return Case(id="c1", text="?", language=language, platform=platform, author=None,
                required=[Fact.parse(r) for r in required],
                forbidden=[re.compile(p, re.IGNORECASE) for p in forbidden])


def test_normalise_folds_accents_spaces_and_euros() -> None:
    assert normalise("Remboursé  40 €") == normalise("rembourse €40") == "rembourse 40€"


def test_facts_alternatives_and_verdicts() -> None:
    r = score_case(case(["€40", "40 euros"], {"verdict": "no", "item": "NV110"}, "12 months"), REPLY, "en", [], 5.0)
    assert r.met == ["€40 | 40 euros", "no:NV110"] and r.missing == ["12 months"]
    assert r.language_ok and r.within_limit and not r.empty and r.forbidden == []


def test_a_verdict_must_be_said_in_so_many_words_and_the_opposite_is_forbidden() -> None:
    r = score_case(case({"verdict": "yes", "item": "NV110"}), REPLY, "en", [], 1.0)
    assert r.missing == ["yes:NV110"] and r.forbidden == ["contradicts yes:NV110"]
    # without an item: a sentence that starts with the word (after the greeting)
    assert score_case(case({"verdict": "no"}), REPLY, "en", [], 1.0).met == ["no"]


def test_forbidden_language_length_and_empty() -> None:
    r = score_case(case(forbidden=(r"€ ?40",), language="fr"), REPLY * 3, "en", [re.compile("nv102")], 1.0)
    assert len(r.forbidden) == 2 and not r.language_ok and not r.within_limit
    empty = score_case(case("x"), "", "en", [], 1.0)
    assert empty.empty and not empty.language_ok
    s = summarise("t", [r, empty])
    assert s["forbidden_claims"] == 2 and s["empty_drafts"] == 1 and s["fact_recall"] == 0.0


@pytest.mark.parametrize("raw", [{"verdict": "maybe"}, [], "", 3, [1]])
def test_bad_fact_is_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        Fact.parse(raw)


def write_set(root: Path, meta: object, lines: list[str]) -> Path:
    (root / "knowledge").mkdir(parents=True, exist_ok=True)
    (root / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (root / "comments.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return root


GOOD = json.dumps({"id": "a", "text": "When?", "language": "en", "required": ["x"]})


@pytest.mark.parametrize(("meta", "lines", "message"), [
    ("not an object", [GOOD], "meta.json must hold an object"),
    ({"forbidden": ["(unclosed"]}, [GOOD], "forbidden"),
    ({}, ["{not json"], "line 1"),
    ({}, [json.dumps({"id": "a", "language": "en"})], "line 1"),  # no text
    ({}, [json.dumps({"id": "a", "text": "t", "language": "en", "required": [{"verdict": "maybe"}]})], "line 1"),
    ({"knowledge": "missing"}, [GOOD], "does not exist"),
])
def test_bad_labelled_set_is_refused_with_the_reason(tmp_path: Path, meta: object, lines: list[str],
                                                      message: str) -> None:
    folder = write_set(tmp_path / "crisis", meta, lines)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        load_set(folder)


def test_find_sets(tmp_path: Path) -> None:
    write_set(tmp_path / "a", {}, [GOOD])
    write_set(tmp_path / "b", {}, [GOOD])
    assert [p.name for p in find_sets(tmp_path)] == ["a", "b"] and find_sets(tmp_path / "a") == [tmp_path / "a"]
    assert load_set(tmp_path / "a").cases[0].required[0].any_of == ["x"]
    with pytest.raises(InvalidInput, match="no such folder"):
        find_sets(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="no labelled crisis"):
        find_sets(tmp_path / "empty")


def test_shipped_sets_load_and_holdout_is_separate() -> None:
    root = Path(__file__).resolve().parents[3] / "tests/data"
    holdout = [load_set(p) for p in find_sets(root / "answers_holdout4")]
    tuning = [load_set(p) for p in find_sets(root / "answers_tuning")]
    assert len(holdout) >= 3 and all(len(s.cases) >= 25 for s in holdout)
    assert {s.incident for s in holdout}.isdisjoint({s.incident for s in tuning})
    # Earlier held-out sets (ferry, breach; charging, staff; hubfire, scores, water) were read, diagnosed and
    # trained on: tuning now.
    assert {"ferry-2026-11", "breach-2026-11", "charging-2026-12", "staff-2026-12", "hubfire-2026-12",
            "scores-2026-12", "water-2026-12"} <= {s.incident for s in tuning}
    assert not (root / "answers_holdout").exists() and not (root / "answers_holdout2").exists()
    assert all(s.knowledge.is_dir() for s in holdout + tuning)


def test_documents_not_valid_yet_are_reported(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from assistant.drafting.evaluate import SetReport, format_report, not_valid_yet

    root = write_set(tmp_path / "s", {}, [GOOD])
    (root / "knowledge" / "now.md").write_text("---\nid: a\nvalid_from: 2026-12-02T12:00:00Z\n---\n# A\n\nText.\n")
    (root / "knowledge" / "later.md").write_text("---\nid: b\nvalid_from: '2026-12-04T09:00:00Z'\n---\n# B\n\nText.\n")
    (root / "knowledge" / "always.md").write_text("---\nid: c\n---\n# C\n\nText.\n")
    assert not_valid_yet(root / "knowledge", datetime(2026, 12, 3, 14, tzinfo=UTC)) == ["later.md"]
    assert not_valid_yet(root / "knowledge", datetime(2026, 12, 5, tzinfo=UTC)) == []
    text = format_report({"held-out": [SetReport("s", [], ["later.md"])]})
    assert "warning: s: not valid yet at run time, drafts could not use: later.md" in text


def test_an_item_written_with_other_separators_is_the_item_and_no_reply_to_spam_is_no_language_error() -> None:
    wrong = "Hi Ben,\nYes: NV-110 is cancelled.\n– The customer care team"
    r = score_case(case({"verdict": "no", "item": "NV110"}), wrong, "en", [], 1.0)
    assert r.forbidden == ["contradicts no:NV110"]  # not missed because the reply wrote "NV-110"
    spam = Case(id="s", text="buy followers", language="en", platform="x", author=None, required=[], forbidden=[],
                expect_reply=False)
    quiet = score_case(spam, "", "en", [], 1.0)
    assert quiet.language_ok and not quiet.empty
