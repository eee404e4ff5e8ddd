"""The LLM triage pass: a chat model reads again the comments the fast triage is unsure about.

Only when a chat model is configured (`llm_provider=openai`) and `triage_llm` is on (for POST
/v1/triage; drafts only with `triage_llm_drafts`, one more call per unsure comment); offline triage
(rules + learned layer) stays the default and the floor. The call goes through ResilientChat
(retries, budget, json_schema structured output with one repair), with the comment masked and fenced
as data. The model's reading may change the intent and add teams; it never removes a team the fast
layer raised, never turns a reply off. Any failure (provider down, timeout, output still invalid
after the repair) keeps the fast reading, with a reason saying so.
Imports: core, triage, guards, drafting.llm and drafting.prompts.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field

from assistant.config import Settings
from assistant.errors import ProviderUnavailable
from assistant.guards import mask_pii
from assistant.models import Comment, EscalationTarget, Intent, Triage
from assistant.triage.classify import reread

log = logging.getLogger(__name__)
PROVIDER = "rules+model+llm"
Team = Literal["safety", "legal", "press", "support"]


class TriageReading(BaseModel):
    """What the chat model must answer (json_schema structured output)."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    escalate_to: list[Team] = Field(default_factory=list, max_length=4)
    reason: str = Field(max_length=300)


def wanted(settings: Settings, chat_model: Any, fast: Triage) -> bool:
    """Whether this comment gets the pass: a chat model, the setting on, and a fast layer unsure of it."""
    return chat_model is not None and settings.triage_llm and bool(fast.unsure)


def messages(comment: Comment, fast: Triage) -> list[BaseMessage]:
    from assistant.drafting.prompts import get_prompt

    system, user = get_prompt("triage", "en").render(
        platform=comment.platform, intent=fast.intent, teams=", ".join(fast.escalate_to) or "none",
        unsure="; ".join(fast.unsure), comment=mask_pii(comment.text).text.replace("</comment>", "</ comment>"))
    return [SystemMessage(content=system), HumanMessage(content=user)]


def merge(comment: Comment, fast: Triage, reading: TriageReading) -> Triage:
    """The fast result after the model's reading: its intent, teams added, none removed."""
    high: dict[str, EscalationTarget] = {"safety": "safety", "threat_legal": "legal", "press": "press"}
    # A safety, legal or press intent names its team even when the model leaves the list empty.
    teams = [*reading.escalate_to, *([high[reading.intent]] if reading.intent in high else [])]
    added: list[EscalationTarget] = list(dict.fromkeys(t for t in teams if t not in fast.escalate_to))
    # An order to the assistant stays spam whatever the model says about it.
    intent: Intent = fast.intent if fast.injection_suspected and fast.intent == "spam_troll" else reading.intent
    # A safety, legal or press intent the fast layer escalated is not lowered to a milder one.
    if fast.intent in high and high[fast.intent] in fast.escalate_to:
        intent = fast.intent
    why = reading.reason.strip() or "no reason given"
    reasons = [f"llm: the fast layer was unsure ({'; '.join(fast.unsure)}); the chat model reads {reading.intent}"
               f" ({why})"]
    if intent != fast.intent:
        reasons.append(f"intent={intent}: decided by the chat model; the fast layer said {fast.intent}")
    reasons += [f"escalate_to={t}: the chat model reads a {t} case ({why})" for t in added]
    return reread(comment, fast, intent=intent, add=added, reasons=reasons, provider=PROVIDER)


def _kept(fast: Triage, exc: ProviderUnavailable) -> Triage:
    reason = exc.extra.get("reason", "error")
    log.warning("llm triage pass failed reason=%s; the fast reading stands", reason)
    return fast.model_copy(update={"reasons": [
        *fast.reasons, f"llm: the second reading failed ({reason}); the fast reading stands"]})


def second_reading(settings: Settings, chat_model: Any, comment: Comment, fast: Triage) -> Triage:
    """`fast` read again by the chat model when `wanted`; the fast result (with a reason) on any failure."""
    from assistant.drafting.llm import ResilientChat

    if not wanted(settings, chat_model, fast):
        return fast
    try:
        chat = ResilientChat.from_settings(chat_model, settings)
        reading = chat.invoke_structured(messages(comment, fast), TriageReading)
    except ProviderUnavailable as exc:  # down, timed out, or still invalid after the repair
        return _kept(fast, exc)
    return merge(comment, fast, reading)


async def asecond_reading(settings: Settings, chat_model: Any, comment: Comment, fast: Triage,
                          limiter: Any = None) -> Triage:
    """Async twin of `second_reading` (the drafting chain)."""
    from assistant.drafting.llm import ResilientChat

    if not wanted(settings, chat_model, fast):
        return fast
    try:
        chat = ResilientChat.from_settings(chat_model, settings, limiter=limiter)
        reading = await chat.ainvoke_structured(messages(comment, fast), TriageReading)
    except ProviderUnavailable as exc:
        return _kept(fast, exc)
    return merge(comment, fast, reading)
