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
grouping then asks for closer meaning (paraphrases.UNSETTLED_THRESHOLD). The key also carries the words of
the retrieved knowledge (specific to a few sentences, or general: most sentences, the titles) and of the
answer, so that grouping can tell which differing words the knowledge answers apart (round 7,
paraphrases.rewording_only).

Imports: core, guards (masking), drafting (retrieval, answers, questions), knowledge, text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from assistant.drafting.answers import COMMON_MIN_SENTENCES, NEXT_UPDATE, Answer, plan_answers
from assistant.drafting.candidates import Candidate, candidates, text_keys
from assistant.drafting.context import comment_context
from assistant.drafting.questions import compact
from assistant.drafting.retrieval import reply_language
from assistant.knowledge.store import KnowledgeBase
from assistant.models import Comment, Triage
from assistant.text import STOPWORDS, fold, sentences, stem

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
    said: frozenset[str] = frozenset()  # what the knowledge says of its identifiers (item_words)
    asked: frozenset[str] = frozenset()  # what its item questions ask of them (asked_of)
    # Word keys (candidates.text_keys) of the knowledge retrieved for it: the words a few of its sentences
    # use (`specific`), the words most of them or their titles use (`general`: the product, the incident),
    # and the words of the answer's own sentences (`stated`). See paraphrases.rewording_only.
    specific: frozenset[str] = frozenset()
    general: frozenset[str] = frozenset()
    stated: frozenset[str] = frozenset()


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
    items = tuple(named_items(masked.text, a.question.items, language) for a in plan)
    ids = {i for group in items for i in group if any(ch.isdigit() for ch in i)}
    specific, general = knowledge_words(candidates(ctx.sources, language))
    return AnswerKey(sentences=frozenset(said), verdicts=tuple(a.verdict for a in plan),
                     kinds=tuple(a.question.kind for a in plan), items=items,
                     unsettled=not all(settled(a) for a in plan),
                     said=item_words([h.text for h in ctx.sources], ids) if ids else frozenset(),
                     asked=asked_of(plan, masked.text) if ids else frozenset(),
                     specific=specific, general=general, stated=frozenset().union(*map(text_keys, said)))


def knowledge_words(cands: Sequence[Candidate]) -> tuple[frozenset[str], frozenset[str]]:
    """(specific, general) word keys of the knowledge sentences: general are those of more than a quarter
    of the sentences (at least COMMON_MIN_SENTENCES counted, as the composer's Picker does) and of the
    documents' titles, which name the product or the incident; specific are all the others."""
    df: Counter[str] = Counter()
    for c in cands:
        df.update(text_keys(c.text))
    general = {t for t, d in df.items() if d > 0.25 * max(len(cands), COMMON_MIN_SENTENCES)}
    general |= {t for c in cands for t in text_keys(c.hit.title)}
    return frozenset(df.keys() - general), frozenset(general)


def asked_of(plan: Iterable[Answer], text: str) -> frozenset[str]:
    """Stems of what a comment's item questions ask of their items: the words of each question's asking
    part (Question.terms), without the identifiers and the words naming the kind of item ("batch",
    "my box L4822")."""
    terms = {t for a in plan if a.question.kind == "item" for t in a.question.terms}
    ids = {compact(i) for a in plan for i in a.question.items}
    return frozenset({stem(t) for t in terms if compact(t) not in ids}) - kind_words([text])


def same_answer(a: AnswerKey, b: AnswerKey, min_overlap: float = MIN_OVERLAP) -> bool:
    """The same kinds of question, verdicts and items, and at least `min_overlap` of the sentences in
    common (Jaccard: which sentences, not in which order; by default all of them)."""
    if a.verdicts != b.verdicts or a.kinds != b.kinds or a.items != b.items:
        return False
    return len(a.sentences & b.sentences) / len(a.sentences | b.sentences) >= min_overlap


def identifiers(key: AnswerKey) -> tuple[frozenset[str], ...]:
    """The identifiers (with a digit: L4822, AX212, 75011) each question of a key asks about."""
    return tuple(frozenset(i for i in items if any(ch.isdigit() for ch in i)) for items in key.items)


def states(key: AnswerKey, identifier: str) -> bool:
    """Whether one of the key's sentences (the knowledge it answers from) names the identifier."""
    return any(identifier in compact(fold(text)) for text in key.sentences)


def item_words(texts: Iterable[str], ids: Iterable[str]) -> frozenset[str]:
    """Stems of what the knowledge says of the identifiers: the content words of its sentences that
    name one, without the identifier and the word right before it that names the kind of item
    ("batch" L4822, "vol" AX212)."""
    ids = set(ids)
    out: set[str] = set()
    for text in texts:
        for line in sentences(text):
            tokens = re.findall(r"[\w'’-]+", fold(line))
            if any(compact(token) in ids for token in tokens):
                out |= {stem(t) for t in tokens if len(t) > 2 and t not in STOPWORDS
                        and not any(ch.isdigit() for ch in t)}
    return frozenset(out - kind_words(texts))


def kind_words(texts: Iterable[str]) -> frozenset[str]:
    """Stems of the words written right before an identifier ("batch" L4822, "from batches L4821",
    "vol" AX212, "my box L4822"): they name the kind of item, not what is said or asked of it."""
    out: set[str] = set()
    for text in texts:
        tokens = re.findall(r"[\w'’-]+", fold(text))
        out |= {stem(tokens[n - 1]) for n in range(1, len(tokens))
                if any(ch.isdigit() for ch in tokens[n]) and not any(ch.isdigit() for ch in tokens[n - 1])
                and tokens[n - 1] not in STOPWORDS}
    return frozenset(out)


def same_item_answer(a: AnswerKey, b: AnswerKey, min_overlap: float = MIN_OVERLAP) -> bool:
    """Two comments asking for a verdict on the same identified item, answered alike from knowledge
    that names it: every question is an item question ("is L4822 recalled?", "AX212 still going?")
    with a yes/no verdict and names an identifier (with a digit), the answer's sentences name that
    identifier, and the two answers are the same (`same_answer`: kinds, verdicts, items, sentences).
    Then the other words each asks with may differ ("part of the recall" / "my box says ..., is that one
    recalled too"), but what the two ask of the item must share a word the knowledge says of it (the
    knowledge-word guard: `AnswerKey.asked` & `AnswerKey.said`, "recall", "rappel"): the composer
    answers "does L4822 contain nuts?" and "is L4822 still fine to eat?" with the recall's "yes" too,
    but neither asks the recall question. An identifier the answer does not name gives no evidence."""
    if not a.kinds or not same_answer(a, b, min_overlap):
        return False
    if any(kind != "item" for kind in a.kinds) or any(v not in ("yes", "no") for v in a.verdicts):
        return False
    ids = identifiers(a)
    if not all(ids) or not all(states(a, i) and states(b, i) for group in ids for i in group):
        return False
    return bool(a.asked & b.asked & (a.said | b.said))


def verdicts_by_item(key: AnswerKey) -> dict[str, str]:
    """The yes/no the knowledge gives each identifier a key's questions ask about."""
    out: dict[str, str] = {}
    for kind, verdict, ids in zip(key.kinds, key.verdicts, identifiers(key), strict=False):
        if kind == "item" and verdict in ("yes", "no"):
            out.update(dict.fromkeys(ids, verdict))
    return out


def disagreement(core: AnswerKey | None, member: AnswerKey | None) -> str | None:
    """Why a member's own answer contradicts the group's core, or None: the knowledge gives an item both
    name another yes/no for the member ("is L4822 recalled?": yes; the member's "is L4822 still safe?":
    no), or a question of the same kind at the same place gets the opposite verdict. A member or core
    whose questions find no answer is no evidence either way (None)."""
    if core is None or member is None:
        return None
    theirs, mine = verdicts_by_item(core), verdicts_by_item(member)
    for item in sorted(theirs.keys() & mine.keys()):
        if theirs[item] != mine[item]:
            return f"the knowledge answers {item.upper()} '{mine[item]}' for it, '{theirs[item]}' in the group's core"
    if core.kinds == member.kinds:
        for kind, a, b in zip(core.kinds, core.verdicts, member.verdicts, strict=True):
            if a in ("yes", "no") and b in ("yes", "no") and a != b:
                return f"its {kind} question gets '{b}', the group's core '{a}'"
    return None


def answers_from(kb: KnowledgeBase, incident: str | None, at: datetime | None = None) -> AnswerOf:
    """answer_key bound to one knowledge base and incident, as grouping needs it."""
    def of(comment: Comment, tri: Triage) -> AnswerKey | None:
        return answer_key(kb, comment, tri, incident=incident, at=at)
    return of
