"""A learned answer-sentence ranker: which knowledge sentences answer this comment, beyond the rules' pick.

The rules in answers.py find the kind of answer a question needs and one sentence of that kind; on
crises they were not written on they often stop at the wrong sentence ("Has the guard been fired?" -
"The guard is employed by our contractor", while "He was removed from all our stores" is two lines
further). This layer scores every candidate sentence with a small logistic regression over features
that carry no crisis's words:

- closeness in meaning (USE-multilingual) of each question to the sentence, to the sentence with its
  heading, and to the sentence with its neighbours (short sentences such as "He did nothing wrong."
  or "You have nothing to do." are read with the sentence before them), as values and as ranks;
- word overlap weighted by rarity (the Picker's relevance), as value and rank;
- whether the sentence holds the kind of answer asked (a date for "when", an amount for "how much");
- the document kind, the "not known yet" section, the next-update line, a link or phone number, its
  position and length, the reply language.

The composer adds, of the sentences it may add (not chosen by the rules, not the same fact as one of
them, short enough: `eligible`), the `top_k` best scored that reach the model's threshold, after the
rules' answers, so a short platform cuts them first. Trained (`crisis-desk answers train`, see
ranker_training.py) on what the composer offers it: the sentences it may add, a positive when it holds a
required fact that the rules' own reply misses; the threshold and top_k saved with it are chosen by
composing the real replies of each crisis left out. Shipped as a small `.npz` (weights, threshold,
top_k, what it was trained on).

Imports: the answer picker (candidates, relevance, answer types), meaning (vectors) and questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.drafting.answers import KNOW_WHEN, MONEY_WORDS, NEXT_UPDATE, Picker, near_duplicate
from assistant.drafting.candidates import ANSWER_TYPES, MONEY, Candidate, has_type, keyset
from assistant.drafting.items import ALREADY_SAID
from assistant.drafting.meaning import question_vectors, sentence_vectors
from assistant.drafting.questions import Question
from assistant.text import analyze
from assistant.text.model_file import read_model, write_model

FORMAT = "answer-ranker-1"
KINDS = ("fact_sheet", "policy", "faq", "statement", "contact")
FEATURES: tuple[str, ...] = (
    "sim_question", "sim_comment", "sim_gap", "sim_rank", "lexical_log", "lexical_share", "lexical_rank",
    "answer_type", "type_asked", *(f"kind_{k}" for k in KINDS), "unknown", "unknown_for_why",
    "next_update", "next_step", "sim_previous", "sim_next", "pronoun_start", "first_in_chunk", "length",
    "same_language", "no_question", "rumour", "sim_heading", "sim_window", "heading_gap", "window_gap",
)
# A sentence that leans on the one before ("He did nothing wrong.", "Its conclusions are expected ...").
PRONOUN = re.compile(r"^(he|she|it|its|they|their|this|these|that|il|elle|ils|elles|ses|son|sa|leur|leurs|"
                     r"cette|ce|ces|cela)\b")
DEFAULT_THRESHOLD = 0.6
DEFAULT_TOP_K = 3


def model_path() -> Path:
    return Path(str(resources.files("assistant.drafting") / "data" / "answer_ranker.npz"))


def _ranks(values: np.ndarray) -> np.ndarray:
    """1 / (1 + rank), rank 0 for the highest value."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    return 1.0 / (1.0 + ranks)


def _wanted(questions: Sequence[Question]) -> list[re.Pattern[str]]:
    out = []
    for q in questions:
        want = MONEY if MONEY_WORDS.search(q.folded) and q.kind in ("how_much", "what") else ANSWER_TYPES.get(q.kind)
        if want is not None:
            out.append(want)
    return out


def _neighbours(cands: Sequence[Candidate]) -> list[tuple[int | None, int | None, int]]:
    """(index of the sentence before, of the one after, position) of each candidate within its chunk."""
    by_chunk: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        by_chunk.setdefault(c.chunk_id, []).append(i)
    out: list[tuple[int | None, int | None, int]] = [(None, None, 0)] * len(cands)
    for members in by_chunk.values():
        for pos, i in enumerate(members):
            out[i] = (members[pos - 1] if pos > 0 else None, members[pos + 1] if pos + 1 < len(members) else None, pos)
    return out


def features(cands: Sequence[Candidate], questions: Sequence[Question], comment: str, picker: Picker, *,
             language: str, intent: str) -> np.ndarray:
    """(len(cands), len(FEATURES)) for one comment; `comment` is the masked text the composer reads."""
    if not cands:
        return np.zeros((0, len(FEATURES)))
    asked = [q.text for q in questions] or [comment]
    qv, cv = question_vectors(asked, comment)
    near = _neighbours(cands)
    texts = [c.text for c in cands]
    headed = [f"{c.hit.heading.rsplit(' > ', 1)[-1]}: {c.text}" for c in cands]
    windows = [" ".join(texts[j] for j in (p, i, n) if j is not None) for i, (p, n, _) in enumerate(near)]
    sv = sentence_vectors([*texts, *headed, *windows])
    n = len(cands)
    sim_q = (qv @ sv[:n].T).max(0)
    sim_c = sv[:n] @ cv
    sim_h = (qv @ sv[n:2 * n].T).max(0)
    sim_w = (qv @ sv[2 * n:].T).max(0)
    hint = keyset(analyze(comment))
    # each question's words cut to keys once, not once per candidate
    asks = [(t, keyset(q.related) - t, hint - t) for q in questions for t in (keyset(q.terms),)]
    lex = np.array([max((picker.relevance_keyed(c, *a) for a in asks),
                        default=picker.relevance_keyed(c, hint, frozenset(), frozenset())) for c in cands])
    wants = _wanted(questions)
    why = any(q.kind == "why" or KNOW_WHEN.search(q.folded) for q in questions)
    sim_rank, lex_rank = _ranks(sim_q), _ranks(lex)
    rows = []
    for i, c in enumerate(cands):
        prev, nxt, pos = near[i]
        rows.append([
            sim_q[i], sim_c[i], sim_q[i] - sim_q.max(), sim_rank[i], np.log1p(lex[i]), lex[i] / (lex.max() + 1e-9),
            lex_rank[i], float(any(has_type(w, c.folded) for w in wants)), float(bool(wants)),
            *(float(c.hit.kind == k) for k in KINDS), float(c.unknown), float(c.unknown and why),
            float(bool(NEXT_UPDATE.search(c.folded))), float(c.next_step),
            sim_q[prev] if prev is not None else 0.0, sim_q[nxt] if nxt is not None else 0.0,
            float(bool(PRONOUN.match(c.folded))), float(pos == 0), len(c.text) / 100, float(c.hit.language == language),
            float(not questions), float(intent == "rumour"), sim_h[i], sim_w[i], sim_h[i] - sim_h.max(),
            sim_w[i] - sim_w.max(),
        ])
    return np.asarray(rows, dtype=np.float64)


@dataclass
class AnswerRanker:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # len(FEATURES) + 1 (the bias last)
    threshold: float = DEFAULT_THRESHOLD
    top_k: int = DEFAULT_TOP_K
    meta: dict[str, object] = field(default_factory=dict)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        z = (x - self.mean) / self.scale @ self.weights[:-1] + self.weights[-1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def choose(self, cands: Sequence[Candidate], x: np.ndarray, skip: set[str],
               max_chars: int = 10_000) -> list[Candidate]:
        """See `pick` (a method, so that training can record what the composer would choose from)."""
        p = self.probabilities(x)
        out: list[Candidate] = []
        ranked = [int(i) for i in np.argsort(-p, kind="stable") if eligible(cands[int(i)], skip, max_chars)]
        for i in ranked[:self.top_k]:
            if p[i] >= self.threshold and eligible(cands[i], skip | {o.text for o in out}, max_chars):
                out.append(cands[i])
        return out

    def save(self, path: str | Path) -> Path:
        meta = {**self.meta, "format": FORMAT, "features": list(FEATURES), "threshold": self.threshold,
                "top_k": self.top_k}
        return write_model(path, meta, mean=self.mean, scale=self.scale, weights=self.weights)

    @classmethod
    def load(cls, path: str | Path) -> AnswerRanker:
        meta, a = read_model(path, what="an answer ranker", expect={"format": FORMAT, "features": FEATURES},
                             rebuild="retrain with `crisis-desk answers train`")
        return cls(mean=a["mean"], scale=a["scale"], weights=a["weights"], threshold=float(meta["threshold"]),
                   top_k=int(meta["top_k"]), meta=meta)


@lru_cache(maxsize=4)
def load_ranker(path: str | None = None) -> AnswerRanker | None:
    """The ranker at `path` (default: the shipped one), or None when there is no such file."""
    file = Path(path) if path else model_path()
    return AnswerRanker.load(file) if file.is_file() else None


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iterations: int = 30) -> AnswerRanker:
    """Class-balanced L2 logistic regression by Newton steps (a few dozen features: exact and fast)."""
    if len(x) == 0 or y.min() == y.max():
        raise ValueError("training needs both answer and non-answer sentences")
    mean, scale = x.mean(0), x.std(0) + 1e-6
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    pos = float(y.mean())
    sw = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))
    reg = np.r_[np.full(z.shape[1] - 1, l2), 0.0]
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ ((p - y) * sw) / len(y) + reg * w / len(y)
        hess = (z * (p * (1 - p) * sw)[:, None]).T @ z / len(y) + np.diag(reg) / len(y)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return AnswerRanker(mean=mean, scale=scale, weights=w)


def eligible(c: Candidate, skip: set[str], max_chars: int = 10_000) -> bool:
    """Whether the composer may add `c` besides what the rules chose (`skip`): not chosen already, not the
    same fact as a chosen one, short enough. An FAQ answer's "Yes, if ..." only means something after its
    question: the rules may answer with it, a sentence added besides the answers may not."""
    return c.text not in skip and len(c.text) <= max_chars and not ALREADY_SAID.match(c.folded) \
        and not near_duplicate(c, skip)


def pick(ranker: AnswerRanker, cands: Sequence[Candidate], x: np.ndarray, skip: set[str],
         max_chars: int = 10_000) -> list[Candidate]:
    """Of the top_k best-scored candidates, those above the threshold that are not in `skip` (what the
    rules already chose) nor the same fact as one of them."""
    return ranker.choose(cands, x, skip, max_chars)


SHIPPED = "shipped"


def resolve(choice: AnswerRanker | str | None) -> AnswerRanker | None:
    """A ranker from a setting: "shipped" (the packaged model), "off" (or None), or the path of a `.npz`."""
    if isinstance(choice, AnswerRanker):
        return choice
    if choice is None or choice == "off":
        return None
    return load_ranker(None if choice == SHIPPED else choice)
