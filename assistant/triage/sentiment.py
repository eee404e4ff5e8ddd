"""Sentiment from the lexicon's weighted words, with negation, intensifiers and sarcasm ("great, another
outage...")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from assistant.triage import lexicon as lex
from assistant.triage.cues import INTENT_CUES, REPEAT_ANY, SARCASM_CLOSER, SARCASM_CONTEXT, SARCASM_ELLIPSIS

# ---------------------------------------------------------------- sentiment


@dataclass
class SentimentReading:
    score: float = 0.0
    words: list[str] = field(default_factory=list)
    sarcasm: str | None = None


def read_sentiment(raw: str, norm: str) -> SentimentReading:
    total = 0.0
    words: list[str] = []
    tokens = [t.strip("'") for t in _SENT_TOKEN.findall(norm)]
    raw_tokens = {t.lower(): t for t in re.findall(r"[^\W\d_]+", raw)}
    negate_left = 0
    for tok in tokens:
        if tok in lex.NEGATORS:
            negate_left = 3
            continue
        if tok in _CLAUSE_END:  # "Not anymore. Disappointed." : the negation ends with its clause
            negate_left = 0
            continue
        w = lex.WORDS.get(tok)
        if w is None and len(tok) > 3:
            w = lex.WORDS.get(REPEAT_ANY.sub(r"\1", tok))
        if w is None and tok in lex.INSULTS:
            w = -2.5
        if w is not None:
            shown = tok
            if negate_left:
                w, shown = -0.5 * w, f"not {tok}"
            original = raw_tokens.get(tok, "")
            if len(original) > 2 and original.isupper():
                w *= 1.5
            total += w
            words.append(shown)
        negate_left = max(0, negate_left - 1)
    for ch in raw:
        e = lex.EMOJI.get(ch)
        if e is not None:
            total += e
            if ch not in words:
                words.append(ch)
    letters = [c for c in raw if c.isalpha()]
    if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        total *= 1.3
        words.append("ALL CAPS")
    if "!!" in raw:
        total *= 1.2
        words.append("'!!!'")
    result = SentimentReading(total / math.sqrt(total * total + 15), words)
    sarcasm = _sarcasm(raw, norm, total)
    if sarcasm:
        result.sarcasm = sarcasm.group(0).strip(" .…")
        result.score = -max(abs(result.score), 0.5)
    return result


def _sarcasm(raw: str, norm: str, total: float) -> re.Match[str] | None:
    """The praise that is meant the other way: a thank-you next to harm, an ellipsis or an eye-roll."""
    ellipsis = SARCASM_ELLIPSIS.search(norm)
    if ellipsis:
        return ellipsis
    praise = INTENT_CUES["praise"][0].pattern.search(norm)
    if praise:
        eye_roll = any(ch in lex.SARCASM_EMOJI for ch in raw)
        harm = SARCASM_CONTEXT.search(norm) and not _SINCERE.search(norm)
        if eye_roll or harm or _NOT_MARKER.search(norm):
            return praise
    closer = SARCASM_CLOSER.search(norm.strip())
    if closer and (
        closer.group("target")  # "Bravo la cohérence." closing a comment is never a compliment
        or total - lex.WORDS.get(closer.group(1), 0) < 0
        or any(c.pattern.search(norm) for c in INTENT_CUES["complaint"])
    ):
        return closer
    return None


_SINCERE = re.compile(r"\b(transparen\w+|quick\w*|fast|rapide\w*)\b")
_NOT_MARKER = re.compile(r"\.\.\.\s*not\b|\bnot!|/s\b")
_SENT_TOKEN = re.compile(r"[a-z0-9']+|[.!?,;]")
_CLAUSE_END = frozenset(".!?,;")
