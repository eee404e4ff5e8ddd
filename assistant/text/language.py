"""Language of a text: py3langid (offline, a few hundred µs), restricted to the languages we answer
in, with function words and chat words deciding when the text is too short for the model.

Triage, the guards' language check and the composer all ask here, so a comment and its reply are
never judged by two different rules.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from assistant.text.normalize import fold, wordset

# Short-text hints: function words and chat words py3langid has too few bytes to weigh.
HINTS: dict[str, frozenset[str]] = {
    "en": wordset(
        "the and is are you your my i it this that what where which how why when to of for with on in "
        "please thanks thank lol wtf omg idk hi hello anyone who not still no yes haha"
    ),
    "fr": wordset(
        "le la les des du de et est sont vous votre vos mon ma mes je j'ai c'est pour avec sur dans pas "
        "merci bonjour salut svp mdr ptdr quoi qui ou quand comment pourquoi ils elles on nous une un ca "
        "bah alors tout tres pff"
    ),
}
_TOKEN = re.compile(r"[a-z0-9']+")
_REPEAT_ANY = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _restricted(langs: tuple[str, ...]) -> Any:
    ident = copy.copy(_identifier())  # set_languages rebinds arrays, so the full model stays intact
    ident.set_languages(list(langs))
    return ident


def detect_language(
    text: str, known: Sequence[str] = ("en", "fr"), *, words: list[str] | None = None
) -> tuple[str, float, str]:
    """(language, confidence, reason). Restricted to `known`, unless the text is clearly another one.

    `words`: the text's words if the caller already normalised them (triage expands slang first);
    by default the folded words of `text`.
    """
    known_t = tuple(known)
    top, top_p = _identifier().classify(text)
    # Inverted marks are Spanish-only, so a shorter text is enough evidence.
    needed = 0.5 if ("¿" in text or "¡" in text) else 0.85
    if top not in known_t and top_p >= needed and sum(c.isalpha() for c in text) >= 15:
        return top, float(top_p), f"language={top} ({top_p:.2f}): not one of {','.join(known_t)}"
    lang, conf = _restricted(known_t).classify(text)
    reason = f"language={lang} ({conf:.2f}, restricted to {','.join(known_t)})"
    if conf < 0.9:
        tokens = words if words is not None else [w.strip("'") for w in _TOKEN.findall(fold(text))]
        hints = {k: _hint_count(tokens, HINTS.get(k, frozenset())) for k in known_t}
        (best, count), *others = sorted(hints.items(), key=lambda kv: -kv[1])
        if count > max((c for _, c in others), default=0):
            if best != lang:
                reason = f"language={best}: short text, {count} {best} word(s) outweigh py3langid ({lang})"
            lang, conf = best, max(conf, 0.6)
    return lang, float(conf), reason


def _hint_count(words: list[str], hints: frozenset[str]) -> int:
    return sum(w in hints or _REPEAT_ANY.sub(r"\1", w) in hints for w in words)


def guess_language(text: str, known: Sequence[str] = ("en", "fr")) -> str:
    """Just the language code of `text`, among `known`."""
    return detect_language(text, known)[0]
