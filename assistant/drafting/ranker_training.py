"""Training the answer ranker from labelled answer sets, and scoring it across crises.

Each crisis folder (the `crisis-desk eval answers` format) is ingested into its own temporary
knowledge base; every comment goes through the drafting chain's own steps up to the composer's
inputs (triage, masking, retrieval, candidate sentences, questions), and each candidate sentence is
a positive when it contains one of the comment's required facts (verdict facts, "yes"/"no", are the
rules' job). `cross_crisis` trains on all crises but one and scores the one left out, in turn: the
figure to trust before a held-out set.

Imports: the drafting chain's steps, the runtime and the evaluation set loader.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.drafting.composer import answer_inputs
from assistant.drafting.context import comment_context
from assistant.drafting.evaluate import find_sets, load_set, normalise
from assistant.drafting.ranker import AnswerRanker, features, fit
from assistant.drafting.retrieval import reply_language
from assistant.models import Comment
from assistant.runtime import Runtime
from assistant.triage.classify import triage as run_triage


@dataclass
class Example:
    """One comment: its candidate sentences' features, which of them hold a required fact, the facts."""

    crisis: str
    case_id: str
    x: np.ndarray
    y: np.ndarray
    sentences: list[str]
    facts: list[list[str]]


def _label(sentence: str, facts: list[list[str]]) -> float:
    s = normalise(sentence)
    return float(any(normalise(a) in s for alts in facts for a in alts))


def examples_from(paths: Sequence[Path], settings: Settings | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Example]:
    """Examples of every comment with a required fact, in every crisis found under `paths`."""
    folders = [f for p in paths for f in find_sets(p)]
    sets = [load_set(f) for f in folders]  # every file checked before any work
    out: list[Example] = []
    for answer_set in sets:
        with tempfile.TemporaryDirectory(prefix="ranker-") as tmp:
            base = settings or Settings()
            runtime = Runtime(base.model_copy(update={"data_dir": Path(tmp), "chroma_url": None,
                                                      "database_url": None}))
            try:
                report = runtime.kb.ingest_path(answer_set.knowledge)
                if report.failed:
                    raise ValueError(f"{answer_set.name}: knowledge failed to load: {report.errors}")
                for case in answer_set.cases:
                    facts = [f.any_of for f in case.required if not f.verdict]
                    if not facts:
                        continue
                    comment = Comment(id=case.id, text=case.text, author=case.author,
                                      platform=case.platform)  # type: ignore[arg-type]
                    tri = run_triage(comment)
                    found, ctx = comment_context(runtime.kb, comment, tri, incident=answer_set.incident)
                    masked = found.text
                    cands, picker, questions = answer_inputs(masked, tri, ctx)
                    x = features(cands, questions, masked, picker, language=reply_language(tri.language),
                                 intent=tri.intent)
                    y = np.array([_label(c.text, facts) for c in cands])
                    out.append(Example(answer_set.name, case.id, x, y, [c.text for c in cands], facts))
            finally:
                runtime.close()
        if progress is not None:
            progress(f"{answer_set.name}: {sum(e.crisis == answer_set.name for e in out)} comments")
    return out


def train(examples: Sequence[Example], *, l2: float = 1.0) -> AnswerRanker:
    rows = [e for e in examples if len(e.y)]
    if not rows:
        raise ValueError("no comment with a required fact and candidate sentences to train on")
    started = time.perf_counter()
    ranker = fit(np.vstack([e.x for e in rows]), np.concatenate([e.y for e in rows]), l2=l2)
    ranker.meta = {"crises": sorted({e.crisis for e in rows}), "comments": len(rows),
                   "sentences": int(sum(len(e.y) for e in rows)), "positives": int(sum(e.y.sum() for e in rows)),
                   "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
                   "seconds": round(time.perf_counter() - started, 2)}
    return ranker


@dataclass
class CrisisScore:
    crisis: str
    comments: int
    facts: int
    found: int  # required facts in the sentences the ranker picks (top_k above threshold)
    picked: int
    correct_picks: int  # picks that hold a required fact

    @property
    def recall(self) -> float:
        return self.found / self.facts if self.facts else 0.0

    @property
    def precision(self) -> float:
        return self.correct_picks / self.picked if self.picked else 0.0


def score(ranker: AnswerRanker, examples: Sequence[Example], crisis: str) -> CrisisScore:
    result = CrisisScore(crisis, 0, 0, 0, 0, 0)
    for e in examples:
        p = ranker.probabilities(e.x)
        top = [int(i) for i in np.argsort(-p, kind="stable")[:ranker.top_k] if p[i] >= ranker.threshold]
        said = normalise(" ".join(e.sentences[i] for i in top))
        result.comments += 1
        result.facts += len(e.facts)
        result.found += sum(any(normalise(a) in said for a in alts) for alts in e.facts)
        result.picked += len(top)
        result.correct_picks += int(sum(e.y[i] for i in top))
    return result


def cross_crisis(examples: Sequence[Example], *, l2: float = 1.0) -> list[CrisisScore]:
    """Leave one crisis out: train on the others, score it."""
    crises = sorted({e.crisis for e in examples})
    if len(crises) < 2:
        raise ValueError("cross-crisis scoring needs at least two crises")
    return [score(train([e for e in examples if e.crisis != held], l2=l2),
                  [e for e in examples if e.crisis == held], held) for held in crises]
