"""Fact sheets read by meaning: headings the sample never uses, body cues, sentence tags, incident type."""

from __future__ import annotations

import pytest

from assistant.drafting.factsheet import classify_heading, read, section_of, sentence_tags
from assistant.models import SearchHit
from tests.unit.drafting.sheets import BOIL_WATER, hits

HEADINGS = {
    "Ce que nous ignorons encore": "unknown",
    "Questions still open": "unknown",
    "What we know so far": "happened",
    "Produits concernés": "affected",
    "Which streets are affected": "affected",
    "Health advice for parents": "health",
    "Advice for residents": "todo",
    "Que faire si vous avez acheté ce produit": "todo",
    "Dédommagement": "compensation",
    "Refunds": "compensation",
    "Our actions so far": "actions",
    "How to reach us": "contact",
    "Prochaine mise à jour": "next",
    "Chronologie des faits": "timeline",
    "Service restored": "resolution",
    "Fact sheet > Ce que nous ne savons pas": "unknown",
}


@pytest.mark.parametrize(("heading", "section"), HEADINGS.items())
def test_headings_by_meaning(heading: str, section: str) -> None:
    assert classify_heading(heading) == section


def _hit(heading: str, text: str, doc: str = "d") -> SearchHit:
    return SearchHit(doc_id=doc, chunk_id=f"{doc}::0", title="t", kind="fact_sheet", language="fr",
                     approved=True, score=0, text=text, heading=heading)


def test_unknown_heading_falls_back_on_the_body() -> None:
    assert section_of(_hit("Avis > Divers", "Appelez le 0 800 11 22 33 ou https://eau.example"), True) == "contact"
    assert section_of(_hit("Notes > Misc", "We don't know yet when it will end."), True) == "unknown"
    # Text under the title of a sheet that has sections is its preamble (version line), not a fact.
    assert section_of(_hit("Avis", "Version 3 du 2 mars."), True) == "preamble"


def test_sentence_tags() -> None:
    assert "stop" in sentence_tags("Do not drink tap water without boiling it.")
    assert "stop" in sentence_tags("Ne consommez pas ces yaourts.")
    assert "health" in sentence_tags("If you feel unwell, see a doctor.")
    assert {"phone", "contact"} <= sentence_tags("Call 0 800 11 22 33.")
    assert {"link", "contact"} <= sentence_tags("Details at https://eau.example/avis")
    assert "next" in sentence_tags("Prochain point demain à 9 h.")


def test_read_a_sheet_with_its_own_headings() -> None:
    sheet = read(hits(BOIL_WATER), "en")
    assert sheet.sections == ["happened", "affected", "todo", "health", "compensation", "unknown", "actions",
                              "next", "contact"]
    assert "preamble" not in sheet.sections and "outage" in sheet.types
    assert all(f.section != "preamble" or f.text.startswith("Notice") for f in sheet.facts)
    health = [f.text for f in sheet.tagged("health")]
    assert any("doctor" in t for t in health)
