"""The reviewer's sentence view: citations and flags placed on the sentences the guards split."""

from __future__ import annotations

from assistant.models import Flag
from assistant.review.sentences import sentence_view
from assistant.text import split_sentences
from tests.utils.builders import citation, draft, flag

TEXT = "Hi Sarah, batch L4822 is recalled. Please do not eat it. We refund everyone 500 EUR. Call 0800 123 456."


def at(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_sentences_are_the_guards_split_with_their_citations() -> None:
    d = draft(TEXT, citations=[citation(sentence=0), citation(chunk_id="faq#2", sentence=1),
                               citation(chunk_id="hotline#0", sentence=3), citation(sentence=None),
                               citation(sentence=9)])
    view = sentence_view(d)
    assert [(s.start, s.end) for s in view.sentences] == split_sentences(TEXT)
    assert [s.text for s in view.sentences] == ["Hi Sarah, batch L4822 is recalled.", "Please do not eat it.",
                                                "We refund everyone 500 EUR.", "Call 0800 123 456."]
    assert [s.citations for s in view.sentences] == [[0], [1], [], [2]]
    assert view.unplaced_citations == [3, 4]  # no sentence named, or one the current text does not have
    assert view.draft == d


def test_flags_land_on_the_sentences_their_span_covers() -> None:
    flags = [flag("high", span=at("refund everyone 500 EUR")),
             flag("medium", code="tone", span=at("do not eat it. We refund")),  # across two sentences
             flag("low", code="length", span=None),
             flag("high", code="stale", span=(len(TEXT) - 3, len(TEXT) + 40)),  # past the end: text was edited
             Flag(code="prompt_injection", severity="high", message="override", span=(0, 6),
                  source="injection:override")]
    view = sentence_view(draft(TEXT, flags=flags))
    assert [s.flags for s in view.sentences] == [[], [1], [0, 1], []]
    assert view.general_flags == [2, 3]
    assert view.comment_flags == [4]  # the comment's injection scan: its span is in the comment


def test_a_text_without_sentence_end_is_one_sentence() -> None:
    view = sentence_view(draft("  thanks  ", citations=[]))
    assert [(s.index, s.start, s.end, s.text) for s in view.sentences] == [(0, 2, 8, "thanks")]
