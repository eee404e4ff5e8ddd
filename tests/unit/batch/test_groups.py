"""A group's core answer personalised per author, and the rule that holds a member back."""

from __future__ import annotations

from assistant.batch.groups import body, core_from_text, core_text, details, hold_reason, personalise
from assistant.drafting.composer import render
from assistant.models import Comment, Draft, DraftOut, DraftSentence, Flag

CORE = {
    "out": DraftOut(sentences=[DraftSentence(text="Hi,"),
                               DraftSentence(text="Batches L4821 and L4822 are recalled.", sources=["fs::0"]),
                               DraftSentence(text="Call 0800 55 12 12.", sources=["contact::0"])]).model_dump(),
    "language": "en", "comment": "Is batch L4822 recalled?", "flags": ["missing_fact"],
}


def test_the_core_gets_each_authors_greeting_and_keeps_its_sources() -> None:
    x = personalise(CORE, Comment(text="Is batch L4822 recalled??", author_handle="sarah_m", platform="x"))
    fb = personalise(CORE, Comment(text="Is batch L4822 recalled?", author="Paul Dupont", platform="facebook"))
    assert render(x).startswith("Hi @sarah_m,") and render(fb).startswith("Hi Paul,")
    assert [s.sources for s in x.sentences[1:]] == [["fs::0"], ["contact::0"]]
    anon = personalise(CORE, Comment(text="Is batch L4822 recalled?"))
    assert render(anon).startswith("Hi,") and render(anon).count("Hi,") == 1


def test_the_authors_own_detail_is_echoed_only_when_the_core_did_not_have_it() -> None:
    assert details("I have batch L4821 and L4822", "Is batch L4822 recalled?") == ["L4821"]
    out = personalise(CORE, Comment(text="Is batch L9999 recalled?", author="Ann"))
    assert out.sentences[1].text == "You mentioned L9999."
    fr = personalise(CORE | {"language": "fr"}, Comment(text="Le lot L9999 est-il rappelé ?", author="Luc"))
    assert render(fr).startswith("Bonjour Luc,") and fr.sentences[1].text == "Vous mentionnez L9999."


def test_an_edited_core_keeps_the_sources_of_unchanged_sentences() -> None:
    edited = core_from_text("Batches L4821 and L4822 are recalled. Please keep your receipt.", CORE)
    sentences = DraftOut.model_validate(edited["out"]).sentences
    assert [s.sources for s in sentences] == [["fs::0"], []]
    expected = "Batches L4821 and L4822 are recalled. Call 0800 55 12 12."
    assert core_text(DraftOut.model_validate(CORE["out"])) == expected
    assert len(body(DraftOut.model_validate(CORE["out"]))) == 2


def _draft(*flags: Flag) -> Draft:
    return Draft(id="d", text="t", language="en", provider="offline", model="m", prompt_version="v",
                 flags=list(flags))


def test_a_member_is_held_for_a_high_flag_or_a_new_medium_one() -> None:
    assert hold_reason(_draft(Flag(code="missing_fact", severity="medium", message="m")), ["missing_fact"]) is None
    assert hold_reason(_draft(Flag(code="tone", severity="low", message="m")), []) is None
    reason = hold_reason(_draft(Flag(code="unsupported_claim", severity="medium", message="m")), ["missing_fact"])
    assert reason is not None and "unsupported_claim" in reason
    assert "pii_echo" in (hold_reason(_draft(Flag(code="pii_echo", severity="high", message="m")), ["pii_echo"]) or "")
