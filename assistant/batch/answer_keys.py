"""What a comment would be answered with: the knowledge sentences the offline composer picks for it.

Two comments that ask the same question in other words are answered from the same knowledge; two
different questions about one situation ("can we drink the tap water?" / "can we shower with it?")
are close in meaning but are answered from different sentences. So before two comments share a core
answer (batch/paraphrases.py), each is retrieved and planned as a draft would be (drafting/context
`comment_context`, drafting/answers `plan_answers`: the composer's own choice of answer sentences and
yes/no verdicts), and the two plans must be the same: the same kinds of question in the same order,
the same sentences, the same verdicts, about the same items. If each comment would be answered the
same on its own, one core for both changes no one's answer. A comment whose question the knowledge
does not answer has no key and is drafted alone: "not known yet" is no evidence that two questions
are one.

An item is compared as the comment names it: the composer finds "Pass" in "is the camping pass
refunded?" and in "is the parking pass refunded?", but the word in front of it (in French the word
after it: "le pass camping") tells two passes apart, so the key holds "camping pass" and "parking
pass". A word that only qualifies the question ("le pass remboursé ?") splits a pair that was one
question: that costs a provider call, never a wrong answer. An identifier with a digit (L4822) is
specific by itself. An answer that only says what is not known yet, or when the next update comes,
fits many questions ("when will I get my suitcase back?" / "when will the systems work again?" both
get "we do not know yet when the system will be restored"): the key says so (`unsettled`) and
grouping then asks for closer meaning (paraphrases.UNSETTLED_THRESHOLD).

Imports: core, guards (masking), drafting (retrieval, answers, questions), knowledge, text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from assistant.drafting.answers import NEXT_UPDATE, Answer, plan_answers
from assistant.drafting.context import comment_context
from assistant.drafting.questions import compact
from assistant.drafting.retrieval import reply_language
from assistant.knowledge.store import KnowledgeBase
from assistant.models import Comment, Triage
from assistant.text import STOPWORDS, fold

# The share of sentences two answers must have in common (Jaccard, order ignored). Round 5: 1.0, the
# same sentences (rounds 3-4 allowed 0.5, and half an answer shared is another answer for one of them).
MIN_OVERLAP = 1.0
_WORD = r"([^\W\d_][\w'’]*)"


@dataclass(frozen=True)
class AnswerKey:
    """The answer a comment would get: the knowledge sentences it states, the yes/no verdicts, the
    kind of answer each question asks (a "when" and a "how much" about one fact are two questions),
    the items each question asks about, and whether an answer only says "not known yet"."""

    sentences: frozenset[str]
    verdicts: tuple[str | None, ...]
    kinds: tuple[str, ...] = ()
    items: tuple[frozenset[str], ...] = ()
    unsettled: bool = False


AnswerOf = Callable[[Comment, Triage], "AnswerKey | None"]


def named_items(text: str, items: Iterable[str], language: str = "en") -> frozenset[str]:
    """The items a question asks about as the comment names them: an identifier with a digit as it is
    (without separators), a name with the word that qualifies it when that word is no stopword: the
    word before in English ("camping pass"; "the pass" is just "pass"), after in French ("pass camping";
    "le pass est" is just "pass")."""
    folded = fold(text)
    out = set()
    for item in items:
        if any(ch.isdigit() for ch in item):
            out.add(compact(item))
            continue
        name = fold(item).strip()
        if language == "fr":
            m = re.search(rf"\b{re.escape(name)}[\s-]+{_WORD}", folded)
        else:
            m = re.search(rf"{_WORD}[\s-]+{re.escape(name)}\b", folded)
        word = m.group(1) if m else ""
        if len(word) <= 2 or word in STOPWORDS:
            out.add(name)
        else:
            out.add(f"{name} {word}" if language == "fr" else f"{word} {name}")
    return frozenset(out)


def settled(answer: Answer) -> bool:
    """Whether an answer states something other than "not known yet" or the next update."""
    return any(not (c.unknown or NEXT_UPDATE.search(c.folded)) for c in answer.used) or not answer.used


def answer_key(kb: KnowledgeBase, comment: Comment, tri: Triage, *, incident: str | None = None,
               at: datetime | None = None) -> AnswerKey | None:
    """The knowledge a draft of `comment` would answer it from, or None when a question of it finds none."""
    masked, ctx = comment_context(kb, comment, tri, incident=incident, at=at)
    language = reply_language(tri.language)
    plan = plan_answers(masked.text, ctx.sources, language)
    if not plan or not all(a.found for a in plan):
        return None
    said = [text for a in plan for text, _ in a.sentences]
    return AnswerKey(sentences=frozenset(said), verdicts=tuple(a.verdict for a in plan),
                     kinds=tuple(a.question.kind for a in plan),
                     items=tuple(named_items(masked.text, a.question.items, language) for a in plan),
                     unsettled=not all(settled(a) for a in plan))


def same_answer(a: AnswerKey, b: AnswerKey, min_overlap: float = MIN_OVERLAP) -> bool:
    """The same kinds of question, verdicts and items, and at least `min_overlap` of the sentences in
    common (Jaccard: which sentences, not in which order; by default all of them)."""
    if a.verdicts != b.verdicts or a.kinds != b.kinds or a.items != b.items:
        return False
    return len(a.sentences & b.sentences) / len(a.sentences | b.sentences) >= min_overlap


def answers_from(kb: KnowledgeBase, incident: str | None, at: datetime | None = None) -> AnswerOf:
    """answer_key bound to one knowledge base and incident, as grouping needs it."""
    def of(comment: Comment, tri: Triage) -> AnswerKey | None:
        return answer_key(kb, comment, tri, incident=incident, at=at)
    return of
