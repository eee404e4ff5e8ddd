"""Gap detection and grouping on a SQLite store, without the drafting chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import Conflict, Forbidden, NotFound
from assistant.models import Citation, Flag, Triage, Verified
from assistant.reports.gaps import draft_entry, find_gaps, question_of
from assistant.review import lifecycle as review
from assistant.review.store import Database
from tests.utils.builders import make_keys, seed

UNSUPPORTED = "Batch L9999 is also recalled."


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'g.db'}")


def _seed(db: Database, agent: object, text: str, comment_text: str, **fields: object) -> str:
    tri = Triage(language="en", intent="question")
    return seed(db, agent, incident="inc", triage=tri, text=text,  # type: ignore[arg-type]
                comment_fields={"text": comment_text}, **fields).id


def test_each_reason_is_recorded_and_similar_questions_grouped(db: Database) -> None:
    keys = make_keys(db)
    agent = keys["agent"].principal
    _seed(db, agent, "Hi. What we don't know yet: the cause.", "Why did this happen?? My kids ate it")
    _seed(db, agent, "Hi, thanks.", "Why did this contamination happen?", citations=[])
    _seed(db, agent, "Hi. Batch L4822 is recalled.", "Which batch is recalled?")  # answered and cited: no gap
    flagged = f"Hi. {UNSUPPORTED} Call 0800 123 456."
    d = _seed(db, agent, flagged, "Are other batches recalled? Call me at +33 6 12 34 56 78",
              flags=[Flag(code="unsupported_claim", severity="high", message="m",
                          span=(flagged.index(UNSUPPORTED), flagged.index(UNSUPPORTED) + len(UNSUPPORTED)))],
              citations=[Citation(doc_id="a", chunk_id="a::0", title="t", quote="q")])
    kept = "Hi. Call 0800 123 456."
    review.edit(db, d, kept, 1, agent, Verified(text=kept, citations=[Citation(doc_id="a", chunk_id="a::0",
                                                                                 title="t", quote="q")]))
    gaps = find_gaps(db, "inc")
    assert gaps.questions == 3 and gaps.count == 2
    why, other = gaps.data
    assert why.count == 2 and why.reasons == {"unknown": 1, "no_source": 1}
    assert other.reasons == {"claim_removed": 1} and "+33" not in other.question  # personal data masked
    assert other.question.startswith("Are other batches recalled?")


def test_question_is_the_question_sentences() -> None:
    assert question_of("I bought it yesterday. Is it safe? Thanks") == "Is it safe?"
    assert question_of("I want my money back.") == "I want my money back."


def test_entries_are_for_leads_once_per_gap(db: Database) -> None:
    keys = make_keys(db)
    _seed(db, keys["agent"].principal, "Hi, thanks.", "Is the oat milk affected?", citations=[])
    key = find_gaps(db, "inc").data[0].key
    with pytest.raises(Forbidden):
        draft_entry(db, "inc", key, keys["agent"].principal)
    with pytest.raises(NotFound):
        draft_entry(db, "inc", "000000000000", keys["lead"].principal)
    doc = draft_entry(db, "inc", key, keys["lead"].principal)
    assert doc.approved is False and "Is the oat milk affected?" in doc.text
    with pytest.raises(Conflict):
        draft_entry(db, "inc", key, keys["lead"].principal)
    gap = find_gaps(db, "inc", approved_docs=lambda: {doc.id: True}).data[0]
    assert (gap.entry_doc_id, gap.entry_status) == (doc.id, "approved")
    with pytest.raises(NotFound):
        find_gaps(db, "missing")
