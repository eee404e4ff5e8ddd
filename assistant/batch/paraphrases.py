"""The same question asked many ways: comments grouped by meaning, so one core answer serves them all.

Copies are found by characters (triage/duplicates.py); rewordings need meaning. The decision rests on
the answer: with the knowledge (batch/answer_keys.py) a comment joins only if the composer would answer
it, on its own, exactly as the group's first comment -- the same kinds of question, the same sentences,
the same yes/no, about the same items -- so one core changes no one's answer. Meaning is the second,
independent signal (the composer sometimes answers two different questions with one sentence: "can I
pay in shops?" / "can I shop online?"). Each comment that asks something is read as a whole and as its
questions alone, both encoded with the multilingual sentence encoder (text/encoder.py, one per
process); a comment must be close to the group's first comment -- the one the core answer is drafted
for -- on both vectors, so every member is near the comment its answer was written for (no chaining
A~B~C), and closer still when an answer only says "not known yet" (it fits many questions).

Vectors are close for questions whose answers differ ("safe for my dog?" / "safe for my kids?" are
as close as "kids" / "children"), so a comment must first share the group's signature, where a
difference changes the answer:
- the reply language (one core answer is written in one language);
- the specific kinds of answer its questions need (drafting/questions.py): a date, a place, a cause,
  an amount, a contact, a verdict on an item ("how do I...", "can I...", "what is..." are worded
  differently for one same answer, so they are not told apart);
- the identifiers and numbers it names (lots, postcodes, orders, amounts: L4821 is not L4822);
- who is affected (a child, a baby, a pet, a pregnant woman, an elderly person);
- whether it asks under a condition or an exception ("... if we boil it?", "... without the box?");
- and it must need a reply and not be high or critical (a person hurt deserves their own reply).
The names it capitalises inside a sentence must match too (rue Pasteur is not rue Victor Hugo), unless
most of the knowledge uses the name (the product, the brand: same_names).
The words one comment asks with and the other does not must mean the same too ("refund" / "money
back" do; "granola" / "vet bill" do not): the two leftovers are encoded and compared -- unless both ask
the verdict on the same identified item and get the same answer from knowledge that names it, asking
it with a word that knowledge says of it (answer_keys.same_item_answer: "is batch L4821 part of the
recall?" / "my box says L4821, is that one recalled too?").
Round 7: the composer plans its answer after the words asked, so rewordings often get different plans
("how do I get refunded?" / "what is the procedure to be refunded?"). When the plans are compatible (same
items, no contradicting yes/no) or the same, the knowledge that answers judges the words that differ
(rewording_only): a word a few knowledge sentences use must be stated in both answers ("receipt",
"shower"), a word most of it uses is no difference, and the author's own words must mean the same --
on one side only they pass only with the same plan. The vectors are then a loose pre-filter.
Only comments of one reply language are compared: a core is one provider reply in one language, so a
cross-language group would need one core per language, one call each -- what grouping within each
language already costs -- for the added risk of matching across a translation.
Precision comes first: a wrong merge sends a wrong answer to every member; a missed merge only costs
one more provider call. On by default since round 5 (settings.batch_group_by_meaning; held-out
question_groups_holdout4: precision 1.000 on 1 pair, recall 0.021): see docs/DESIGN.md and
benchmarks/paraphrases.py for the figures.

Imports: core, text, triage, drafting (questions), batch.answer_keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.batch.answer_keys import MIN_OVERLAP, AnswerKey, AnswerOf, same_answer, same_item_answer
from assistant.drafting.candidates import text_keys
from assistant.drafting.questions import find_questions, without_manner
from assistant.models import Comment, Triage
from assistant.text import STOPWORDS, fold, stem
from assistant.text.encoder import encode
from assistant.triage.classify import triage as run_triage
from assistant.triage.duplicates import near_duplicate_groups

# Round 7 (benchmarks/paraphrases.py, the five tuning sets): the plans and the knowledge words decide, the
# vectors only pre-filter which comments get an answer plan: 0.25 / 0.25 (0.2 and 0.1 group the same
# pairs; 0.3 fewer), and 0.6 on the questions when an answer only says "not known yet" (it fits many
# questions). Earlier rounds: 0.4 / 0.4 (rounds 5-6), 0.75 / 0.85 (vectors alone), 0.65 / 0.75 and
# 0.5 / 0.5 (with an answer overlap of 0.5); see docs/DESIGN.md.
WHOLE_THRESHOLD = 0.25
QUESTION_THRESHOLD = 0.25
UNSETTLED_THRESHOLD = 0.6
# The words one comment asks with and the other does not must mean the same: USE cosine of the two
# leftovers (tuning sets only; 0.3 let "travel without a ticket" / "get fined" through, 0.39 apart).
WORDS_THRESHOLD = 0.4

# With different answer plans the words both keep must mean more nearly the same (the five tuning sets,
# round 7: at 0.4 "online" / "stores" (0.43) and "booking fees refunded" / "money back camping" (0.50)
# passed; 0.5 still merges one pair wrongly, 0.6 none; 0.7 for a margin, one right pair fewer).
PLANS_WORDS_THRESHOLD = 0.7

_CHUNK = 128  # well under the encoder's cache of recent texts (text/encoder.py CACHE_SIZE)

# A token with a digit (L4822, 75011, SF20931, 180) names something a different answer may depend on.
_NUMBERED = re.compile(r"(?<![\w])[\w/-]*\d[\w/-]*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_WHO: dict[str, tuple[str, ...]] = {
    "child": ("child", "children", "kid", "kids", "son", "daughter", "toddler", "teen", "teenager", "enfant",
              "enfants", "fils", "fille", "gamin", "gamins", "gosse", "gosses", "ado", "ados"),
    "baby": ("baby", "babies", "infant", "newborn", "formula", "bebe", "bebes", "nourrisson", "biberon",
             "biberons"),
    "pet": ("dog", "dogs", "cat", "cats", "pet", "pets", "puppy", "animal", "animals", "chien", "chiens", "chat",
            "chats", "animaux", "chiot"),
    "pregnant": ("pregnant", "pregnancy", "enceinte", "grossesse"),
    "elderly": ("elderly", "grandmother", "grandfather", "grandma", "grandpa", "granny", "grand-mere",
                "grand-pere", "mamie", "papy", "personne agee", "personnes agees"),
}
_WHO_WORDS = {w: who for who, words in _WHO.items() for w in words}
# Words of one language's list that mean something else in the other: "son billet" is "their ticket",
# "a chat" is a conversation.
_NOT_WHO = {"fr": frozenset({"son", "pet", "pets"}), "en": frozenset({"chat", "chats", "fils"})}
# Capitalised words that are not names.
SPECIFIC_KINDS = frozenset({"when", "where", "why", "how_much", "contact", "item"})
_NOT_NAMES = frozenset({"i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "please", "thanks", "merci", "svp", "asap",
                        "lol", "omg", "wtf", "je", "j'ai", "moi", "bonjour", "hello", "hi"})


@dataclass(frozen=True)
class Reading:
    """What a comment asks, and what must match for two comments to share an answer."""

    signature: tuple[object, ...]
    whole: str
    questions: str
    triage: Triage
    words: tuple[str, ...] = ()  # the content words of its questions (folded, in order)
    topic: tuple[str, ...] = ()  # the same without the words of how it asks (questions.without_manner)
    names: frozenset[str] = frozenset()  # the names it capitalises inside a sentence (compared in same_names)


def asked_words(text: str) -> tuple[str, ...]:
    """The content words a question is asked with: folded, no stopwords, no word under three letters,
    hyphenated words in parts (French inversions "a-t-il", "est-elle" are no content; "remboursé-t-il"
    keeps "rembourse")."""
    parts = (p for w in _WORD.findall(fold(text)) for p in w.split("-"))
    return tuple(w for w in parts if w not in STOPWORDS and len(w) > 2)


def leftovers(a: Sequence[str], b: Sequence[str]) -> tuple[str, str]:
    """The words of each that the other does not have (compared by stem): what tells them apart."""
    sa, sb = {stem(w) for w in a}, {stem(w) for w in b}
    return " ".join(w for w in a if stem(w) not in sb), " ".join(w for w in b if stem(w) not in sa)


def words_close(a: Sequence[str], b: Sequence[str], threshold: float = WORDS_THRESHOLD) -> bool:
    """Whether what one asks with and the other does not means the same (both leftovers encoded; with
    nothing left on either side the two ask with the same words)."""
    return words_close_to(a, [b], threshold)[0]


def words_close_to(a: Sequence[str], others: Sequence[Sequence[str]], threshold: float = WORDS_THRESHOLD
                   ) -> list[bool]:
    """words_close of `a` and each of `others`, every leftover encoded in one call."""
    pairs = [leftovers(a, b) for b in others]
    texts = list(dict.fromkeys(t for pair in pairs if all(pair) for t in pair))
    vectors = dict(zip(texts, encode(texts), strict=True)) if texts else {}
    return [not (left and right) or float(vectors[left] @ vectors[right]) >= threshold for left, right in pairs]


def rewording_only(a: Sequence[str], b: Sequence[str], mine: AnswerKey, theirs: AnswerKey,
                   threshold: float = WORDS_THRESHOLD, *, same_plan: bool = True) -> bool:
    """Whether what tells two questions apart is only how they are worded, judged by the knowledge that
    answers them. `a` and `b` are the words each asks about (Reading.topic); each word only one of them
    has (compared by word keys: "drinkable" is "drink") is:
    - a word most of the knowledge uses (the product, the incident): no difference;
    - a word a few knowledge sentences use: a difference unless both answers state it ("receipt",
      "shower", "online": the knowledge says something of it that one answer does not);
    - said in both answers: no difference by itself;
    - a word the knowledge does not use ("threw away", "since this morning", "resale").
    With the same answer plan (`same_plan`), words of the author's own on one side only are no difference
    ("just got home from work"), and when both sides keep words the two sets must mean the same
    (words_close). With different plans, a word of the author's own on one side only is a difference."""
    if "item" in mine.kinds or "item" in theirs.kinds:
        same_plan = False  # a verdict on an item: no word of one side alone (see above)
    keys = [frozenset().union(*map(text_keys, side)) for side in (a, b)]
    stated = mine.stated & theirs.stated
    general = mine.general | theirs.general
    specific = mine.specific | theirs.specific
    kept: list[list[str]] = [[], []]
    unknown = [False, False]
    for side, words in enumerate((a, b)):
        for word in words:
            own = text_keys(word)
            if own & keys[1 - side] or (own & general and not own & specific):
                continue
            if own & specific and not own & stated:
                return False
            kept[side].append(word)
            unknown[side] = unknown[side] or not own & stated
    if not same_plan and bool(kept[0]) != bool(kept[1]):
        return False  # "who refunds me?" / "how do I know it was damaged?" when both plans state the refund
    if not any(unknown):
        return True
    if not (kept[0] and kept[1]):
        return same_plan
    return words_close(kept[0], kept[1], threshold)


def compatible(a: AnswerKey, b: AnswerKey) -> bool:
    """Two answer plans that may serve one question asked in other words: the same number of questions,
    about the same items, and no yes/no of one contradicting the other's (the composer words its plan
    after the wording: "can we drink it?" gets a "no" where "is it drinkable?" gets the sentence alone)."""
    if a.items != b.items or len(a.kinds) != len(b.kinds):
        return False
    said = [v for v in a.verdicts if v in ("yes", "no")], [v for v in b.verdicts if v in ("yes", "no")]
    return not (said[0] and said[1] and said[0] != said[1])


# A question asked under a condition or an exception is another question: "can we drink it?" is not "can we
# drink it if we boil it?", "can I get a refund?" not "... without the box?".
_CONDITION = re.compile(r"\b(if|unless|without|except|provided|even though|si|s'il|sans|sauf|a condition|meme si)\b")

# "B 2319", "b-2319": one letter written apart from the number it starts ("LOT B2319").
_LETTER_APART = re.compile(r"\b([A-Z]) (?=\d{3,}\b)|\b([A-Za-z])-(?=\d{3,}\b)")


def numbered(text: str) -> frozenset[str]:
    """The tokens with a digit (L4822, 75011, 180), folded; an identifier's letter written apart from its
    number joins it ("B 2319" and "b-2319" are "b2319")."""
    text = _LETTER_APART.sub(lambda m: m.group(1) or m.group(2), text)
    return frozenset(fold(m.group(0)).strip("-/") for m in _NUMBERED.finditer(text))


def same_names(a: frozenset[str], b: frozenset[str], mine: AnswerKey | None, theirs: AnswerKey | None) -> bool:
    """Whether two comments name the same places, people and things: a name only one of them writes is no
    difference when most of the knowledge or its titles use it (the product, the brand, the incident's
    town: "Pédiakid", "Lauzac"); any other one is ("rue Pasteur" / "rue Victor Hugo")."""
    if a == b:
        return True
    if mine is None or theirs is None:
        return False
    general = mine.general | theirs.general
    return all(text_keys(name) <= general for name in a ^ b)


def names(text: str) -> frozenset[str]:
    """Capitalised words inside a sentence (the first word of a sentence is capitalised anyway);
    a word written all in capitals is shouting, not a name."""
    out = set()
    for m in _WORD.finditer(text):
        word = m.group(0)
        before = text[max(0, m.start() - 12): m.start()].rstrip(" \t\"'«(")
        at_start = m.start() == 0 or not before or before[-1] in ".!?…\n"
        if not word[0].isupper() or (word.isupper() and len(word) > 1) or at_start:
            continue
        if fold(word) not in _NOT_NAMES:
            out.add(fold(word))
    return frozenset(out)


def who(text: str, language: str = "en") -> frozenset[str]:
    folded = f" {fold(text)} "
    words = set(re.findall(r"[\w'-]+", folded)) - _NOT_WHO.get(language, frozenset())
    found = {_WHO_WORDS[w] for w in words if w in _WHO_WORDS}
    found |= {_WHO_WORDS[p] for p in _WHO_WORDS if " " in p and f" {p} " in folded}
    return frozenset(found)


def read(comment: Comment, tri: Triage | None = None) -> Reading | None:
    """The comment's reading, or None when it must not be grouped by meaning (asks nothing, needs no
    reply, or is serious enough for a reply of its own)."""
    tri = tri or run_triage(comment)
    if not tri.should_respond or tri.severity in ("high", "critical"):
        return None
    asked = find_questions(comment.text)
    if not asked:
        return None
    kinds = frozenset(q.kind for q in asked) & SPECIFIC_KINDS
    language = "fr" if tri.language == "fr" else "en"
    questions = " ".join(q.text for q in asked)
    signature = (language, kinds, numbered(comment.text), who(comment.text, language),
                 bool(_CONDITION.search(fold(questions))))
    return Reading(signature=signature, whole=comment.text, questions=questions, triage=tri,
                   words=asked_words(questions), topic=asked_words(without_manner(questions)),
                   names=names(comment.text))


def same_question_groups(comments: Sequence[Comment], triages: Sequence[Triage | None] | None = None, *,
                         whole_threshold: float = WHOLE_THRESHOLD,
                         question_threshold: float = QUESTION_THRESHOLD, answer_of: AnswerOf | None = None,
                         min_overlap: float = MIN_OVERLAP, words_threshold: float = WORDS_THRESHOLD,
                         unsettled_threshold: float = UNSETTLED_THRESHOLD) -> list[list[int]]:
    """Indices of comments that ask the same thing (see the module docstring), each group led by its
    first comment (the one the core answer is drafted for). Singletons are left out. With `answer_of`
    (batch/answer_keys.py), a comment joins a group only if it would be answered from the same
    knowledge as the group's first comment."""
    triages = triages or [None] * len(comments)
    readings: list[Reading | None] = []
    for start in range(0, len(comments), _CHUNK):
        # Each chunk encoded in one call: triage's learned layer then finds every vector among the
        # encoder's recent ones instead of encoding comment by comment.
        part = comments[start:start + _CHUNK]
        encode([c.text for c in part])
        readings += [read(c, t) for c, t in zip(part, triages[start:start + _CHUNK], strict=True)]
    eligible = [i for i, r in enumerate(readings) if r is not None]
    if len(eligible) < 2:
        return []
    texts = [readings[i].whole for i in eligible]  # type: ignore[union-attr]
    asked = [readings[i].questions for i in eligible]  # type: ignore[union-attr]
    vectors = encode(texts + asked)
    whole, question = vectors[: len(eligible)], vectors[len(eligible):]
    keys: dict[int, AnswerKey | None] = {}

    def key_of(i: int) -> AnswerKey | None:
        # Computed only for comments close in meaning to another (a retrieval and an answer plan each).
        if i not in keys:
            reading = readings[i]
            assert answer_of is not None and reading is not None
            keys[i] = answer_of(comments[i], reading.triage)
        return keys[i]

    names_at = [readings[i].names for i in eligible]  # type: ignore[union-attr]
    by_signature: dict[tuple[object, ...], list[int]] = {}
    for pos, i in enumerate(eligible):
        by_signature.setdefault(readings[i].signature, []).append(pos)  # type: ignore[union-attr]
    groups: list[list[int]] = []
    for positions in by_signature.values():
        if len(positions) < 2:
            continue
        leaders: list[int] = []
        members: dict[int, list[int]] = {}
        for pos in positions:
            best = _leader(pos, leaders, whole, question, whole_threshold, question_threshold,
                           None if answer_of is None else lambda p: key_of(eligible[p]), min_overlap,
                           unsettled_threshold,
                           lambda p, qs: words_close_to(readings[eligible[p]].words,  # type: ignore[union-attr]
                                                        [readings[eligible[q]].words  # type: ignore[union-attr]
                                                         for q in qs], words_threshold),
                           identified=bool(readings[eligible[pos]].signature[2]),  # type: ignore[union-attr]
                           named=names_at,
                           reworded=lambda p, q, mine, theirs, same: rewording_only(
                               readings[eligible[p]].topic, readings[eligible[q]].topic,  # type: ignore[union-attr]
                               mine, theirs, words_threshold if same else PLANS_WORDS_THRESHOLD,
                               same_plan=same))
            if best is not None:
                members[best].append(pos)
                continue
            leaders.append(pos)
            members[pos] = [pos]
        groups += [[eligible[p] for p in g] for g in members.values() if len(g) > 1]
    return sorted(groups, key=lambda g: g[0])


def _leader(pos: int, leaders: list[int], whole: np.ndarray, question: np.ndarray, whole_threshold: float,
            question_threshold: float, key: Callable[[int], AnswerKey | None] | None, min_overlap: float,
            unsettled_threshold: float, close_words: Callable[[int, list[int]], list[bool]],
            identified: bool = False, named: Sequence[frozenset[str]] = (),
            reworded: Callable[[int, int, AnswerKey, AnswerKey, bool], bool] = lambda *_: False) -> int | None:
    """The closest leader `pos` may join: close on both vectors, asked with words that mean the same and,
    with `key`, answered the same way (closer on the questions' vectors when an answer only says "not
    known yet")."""
    if not leaders:
        return None
    lw = whole[leaders] @ whole[pos]
    lq = question[leaders] @ question[pos]
    close = np.flatnonzero((lw >= whole_threshold) & (lq >= question_threshold))
    order = close[np.argsort(-(lw + lq)[close], kind="stable")]
    if not len(order):
        return None
    same_words = close_words(pos, [leaders[j] for j in order])
    for j, ok in zip(order, same_words, strict=True):
        if key is None:
            if ok and named[pos] == named[leaders[j]]:
                return leaders[j]
            continue
        mine, theirs = key(pos), key(leaders[j])
        if mine is None:
            return None
        if theirs is None or not same_names(named[pos], named[leaders[j]], mine, theirs):
            continue
        if not same_answer(mine, theirs, min_overlap):
            if not (compatible(mine, theirs) and reworded(pos, leaders[j], mine, theirs, False)):
                continue  # other plans: only when nothing but the wording tells the two apart
        elif not ok and not (identified and same_item_answer(mine, theirs, min_overlap)) \
                and not reworded(pos, leaders[j], mine, theirs, True):
            continue  # other words: only if both ask the verdict on one identified item, or differ in wording
        if (mine.unsettled or theirs.unsettled) and lq[j] < unsettled_threshold:
            continue
        return leaders[j]
    return None


def comment_groups(comments: Sequence[Comment], *, copy_threshold: float = 0.8, answer_of: AnswerOf | None = None
                   ) -> list[list[int]]:
    """The groups a batch drafts once: copies (near_duplicate_groups, split where the copies name
    different identifiers or numbers), then, with `answer_of` (batch/answer_keys.py), rewordings of the
    same question answered from the same knowledge, a copy group joining by its first comment. Each
    group is sorted; its first member is its first comment."""
    parent = list(range(len(comments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in near_duplicate_groups([c.text for c in comments], copy_threshold):
        by_detail: dict[frozenset[str], list[int]] = {}
        for i in group:
            by_detail.setdefault(numbered(comments[i].text), []).append(i)
        for same in by_detail.values():
            for i in same[1:]:
                parent[find(i)] = find(same[0])
    if answer_of is not None:
        leads = [i for i in range(len(comments)) if find(i) == i]
        for group in same_question_groups([comments[i] for i in leads], answer_of=answer_of):
            for pos in group[1:]:
                parent[find(leads[pos])] = find(leads[group[0]])
    out: dict[int, list[int]] = {}
    for i in range(len(comments)):
        out.setdefault(find(i), []).append(i)
    return sorted((g for g in out.values() if len(g) > 1), key=lambda g: g[0])
