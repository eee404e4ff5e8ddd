"""Train the learned triage layer from labelled JSONL and measure it crisis by crisis.

`crisis-desk triage train` calls `train_from_files`: every line of every file is one example (the
format of `evaluate.TriageCase`). `leave_one_crisis_out` is how thresholds are chosen honestly: each
crisis is scored by a model trained on the others only, the situation of a new crisis on day one.
Imports: core, text and triage only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.models import Comment, Triage
from assistant.text.encoder import encode
from assistant.triage.classify import triage
from assistant.triage.evaluate import TriageCase, load_cases
from assistant.triage.learned import Example, TriageModel, Verdict, features, train


def examples_of(cases: Sequence[TriageCase]) -> list[Example]:
    return [Example(text=c.text, intent=c.intent, escalate_to=tuple(c.escalate_to)) for c in cases]


def train_from_files(paths: Sequence[str | Path], out: str | Path, **options: float) -> tuple[TriageModel, float]:
    """Train on every case of `paths`, save to `out`; returns the model and the seconds it took."""
    cases = [c for p in paths for c in load_cases(p)]
    start = time.perf_counter()
    model = train(examples_of(cases), sources=[Path(p).name for p in paths], **options)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    model.meta["train_seconds"] = round(seconds, 1)
    model.save(out)
    return model, seconds


def leave_one_crisis_out(cases: Sequence[TriageCase], default_crisis: str = "sample") -> list[Verdict]:
    """One verdict per case, each from a model that never saw that case's crisis."""
    crisis = [c.crisis or default_crisis for c in cases]
    vectors = encode([c.text for c in cases])
    x = features([c.text for c in cases], vectors)
    out: list[Verdict | None] = [None] * len(cases)
    examples = examples_of(cases)
    for name in sorted(set(crisis)):
        test = [i for i, c in enumerate(crisis) if c == name]
        fit = [i for i, c in enumerate(crisis) if c != name]
        if not fit:
            raise ValueError("leave-one-crisis-out needs at least two crises")
        model = train([examples[i] for i in fit], vectors=vectors[fit])
        for i, verdict in zip(test, model.verdicts(x[np.array(test)]), strict=True):
            out[i] = verdict
    return [v for v in out if v is not None]


def held_out_classifier(cases: Sequence[TriageCase], classify: Callable[..., Triage] = triage,
                        default_crisis: str = "sample") -> Callable[..., Triage]:
    """A `classify` for `evaluate_cases(cases)` that reads each comment with a model trained without its
    crisis: how the rules and the model combine is chosen on this, never on the held-out file."""
    crisis = [c.crisis or default_crisis for c in cases]
    if len(set(crisis)) < 2:
        raise ValueError("leave-one-crisis-out needs at least two crises")
    vectors = encode([c.text for c in cases])
    examples = examples_of(cases)
    models = {}
    for name in sorted(set(crisis)):
        fit = [i for i, c in enumerate(crisis) if c != name]
        models[name] = train([examples[i] for i in fit], vectors=vectors[fit])
    crisis_of = {c.text: name for c, name in zip(cases, crisis, strict=True)}

    def run(comment: Comment, **options: object) -> Triage:
        return classify(comment, model=models[crisis_of[comment.text]], **options)

    return run
