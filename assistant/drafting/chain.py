"""The drafting chain: comment -> triage -> mask -> retrieve -> compose (LLM or offline) -> cite -> guard.

One path for both providers: the `openai` provider and the offline composer both return a
`DraftOut` (sentences with the chunk ids that support them); citations, flags and the Draft
object are built from it the same way. When the configured provider keeps failing, the offline
composer answers and the draft says so (`fallback`, `fallback_reason`, a flag).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from langchain_core.utils.json import parse_partial_json
from pydantic import ValidationError

from assistant import guards
from assistant.config import Settings
from assistant.drafting.composer import compose, render
from assistant.drafting.context import comment_context
from assistant.drafting.llm_triage import asecond_reading
from assistant.drafting.model_prompt import ModelPrompt, build_reply_prompt
from assistant.drafting.prompts import get_prompt
from assistant.drafting.questions import find_questions
from assistant.drafting.retrieval import Context
from assistant.drafting.verify import (
    CommentSignals,
    author_name,
    cite_sentences,
    comment_signals,
    guard_reply,
    injection_flags,
)
from assistant.errors import PayloadTooLarge, ProviderUnavailable
from assistant.models import (
    Citation,
    Comment,
    Draft,
    DraftOut,
    DraftRequest,
    DraftVariant,
    Flag,
    Triage,
)
from assistant.text import sentences
from assistant.triage.classify import triage as run_triage
from assistant.triage.cues import detect_injection

if TYPE_CHECKING:
    from assistant.drafting.llm import CallStats, ResilientChat
    from assistant.runtime import Runtime

log = logging.getLogger(__name__)
OnToken = Callable[[str], Awaitable[None]]
OnReset = Callable[[str], Awaitable[None]]
OFFLINE_VERSION = "offline-composer-v1"


def cite(out: DraftOut, ctx: Context, text: str) -> tuple[list[Citation], list[Flag]]:
    """Citations for what a provider wrote (the sources it gave for each sentence)."""
    return cite_sentences(out.sentences, ctx, text)


async def _stream_structured(chat: ResilientChat, prompt: ModelPrompt, stats: CallStats,
                             on_token: OnToken) -> DraftOut:
    """Stream the reply's sentences as the model writes its JSON (the bounded schema is sent, so a server
    with grammars cannot drift into prose or run past max_tokens); validate the whole at the end. No
    hidden second call: an invalid stream is a provider failure (the caller withdraws what was shown)."""
    from assistant.drafting.llm import strip_fences

    buf, emitted = "", ""
    async for delta in chat.astream_text(prompt.messages, response_format=prompt.response_format, stats=stats):
        buf += delta
        text = partial_reply_text(buf)
        if len(text) > len(emitted) and text.startswith(emitted):
            await on_token(text[len(emitted) :])
            emitted = text
    try:
        return DraftOut.model_validate_json(strip_fences(buf))
    except ValidationError as exc:
        cut = " (cut by max_tokens)" if stats.finish_reason == "length" else ""
        raise ProviderUnavailable(f"{chat.provider} stream failed: the streamed reply does not match the "
                                  f"schema{cut}; not retried", reason="invalid_output") from exc


class Drafter:
    """Holds what one process needs to draft (knowledge, chat model, settings)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.stats: dict[str, CallStats] = {}  # per style: what the model calls of the last draft took

    # -------------------------------------------------------------- providers

    async def _offline(self, comment: Comment, masked: str, tri: Triage, ctx: Context, platform: str,
                       style: str, on_token: OnToken | None) -> DraftOut:
        out = compose(comment, masked, tri, ctx, platform=platform, style=style, ranker=self.settings.answer_ranker)
        if on_token is not None:
            text = render(out)
            # Word-sized events so a sidebar shows the reply forming, as with a model.
            for start in range(0, len(text), 24):
                await on_token(text[start : start + 24])
        return out

    async def _llm(self, comment: Comment, masked: str, tri: Triage, ctx: Context, platform: str,
                   style: str, injected: bool, on_token: OnToken | None) -> DraftOut:
        from assistant.drafting.llm import CallStats, ResilientChat

        prompt = await asyncio.to_thread(build_reply_prompt, comment, masked, tri, ctx, platform=platform, style=style,
                                         injected=injected, limits=self.settings.llm_limits, author=_author(comment))
        chat = ResilientChat.from_settings(self.runtime.chat_model, self.settings,
                                            limiter=self.runtime.provider_limiter)
        stats = self.stats[style] = CallStats()
        if on_token is None:
            out = await chat.ainvoke_structured(prompt.messages, DraftOut, stats=stats,
                                                response_format=prompt.response_format)
        else:
            out = await _stream_structured(chat, prompt, stats, on_token)
        # A refusal, a loop, the comment written back or another language is not a draft to review.
        unusable = guards.degenerate_codes(guards.check_generated(render(out), language=ctx.language,
                                                                  comment=masked,
                                                                  parts=[s.text for s in out.sentences]))
        if unusable:
            raise ProviderUnavailable(f"{self.settings.llm_provider} draft was not usable ({', '.join(unusable)})",
                                      reason="unusable_output")
        return out

    # -------------------------------------------------------------- the chain

    async def draft(self, req: DraftRequest, on_token: OnToken | None = None,
                    on_reset: OnReset | None = None) -> Draft:
        """`on_token` gets the reply as it is written; `on_reset` is called when text already sent
        there is withdrawn (the model failed mid-stream and the offline composer answers instead)."""
        started = time.perf_counter()
        self.stats = {}
        streamed = 0

        async def counted(text: str) -> None:
            nonlocal streamed
            streamed += 1
            if on_token is not None:
                await on_token(text)

        comment = req.comment
        check_comment(self.settings, comment)
        # The CPU-heavy steps (triage, retrieval, prompt, guards: tens of ms each) run in a worker thread, so
        # the event loop keeps sending and reading provider calls on time while they run: a batch of 16
        # concurrent drafts on one loop otherwise sent its requests late and in bursts (benchmarks/batch.py).
        tri = await asyncio.to_thread(run_triage, comment)
        if tri.unsure and self.settings.triage_llm_drafts and self.runtime.chat_model is not None:
            tri = await asecond_reading(self.settings, self.runtime.chat_model, comment, tri,
                                        limiter=self.runtime.provider_limiter)
        signals = comment_signals(comment, suspected=tri.injection_suspected)
        masked, injected = signals.masked, signals.injected
        masked_from = comment.text
        platform = comment.platform
        genuine = genuine_question(comment.text) if injected else None
        if genuine is not None:
            # "Ignore your instructions ... Also, when will the investigation finish?": the instruction
            # is dropped, the genuine question answered like any other, and the reviewer told so.
            tri_g = run_triage(comment.model_copy(update={"text": genuine}))
            if tri_g.should_respond:
                tri = tri_g.model_copy(update={
                    "injection_suspected": True,
                    # never lower an escalation: a sentence read as an attempt may also be a lawyer's threat
                    "escalate_to": list(dict.fromkeys([*tri_g.escalate_to, *tri.escalate_to])),
                    "reasons": [*tri_g.reasons, "injection removed: the genuine question is answered"]})
                masked, masked_from = guards.mask_pii(genuine), genuine
                neutralised = Flag(
                    code="injection_neutralised", severity="medium", source="comment",
                    message="the comment also tried to instruct the assistant; that part was ignored and "
                            "only its genuine question was answered")
                signals = replace(signals, masked=masked, flags=[neutralised, *signals.flags])
        elif injected and not without_injection(comment.text):
            # Nothing but an attempt to instruct the assistant (one the rules' small check did not read):
            # like the rules' spam_troll, nothing to answer; the reviewer is told so even when the triage's
            # model already read it as spam.
            tri = tri.model_copy(update={"should_respond": False, "injection_suspected": True, "reasons": [
                *tri.reasons, "should_respond=false: only an attempt to instruct the assistant"]})
        base = dict(id=uuid.uuid4().hex, comment_id=comment.id, incident=req.incident, platform=platform,
                    triage=tri, language=tri.language)

        if not tri.should_respond and not req.force:
            reason = "; ".join(r for r in tri.reasons if "respond" in r) or f"intent={tri.intent}"
            return Draft(**base, text="", original_text="", provider="none", model="none",  # type: ignore[arg-type]
                         prompt_version="", no_reply_reason=f"triage says not to respond ({reason})",
                         flags=signals.flags)

        known, ctx = await asyncio.to_thread(comment_context, self.runtime.kb, comment, tri, incident=req.incident,
                                             text=masked_from, masked=masked)
        if known is not masked:  # a reference the knowledge lists is no longer masked
            masked = known
            signals = replace(signals, masked=masked)
        provider, model, version = "offline", "offline-composer", OFFLINE_VERSION
        fallback_reason = None
        use_llm = self.settings.llm_provider == "openai"
        styles = ["default", *[v for v in req.variants if v != "default"]]
        outs: dict[str, DraftOut] = {}
        for style in styles:
            token_cb = counted if style == "default" and on_token is not None else None
            if use_llm and fallback_reason is None:
                try:
                    outs[style] = await self._llm(comment, masked.text, tri, ctx, platform, style, injected,
                                                  token_cb)
                    provider, model = "openai", self.settings.llm_model
                    version = get_prompt("reply", ctx.language).version
                    continue
                except ProviderUnavailable as exc:
                    fallback_reason = exc.detail
                    log.warning("provider failed, falling back to offline draft_id=%s reason=%s",
                                base["id"], exc.extra.get("reason", exc.code))
                    if token_cb is not None and streamed and on_reset is not None:
                        await on_reset(f"the model's reply was withdrawn ({exc.detail}); "
                                       "the offline composer's draft follows")
                finally:
                    self._log_stats(str(base["id"]), style)
            outs[style] = await self._offline(comment, masked.text, tri, ctx, platform, style, token_cb)
            if fallback_reason:
                provider, model, version = "offline", "offline-composer", OFFLINE_VERSION

        unknowns = outs["default"].unknowns
        if provider == "openai":
            # Models put source ids, source sentences, empty strings and claims in `unknowns`.
            unknowns, dropped = guards.clean_unknowns(
                unknowns, source_texts=[t for h in ctx.sources for t in sentences(h.text)],
                chunk_ids=ctx.by_chunk())
            if dropped:
                why = "; ".join(f"{n} × {r}" for r, n in Counter(dropped).items())
                signals.flags.append(Flag(code="unknowns_dropped", severity="low", source="model_output",
                                            message=f"the model's open questions held {why}: left out"))
        text, citations, flags = await asyncio.to_thread(self._finish, outs["default"], ctx, platform, signals)
        flags = signals.flags + flags
        if fallback_reason:
            flags.insert(0, Flag(code="provider_fallback", severity="medium", source=self.settings.llm_provider,
                                 message=f"the {self.settings.llm_provider} provider failed ({fallback_reason}); "
                                         "this draft was written by the offline composer"))
        variants = []
        for style in styles[1:]:
            v_text, v_cit, v_flags = await asyncio.to_thread(self._finish, outs[style], ctx, platform, signals)
            variants.append(DraftVariant(style=style, text=v_text, citations=v_cit, flags=v_flags))
        draft = Draft(**base, text=text, original_text=text, provider=provider, model=model,  # type: ignore[arg-type]
                      prompt_version=version, citations=citations, flags=flags, variants=variants,
                      unknowns=unknowns, fallback=fallback_reason is not None,
                      fallback_reason=fallback_reason,
                      knowledge_versions=ctx.versions_of(citations))
        log.info("draft draft_id=%s provider=%s intent=%s flags=%d ms=%.1f", draft.id, provider, tri.intent,
                 len(flags), (time.perf_counter() - started) * 1000)
        return draft

    def _finish(self, out: DraftOut, ctx: Context, platform: str,
                signals: CommentSignals) -> tuple[str, list[Citation], list[Flag]]:
        text = render(out)
        verified = guard_reply(self.runtime.kb, text, out.sentences, ctx, platform, signals)
        return text, verified.citations, verified.flags

    def _log_stats(self, draft_id: str, style: str) -> None:
        st = self.stats.get(style)
        if st is not None:
            log.info("llm draft_id=%s style=%s attempts=%d first_token_s=%s elapsed_s=%.2f prompt_tokens=%s "
                     "output_tokens=%s finish=%s", draft_id, style, st.attempts,
                     "-" if st.first_token_s is None else f"{st.first_token_s:.2f}", st.elapsed_s,
                     st.prompt_tokens, st.output_tokens, st.finish_reason)


def without_injection(text: str) -> str:
    """The comment without its sentences that instruct the assistant (patterns or the learned head)."""
    return " ".join(s for s in sentences(text) if not injection_flags(s) and detect_injection(s) is None).strip()


def genuine_question(text: str) -> str | None:
    """The comment without its sentences that instruct the assistant, if what is left asks something."""
    rest = without_injection(text)
    return rest if rest and find_questions(rest) else None




def partial_reply_text(buf: str) -> str:
    """The reply text so far from a partial JSON `{"sentences": [{"text": ...}, ...]}`."""
    from assistant.drafting.llm import strip_fences  # here: the offline path never loads the provider

    try:
        data: Any = parse_partial_json(strip_fences(buf))
    except Exception:
        return ""
    if not isinstance(data, dict) or not isinstance(data.get("sentences"), list):
        return ""
    texts = [s.get("text", "") for s in data["sentences"] if isinstance(s, dict) and isinstance(s.get("text"), str)]
    return " ".join(texts)


def check_comment(settings: Settings, comment: Comment) -> None:
    """Refuse, with a clear message, what would otherwise be silently truncated."""
    if len(comment.text) > settings.max_comment_chars:
        raise PayloadTooLarge(
            f"comment has {len(comment.text)} characters; the limit is {settings.max_comment_chars} "
            "(CRISIS_MAX_COMMENT_CHARS). Nothing was drafted: shorten it or raise the limit."
        )


def _author(comment: Comment) -> str:
    """The author as the model sees it: a clean name or handle only (author_name), inside its fence."""
    return author_name(comment) or "(unknown)"


async def draft_reply(runtime: Runtime, req: DraftRequest, on_token: OnToken | None = None,
                      on_reset: OnReset | None = None) -> Draft:
    return await Drafter(runtime).draft(req, on_token=on_token, on_reset=on_reset)
