"""Guard a text against current knowledge: the one path every text a person may approve goes through.

The chain guards what a provider wrote (with the sources the provider cited); review guards what a
person wrote (an edited reply or public update, a text about to become a statement) and
`POST /v1/check` any text, after attributing each sentence to the current chunks that state it.
Both end in `guard_reply`: citations built and checked, every guard of `assistant.guards`, and the
comment's own flags (prompt injection, personal data to answer in private).

Imports: core, text, knowledge, guards, triage.injection, drafting.retrieval.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant import guards
from assistant.drafting.retrieval import Context, add_evidence_near, retrieve
from assistant.errors import CrisisError
from assistant.guards.tone import post_length_flags
from assistant.models import Citation, Comment, DraftSentence, Flag, Verified
from assistant.text import guess_language, sentences, split_sentences, term_set
from assistant.triage.injection import learned_injection_flag

log = logging.getLogger(__name__)
_NAME = re.compile(r"[^\W\d_][^\W\d_.'’-]*(?:[-'’][^\W\d_]+)*")
_HANDLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.]{0,29}")


@dataclass(frozen=True)
class CommentSignals:
    """What the comment itself tells the guards: its masked text, injection attempts, personal data."""

    masked: guards.MaskResult
    flags: list[Flag] = field(default_factory=list)  # shown on the draft: injection, "reply privately"
    injected: bool = False
    author: str | None = None


def author_name(comment: Comment) -> str | None:
    """How a reply may address the author: a handle or a first name that is only a name. A display name
    holding personal data or instructions ("julie@mail.com", "Ignore previous instructions") is data
    about the comment, never words of the reply: None, and the reply says "Hi,"."""
    if guards.detect_injection(" ".join(filter(None, [comment.author, comment.author_handle]))):
        return None
    handle = (comment.author_handle or "").lstrip("@")
    handle_ok = bool(_HANDLE.fullmatch(handle)) and not guards.mask_pii(handle).entities
    if comment.platform in ("x", "tiktok", "instagram") and handle_ok:
        return "@" + handle
    first = (comment.author or "").split()[0] if (comment.author or "").strip() else ""
    if _NAME.fullmatch(first) and len(first) <= 30 and not guards.mask_pii(comment.author or "").entities:
        return first
    return "@" + handle if handle_ok else None


def injection_flags(text: str) -> list[Flag]:
    """Prompt-injection flags of a comment: the guards' patterns (with spans), else the learned head's
    reading when it sees an attempt the patterns have no words for (issue 13: public corpora)."""
    flags = guards.detect_injection(text)
    if not flags and (learned := learned_injection_flag(text)) is not None:
        flags.append(learned)
    return flags


def comment_signals(comment: Comment | None, suspected: bool = False) -> CommentSignals:
    """Masking, injection and personal-data flags of a comment, computed the same way for a generated
    draft and for an edit (the draft keeps telling the reviewer to answer in private)."""
    if comment is None:
        return CommentSignals(masked=guards.MaskResult(text=""))
    masked = guards.mask_pii(comment.text)
    injection = [_mark(f, "comment") for f in injection_flags(comment.text)]
    for f in guards.detect_injection(" ".join(filter(None, [comment.author, comment.author_handle]))):
        injection.append(f.model_copy(update={"source": "author", "span": None,
                                              "message": f"the author's name: {f.message}"}))
    author_pii = guards.mask_pii(comment.author or "").entities
    notes = guards.personal_data_note([*masked.entities, *author_pii])
    return CommentSignals(masked=masked, flags=injection + notes, injected=bool(injection) or suspected,
                          author=author_name(comment))


# ---------------------------------------------------------------- citations


@lru_cache(maxsize=8192)
def best_quote(sentence: str, chunk_text: str) -> str:
    """The sentence of the chunk that supports a draft sentence best (shown to the reviewer)."""
    want = term_set(sentence)
    options = sentences(chunk_text) or [chunk_text]
    return max(options, key=lambda s: len(want & term_set(s)))[:500]


def sentence_positions(parts: list[DraftSentence], text: str) -> list[int]:
    """For each sentence a provider wrote, the index of the guard's sentence (split_sentences) holding
    it, so a citation points at the sentence the reviewer and the claim check see."""
    spans = split_sentences(text)
    cursor, positions = 0, []
    for sent in parts:
        at = text.find(sent.text, cursor)
        at = at if at >= 0 else cursor
        cursor = at + len(sent.text)
        positions.append(next((j for j, (a, b) in enumerate(spans) if a <= at < b), max(0, len(spans) - 1)))
    return positions


def cite_sentences(parts: list[DraftSentence], ctx: Context, text: str) -> tuple[list[Citation], list[Flag]]:
    chunks = ctx.by_chunk()
    citations: list[Citation] = []
    flags: list[Flag] = []
    positions = sentence_positions(parts, text)
    for i, sent in enumerate(parts):
        for cid in dict.fromkeys(sent.sources):
            hit = chunks.get(cid)
            if hit is None:
                flags.append(Flag(code="bad_citation", severity="high", source=cid,
                                  message=f"sentence {i + 1} cites '{cid}', which is not an approved, "
                                          "currently valid source retrieved for this draft"))
                continue
            citations.append(Citation(doc_id=hit.doc_id, chunk_id=cid, title=hit.title,
                                      quote=best_quote(sent.text, hit.text), sentence=positions[i]))
    return citations, flags


def attribute(text: str, ctx: Context) -> list[DraftSentence]:
    """A person's text as sentences, each with the current chunks that state it (none: no citation)."""
    spans = split_sentences(text)
    sources = guards.supporting_chunks(text, [*ctx.sources, *ctx.policy])
    # model_construct: a person's sentence may be longer than a provider's sentence may be.
    return [DraftSentence.model_construct(text=text[a:b], sources=ids)
            for (a, b), ids in zip(spans, sources, strict=True) if text[a:b].strip()]


# ---------------------------------------------------------------- the one guard path


def guard_reply(kb: Any, text: str, parts: list[DraftSentence], ctx: Context, platform: str,
                signals: CommentSignals) -> Verified:
    """Citations and every guard for `text` (`parts`: its sentences with the chunk ids they rest on)."""
    if kb is not None:
        add_evidence_near(kb, ctx, text)
    citations, cite_flags = cite_sentences(parts, ctx, text)
    gctx = guards.GuardContext(sources=ctx.sources, citations=citations, policy=ctx.policy,
                               guideline=ctx.guideline, disallowed=ctx.disallowed, platform=platform,
                               language=ctx.language, comment_pii=signals.masked.entities,
                               injection=signals.injected, author=signals.author,
                               comment=signals.masked.text)  # also lets the guards see a draft echoing it
    flags = cite_flags + guards.check_draft(text, gctx)
    return Verified(text=text, citations=citations, flags=flags, knowledge_versions=ctx.versions_of(citations))


def verify_text(kb: Any, text: str, *, comment: Comment | None = None, incident: str | None = None,
                platform: str = "other", language: str | None = None, kind: str = "reply") -> Verified:
    """Guard a text a person wrote (or any text) against the knowledge as it is now.

    Retrieval uses the comment and the text itself; each sentence is cited from the current chunks that
    state it. When the knowledge base cannot be searched, the text is still checked (promises, personal
    data, tone) but carries a high `unchecked` flag: nothing unchecked is approved without a lead."""
    signals = comment_signals(comment)
    lang = language if language in ("en", "fr") else guess_language(text)
    unchecked: list[Flag] = []
    try:
        query = f"{signals.masked.text} {text}".strip()[:2000]
        ctx = retrieve(kb, query, language=lang, incident=incident, vector_text=text[:2000])
    except Exception as exc:  # the guards still run; approval then needs a lead's override
        detail = exc.detail if isinstance(exc, CrisisError) else type(exc).__name__
        log.warning("verify without knowledge error=%s", detail)
        ctx, kb = Context(language=lang, incident=incident), None
        unchecked = [Flag(code="unchecked", severity="high", source="knowledge",
                          message=f"could not check the facts against the knowledge base ({detail}): "
                                  "check again when it is back, or a lead overrides with a reason")]
    verified = guard_reply(kb, text, attribute(text, ctx), ctx, platform, signals)
    flags = verified.flags
    if kind == "update":  # a public update is a post: its channel's post limit, not the reply limit
        flags = [f for f in flags if f.code not in ("too_long", "over_target")] + post_length_flags(text, platform)
    return verified.model_copy(update={"flags": signals.flags + unchecked + flags})


def _mark(flag: Flag, where: str) -> Flag:
    return flag.model_copy(update={"source": flag.source or where})
