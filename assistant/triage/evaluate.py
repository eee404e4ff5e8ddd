"""Measure triage against a labelled JSONL set (`crisis-desk eval triage`).

Each line: {"text", "author", "platform", "followers", "verified"?, "language", "intent", "sentiment",
"escalate_to": [...], "should_respond"}. The comment goes to `triage()` without its language, so the
language detector is measured too. Scores are per field: accuracy, per-label precision/recall/F1 and
macro-F1 (the mean over labels seen in either the gold or the predictions, so a label the rules
invent costs as much as one they miss). Escalation is multi-label: one score per target, and
accuracy means the exact set.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Comment, EscalationTarget, Intent, Platform, Sentiment, Triage
from assistant.triage.classify import triage
from assistant.triage.combine import intent_agrees
from assistant.triage.duplicates import mark_campaigns
from assistant.triage.learned import TriageModel, load_model

_INTENT_LABELS: tuple[str, ...] = (
    "safety", "threat_legal", "press", "rumour", "complaint", "question", "praise", "spam_troll", "other",
)
ESCALATION_TARGETS: tuple[str, ...] = ("legal", "press", "safety", "comms_lead", "support")


class TriageCase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    author: str | None = None
    platform: Platform = "other"
    followers: int | None = None
    verified: bool = False
    language: str
    intent: Intent
    sentiment: Sentiment
    escalate_to: list[EscalationTarget] = Field(default_factory=list)
    should_respond: bool = True
    crisis: str | None = None  # which crisis the comment belongs to (leave-one-crisis-out, held-out sets)
    campaign: str | None = None  # the copy-paste campaign it is part of, if any (gold label)


class LabelScore(BaseModel):
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # how many gold items carry the label
    predicted: int


class FieldReport(BaseModel):
    field: str
    accuracy: float
    macro_f1: float
    labels: list[LabelScore]

    def label(self, name: str) -> LabelScore | None:
        return next((s for s in self.labels if s.label == name), None)


class Miss(BaseModel):
    line: int
    field: str
    text: str
    expected: str
    got: str
    reason: str = ""


class TriageReport(BaseModel):
    path: str
    n: int
    intent: FieldReport
    language: FieldReport
    sentiment: FieldReport
    escalation: FieldReport
    should_respond: FieldReport
    latency_ms_p50: float
    latency_ms_p95: float
    wrongly_escalated: int = Field(default=0, description="comments sent to a team their label does not name")
    campaign_members: int = Field(default=0, description="comments labelled as part of a copy-paste campaign")
    campaign_to_comms_lead: int = Field(default=0, description="of those, how many reached the comms lead")
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict, description="gold intent -> predicted -> n")
    provider: str = "rules"
    misses: list[Miss] = Field(default_factory=list)

    def fields(self) -> list[FieldReport]:
        return [self.intent, self.language, self.sentiment, self.escalation, self.should_respond]


def load_cases(path: str | Path) -> list[TriageCase]:
    cases = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    cases.append(TriageCase.model_validate_json(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: {exc}") from exc
    return cases


def _safe(num: float, den: float) -> float:
    return num / den if den else 0.0


def _label_score(label: str, tp: int, gold: int, pred: int) -> LabelScore:
    p, r = _safe(tp, pred), _safe(tp, gold)
    return LabelScore(label=label, precision=round(p, 4), recall=round(r, 4),
                      f1=round(_safe(2 * p * r, p + r), 4), support=gold, predicted=pred)


def score_single(name: str, gold: Sequence[str], pred: Sequence[str]) -> FieldReport:
    """One label per item: accuracy and per-label P/R/F1."""
    labels = sorted(set(gold) | set(pred))
    scores = [
        _label_score(lab, sum(g == p == lab for g, p in zip(gold, pred, strict=True)),
                     sum(g == lab for g in gold), sum(p == lab for p in pred))
        for lab in labels
    ]
    acc = _safe(sum(g == p for g, p in zip(gold, pred, strict=True)), len(gold))
    return FieldReport(field=name, accuracy=round(acc, 4), labels=scores,
                       macro_f1=round(_safe(sum(s.f1 for s in scores), len(scores)), 4))


def score_multi(name: str, gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]],
                labels: Sequence[str]) -> FieldReport:
    """Several labels per item: one P/R/F1 per label, accuracy = the exact set."""
    gs, ps = [set(g) for g in gold], [set(p) for p in pred]
    scores = [
        _label_score(lab, sum(lab in g and lab in p for g, p in zip(gs, ps, strict=True)),
                     sum(lab in g for g in gs), sum(lab in p for p in ps))
        for lab in labels
    ]
    seen = [s for s in scores if s.support or s.predicted]
    acc = _safe(sum(g == p for g, p in zip(gs, ps, strict=True)), len(gs))
    return FieldReport(field=name, accuracy=round(acc, 4), labels=scores,
                       macro_f1=round(_safe(sum(s.f1 for s in seen), len(seen)), 4))


def evaluate_triage(
    path: str | Path,
    *,
    known_languages: Sequence[str] = ("en", "fr"),
    classify: Callable[..., Triage] = triage,
    stream: bool = True,
) -> TriageReport:
    """`stream`: read the set as one comment stream too, so copy-paste campaigns reach the comms lead."""
    return evaluate_cases(load_cases(path), path=str(path), known_languages=known_languages, classify=classify,
                          stream=stream)


def evaluate_cases(
    cases: Sequence[TriageCase],
    *,
    path: str = "",
    known_languages: Sequence[str] = ("en", "fr"),
    classify: Callable[..., Triage] = triage,
    stream: bool = True,
) -> TriageReport:
    """`evaluate_triage` on cases already loaded (`path` only names them in the report)."""
    if not cases:
        raise ValueError(f"{path or 'cases'}: no cases")
    comments = [
        Comment(text=c.text, author=c.author, platform=c.platform, followers=c.followers, verified=c.verified)
        for c in cases
    ]
    classify(comments[0], known_languages=known_languages)  # loads the language model outside the timing
    results: list[Triage] = []
    timings: list[float] = []
    for comment in comments:
        start = time.perf_counter()
        results.append(classify(comment, known_languages=known_languages))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    if stream:
        results = mark_campaigns(comments, results)

    misses: list[Miss] = []
    for line, (case, got) in enumerate(zip(cases, results, strict=True), 1):
        pairs = {
            "intent": (case.intent, got.intent),
            "language": (case.language, got.language),
            "sentiment": (case.sentiment, got.sentiment),
            "escalation": (",".join(sorted(case.escalate_to)), ",".join(sorted(got.escalate_to))),
            "should_respond": (str(case.should_respond).lower(), str(got.should_respond).lower()),
        }
        for name, (want, have) in pairs.items():
            if want != have:
                why = next((r for r in got.reasons if r.startswith(name.replace("escalation", "escalate_to"))), "")
                misses.append(Miss(line=line, field=name, text=case.text, expected=want, got=have, reason=why))

    confusion: dict[str, dict[str, int]] = {}
    for case, got in zip(cases, results, strict=True):
        row = confusion.setdefault(case.intent, {})
        row[got.intent] = row.get(got.intent, 0) + 1
    members = [i for i, c in enumerate(cases) if c.campaign]
    return TriageReport(
        path=path,
        n=len(cases),
        wrongly_escalated=sum(bool(set(r.escalate_to) - set(c.escalate_to))
                              for c, r in zip(cases, results, strict=True)),
        campaign_members=len(members),
        campaign_to_comms_lead=sum("comms_lead" in results[i].escalate_to for i in members),
        confusion=confusion,
        provider=results[0].provider,
        intent=score_single("intent", [c.intent for c in cases], [r.intent for r in results]),
        language=score_single("language", [c.language for c in cases], [r.language for r in results]),
        sentiment=score_single("sentiment", [c.sentiment for c in cases], [r.sentiment for r in results]),
        escalation=score_multi("escalation", [c.escalate_to for c in cases], [r.escalate_to for r in results],
                               ESCALATION_TARGETS),
        should_respond=score_single("should_respond", [str(c.should_respond).lower() for c in cases],
                                    [str(r.should_respond).lower() for r in results]),
        latency_ms_p50=round(_percentile(timings, 50), 3),
        latency_ms_p95=round(_percentile(timings, 95), 3),
        misses=misses,
    )


def classifier_alone(comment: Comment, *, model: TriageModel | None = None, **options: Any) -> Triage:
    """The learned layer without the rules' intents and teams (to measure what each brings): the model's
    intent, its teams above threshold (or named by its intent with its head half agreeing), influencers."""
    learned = model or load_model()
    if learned is None:
        raise ValueError("no triage model: train one with `crisis-desk triage train`")
    base = triage(comment, model=None, **options)
    verdict = learned.verdict(comment.text)
    intent = verdict.intent
    teams = verdict.escalations()
    target = {"safety": "safety", "threat_legal": "legal", "press": "press"}.get(intent)
    agree = target is not None and intent_agrees(verdict, target)
    if target and agree and target not in teams:
        teams.append(target)
    if intent in ("spam_troll", "praise"):
        teams = [t for t in teams if t != "support"]
    if base.influencer:
        teams.append("comms_lead")
    return base.model_copy(update={"intent": intent, "intents": [intent], "escalate_to": teams,
                                   "should_respond": intent not in ("spam_troll", "other"), "provider": "model"})


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def format_report(report: TriageReport, *, misses: int = 15) -> str:
    """A plain-text report for the terminal: one block per field, then the first misses."""
    out = [f"triage eval ({report.provider}) on {report.path}: {report.n} comments, "
           f"latency p50 {report.latency_ms_p50:.2f} ms, p95 {report.latency_ms_p95:.2f} ms", ""]
    for fr in report.fields():
        exact = " (exact set)" if fr.field == "escalation" else ""
        out.append(f"{fr.field}: accuracy{exact} {fr.accuracy:.3f}  macro-F1 {fr.macro_f1:.3f}")
        out.append(f"  {'label':<14}{'prec':>7}{'recall':>8}{'F1':>7}{'gold':>6}{'pred':>6}")
        for s in fr.labels:
            out.append(f"  {s.label:<14}{s.precision:>7.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.support:>6}{s.predicted:>6}")
        out.append("")
    out.append(f"escalated to a team the label does not name: {report.wrongly_escalated} comments")
    if report.campaign_members:
        out.append(f"copy-paste campaign members sent to the comms lead: "
                   f"{report.campaign_to_comms_lead}/{report.campaign_members}")
    labels = [lab for lab in _INTENT_LABELS if lab in report.confusion
              or any(lab in row for row in report.confusion.values())]
    out.append("intent confusion (rows: gold, columns: predicted):")
    out.append("  " + " " * 13 + "".join(f"{lab[:6]:>7}" for lab in labels))
    for gold in labels:
        row = report.confusion.get(gold, {})
        out.append(f"  {gold:<13}" + "".join(f"{row.get(lab, 0) or '.':>7}" for lab in labels))
    out.append("")
    if report.misses and misses:
        out.append(f"first {min(misses, len(report.misses))} of {len(report.misses)} misses:")
        for m in report.misses[:misses]:
            text = m.text if len(m.text) <= 70 else m.text[:67] + "..."
            out.append(f"  line {m.line} {m.field}: expected {m.expected or '-'}, got {m.got or '-'}  «{text}»")
            if m.reason:
                out.append(f"      {m.reason}")
    return "\n".join(out)


def report_json(report: TriageReport) -> str:
    return json.dumps(report.model_dump(), ensure_ascii=False, indent=2)
