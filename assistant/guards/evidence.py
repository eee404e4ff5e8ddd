"""What the guards check a draft against, prepared once per chunk and reused across drafts.

A chunk is split, folded, stemmed and its facts extracted the first time it is seen; the result is
cached by (chunk id, text) so that a batch of drafts over the same fact sheet pays for it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, Field

from assistant.guards.facts import Fact, extract_facts
from assistant.guards.pii import PiiEntity, find_pii
from assistant.models import Citation, SearchHit
from assistant.text import content_stems, fold, split_sentences, word_parts, words

ONLY_RX = re.compile(r"\b(?:only|solely|exclusively|just|seul|seuls|seule|seules|uniquement|exclusivement)\b")


class GuardContext(BaseModel):
    """Everything a draft is checked against. Only `sources` is needed for claim grounding."""

    sources: list[SearchHit] = Field(default_factory=list, description="approved, valid chunks used")
    citations: list[Citation] = Field(default_factory=list)
    policy: list[SearchHit] = Field(default_factory=list, description="figures that may be promised")
    guideline: list[SearchHit] = Field(default_factory=list, description="tone rules, banned phrases")
    disallowed: list[SearchHit] = Field(default_factory=list, description="outdated or unapproved chunks")
    platform: str = "other"
    language: str = "en"
    comment_pii: list[PiiEntity] = Field(default_factory=list)
    injection: bool = False
    comment: str | None = Field(default=None, description="the (masked) comment, to spot a draft obeying it")
    author: str | None = None
    allow: list[str] = Field(default_factory=list, description="public hotlines/URLs the draft may carry")
    brand: list[str] = Field(default_factory=list, description="company and product names")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    folded: str
    stems: frozenset[str]
    facts: tuple[Fact, ...]
    only: bool

    @property
    def batches(self) -> frozenset[str]:
        return frozenset(f.key for f in self.facts if f.kind == "batch")


def analyse(text: str, offset: int = 0) -> tuple[Sentence, ...]:
    """Sentences of `text` with their facts and content stems; spans are offsets into `text`."""
    out = []
    for s, e in split_sentences(text):
        seg = text[s:e]
        folded = fold(seg)
        found = extract_facts(seg)
        # Words that belong to a fact ("December" in "4 December") are compared as facts, not as words.
        wordy = folded
        for f in found:
            wordy = wordy[: f.start] + " " * (f.end - f.start) + wordy[f.end :]
        facts = tuple(Fact(f.kind, f.keys, f.start + s + offset, f.end + s + offset, f.value) for f in found)
        out.append(
            Sentence(
                s + offset,
                e + offset,
                seg,
                folded,
                content_stems(wordy),
                facts,
                bool(ONLY_RX.search(folded)),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Prepared:
    chunk_id: str
    doc_id: str
    kind: str
    text: str
    sentences: tuple[Sentence, ...]
    stems: frozenset[str]
    keys: frozenset[str]
    words: frozenset[str]
    squashed: str  # alphanumerics only, for quote look-up that ignores punctuation and spacing
    pii: tuple[str, ...]  # contact data the source publishes (hotlines, addresses): fine in a reply
    heading_len: int = 0  # text[:heading_len] is the heading put in front of the chunk

    @property
    def body(self) -> str:
        return self.text[self.heading_len :]


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


@lru_cache(maxsize=4096)
def _prepare(chunk_id: str, doc_id: str, kind: str, text: str, heading_len: int = 0) -> Prepared:
    sentences = analyse(text)
    facts = [f for s in sentences for f in s.facts]
    return Prepared(
        chunk_id=chunk_id,
        doc_id=doc_id,
        kind=kind,
        text=text,
        sentences=sentences,
        stems=frozenset().union(*(s.stems for s in sentences)),
        keys=frozenset(k for f in facts for k in f.keys),
        words=_word_forms(text),
        squashed=squash(text),
        pii=tuple(e.value for e in find_pii(text)),
        heading_len=heading_len,
    )


def prepare(hit: SearchHit) -> Prepared:
    # Headings and titles carry facts too ("Refunds within 14 days"), so they count as source text.
    if hit.heading and hit.heading not in hit.text:
        return _prepare(hit.chunk_id, hit.doc_id, hit.kind, f"{hit.heading}\n{hit.text}", len(hit.heading) + 1)
    return _prepare(hit.chunk_id, hit.doc_id, hit.kind, hit.text)


@dataclass
class Evidence:
    current: list[Prepared]
    policy: list[Prepared]
    guideline: list[Prepared]
    disallowed: list[Prepared]
    by_id: dict[str, Prepared]
    keys: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    bad_keys: dict[str, str] = field(default_factory=dict)
    bad_stems: frozenset[str] = frozenset()
    public: frozenset[str] = frozenset()


def _unique(hits: list[SearchHit]) -> list[Prepared]:
    seen: dict[str, Prepared] = {}
    for h in hits:
        seen.setdefault(h.chunk_id, prepare(h))
    return list(seen.values())


@lru_cache(maxsize=256)
def _evidence(key: tuple[tuple[tuple[str, str, str, str, int], ...], ...]) -> Evidence:
    groups = [[_prepare(*item) for item in group] for group in key]
    current_hits, policy, guideline, disallowed = groups
    current = {p.chunk_id: p for p in current_hits + policy}
    current_list = list(current.values())
    ev = Evidence(
        current=current_list,
        policy=policy,
        guideline=guideline,
        disallowed=[p for p in disallowed if p.chunk_id not in current],
        by_id={p.chunk_id: p for p in disallowed + guideline + current_list},
    )
    ev.keys = frozenset().union(*(p.keys for p in current_list))
    ev.stems = frozenset().union(*(p.stems for p in current_list))
    ev.words = frozenset().union(*(p.words for p in current_list))
    ev.bad_keys = {k: p.chunk_id for p in ev.disallowed for k in p.keys if k not in ev.keys}
    ev.bad_stems = frozenset().union(*(p.stems for p in ev.disallowed)) - ev.stems
    ev.public = frozenset(v for p in current_list + guideline for v in p.pii)
    return ev


def evidence(ctx: GuardContext) -> Evidence:
    def group(hits: list[SearchHit]) -> tuple[tuple[str, str, str, str, int], ...]:
        return tuple((p.chunk_id, p.doc_id, p.kind, p.text, p.heading_len) for p in _unique(hits))

    return _evidence((group(ctx.sources), group(ctx.policy), group(ctx.guideline), group(ctx.disallowed)))


def _word_forms(text: str) -> frozenset[str]:
    """Every word of the text, joined forms and their parts ("l'usine" and "usine", "03/2027" and "2027")."""
    found = words(fold(text))
    return frozenset(found).union(p for w in found for p in word_parts(w))
