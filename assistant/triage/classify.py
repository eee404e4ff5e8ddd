"""Triage: language, sentiment, intent, severity, escalation, priority, with reasons.

Rules first (works on day one, offline, under a millisecond per comment once the language model is
loaded), then the learned layer when a model is shipped (learned.py), combined here: the model decides
intent unless the rules read a safety, legal or press case it does not rule out; a rule escalation it
confidently rules out becomes a note (unmistakable safety never does); it adds teams the rules missed,
each above its own threshold (chosen by leave-one-crisis-out, training.py). Every decision adds a
sentence to `Triage.reasons` naming the rule or the model that fired and why, so a community manager can
see (and dispute) why a comment was routed; `Triage.unsure` says why the reading may be wrong (those
comments get the LLM pass when a chat model is configured, drafting/llm_triage.py).

Intents are not exclusive: a parent whose child ate the product and who mentions a lawyer is both
`safety` and `threat_legal`. `Triage.intent` is the one that drives handling (by INTENT_ORDER);
`Triage.intents` keeps every match, and escalation uses all of them.

This module reads top to bottom as one decision (sentiment -> intents -> model -> severity -> escalation
-> priority). Its parts: cues.py (normalised text, the compiled cue patterns), sentiment.py, rules.py
(the rules' intents), combine.py (how the model's reading and the rules' combine); the word tables live
in lexicon.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from assistant.models import Comment, EscalationTarget, Intent, Sentiment, Severity, Triage
from assistant.text.language import detect_language
from assistant.triage import lexicon as lex
from assistant.triage.combine import (
    journalist_reach,
    lowered_by_model,
    model_escalations,
    model_intent,
    model_vetoes,
    one_owner,
    support_case,
    unsure_reasons,
)
from assistant.triage.cues import COMMUNITY, INJECTION, MENTION, SEVERE, TOKEN, URL, WORDISH, normalize
from assistant.triage.injection import learned_injection_flag
from assistant.triage.learned import TriageModel, load_model
from assistant.triage.rules import RuleMatches, pure_insult, rule_intents
from assistant.triage.sentiment import read_sentiment

INTENT_ORDER: tuple[Intent, ...] = (
    "safety", "threat_legal", "press", "rumour", "complaint", "question", "praise", "spam_troll", "other",
)
INFLUENCER_FOLLOWERS = 50_000
VERIFIED_INFLUENCER_FOLLOWERS = 10_000


# ---------------------------------------------------------------- triage


_SEVERITY_POINTS: dict[Severity, float] = {"low": 10, "medium": 35, "high": 60, "critical": 80}
_SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
_BASE_SEVERITY: dict[Intent, Severity] = {
    "safety": "high", "threat_legal": "high", "press": "high", "rumour": "medium", "complaint": "medium",
    "question": "low", "praise": "low", "spam_troll": "low", "other": "low",
}
# Reach: how far a public reply (or the lack of one) travels on each platform.
_PLATFORM_REACH: dict[str, float] = {
    "x": 1.2, "tiktok": 1.2, "instagram": 1.0, "facebook": 1.0, "youtube": 1.0, "linkedin": 0.9,
    "website": 0.6, "email": 0.5, "other": 0.8,
}
_ESCALATION_REASON: dict[str, str] = {
    "safety": "escalate_to=safety: {why}",
    "threat_legal": "escalate_to=legal: legal threat ({why})",
    "press": "escalate_to=press: media request ({why})",
}
_ESCALATION_TARGET: dict[str, EscalationTarget] = {
    "safety": "safety", "threat_legal": "legal", "press": "press",
}


def is_influencer(comment: Comment) -> bool:
    followers = comment.followers or 0
    return followers >= INFLUENCER_FOLLOWERS or (comment.verified and followers >= VERIFIED_INFLUENCER_FOLLOWERS)


_SHIPPED = object()


def triage(
    comment: Comment, *, known_languages: Sequence[str] = ("en", "fr"), now: datetime | None = None,
    model: TriageModel | object | None = _SHIPPED,
) -> Triage:
    """Classify one comment; `now` (default: the current time) is only used for the comment's age.

    `model`: the learned layer (default: the one shipped in the package, when present); None for the
    rules alone.
    """
    learned = load_model() if model is _SHIPPED else model
    if learned is not None and not isinstance(learned, TriageModel):
        raise TypeError(f"model must be a TriageModel or None, not {type(learned).__name__}")
    raw = comment.text
    norm = normalize(raw)
    reasons: list[str] = []

    if comment.language:
        language, lang_conf = comment.language.lower(), 1.0
        reasons.append(f"language={language}: given with the comment")
    else:
        tokens = [w.strip("'") for w in TOKEN.findall(norm)]
        language, lang_conf, why = detect_language(MENTION.sub(" ", URL.sub(" ", raw)), known_languages,
                                                   words=tokens)
        reasons.append(why)

    senti = read_sentiment(raw, norm)
    found = rule_intents(raw, norm, senti)
    ordered = [i for i in INTENT_ORDER if i in found.hits] or ["other"]
    intent: Intent = ordered[0]
    rest = sorted(ordered[1:], key=lambda i: (-len(found.hits[i]), INTENT_ORDER.index(i)))
    intents = [intent, *rest]
    if intent == "other":
        community = COMMUNITY.search(norm)
        reasons.append("intent=other: " + (f"talks to other people ('{community.group(0)}')" if community
                                            else "no rule matched"))
    else:
        reasons.append(f"intent={intent}: {'; '.join(found.hits[intent][:3])}")
    for other in rest:
        reasons.append(f"also {other}: {found.hits[other][0]}")
    reasons.extend(found.notes)
    verdict = learned.verdict(raw) if learned is not None else None
    vetoes = model_vetoes(norm, found, verdict) if verdict is not None else {}
    lowered = lowered_by_model(found, verdict)
    rules_intent = intent
    if verdict is not None:
        intent = model_intent(intent, verdict, norm, lowered, reasons, vetoes)
        if intent != rules_intent or lowered:
            intents = [intent, *(i for i in intents if i not in (intent, "other", *lowered))]

    # An intent colours the tone a bare lexicon misses ("my son ate it, what do I do?").
    prior = {"complaint": -0.35, "threat_legal": -0.4, "safety": -0.3, "rumour": -0.3, "praise": 0.35}
    if intent == "rumour" and "?" in raw:
        prior["rumour"] = -0.1  # asking whether a claim is true is not asserting it
    score = max(-1.0, min(1.0, senti.score + prior.get(intent, 0.0) * (1 - abs(senti.score))))
    sentiment: Sentiment = "negative" if score <= -0.25 else "positive" if score >= 0.25 else "neutral"
    if intent == "spam_troll" and not pure_insult(norm):
        sentiment, score = "neutral", 0.0
    cues = ", ".join(dict.fromkeys(senti.words)) or "no sentiment words"
    reasons.append(f"sentiment={sentiment} ({score:+.2f}): {cues}" + (
        f"; sarcasm '{senti.sarcasm}'" if senti.sarcasm else ""))

    influencer = is_influencer(comment)
    escalate: list[EscalationTarget] = []
    overruled: dict[Intent, str] = {}
    for name in ("safety", "threat_legal", "press"):
        if name in lowered:
            target = _ESCALATION_TARGET[name]
            reasons.append(f"note: a rule read {target} ({found.hits[name][0]}) but {lowered[name]}; not escalated, "
                           "worth a glance")
            overruled[name] = found.hits.pop(name)[0]  # nor does it raise the severity
        elif name in found.hits:
            escalate.append(_ESCALATION_TARGET[name])
            reasons.append(_ESCALATION_REASON[name].format(why=found.hits[name][0]))
    if influencer:
        escalate.append("comms_lead")
        reasons.append(f"escalate_to=comms_lead: influencer ({comment.followers:,} followers"
                       + (", verified)" if comment.verified else ")"))
    support = support_case(norm, intent, rules_intent, reasons)
    if support:
        escalate.append("support")
        reasons.append(f"escalate_to=support: {support[0]}")
    if verdict is not None:
        model_escalations(intent, verdict, escalate, reasons, vetoes, rules_intent, norm)
    journalist_reach(escalate, reasons, journalist=("press" in found.hits and "press" not in lowered) or
                     intent == "press", followers=comment.followers, limit=INFLUENCER_FOLLOWERS)
    one_owner(escalate, reasons)

    severity = _severity(intent, found, norm, influencer, score, support, reasons)

    insult = pure_insult(norm)
    # An unclassified comment is more often a phrasing the rules miss than nothing to answer: only
    # chatter between users and very short remarks are left without a reply.
    chatter = intent == "other" and (bool(COMMUNITY.search(norm)) or len(WORDISH.findall(norm)) <= 6)
    # "Has anyone been hurt?" read as chatter at 0.39: an unsure model does not leave unanswered what the
    # rules would answer (its intent stands, the reply too).
    silence_min = SILENCE_MIN_WH if rules_intent == "question" and _WH_QUESTION.search(norm) \
        and len(WORDISH.findall(norm)) >= 4 else SILENCE_MIN
    unsure_silence = (intent != rules_intent and intent in _SILENT and rules_intent not in _SILENT
                      and verdict is not None and verdict.intents.get(intent, 0.0) < silence_min)
    if intent != rules_intent:  # the model decided: its intent alone says whether there is something to answer
        insult, chatter = None, intent == "other" and not unsure_silence
    should_respond = (intent != "spam_troll" or unsure_silence) and not insult and not chatter
    if unsure_silence:
        reasons.append(f"should_respond=true: the model reads {intent} only at {verdict.intents[intent]:.2f} "  # type: ignore[union-attr]
                       f"and the rules read {rules_intent}: a person should answer")
    elif not should_respond:
        why = ("a pure insult" if insult else "spam or trolling" if intent == "spam_troll"
               else "chatter between users or a remark with nothing to answer")
        reasons.append(f"should_respond=false: {why}")
    elif intent == "other":
        reasons.append("should_respond=true: no rule matched, a person should read it")

    injection = INJECTION.search(norm)
    if injection:
        reasons.append(f"injection_suspected: '{injection.group(0)}' (small triage check; guards run the full one)")

    priority = _priority(comment, severity, escalate, should_respond, now, reasons)
    return Triage(
        language=language, language_confidence=round(lang_conf, 3), sentiment=sentiment,
        sentiment_score=round(score, 3), intent=intent, intents=list(intents), severity=severity,
        priority=priority, should_respond=should_respond, escalate_to=list(dict.fromkeys(escalate)),
        influencer=influencer, reasons=reasons,
        injection_suspected=bool(injection) or (learned is not None and learned_injection_flag(raw) is not None),
        provider="rules" if verdict is None else "rules+model",
        unsure=unsure_reasons(verdict, escalate, overruled) if verdict is not None else [],
    )


# Intents that get no reply, and how sure the model must be for its reading to silence a comment the rules
# would answer (answers_tuning: direct questions read as chatter at 0.22-0.46 went unanswered).
_SILENT: frozenset[str] = frozenset({"other", "spam_troll"})
SILENCE_MIN = 0.5
# A question with a question word ("mais pourquoi ça a planté au juste ?"), or one opening with the verb
# that asks it ("Is 61250 included?"), is silenced only by a sure reading.
SILENCE_MIN_WH = 0.8
_WH_QUESTION = re.compile(r"\b(why|when|how|what|where|which|who|pourquoi|quand|comment|combien|quel\w*|qui|ou)\b"
                          r"[^?]{3,}\?|(^|[.!?] )(is|are|was|were|has|have|had|can|could|do|does|did|will|would|"
                          r"should|est-ce|peut-on|"
                          r"faut-il)\b[^?]{3,}\?|" + lex.SPOKEN_QUESTION + "|" + lex.EMBEDDED_QUESTION)


def _severity(intent: Intent, found: RuleMatches, norm: str, influencer: bool, score: float,
              support: list[str], reasons: list[str]) -> Severity:
    level = _SEVERITIES.index(_BASE_SEVERITY[intent])
    why = [f"{intent} starts at {_BASE_SEVERITY[intent]}"]
    severe = SEVERE.search(norm) if "safety" in found.hits else None
    if severe:
        level = 3
        why.append(f"harm or a child named ('{severe.group(0)}')")
    if "safety" in found.hits and "threat_legal" in found.hits:
        level = 3
        why.append("safety and legal together")
    if influencer and intent not in ("spam_troll", "other", "praise"):
        level = min(3, level + 1)
        why.append("influencer")
    if intent == "complaint" and score <= -0.75:
        level = max(level, 2)
        why.append(f"very negative ({score:+.2f})")
    if support and level == 0:
        level = 1
        why.append("a customer's own case")
    severity = _SEVERITIES[level]
    reasons.append(f"severity={severity}: {', '.join(why)}")
    return severity


def _priority(comment: Comment, severity: Severity, escalate: list[EscalationTarget], respond: bool,
              now: datetime | None, reasons: list[str]) -> float:
    points = _SEVERITY_POINTS[severity]
    reach = min(10.0, 2.0 * math.log10(1 + (comment.followers or 0))) * _PLATFORM_REACH.get(comment.platform, 0.8)
    esc = min(8.0, 4.0 * len(escalate))
    age = 0.0
    if comment.created_at is not None:
        created = comment.created_at if comment.created_at.tzinfo else comment.created_at.replace(tzinfo=UTC)
        hours = max(0.0, ((now or datetime.now(UTC)) - created).total_seconds() / 3600)
        # Waiting makes a comment more urgent for the first hour; after a day the moment has passed.
        age = 6.0 * min(hours, 1.0) - min(10.0, max(0.0, hours - 24) / 48 * 10)
    total = points + reach + esc + age
    if not respond:
        total *= 0.5
    value = round(max(0.0, min(100.0, total)), 1)
    reasons.append(f"priority={value:g}: severity {points:g} + reach {reach:.1f} + escalation {esc:g}"
                   + (f" + age {age:+.1f}" if age else "") + ("" if respond else ", halved (no reply)"))
    return value


def reread(comment: Comment, result: Triage, *, intent: Intent, add: Sequence[EscalationTarget],
           reasons: Sequence[str], provider: str, now: datetime | None = None) -> Triage:
    """`result` after a second reading (the LLM triage pass): a new intent, teams added, never removed.

    Severity rises to high for a new safety/legal/press team, should_respond is never turned off, and
    the priority is computed again from the new severity and teams.
    """
    escalate = list(dict.fromkeys([*result.escalate_to, *add]))
    severity = result.severity
    if set(add) & {"safety", "legal", "press"} and _SEVERITIES.index(severity) < _SEVERITIES.index("high"):
        severity = "high"
    respond = result.should_respond or intent not in ("spam_troll", "other")
    kept = [r for r in result.reasons if not r.startswith(("priority=", "severity="))]
    if severity != result.severity:
        kept.append(f"severity={severity}: raised by the second reading")
    else:
        kept.extend(r for r in result.reasons if r.startswith("severity="))
    kept.extend(reasons)
    priority = _priority(comment, severity, escalate, respond, now, kept)
    intents = [intent, *(i for i in result.intents if i != intent)]
    return result.model_copy(update={
        "intent": intent, "intents": intents, "escalate_to": escalate, "severity": severity,
        "should_respond": respond, "priority": priority, "reasons": kept, "provider": provider})
