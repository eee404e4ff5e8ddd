"""Whether a date the author gives falls in the period the knowledge says is affected.

"I booked directly for 10-12 March, is that one affected?" against "Direct bookings for a stay between
5 December 2026 and 28 February 2027 are concerned" (or "Stays before 5 December 2026 or after 28
February 2027 are not concerned"): a no, said with the sentence that draws the line. A date or a range of
days ("10-12 March", "du 3 au 5 mars", "on 2 December") is in the period when every day of it is, out of it
when none is; partly in, or several periods, says nothing. A date without a year takes the year that puts
it nearest the period (a January stay in a December-to-February period is the January inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.drafting.candidates import NEGATION, Candidate

_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_MONTH = "|".join(_MONTH_NAMES)
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er)?"
_YEAR = r"(?:\s+(20\d\d))?"
# "10-12 March", "du 3 au 5 mars", "from 3 to 5 March 2027", "3 et 4 mars"
_DAY_RANGE = re.compile(rf"\b{_DAY}\s*(?:-|–|to|au|a|and|et|et le)\s*{_DAY}\s+({_MONTH}){_YEAR}\b")
# "for 2 December", "pour le 3 mars": the day a booking or a ticket is for (not the day an e-mail came)
_ONE_DAY = re.compile(rf"\b(?:for|pour)\s+(?:the\s+|le\s+)?{_DAY}\s+({_MONTH}){_YEAR}\b")
# A period: "between 5 December 2026 and 28 February 2027", "du 5 décembre au 28 février", "from ... to ..."
_PERIOD = re.compile(rf"\b(?:between|from|entre le|entre|du|from the)\s+{_DAY}\s+({_MONTH}){_YEAR}\s+"
                     rf"(?:and|to|et le|et|au|until|jusqu'au)\s+{_DAY}\s+({_MONTH}){_YEAR}\b")
# Its complement said in the negative: "stays before 5 December 2026 or after 28 February 2027 are not concerned"
_OUTSIDE = re.compile(rf"\b(?:before|avant le|avant)\s+{_DAY}\s+({_MONTH}){_YEAR}\s+(?:or|ou)\s+"
                      rf"(?:after|apres le|apres)\s+{_DAY}\s+({_MONTH}){_YEAR}\b")
_SCOPE = re.compile(r"\b(concern\w*|affect\w*|cancel\w*|annul\w*|touch\w*|impact\w*|included|inclus\w*)\b")


@dataclass(frozen=True)
class Period:
    start: tuple[int, int, int | None]  # day, month, year (None: not said)
    end: tuple[int, int, int | None]
    sentence: Candidate
    negative: bool  # said as what is NOT concerned (before / after)


def _day(d: str, m: str, y: str | None) -> tuple[int, int, int | None]:
    return int(d), _MONTH_NAMES[m], int(y) if y else None


def periods(cands: list[Candidate]) -> list[Period]:
    """The affected periods the knowledge states, in sentences about scope."""
    out = []
    for c in cands:
        if c.unknown or not _SCOPE.search(c.folded):
            continue
        for m in _OUTSIDE.finditer(c.folded):
            if NEGATION.search(c.folded[m.end():]) or NEGATION.search(c.folded[:m.start()]):
                out.append(Period(_day(*m.group(1, 2, 3)), _day(*m.group(4, 5, 6)), c, True))
        for m in _PERIOD.finditer(c.folded):
            if not NEGATION.search(c.folded):
                out.append(Period(_day(*m.group(1, 2, 3)), _day(*m.group(4, 5, 6)), c, False))
    return out


def asked_days(folded: str) -> tuple[tuple[int, int, int | None], tuple[int, int, int | None]] | None:
    """The one range of days a question gives ("10-12 March"), or the one day a booking is "for"; None for
    none or several."""
    ranges = [(_day(m.group(1), m.group(3), m.group(4)), _day(m.group(2), m.group(3), m.group(4)))
              for m in _DAY_RANGE.finditer(folded)]
    if ranges:
        return ranges[0] if len(ranges) == 1 else None
    days = [_day(*m.group(1, 2, 3)) for m in _ONE_DAY.finditer(folded)]
    return (days[0], days[0]) if len(days) == 1 else None


def _as_date(d: tuple[int, int, int | None], year: int) -> date | None:
    try:
        return date(d[2] or year, d[1], d[0])
    except ValueError:
        return None


def window_verdict(folded: str, cands: list[Candidate]) -> tuple[str, Candidate] | None:
    """("yes" | "no", the sentence that draws the line) for a question giving a day or a range of days,
    when the knowledge states one affected period with its years; None otherwise."""
    asked = asked_days(folded)
    found = periods(cands)
    spans = {(p.start, p.end) for p in found}
    if asked is None or len(spans) != 1:
        return None
    positive = next((p for p in found if not p.negative), None)
    negative = next((p for p in found if p.negative), None)
    period = positive or negative
    assert period is not None
    if period.start[2] is None or period.end[2] is None:
        return None
    lo, hi = _as_date(period.start, period.start[2]), _as_date(period.end, period.end[2])
    if lo is None or hi is None or lo > hi:
        return None
    middle = lo + (hi - lo) / 2
    best: tuple[date, date] | None = None
    for year in {lo.year - 1, lo.year, hi.year, hi.year + 1}:
        a, b = _as_date(asked[0], year), _as_date(asked[1], year)
        if a is None or b is None or a > b:
            continue
        if best is None or abs(a - middle) < abs(best[0] - middle):
            best = (a, b)
    if best is None:
        return None
    a, b = best
    if lo <= a and b <= hi:
        return ("yes", positive.sentence) if positive is not None else None
    if b < lo or a > hi:
        return "no", (negative or period).sentence
    return None
