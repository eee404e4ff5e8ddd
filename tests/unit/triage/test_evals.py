"""The metrics of `crisis-desk eval triage`, checked by hand on small cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.models import Comment, Triage
from assistant.triage.evaluate import evaluate_triage, format_report, load_cases, score_multi, score_single


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def row(text: str, intent: str, escalate: list[str] | None = None, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "text": text, "author": "A", "platform": "x", "followers": 10, "language": "en", "intent": intent,
        "sentiment": "neutral", "escalate_to": escalate or [], "should_respond": True,
    }
    base.update(extra)
    return base


def test_score_single_by_hand() -> None:
    gold = ["a", "a", "b", "b"]
    pred = ["a", "b", "b", "b"]
    report = score_single("x", gold, pred)
    assert report.accuracy == 0.75
    a, b = report.label("a"), report.label("b")
    assert a is not None and (a.precision, a.recall, a.support, a.predicted) == (1.0, 0.5, 2, 1)
    assert b is not None and (b.precision, b.recall) == (pytest.approx(2 / 3, abs=1e-4), 1.0)
    assert a.f1 == pytest.approx(2 / 3, abs=1e-4) and b.f1 == pytest.approx(0.8, abs=1e-4)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)


def test_an_invented_label_costs_macro_f1() -> None:
    report = score_single("x", ["a", "a"], ["a", "c"])
    assert {s.label for s in report.labels} == {"a", "c"}
    assert report.macro_f1 == pytest.approx((2 / 3 + 0) / 2, abs=1e-4)


def test_score_multi_per_target() -> None:
    gold = [["legal"], ["safety", "legal"], []]
    pred = [["legal"], ["safety"], ["press"]]
    report = score_multi("escalation", gold, pred, ["legal", "press", "safety", "support"])
    legal, press, safety, support = (report.label(t) for t in ("legal", "press", "safety", "support"))
    assert legal is not None and (legal.recall, legal.precision) == (0.5, 1.0)
    assert press is not None and (press.precision, press.support) == (0.0, 0)
    assert safety is not None and safety.recall == 1.0
    assert support is not None and support.support == support.predicted == 0
    assert report.accuracy == pytest.approx(1 / 3, abs=1e-4)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0 + 1) / 3, abs=1e-4)  # unseen targets left out


def test_evaluate_with_a_stub_classifier(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", [
        row("lawyer", "threat_legal", ["legal"], sentiment="negative"),
        row("hello", "other", should_respond=False),
        row("thanks", "praise", sentiment="positive", verified=True),
    ])
    seen: list[Comment] = []

    def stub(comment: Comment, *, known_languages: tuple[str, ...] = ("en", "fr")) -> Triage:
        seen.append(comment)
        legal = comment.text == "lawyer"
        return Triage(language="en", intent="threat_legal" if legal else "question",
                      sentiment="negative" if legal else "neutral", escalate_to=["legal"] if legal else [],
                      should_respond=True, reasons=["stub"])

    report = evaluate_triage(path, classify=stub)
    assert report.n == 3
    assert report.intent.accuracy == pytest.approx(1 / 3, abs=1e-4)
    assert report.language.accuracy == 1.0
    assert report.sentiment.accuracy == pytest.approx(2 / 3, abs=1e-4)
    legal = report.escalation.label("legal")
    assert legal is not None and legal.recall == 1.0
    assert report.should_respond.accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert all(c.language is None for c in seen)  # detection is measured, not given
    assert any(c.verified for c in seen)
    assert report.latency_ms_p95 >= report.latency_ms_p50 >= 0
    assert {(m.line, m.field) for m in report.misses} >= {(2, "intent"), (3, "intent"), (2, "should_respond")}


def test_format_report_lists_fields_labels_and_misses(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", [
        row("I'm calling my lawyer", "threat_legal", ["legal"], sentiment="negative"),
        row("Which batches are affected?", "question"),
        row("Merci pour votre transparence", "praise", language="fr", sentiment="positive"),
        row("Which batches are affected, asks my 5 year old who ate it", "praise"),  # a wrong label on purpose
    ])
    text = format_report(evaluate_triage(path))
    for field in ("intent:", "language:", "sentiment:", "escalation:", "should_respond:"):
        assert field in text
    assert "macro-F1" in text and "threat_legal" in text and "latency p50" in text
    assert "misses:" in text and "line 4 intent: expected praise" in text


def test_load_rejects_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row("x", "complaint")) + "\n" + '{"text": "y", "intent": "nope"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        load_cases(path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no cases"):
        evaluate_triage(empty)
