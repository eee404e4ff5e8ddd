"""Yes or no about an item ("is lot L4835 concerned?", "is my postcode in the area?"), read against the
lists of the current knowledge: a sentence that names the item and says what was asked answers by its
own polarity; otherwise the item's place in the knowledge's scope lists decides (in scope, out of it,
or not on a list that names identifiers of its shape).

Imports: candidates.py, phrases, the question finder. Used by answers.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.drafting.candidates import (
    DATES,
    KIND_PRIOR,
    NEGATION,
    Candidate,
    asked_part,
    keyset,
    says_opposite,
    text_keys,
)
from assistant.drafting.phrases import phrase
from assistant.drafting.questions import IDENTIFIER, OK_WORDS, SCOPE_WORDS, Question, bare_numbers, compact
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


def known_items(cands: Iterable[Candidate], text: str = "") -> list[str]:
    """Item names the knowledge names ("Hélio Fixe", "NV104", "Lille", departments "33, 40 and 64"),
    and the references of `text` that its list rules cover or leave out ("CX4821557" against "from
    CX4810000 to CX4829999"), for find_questions. Words of the documents' titles (the brand, the
    product, the incident) are what everything is about, not items."""
    cands = list(cands)
    titles = {k for c in cands for k in text_keys(c.hit.title)}
    names = (name for c in cands for name in _sentence_items(c.text))
    return list(dict.fromkeys([*(n for n in names if n[0].isdigit() or IDENTIFIER.fullmatch(n)
                                 or not text_keys(n) <= titles), *rule_references(text, cands)]))


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
                 common: frozenset[str] = frozenset()) -> tuple[str, Candidate, str] | None:
    """(yes | no, the sentence that says so, how it says so) for a question on an item: "named" (a
    sentence names the item and says what was asked), "list" (a scope list names it), "absent" (a list
    of its kind does not name it) or "rule" (a range or the prefixes of a list cover it, or leave it out).

    A sentence that names the item and says what was asked ("is my Sunday Pass still valid?" -
    "Sunday Pass tickets remain valid") answers by its own polarity; otherwise the item's place in
    the knowledge's scope lists decides (in scope, out of it, or not on a list that names its kind).
    """
    pattern = re.compile(rf"(?<![\w/.@-]){item_body(item)}(?![\w@-]|\.\w)")  # not inside a URL or an address
    ranked = sorted(cands, key=lambda c: (-KIND_PRIOR.get(c.hit.kind, 0.5), bool(DATES.search(c.folded)),
                                          len(c.text)))
    # What is asked of the item ("valid", "refunded"), not what every sentence is about ("pool", "pass").
    predicate = keyset((q.terms | q.related) - set(analyze(item)) - _SCOPE_TERMS) - common
    naming = [c for c in ranked if pattern.search(c.folded) and c.terms & predicate and not c.unknown
              and not IMPERATIVE.match(c.folded)]
    # The sentence that says most of what was asked ("open" and "chairlift", not just "chairlift").
    if naming:
        c = max(naming, key=lambda c: len(c.terms & predicate))  # the first of the best, in ranked order
        negative = NEGATION.search(asked_part(c, predicate)) or says_opposite(q, c)
        if not negative and not q.asks_ok and SCOPE_WORDS.search(c.folded):
            out = exclusion(q, c, ranked, common)
            if out is not None:
                return "no", out, "excluded"
        return ("no" if negative else "yes"), c, "named"
    status = item_status(item, ranked)
    by_rule = status is None or status[0] == "absent"
    status = (rule_status(item, ranked) or status) if by_rule else status
    if status is None:
        return None
    where, c = status
    how = "absent" if where == "absent" else "rule" if by_rule else "list"
    if where == "in" and not q.asks_ok:
        out = exclusion(q, c, ranked, common)
        if out is not None:
            return "no", out, "excluded"
    return ("yes" if (where == "in") != q.asks_ok else "no"), c, how


_THE_OTHERS = re.compile(r"\b(all|every|any) other\b|\b(the )?others\b|\b(tou(te)?s les|les) autres\b|\bremaining\b")
EXCLUSION_SHARED = 2  # specific words a "not affected" sentence must share with the comment (a day and a month)


def exclusion(q: Question, inside: Candidate, ranked: list[Candidate], common: frozenset[str]) -> Candidate | None:
    """A sentence saying what is NOT in scope that names what the author says of their case and the list
    does not: "PAR-11, but on 21 November, not the 14th: am I affected?" - "Candidates of the 21 November
    2026 session are not affected." A stated exclusion beats the item's place on the list."""
    said = keyset(q.terms | q.context) - keyset(_SCOPE_TERMS)
    for c in ranked:
        if c is inside or c.unknown or IMPERATIVE.match(c.folded):
            continue
        # What the sentence says is out of scope: the subject of its "not affected" ("the other sectors,
        # including Val-Nord, are not affected: water can be drunk there without boiling it" puts out
        # Val-Nord, not boiling).
        part = next((p for p in re.split(r"[:;]", c.folded) if SCOPE_WORDS.search(p) and NEGATION.search(p)), None)
        if part is None or _THE_OTHERS.search(part):
            # "Croissance 3 and all other lots of Croissance 2 are not concerned" puts out what the list leaves
            # out, never an item the list covers ("L3117", inside "lots L3101 to L3124").
            continue
        shared = (text_keys(part[:NEGATION.search(part).start()]) & said) - inside.terms  # type: ignore[union-attr]
        if len(shared) >= EXCLUSION_SHARED and shared - common:  # "21 November": a month is common, the day is not
            return c
    return None


def item_body(item: str) -> str:
    """A regex for an item as the knowledge may write it, on folded text: "LYO04" is "LYO-04" and "LYO 04"
    (a separator or none where letters meet digits), "Paul Bert" is "Paul-Bert"."""
    f = fold(item)
    if any(ch.isdigit() for ch in f):
        parts = re.findall(r"[^\W\d_]+|\d+", f)
        if "".join(parts) == compact(f):
            return r"[-\s]?".join(re.escape(p) for p in parts)
    return r"[-\s]".join(re.escape(w) for w in re.split(r"[\s-]+", f))


ONLY = re.compile(r"\b(only|seul(e|s|es)?|uniquement|exclusivement)\b")


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
        # A name ("City", "Hélio Pro") that an "only ..." scope sentence leaves out: "Only Ultra fast chargers
        # are affected" says City chargers are not.
        for c in ranked:
            if ONLY.search(c.folded) and SCOPE_WORDS.search(c.folded) and not NEGATION.search(c.folded) \
                    and not c.unknown and not pattern.search(c.folded):
                return "absent", c
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


# Lists written as rules: "tracking numbers from CX4810000 to CX4829999", "postal codes starting with
# J7V 4, J7V 5 or J7V 6". A reference of the rule's shape is in the list when the rule covers it, and
# not on it otherwise ("CX4835120", "J7V 8B1"): a yes or a no, like a list that names every item.
_REF = r"(?:[A-Z]{1,4}\d{0,4}[-\s]?)?\d{3,}"  # "CX4810000", "L 4821", "MB24-31000"
# A range of bare numbers is a list of references only from 6 digits: 4 are years, 5 are postcodes.
BARE_RANGE_DIGITS = 6
_RANGE = re.compile(rf"(?:\b(?:from|between|de|du|entre)\s+(?P<a>{_REF})\s+(?:to|and|à|a|au|et)\s+(?P<b>{_REF})\b"
                    # "lots CA26-0410 to CA26-0455": two references of one shape joined by "to" are a range too
                    rf"|(?<![\w-])(?P<e>{_REF})\s+(?:to|through|à|au|jusqu'(?:à|au))\s+(?P<f>{_REF})\b"
                    rf"|\b(?P<c>[A-Z]{{1,4}}(?:\d{{1,4}}-)?-?\d{{3,}})\s*[–—-]\s*(?P<d>[A-Z]{{1,4}}(?:\d{{1,4}}-)?-?\d{{3,}})\b)")
_STARTS = re.compile(r"\b(?:start(?:s|ing)?\s+with|begin(?:s|ning)?\s+with|commen(?:ce|cent|çant|cant)\s+par|"
                     r"d[ée]but(?:e|ent|ant)\s+par)\s+", re.IGNORECASE)
_PREFIX = re.compile(r"[A-Z0-9]{1,6}(?:[ -][A-Z0-9]{1,4})?(?![\w])")
_LIST_GLUE = re.compile(r"\s*(?:,|\bor\b|\bou\b|\band\b|\bet\b)\s*(?:(?:or|ou|and|et)\s+)?")


def _flexible(ref: str) -> str:
    """A regex for a compact reference as people write it: "j7v5" is "J7V 5", "J7V5" and "J7V-5"."""
    return r"[\s-]?".join(re.escape(ch) for ch in ref)


@dataclass(frozen=True)
class ListRule:
    """A list the knowledge writes as a range of references or as the prefixes they start with."""

    letters: str = ""  # a range: the references' letters, digit count and bounds
    digits: int = 0
    low: int = 0
    high: int = 0
    prefixes: tuple[str, ...] = ()  # compact, lower case

    def references(self, text: str) -> list[str]:
        """References in `text` of this rule's shape (covered by it or not)."""
        if self.prefixes:
            stem = _common_prefix(self.prefixes)
            if len(stem) < 2:
                return []
            shape = re.compile(rf"(?<![\w-]){_flexible(stem)}(?:[\s-]?[a-z0-9]{{1,6}})?(?![\w-])", re.IGNORECASE)
            return [m.group(0) for m in shape.finditer(text) if len(compact(m.group(0))) > len(stem)]
        letters = rf"[A-Za-z]{{{len(self.letters)}}}" if self.letters else ""
        # The digits may be split once ("MB24-36512" against "from MB24-31000 to MB24-38999").
        shape = re.compile(rf"(?<![\w-]){letters}[-\s]?(?=(?:\d-?){{{self.digits}}}(?![\w-]))\d+-?\d*")
        return [m.group(0) for m in shape.finditer(text)]

    def distance(self, ref: str) -> int:
        """How far a reference of this rule's shape is from its range (0 inside, and for prefixes)."""
        digits = re.sub(r"\D", "", compact(ref))
        if self.prefixes or not digits:
            return 0
        n = int(digits)
        return 0 if self.low <= n <= self.high else min(abs(n - self.low), abs(n - self.high))

    def covers(self, ref: str) -> bool:
        ref = compact(ref)
        if self.prefixes:
            return any(ref.startswith(p) and len(ref) > len(p) for p in self.prefixes)
        letters, digits = re.match(r"([a-z]*)(\d*)", ref).groups()  # type: ignore[union-attr]
        return letters == self.letters and len(digits) == self.digits and self.low <= int(digits) <= self.high


def _common_prefix(words: tuple[str, ...]) -> str:
    stem = words[0]
    for w in words[1:]:
        while not w.startswith(stem):
            stem = stem[:-1]
    # A single prefix ("starts with J7V 4") shapes the references that share its letters ("J7V").
    return stem if len(words) > 1 else re.sub(r"\d+$", "", stem)


@lru_cache(maxsize=4096)
def sentence_rules(text: str) -> tuple[ListRule, ...]:
    """The list rules a knowledge sentence states."""
    rules = []
    for m in _RANGE.finditer(text):
        a, b = (re.fullmatch(r"([a-z]*)(\d+)", compact(x)) for x in (m.group("a") or m.group("c") or m.group("e"),
                                                                     m.group("b") or m.group("d") or m.group("f")))
        if a is None or b is None or a.group(1) != b.group(1) or len(a.group(2)) != len(b.group(2)) \
                or int(a.group(2)) > int(b.group(2)) or (not a.group(1) and len(a.group(2)) < BARE_RANGE_DIGITS):
            continue  # "from 2026 to 2027", "de 8 h à 20 h" are no list of references
        rules.append(ListRule(letters=a.group(1), digits=len(a.group(2)), low=int(a.group(2)), high=int(b.group(2))))
    for m in _STARTS.finditer(text):
        prefixes, at = [], m.end()
        while (p := _PREFIX.match(text, at)) is not None and any(ch.isdigit() for ch in p.group(0)):
            prefixes.append(compact(p.group(0)))
            glue = _LIST_GLUE.match(text, p.end())
            if glue is None or glue.end() == p.end():
                break
            at = glue.end()
        if prefixes:
            rules.append(ListRule(prefixes=tuple(dict.fromkeys(prefixes))))
    return tuple(rules)


def _says_not(c: Candidate) -> bool:
    """Whether a rule's sentence is said in the negative: "parcels from CX4830000 to CX4839999 are not
    affected", not "lots L3101 to L3124 can be exchanged, even opened, even without a receipt" ("même sans
    ticket": a "without" is no negation, see candidates.NEGATION)."""
    return NEGATION.search(c.folded) is not None


def list_rules(cands: Iterable[Candidate]) -> list[tuple[ListRule, Candidate]]:
    """The list rules the knowledge states (not in "not known yet" sentences), fact sheet first."""
    ranked = sorted(cands, key=lambda c: -KIND_PRIOR.get(c.hit.kind, 0.5))
    return [(r, c) for c in ranked if not c.unknown for r in sentence_rules(c.text)]


def rule_references(text: str, cands: Iterable[Candidate]) -> list[str]:
    """The references in `text` that a list rule of the knowledge says something about."""
    return list(dict.fromkeys(ref.strip() for rule, _ in list_rules(cands) for ref in rule.references(text)))


def rule_status(item: str, cands: Iterable[Candidate]) -> tuple[str, Candidate] | None:
    """("in" | "out" | "absent", the rule's sentence) for an item of the shape of a list rule. A rule said
    in the negative ("parcels from CX4830000 to CX4839999 are not affected") only puts what it covers out."""
    shaped = [(rule, c) for rule, c in list_rules(cands) if rule.references(item)]
    # Ranges are the lists; a prefix next to them says what a reference looks like ("it starts with
    # CA26, for example CA26-0432"), not which ones are in scope.
    if any(not rule.prefixes for rule, _ in shaped):
        shaped = [(rule, c) for rule, c in shaped if not rule.prefixes]
    for rule, c in shaped:
        if rule.covers(item):
            return ("out" if _says_not(c) else "in"), c
    # Not covered: the list it is nearest to says so ("0458": the lots run from 0410 to 0455).
    positive = sorted(((rule.distance(item), i, c) for i, (rule, c) in enumerate(shaped)
                       if not _says_not(c)), key=lambda t: t[:2])
    return ("absent", positive[0][2]) if positive else None
