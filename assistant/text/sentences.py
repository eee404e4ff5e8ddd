"""Sentence splitting: one rule for the chunker, the composer, citations and the claim check.

A sentence boundary found one way by the chunker and another way by the guards would make a
citation point at the wrong sentence, so every stage calls `split_sentences` (spans) or `sentences`.
"""

from __future__ import annotations

import re

from assistant.text.normalize import fold, wordset

# Abbreviations after which a full stop does not end a sentence (folded, without the final dot).
_TITLES = wordset(
    """
    mr mrs ms dr st mme mlle mm m prof e.g i.e eg ie cf vs p.ex av ave bd blvd
    """
)
_BEFORE_DIGIT = wordset(
    """
    no nr n tel p fig art
    """
)
_OTHER_ABBREV = wordset(
    """
    etc approx env min max ex jan feb mar apr jun jul aug sep sept oct nov dec janv fevr avr juil
    inc ltd co corp sa sarl ste dept rd a.m p.m
    """
)
# Possessive and anchored at the start of a run: "....." without a blank must not be rescanned per dot.
_SENT_END = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++[\"')\]]*+(?=\s)|\n+")
_LAST_TOKEN = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) on `text`, stripped of surrounding blanks.

    A full stop ends a sentence only when followed by a blank, so "€4.99", "03/2027", URLs and
    "alpena.example/recall" stay whole; known abbreviations ("M.", "e.g.", "St.", "n. 12") do not.
    """
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(folded):
        if m.group(0)[0] == "." and _is_abbreviation(text, folded, start, m.start(), m.end()):
            continue
        _push(text, start, m.end(), spans)
        start = m.end()
    _push(text, start, len(text), spans)
    return spans


def _is_abbreviation(text: str, folded: str, start: int, dot: int, after: int) -> bool:
    word = _LAST_TOKEN.search(folded, start, dot)
    token = word.group(1).strip(".") if word else ""
    nxt = text[after:].lstrip()[:1]
    if token in _TITLES:
        return True
    if len(token) == 1 and token.isalpha():
        # An initial ("John F. Kennedy", "J. Smith"), unless a capital letter ends a phrase in lower case:
        # "too much vitamin D. We do not know yet" is two sentences.
        before = re.search(r"(\S+)\s+\S$", text[start:dot])
        # "found E. coli" is one ("coli" goes on in lower case).
        return not (text[dot - 1].isupper() and before is not None and before.group(1)[:1].islower()
                    and nxt.isupper())
    if token in _BEFORE_DIGIT:
        return nxt.isdigit()
    return token in _OTHER_ABBREV and not nxt.isupper()


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))




def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (a line break always ends one, so list items stay apart)."""
    return [text[a:b] for a, b in split_sentences(text)]
