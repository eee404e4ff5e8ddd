"""Is the reply in the language it must be in? The whole reply, and each long sentence.

A French comment answered in English (or a French reply with an English sentence pasted from an
English source) is flagged: the whole reply in another language is high (it cannot be posted as
it is), one sentence is medium. The greeting line and the sign-off carry names and signatures, not
language, and are left out. Imports: core, text.
"""

from __future__ import annotations

import re

from assistant.models import Flag
from assistant.text import detect_language, fold, split_sentences
from assistant.text.language import HINTS

_GREETING = re.compile(r"^\s*\S+(?: [^\s,]+){0,3},\s*", re.UNICODE)
_SIGNOFF = re.compile(r"\n\s*[–—-] [^\n]*$")
_URL = re.compile(r"https?://\S+|\S+@\S+")
MIN_LETTERS = 20  # below this py3langid is a coin toss
REPLY_CONFIDENCE = 0.8
SENTENCE_HINTS = 2  # function words of the other language in one sentence, and none of its own
_TOKEN = re.compile(r"[a-z']+")


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def language_flags(text: str, expected: str, known: tuple[str, ...] = ("en", "fr")) -> list[Flag]:
    """`wrong_language` (high) when the reply is in another language than `expected`;
    `sentence_language` (medium) for a long sentence in another language."""
    if expected not in known:
        return []
    end = _SIGNOFF.search(text)
    body_end = end.start() if end else len(text)
    greeting = _GREETING.match(text)
    body_start = greeting.end() if greeting and greeting.end() < body_end else 0
    body = _URL.sub(" ", text[body_start:body_end])
    if _letters(body) < MIN_LETTERS:
        return []
    lang, conf, _ = detect_language(body, known)
    if lang != expected and conf >= REPLY_CONFIDENCE:
        return [Flag(code="wrong_language", severity="high", span=(body_start, body_end), source="language",
                     message=f"the reply reads as '{lang}' ({conf:.2f}) but must be in '{expected}', the "
                             "comment's language")]
    flags = []
    for start, stop in split_sentences(text[:body_end]):
        if start < body_start:
            continue
        # Per sentence, function words decide (py3langid on every sentence would double the guards' time).
        words = _TOKEN.findall(fold(_URL.sub(" ", text[start:stop])))
        counts = {k: sum(w in HINTS.get(k, frozenset()) for w in words) for k in known}
        other = max((k for k in known if k != expected), key=lambda k: counts[k])
        if len(words) >= 5 and counts[other] >= SENTENCE_HINTS and counts[expected] == 0:
            flags.append(Flag(code="sentence_language", severity="medium", span=(start, stop), source="language",
                              message=f"this sentence reads as '{other}' in a reply in '{expected}'"))
    return flags
