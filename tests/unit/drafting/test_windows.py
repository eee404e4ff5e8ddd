"""A day or a range of days the author gives against the period the knowledge says is affected."""

from __future__ import annotations

import pytest

from assistant.drafting.answers import Picker, answer_question
from assistant.drafting.candidates import candidates
from assistant.drafting.items import known_items
from assistant.drafting.questions import find_questions
from assistant.drafting.windows import asked_days, window_verdict
from assistant.text import fold
from tests.unit.drafting.test_answers import hit

HOTELS = [
    hit(0, "Who is concerned", "Direct bookings for a stay between 5 December 2026 and 28 February 2027 are "
                               "concerned.\nStays before 5 December 2026 or after 28 February 2027 are not "
                               "concerned."),
    hit(1, "Contact", "Call 0 800 555 214, every day from 7:00 to 23:00."),
]


@pytest.mark.parametrize(("text", "verdict", "says"), [
    ("I booked directly for 10-12 March, is that one affected?", "no", "after 28 February 2027"),
    ("we booked for 3-5 January, are we affected?", "yes", "between 5 December 2026"),  # January of 2027
    ("booked for 20-22 December 2026, are we concerned?", "yes", "between"),
])
def test_a_range_of_days_inside_or_outside_the_period(text: str, verdict: str, says: str) -> None:
    got = window_verdict(fold(text), candidates(HOTELS, "en"))
    assert got is not None and got[0] == verdict and says in got[1].text


@pytest.mark.parametrize("text", [
    "booked for 3-6 December, am I affected?",  # partly in: the line decides nothing
    "I got the e-mail on 2 December, is my booking affected?",  # the day a mail came, not the stay
    "booked for 3-5 January and 10-12 March, affected?",  # two ranges
])
def test_no_verdict_when_the_days_do_not_decide(text: str) -> None:
    assert window_verdict(fold(text), candidates(HOTELS, "en")) is None


def test_french_ranges_and_the_reply() -> None:
    assert asked_days(fold("Réservé en direct pour le 3 au 5 mars à Strasbourg")) == ((3, 3, None), (5, 3, None))
    hits = [hit(0, "Périmètre", "Les séjours avant le 5 décembre 2026 ou après le 28 février 2027 ne sont pas "
                                "concernés.", language="fr")]
    cands = candidates(hits, "fr")
    (q,) = find_questions("Réservé en direct pour le 3 au 5 mars à Strasbourg, je suis concernée ?", known_items(cands))
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict == "no" and ans.sentences[0][0].startswith("Non : les séjours")
