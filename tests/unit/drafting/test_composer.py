"""The offline composer's reply shape: what a safety reply must carry, how much room an answer gets on a
short platform, and what follows "not known yet"."""

from __future__ import annotations

from assistant.drafting.composer import compose, render
from assistant.drafting.retrieval import Context
from assistant.models import Comment, Triage
from tests.unit.drafting.test_answers import hit


def tri(intent: str = "question", escalate: list[str] | None = None) -> Triage:
    return Triage(language="en", sentiment="negative", intent=intent, severity="medium", priority=2,  # type: ignore[arg-type]
                  should_respond=True, escalate_to=escalate or [])  # type: ignore[arg-type]


def draft(text: str, hits: list, platform: str = "facebook", **kw: object) -> str:
    t = tri(**kw)  # type: ignore[arg-type]
    return render(compose(Comment(text=text, author="Ana", platform=platform), text, t,
                          Context(language="en", sources=hits), platform=platform, ranker="off"))


CANTEEN = [
    hit(0, "Health", "See a doctor if your child has a fever above 39 °C.\nIn an emergency, call 15."),
    hit(1, "Situation", "About 212 children ate the meal on 1 December 2026."),
]


def test_a_safety_reply_carries_the_emergency_number() -> None:
    text = draft("My son ate at the canteen, he has been vomiting since lunch and is very pale.", CANTEEN,
                 intent="safety", escalate=["safety"])
    assert "call 15" in text


WATER = [
    hit(0, "Free bottled water", "Bottled water is handed out free of charge at the Jacques-Plante arena, 150 rue du "
                                 "Parc, and at the Saint-Alban community centre, 22 rue des Érables, every day from "
                                 "9 a.m. to 7 p.m., up to 6 litres per person per day."),
    hit(1, "Showers", "You can take a shower without boiling the water, but avoid swallowing it."),
]


def test_an_address_answer_may_take_most_of_a_short_platform() -> None:
    text = draft("where do I pick up the free water?", WATER, platform="x")
    assert "Jacques-Plante arena" in text and "6 litres" in text and len(text) <= 280


AGENCY = [
    hit(0, "Not known yet", "We do not know yet when the Saint-Priest agency will reopen."),
    hit(1, "Situation", "On 29 November 2026 a fire broke out in the hall of our Saint-Priest agency.\n"
                        "About 14,200 parcels were destroyed in the Saint-Priest agency hall."),
    hit(2, "Updates", "The next update will be published on 4 December 2026 at 17:00 on https://p.example/fire."),
]


def test_not_known_yet_comes_with_the_next_update_on_x() -> None:
    text = draft("And the Saint-Priest agency, when does it reopen?", AGENCY, platform="x")
    assert "We do not know yet when the Saint-Priest agency will reopen." in text
    assert "4 December 2026" in text and len(text) <= 280


COSTS = [
    hit(0, "Costs caused by the error", "Costs caused by the wrong score (for example a fee to reschedule an "
                                        "appointment) are reimbursed on receipts up to €300 per candidate.\n"
                                        "Claims are made at https://e.example/costs before 31 March 2027.",
        kind="policy"),
    hit(1, "Letters", "On request, we send an official letter explaining the error: form at "
                      "https://e.example/letter."),
]


def test_an_amount_comes_with_the_way_to_claim_it_written_next_to_it() -> None:
    text = draft("I had to pay a fee to reschedule my appointment because of your mistake. Will you reimburse it?",
                 COSTS)
    assert "€300" in text and "https://e.example/costs" in text


SEATS = [
    hit(0, "Situation", "About 21,400 seats are affected.\nNo child was injured."),
    hit(1, "Contacts", "Journalists: press@mimbo.example."),
]


def test_a_journalist_gets_the_press_office_and_the_public_facts_unless_the_guideline_says_not() -> None:
    text = "Tom Baxter, ParentWeek magazine. How many seats are affected? I'd like a comment for Friday's issue."
    t = tri(intent="press", escalate=["press"])

    def reply(guideline: str) -> str:
        ctx = Context(language="en", sources=SEATS, guideline=[hit(9, "Press", guideline, kind="guideline")])
        return render(compose(Comment(text=text, author="Tom", platform="x"), text, t, ctx, platform="x",
                              ranker="off"))

    said = reply("Journalists go to press@mimbo.example.")
    assert "press@mimbo.example" in said and "21,400" in said
    quiet = reply("Journalists: pass them to the press office; never give figures or quotes yourself.")
    assert "press@mimbo.example" in quiet and "21,400" not in quiet
