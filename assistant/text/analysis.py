"""Text primitives shared by the guards: accent folding, sentences, content-word stems.

Everything here keeps offsets: `fold` maps each character to exactly one character, so a match
found on the folded text is a valid span of the original draft, which is what a reviewer sees.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

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


# ---------------------------------------------------------------- sentences

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
    inc ltd co corp sa sarl ste dept rd
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
    if token in _TITLES or (len(token) == 1 and token.isalpha()):
        return True
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


# ---------------------------------------------------------------- words and stems

STOPWORDS = wordset(
    """
    chez vers entre depuis pendant selon contre apres avant ll re ve don isn aren won didn doesn couldn
    wouldn shouldn qu jusqu lorsqu puisqu update updates thread soon asap keep posted share happy
    understand worry worried concern concerned sincerely truly completely totally message reach reaching
    touch hear hope appreciate patience kind words whole team tenir informe informes reviendrons revenir
    comprenons comprends sincerement vraiment aider ici possible
    a an the and or but if then so of to in on at by for with from as is are was were be been being
    am do does did done have has had having it its it's this that these those there here we our ours
    us you your yours i me my he she they them their his her what which who whom when where why how
    all any each every some such no not nor only own same than too very can could will would shall
    should may might must just also about into over under again further once more most other out up
    down off please thanks thank hi hello hey dear sorry im we're we'll you're you'll i'm it'll
    that's there's let us know get got still yet now today really much many well one would'nt don't
    can't won't le la les l un une des du de d et ou mais donc or ni car ce cet cette ces c est sont
    etre ete a ai as avons avez ont avait je j tu il elle on nous vous ils elles me m te t se s lui
    leur leurs mon ma mes ton ta tes son sa ses notre nos votre vos y en dans sur sous par pour avec
    sans chez que qu qui quoi dont ou pas ne n plus tres bien aussi tout tous toute toutes ici merci
    bonjour bonsoir salut desole desolee desoles si comme fait faire peut pouvez pouvons peuvent
    doit devez avoir encore deja lors alors ainsi cela ca celui celle ceux aux au
    """
)
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem a folded word; French and English share one set so a mixed KB still overlaps."""
    # Snowball is pure Python (~50 µs a word): the cache is what keeps a draft under a millisecond.
    fr = _STEMMERS["fr"].stemWord(word)
    en = _STEMMERS["en"].stemWord(word)
    return fr if len(fr) < len(en) else en


def content_stems(folded: str) -> frozenset[str]:
    """Stems of the content words of already folded text (digits are handled as facts, not words)."""
    out = set()
    for m in _WORD.finditer(folded):
        for w in re.split(r"['-]", m.group(0)):
            if len(w) > 1 and w not in STOPWORDS and not w.isdigit():
                out.add(stem(w))
    return frozenset(out)


def words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def guess_language(text: str) -> str:
    """'fr' or 'en' from stopword counts; enough to pick a word list, not a language identifier."""
    tokens = words(fold(text))
    fr = sum(t in _FR_HINT for t in tokens)
    en = sum(t in _EN_HINT for t in tokens)
    return "fr" if fr > en else "en"


_FR_HINT = wordset(
    """
    le la les des du une est sont nous vous avec pour pas que qui dans sur votre vos notre
    """
)
_EN_HINT = wordset(
    """
    the and is are we you with for not that which in on your our this of to
    """
)
