"""Checkable facts in a text: amounts, durations, dates, times, batch ids, phones, links, counts.

Each fact gets comparable keys so that "5 €", "€5" and "5 euros" meet, as do "14 days" and
"14 jours", "2026-12-04" and "4 décembre", "+33 800 55 12 12" and "0 800 55 12 12". A claim is
supported when one of its keys appears among the keys of the sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.guards.pii import EMAIL_RX, PHONE_RXS, URL_RX, phone_key, phone_ok
from assistant.text import fold

# Kinds whose error hurts most (money, time, deadlines, which batches are recalled): they make an
# unsupported claim high.
HIGH_KINDS = frozenset({"money", "pct", "dur", "date", "month", "my", "weekday", "reldate", "time", "batch"})


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    keys: tuple[str, ...]
    start: int
    end: int
    value: float | None = None

    @property
    def key(self) -> str:
        return self.keys[0]


_NUM_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quatorze": 14,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
}
# "a week", "une semaine": the article is a number only in front of a unit.
_UNIT_ARTICLES = {"a": 1, "an": 1, "one": 1, "un": 1, "une": 1}
_MONTHS = {
    "january": 1,
    "jan": 1,
    "janvier": 1,
    "janv": 1,
    "february": 2,
    "feb": 2,
    "fevrier": 2,
    "fevr": 2,
    "march": 3,
    "mar": 3,
    "mars": 3,
    "april": 4,
    "apr": 4,
    "avril": 4,
    "avr": 4,
    "may": 5,
    "mai": 5,
    "june": 6,
    "jun": 6,
    "juin": 6,
    "july": 7,
    "jul": 7,
    "juillet": 7,
    "juil": 7,
    "august": 8,
    "aug": 8,
    "aout": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "septembre": 9,
    "october": 10,
    "oct": 10,
    "octobre": 10,
    "november": 11,
    "nov": 11,
    "novembre": 11,
    "december": 12,
    "dec": 12,
    "decembre": 12,
}
_WEEKDAYS = {
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
    "lundi": 1,
    "mardi": 2,
    "mercredi": 3,
    "jeudi": 4,
    "vendredi": 5,
    "samedi": 6,
    "dimanche": 7,
}
_CURRENCY = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "chf": "CHF",
    "franc": "CHF",
    "francs": "CHF",
    "fr.": "CHF",
}
_UNITS = {
    "day": ("d", 1),
    "days": ("d", 1),
    "jour": ("d", 1),
    "jours": ("d", 1),
    "week": ("d", 7),
    "weeks": ("d", 7),
    "semaine": ("d", 7),
    "semaines": ("d", 7),
    "month": ("mo", 1),
    "months": ("mo", 1),
    "mois": ("mo", 1),
    "hour": ("h", 1),
    "hours": ("h", 1),
    "heure": ("h", 1),
    "heures": ("h", 1),
    "hrs": ("h", 1),
    "hr": ("h", 1),
    "h": ("h", 1),
    "minute": ("min", 1),
    "minutes": ("min", 1),
    "min": ("min", 1),
    "mins": ("min", 1),
    "year": ("y", 1),
    "years": ("y", 1),
    "an": ("y", 1),
    "ans": ("y", 1),
    "annee": ("y", 1),
    "annees": ("y", 1),
}

_NUMBER = r"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_NUMW = r"\d+|" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True))
_CUR_PRE = r"€|\$|£|\beur\b|\busd\b|\bgbp\b|\bchf\b|\bfr\."
_CUR_POST = r"€|\$|£|eur\b|euros?\b|usd\b|dollars?\b|gbp\b|pounds?\b|chf\b|francs?\b"
_MONTH_RX = "|".join(sorted(_MONTHS, key=len, reverse=True))

_RX: list[tuple[str, re.Pattern[str]]] = [
    ("money_pre", re.compile(r"(?P<cur>" + _CUR_PRE + r")\s?(?P<n>" + _NUMBER + r")(?!\d)")),
    ("money_post", re.compile(r"(?<![\w.,])(?P<n>" + _NUMBER + r")\s?(?P<cur>" + _CUR_POST + r")")),
    ("pct", re.compile(r"(?<![\w.,])(?P<n>" + _NUMBER + r")\s?(?:%|percent\b|per cent\b|pour ?cent\b)")),
    ("iso", re.compile(r"\b(?P<y>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:t\d{2}:\d{2}(?::\d{2})?z?)?\b")),
    ("dmy", re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}|\d{2})\b")),
    ("my", re.compile(r"\b(?P<m>\d{1,2})/(?P<y>20\d{2}|\d{2})\b(?!/)")),
    (
        "dm_name",
        re.compile(
            r"\b(?P<d>\d{1,2})(?:er|st|nd|rd|th)? (?:of )?(?P<mn>" + _MONTH_RX + r")\b(?:\.? (?P<y>20\d{2}))?"
        ),
    ),
    (
        "md_name",
        re.compile(
            r"\b(?P<mn>" + _MONTH_RX + r")\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!:)(?:,? (?P<y>20\d{2}))?"
        ),
    ),
    ("my_name", re.compile(r"\b(?P<mn>" + _MONTH_RX + r") (?P<y>20\d{2})\b")),
    (
        "month",
        re.compile(
            r"\b(?:in|by|until|before|after|end of|early|mid|late|en|d'ici|fin|debut|mi|courant|avant|apres) "
            r"(?:(?:le |la )?mois d[e'] ?)?(?P<mn>" + _MONTH_RX + r")\b"
        ),
    ),
    (
        "time_range",
        re.compile(
            r"\b(?P<h1>\d{1,2})(?:[:h](?P<m1>\d{2})| ?h\b| ?(?P<ap1>am|pm)\b)?\s?(?:-|to|until|a|jusqu'a)\s?"
            r"(?P<h2>\d{1,2})(?:[:h](?P<m2>\d{2})| ?h\b| ?(?P<ap2>am|pm)\b)"
        ),
    ),
    ("time", re.compile(r"\b(?P<h1>\d{1,2})(?:[:h](?P<m1>\d{2})\b| ?(?P<ap1>am|pm)\b)")),
    (
        "time_at",
        re.compile(r"\b(?:a|at|by|before|until|jusqu'a|avant|des|from|de) (?P<h1>\d{1,2}) ?h\b(?!\w)"),
    ),
    (
        "dur",
        re.compile(
            r"(?<![\w.,])(?P<n>" + _NUMW + r"|a|an|one|un|une)[ -](?P<q>business |working |calendar )?"
            r"(?P<u>days?|jours?|weeks?|semaines?|months?|mois|hours?|heures?|hrs?|h|minutes?|mins?|years?|ans|"
            r"annees?)\b(?P<q2> ouvres| ouvrables| calendaires)?"
        ),
    ),
    ("dur_compact", re.compile(r"(?<![\w.,])(?P<n>\d+)(?P<u>h|d|j)\b")),
    ("weekday", re.compile(r"\b(?P<w>" + "|".join(_WEEKDAYS) + r")\b")),
    (
        "reldate",
        re.compile(
            r"\b(?:tomorrow|tonight|next (?:week|month|monday|friday)|this (?:week|weekend)|end of (?:the )?"
            r"(?:week|month)|demain|ce soir|la semaine prochaine|le mois prochain|cette semaine|ce week-end|"
            r"fin de (?:la )?semaine|fin du mois|d'ici (?:la fin de )?(?:la semaine|vendredi|demain))\b"
        ),
    ),
    ("batch", re.compile(r"\b(?P<id>[a-z]{1,2}\d{4,6})\b")),
    # the digits split once: "CA26-0437", "MB24-36512"
    ("batch", re.compile(r"(?<![\w-])(?P<id>[a-z]{1,4}\d{1,4}-\d{3,6})(?![\w-])")),
    ("batch_lot", re.compile(r"\b(?:lot|lots|batch|batches|n°|no\.?) (?P<id>\d{4,6})\b")),
    ("year", re.compile(r"(?<![\w/.,-])(?P<y>(?:19|20)\d{2})(?![\w/.,-]\d)")),
    ("num", re.compile(r"(?<![\w.,/:])(?P<n>" + _NUMBER + r")(?![\w/:]|[.,]\d)")),
    ("numword", re.compile(r"\b(?P<n>" + "|".join(_NUM_WORDS) + r")\b")),
]


_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}
_UNIT_WORD = {
    "d": " days",
    "bd": " business days",
    "mo": " months",
    "h": " hours",
    "min": " minutes",
    "y": " years",
}


def describe(key: str) -> str:
    """A fact key as a reviewer would write it: "money:EUR:5" -> "€5", "dur:14d" -> "14 days"."""
    kind, _, rest = key.partition(":")
    if kind == "money":
        cur, _, v = rest.partition(":")
        return _SYMBOL.get(cur, cur + " ") + v
    if kind == "dur":
        m = re.fullmatch(r"([\d.]+)(bd|d|mo|h|min|y)", rest.replace("bd", "bd"))
        if m:
            return m.group(1) + _UNIT_WORD[m.group(2)]
    if kind == "pct":
        return rest + "%"
    return rest


def parse_number(s: str) -> float:
    s = s.replace(" ", "")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = head.replace(",", "") + ("." + tail if len(tail) != 3 else tail)
    elif s.count(".") == 1 and len(s.rpartition(".")[2]) == 3:
        s = s.replace(".", "")  # "1.500" written the French way
    else:
        s = s.replace(".", "", s.count(".") - 1)
    return float(s)


def _num(s: str) -> float:
    return float(_NUM_WORDS[s]) if s in _NUM_WORDS else float(_UNIT_ARTICLES.get(s, 0)) or parse_number(s)


def _fmt(v: float) -> str:
    return f"{v:g}"


def _date_keys(y: str | None, m: int, d: int) -> tuple[str, ...] | None:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    keys = [f"date:{m:02d}-{d:02d}"]
    if y:
        keys.append(f"dated:{_year(y)}-{m:02d}-{d:02d}")
    return tuple(keys)


def _year(y: str) -> str:
    return y if len(y) == 4 else "20" + y


def _hour(h: str, m: str | None, ap: str | None) -> str | None:
    hh = int(h)
    if ap == "pm" and hh < 12:
        hh += 12
    if ap == "am" and hh == 12:
        hh = 0
    mm = int(m) if m else 0
    return f"time:{hh:02d}:{mm:02d}" if hh <= 24 and mm < 60 else None


def _make(kind: str, m: re.Match[str], text: str) -> list[Fact]:
    g = m.groupdict()
    s, e = m.start(), m.end()
    if kind in ("money_pre", "money_post"):
        v = parse_number(g["n"])
        cur = _CURRENCY.get(g["cur"].strip(), "EUR")
        return [Fact("money", (f"money:{cur}:{_fmt(v)}",), s, e, v)]
    if kind == "pct":
        v = parse_number(g["n"])
        return [Fact("pct", (f"pct:{_fmt(v)}",), s, e, v)]
    if kind in ("iso", "dmy"):
        keys = _date_keys(g["y"], int(g["m"]), int(g["d"]))
        if kind == "dmy" and keys is None:  # 12/31/2026 written the US way
            keys = _date_keys(g["y"], int(g["d"]), int(g["m"]))
        return [Fact("date", keys, s, e)] if keys else []
    if kind in ("dm_name", "md_name"):
        mn = g["mn"]
        if mn == "may" and not text[m.start("mn")].isupper():
            return []
        keys = _date_keys(g.get("y"), _MONTHS[mn], int(g["d"]))
        return [Fact("date", keys, s, e)] if keys else []
    if kind in ("my", "my_name"):
        mo = _MONTHS[g["mn"]] if kind == "my_name" else int(g["m"])
        return [Fact("my", (f"my:{_year(g['y'])}-{mo:02d}",), s, e)] if 1 <= mo <= 12 else []
    if kind == "month":
        if g["mn"] == "may" and not text[m.start("mn")].isupper():
            return []
        return [Fact("month", (f"month:{_MONTHS[g['mn']]:02d}",), m.start("mn"), e)]
    if kind in ("time_range", "time", "time_at"):
        out = []
        for i in ("1", "2"):
            if g.get("h" + i) is None:
                continue
            ap = g.get("ap" + i) or (g.get("ap2") if i == "1" else None)
            key = _hour(g["h" + i], g.get("m" + i), ap)
            if key:
                end = m.end("m" + i) if g.get("m" + i) else m.end("h" + i)
                out.append(Fact("time", (key,), m.start("h" + i), end))
        return out
    if kind in ("dur", "dur_compact"):
        raw_unit = g["u"]
        if kind == "dur_compact":
            raw_unit = {"d": "days", "j": "jours", "h": "hours"}[raw_unit]
        if g["n"] in _UNIT_ARTICLES and raw_unit in ("an", "h", "hr", "hrs", "min", "mins"):
            return []
        unit, mult = _UNITS[raw_unit]
        qual = (
            "b"
            if (g.get("q") or "").strip() in ("business", "working")
            or ((g.get("q2") or "").strip() in ("ouvres", "ouvrables"))
            else ""
        )
        v = _num(g["n"]) * mult
        return [Fact("dur", (f"dur:{_fmt(v)}{qual}{unit}",), s, e, v)]
    if kind == "weekday":
        return [Fact("weekday", (f"weekday:{_WEEKDAYS[g['w']]}",), s, e)]
    if kind == "reldate":
        return [Fact("reldate", (f"reldate:{m.group(0)}",), s, e)]
    if kind in ("batch", "batch_lot"):
        ident = g["id"].upper()
        return [Fact("batch", (f"batch:{re.sub(r'^[A-Z]+', '', ident)}",), m.start("id"), m.end("id"))]
    if kind == "year":
        return [Fact("year", (f"year:{g['y']}",), s, e, float(g["y"]))]
    v = _num(g["n"])
    return [Fact("num", (f"num:{_fmt(v)}",), s, e, v)]


def extract_facts(text: str) -> list[Fact]:
    """Facts in `text`, non-overlapping, earliest pattern wins; spans refer to `text`."""
    folded = fold(text)
    # One byte per character marks what a fact already covers: linear, whatever the number of facts.
    taken = bytearray(len(text) + 1)
    facts: list[Fact] = []

    def claim(fact: Fact | None, start: int, end: int) -> bool:
        if taken.find(1, start, end) != -1:
            return False
        if fact is not None:
            facts.append(fact)
        taken[start:end] = b"\x01" * (end - start)
        return True

    for m in URL_RX.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        key = "url:" + re.sub(r"^(?:https?://)?(?:www\.)?", "", fold(url)).rstrip("/")
        claim(Fact("url", (key,), m.start(), m.start() + len(url)), m.start(), m.start() + len(url))
    for m in EMAIL_RX.finditer(folded):
        claim(Fact("email", ("email:" + m.group(0),), m.start(), m.end()), m.start(), m.end())
    for rx in PHONE_RXS:
        for m in rx.finditer(text):
            if phone_ok(m.group(0)):
                claim(
                    Fact("phone", ("phone:" + phone_key(m.group(0)),), m.start(), m.end()), m.start(), m.end()
                )
    for kind, rx in _RX:
        for m in rx.finditer(folded):
            if taken.find(1, m.start(), m.end()) != -1:
                continue
            made = _make(kind, m, text)
            if made:
                facts.extend(made)
                claim(None, m.start(), m.end())
    facts.sort(key=lambda f: f.start)
    return facts
