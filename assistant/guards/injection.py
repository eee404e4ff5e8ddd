"""Prompt-injection detection on comments, and the wrapper that keeps a comment in the data channel.

Comments are attacker-controlled text that ends up in a prompt. Detection works on a normalised copy
(NFKC, invisible characters dropped, accents folded, look-alike letters mapped) with an offset map back
to the original, and also scans what hides behind encodings (base64, hex, rot13, reversed, spaced
letters, Unicode tag characters), because that is where a determined attacker puts the payload.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from urllib.parse import unquote

from assistant.models import Flag, FlagSeverity
from assistant.text import fold

INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c"
    "\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u3164\uffa0"
)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TAG_RX = re.compile("[\U000e0000-\U000e007f]+")
_STRIP_RX = re.compile("[" + INVISIBLE + BIDI + "\U000e0000-\U000e007f]")
_HOMOGLYPHS = str.maketrans(
    "аеорсухіѕјԁɡοαειντρκАЕОРСУХІЅЈΟΑΕΙΝΤΡΚ",
    "aeopcyxisjdgoaeivtpkaeopcyxisjoaeintpk",
)
_LEET = str.maketrans("013457@$", "oieastas")

_IMPERATIVE_LEAD = (
    r"(?:^|[.!?:;,\n\"'(]\s*|\b(?:please|pls|now|just|then|and|so|simply|first|instead|also|"
    r"you (?:must|should|have to|need to|will|shall)|i want you to|i order you to|i command you to|"
    r"your (?:task|job|new task) is to|svp|stp|s'il (?:te|vous) plait|maintenant|alors|et|puis|"
    r"tu dois|vous devez|je veux que tu|je veux que vous|ta mission est de)\s+)"
)
_PAYLOAD = (
    r"(?:refund|rembours|€|\$|euros?\b|dollars?\b|compensat|indemn|dedommag|voucher|bon d'achat|free\b|"
    r"gratuit|admit|admet|fault|faute|responsib|responsab|guilty|coupable|liable|poison|empoisonn|toxic|"
    r"toxique|lawsuit|proces|\bsue\b|cancer|kill|\btue|bankrupt|faillite|scandal|\bpay\b|payer|"
    r"everyone|tout le monde|tous les clients|lie[sd]?\b|mensonge|menti)"
)

# Verbs that tell the model what to output; "tell me", "answer me", "dites-moi" are questions instead.
_SAY = (
    r"(?:reply|respond|answer|write|say|post|tweet|state|announce|declare|publish|"
    r"tell (?:everyone|them|people|the public)|ecris|ecrivez|reponds|repondez|dis|dites|publie|publiez|"
    r"tweete|annonce|annoncez|declare|declarez|affirme|affirmez)\b(?!-?\s?(?:moi|nous|me|us|to me|to us)\b)"
    r"(?:-(?:leur|lui))?"
)


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


# (family, severity, pattern) over the normalised text.
PATTERNS: list[tuple[str, FlagSeverity, re.Pattern[str]]] = [
    (
        "override",
        "high",
        _rx(
            r"(?<!don't )(?<!do not )(?<!never )\b(?:ignore|disregard|forget|bypass|override|overrule)\b"
            r"[^.!?\n]{0,40}?\b(?:instructions?|prompts?|directives?|programming|guardrails?|"
            r"system (?:message|prompt)|everything (?:above|before)|what you (?:were|have been) told)",
        ),
    ),
    (
        "override",
        "high",
        _rx(
            _IMPERATIVE_LEAD + r"(?:ignore|disregard|forget|bypass|override)\s+(?:all|any|your|the|every|"
            r"previous|prior|above|earlier)\b[^.!?\n]{0,25}?\b(?:rules?|guidelines?|polic(?:y|ies)|constraints?|"
            r"restrictions?|filters?|limits?)",
        ),
    ),
    (
        "override",
        "high",
        _rx(
            # "vous ignorez les règles" is a complaint, "ignorez les consignes" an order.
            r"(?<!vous )(?<!tu )(?<!ils )(?<!on )(?<!qui )(?<!nous )\b(?:oublie[zr]?|ignore[zr]?(?!-(?:vous|"
            r"tu|ils))"
            r"|ne (?:tiens|tenez) (?:pas|plus) compte|(?:fais|faites) abstraction|passe[zr]? outre|"
            r"outrepasse[zr]?)\b"
            r"[^.!?\n]{0,40}?\b(?:instructions?|consignes?|directives?|prompt|programmation|regles?|ordres?)",
        ),
    ),
    (
        "override",
        "high",
        _rx(
            r"\b(?:new|updated|real|actual) (?:instructions?|rules|task|system prompt)\s*:",
            r"\bnouvelles? (?:instructions?|consignes?|regles?)\s*:",
            r"\bfrom now on,? (?:you|your)\b",
            r"\b(?:a partir de maintenant|desormais|dorenavant),? (?:tu|vous) (?:es|etes|dois|devez|vas|"
            r"allez|"
            r"reponds|repondez|ecris)\b",
        ),
    ),
    (
        "role_marker",
        "high",
        _rx(
            # "System: broken" is a complaint; a fake turn goes on to address the model.
            r"(?:^|[\n.!?]\s*)(?:system|systeme|assistant|developer|instructions?)\s*:\s*(?=[^\n.!?]{0,60}?\b(?:you|"
            r"your|ignore|must|always|never|reply|respond|answer|say|write|promise|refund|tu|vous|reponds|ecris|"
            r"sure|of course|certainly|bien sur|oui|new)\b)",
            r"#{2,}\s*(?:instructions?|system|response|new task|task|prompt|consignes?)\b",
            r"<\|[a-z_]+\|>",
            r"\[/?inst\]",
            r"<</?sys>>",
            r"</?(?:system|instructions?|prompt|comment|user|assistant|context|data|im_start|im_end)>",
            r"\b(?:begin|end) (?:of )?(?:system|new|the) (?:prompt|instructions|comment|user input)",
        ),
    ),
    ("role_marker", "medium", _rx(r"(?:^|\n)\s*(?:user|human|ai|utilisateur)\s*:\s*\S")),
    (
        "role_play",
        "high",
        _rx(
            r"\byou are now (?:dan|in (?:developer|dan|god) mode|free|no longer (?:bound|an? assistant|"
            r"restricted)|"
            r"unrestricted|jailbroken|an? (?:ai|assistant|bot|chatbot|model|evil|unfiltered|different|"
            r"new))\b",
            r"\bpretend (?:to be|you(?: are|'re)|that you)\b",
            r"\b(?:role-?play|role play)\b",
            r"\bdo anything now\b",
            r"\bjailbr(?:eak|oken)",
            r"\bdeveloper mode\b",
            r"\b(?:you are|be|as|act as) dan\b",
            r"\bdan mode\b",
            r"\bevil (?:assistant|bot|ai)\b",
            r"\b(?:unfiltered|uncensored) (?:mode|ai|assistant|bot)",
            r"\bno (?:rules|restrictions|filters) mode\b",
            r"\b(?:fais|faites) comme si (?:tu etais|vous etiez)\b",
            r"\btu es (?:maintenant|desormais|a present) (?:un|une|dan|le|la|mon|ma|libre|en mode)\b",
            r"\bvous etes (?:maintenant|desormais) (?:un|une|le|la|mon|ma)\b",
            r"\b(?:fais|faites) semblant\b",
            r"\b(?:joue|jouez) le (?:role|personnage)\b",
            r"\bmode developpeur\b",
        ),
    ),
    (
        "role_play",
        "medium",
        _rx(
            r"\bact as (?:if you were|an? (?:ai|assistant|bot|chatbot|model|gpt|llm|different|unrestricted|"
            r"evil|"
            r"hacker|pirate))\b",
            r"\bagis comme (?:si tu|un|une)\b",
            r"\bincarne\b",
        ),
    ),
    (
        "prompt_leak",
        "high",
        _rx(
            r"\b(?:repeat|print|show|reveal|display|output|tell me|give me|share|leak|dump|recite|copy|"
            r"write out|"
            r"what (?:is|are|were))\b[^.!?\n]{0,40}?\b(?:(?:system|your|the|initial|original|hidden|secret) "
            r"prompt|"
            r"(?:hidden|secret|initial|original|system|confidential|internal) (?:instructions|rules|"
            r"guidelines)|"
            r"instructions (?:above|you were given)|(?:everything|text) above)",
            r"\b(?:montre|montrez|affiche|affichez|repete|repetez|revele|revelez|donne|donnez|ecris|ecrivez|recopie|"
            r"recopiez|quel est|quelles sont|dis|dites)(?:-moi|-nous)?\b[^.!?\n]{0,40}?\b(?:(?:ton|votre|"
            r"le) prompt|"
            r"prompt systeme|(?:tes|vos|les) (?:instructions|consignes|regles) (?:systeme|initiales|cachees|"
            r"secretes|"
            r"internes))",
        ),
    ),
    (
        "dictated_output",
        "high",
        _rx(
            _IMPERATIVE_LEAD
            + _SAY
            + r"(?:\s+\w+){0,3}?\s*(?:that|:|\"|with|exactly|que|qu'|the company|alpena|"
            r"we|we'll|you|everyone|all|l'entreprise|la societe|nous|vous|tout le monde|"
            r"tous)\b[^.!?\n]{0,80}?" + _PAYLOAD,
        ),
    ),
    (
        "dictated_output",
        "medium",
        _rx(
            _IMPERATIVE_LEAD
            + _SAY
            + r"\s+(?:only |just |seulement )?(?:that|exactly|the following|word for word|"
            r"verbatim|with the (?:sentence|text|words)|que|qu'|exactement|ceci|la phrase|le texte)\b",
        ),
    ),
]
_HIDDEN: list[tuple[str, FlagSeverity, re.Pattern[str]]] = [
    ("hidden_text", "high", re.compile(r"<!--[\s\S]*?(?:-->|$)")),
    (
        "hidden_text",
        "high",
        re.compile(
            r"(?:colou?r|background)\s*:\s*(?:white|#fff(?:fff)?\b|rgba?\(\s*255\s*,\s*255\s*,\s*255)|"
            r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem)?\b|"
            r"opacity\s*:\s*0(?:\.0+)?\b",
            re.I,
        ),
    ),
]
_B64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}")
_HEX = re.compile(r"(?:\\x[0-9a-fA-F]{2}){6,}|\b(?:0x)?[0-9a-fA-F]{2}(?:[\s:]?[0-9a-fA-F]{2}){11,}\b")
_PCT = re.compile(r"(?:%[0-9a-fA-F]{2}){6,}")
_SPACED = re.compile(r"\b(?:[a-z][ .\-_*]){3,}[a-z]\b")
_ENCODING_HINT = re.compile(
    r"\b(?:base64|rot13|rot-13|hex(?:adecimal)?|decode (?:this|the following)|decode et)"
)
_PICTO = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]")


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the original character."""
    out: list[str] = []
    idx: list[int] = []
    for i, c in enumerate(text):
        if c in INVISIBLE or c in BIDI or "\U000e0000" <= c <= "\U000e007f":
            continue
        for ch in unicodedata.normalize("NFKC", c):
            out.append(fold(ch).translate(_HOMOGLYPHS))
            idx.append(i)
    return "".join(out), idx


def _scan(norm: str, idx: list[int] | None, how: str, seen: dict[str, Flag]) -> None:
    for family, severity, rx in PATTERNS:
        if family in seen and seen[family].severity == "high":
            continue
        m = rx.search(norm)
        if not m:
            continue
        span = (idx[m.start()], idx[max(m.start(), m.end() - 1)] + 1) if idx else None
        via = f" ({how})" if how else ""
        seen[family] = Flag(
            code="prompt_injection",
            severity=severity,
            span=span,
            source=f"injection:{family}",
            message=f'{family.replace("_", " ")}{via}: "{m.group(0).strip()[:60]}"',
        )


def _printable(b: bytes) -> str | None:
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ok = sum(ch.isprintable() or ch in "\n\t" for ch in s)
    return s if s and ok / len(s) > 0.9 and len(re.findall(r"[A-Za-z]{3,}", s)) >= 2 else None


def _decoded(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _B64.finditer(text):
        raw = m.group(0)
        try:
            data = base64.b64decode(
                raw + "=" * (-len(raw) % 4), altchars=b"-_" if "-" in raw or "_" in raw else None
            )
        except (binascii.Error, ValueError):
            continue
        if (s := _printable(data)) is not None:
            out.append(("base64", s))
    for m in _HEX.finditer(text):
        hexits = re.sub(r"\\x|0x|[\s:]", "", m.group(0))
        try:
            s2 = _printable(bytes.fromhex(hexits))
        except ValueError:
            continue
        if s2 is not None:
            out.append(("hex", s2))
    for m in _PCT.finditer(text):
        if (s3 := _printable(unquote(m.group(0)).encode())) is not None:
            out.append(("url-encoded", s3))
    tags = "".join(chr(ord(c) - 0xE0000) for m in _TAG_RX.finditer(text) for c in m.group(0))
    if tags.strip():
        out.append(("unicode tags", tags))
    return out


def _hidden_chars(text: str) -> list[Flag]:
    out = []
    for i, c in enumerate(text):
        if c in BIDI:
            out.append(
                Flag(
                    code="prompt_injection",
                    severity="high",
                    span=(i, i + 1),
                    source="injection:hidden_text",
                    message="bidirectional override character (reorders what a reader sees)",
                )
            )
            break
        if c in INVISIBLE:
            # A zero-width joiner inside an emoji sequence is ordinary text, not hiding anything.
            if (
                c == "\u200d"
                and _PICTO.match(text[i - 1 : i] or " ")
                and _PICTO.match(text[i + 1 : i + 2] or " ")
            ):
                continue
            inside = i and text[i - 1].isalnum() and i + 1 < len(text) and text[i + 1].isalnum()
            out.append(
                Flag(
                    code="prompt_injection",
                    severity="high" if inside else "medium",
                    span=(i, i + 1),
                    source="injection:hidden_text",
                    message="invisible character inside a word" if inside else "invisible character",
                )
            )
            break
    if _TAG_RX.search(text):
        out.append(
            Flag(
                code="prompt_injection",
                severity="high",
                source="injection:hidden_text",
                message="Unicode tag characters (invisible ASCII) in the comment",
            )
        )
    return out


def detect_injection(text: str) -> list[Flag]:
    """prompt_injection flags, one per pattern family, with the span in the original comment."""
    norm, idx = normalise(text)
    seen: dict[str, Flag] = {}
    _scan(norm, idx, "", seen)
    variants = {
        "look-alike digits": norm.translate(_LEET),
        "spaced letters": _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), norm),
        "rot13": codecs.encode(norm, "rot13"),
        "reversed": norm[::-1],
    }
    for how, variant in variants.items():
        if variant != norm:
            _scan(variant, None, how, seen)
    for how, decoded in _decoded(text):
        found: dict[str, Flag] = {}
        _scan(normalise(decoded)[0], None, how, found)
        for family, f in found.items():
            seen.setdefault("encoded:" + family, f.model_copy(update={"severity": "high"}))
        if not found and len(decoded) > 12:
            seen.setdefault(
                "encoded",
                Flag(
                    code="prompt_injection",
                    severity="medium",
                    source="injection:encoded",
                    message=f'{how} payload in the comment: "{decoded[:40]}"',
                ),
            )
    if _ENCODING_HINT.search(norm) and seen:
        seen.setdefault(
            "encoded_hint",
            Flag(
                code="prompt_injection",
                severity="medium",
                source="injection:encoded",
                message="asks to decode a payload",
            ),
        )
    flags = list(seen.values()) + _hidden_chars(text)
    for family, severity, rx in _HIDDEN:
        if m := rx.search(text):
            flags.append(
                Flag(
                    code="prompt_injection",
                    severity=severity,
                    span=(m.start(), m.end()),
                    source=f"injection:{family}",
                    message=f'hidden text: "{m.group(0)[:60]}"',
                )
            )
    return flags


_LOOKALIKE = str.maketrans({c: "<" for c in "‹〈⟨˂ᐸ＜﹤❮❬"} | {c: ">" for c in "›〉⟩˃ᐳ＞﹥❯❭"})


def neutralise(text: str, tag: str = "comment") -> str:
    """The comment as inert data inside `<tag>...</tag>`: it cannot close the block or hide text."""
    if not re.fullmatch(r"[a-z_]{1,32}", tag):
        raise ValueError("tag must be lower-case letters")
    body = unicodedata.normalize("NFKC", _STRIP_RX.sub("", text)).translate(_LOOKALIKE)
    body = html.escape(body, quote=False)
    body = re.sub(r"`{3,}", lambda m: "'" * len(m.group(0)), body)
    return f"<{tag}>\n{body}\n</{tag}>"
