"""Text that is not a reply at all: what small models write when they fail.

Measured on a real local model (SmolLM2-135M, Qwen2.5-0.5B through llama.cpp): refusals ("I'm sorry,
but I can't assist with that request."), loops (a true sentence, then "No." 27 times), the
customer's own comment written back, a reply in another language, template slots and source ids
written into the text ("[author]", "[factsheet-en::1]"). Each was approvable before;
each is high here (a reviewer must rewrite, not approve), whoever wrote the text. The drafting
chain also uses `degenerate_codes` to replace such a model draft with the offline composer's.

`clean_unknowns` keeps only real open questions in a model's `unknowns` (models put source ids,
source sentences, empty strings and claims there).

Imports: core and text only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.guards.language import language_flags
from assistant.models import Flag
from assistant.text import content_stems, fold, split_sentences

DEGENERATE = frozenset({"refusal", "repetition", "comment_echo", "wrong_language", "placeholder"})

_REFUSAL = re.compile(
    r"\b(?:i|we)(?: a|')?m? ?(?:sorry,? (?:but )?(?:i|we) )?(?:can ?not|can't|cannot|am unable to|are unable to|"
    r"'m unable to|'re unable to|won't be able to|am not able to) (?:assist|help|comply|provide|fulfil+|respond|"
    r"answer|do that|write)\w* (?:you )?(?:with )?(?:that|this|your|such)? ?(?:request|question|message|task|"
    r"comment|one)?\b"
    r"|\bas an? (?:ai|artificial intelligence|language model|large language model|ai assistant|assistant)\b"
    r"|\b(?:i am|i'm) (?:just |only )?an? (?:ai|language model|chatbot|virtual assistant)\b"
    r"|\bje (?:ne peux|ne suis pas en mesure de|suis incapable d) ?(?:pas )?(?:vous )?(?:aider|repondre|traiter)"
    r"|\ben tant qu(?:e |')(?:ia|intelligence artificielle|modele de langage|assistant virtuel)\b"
)
_WORD = re.compile(r"[\w'-]+")
# A slot nobody filled or a source id written into the text: "[author]", "[amount]", "[Name]", "{name}",
# "{{date}}", "<first name>", "[factsheet-en::1]" (SmolLM2 wrote "The [author] is offering a
# [factsheet-charging-en::1] refund to the [card-holder] for [amount] overcharged", unflagged before).
# Not a markdown link "[here](url)", not an editor's "[sic]" or "[...]".
_PLACEHOLDER = re.compile(
    r"\[(?!(?:sic|\.\.\.|…)\])[A-Za-z][\w-]*(?:(?: |::?)[\w-]+){0,1}\](?!\()"
    r"|\{\{?\s*[A-Za-z_][\w -]{0,30}\}\}?"
    r"|<(?:first |last |full |customer |author |user )?(?:name|date|amount|number|email|link|url|prenom|nom)>",
    re.IGNORECASE,
)
_LOOP_MIN = 3  # the same sentence this many times is a loop, not emphasis
_NGRAM = 4
_ECHO_NGRAM = 5
# A loop cut short by the schema's length bounds (180 characters a sentence on the local profile) repeats a
# phrase two or three times, without full stops: a third of the word trigrams already said is a loop.
# Measured: every offline draft of the answers sets and every knowledge paragraph and labelled edit in the
# repository (376 texts of 12+ words) <= 0.19; real SmolLM2 loops cut at 180 characters 0.44.
_TRIGRAM_REPEAT_SHARE = 0.3
_TRIGRAM_MIN_WORDS = 12


def refusal(folded: str) -> re.Match[str] | None:
    return _REFUSAL.search(folded.replace("’", "'"))


def check_generated(text: str, *, language: str, comment: str | None = None, with_language: bool = True,
                    parts: Sequence[str] = ()) -> list[Flag]:
    """Refusal, placeholders, repetition, echo of the comment, wrong language: each high (not a reply to
    approve).

    `parts`: the sentences as the model gave them (a model may repeat one without a full stop).
    `with_language=False`: the caller has run guards/language.py on this text already (check_draft)."""
    if not text.strip():
        return []
    folded = fold(text).replace("’", "'")
    flags: list[Flag] = []
    if m := refusal(folded):
        flags.append(_flag("refusal", (m.start(), m.end()),
                           "the text refuses to answer (a model's refusal, not a reply to the author)"))
    if slots := [m for m in _PLACEHOLDER.finditer(text)]:
        shown = ", ".join(dict.fromkeys(m.group(0) for m in slots[:4]))
        flags.append(_flag("placeholder", (slots[0].start(), slots[0].end()),
                           f"the text has unfilled placeholders or source ids in it ({shown})"))
    flags += _repetition(text) or _repeated_parts(parts)
    if comment and (echo := _echo_share(text, comment)) >= 0.5:
        flags.append(_flag("comment_echo", None,
                           f"{echo:.0%} of the text repeats the author's own comment back to them"))
    elif comment:
        flags += _echoed_sentences(text, comment)
    # The whole reply in another language (one rule: guards/language.py; its per-sentence flags stay there).
    if with_language:
        flags += [f for f in language_flags(text, language) if f.code == "wrong_language"]
    return flags


def degenerate_codes(flags: Iterable[Flag]) -> list[str]:
    """The codes among `flags` that make a text unusable as a reply (the chain falls back on them)."""
    return sorted({f.code for f in flags if f.code in DEGENERATE})


def _repetition(text: str) -> list[Flag]:
    spans = split_sentences(text)
    keys = [" ".join(_WORD.findall(fold(text[a:b]))) for a, b in spans]
    counts = Counter(k for k in keys if k)
    looped = {k for k, n in counts.items() if n >= _LOOP_MIN}
    if looped:
        # From the second occurrence on: the first may be a fine sentence.
        repeats = [spans[i] for i, k in enumerate(keys) if k in looped and keys.index(k) != i]
        what = max(looped, key=lambda k: counts[k])
        return [_flag("repetition", (repeats[0][0], repeats[-1][1]),
                      f"the same sentence {counts[what]} times ('{what[:40]}'): the model looped")]
    words = _WORD.findall(fold(text))
    grams = Counter(tuple(words[i : i + _NGRAM]) for i in range(len(words) - _NGRAM + 1))
    if grams and (top := grams.most_common(1)[0])[1] >= 4 and top[1] * _NGRAM >= 0.4 * len(words):
        return [_flag("repetition", None, f"'{' '.join(top[0])}' {top[1]} times: the model looped")]
    if len(words) >= _TRIGRAM_MIN_WORDS and (share := repeated_trigram_share(words)) >= _TRIGRAM_REPEAT_SHARE:
        return [_flag("repetition", None, f"{share:.0%} of its word sequences were already said: the model looped")]
    return []


def repeated_trigram_share(words: Sequence[str]) -> float:
    """Share of the word trigrams that repeat an earlier one (0 for text that never repeats itself)."""
    trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return (len(trigrams) - len(set(trigrams))) / len(trigrams) if trigrams else 0.0


def _repeated_parts(parts: Sequence[str]) -> list[Flag]:
    keys = [" ".join(_WORD.findall(fold(p))) for p in parts]
    seen = Counter(k for k in keys if len(k.split()) >= 3)
    if seen and (top := seen.most_common(1)[0])[1] >= 2:
        return [_flag("repetition", None, f"the same sentence {top[1]} times ('{top[0][:40]}'): the model looped")]
    return []


def _grams(text: str, n: int) -> list[tuple[str, ...]]:
    words = _WORD.findall(fold(text))
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _echo_share(text: str, comment: str) -> float:
    """Share of the text's word 5-grams that come from the comment (a quote of a few words is fine)."""
    mine = _grams(text, _ECHO_NGRAM)
    theirs = set(_grams(comment, _ECHO_NGRAM))
    if len(mine) < 3 or not theirs:
        return 0.0
    return sum(g in theirs for g in mine) / len(mine)


def _echoed_sentences(text: str, comment: str) -> list[Flag]:
    """A sentence of the reply copied from the comment (SmolLM2 answered "Did the kid steal something, yes
    or no?" with that very sentence, the accusation now in the brand's voice). A quote in quotation marks
    is the writer's choice, not an echo."""
    theirs = set(_grams(comment, _ECHO_NGRAM))
    out: list[Flag] = []
    for start, end in split_sentences(text):
        part = text[start:end]
        mine = _grams(part, _ECHO_NGRAM)
        if len(mine) >= 2 and not _QUOTED.search(part) and sum(g in theirs for g in mine) / len(mine) >= 0.8:
            out.append(_flag("comment_echo", (start, end),
                             "a sentence of the text is the author's own words written back to them"))
    return out


_QUOTED = re.compile(r"[\"“”«»]")


def clean_unknowns(unknowns: Sequence[str], *, source_texts: Iterable[str], chunk_ids: Iterable[str]
                   ) -> tuple[list[str], list[str]]:
    """(kept, dropped reasons). An unknown is an open question in plain words: not empty, not a source
    id, not a copy of a source sentence (that is known), not a statement of fact or a promise."""
    ids = {fold(c) for c in chunk_ids}
    source_stems = [content_stems(fold(s)) for s in source_texts]
    kept: list[str] = []
    dropped: list[str] = []
    for raw in unknowns:
        item = " ".join(raw.split())
        folded = fold(item)
        stems = content_stems(folded)
        if "::" in item or folded.strip("[]() ") in ids:
            dropped.append("a source id")
        elif len(stems) < 2:
            dropped.append("empty or too short")
        elif len(item) > 300:
            dropped.append("too long for a question")
        elif any(len(stems & s) >= 0.8 * len(stems) for s in source_stems if s):
            dropped.append("repeats a source (it is known)")
        elif refusal(folded) or _states_safety(folded):
            dropped.append("a statement, not a question")
        elif folded in {fold(k) for k in kept}:
            dropped.append("a duplicate")
        else:
            kept.append(item)
    return kept, dropped


_SAFETY = re.compile(r"\b(?:is|are|remains?|sont|est|reste) (?:completely |totally |perfectly )?(?:safe|unsafe|"
                     r"dangerous|harmless|sur|sure|surs|sures|sans danger|dangereux|dangereuse|inoffensif)\b")


def _states_safety(folded: str) -> bool:
    return bool(_SAFETY.search(folded)) and not folded.rstrip().endswith("?")


def _flag(code: str, span: tuple[int, int] | None, message: str) -> Flag:
    return Flag(code=code, severity="high", span=span, source="model_output", message=message)
