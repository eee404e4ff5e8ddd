"""Tone and platform: length limits, banned phrases, blaming the customer, sarcasm, PII echoed back.

Banned phrases come from the guideline chunks' "Banned phrases" list, so communications can change
them without a release; a short built-in list is the floor when no guideline was retrieved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.guards.evidence import Evidence, GuardContext
from assistant.guards.pii import digits, find_pii, phone_key
from assistant.models import PLATFORM_LIMITS, PLATFORM_TARGETS, Flag
from assistant.text import fold

BUILTIN_BANNED = (
    # en
    "we apologize for any inconvenience",
    "we apologise for any inconvenience",
    "sorry for any inconvenience",
    "we regret any inconvenience",
    "calm down",
    "no comment",
    "as per our policy",
    "per our policy",
    "unfortunately there is nothing we can do",
    "it's not a big deal",
    "not a big deal",
    "as i said",
    "as previously stated",
    "we take your concerns very seriously but",
    "relax",
    "trust us",
    "100% safe",
    # fr
    "nous nous excusons pour la gene occasionnee",
    "desole pour la gene occasionnee",
    "veuillez nous excuser pour la gene occasionnee",
    "calmez-vous",
    "sans commentaire",
    "conformement a notre politique",
    "ce n'est pas grave",
    "comme deja dit",
    "comme indique precedemment",
    "faites-nous confiance",
    "il n'y a rien que nous puissions faire",
    "100% sur",
)
_BLAME = re.compile(
    r"\b(?:you should(?:n't| not)? have|you shouldn't have|you didn't (?:read|check|follow|look)|"
    r"you did not (?:read|check|follow|look)|you failed to|(?<!not )(?<!n't )your (?:own )?fault|"
    r"you were supposed to|if you had (?:read|checked|followed|looked)|as you should know|"
    r"it'?s up to you to|user error|you (?:misused|mishandled)|you (?:obviously|clearly) (?:didn't|did not)|"
    r"read the label|learn to read|"
    r"vous auriez du|tu aurais du|vous n'auriez pas du|vous n'avez pas (?:lu|verifie|regarde|suivi)|"
    r"tu n'as pas (?:lu|verifie|regarde)|(?<!pas )c'est (?:de )?votre faute|(?<!pas )c'est (?:de )?ta faute|"
    r"(?<!pas )de votre faute|vous deviez|il fallait (?:lire|verifier|regarder)|"
    r"si vous aviez (?:lu|verifie|suivi|regarde)|vous n'aviez qu'a|(?:une )?erreur de votre part|"
    r"votre (?:propre )?(?:erreur|faute))"
)
_SARCASM = re.compile(
    r"\b(?:oh (?:great|wonderful|sure|really)|thanks for nothing|yeah,? right|good luck with that|as if\b|"
    r"wow,? just wow|congrats(?:ulations)? on (?:finding|noticing)|nice try|sure you did|"
    r"bravo pour|quelle surprise|merci pour rien|c'est ca oui|bien essaye|mais bien sur)"
)
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|IBAN|CARD|ORDER_ID|ADDRESS|NATIONAL_ID|URL)\]")
_LABEL = re.compile(
    r"(?:banned|forbidden|prohibited|blocked)\s+(?:phrases?|expressions?|words?|wording)|never (?:say|use|"
    r"write)|"
    r"do not (?:say|use|write)|phrases? to avoid|(?:expressions?|phrases?|formulations?|mots?)\s+"
    r"(?:interdit\w*|banni\w*|a eviter|a bannir|proscrit\w*)|a ne (?:jamais|pas) (?:dire|utiliser|ecrire)"
)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+(.+?)\s*$")
_QUOTED = re.compile(r"[\"“”«»]\s*([^\"“”«»]{2,120}?)\s*[\"“”«»]")
_URL_X = re.compile(r"https?://\S+")


def _phrase_rx(phrase: str) -> re.Pattern[str] | None:
    p = fold(phrase).strip(" .,;:!?'\"")
    if len(p) < 3:
        return None
    parts = [
        re.escape(x).replace(r"\ ", r"\s+").replace("'", r"['\s]?")
        for x in re.split(r"\s*(?:\.\.\.|…)\s*", p)
    ]
    body = r".{0,40}?".join(x for x in parts if x)
    lead = r"\b" if p[0].isalnum() else ""
    tail = r"\b" if p[-1].isalnum() else ""
    return re.compile(lead + body + tail)


def parse_banned(text: str) -> list[str]:
    """Phrases listed under a "Banned phrases" (or French equivalent) label in a guideline chunk."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not _LABEL.search(fold(lines[i])):
            i += 1
            continue
        _, _, inline = lines[i].partition(":")
        out += _items(inline) if inline.strip() else []
        i += 1
        started = False
        while i < len(lines):
            m = _BULLET.match(lines[i])
            if m:
                out += _items(m.group(1)) or [m.group(1)]
                started = True
            elif lines[i].strip() and (started or lines[i].lstrip().startswith("#")):
                break
            i += 1
    return out


def _items(s: str) -> list[str]:
    quoted = _QUOTED.findall(s)
    if quoted:
        return quoted
    return [x for x in (y.strip(" .") for y in re.split(r"\s[—–-]\s|\s\(|;", s)[:1]) if x]


@lru_cache(maxsize=256)
def _guideline_rx(chunk_id: str, text: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((p, rx) for p in parse_banned(text) if (rx := _phrase_rx(p)) is not None)


_BUILTIN_RX = tuple((p, rx) for p in BUILTIN_BANNED if (rx := _phrase_rx(p)) is not None)


def banned_phrases(folded: str, ev: Evidence) -> list[Flag]:
    rules = [r for g in ev.guideline for r in _guideline_rx(g.chunk_id, g.text)]
    sources = {p: g.chunk_id for g in ev.guideline for p, _ in _guideline_rx(g.chunk_id, g.text)}
    out: list[Flag] = []
    taken: list[tuple[int, int]] = []
    for phrase, rx in [*rules, *_BUILTIN_RX]:
        for m in rx.finditer(folded):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(
                Flag(
                    code="banned_phrase",
                    severity="medium",
                    span=(m.start(), m.end()),
                    message=f'banned phrase: "{phrase}"',
                    source=sources.get(phrase, "builtin"),
                )
            )
    return out


def x_length(text: str) -> int:
    """Characters as X counts them: every link is 23."""
    return len(_URL_X.sub("x" * 23, text))


def counted_length(text: str, platform: str) -> int:
    """The length a platform counts: X counts every link as 23 characters whatever its length."""
    return x_length(text) if platform == "x" else len(text)


def length_flags(text: str, platform: str) -> list[Flag]:
    n = counted_length(text, platform)
    limit = PLATFORM_LIMITS.get(platform, PLATFORM_LIMITS["other"])
    if n > limit:
        return [
            Flag(
                code="too_long",
                severity="high",
                span=(limit, len(text)),
                source=f"platform:{platform}",
                message=f"{n} characters, over the {platform} limit of {limit}",
            )
        ]
    target = PLATFORM_TARGETS.get(platform, PLATFORM_TARGETS["other"])
    if n > target:
        return [
            Flag(
                code="over_target",
                severity="low",
                source=f"platform:{platform}",
                message=f"{n} characters; replies on {platform} are read up to about {target}",
            )
        ]
    return []


# Public updates are posts, not replies: their own limits per channel.
POST_LIMITS: dict[str, int] = {"x": 280, "instagram": 2200, "facebook": 8000, "linkedin": 3000, "website": 10000}


def post_length_flags(text: str, channel: str) -> list[Flag]:
    """A public update measured against its channel's post limit (replies use length_flags)."""
    n = counted_length(text, channel)
    limit = POST_LIMITS.get(channel, 2000)
    if n <= limit:
        return []
    return [Flag(code="too_long", severity="high", span=(0, len(text)), source=f"platform:{channel}",
                 message=f"{n} characters, over the {channel} post limit of {limit}")]


# (code, source, pattern, message); placeholders are matched on the upper-cased text.
_RULES: tuple[tuple[str, str, re.Pattern[str], str], ...] = (
    ("blame", "blame", _BLAME, 'blames the customer: "{}"'),
    ("sarcasm", "sarcasm", _SARCASM, 'reads as sarcasm: "{}"'),
    ("pii_placeholder", "pii", _PLACEHOLDER, "{} left in the draft: remove it or move the case to a private message"),
)


def rule_flags(folded: str) -> list[Flag]:
    return [
        Flag(code=code, severity="medium", span=(m.start(), m.end()), source=source,
             message=message.format(m.group(0)))
        for code, source, rx, message in _RULES
        for m in rx.finditer(folded.upper() if code == "pii_placeholder" else folded)
    ]


def _same(kind: str, a: str, b: str) -> bool:
    if kind == "PHONE":
        return phone_key(a) == phone_key(b)
    if kind in ("CARD", "IBAN"):
        return digits(a) == digits(b) and len(digits(a)) > 5
    return re.sub(r"\W+", "", fold(a)) == re.sub(r"\W+", "", fold(b))


def pii_echo(text: str, ctx: GuardContext, public: Iterable[str]) -> list[Flag]:
    """PII in the draft: the commenter's own data echoed back, or any personal contact data at all."""
    allow = [*ctx.allow, *public]
    out: list[Flag] = []
    for e in find_pii(text, allow=allow):
        echoed = any(
            c.kind == e.kind and c.value and _same(e.kind, c.value, e.value) for c in ctx.comment_pii
        )
        why = "repeats the commenter's" if echoed else "contains a"
        out.append(_pii_flag(f"{why} {_kind(e.kind)} in a public reply", (e.start, e.end)))
    flagged = {e.kind for e in find_pii(text, allow=allow)}
    digits_of_text, squashed = digits(text), re.sub(r"\W+", "", fold(text))
    for c in ctx.comment_pii:
        if c.kind in flagged or not find_pii(c.value, allow=allow):
            continue
        # The same value written so that no pattern sees it ("0612345678" run into other digits).
        numeric = c.kind in ("PHONE", "CARD", "IBAN")
        needle = digits(c.value) if numeric else re.sub(r"\W+", "", fold(c.value))
        if len(needle) >= 6 and needle in (digits_of_text if numeric else squashed):
            out.append(_pii_flag(f"repeats the commenter's {_kind(c.kind)}", None))
            flagged.add(c.kind)
    return out


def _kind(kind: str) -> str:
    return kind.lower().replace("_", " ")


def _pii_flag(message: str, span: tuple[int, int] | None) -> Flag:
    return Flag(code="pii_echo", severity="high", span=span, source="pii", message=message)
