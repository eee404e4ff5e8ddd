"""Folding and words: the one normalisation every stage applies before comparing text.

`fold` maps each character to exactly one character, so a match found on the folded text is a
valid span of the original, which is what a reviewer sees.
"""

from __future__ import annotations

import re
import unicodedata

# Characters outside the Latin/punctuation planes (emoji, CJK) are left as they are.
_FOLD_RANGE = 0x2500
_PUNCT_FOLD = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
    "\u00b0": "\u00b0",
}


def _fold_char(c: str) -> str:
    if c in _PUNCT_FOLD:
        return _PUNCT_FOLD[c]
    base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))
    base = (base or " ").lower()
    return base[0]


_FOLD_TABLE = {cp: _fold_char(chr(cp)) for cp in range(_FOLD_RANGE) if _fold_char(chr(cp)) != chr(cp)}


def fold(text: str) -> str:
    """Lower-case, strip accents, unify quotes/dashes/spaces; same length as the input."""
    return text.translate(_FOLD_TABLE)


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one blank-separated string (keeps word lists compact)."""
    return frozenset(words.split())


# A word: letters/digits, joined by an apostrophe, hyphen or slash ("l'usine", "L-4821", "03/2027").
_WORD = re.compile(r"[a-z0-9]+(?:['/-][a-z0-9]+)*")
_PARTS = re.compile(r"['/-]")


def words(folded: str) -> list[str]:
    """The words of already folded text, joined forms kept whole ("l'usine", "l-4821", "03/2027")."""
    return _WORD.findall(folded)


def word_parts(word: str) -> list[str]:
    """A joined word split at its apostrophes, hyphens and slashes ("l'usine" -> ["l", "usine"])."""
    return _PARTS.split(word)
