"""Group short texts (questions, rumours) that ask the same thing: shared content stems.

Greedy, in the order given (arrival order, so a group's founder and key stay stable as texts are
added): a text joins the group whose founder shares the largest part of the shorter text's stems,
if that part is at least `threshold`; otherwise it founds a new group.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from assistant.text import content_stems, fold

SIMILAR = 0.5


def stems_of(text: str) -> frozenset[str]:
    return content_stems(fold(text))


def group_similar(stem_sets: Sequence[frozenset[str]], threshold: float = SIMILAR) -> list[list[int]]:
    founders: list[frozenset[str]] = []
    groups: list[list[int]] = []
    for i, stems in enumerate(stem_sets):
        best, score = -1, 0.0
        for g, founder in enumerate(founders):
            smaller = min(len(stems), len(founder))
            sim = len(stems & founder) / smaller if smaller else float(stems == founder)
            if sim > score:
                best, score = g, sim
        if best < 0 or score < threshold:
            founders.append(stems)
            groups.append([i])
        else:
            groups[best].append(i)
    return groups


def group_key(stems: frozenset[str]) -> str:
    return hashlib.sha1(" ".join(sorted(stems)).encode()).hexdigest()[:12]


def typical(members: Sequence[int], stem_sets: Sequence[frozenset[str]], texts: Sequence[str]) -> int:
    """The member sharing the most stems with the rest of its group (ties: the shortest text)."""
    counts: Counter[str] = Counter(s for i in members for s in stem_sets[i])
    return max(members, key=lambda i: (sum(counts[s] for s in stem_sets[i]), -len(texts[i])))
