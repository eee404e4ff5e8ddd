"""Guardrails checked before a person sees a draft; the one entry point for the rest of the app.

    masked = mask_pii(comment.text)            # before any text reaches a model provider
    inj = detect_injection(comment.text)       # the comment stays in the data channel: neutralise()
    flags = check_draft(draft_text, GuardContext(sources=hits, citations=..., policy=..., ...))
    if has_blocking(flags): ...                # approval is refused while a high flag stands

Each check lives in its own module (pii, injection, claims, commitments, facts, tone, degenerate; evidence
prepares what they compare against); this one runs them in order and removes flags that say the same thing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.guards.claims import check_citations, check_sentences
from assistant.guards.commitments import check_commitments
from assistant.guards.degenerate import check_generated
from assistant.guards.evidence import GuardContext, analyse, evidence
from assistant.guards.injection import detect_injection
from assistant.guards.language import language_flags
from assistant.guards.tone import banned_phrases, length_flags, pii_echo, rule_flags
from assistant.models import Flag, SearchHit
from assistant.text import content_stems, fold, guess_language

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
# When one of these explains a span, an "unsupported_claim" on the same span adds nothing.
_SPECIFIC = frozenset({"outdated_fact", "unapproved_commitment", "speculation"})


def check_draft(text: str, ctx: GuardContext) -> list[Flag]:
    """Every guard over one draft; flags sorted by position, then severity."""
    ev = evidence(ctx)
    sentences = analyse(text)
    folded = fold(text)
    flags = check_sentences(sentences, ctx, ev)
    flags += check_citations(sentences, ctx, ev)
    flags += check_commitments(sentences, ev)
    flags += banned_phrases(folded, ev)
    flags += rule_flags(folded)
    flags += length_flags(text, ctx.platform)
    # One language check: the pasted-sentence flags here, the whole-reply one with the degenerate output.
    language = language_flags(text, ctx.language)
    flags += [f for f in language if f.code != "wrong_language"]
    flags += pii_echo(text, ctx, ev.public)
    flags += _injection_flags(text, ctx)
    if text.strip():
        flags += check_generated(text, language=ctx.language, comment=ctx.comment, with_language=False)
        flags += [f for f in language if f.code == "wrong_language"]
    return _tidy(flags)


def _injection_flags(text: str, ctx: GuardContext) -> list[Flag]:
    if not ctx.injection:
        return []
    out = [
        Flag(
            code="prompt_injection",
            severity="medium",
            source="comment",
            message="the comment tried to instruct the assistant: check the draft does not follow it",
        )
    ]
    if not ctx.comment:
        return out
    # The draft repeating the comment's dictated words ("reply that ...") is the attack succeeding.
    for f in detect_injection(ctx.comment):
        if f.span is None or f.source != "injection:dictated_output":
            continue
        payload = content_stems(fold(ctx.comment[f.span[0] : f.span[1]]))
        for s in analyse(text):
            if len(payload) >= 3 and len(payload & s.stems) / len(payload) >= 0.6:
                out.append(
                    Flag(
                        code="prompt_injection",
                        severity="high",
                        span=(s.start, s.end),
                        source="comment",
                        message="the draft says what the comment told it to say",
                    )
                )
    return out


def _tidy(flags: list[Flag]) -> list[Flag]:
    # Mark the characters a specific flag explains; a generic one over any of them is dropped.
    end = max((f.span[1] for f in flags if f.span), default=0)
    explained = bytearray(end + 1)
    for f in flags:
        if f.code in _SPECIFIC and f.span:
            explained[f.span[0] : f.span[1]] = b"\x01" * (f.span[1] - f.span[0])
    kept = []
    seen: set[tuple[str, tuple[int, int] | None, str]] = set()
    for f in flags:
        if f.code == "unsupported_claim" and f.span and explained.find(1, f.span[0], f.span[1]) != -1:
            continue
        key = (f.code, f.span, f.message)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return sorted(kept, key=lambda f: (f.span[0] if f.span else -1, _SEVERITY_ORDER[f.severity], f.code))


def has_blocking(flags: Iterable[Flag]) -> bool:
    """True when a high-severity flag stands: the draft cannot be approved as it is."""
    return any(f.severity == "high" for f in flags)


def check_text(
    text: str,
    *,
    sources: Iterable[SearchHit] = (),
    policy: Iterable[SearchHit] = (),
    guideline: Iterable[SearchHit] = (),
    disallowed: Iterable[SearchHit] = (),
    platform: str = "other",
    language: str | None = None,
    allow: Iterable[str] = (),
    as_comment: bool = False,
) -> list[Flag]:
    """Guards on any text, written by a person or a model, against the knowledge the caller passes
    (`POST /v1/check` and review retrieve it first: drafting.verify.verify_text).

    With `as_comment`, the text is also scanned for prompt injection, as an incoming comment would be.
    """
    ctx = GuardContext(
        sources=list(sources),
        policy=list(policy),
        guideline=list(guideline),
        disallowed=list(disallowed),
        platform=platform,
        language=language or guess_language(text),
        allow=list(allow),
    )
    flags = check_draft(text, ctx)
    return _tidy(flags + detect_injection(text)) if as_comment else flags
