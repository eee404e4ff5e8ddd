"""Prompt injection as a triage label: a learned yes/no head beside the guards' patterns.

The patterns in `assistant.guards.injection` catch the phrasings they were written for (our red team:
every case); attempts written by others (in-the-wild jailbreaks, role-play set-ups, "paste your
configuration") mostly use other words. This head reads the same two views as the triage layer
(`learned.features`: the multilingual sentence vector + hashed n-grams) and gives the probability that
a comment tries to instruct the assistant. Plain logistic regression (numpy), trained in seconds from
our own examples (`tests/data/injection_train.jsonl`, the red team's injection cases, and the ordinary
comments of the training crises); the public corpora it is measured on are never part of it.

`learned_injection_flag` turns a probability over the threshold into the same `prompt_injection`
flag the patterns give (source `injection:learned`), so everything downstream (the draft's flags,
`injection_suspected`, the genuine question answered around an injection) works unchanged.
Imports: core, text and triage only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.models import Flag
from assistant.text import sentences
from assistant.text.model_file import read_model, write_model
from assistant.triage.learned import HASH_DIM, _balanced, _fit_softmax, features

FORMAT = 1
# Chosen by cross-validation on the training examples only (see docs/DESIGN.md "Prompt injection"):
# the lowest threshold that keeps held-out-fold ordinary comments under 1% flagged.
DEFAULT_THRESHOLD = 0.5
HIGH = 0.9  # above this the flag is high: a reviewer must look before anything is approved
MIN_SENTENCE_WORDS = 6  # shorter sentences say too little to be read alone
MAX_SPLIT_CHARS = 1500  # a long set-up is read whole: its sentences one by one would cost tens of ms


def model_path() -> Path:
    """The injection head shipped with the package."""
    return Path(str(resources.files("assistant.triage") / "data" / "injection_model.npz"))


@dataclass
class InjectionModel:
    weights: np.ndarray  # (features,): logit of "tries to instruct the assistant"
    bias: float
    threshold: float = DEFAULT_THRESHOLD
    meta: dict[str, object] = field(default_factory=dict)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias))), dtype=np.float64)

    def probability(self, text: str) -> float:
        return float(self.probabilities(features([text]))[0])

    def save(self, path: str | Path) -> Path:
        meta = {**self.meta, "format": FORMAT, "hash_dim": HASH_DIM, "threshold": self.threshold}
        return write_model(path, meta, weights=self.weights.astype(np.float16),
                           bias=np.array(self.bias, dtype=np.float32))

    @classmethod
    def load(cls, path: str | Path) -> InjectionModel:
        meta, a = read_model(path, what="an injection model", expect={"format": FORMAT, "hash_dim": HASH_DIM},
                             rebuild="retrain it")
        return cls(weights=a["weights"].astype(np.float32), bias=float(a["bias"]), threshold=float(meta["threshold"]),
                   meta=meta)


@lru_cache(maxsize=4)
def load_injection_model(path: str | None = None) -> InjectionModel | None:
    """The model at `path` (default: the shipped one), or None when there is no such file."""
    file = Path(path) if path else model_path()
    return InjectionModel.load(file) if file.is_file() else None


def train_injection(texts: Sequence[str], labels: Sequence[int] | np.ndarray, *,
                    vectors: np.ndarray | None = None,
                    l2: float = 1e-3, iterations: int = 300, threshold: float = DEFAULT_THRESHOLD,
                    sources: Sequence[str] = ()) -> InjectionModel:
    """Fit the head (class-balanced logistic regression); `vectors`: precomputed sentence vectors."""
    if len(texts) != len(labels) or not texts:
        raise ValueError("need as many labels as texts, and at least one of each")
    y = np.asarray(labels, dtype=int)
    if set(y.tolist()) != {0, 1}:
        raise ValueError("training needs both injection attempts (1) and ordinary comments (0)")
    x = features(list(texts), vectors)
    start = time.perf_counter()
    w, b = _fit_softmax(x, np.eye(2)[y], _balanced(y), l2, iterations)
    meta: dict[str, object] = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "examples": len(texts),
        "attempts": int(y.sum()), "sources": list(sources), "l2": l2, "iterations": iterations,
        "train_seconds": round(time.perf_counter() - start, 1),
    }
    return InjectionModel(weights=w[:, 1] - w[:, 0], bias=float(b[1] - b[0]), threshold=threshold, meta=meta)


@lru_cache(maxsize=1024)
def injection_probability(text: str) -> float | None:
    """The shipped head's probability for one comment (cached: triage and the guards ask for the same
    comment), or None when no model ships. A comment is read whole and sentence by sentence (the
    highest counts): a complaint around one instructing sentence would otherwise dilute it."""
    model = load_injection_model()
    if model is None or not text.strip():
        return None
    parts = [s for s in sentences(text) if len(s.split()) >= MIN_SENTENCE_WORDS] if len(text) <= MAX_SPLIT_CHARS else []
    p = model.probabilities(features([text, *parts] if len(parts) > 1 else [text]))
    # One sentence alone is less context than the comment: it counts only when it reads as an attempt
    # beyond doubt (the bar of a high flag), so an angry "Restore service NOW" stays ordinary.
    alone = float(p[1:].max()) if len(p) > 1 else 0.0
    return max(float(p[0]), alone if alone >= HIGH else 0.0)


def learned_injection_flag(text: str) -> Flag | None:
    """A `prompt_injection` flag when the head reads an attempt to instruct the assistant, else None."""
    p = injection_probability(text)
    model = load_injection_model()
    if p is None or model is None or p < model.threshold:
        return None
    return Flag(code="prompt_injection", severity="high" if p >= HIGH else "medium", source="injection:learned",
                message=f"reads as an attempt to instruct the assistant (model {p:.2f} >= {model.threshold:.2f}); "
                        "no pattern matched")


# ---------------------------------------------------------------- training data


@dataclass(frozen=True)
class LabelledText:
    text: str
    attack: bool
    language: str = ""
    source: str = ""


def read_labelled(path: str | Path) -> list[LabelledText]:
    """JSONL lines {"text", "label": "attack"|"benign", "language"?, "source"?}."""
    out = []
    # split on "\n" only: a JSON string may hold U+2028, which splitlines() would cut
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in ("attack", "benign") or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{n}: needs a text and a label 'attack' or 'benign'")
        out.append(LabelledText(text=row["text"], attack=row["label"] == "attack",
                                language=row.get("language", ""), source=row.get("source", Path(path).name)))
    return out


def comment_texts(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(file name, text) of every comment in triage / answers JSONL files."""
    return [(Path(p).name if Path(p).parent.name == "data" else f"{Path(p).parent.name}/{Path(p).name}",
             json.loads(line)["text"])
            for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]
