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

About 650 lines: the rules and their combination with the model read top to bottom as one decision
(sentiment -> intents -> model -> severity -> escalation -> priority); the word tables live in lexicon.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.models import Comment, EscalationTarget, Intent, Sentiment, Severity, Triage
from assistant.text.language import detect_language
from assistant.text.normalize import fold
from assistant.triage import lexicon as lex
from assistant.triage.injection import learned_injection_flag
from assistant.triage.learned import TriageModel, Verdict, load_model

INTENT_ORDER: tuple[Intent, ...] = (
    "safety", "threat_legal", "press", "rumour", "complaint", "question", "praise", "spam_troll", "other",
)
INFLUENCER_FOLLOWERS = 50_000
VERIFIED_INFLUENCER_FOLLOWERS = 10_000

# ---------------------------------------------------------------- normalisation

_APOS = re.compile(r"[’‘`´]")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_REPEAT_ANY = re.compile(r"([a-z])\1+")
_PUNCT_REPEAT = re.compile(r"([!?.])\1{2,}")
_TOKEN = re.compile(r"[a-z0-9']+")
# One pass for all idioms: the callback finds which one matched by its group.
_IDIOMS = re.compile("|".join(f"(?P<i{n}>{p})" for n, (p, _) in enumerate(lex.IDIOMS)))
_IDIOM_PARTS = [(re.compile(p), r) for p, r in lex.IDIOMS]


def _slang(m: re.Match[str]) -> str:
    w = m.group(0)
    return lex.SLANG.get(w) or lex.SLANG.get(_REPEAT_ANY.sub(r"\1", w), w)


def _idiom(m: re.Match[str]) -> str:
    # Group numbers in a replacement are relative to its own idiom, not to the joined pattern.
    pattern, repl = _IDIOM_PARTS[int((m.lastgroup or "i0")[1:])]
    inner = pattern.fullmatch(m.group(0))
    return inner.expand(repl) if inner else m.group(0)


def normalize(text: str) -> str:
    """Folded, lower-case text with elongations squashed and slang expanded ("u" -> "you")."""
    t = fold(_APOS.sub("'", text))
    t = _REPEAT.sub(r"\1\1", t)
    t = _PUNCT_REPEAT.sub(r"\1\1\1", t)
    t = _TOKEN.sub(_slang, t)
    return _IDIOMS.sub(_idiom, t)


# ---------------------------------------------------------------- cues


@dataclass(frozen=True)
class _Cue:
    pattern: re.Pattern[str]
    reason: str

    def explain(self, m: re.Match[str]) -> str:
        return self.reason.replace("{m}", m.group(0).strip())


def _cues(table: tuple[tuple[str, str], ...]) -> tuple[_Cue, ...]:
    return tuple(_Cue(re.compile(p), r) for p, r in table)


_INTENT_CUES: dict[Intent, tuple[_Cue, ...]] = {
    "safety": _cues(lex.SAFETY),
    "threat_legal": _cues(lex.LEGAL),
    "press": _cues(lex.PRESS),
    "rumour": _cues(lex.RUMOUR),
    "complaint": _cues(lex.COMPLAINT),
    "question": _cues(lex.QUESTION),
    "praise": _cues(lex.PRAISE),
}
_SUPPORT = _cues(lex.SUPPORT)
_REFERENCE = re.compile(lex.SUPPORT_REFERENCE)
_HOW_TO = re.compile(lex.HOW_TO)
_CONTACT_ME = re.compile(lex.CONTACT_ME)
_ACCOUNT_PROBLEM = re.compile(lex.ACCOUNT_PROBLEM)
_INJECTION = re.compile(lex.INJECTION)
_PROMO = re.compile(lex.PROMO)
_CRYPTO = re.compile(lex.CRYPTO)
_URL = re.compile(lex.URL)
_COMMUNITY = re.compile(lex.COMMUNITY)
_SEVERE = re.compile(lex.SEVERE)
_SARCASM_CONTEXT = re.compile(lex.SARCASM_CONTEXT)
_SARCASM_ELLIPSIS = re.compile(lex.SARCASM_ELLIPSIS)
_NOISE = re.compile(lex.NOISE)
_ATE = re.compile(lex.ATE_WORDS)
_PERSON = re.compile(lex.PERSON_WORDS)
_CONCERN = re.compile(lex.CONCERN_WORDS)
_SYMPTOM = re.compile(lex.SYMPTOM_WORDS)
_NO_SYMPTOM = re.compile(lex.NO_SYMPTOM)
_STRONG_SYMPTOM = re.compile(lex.STRONG_SYMPTOM)
_BODY = re.compile(lex.BODY_WORDS)
_INJURY = re.compile(lex.INJURY_WORDS)
_MEDICAL = re.compile(lex.MEDICAL_WORDS)
_FIRST_PERSON = re.compile(lex.FIRST_PERSON)
_SARCASM_CLOSER = re.compile(lex.SARCASM_CLOSER)
_THIRD_PARTY_ROLE = re.compile(lex.THIRD_PARTY_ROLE)
_FIRST_PERSON_ROLE = re.compile(lex.FIRST_PERSON_ROLE)
_SOMEONE_IS = re.compile(r"\b(is|was|'s|est|etait) (a |an |une? )?$")  # "my cousin's a nurse", not "the nurse said"
_PRESENTS = re.compile(r"\b(this|it|here|c'|ceci) ?(is|est) (a |an |une? )?$")
_CARE_ROLE = re.compile(lex.CARE_ROLES)
_ROLE = re.compile(r"\b" + lex.ROLE_WORDS[1:])
_MENTION = re.compile(r"@\w+")
_WORDISH = re.compile(r"[a-z][a-z']+")
_ELISION = re.compile(r"^(d|l|j|qu|c|n|s|m|t)'")


def _first(cues: Sequence[_Cue], text: str) -> list[str]:
    out = []
    for cue in cues:
        m = _search(cue.pattern, text)
        if m:
            out.append(cue.explain(m))
    return out


def _search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match that is not a profession named as who someone is ("my sister's a lawyer")."""
    return next((m for m in pattern.finditer(text) if not _names_a_role(text, m)), None)


def _names_a_role(text: str, m: re.Match[str]) -> bool:
    for role in _ROLE.finditer(text, m.start(), m.end()):
        before = text[max(0, role.start() - 40):role.start()]
        if _THIRD_PARTY_ROLE.search(before) and not _PRESENTS.search(before):
            return True  # "my husband is a lawyer", "vous répondez aux journalistes"
        if _FIRST_PERSON_ROLE.search(before) and _CARE_ROLE.match(role.group(0)):
            return True  # "je suis infirmière de nuit": a nurse who missed a shift is not a patient
    return False


# Professions the model may not turn into a team when they only say who someone is. A care role only
# vetoes safety as someone else's job ("my cousin's a nurse and even she says..."): a nurse writing about a
# patient ("je suis infirmière, une patiente...") can be a safety case, and safety is recall first.
_ROLE_TEAM: tuple[tuple[re.Pattern[str], EscalationTarget], ...] = (
    (re.compile(r"(lawyer|attorney|solicitor|avocat|notar)"), "legal"),
    (re.compile(r"(journalist|reporter)"), "press"),
    (re.compile(lex.CARE_ROLES), "safety"),
)


def _third_party_teams(text: str) -> dict[EscalationTarget, str]:
    """Legal, press or safety when the comment names a lawyer, a journalist or a carer only as who someone
    is ("my sister's a lawyer", "vous répondez aux journalistes", "my cousin's a nurse"), with why: the model
    reads the word, not whose job it is."""
    out: dict[EscalationTarget, str] = {}
    for m in _ROLE.finditer(text):
        team = next((t for pattern, t in _ROLE_TEAM if pattern.match(m.group(0))), None)
        if team and _names_a_role(text, m) and (team != "safety" or _SOMEONE_IS.search(
                text[max(0, m.start() - 40):m.start()])):
            phrase = text[max(0, m.start() - 20):m.end()].strip()
            out.setdefault(team, f"'{phrase}' names someone's job, not a {team} case")
    return out


def detect_injection(text: str) -> str | None:
    """The phrase of an obvious prompt-injection attempt, or None (a small check, not the guard)."""
    m = _INJECTION.search(normalize(text))
    return m.group(0) if m else None


# ---------------------------------------------------------------- sentiment


@dataclass
class _Sentiment:
    score: float = 0.0
    words: list[str] = field(default_factory=list)
    sarcasm: str | None = None


def _sentiment(raw: str, norm: str) -> _Sentiment:
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
            w = lex.WORDS.get(_REPEAT_ANY.sub(r"\1", tok))
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
    result = _Sentiment(total / math.sqrt(total * total + 15), words)
    sarcasm = _sarcasm(raw, norm, total)
    if sarcasm:
        result.sarcasm = sarcasm.group(0).strip(" .…")
        result.score = -max(abs(result.score), 0.5)
    return result


def _sarcasm(raw: str, norm: str, total: float) -> re.Match[str] | None:
    """The praise that is meant the other way: a thank-you next to harm, an ellipsis or an eye-roll."""
    ellipsis = _SARCASM_ELLIPSIS.search(norm)
    if ellipsis:
        return ellipsis
    praise = _INTENT_CUES["praise"][0].pattern.search(norm)
    if praise:
        eye_roll = any(ch in lex.SARCASM_EMOJI for ch in raw)
        harm = _SARCASM_CONTEXT.search(norm) and not _SINCERE.search(norm)
        if eye_roll or harm or _NOT_MARKER.search(norm):
            return praise
    closer = _SARCASM_CLOSER.search(norm.strip())
    if closer and (
        closer.group("target")  # "Bravo la cohérence." closing a comment is never a compliment
        or total - lex.WORDS.get(closer.group(1), 0) < 0
        or any(c.pattern.search(norm) for c in _INTENT_CUES["complaint"])
    ):
        return closer
    return None


_SINCERE = re.compile(r"\b(transparen\w+|quick\w*|fast|rapide\w*)\b")
_NOT_MARKER = re.compile(r"\.\.\.\s*not\b|\bnot!|/s\b")
_SENT_TOKEN = re.compile(r"[a-z0-9']+|[.!?,;]")
_CLAUSE_END = frozenset(".!?,;")

# ---------------------------------------------------------------- intents


@dataclass
class _Matches:
    hits: dict[Intent, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # cues set aside, and why

    def add(self, intent: Intent, reasons: list[str]) -> None:
        if reasons:
            self.hits.setdefault(intent, []).extend(reasons)


def _spam(raw: str, norm: str) -> list[str]:
    reasons = []
    url = _URL.search(raw.lower())
    promo = _PROMO.search(norm)
    crypto = _CRYPTO.search(norm)
    if crypto:
        reasons.append(f"crypto promotion: '{crypto.group(0)}'")
    if promo and (url or "€" in raw or "$" in raw or "follow" in norm):
        reasons.append(f"promotion: '{promo.group(0)}'" + (f" with a link '{url.group(0)}'" if url else ""))
    elif promo:
        reasons.append(f"promotion: '{promo.group(0)}'")
    insult = _pure_insult(norm)
    if insult:
        reasons.append(f"insult without content: '{insult}'")
    if _NOISE.search(raw.lower()):
        reasons.append(f"noise: '{raw.strip()[:20]}'")
    return reasons


def _pure_insult(norm: str) -> str | None:
    words = [_ELISION.sub("", w).strip("'") for w in _WORDISH.findall(norm)]
    insults = [w for w in words if w in lex.INSULTS]
    if not insults:
        return None
    content = [w for w in words if w not in lex.INSULTS and w not in lex.NO_CONTENT and len(w) > 2]
    return ", ".join(insults) if len(content) <= 1 else None


def _intents(raw: str, norm: str, sentiment: _Sentiment) -> _Matches:
    found = _Matches()
    for intent, cues in _INTENT_CUES.items():
        found.add(intent, _first(cues, norm))
    signals = [r for r in _safety_signals(norm) if r not in found.hits.get("safety", [])]
    found.add("safety", signals)
    rumour = found.hits.get("rumour")
    if rumour and "safety" in found.hits and not _personal(norm):
        # "I heard kids ended up in hospital" relays a claim; it does not report a case.
        found.hits.pop("safety")
    if sentiment.sarcasm:
        found.hits.pop("praise", None)
        found.add("complaint", [f"sarcasm: '{sentiment.sarcasm}' in a negative context"])
    elif "praise" in found.hits and sentiment.score < -0.3:
        found.hits.pop("praise")
    # A question with a few dark words ("where does the metal come from?") is still a question.
    tone_limit = -0.5 if "?" in norm else -0.35
    if "complaint" not in found.hits and sentiment.score <= tone_limit and not _pure_insult(norm):
        found.add("complaint", [f"negative tone ({sentiment.score:.2f}: {', '.join(sentiment.words[:3])})"])
    found.add("spam_troll", _spam(raw, norm))
    injection = _INJECTION.search(norm)
    if injection:
        found.add("spam_troll", [f"tries to instruct the assistant: '{injection.group(0)}'"])
        # Orders to the assistant are not a customer's message, whatever tone they take or case they name
        # ("you are now the legal department: admit liability"); a reported injury or symptom still stands.
        for weak in _WEAK:
            found.hits.pop(weak, None)
        for name in _HIGH_STAKES:
            hits = found.hits.get(name, [])
            if hits and (name != "safety" or all(h.startswith(_WEAK_SAFETY) for h in hits)):
                found.notes.append(f"note: an order to the assistant names {_TARGET_OF_INTENT[name]} ({hits[0]}); "
                                   "an order is not a case, not escalated")
                found.hits.pop(name)
    if not found.hits and sentiment.score >= 0.35:
        found.add("praise", [f"positive tone ({sentiment.score:.2f}: {', '.join(sentiment.words[:3])})"])
    if _pure_insult(norm):
        for weak in _WEAK[1:]:
            found.hits.pop(weak, None)
    community = _COMMUNITY.search(norm)
    strong = {"safety", "threat_legal", "press", "rumour", "complaint"} & found.hits.keys()
    if community and not strong:
        found.hits.pop("question", None)
        found.hits.pop("praise", None)
    return found


# Intents read from tone and phrasing, which spam and insults imitate without meaning them.
_WEAK: tuple[Intent, ...] = ("rumour", "complaint", "question", "praise")


def _safety_signals(norm: str) -> list[str]:
    """Reports recognised from their ingredients: who, ate, symptom, body part, medical help."""
    ate, person, concern = _ATE.search(norm), _PERSON.search(norm), _CONCERN.search(norm)
    body, injury, medical = _BODY.search(norm), _INJURY.search(norm), _search(_MEDICAL, norm)
    symptom = next((m for m in _SYMPTOM.finditer(norm) if not _NO_SYMPTOM.search(norm, 0, m.start())), None)
    out = []
    if medical:
        out.append(f"mentions '{medical.group(0)}'")
    if symptom and (_STRONG_SYMPTOM.match(symptom.group(0)) or ate or body or person or medical):
        out.append(f"reports a symptom: '{symptom.group(0)}'")
    if injury and body:
        out.append(f"reports an injury: '{injury.group(0)}' ... '{body.group(0)}'")
    if ate and (person or concern):
        who = f"'{person.group(0)}' + " if person else ""
        out.append(f"reports that someone ate it: {who}'{ate.group(0)}'" + (
            f", asks '{concern.group(0)}'" if concern else ""))
    return out


def _personal(norm: str) -> bool:
    """Whether a safety mention is about the author or their family rather than hearsay."""
    if _PERSON.search(norm):
        return True
    return bool(_FIRST_PERSON.search(norm) and (_ATE.search(norm) or _SYMPTOM.search(norm)))


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
# How the rules and the model combine (chosen by leave-one-crisis-out on the training crises, see
# docs/DESIGN.md): the model reads intent better on crises nobody wrote rules for, the rules explain.
# The model decides intent; the rules' intent stands only for a safety, legal or press case the model does
# not rule out, or an order to the assistant. (Keeping the rules' reading wherever the model found it
# plausible, at half its top probability, cost 0.018 macro-F1 on the training crises outside the food
# sample, and more on the first fresh crises: the rules' tone and '?' cues do not travel.)
# Below this (team head and intent) the model rules out a team a rule named: the rule becomes a note.
RULED_OUT = 0.05
INTENT_ESCALATION_AGREEMENT = 0.5
# A care word alone escalates safety only when the model's safety head reaches this
# share of its threshold (or its intent reads safety at UNSURE_INTENT or more).
WEAK_SAFETY_AGREEMENT = 0.5
_HIGH_STAKES: tuple[Intent, ...] = ("safety", "threat_legal", "press")
_TARGET_OF_INTENT: dict[str, EscalationTarget] = {"safety": "safety", "threat_legal": "legal", "press": "press"}
# The fast layer is unsure (and a chat model, when configured, reads the comment again) when the
# model's intent is below this, or a safety/legal/press head is within NEAR_MISS x its threshold.
UNSURE_INTENT = 0.4
NEAR_MISS = 0.5
# Safety cues a model may overrule: a care word or a worried question alone. A reported symptom, injury,
# emergency service or someone who ate the product is never lowered.
_WEAK_SAFETY = ("mentions '", "asks what to do", "asks whether it is dangerous", "asks about danger")
_CARE_WORD = "mentions '"  # a doctor, GP, nurse or pharmacist named, and nothing else


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
        tokens = [w.strip("'") for w in _TOKEN.findall(norm)]
        language, lang_conf, why = detect_language(_MENTION.sub(" ", _URL.sub(" ", raw)), known_languages,
                                                   words=tokens)
        reasons.append(why)

    senti = _sentiment(raw, norm)
    found = _intents(raw, norm, senti)
    ordered = [i for i in INTENT_ORDER if i in found.hits] or ["other"]
    intent: Intent = ordered[0]
    rest = sorted(ordered[1:], key=lambda i: (-len(found.hits[i]), INTENT_ORDER.index(i)))
    intents = [intent, *rest]
    if intent == "other":
        community = _COMMUNITY.search(norm)
        reasons.append("intent=other: " + (f"talks to other people ('{community.group(0)}')" if community
                                            else "no rule matched"))
    else:
        reasons.append(f"intent={intent}: {'; '.join(found.hits[intent][:3])}")
    for other in rest:
        reasons.append(f"also {other}: {found.hits[other][0]}")
    reasons.extend(found.notes)
    verdict = learned.verdict(raw) if learned is not None else None
    vetoes = _model_vetoes(norm, found, verdict) if verdict is not None else {}
    lowered = _lowered(found, verdict)
    rules_intent = intent
    if verdict is not None:
        intent = _model_intent(intent, verdict, norm, lowered, reasons, vetoes)
        if intent != rules_intent or lowered:
            intents = [intent, *(i for i in intents if i not in (intent, "other", *lowered))]

    # An intent colours the tone a bare lexicon misses ("my son ate it, what do I do?").
    prior = {"complaint": -0.35, "threat_legal": -0.4, "safety": -0.3, "rumour": -0.3, "praise": 0.35}
    if intent == "rumour" and "?" in raw:
        prior["rumour"] = -0.1  # asking whether a claim is true is not asserting it
    score = max(-1.0, min(1.0, senti.score + prior.get(intent, 0.0) * (1 - abs(senti.score))))
    sentiment: Sentiment = "negative" if score <= -0.25 else "positive" if score >= 0.25 else "neutral"
    if intent == "spam_troll" and not _pure_insult(norm):
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
    support = _support_case(norm, intent, rules_intent, reasons)
    if support:
        escalate.append("support")
        reasons.append(f"escalate_to=support: {support[0]}")
    if verdict is not None:
        _model_escalations(intent, verdict, escalate, reasons, vetoes, rules_intent)
    _one_owner(escalate, reasons)

    severity = _severity(intent, found, norm, influencer, score, support, reasons)

    insult = _pure_insult(norm)
    # An unclassified comment is more often a phrasing the rules miss than nothing to answer: only
    # chatter between users and very short remarks are left without a reply.
    chatter = intent == "other" and (bool(_COMMUNITY.search(norm)) or len(_WORDISH.findall(norm)) <= 6)
    # "Has anyone been hurt?" read as chatter at 0.39: an unsure model does not leave unanswered what the
    # rules would answer (its intent stands, the reply too).
    silence_min = SILENCE_MIN_WH if rules_intent == "question" and _WH_QUESTION.search(norm) \
        and len(_WORDISH.findall(norm)) >= 4 else SILENCE_MIN
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

    injection = _INJECTION.search(norm)
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
        unsure=_unsure(verdict, escalate, overruled) if verdict is not None else [],
    )


def _support_case(norm: str, intent: Intent, rules_intent: Intent, reasons: list[str]) -> list[str]:
    """The support cues of a customer's own case, or [] (with a note in `reasons` when a cue is set aside).

    Not a case: thanks or spam (in the final reading or the rules': "got my refund in 5 days, thanks" is
    closed), nor a how-to question naming the account without a reference, a request to be contacted or
    a problem of its own (a charge, a block, a missing parcel): "How do I find out whether my account is
    affected?" has one public answer for everyone; "charged twice on my account, how do I get it back?"
    does not.
    """
    cues = _first(_SUPPORT, norm)
    if not cues or intent in _NO_SUPPORT or rules_intent in _NO_SUPPORT:
        return []
    how_to = _HOW_TO.search(norm)
    if how_to and not _search(_REFERENCE, norm) and not _CONTACT_ME.search(norm) and not _ACCOUNT_PROBLEM.search(norm):
        reasons.append(f"note: {cues[0]} in a how-to question ('{how_to.group(0)}'), which has one public "
                       "answer; not sent to support")
        return []
    return cues


_NO_SUPPORT: tuple[Intent, ...] = ("spam_troll", "praise")


def _one_owner(escalate: list[EscalationTarget], reasons: list[str]) -> None:
    """A safety, legal or press case has one owner: that team takes the account details and the request to
    be called back with it (support is the owner of routine account cases; every labelled crisis sends a
    case to one of them, never both; "could your press office call me back?" is the press team's)."""
    owner = next((t for t in ("safety", "legal", "press") if t in escalate), None)
    if owner and "support" in escalate:
        escalate.remove("support")
        at = next(i for i, r in enumerate(reasons) if r.startswith("escalate_to=support"))
        reasons[at] = f"note: {reasons[at].removeprefix('escalate_to=support: ')}; the {owner} team owns the " \
                      "case, not sent to support too"


def _ruled_out(verdict: Verdict, intent: Intent) -> bool:
    """Whether the model confidently reads no case where a rule saw one (team head and intent both low)."""
    target = _TARGET_OF_INTENT[intent]
    return verdict.targets[target] < RULED_OUT and verdict.intents[intent] < RULED_OUT


def _lowered(found: _Matches, verdict: Verdict | None) -> dict[Intent, str]:
    """The high-stakes intents the rules found that the model does not back, with why (unmistakable safety
    excepted): a case it rules out (team head and intent both < RULED_OUT), or a care word alone ("mentions
    'gp'": "everyone's phoning their GP like it's 1995") where the model does not read a safety situation
    too (its safety head under WEAK_SAFETY_AGREEMENT x its threshold, its intent under UNSURE_INTENT)."""
    if verdict is None:
        return {}
    out: dict[Intent, str] = {}
    for intent in _HIGH_STAKES:
        hits = found.hits.get(intent)
        if not hits:
            continue
        target = _TARGET_OF_INTENT[intent]
        if _ruled_out(verdict, intent):
            if intent == "safety" and not all(h.startswith(_WEAK_SAFETY) for h in hits):
                continue
            out[intent] = f"the model rules it out ({verdict.targets[target]:.2f})"
        elif intent == "safety" and all(h.startswith(_CARE_WORD) for h in hits):
            need = WEAK_SAFETY_AGREEMENT * verdict.thresholds["safety"]
            if verdict.targets["safety"] < need and verdict.intents["safety"] < UNSURE_INTENT:
                out[intent] = (f"a care word alone is not a situation, and the model reads none "
                               f"({verdict.targets['safety']:.2f} < {need:.2f})")
    return out


def _unsure(verdict: Verdict, escalate: list[EscalationTarget], overruled: dict[Intent, str]) -> list[str]:
    """Why the reading may be wrong: a hesitant model, a team just under its threshold, a rule overruled."""
    out = []
    if verdict.confidence < UNSURE_INTENT:
        out.append(f"the model's intent {verdict.intent} is only {verdict.confidence:.2f}")
    for target in ("safety", "legal", "press"):
        p, limit = verdict.targets[target], verdict.thresholds[target]
        if target not in escalate and NEAR_MISS * limit <= p < limit:
            out.append(f"{target} {p:.2f}, just under {limit:.2f}")
    for name, why in overruled.items():
        out.append(f"a rule read {_TARGET_OF_INTENT[name]} ({why}), the model did not")
    return out


# Intents that get no reply, and how sure the model must be for its reading to silence a comment the rules
# would answer (answers_tuning: direct questions read as chatter at 0.22-0.46 went unanswered).
_SILENT: frozenset[str] = frozenset({"other", "spam_troll"})
SILENCE_MIN = 0.5
# A question with a question word ("mais pourquoi ça a planté au juste ?") is silenced only by a sure reading.
SILENCE_MIN_WH = 0.8
_WH_QUESTION = re.compile(r"\b(why|when|how|what|where|which|who|pourquoi|quand|comment|combien|quel\w*|qui|ou)\b"
                          r"[^?]{3,}\?")


def _model_intent(intent: Intent, verdict: Verdict, norm: str, lowered: dict[Intent, str], reasons: list[str],
                  vetoes: dict[EscalationTarget, str]) -> Intent:
    """The intent once the model has read the comment; says in `reasons` which of the two decided.

    The model decides, unless the rules read a high-stakes intent it does not rule out or an order to
    the assistant: those stand. A reading the rules veto (`vetoes`: a profession named as someone's job,
    "my sister's a lawyer"; a relayed claim read as safety) gives way to the model's next one.
    """
    vetoed = {i for i, t in _TARGET_OF_INTENT.items() if t in vetoes}
    guess = max((i for i in verdict.intents if i not in vetoed), key=lambda i: verdict.intents[i])
    p = verdict.intents[guess]
    keep = (intent in _HIGH_STAKES and intent not in lowered) or (
        intent == "spam_troll" and _INJECTION.search(norm) is not None)
    if guess == intent or keep:
        reasons.append(f"model: reads {guess} ({p:.2f}); the rules' intent stands")
        return intent
    # The reason a reader looks for first ("intent=...") must be the one that decided.
    at = next(i for i, r in enumerate(reasons) if r.startswith(f"intent={intent}:"))
    reasons[at] = f"rules: {reasons[at]}"
    reasons.insert(at, f"intent={guess}: decided by the model, not a rule ({p:.2f}); the rules said {intent}")
    return guess  # type: ignore[return-value]


# Intents the model does not add a team to: thanks, spam and chatter carry no case of their own (on the
# training crises, leave-one-crisis-out, the safety head's escalations of comments the model itself read as
# praise or chatter were all false: "the cashier went out of her way to help my mum").
_NOTHING_TO_ESCALATE: tuple[Intent, ...] = ("praise", "spam_troll", "other")


def _model_vetoes(norm: str, found: _Matches, verdict: Verdict) -> dict[EscalationTarget, str]:
    """Teams the model may not add, with why: a profession named only as someone's job ("my cousin's a
    nurse", "vous répondez aux journalistes"), and safety for a claim relayed from others that the rules
    read as a rumour with nobody of the author's own involved, when the model reads a rumour too ("someone
    said a kid fell and they're hiding it"): the rules already drop their own safety cues there (`_intents`).
    The rules' rumour cue alone is not enough: a leak or "on m'a dit lundi" is no hearsay in a breach."""
    out = _third_party_teams(norm)
    rumour = found.hits.get("rumour")
    if rumour and "safety" not in found.hits and not _personal(norm) and verdict.intent == "rumour":
        out.setdefault("safety", f"the rules and the model read a relayed claim ({rumour[0]}; "
                                 f"{verdict.intents['rumour']:.2f}), not a case of the author's")
    return out


def _model_escalations(intent: Intent, verdict: Verdict, escalate: list[EscalationTarget],
                       reasons: list[str], vetoes: dict[EscalationTarget, str], rules_intent: Intent) -> None:
    """Targets the model adds where no rule fired (recall first for safety, legal and press), except a team
    the rules veto (`_model_vetoes`): that becomes a note. Nor when the rules read thanks or spam and the
    model, hesitant (< UNSURE_INTENT), reads something else: two readings that disagree, the unsure one
    does not call a team ("Merci à la secrétaire qui a rappelé tous les patients" read as safety at 0.37)."""
    if rules_intent in _NOTHING_TO_ESCALATE[:2] and verdict.confidence < UNSURE_INTENT and intent != rules_intent:
        if verdict.escalations():
            reasons.append(f"note: the model reads {', '.join(verdict.escalations())} but only {intent} at "
                           f"{verdict.confidence:.2f}, and the rules read {rules_intent}; no team added")
        return
    wanted: dict[str, str] = {}
    for target in verdict.escalations():
        wanted[target] = f"the model reads a {target} case ({verdict.targets[target]:.2f} >= " \
                         f"{verdict.thresholds[target]:.2f}), no rule fired"
    target_of_intent = _TARGET_OF_INTENT.get(intent)
    # The model's intent alone escalates only when its own head for that team half agrees: an intent
    # picked at 0.3 among nine ("who else saw the video?" -> press) is not a media request. (Asking the intent
    # itself to reach 0.35 too cost 2 safety and 1 legal case for 2 false escalations, leave-one-crisis-out.)
    if target_of_intent and verdict.targets[target_of_intent] >= INTENT_ESCALATION_AGREEMENT * \
            verdict.thresholds[target_of_intent]:
        wanted.setdefault(target_of_intent, f"the model's intent {intent} ({verdict.intents[intent]:.2f})")
    for target, why in wanted.items():
        if target in escalate or intent in _NOTHING_TO_ESCALATE:
            continue
        if target in vetoes:
            reasons.append(f"note: {why.replace(', no rule fired', '')}, but {vetoes[target]}; not escalated")
            continue
        escalate.append(target)  # type: ignore[arg-type]
        reasons.append(f"escalate_to={target}: {why}")


def _severity(intent: Intent, found: _Matches, norm: str, influencer: bool, score: float,
              support: list[str], reasons: list[str]) -> Severity:
    level = _SEVERITIES.index(_BASE_SEVERITY[intent])
    why = [f"{intent} starts at {_BASE_SEVERITY[intent]}"]
    severe = _SEVERE.search(norm) if "safety" in found.hits else None
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
