"""What a comment would be answered with: the knowledge sentences the offline composer picks for it.

Two comments that ask the same question in other words are answered from the same knowledge; two
different questions about one situation ("can we drink the tap water?" / "can we shower with it?")
are close in meaning but are answered from different sentences. So before two comments share a core
answer (batch/paraphrases.py), each is retrieved and planned as a draft would be (drafting/context
`comment_context`, drafting/answers `plan_answers`: the composer's own choice of answer sentences and
yes/no verdicts), and their answers must agree. A comment whose question the knowledge does not
answer has no key and is drafted alone: "not known yet" is no evidence that two questions are one.

Imports: core, guards (masking), drafting (retrieval, answers), knowledge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.drafting.answers import plan_answers
from assistant.drafting.context import comment_context
from assistant.drafting.retrieval import reply_language
from assistant.knowledge.store import KnowledgeBase
from assistant.models import Comment, Triage

# Tuned on the tuning sets (benchmarks/paraphrases.py --grid): how much the two answers' sentences may
# differ (Jaccard of the sentence sets, order ignored); the kinds of answer asked and the yes/no verdicts
# must be the same (round 4: 0.34 groups the same pairs as 0.5 on the tuning sets; the stricter kept).
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class AnswerKey:
    """The answer a comment would get: the knowledge sentences it states, the yes/no verdicts, and the
    kind of answer each question asks (a "when" and a "how much" about one fact are two questions)."""

    sentences: frozenset[str]
    verdicts: tuple[str | None, ...]
    kinds: tuple[str, ...] = ()


AnswerOf = Callable[[Comment, Triage], "AnswerKey | None"]


def answer_key(kb: KnowledgeBase, comment: Comment, tri: Triage, *, incident: str | None = None,
               at: datetime | None = None) -> AnswerKey | None:
    """The knowledge a draft of `comment` would answer it from, or None when a question of it finds none."""
    masked, ctx = comment_context(kb, comment, tri, incident=incident, at=at)
    plan = plan_answers(masked.text, ctx.sources, reply_language(tri.language))
    if not plan or not all(a.found for a in plan):
        return None
    said = [text for a in plan for text, _ in a.sentences]
    return AnswerKey(sentences=frozenset(said), verdicts=tuple(a.verdict for a in plan),
                     kinds=tuple(a.question.kind for a in plan))


def same_answer(a: AnswerKey, b: AnswerKey, min_overlap: float = MIN_OVERLAP) -> bool:
    """The same verdicts and kinds of question, and at least `min_overlap` of the sentences in common
    (Jaccard: which sentences, not in which order)."""
    if a.verdicts != b.verdicts or a.kinds != b.kinds:
        return False
    return len(a.sentences & b.sentences) / len(a.sentences | b.sentences) >= min_overlap


def answers_from(kb: KnowledgeBase, incident: str | None, at: datetime | None = None) -> AnswerOf:
    """answer_key bound to one knowledge base and incident, as grouping needs it."""
    def of(comment: Comment, tri: Triage) -> AnswerKey | None:
        return answer_key(kb, comment, tri, incident=incident, at=at)
    return of
