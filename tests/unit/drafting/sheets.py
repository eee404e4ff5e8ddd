"""Fact sheets for the update tests, in sectors and layouts the sample knowledge does not use."""

from __future__ import annotations

from assistant.knowledge.chunking import chunk_document
from assistant.models import DocumentIn, SearchHit

BOIL_WATER = """# Boil-water notice: Westbrook water supply

Notice 3, 4 March 2027, 07:00.

## Situation

A bacterial contamination was detected in the Westbrook water supply on 3 March 2027.

## Streets concerned

The notice covers Mill Road, Station Street and Hill Lane.
About 2,400 homes are concerned.

## Advice for residents

Do not drink tap water without boiling it for one minute.
Bottled water is handed out at the town hall from 8:00 to 20:00.

## Health

If you feel unwell after drinking tap water, see a doctor and mention the notice.

## Water bill

Every home concerned gets a credit of 15 days on its next water bill.

## Questions still open

We don't know yet when the water will be safe to drink again.

## Our work

Engineers are flushing the network street by street.

## Next notice

The next update will be published on 5 March 2027 at 12:00.

## Contact

Water helpline: 0 800 11 22 33 (free, 24 hours a day).
Live map: https://westbrook-water.example/notice
"""

GUIDELINE = """# Social media guideline

## Hashtags

Use #WestbrookWater on X and Facebook only.
No hashtags on LinkedIn or the website.
"""


def doc(text: str, doc_id: str = "boil-water", kind: str = "fact_sheet", language: str = "en") -> DocumentIn:
    return DocumentIn(id=doc_id, title="Boil-water notice", kind=kind, language=language, approved=True,
                      incident="water-2027-03" if kind == "fact_sheet" else None, text=text)


def hits(text: str, doc_id: str = "boil-water", kind: str = "fact_sheet") -> list[SearchHit]:
    d = doc(text, doc_id, kind)
    return [SearchHit(doc_id=d.id, chunk_id=c.id, title=d.title, kind=d.kind, language=d.language, approved=True,
                      score=0, text=c.text, heading=c.heading, incident=d.incident) for c in chunk_document(d)]
