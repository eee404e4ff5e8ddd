"""Yes or no about an item ("is lot L4835 concerned?", "is my postcode in the area?"), read against the
lists of the current knowledge: a sentence that names the item and says what was asked answers by its
own polarity; otherwise the item's place in the knowledge's scope lists decides (in scope, out of it,
or not on a list that names identifiers of its shape).

Imports: candidates.py, phrases, the question finder. Used by answers.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.drafting.candidates import DATES, KIND_PRIOR, NEGATION, Candidate, keyset, text_keys
from assistant.drafting.phrases import phrase
from assistant.drafting.questions import IDENTIFIER, OK_WORDS, SCOPE_WORDS, Question, bare_numbers
from assistant.text import analyze, fold

_STARTERS = frozenset(fold(w) for w in (
    "the only our we all every each no if when this these those you your it there a an in on for from to by "
    "les le la seuls seules seul nous tous toutes chaque aucun aucune si quand ce ces vous votre il elle un une "
    "des en pour depuis par de du").split())
# One-word names inside a sentence or a list, hyphenated ones whole ("Paul-Bert", "Saint-Exupéry").
_WORD_NAME = re.compile(r"(?<=[\w,;] )([A-ZÉÈ][a-zà-ÿ]{2,}(?:-[A-ZÉÈa-zà-ÿ][a-zà-ÿ]+)*)(?![\w-])")
_NOT_NAMES = frozenset(fold(w) for w in (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december lundi mardi mercredi jeudi vendredi samedi dimanche").split())
_NAME = re.compile(r"(?<![\w])([A-ZÉÈ][\w'’-]*[^\W\d](?:\s+[A-ZÉÈ][\w'’-]*[^\W\d]){1,2})(?![\w])")


def known_items(cands: Iterable[Candidate]) -> list[str]:
    """Item names the knowledge names ("Hélio Fixe", "NV104", "Lille", departments "33, 40 and 64"),
    for find_questions. Words of the documents' titles (the brand, the product, the incident) are what
    everything is about, not items."""
    cands = list(cands)
    titles = {k for c in cands for k in text_keys(c.hit.title)}
    names = (name for c in cands for name in _sentence_items(c.text))
    return list(dict.fromkeys(n for n in names if n[0].isdigit() or IDENTIFIER.fullmatch(n)
                              or not text_keys(n) <= titles))


@lru_cache(maxsize=8192)
def _sentence_items(text: str) -> tuple[str, ...]:
    names = [m.group(0) for m in IDENTIFIER.finditer(text)]
    numbers = bare_numbers(text)
    folded = fold(text)
    # A list of numbered items ("departments 33, 40 and 64").
    if len(numbers) >= 2 and (SCOPE_WORDS.search(folded) or OK_WORDS.search(folded)):
        names += numbers
    for m in _NAME.finditer(text):
        # The first word of a sentence is capitalised anyway: "Only Alpena" is no name, "Saturday Pass" is.
        if m.start() > 0 or fold(m.group(1).split()[0]) not in _STARTERS:
            names.append(m.group(1))
    # One-word names inside a sentence (a town, a site): "The pool of Lille stays open."
    names += [m.group(1) for m in _WORD_NAME.finditer(text) if fold(m.group(1)) not in _NOT_NAMES]
    return tuple(names)

def item_verdict(item: str, q: Question, cands: list[Candidate],
                 common: frozenset[str] = frozenset()) -> tuple[str, Candidate, bool] | None:
    """(yes | no, the sentence that says so, whether the item is absent from it) for a question on an item.

    A sentence that names the item and says what was asked ("is my Sunday Pass still valid?" -
    "Sunday Pass tickets remain valid") answers by its own polarity; otherwise the item's place in
    the knowledge's scope lists decides (in scope, out of it, or not on a list that names its kind).
    """
    pattern = re.compile(rf"(?<![\w/.@-]){item_body(item)}(?![\w@-]|\.\w)")  # not inside a URL or an address
    ranked = sorted(cands, key=lambda c: (-KIND_PRIOR.get(c.hit.kind, 0.5), bool(DATES.search(c.folded)),
                                          len(c.text)))
    # What is asked of the item ("valid", "refunded"), not what every sentence is about ("pool", "pass").
    predicate = keyset((q.terms | q.related) - set(analyze(item)) - _SCOPE_TERMS) - common
    for c in ranked:
        if pattern.search(c.folded) and c.terms & predicate and not c.unknown and not IMPERATIVE.match(c.folded):
            return ("no" if NEGATION.search(c.folded) else "yes"), c, False
    status = item_status(item, ranked)
    if status is None:
        return None
    where, c = status
    return ("yes" if (where == "in") != q.asks_ok else "no"), c, where == "absent"


def item_body(item: str) -> str:
    """A regex for an item as the knowledge may write it, on folded text: "LYO04" is "LYO-04" and "LYO 04"
    (a separator or none where letters meet digits), "Paul Bert" is "Paul-Bert"."""
    f = fold(item)
    if any(ch.isdigit() for ch in f):
        parts = re.findall(r"[^\W\d_]+|\d+", f)
        if "".join(parts) == re.sub(r"[\s-]+", "", f):
            return r"[-\s]?".join(re.escape(p) for p in parts)
    return r"[-\s]".join(re.escape(w) for w in re.split(r"[\s-]+", f))


def item_status(item: str, ranked: list[Candidate]) -> tuple[str, Candidate] | None:
    """("in" | "out" | "absent", the sentence that says so) for an item, read from the knowledge's lists."""
    pattern = re.compile(rf"(?<![\w-]){item_body(item)}(?![\w-])")
    # The list itself before the timeline that tells how it grew: fact sheet first, undated, short.
    for c in ranked:
        # Only a sentence about scope says whether an item is in it ("do not eat L4821" does not).
        if not pattern.search(c.folded) or not (SCOPE_WORDS.search(c.folded) or OK_WORDS.search(c.folded)):
            continue
        if NEGATION.search(c.folded) or OK_WORDS.search(c.folded):
            return "out", c
        return "in", c
    if item.isdigit():
        def lists_shape(c: Candidate) -> bool:
            return sum(len(n) == len(item) for n in bare_numbers(c.text)) >= 2
    elif IDENTIFIER.fullmatch(item):
        prefix = re.match(r"[A-Z]*", item).group(0)  # type: ignore[union-attr]
        digits_n = len(item) - len(prefix)
        # Same letters first ("L4835" against "L4821, L4822"), else the same shape ("PXM27" against the
        # "PXL27 or PXL28" prefixes): a list of references of that form that does not name it.
        same = re.compile(rf"\b{prefix}-?\d{{{digits_n}}}\b")
        shape = re.compile(rf"\b[A-Z]{{{len(prefix)}}}-?\d{{{digits_n}}}\b")

        def lists_shape(c: Candidate) -> bool:
            return bool(same.search(c.text) or shape.search(c.text))
    else:
        return None
    # An identifier no list names: not on the list, if a list names identifiers of the same shape.
    for c in ranked:
        if lists_shape(c) and SCOPE_WORDS.search(c.folded) and not NEGATION.search(c.folded) \
                and not OK_WORDS.search(c.folded) and not c.unknown:
            return "absent", c
    return None


def _lower_first(s: str) -> str:
    first = s.split(" ", 1)[0]
    if fold(first) in {"only", "the", "our", "we", "all", "every", "each", "no", "seuls", "seules", "seul", "les",
                       "le", "la", "nous", "tous", "toutes", "chaque", "aucun", "aucune", "you", "vous", "it", "a",
                       "an", "this", "these", "those", "if", "un", "une", "des", "ce", "cette", "ces", "si", "l'",
                       "il", "elle", "ils", "elles", "they", "he", "she", "there", "in", "en", "from", "since",
                       "depuis", "for", "pour", "votre", "your", "vos"} or first[:2] in ("L'", "L’"):
        return s[0].lower() + s[1:]
    return s


def verdict_sentence(language: str, verdict: str, c: Candidate) -> str:
    """ "Yes: <the sentence that says so>" in the reply's language."""
    if ALREADY_SAID.match(c.folded):
        return c.text  # "Yes, if the water comes to a full boil.": the sentence says it itself
    colon = " :" if language == "fr" else ":"
    return f"{phrase(language, verdict)}{colon} {_lower_first(c.text)}"


# A placeholder of masked personal data ("is my order [ORDER_ID] concerned?"): no yes or no about what
# the composer cannot see.
MASKED = re.compile(r"\[[A-Z_]{3,}\]")
# A sentence that opens with its own yes or no (an FAQ answer).
ALREADY_SAID = re.compile(r"^(yes|no|oui|non)\s*[,.:;!]")

# "Do not eat the lots L4821 or L4822" is an instruction, not a "no" about those lots.
IMPERATIVE = re.compile(r"^(do not|don't|never|ne |n'|please|veuillez|merci de)")
_SCOPE_TERMS = frozenset(analyze("concerned affected recalled cancelled concerne touche rappele annule still "
                                  "toujours"))
