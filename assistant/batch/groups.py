"""Groups of near-duplicates: one core answer, personalised per author, each member guarded alone.

The core is drafted once (one provider call) for the group's first comment with the author taken
out; each member's draft is that core behind the member's own greeting, plus the member's own
detail (a batch number, a date) when the core's comment did not mention it, and then goes through
the same citations and guards as any draft (BatchDrafter runs the ordinary chain with the core
in place of the provider). A member whose personalisation raises a flag the core did not have,
or any high flag, is held back for individual review; so is a member whose own answer from the
knowledge contradicts the core's (runner._core_check, answer_keys.disagreement), drafted alone.

Imports: core, text, triage, guards, drafting.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.drafting.chain import Drafter, OnToken
from assistant.drafting.composer import render
from assistant.drafting.phrases import phrase
from assistant.drafting.retrieval import Context
from assistant.models import Comment, Draft, DraftOut, DraftSentence, SearchHit, Triage
from assistant.text import fold, sentences

if TYPE_CHECKING:
    from assistant.runtime import Runtime

_GREETING = re.compile(r"^(hi|hello|hey|dear|bonjour|bonsoir|salut|cher|chère)\b[^.!?]{0,60},$", re.IGNORECASE)
# A detail worth echoing: an identifier with a digit (batch L4821, order 55-1203, 03/2027).
_DETAIL = re.compile(r"\b(?=[\w/-]*\d)[A-Za-z]{0,4}[\d][\w/-]{2,}\b")
_MENTIONED = {"en": "You mentioned {detail}.", "fr": "Vous mentionnez {detail}."}
HOLD_SEVERITIES = ("medium", "high")


def display_name(comment: Comment) -> str | None:
    """How a reply greets the author (handles on handle-first platforms, else the first name)."""
    if comment.platform in ("x", "tiktok", "instagram") and comment.author_handle:
        return "@" + comment.author_handle.lstrip("@")
    if comment.author:
        return comment.author.split()[0]
    if comment.author_handle:
        return "@" + comment.author_handle.lstrip("@")
    return None


def anonymous(comment: Comment) -> Comment:
    """The comment a core answer is drafted for: no author, so the core greets nobody in particular."""
    return comment.model_copy(update={"author": None, "author_handle": None, "followers": None})


def body(out: DraftOut) -> list[DraftSentence]:
    """The core's sentences without its greeting."""
    first = out.sentences[0].text.strip() if out.sentences else ""
    if _GREETING.match(first) and not out.sentences[0].sources:
        return list(out.sentences[1:])
    return list(out.sentences)


def details(text: str, known: str) -> list[str]:
    """The member's identifiers that the core's comment did not have (folded comparison)."""
    have = fold(known)
    found = [m.group(0) for m in _DETAIL.finditer(text)]
    return list(dict.fromkeys(d for d in found if fold(d) not in have))[:3]


def personalise(core: dict[str, Any], comment: Comment) -> DraftOut:
    out = DraftOut.model_validate(core["out"])
    language = "fr" if core.get("language") == "fr" else "en"
    name = display_name(comment)
    greeting = phrase(language, "greet", name=name) if name else phrase(language, "greet_anon")
    parts = [DraftSentence(text=greeting)]
    own = details(comment.text, core.get("comment", ""))
    if own:
        parts.append(DraftSentence(text=_MENTIONED[language].format(detail=", ".join(own))))
    return DraftOut(sentences=[*parts, *body(out)][:30], unknowns=out.unknowns)


def core_from_text(text: str, previous: dict[str, Any]) -> dict[str, Any]:
    """A reviewer's edited core: its sentences keep the sources of identical sentences of the old core."""
    old = {s.text.strip(): s.sources for s in DraftOut.model_validate(previous["out"]).sentences}
    new = [DraftSentence(text=t.strip()[:2000], sources=old.get(t.strip(), [])) for t in sentences(text)
           if t.strip()][:30]
    if not new:
        new = [DraftSentence(text=text.strip()[:2000])]
    return previous | {"out": DraftOut(sentences=new, unknowns=[]).model_dump()}


def core_text(out: DraftOut) -> str:
    return render(DraftOut(sentences=body(out) or out.sentences, unknowns=out.unknowns))


def hold_reason(draft: Draft, core_flags: list[str]) -> str | None:
    """Why a member's draft needs individual review, or None."""
    high = [f.code for f in draft.flags if f.severity == "high"]
    new = [f.code for f in draft.flags if f.severity in HOLD_SEVERITIES and f.code not in core_flags]
    codes = list(dict.fromkeys([*high, *new]))
    if not codes:
        return None
    return "held for individual review: " + ", ".join(codes)


class BatchDrafter(Drafter):
    """The ordinary chain, with two batch hooks: it keeps the provider's answer (to store a group's
    core), or it answers with a personalised core instead of calling the provider."""

    def __init__(self, runtime: Runtime, core: dict[str, Any] | None = None) -> None:
        super().__init__(runtime)
        self.core = core
        self.captured: DraftOut | None = None
        self.context: Context | None = None

    def _from_core(self, comment: Comment, ctx: Context) -> DraftOut:
        assert self.core is not None
        # The core's sources are citable for every member, even where the member's own retrieval ranked
        # them lower: the guards then check the member's text against them like any citation.
        known = {h.chunk_id for h in ctx.sources}
        ctx.sources += [SearchHit.model_validate(h) for h in self.core.get("sources", [])
                        if h["chunk_id"] not in known]
        return personalise(self.core, comment)

    async def _offline(self, comment: Comment, masked: str, tri: Triage, ctx: Context, platform: str,
                       style: str, on_token: OnToken | None) -> DraftOut:
        if self.core is not None:
            return self._from_core(comment, ctx)
        out = await super()._offline(comment, masked, tri, ctx, platform, style, on_token)
        self.captured, self.context = out, ctx
        return out

    async def _llm(self, comment: Comment, masked: str, tri: Triage, ctx: Context, platform: str,
                   style: str, injected: bool, on_token: OnToken | None) -> DraftOut:
        if self.core is not None:
            return self._from_core(comment, ctx)
        out = await super()._llm(comment, masked, tri, ctx, platform, style, injected, on_token)
        self.captured, self.context = out, ctx
        return out

    def core_record(self, draft: Draft, comment: Comment) -> dict[str, Any]:
        """What a group stores of its core: the provider's answer, the sources it cites, the versions."""
        assert self.captured is not None and self.context is not None
        cited = {c.chunk_id for c in draft.citations}
        sources = [h.model_dump(mode="json") for h in self.context.sources if h.chunk_id in cited]
        return {"out": self.captured.model_dump(mode="json"), "language": draft.language, "sources": sources,
                "versions": draft.knowledge_versions, "comment": comment.text[:2000],
                "flags": sorted({f.code for f in draft.flags if f.severity in HOLD_SEVERITIES}),
                "provider": draft.provider, "model": draft.model, "prompt_version": draft.prompt_version}
