"""Public updates without a knowledge base: what is chosen first, one real version per channel."""

from __future__ import annotations

import re

from assistant.drafting.factsheet import read
from assistant.drafting.updates import (
    BLOCK_LABELS,
    hashtags,
    missing_sections,
    moved,
    plan,
    render_long,
    render_x,
    x_length,
)
from assistant.models import Flag
from tests.unit.drafting.sheets import BOIL_WATER, GUIDELINE, hits

MARKDOWN = re.compile(r"(\*\*|__|`|^\s*#{1,6}\s|^\s*[-*•]\s+)", re.MULTILINE)


def _sheet(text: str = BOIL_WATER):  # type: ignore[no-untyped-def]
    return read(hits(text), "en")


def test_x_carries_the_essentials_within_280_with_the_link() -> None:
    sheet = _sheet()
    for kind in ("holding", "progress"):
        text = " ".join(s.text for s in render_x(plan(sheet, kind), sheet, kind, ["#WestbrookWater"], "en").sentences)
        assert len(text) <= 280 and x_length(text) <= 280
        assert "Do not drink tap water" in text  # the public's first need
        assert "https://westbrook-water.example/notice" in text and text.endswith("#WestbrookWater")
        assert not MARKDOWN.search(text)
    progress = " ".join(s.text for s in render_x(plan(sheet, "progress"), sheet, "progress", [], "en").sentences)
    assert "5 March 2027" in progress  # a progress update says when the next one comes


def test_long_channels_are_complete_and_each_in_its_own_layout() -> None:
    sheet = _sheet()
    pieces = plan(sheet, "holding")
    texts = {layout: render_long(pieces, layout, "en", "We are acting.", "Update", [])[1]
             for layout in ("facebook", "linkedin", "website")}
    assert len(set(texts.values())) == 3
    for text in texts.values():
        for fact in ("Mill Road", "2,400", "boiling", "doctor", "15 days", "don't know yet", "flushing",
                     "5 March 2027", "0 800 11 22 33", "https://westbrook-water.example/notice"):
            assert fact in text, (fact, text)
        # The shape: facts, then what to do, what is not known, what we do, next update, where to get help.
        labels = BLOCK_LABELS["en"]
        order = [text.find(labels[b]) for b in ("facts", "todo", "unknown", "actions", "next", "contact")]
        assert order == sorted(order) and -1 not in order
    assert "## What you should do" in texts["website"] and "\n- Do not drink" in texts["website"]
    assert "\n• Do not drink" in texts["facebook"] and "#" not in texts["linkedin"]
    assert "Notice 3, 4 March" not in texts["website"]  # the preamble is not a fact to publish


def test_a_recall_puts_do_not_eat_before_the_chronology() -> None:
    sheet = read(hits("""# Recall of Fromagerie Vallon yoghurts

## Les faits
Fromagerie Vallon rappelle ses yaourts nature 4 x 125 g du lot 2291B.

## Chronologie
Le 2 mars 2027, un contrôle a détecté une listeria.
Le 3 mars 2027, un laboratoire l'a confirmé.

## Conseils aux consommateurs
Ne consommez pas les yaourts du lot 2291B et rapportez-les en magasin pour être remboursé.
En cas de fièvre, consultez votre médecin.

## Contact
Service consommateurs : 0 800 44 55 66.
"""), "fr")
    assert "recall" in sheet.types
    x = " ".join(s.text for s in render_x(plan(sheet, "progress"), sheet, "progress", [], "fr").sentences)
    assert "Ne consommez pas" in x and "0 800 44 55 66" in x and "contrôle" not in x
    site = render_long(plan(sheet, "progress"), "website", "fr", "Voici où nous en sommes.", "Point", [])[1]
    assert site.find("Ne consommez pas") < site.find("## Chronologie") < site.find("0 800 44 55 66")


def test_missing_only_what_the_sheet_really_lacks() -> None:
    assert missing_sections(_sheet(), "holding") == []
    bare = _sheet("# Notice\n\n## Situation\n\nA contamination was detected on 3 March 2027.\n")
    assert missing_sections(bare, "progress") == ["next update", "contact / where to get help"]
    assert missing_sections(bare, "resolution")[0] == "resolution"


def test_hashtags_only_where_the_guideline_allows_them() -> None:
    allowed = hashtags(hits(GUIDELINE, "guideline", "guideline"))
    assert allowed == {"x": ["#WestbrookWater"], "facebook": ["#WestbrookWater"]}
    assert hashtags([]) == {}


def test_flags_follow_their_words_into_another_layout() -> None:
    src = "Title\n\n- We refund you.\n- Call us."
    dst = "Title\n• We refund you.\n• Call us."
    flag = Flag(code="unapproved_commitment", severity="high", message="m", span=(src.find("refund"),
                                                                                  src.find("refund") + 6))
    gone = Flag(code="x", severity="low", message="m", span=(src.find("Call"), src.find("Call") + 4))
    out = moved([flag, gone], src, dst.replace("• Call us.", ""))
    assert [f.span for f in out] == [(dst.find("refund"), dst.find("refund") + 6)]
