"""How close in meaning a question is to each knowledge sentence (multilingual sentence vectors).

"Did anyone download the data?" shares no word with "we do not know yet whether the data were
copied", and "remboursé quand ?" none with "versé sous 10 jours ouvrés"; the shared USE-multilingual
encoder (text/encoder.py) puts them close. Knowledge sentences are encoded once per process and kept
(they repeat from draft to draft); questions are encoded per draft, in one batch with the comment.

Imports: the text layer only (numpy for the vectors).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from assistant.text.encoder import DIMENSIONS, encode

# Knowledge sentences seen so far -> vector. Bounded: a long-running process that sees a great deal
# of knowledge starts afresh rather than growing without end (512 floats = 2 kB a sentence).
MAX_CACHED = 40_000
_cache: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def _encode_with(extra: Sequence[str], sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(vectors of `extra`, vectors of the knowledge `sentences`) in one encoder call: the sentences never
    seen before are encoded in the same batch as the question (one call costs ~3 ms before any text)."""
    with _lock:
        known = {t: _cache.get(t) for t in sentences}
    missing = [t for t, v in known.items() if v is None]
    unique = list(dict.fromkeys(extra))  # a one-question comment is its own question: encoded once
    vectors = encode([*unique, *missing]) if unique or missing else np.zeros((0, DIMENSIONS), dtype=np.float32)
    fresh = vectors[len(unique):]
    if missing:
        with _lock:
            if len(_cache) + len(missing) > MAX_CACHED:
                _cache.clear()
            _cache.update(zip(missing, fresh, strict=True))
    filled = {**{t: v for t, v in known.items() if v is not None}, **dict(zip(missing, fresh, strict=True))}
    rows = np.stack([filled[t] for t in sentences]) if sentences else np.zeros((0, DIMENSIONS), dtype=np.float32)
    at = {t: i for i, t in enumerate(unique)}
    asked = vectors[[at[t] for t in extra]] if extra else np.zeros((0, DIMENSIONS), dtype=np.float32)
    return asked, rows


def sentence_vectors(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), 512) vectors of knowledge sentences, encoding only those never seen before."""
    return _encode_with((), texts)[1]


def _mix(questions: Sequence[str], comment: str, vectors: np.ndarray) -> np.ndarray:
    """Each question's vector pulled towards the whole comment's (the last row) when it is only part of
    it: "il se passe quoi pour lui ?" is about the dog named in the sentence before."""
    whole = vectors[-1]
    out = np.empty((len(questions), DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(questions):
        mixed = vectors[i] if text.strip() == comment.strip() else vectors[i] + 0.5 * whole
        out[i] = mixed / max(float(np.linalg.norm(mixed)), 1e-9)
    return out


def question_vectors(questions: Sequence[str], comment: str) -> tuple[np.ndarray, np.ndarray]:
    """(each question's vector mixed with the comment's, the comment's vector)."""
    asked, _ = _encode_with([*questions, comment], ())
    return _mix(questions, comment, asked), asked[-1]


def similarities(questions: Sequence[str], comment: str, sentences: Sequence[str]) -> list[dict[str, float]]:
    """For each question, cosine similarity (its vector mixed with the comment's) to every sentence."""
    if not questions or not sentences:
        return [{} for _ in questions]
    asked, rows = _encode_with([*questions, comment], sentences)
    scores = _mix(questions, comment, asked) @ rows.T
    return [dict(zip(sentences, (float(x) for x in row), strict=True)) for row in scores]
