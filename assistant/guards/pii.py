"""PII masking: run before any comment text reaches a model provider or a log line.

Each detector is a regex that over-matches and a validator that rejects what is not PII (IBAN
checksum, Luhn for cards, digit counts for phones), so batch numbers, dates and prices survive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Flag
from assistant.text import fold

PiiKind = Literal["EMAIL", "PHONE", "IBAN", "CARD", "ORDER_ID", "ADDRESS", "NATIONAL_ID"]


class PiiEntity(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: PiiKind
    start: int
    end: int
    placeholder: str
    # The original text is needed to spot a draft that echoes it back (pii_echo), never for output.
    value: str = Field(default="", repr=False, exclude=True)


class MaskResult(BaseModel):
    text: str
    entities: list[PiiEntity] = Field(default_factory=list)


# ---------------------------------------------------------------- patterns

URL_RX = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
EMAIL_RX = re.compile(
    r"\b[a-z0-9][a-z0-9._%+-]*(?:@|\s?[\[(]at[\])]\s?)[a-z0-9-]+(?:(?:\.|\s?[\[(]dot[\])]\s?)[a-z0-9-]+)*"
    r"(?:\.|\s?[\[(]dot[\])]\s?)[a-z]{2,}\b",
    re.I,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.I)
# French social-security number (NIR): sex, year, month, department (2A/2B for Corsica), commune,
# order, key; 15 characters, usually grouped "1 85 12 75 123 456 78". The shape is specific enough
# that the key is not checked (people mistype it, and a mistyped NIR is still personal data).
_NIR = re.compile(
    r"(?<![\d+])[12][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?(?:\d{2}|2[abAB])[ .-]?\d{3}[ .-]?\d{3}"
    r"(?:[ .-]?\d{2})?(?![\d])"
)
_CARD = re.compile(r"(?<![\d+])[2-6]\d{3}(?:[ -]?\d{2,4}){2,5}(?![\d])")
PHONE_RXS = [
    # +33 6 12 34 56 78, 0033 (0)6 12..., +33612345678
    re.compile(r"(?:\+|\b00)\s?33\s?(?:\(0\)\s?)?[1-9](?:[ .-]?\d{2}){4}\b"),
    # 06 12 34 56 78, 06.12.34.56.78, 0612345678
    re.compile(r"(?<![\d/.,-])\b0[1-9](?:[ .-]?\d{2}){4}\b(?![.,/-]?\d)"),
    # 0 800 55 12 12, 0800 55 12 12 (French service numbers are written in this grouping)
    re.compile(r"(?<![\d/.,-])\b0 ?[1-9]\d{2}(?: ?\d{2}){3}\b(?![.,/-]?\d)"),
    # international: +44 20 7946 0958, +1 (555) 123-4567, +32 800 55 121
    re.compile(r"(?:\+|\b00)\s?[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\d])"),
    # North America: (555) 123-4567, 555-123-4567, 555.123.4567
    re.compile(r"(?:\(\d{3}\)\s?|(?<![\d/.-])\b\d{3}[ .-])\d{3}[ .-]\d{4}\b(?![.,/-]?\d)"),
    # UK national: 020 7946 0958, 07700 900123
    re.compile(r"(?<![\d/.,-])\b0\d{2,4} \d{3,4} ?\d{3,4}\b(?![.,/-]?\d)"),
]
_ORDER_KEYWORD = (
    r"(?:order|orders|commande|cmd|booking|reservation|ticket|dossier|invoice|facture|tracking|suivi|"
    r"colis|parcel|case|account|compte|client|customer|membership|adherent|contract|contrat)"
)
_ORDER = re.compile(
    r"\b"
    + _ORDER_KEYWORD
    + r"(?:\s+(?:number|nr|no|num|numero|id|ref|reference|code))?\.?\s*(?:#|n\s?°|n°|no\.|nº|:)?\s*:?\s*"
    r"(?:(?:is|was|est|etait) )?(?P<id>[a-z0-9][a-z0-9-]{3,24}[a-z0-9])\b",
)
_ORDER_REF = re.compile(
    r"\b(?:ref|reference|ref\.)\s*(?:#|:|n°)?\s*(?P<id>[a-z0-9]*\d[a-z0-9-]{2,}[a-z0-9])\b"
)
_ORDER_STANDALONE = re.compile(
    r"\b(?:cmd|ord|cde|inv|fac|bk|res|tkt)-\d{2,}(?:-\d+)*\b|(?<![\w&])#[a-z]?-?\d{5,}\b"
)
_FR_STREET = (
    r"rue|avenue|av\.|bd|boulevard|place|pl\.|chemin|impasse|all[ée]e|quai|route|cours|square|passage|"
    r"voie|faubourg|fbg|cit[ée]|r[ée]sidence|lotissement|hameau|lieu-dit|sentier|villa|promenade|rond-point"
)
_CAP = r"[A-ZÀ-Ý][\w'’-]*"
_LINK = r"(?:de la|de l'|de l’|des|du|de|d'|d’|la|le|les|l'|l’|et|sur|en|aux)"
# French street names are matched case-sensitively after the first word, so the match stops at the
# first lower-case word of the sentence instead of swallowing it.
_ADDRESS_FR = re.compile(
    r"\b\d{1,4}(?: ?(?i:bis|ter|quater|[a-c]))?,? (?i:" + _FR_STREET + r") "
    r"(?:" + _LINK + r" ?)?[\wÀ-ÿ][\w'’-]+(?: (?:" + _LINK + r" ?)?" + _CAP + r"){0,3}"
    r"(?:,? \d{5}(?: " + _CAP + r"(?:[ -]" + _CAP + r"){0,2})?)?"
)
_EN_STREET = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Court|Ct\.?|Place|"
    r"Pl\.?|Square|Sq\.?|Terrace|Way|Close|Crescent|Gardens|Row|Parkway|Highway|Hwy|"
    r"street|road|avenue|lane|drive|boulevard"
)
# English addresses need the capitalised street name, so they run on the original text.
_ADDRESS_EN = re.compile(
    r"\b\d{1,5}[A-Za-z]?,? (?:[A-Z][a-z]+ ){1,3}(?:"
    + _EN_STREET
    + r")(?![a-z])(?:, (?:[A-Z][a-z]+ ?){1,2}(?:,? [A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}|,? \d{5})?)?"
)

_PLACEHOLDER: dict[str, str] = {
    k: f"[{k}]" for k in ("EMAIL", "PHONE", "IBAN", "CARD", "ORDER_ID", "ADDRESS", "NATIONAL_ID")
}
_IBAN_LENGTH = {
    "FR": 27,
    "BE": 16,
    "CH": 21,
    "DE": 22,
    "GB": 22,
    "ES": 24,
    "IT": 27,
    "NL": 18,
    "LU": 20,
    "MC": 27,
}


# ---------------------------------------------------------------- validators


def digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def phone_key(s: str) -> str:
    """Digits of a phone number with French international prefixes folded to the national form."""
    d = digits(s)
    for prefix in ("0033", "33"):
        if (s.lstrip().startswith(("+", "00"))) and d.startswith(prefix) and len(d) - len(prefix) in (9, 10):
            rest = d[len(prefix) :]
            return "0" + rest.lstrip("0") if rest.startswith("0") else "0" + rest
    return d


def iban_valid(s: str) -> bool:
    raw = re.sub(r"[ -]", "", s).upper()
    if not 15 <= len(raw) <= 34 or _IBAN_LENGTH.get(raw[:2], len(raw)) != len(raw):
        return False
    moved = raw[4:] + raw[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def luhn_valid(s: str) -> bool:
    d = digits(s)
    if not 13 <= len(d) <= 19:
        return False
    total = 0
    for i, c in enumerate(reversed(d)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def phone_ok(s: str) -> bool:
    n = len(digits(s))
    return 9 <= n <= 15 if s.lstrip().startswith(("+", "00")) else 10 <= n <= 11


def _order_ok(s: str) -> bool:
    return any(c.isdigit() for c in s) and not re.fullmatch(r"(?:19|20)\d{2}|l\d{4}", s, re.I)


# ---------------------------------------------------------------- detection

_Span = tuple[int, int, str]


def find_pii(text: str, allow: Iterable[str] = ()) -> list[PiiEntity]:
    """All PII entities in `text`, non-overlapping, in order; allow-listed values are skipped."""
    folded = fold(text)
    allowed = _Allow(allow)
    protected = [(m.start(), m.end()) for m in URL_RX.finditer(text)]
    found: list[_Span] = []

    def add(kind: str, start: int, end: int, ok: Callable[[str], bool] | None = None) -> None:
        value = text[start:end]
        while end > start and value[-1] in " .,;:-":
            end -= 1
            value = value[:-1]
        if ok is not None and not ok(value):
            return
        if allowed.covers(kind, value):
            return
        # A URL is public by nature; only an e-mail inside it is still masked.
        if kind != "EMAIL" and any(s <= start and end <= e for s, e in protected):
            return
        if any(not (end <= s or start >= e) for s, e, _ in found):
            return
        found.append((start, end, kind))

    for m in EMAIL_RX.finditer(text):
        add("EMAIL", m.start(), m.end())
    for m in _IBAN.finditer(text):
        add("IBAN", m.start(), m.end(), iban_valid)
    for m in _NIR.finditer(text):
        add("NATIONAL_ID", m.start(), m.end())
    for m in _CARD.finditer(text):
        add("CARD", m.start(), m.end(), luhn_valid)
    for rx in PHONE_RXS:
        for m in rx.finditer(text):
            add("PHONE", m.start(), m.end(), phone_ok)
    for m in _ADDRESS_FR.finditer(text):
        add("ADDRESS", m.start(), m.end())
    for m in _ADDRESS_EN.finditer(text):
        add("ADDRESS", m.start(), m.end())
    for rx in (_ORDER, _ORDER_REF):
        for m in rx.finditer(folded):
            add("ORDER_ID", m.start("id"), m.end("id"), _order_ok)
    for m in _ORDER_STANDALONE.finditer(folded):
        add("ORDER_ID", m.start(), m.end())
    found.sort()
    return [
        PiiEntity(kind=cast(PiiKind, k), start=s, end=e, placeholder=_PLACEHOLDER[k], value=text[s:e])
        for s, e, k in found
    ]


class _Allow:
    """Allow-list of public values (hotlines, URLs, support addresses), compared loosely."""

    def __init__(self, allow: Iterable[str]) -> None:
        items = [a for a in allow if a]
        self.phones = {phone_key(a) for a in items if len(digits(a)) >= 6}
        self.texts = {fold(a).strip() for a in items}

    def covers(self, kind: str, value: str) -> bool:
        if kind == "PHONE" and phone_key(value) in self.phones:
            return True
        v = fold(value).strip()
        return v in self.texts or any(v and v in t for t in self.texts if t.startswith(("http", "www")))


def mask_pii(text: str, allow: Iterable[str] = ()) -> MaskResult:
    """Replace PII with placeholders ([EMAIL], [PHONE], ...); entity offsets refer to `text`."""
    entities = find_pii(text, allow)
    out: list[str] = []
    pos = 0
    for e in entities:
        out.append(text[pos : e.start])
        out.append(e.placeholder)
        pos = e.end
    out.append(text[pos:])
    return MaskResult(text="".join(out), entities=entities)


def personal_data_note(entities: Iterable[PiiEntity]) -> list[Flag]:
    """The reviewer's cue when a comment carries personal data: answer in private, never in public."""
    kinds = sorted({e.kind.lower().replace("_", " ") for e in entities})
    if not kinds:
        return []
    return [Flag(code="comment_pii", severity="medium", source="comment",
                 message=f"this comment contains personal data ({', '.join(kinds)}): reply privately "
                         "(direct message or hotline), never repeat it in public")]


def redact_for_log(text: str, allow: Iterable[str] = ()) -> str:
    """The masked text, for log lines and audit events that must not carry customer data."""
    return mask_pii(text, allow).text
