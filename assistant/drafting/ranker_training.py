"""Training the answer ranker from labelled answer sets, and scoring it across crises on real replies.

Each crisis folder (the `crisis-desk eval answers` format) is ingested into its own temporary
knowledge base; every comment goes through the drafting chain's own steps up to the composer's
inputs (triage, masking, retrieval), then through the composer itself with the ranker asked for
nothing: what the composer offers the ranker there is what it is trained on. Only the sentences it
may add (not chosen by the rules, not the same fact, short enough), in a reply whose required facts
the rules' reply misses: a sentence is a positive when it holds one of those missing facts. The
earlier recipe (every candidate, a positive when it holds any required fact, scored by the facts in
its own top 3) rewarded finding what the rules had already said, and more crises did not help the
real replies. `cross_crisis` trains on all crises but one and composes the real replies of the one
left out, in turn, counting the required facts in them as the evaluation does: the figure to trust
before a held-out set; it also chooses the threshold and top_k the model is saved with.

Imports: the drafting chain's steps, the composer, the runtime and the evaluation set loader.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.drafting.candidates import Candidate
from assistant.drafting.composer import compose, render
from assistant.drafting.context import comment_context
from assistant.drafting.evaluate import Case, find_sets, load_set, normalise, score_case
from assistant.drafting.ranker import DEFAULT_THRESHOLD, DEFAULT_TOP_K, FEATURES, AnswerRanker, eligible, fit
from assistant.drafting.retrieval import Context, reply_language
from assistant.models import Comment, Triage
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


@dataclass
class Drafted:
    """One comment ready to compose: the composer's inputs (as the drafting chain builds them) and the
    facts its reply must contain."""

    crisis: str
    case: Case
    comment: Comment
    masked: str
    triage: Triage
    ctx: Context


def drafting_inputs(paths: Sequence[Path], settings: Settings | None = None,
                    progress: Callable[[str], None] | None = None) -> list[Drafted]:
    """Every comment of every crisis found under `paths`, with the composer's inputs (each crisis
    ingested into its own temporary knowledge base)."""
    folders = [f for p in paths for f in find_sets(p)]
    sets = [load_set(f) for f in folders]  # every file checked before any work
    out: list[Drafted] = []
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
                    comment = Comment(id=case.id, text=case.text, author=case.author,
                                      platform=case.platform)  # type: ignore[arg-type]
                    tri = run_triage(comment)
                    found, ctx = comment_context(runtime.kb, comment, tri, incident=answer_set.incident)
                    out.append(Drafted(answer_set.name, case, comment, found.text, tri, ctx))
            finally:
                runtime.close()
        if progress is not None:
            progress(f"{answer_set.name}: {sum(d.crisis == answer_set.name for d in out)} comments")
    return out


def _facts(d: Drafted) -> list[list[str]]:
    return [f.any_of for f in d.case.required if not f.verdict]


def examples_from(paths: Sequence[Path], settings: Settings | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Example]:
    """The training examples of every crisis found under `paths` (see `composer_examples`)."""
    return composer_examples(offers(drafting_inputs(paths, settings, progress)))


def train(examples: Sequence[Example], *, l2: float = 1.0, threshold: float = DEFAULT_THRESHOLD,
          top_k: int = DEFAULT_TOP_K) -> AnswerRanker:
    rows = [e for e in examples if len(e.y)]
    if not rows:
        raise ValueError("no comment with a required fact and candidate sentences to train on")
    started = time.perf_counter()
    ranker = fit(np.vstack([e.x for e in rows]), np.concatenate([e.y for e in rows]), l2=l2)
    ranker.threshold, ranker.top_k = threshold, top_k
    ranker.meta = {"crises": sorted({e.crisis for e in rows}), "comments": len(rows),
                   "sentences": int(sum(len(e.y) for e in rows)), "positives": int(sum(e.y.sum() for e in rows)),
                   "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
                   "seconds": round(time.perf_counter() - started, 2)}
    return ranker


class _Recorder(AnswerRanker):
    """Chooses nothing and keeps what the composer offered it (so the reply is the rules' own)."""

    seen: tuple[list[Candidate], np.ndarray, set[str], int] | None = None

    def choose(self, cands: Sequence[Candidate], x: np.ndarray, skip: set[str],
               max_chars: int = 10_000) -> list[Candidate]:
        self.seen = (list(cands), x, set(skip), max_chars)
        return []


class _Fixed(AnswerRanker):
    """Chooses the sentences given (a reply composed with picks decided beforehand)."""

    picks: tuple[str, ...] = ()

    def choose(self, cands: Sequence[Candidate], x: np.ndarray, skip: set[str],
               max_chars: int = 10_000) -> list[Candidate]:
        by_text = {c.text: c for c in cands}
        return [by_text[t] for t in self.picks]


def _blank(cls: type[AnswerRanker]) -> AnswerRanker:
    n = len(FEATURES)
    return cls(mean=np.zeros(n), scale=np.ones(n), weights=np.zeros(n + 1))


@dataclass
class Offered:
    """What the composer offers the ranker for one comment: every candidate with its features, which of
    them it may add (`eligible`), the rules' own reply and the required facts it misses."""

    drafted: Drafted
    cands: list[Candidate]
    x: np.ndarray
    eligible: np.ndarray  # bool per candidate
    skip: set[str]
    max_chars: int
    rules_text: str
    missing: list[list[str]]


def _compose(d: Drafted, ranker: AnswerRanker) -> str:
    out = compose(d.comment, d.masked, d.triage, d.ctx, platform=d.comment.platform, ranker=ranker)
    return render(out)


def _found(d: Drafted, text: str) -> int:
    """Required facts met by a reply, as `crisis-desk eval answers` counts them."""
    return len(score_case(d.case, text, reply_language(d.triage.language), [], 0.0).met)


def offers(inputs: Sequence[Drafted]) -> list[Offered | None]:
    """For each comment, what the composer offers the ranker (None: the composer asks it nothing, as for
    a thank-you, a legal or press holding reply, or a comment not to be answered)."""
    out: list[Offered | None] = []
    for d in inputs:
        rec = _blank(_Recorder)
        assert isinstance(rec, _Recorder)
        text = _compose(d, rec) if d.triage.should_respond else ""
        if rec.seen is None:
            out.append(None)
            continue
        cands, x, skip, max_chars = rec.seen
        said = normalise(text)
        missing = [alts for alts in _facts(d) if not any(normalise(a) in said for a in alts)]
        out.append(Offered(d, cands, x, np.array([eligible(c, skip, max_chars) for c in cands], dtype=bool),
                           skip, max_chars, text, missing))
    return out


def composer_examples(offered: Sequence[Offered | None]) -> list[Example]:
    """The examples the composer's ranker is trained on: only the sentences it may add (not chosen by the
    rules, not the same fact, short enough), a positive when it holds a required fact the rules' reply
    misses."""
    out: list[Example] = []
    for o in offered:
        if o is None or not o.eligible.any():
            continue
        keep = np.flatnonzero(o.eligible)
        y = np.array([_label(o.cands[i].text, o.missing) for i in keep]) if o.missing else np.zeros(len(keep))
        out.append(Example(o.drafted.crisis, o.drafted.case.id, o.x[keep], y,
                           [o.cands[i].text for i in keep], o.missing))
    return out


def choose_among(ranker: AnswerRanker, o: Offered, *, threshold: float, top_k: int) -> tuple[str, ...]:
    """The sentences a ranker adds to one reply, as `AnswerRanker.choose` with this threshold and top_k."""
    ranker = replace(ranker, threshold=threshold, top_k=top_k)
    return tuple(c.text for c in ranker.choose(o.cands, o.x, o.skip, o.max_chars))


class Replies:
    """Composes replies with decided picks, once per distinct choice (a ranker that adds nothing leaves
    the rules' reply)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str, tuple[str, ...]], int] = {}

    def found(self, o: Offered | None, d: Drafted, picks: tuple[str, ...]) -> int:
        key = (d.crisis, d.case.id, picks)
        if key not in self.cache:
            if o is None or not picks:
                text = o.rules_text if o is not None else (_compose(d, _blank(_Fixed)) if d.triage.should_respond
                                                           else "")
            else:
                fixed = _blank(_Fixed)
                assert isinstance(fixed, _Fixed)
                fixed.picks = picks
                text = _compose(d, fixed)
            self.cache[key] = _found(d, text)
        return self.cache[key]


# A sentence added to a reply must find a required fact the rules missed in one reply out of 50 to be
# worth its length: without this cost the most facts always come with the most sentences added.
PICK_COST = 0.02
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
TOP_KS = (1, 2, 3)


@dataclass
class CrisisScore:
    """One crisis left out: required facts in its real replies, rules alone and with the ranker trained
    on the other crises (at the chosen threshold and top_k)."""

    crisis: str
    comments: int
    facts: int
    rules: int  # facts found with the ranker off
    found: int  # facts found with the ranker trained without this crisis
    picks: int  # sentences the ranker added


@dataclass
class CrossCrisis:
    threshold: float
    top_k: int
    scores: list[CrisisScore]
    grid: dict[tuple[float, int], tuple[int, int]] = field(default_factory=dict)  # (facts found, picks)

    @property
    def facts(self) -> int:
        return sum(s.facts for s in self.scores)


def cross_crisis(inputs: Sequence[Drafted], offered: Sequence[Offered | None], *, l2: float = 1.0,
                 thresholds: Sequence[float] = THRESHOLDS, top_ks: Sequence[int] = TOP_KS,
                 pick_cost: float = PICK_COST) -> CrossCrisis:
    """Leave one crisis out of the whole pipeline: train on the other crises, compose the real replies
    of the one left out and count the required facts in them, as `crisis-desk eval answers` does. The
    threshold and top_k are those that find the most facts over all crises left out, less `pick_cost`
    per sentence added."""
    crises = sorted({d.crisis for d in inputs})
    if len(crises) < 2:
        raise ValueError("cross-crisis scoring needs at least two crises")
    examples = composer_examples(offered)
    models = {held: train([e for e in examples if e.crisis != held], l2=l2) for held in crises}
    replies = Replies()
    counts: dict[tuple[float, int], dict[str, tuple[int, int]]] = {}
    for thr in thresholds:
        for k in top_ks:
            per: dict[str, tuple[int, int]] = {}
            for d, o in zip(inputs, offered, strict=True):
                picks = choose_among(models[d.crisis], o, threshold=thr, top_k=k) if o is not None else ()
                found, added = per.get(d.crisis, (0, 0))
                per[d.crisis] = (found + replies.found(o, d, picks), added + len(picks))
            counts[(thr, k)] = per
    grid = {key: (sum(f for f, _ in per.values()), sum(n for _, n in per.values())) for key, per in counts.items()}
    best = max(grid, key=lambda key: (grid[key][0] - pick_cost * grid[key][1], -grid[key][1]))
    rules: dict[str, int] = {}
    for d, o in zip(inputs, offered, strict=True):
        rules[d.crisis] = rules.get(d.crisis, 0) + replies.found(o, d, ())
    scores = [CrisisScore(c, sum(d.crisis == c for d in inputs), sum(len(d.case.required) for d in inputs
                                                                     if d.crisis == c),
                          rules.get(c, 0), *counts[best].get(c, (0, 0))) for c in crises]
    return CrossCrisis(best[0], best[1], scores, grid)
