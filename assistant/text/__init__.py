"""The one text layer every stage uses: folding, sentences, words, stems, language.

Retrieval (BM25), claim grounding, the composer's citations, triage and the monitor must split,
fold and stem text the same way, or a citation points at the wrong sentence and a claim is missed.
Imports: nothing of ours.
"""

from assistant.text.language import detect_language, guess_language
from assistant.text.normalize import fold, word_parts, words, wordset
from assistant.text.sentences import sentences, split_sentences
from assistant.text.terms import (
    FILLER,
    NO_FACT_WORDS,
    STOPWORDS,
    STOPWORDS_EN,
    STOPWORDS_FR,
    analyze,
    content_stems,
    stem,
    stems,
    term_set,
)

__all__ = [
    "FILLER",
    "NO_FACT_WORDS",
    "STOPWORDS",
    "STOPWORDS_EN",
    "STOPWORDS_FR",
    "analyze",
    "content_stems",
    "detect_language",
    "fold",
    "guess_language",
    "sentences",
    "split_sentences",
    "stem",
    "stems",
    "term_set",
    "word_parts",
    "words",
    "wordset",
]
