"""Stop words, stems and terms: how every stage decides that two texts talk about the same thing.

One stop-word list per language (both apply: a knowledge base and its comments mix French and
English), one stemmer rule, one analysis. Retrieval ranks with `analyze`, the composer and the
citations compare `term_set`s, the claim check compares `content_stems`: a word stemmed one way for
retrieval and another for grounding would quietly break citations.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

from assistant.text.normalize import fold, word_parts, words, wordset

STOPWORDS_EN = wordset(
    """
    a an the and or but if then so of to in on at by for with from as is are was were be been being
    am do does did done have has had having it its it's this that these those there here we our ours
    us you your yours i me my he she they them their his her what which who whom when where why how
    all any each every some such no not nor only own same than too very can could will would shall
    should may might must just also about into over under again further once more most other out up
    off please thanks thank hi hello hey dear sorry im we're we'll you're you'll i'm it'll
    that's there's let know get got still yet now today really much many well one yes would'nt don't
    can't won't ll re ve don isn aren won didn doesn couldn wouldn shouldn
    """
)
STOPWORDS_FR = wordset(
    """
    le la les l un une des du de d et ou mais donc or ni car ce cet cette ces c est sont etre ete a ai
    as avons avez ont avait je j tu il elle on nous vous ils elles me m te t se s lui leur leurs mon ma
    mes ton ta tes son sa ses notre nos votre vos y en dans sur sous par pour avec sans chez que qu qui
    quoi dont pas ne n plus tres bien aussi tout tous toute toutes ici merci bonjour bonsoir salut
    desole desolee desoles si comme fait faire peut pouvez pouvons peuvent doit devez avoir encore deja
    lors alors ainsi cela ca ceci celui celle ceux aux au eux moi toi meme vers entre depuis pendant
    selon contre apres avant jusqu lorsqu puisqu quand comment est-ce
    """
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_FR

# Words of courtesy and crisis small talk: real words, but they state no fact, so a draft sentence
# made of them needs no source. Only the claim check drops them; retrieval keeps them.
FILLER = wordset(
    """
    update updates thread soon asap keep posted share happy understand worry worried concern concerned
    sincerely truly completely totally message reach reaching touch hear hope appreciate patience kind
    words whole team tenir informe informes reviendrons revenir comprenons comprends sincerement
    vraiment aider ici possible
    """
)
# What the claim check and the topic detector ignore: function words and small talk alike.
NO_FACT_WORDS = STOPWORDS | FILLER
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """The French and English Snowball stems of a folded word, the shorter first (one if they agree).

    Retrieval indexes both (a French query meets an English-stemmed word of a mixed document);
    where one key per word is needed (claim grounding ratios, topic counts) `stem` is the first.
    """
    # Snowball is pure Python (~50 µs a word): the cache is what keeps a draft under a millisecond.
    fr = _STEMMERS["fr"].stemWord(word)
    en = _STEMMERS["en"].stemWord(word)
    if fr == en:
        return (fr,)
    return (fr, en) if len(fr) < len(en) else (en, fr)


def stem(word: str) -> str:
    """The one key of a folded word: the shorter of its French and English stems."""
    return stems(word)[0]


def content_stems(folded: str) -> frozenset[str]:
    """Stems of the fact-bearing words of already folded text (numbers are facts, checked apart)."""
    out = set()
    for word in words(folded):
        for part in word_parts(word):
            if len(part) > 1 and part not in NO_FACT_WORDS and not part.isdigit():
                out.add(stem(part))
    return frozenset(out)


def analyze(text: str) -> list[str]:
    """Index terms of raw text (BM25): both stems of each content word; identifiers ("L4821", "L-4821",
    "03/2027") kept whole, without separators and by parts, so "L-4821", "L4821" and "L4821–L4822" meet."""
    terms: list[str] = []
    for word in words(fold(text)):
        if any(ch.isdigit() for ch in word):
            parts = word_parts(word)
            terms.append(word)
            if len(parts) > 1:  # "l-4821" -> "l4821"; a range "l4821-l4822" -> "l4821", "l4822" too
                terms.append("".join(parts))
                # Only parts that are identifiers themselves: the "2026" of every date would match all.
                terms.extend(p for p in parts if not p.isdigit() and any(ch.isdigit() for ch in p))
            continue
        for part in word_parts(word):
            if len(part) > 1 and part not in STOPWORDS:
                terms.extend(stems(part))
    return terms


@lru_cache(maxsize=20_000)
def term_set(text: str) -> frozenset[str]:
    """analyze() as a set, cached: knowledge sentences are compared again and again."""
    return frozenset(analyze(text))
