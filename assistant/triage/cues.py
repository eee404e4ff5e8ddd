"""What the rules look for: comment text normalised (folded, slang and idioms expanded), the compiled cue
patterns of lexicon.py, and who a profession names ("my sister's a lawyer" is no legal case)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import EscalationTarget, Intent
from assistant.text.normalize import fold
from assistant.triage import lexicon as lex

# ---------------------------------------------------------------- normalisation

_APOS = re.compile(r"[’‘`´]")
_REPEAT = re.compile(r"([a-z])\1{2,}")
REPEAT_ANY = re.compile(r"([a-z])\1+")
_PUNCT_REPEAT = re.compile(r"([!?.])\1{2,}")
TOKEN = re.compile(r"[a-z0-9']+")
# One pass for all idioms: the callback finds which one matched by its group.
_IDIOMS = re.compile("|".join(f"(?P<i{n}>{p})" for n, (p, _) in enumerate(lex.IDIOMS)))
_IDIOM_PARTS = [(re.compile(p), r) for p, r in lex.IDIOMS]


def _slang(m: re.Match[str]) -> str:
    w = m.group(0)
    return lex.SLANG.get(w) or lex.SLANG.get(REPEAT_ANY.sub(r"\1", w), w)


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
    t = TOKEN.sub(_slang, t)
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


INTENT_CUES: dict[Intent, tuple[_Cue, ...]] = {
    "safety": _cues(lex.SAFETY),
    "threat_legal": _cues(lex.LEGAL),
    "press": _cues(lex.PRESS),
    "rumour": _cues(lex.RUMOUR),
    "complaint": _cues(lex.COMPLAINT),
    "question": _cues(lex.QUESTION),
    "praise": _cues(lex.PRAISE),
}
SUPPORT = _cues(lex.SUPPORT)
REFERENCE = re.compile(lex.SUPPORT_REFERENCE)
HOW_TO = re.compile(lex.HOW_TO)
CONTACT_ME = re.compile(lex.CONTACT_ME)
ACCOUNT_PROBLEM = re.compile(lex.ACCOUNT_PROBLEM)
INJECTION = re.compile(lex.INJECTION)
PROMO = re.compile(lex.PROMO)
CRYPTO = re.compile(lex.CRYPTO)
URL = re.compile(lex.URL)
COMMUNITY = re.compile(lex.COMMUNITY)
SEVERE = re.compile(lex.SEVERE)
SARCASM_CONTEXT = re.compile(lex.SARCASM_CONTEXT)
SARCASM_ELLIPSIS = re.compile(lex.SARCASM_ELLIPSIS)
NOISE = re.compile(lex.NOISE)
ATE = re.compile(lex.ATE_WORDS)
PERSON = re.compile(lex.PERSON_WORDS)
CONCERN = re.compile(lex.CONCERN_WORDS)
SYMPTOM = re.compile(lex.SYMPTOM_WORDS)
NO_SYMPTOM = re.compile(lex.NO_SYMPTOM)
STRONG_SYMPTOM = re.compile(lex.STRONG_SYMPTOM)
BODY = re.compile(lex.BODY_WORDS)
INJURY = re.compile(lex.INJURY_WORDS)
MEDICAL = re.compile(lex.MEDICAL_WORDS)
FIRST_PERSON = re.compile(lex.FIRST_PERSON)
SARCASM_CLOSER = re.compile(lex.SARCASM_CLOSER)
FIGURE_OF_DEATH = re.compile(lex.FIGURE_OF_DEATH)
PRIVATE_CAPACITY = re.compile(lex.PRIVATE_CAPACITY)
RELAYED_OPINION = re.compile(lex.RELAYED_OPINION)
FINE_AFTER_EATING = re.compile(lex.FINE_AFTER_EATING)
LEGAL_AT_ONESELF = re.compile(lex.LEGAL_AT_ONESELF)
AUDIENCE_RELAY = re.compile(lex.AUDIENCE_RELAY)
_THIRD_PARTY_ROLE = re.compile(lex.THIRD_PARTY_ROLE)
_FIRST_PERSON_ROLE = re.compile(lex.FIRST_PERSON_ROLE)
_SOMEONE_IS = re.compile(r"\b(is|was|'s|est|etait) (a |an |une? )?$")  # "my cousin's a nurse", not "the nurse said"
_PRESENTS = re.compile(r"\b(this|it|here|c'|ceci) ?(is|est) (a |an |une? )?$")
_CARE_ROLE = re.compile(lex.CARE_ROLES)
_ROLE = re.compile(r"\b" + lex.ROLE_WORDS[1:])
ROLE = _ROLE  # a lawyer, journalist or carer named
MENTION = re.compile(r"@\w+")
WORDISH = re.compile(r"[a-z][a-z']+")
ELISION = re.compile(r"^(d|l|j|qu|c|n|s|m|t)'")


def first_cues(cues: Sequence[_Cue], text: str) -> list[str]:
    out = []
    for cue in cues:
        m = search_cue(cue.pattern, text)
        if m:
            out.append(cue.explain(m))
    return out


def search_cue(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match that is not a profession named as who someone is ("my sister's a lawyer")."""
    return next((m for m in pattern.finditer(text) if not _names_a_role(text, m)), None)


def _names_a_role(text: str, m: re.Match[str]) -> bool:
    for role in _ROLE.finditer(text, m.start(), m.end()):
        before = text[max(0, role.start() - 40):role.start()]
        if _THIRD_PARTY_ROLE.search(before) and not _PRESENTS.search(before):
            return True  # "my husband is a lawyer", "vous répondez aux journalistes"
        if _FIRST_PERSON_ROLE.search(before) and _CARE_ROLE.match(role.group(0)):
            return True  # "je suis infirmière de nuit": a nurse who missed a shift is not a patient
    # A care service naming the author's own job: "I'm an A&E nurse", "je suis infirmière aux urgences".
    job = _CARE_JOB_BEFORE.search(text, max(0, m.start() - 40), m.start())
    if job:
        return bool(_FIRST_PERSON_ROLE.search(text, max(0, job.start() - 40), job.start()))
    if _CARE_JOB_AFTER.match(text, m.end()):  # FIRST_PERSON_ROLE allows the service before the job
        return bool(_FIRST_PERSON_ROLE.search(text, max(0, m.start() - 40), min(len(text), m.end() + 1)))
    return False


_CARE_JOB_AFTER = re.compile(r" (nurse|doctor|paramedic|porter|receptionist)\b")
_CARE_JOB_BEFORE = re.compile(r"\b(infirmi\w+|medecin|aide-soignante?|brancardier\w*|secretaire) "
                              r"(aux|des|a l'|de l') ?$")


# Professions the model may not turn into a team when they only say who someone is. A care role only
# vetoes safety as someone else's job ("my cousin's a nurse and even she says..."): a nurse writing about a
# patient ("je suis infirmière, une patiente...") can be a safety case, and safety is recall first.
_ROLE_TEAM: tuple[tuple[re.Pattern[str], EscalationTarget], ...] = (
    (re.compile(r"(lawyer|attorney|solicitor|avocat|notar)"), "legal"),
    (re.compile(r"(journalist|reporter)"), "press"),
    (re.compile(lex.CARE_ROLES), "safety"),
)


def third_party_teams(text: str) -> dict[EscalationTarget, str]:
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
    m = INJECTION.search(normalize(text))
    return m.group(0) if m else None
