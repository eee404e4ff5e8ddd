from assistant.knowledge.chunking import MAX_CHARS, chunk_document, content_hash
from tests.utils.kb import doc

TEXT = """# Fact sheet
## What we know
Batches L4821 and L4822 are concerned. They were sold in France, Belgium and Switzerland.
## What we don't know yet
The cause is not yet known. Results are expected by 2026-12-04.
## Long
""" + " ".join(f"Sentence number {i} says something about refunds within 14 days." for i in range(60))


def test_chunks_follow_headings_and_stay_bounded() -> None:
    chunks = chunk_document(doc("fs", TEXT))
    assert chunks[0].heading == "Fact sheet > What we know"
    assert chunks[1].heading == "Fact sheet > What we don't know yet"
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert len([c for c in chunks if c.heading.endswith("Long")]) >= 3
    # No sentence is cut in the middle.
    assert all(c.text.rstrip().endswith(".") for c in chunks)


def test_chunk_ids_are_stable_across_runs() -> None:
    a = chunk_document(doc("fs", TEXT))
    b = chunk_document(doc("fs", TEXT))
    assert [c.id for c in a] == [c.id for c in b] == [f"fs::{i}" for i in range(len(a))]
    assert [c.text for c in a] == [c.text for c in b]


def test_content_hash_changes_with_text_and_approval_only() -> None:
    base = doc("fs", TEXT)
    assert content_hash(base) == content_hash(doc("fs", TEXT))
    assert content_hash(base) != content_hash(doc("fs", TEXT + " More."))
    assert content_hash(base) != content_hash(doc("fs", TEXT, approved=False))
