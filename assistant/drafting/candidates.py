"""The knowledge sentences a reply may state: split from the retrieved chunks, with their terms, whether
they say something is not known yet, and the kinds of answer they hold (a date, an amount, a phone number).

Imports: the text layer, models and the question finder's scope words. Used by answers.py (which picks
among them), items.py (yes/no about an item), the ranker and the composer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.drafting.phrases import NEXT_STEP, UNKNOWN_HEADINGS
from assistant.drafting.questions import SCOPE_WORDS, Question
from assistant.models import SearchHit
from assistant.text import analyze, fold, sentences, term_set

KIND_PRIOR = {"fact_sheet": 1.0, "policy": 0.95, "faq": 0.9, "contact": 0.85, "statement": 0.6}
NEGATED = re.compile(r"^(we (do not|don't|dont|cannot|can't) (know|say)|nous ne (savons|connaissons|pouvons)|"
                     r"on ne sait)")
# What a sentence says is not known yet, wherever it says it: "The date they come back is not known yet.",
# "L'origine de la panne n'est pas encore identifiée.".
NOT_KNOWN_YET = re.compile(r"\b((is|are|has|have) not (yet )?(been )?(known|identified|confirmed|determined|"
                           r"established)( yet)?|not (yet )?known|(n'est|ne sont|n'a|n'ont) pas encore (ete )?"
                           r"(connu|identifi|confirm|determin|etabli)\w*|reste(nt)? (inconnu\w*|a determiner))\b")
# "sans" is no negation of what a sentence says: "exchanged even opened, even without a receipt" is a yes.
NEGATION = re.compile(r"\b(not|no|never|none|nothing|nobody|n't|rien|aucun\w*|jamais|ne|n'|pas|ni)\b|n'",
                      re.IGNORECASE)
# Saying no without a "not": "ski touring is forbidden", "impossible de", "cannot".
DENIED = re.compile(r"\b(cannot|forbidden|prohibited|banned|not allowed|interdit\w*|prohib\w*|impossible)\b")
_MONTHS = (r"january|february|march|april|may|june|july|august|september|october|november|december|"
           r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre")
_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    "when": re.compile(rf"(\b\d{{1,2}}(er)? ({_MONTHS})\b|\b({_MONTHS}) \d{{1,2}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
                       rf"\b\d{{1,2}}[:h]\d{{2}}\b|\b\d{{1,2}} ?h\b|\b\d+ (working |business )?(days?|hours?|weeks?|"
                       rf"months?|jours?( ouvres)?|heures?|semaines?|mois|minutes?)\b|\b({_DAYS})\b|"
                       rf"\b\d{{2}}/\d{{4}}\b)"),
    "how_much": re.compile(r"(€|\$|£|\beur\b|\beuros?\b|%|\b\d[\d ,.]*\d\b|\b\d\b)"),
    "contact": re.compile(r"(\+?\d[\d ]{7,}\d|\b[\w.+-]+@[\w-]+\.[\w.]+\b)"),
    # A procedure: an instruction, a form, a link, a number to call.
    "how": re.compile(r"(^(take|fill|call|claim|send|go|use|visit|bring|keep|check|contact|prenez|remplissez|"
                      r"appelez|envoyez|rendez|utilisez|gardez|verifiez|contactez|conservez)\b|\b(form|formulaire|"
                      r"photo|by (calling|filling|sending)|en (appelant|remplissant|envoyant))\b|https?://)"),
    # Who does it: an organisation, an authority, someone named by their role.
    "who": re.compile(r"\b((firm|company|cabinet|societe|contractor|prestataire|agency|agence) (de |d')?[a-z]+|police|"
                      r"gendarmerie|prefecture|authorit\w*|autorite\w*|inspector\w*|regulator|regulateur|"
                      r"(led|run|conducted|carried out) by|(menee?s?|dirigee?s?|conduite?s?|confiee?s?) (par|au|a))\b"),
    "where": re.compile(r"(https?://\S+|\b(printed|side|top|bottom|desk|terminal|counter|page|website|shop|store|"
                        r"imprime|cote|haut|bas|comptoir|guichet|facture|bill|app|info point|point info|entrance|"
                        r"entree|accueil|"
                        r"reception|office|bureau|arena|centre|center|hall|salle|gymnase|mairie|town hall|station|gare|"
                        r"parking|pharmac\w*|school|ecole|agence|branch|depot|label|sticker|etiquette|packaging|"
                        r"emballage)\b|\b(under|underneath|beneath|behind|inside|sous|derriere) (the|le|la|les)\b|"
                        # a street address: "150, rue du Parc", "22 Elm Street"
                        r"\b\d+,? (rue|avenue|av|boulevard|bd|chemin|place|allee|quai|route) |"
                        r"\b\d+ [a-z]+ (street|st|road|rd|avenue|ave|lane|way)\b)"),
}
MONEY = re.compile(r"(€|\$|£|\beur\b|\beuros?\b)")
_MD = re.compile(r"(\*\*|__|`|^\s*[-*•]\s+|^\s*\d+\.\s+)", re.MULTILINE)
_QA = re.compile(r"^\s*(\*\*|__|q\s*[:.]|question\s*:)", re.IGNORECASE)
MIN_SAME_LANGUAGE = 6  # sentences in the reply's language enough to answer from them alone


def keyset(terms: Iterable[str]) -> frozenset[str]:
    """Terms cut to five letters: after accents are folded the French stemmer leaves "annule" for
    "annulée" and "annul" for "annulé"; the cut makes them, and "refund"/"refunded", one key."""
    return frozenset(t[:5] for t in terms)


@lru_cache(maxsize=8192)
def text_keys(text: str) -> frozenset[str]:
    """keyset(analyze(text)), cached: chosen sentences and titles are compared again and again."""
    return keyset(term_set(text))


@dataclass(frozen=True)
class Candidate:
    """A sentence of the retrieved knowledge that a reply may state (and cite)."""

    text: str
    chunk_id: str
    hit: SearchHit
    terms: frozenset[str]
    unknown: bool  # a "not known yet" item
    next_step: bool  # carries a phone number or a link
    section: frozenset[str] = frozenset()  # the terms of its heading ("Compensation" says what "€10" is)

    @property
    def folded(self) -> str:
        return _folded(self.text)


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return fold(text)

def clean(sentence: str) -> str:
    s = _MD.sub("", sentence).strip()
    s = re.sub(r"\s+", " ", s)
    if s and s[-1] not in ".!?…:":
        s += "."
    return s


@lru_cache(maxsize=8192)
def chunk_sentences(chunk_id: str, version: str, heading: str,
                    text: str) -> tuple[tuple[str, frozenset[str], bool, bool], ...]:
    """(sentence, terms, is "not known yet", is a next step) per usable sentence of a chunk, cached."""
    folded_heading = fold(heading)
    in_unknown_section = any(h in folded_heading for h in UNKNOWN_HEADINGS)
    headings = {fold(h).strip(" ?.") for h in heading.split(" > ")}
    out = []
    raws = sentences(text)
    for i, raw in enumerate(raws):
        s = clean(raw)
        if s.endswith(":") and len(s.split()) >= LIST_INTRO_MIN_WORDS:
            # "Un plan allégé s'applique jusqu'au 13 décembre sur ces lignes :" and its short list items are
            # one fact: "... sur ces lignes : R1 Caen – Vire, R3 Caen – Lisieux, R4 Bayeux – Saint-Lô."
            s = with_items(s, raws[i + 1:]) or s
        # Questions (FAQ headings, bold or not), labels and list fragments are not facts to state.
        if len(s) < 15 or len(s.split()) < 2 or s.endswith(("?", ":", ";.")) or not s[0].isupper() \
                or _QA.match(raw):
            continue
        if fold(s).strip(" ?.") in headings or STAFF_META.search(fold(s)):
            continue
        unknown = in_unknown_section or bool(NEGATED.match(fold(s))) or bool(NOT_KNOWN_YET.search(fold(s)))
        out.append((s, keyset(analyze(s)), unknown, bool(NEXT_STEP.search(s))))
    return tuple(out)


# What a document says of itself for staff ("Approved by Legal", "Community managers may quote it word for word",
# "en vigueur depuis le 1er septembre 2025"): no fact for a customer.
STAFF_META = re.compile(r"\b(approved by|validated by|validee?s? par|in force since|en vigueur depuis|"
                        r"(community managers?|hotline staff|staff|agents?|conseillers?|les equipes)\b[^.]{0,60}"
                        r"\b(may|can|must|peuvent|doivent) (quote|share|citer|partager|repeat|reprendre)|"
                        r"(peuvent|may) (la|le|les|it|them) (citer|quote))\b")
LIST_INTRO_MIN_WORDS = 6
LIST_ITEM_MAX_WORDS = 10
LIST_MAX_ITEMS = 8
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$")


def with_items(intro: str, after: list[str]) -> str | None:
    """An introduction ending with ":" joined with the short list items right after it; None when they are
    not a short list (then the introduction alone is no fact to state)."""
    items = []
    for raw in after:
        m = _ITEM.match(raw)
        if m is None:
            break
        items.append(_MD.sub("", m.group(1)).strip().rstrip(".;,"))
    if not items or len(items) > LIST_MAX_ITEMS or any(len(i.split()) > LIST_ITEM_MAX_WORDS for i in items):
        return None
    return f"{intro} {', '.join(items)}."


def candidates(hits: Iterable[SearchHit], language: str) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[str] = set()
    for hit in hits:
        for text, terms, unknown, next_step in chunk_sentences(hit.chunk_id, hit.doc_version, hit.heading, hit.text):
            if text in seen:
                continue
            seen.add(text)
            section = keyset(term_set(hit.heading.rsplit(" > ", 1)[-1])) if hit.kind != "faq" else frozenset()
            out.append(Candidate(text, hit.chunk_id, hit, terms, unknown, next_step, section))
    # A French reply quotes French sources: when the knowledge has enough in the reply's language, the
    # other language's twins are dropped (close in meaning, they would otherwise compete); else they come last.
    same = [c for c in out if c.hit.language == language]
    if len(same) >= MIN_SAME_LANGUAGE:
        return same
    out.sort(key=lambda c: c.hit.language != language)
    return out


_NOT_COUNT = re.compile(r"\b\d+ ?(h|hours?|heures?|days?|jours?|min\w*|gb|go|mb|km|weeks?|semaines?|months?|mois)\b"
                        r"|\+?\d[\d ]{7,}\d|\(\d[\d, ]*\)")
DATES = re.compile(rf"(\b\d{{1,2}}(er)? ({_MONTHS})( \d{{4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[:h]\d{{2}}\b|"
                    rf"\b\d{{1,2}}/\d{{4}}\b)")


# "Which lots are recalled?" wants the list: a sentence naming several identifiers, not the timeline.
SCOPE_LIST = re.compile(r"\b[a-z]{1,4}-?\d{2,6}\b.*\b[a-z]{1,4}-?\d{2,6}\b")


# "About 2,350 candidates are affected", "Environ 31 000 sessions de recharge sont concernées".
COUNT_AFFECTED = re.compile(r"\b\d[\d ,.]*\d?\b[^.;:]{0,60}\b(affected|concerned|impacted|concerne\w*|touche\w*|"
                            r"impacte\w*|exposed|expose\w*)\b")


def has_type(want: re.Pattern[str], folded: str) -> bool:
    """Whether a sentence holds the kind of answer wanted; an amount is not a date or a time."""
    if want is ANSWER_TYPES["how_much"]:
        folded = _NOT_COUNT.sub(" ", DATES.sub(" ", folded))
    if want is COUNT_AFFECTED:  # a count, not a date, of those affected, not of those who are not
        return bool(COUNT_AFFECTED.search(_NOT_COUNT.sub(" ", DATES.sub(" ", folded)))) and not NEGATION.search(folded)
    if want is SCOPE_LIST:
        return bool(SCOPE_LIST.search(folded) and SCOPE_WORDS.search(folded)) and not DATES.search(folded)
    return bool(want.search(folded))


# Not at commas: "must never touch, hold or search a customer" is one negation over a list.
_PARTS = re.compile(r"\s*(?:[:;]|\bbut\b|\bmais\b)\s*")


def parts_of(c: Candidate) -> list[str]:
    """The parts of a sentence between colons, semicolons and "but", folded."""
    return [p for p in _PARTS.split(c.folded) if p.strip()]


def asked_part(c: Candidate, terms: Iterable[str]) -> str:
    """The part of a sentence (between colons, semicolons, "but") that shares most words with the question,
    folded: its polarity is the answer's, not the polarity of the rest ("the others are not affected")."""
    parts = parts_of(c)
    if len(parts) < 2:
        return c.folded
    keys = keyset(terms)
    return max(parts, key=lambda p: len(text_keys(p) & keys))


# States that exclude each other: asked whether it closes, "it stays open" is a no.
OPPOSITES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(rf"\b({a})\b"), re.compile(rf"\b({b})\b")) for a, b in (
        (r"clos\w*|ferm\w*|shut\w*", r"open\w*|ouvert\w*|rouvr\w*|reopen\w*|running|runs?|fonctionn\w*|tourn\w*|"
                                       r"in service|en service"),
        (r"cancel\w*|annul\w*|called off", r"maintain\w*|maintenu\w*|go(es)? ahead|as planned|comme prevu|"
                                          r"take(s)? place|aura lieu|a lieu"),
        (r"stop\w*|suspend\w*|arret\w*|down", r"continu\w*|resum\w*|repris\w*|normal(ly)?|normalement"),
        (r"delay\w*|late|retard\w*", r"on time|a l'heure"),
    ))


def says_opposite(q: Question, c: Candidate) -> bool:
    """Whether the part of `c` about what `q` asks states the opposite of it, without a negation."""
    part = asked_part(c, q.terms)
    if NEGATION.search(part):
        return False
    return any((a.search(q.folded) and not b.search(q.folded) and b.search(part) and not a.search(part))
               or (b.search(q.folded) and not a.search(q.folded) and a.search(part) and not b.search(part))
               for a, b in OPPOSITES)
