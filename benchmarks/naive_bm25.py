"""The in-memory pure-Python BM25 the knowledge store used before the shared SQLite FTS5 index: kept
only as the naive alternative that benchmarks/lexical.py measures the index against.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable

from assistant.text import analyze


class BM25:
    """A small in-memory BM25 index keyed by chunk id (rebuilt incrementally on add/remove)."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._tf: dict[str, Counter[str]] = {}
        self._len: dict[str, int] = {}
        self._df: Counter[str] = Counter()
        self._postings: dict[str, set[str]] = {}
        self._total = 0

    def __len__(self) -> int:
        return len(self._tf)

    def add(self, key: str, text: str) -> None:
        if key in self._tf:
            self.remove(key)
        tf = Counter(analyze(text))
        self._tf[key] = tf
        self._len[key] = sum(tf.values())
        self._total += self._len[key]
        for term in tf:
            self._df[term] += 1
            self._postings.setdefault(term, set()).add(key)

    def remove(self, key: str) -> None:
        tf = self._tf.pop(key, None)
        if tf is None:
            return
        self._total -= self._len.pop(key)
        for term in tf:
            self._df[term] -= 1
            self._postings[term].discard(key)
            if self._df[term] <= 0:
                del self._df[term]
                del self._postings[term]

    def search(self, query: str, allowed: Iterable[str] | None = None, k: int = 20) -> list[tuple[str, float]]:
        terms = set(analyze(query))
        if not terms or not self._tf:
            return []
        n = len(self._tf)
        avg = self._total / n
        allow = set(allowed) if allowed is not None else None
        scores: dict[str, float] = {}
        for term in terms:
            posting = self._postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - self._df[term] + 0.5) / (self._df[term] + 0.5))
            # Walk the smaller side: a filtered search (one kind, one incident) touches only its chunks.
            keys = posting if allow is None else (posting & allow if len(allow) < len(posting) else
                                                  [c for c in posting if c in allow])
            k1, b = self.k1, self.b
            for key in keys:
                f = self._tf[key][term]
                norm = f * (k1 + 1) / (f + k1 * (1 - b + b * self._len[key] / avg))
                scores[key] = scores.get(key, 0.0) + idf * norm
        return heapq.nlargest(k, scores.items(), key=lambda kv: kv[1])
