"""Train the injection head from our own examples, and choose its threshold honestly.

Training data (all ours, none of it from the public corpora the label is measured on):
- `injection_train.jsonl`: attempts written for this (fr/en: override, prompt extraction, role play,
  DAN-like set-ups, dictated output, encoded or spaced-out payloads, fake turns, social engineering)
  and ordinary comments that use the same words innocently ("ignore my previous message", "your system
  is down", "the instructions on the box");
- the red team's injection cases (attempts) and its clean comments;
- every comment of the training crises (`TRAINING_COMMENTS`): ordinary, except the attempts listed in
  `injection_comment_attempts.jsonl`, which count as attempts.
The held-out crises (`HELDOUT_COMMENTS`) are never trained on: they measure false flags.

The threshold is the lowest (in steps of 0.05) at which ordinary comments of held-out folds (5-fold
cross-validation on the training data) are at most `MAX_CV_FALSE_FLAGS` flagged.
Imports: core, text and triage only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.text.encoder import encode
from assistant.triage.injection import InjectionModel, comment_texts, read_labelled, train_injection
from assistant.triage.learned import features

WRITTEN = "injection_train.jsonl"
ATTEMPTS = "injection_comment_attempts.jsonl"  # attempts found inside the ordinary comment sets
REDTEAM = "redteam.jsonl"
TRAINING_COMMENTS = ("triage_set.jsonl", "triage_extra.jsonl", "triage_train_crises.jsonl",
                     "answers_tuning/*/comments.jsonl")
HELDOUT_COMMENTS = ("triage_tuning_crises.jsonl", "triage_holdout.jsonl", "answers_holdout4/*/comments.jsonl")
MAX_CV_FALSE_FLAGS = 0.01  # half the 2% bound, so the shipped threshold has room on new crises


def _files(data_dir: Path, patterns: tuple[str, ...]) -> list[Path]:
    return [p for pattern in patterns for p in sorted(data_dir.glob(pattern))]


def known_attempts(data_dir: Path) -> set[str]:
    path = data_dir / ATTEMPTS
    if not path.is_file():
        return set()
    return {json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def ordinary_comments(data_dir: Path, held_out: bool) -> list[tuple[str, str]]:
    """(file, text) of the ordinary comments of the training (or held-out) crises: attempts left out."""
    attempts = known_attempts(data_dir)
    files = _files(data_dir, HELDOUT_COMMENTS if held_out else TRAINING_COMMENTS)
    return [(f, t) for f, t in comment_texts(files) if t not in attempts]


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    labels: list[int]
    sources: list[str]


def training_set(data_dir: Path) -> TrainingSet:
    texts: list[str] = []
    labels: list[int] = []
    written = data_dir / WRITTEN
    if not written.is_file():
        raise ValueError(f"no such file: {written}")
    for row in read_labelled(written):
        texts.append(row.text)
        labels.append(int(row.attack))
    sources = [WRITTEN]
    redteam = data_dir / REDTEAM
    if redteam.is_file():
        sources.append(REDTEAM)
        for line in redteam.read_text(encoding="utf-8").splitlines():
            case = json.loads(line) if line.strip() else {}
            if str(case.get("category", "")).startswith("injection_"):
                texts.append(case["comment"])
                labels.append(1)
            elif case.get("category") == "clean_comment":
                texts.append(case["comment"])
                labels.append(0)
    attempts = known_attempts(data_dir)
    files = _files(data_dir, TRAINING_COMMENTS)
    for _, text in comment_texts(files):
        texts.append(text)
        labels.append(int(text in attempts))
    sources += [str(f.relative_to(data_dir)) for f in files]
    return TrainingSet(texts=texts, labels=labels, sources=sources)


def choose_threshold(probabilities: np.ndarray, labels: np.ndarray, max_false: float = MAX_CV_FALSE_FLAGS) -> float:
    """The lowest threshold (0.05 steps) flagging at most `max_false` of the ordinary texts."""
    ordinary = probabilities[labels == 0]
    for step in range(2, 20):
        threshold = step / 20
        if ordinary.size == 0 or float(np.mean(ordinary >= threshold)) <= max_false:
            return threshold
    return 0.95


def cross_validated(ts: TrainingSet, vectors: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each text's probability from a model that did not see it (k-fold)."""
    y = np.asarray(ts.labels)
    fold = np.random.default_rng(seed).integers(0, folds, len(y))
    x = features(ts.texts, vectors)
    out = np.zeros(len(y))
    for k in range(folds):
        fit = fold != k
        model = train_injection([t for t, f in zip(ts.texts, fit, strict=True) if f], y[fit], vectors=vectors[fit])
        out[~fit] = model.probabilities(x[~fit])
    return out


def train_default(data_dir: Path, out: Path) -> tuple[InjectionModel, dict[str, float]]:
    """Cross-validate to pick the threshold, train on everything, save; returns the model and CV figures."""
    start = time.perf_counter()
    ts = training_set(data_dir)
    vectors = encode(ts.texts)
    y = np.asarray(ts.labels)
    cv = cross_validated(ts, vectors)
    threshold = choose_threshold(cv, y)
    model = train_injection(ts.texts, y, vectors=vectors, threshold=threshold, sources=ts.sources)
    figures = {"threshold": threshold, "cv_recall": float(np.mean(cv[y == 1] >= threshold)),
               "cv_false_flags": float(np.mean(cv[y == 0] >= threshold)),
               "examples": float(len(y)), "attempts": float(y.sum()),
               "seconds": round(time.perf_counter() - start, 1)}
    model.meta.update({f"cv_{k}": v for k, v in figures.items() if k not in ("threshold",)})
    model.save(out)
    return model, figures
