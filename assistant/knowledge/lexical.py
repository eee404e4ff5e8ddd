"""BM25 over chunks with French/English analysis (accents folded, stop words, Snowball stems).

The English MiniLM vectors are weak on French and on exact terms (batch numbers, phone numbers),
so retrieval fuses this ranking with the vector one (see store.py). Identifiers such as "L4822"
are kept whole; both language stems are indexed so a query in either language matches.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_STOP = set(
    """a an and are as at be by for from has have i in is it its me my of on or our so that the their
    them they this to us was we were what when where which who will with you your do does did can
    could would not no yes how why there here been am any all just about get got
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me meme
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
    tu un une vos votre vous c d j l m n s t y a est sont ete etre avoir ai as avons avez ont fait
    faire cela ca ceci comment quand quoi ou est-ce plus tres bien""".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_en = snowballstemmer.stemmer("english")
_fr = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    nfkd = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def _stems(word: str) -> tuple[str, ...]:
    if any(ch.isdigit() for ch in word):
        return (word, word.replace("-", "").replace("/", ""))
    a, b = _en.stemWord(word), _fr.stemWord(word)
    return (a,) if a == b else (a, b)


def analyze(text: str) -> list[str]:
    terms: list[str] = []
    for tok in _TOKEN.findall(fold(text)):
        if tok in _STOP or len(tok) < 2:
            continue
        terms.extend(_stems(tok))
    return terms


@lru_cache(maxsize=20_000)
def term_set(text: str) -> frozenset[str]:
    """analyze() as a set, cached: knowledge sentences are compared again and again."""
    return frozenset(analyze(text))


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
