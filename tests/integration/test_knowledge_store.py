"""The knowledge store on real Chroma (embedded, on disk) with the real offline embeddings."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.errors import DocumentInvalid, NotFound, PayloadTooLarge
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from tests.utils.kb import doc, settings_for, write_md

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class CountingEmbeddings:
    """Wraps the real embeddings and counts what it embeds (to prove incremental re-index)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(settings_for(tmp_path))


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    write_md(root, "policy.md", "id: policy\ntitle: Refund policy\nkind: policy\napproved: true",
             "# Refunds\nRefunds are paid within 14 days. A €5 voucher is offered for recalled products.")
    write_md(root, "fs-v2.md", "id: fs-v2\ntitle: Fact sheet v2\nkind: fact_sheet\napproved: true\n"
             "incident: recall\nvalid_from: 2026-11-27T18:00:00Z",
             "# Known\nBatches L4821 and L4822 are recalled.")
    write_md(root, "fs-v1.md", "id: fs-v1\ntitle: Fact sheet v1\nkind: fact_sheet\napproved: true\n"
             "incident: recall\nvalid_until: 2026-11-27T18:00:00Z",
             "# Known\nOnly batch L4821 is recalled. Refunds within 30 days.")
    write_md(root, "draft.md", "id: draft\ntitle: Draft statement\nkind: statement\napproved: false",
             "A faulty sieve from our supplier caused this. Everyone gets a €20 voucher.")
    write_md(root, "fr.md", "id: politique-fr\ntitle: Politique de remboursement\nkind: policy\nlanguage: fr\n"
             "approved: true", "# Remboursement\nLe remboursement intégral est versé sous 14 jours.")
    write_md(root, "other.md", "id: other-incident\ntitle: Old outage\nkind: fact_sheet\napproved: true\n"
             "incident: outage-2024", "The 2024 outage lasted 3 hours.")
    return root


def test_ingest_is_incremental_and_prunes_removed_files(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    base = KnowledgeBase(settings_for(tmp_path / "data"))
    counting = CountingEmbeddings(base.embeddings)
    kb = KnowledgeBase(settings_for(tmp_path / "data"), embeddings=counting)  # type: ignore[arg-type]
    first = kb.ingest_path(root)
    assert (first.added, first.failed) == (6, 0) and counting.embedded == first.embedded > 0
    counting.embedded = 0
    second = kb.ingest_path(root)
    assert (second.added, second.updated, second.unchanged, second.embedded) == (0, 0, 6, 0)
    assert counting.embedded == 0  # the second ingest embeds nothing
    (root / "other.md").unlink()
    (root / "policy.md").write_text((root / "policy.md").read_text().replace("14 days", "10 days"))
    third = kb.ingest_path(root)
    assert (third.updated, third.removed, third.unchanged) == (1, 1, 4)
    assert counting.embedded == third.embedded == 1
    assert "other-incident" not in {d["id"] for d in kb.documents()}


def test_a_broken_file_keeps_its_previous_version(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    kb = KnowledgeBase(settings_for(tmp_path / "data"))
    kb.ingest_path(root)
    (root / "policy.md").write_text("---\nid: policy\nkind: [unclosed\n---\ntext")
    report = kb.ingest_path(root)
    assert report.failed == 1 and report.removed == 0
    assert "policy" in {d["id"] for d in kb.documents()}


def test_filters_approved_validity_kind_language_incident(tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path / "data"))
    kb.ingest_path(_folder(tmp_path))
    ids = lambda hits: {h.doc_id for h in hits}  # noqa: E731
    default = kb.search("batch recalled refund voucher", k=20, filters=SearchFilter(at=NOW))
    assert "fs-v1" not in ids(default) and "draft" not in ids(default)  # outdated, unapproved
    before = kb.search("batch recalled", k=20, filters=SearchFilter(at=NOW - timedelta(days=2)))
    assert "fs-v1" in ids(before) and "fs-v2" not in ids(before)  # valid at the time asked
    assert ids(kb.search("refund", k=20, filters=SearchFilter(kinds=["policy"], at=NOW))) == {"policy", "politique-fr"}
    assert ids(kb.search("remboursement", k=20, filters=SearchFilter(language="fr", at=NOW))) == {"politique-fr"}
    inc = ids(kb.search("batch outage recalled", k=20, filters=SearchFilter(incident="recall", at=NOW)))
    assert "other-incident" not in inc and "fs-v2" in inc and "policy" in inc  # general docs apply
    bad = ids(kb.search("voucher sieve batch", k=20, filters=SearchFilter(disallowed_only=True, at=NOW)))
    assert bad == {"fs-v1", "draft"}


def test_exact_identifiers_and_french_rank_first(tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path / "data"))
    kb.ingest_path(_folder(tmp_path))
    assert kb.search("L4822", filters=SearchFilter(at=NOW))[0].doc_id == "fs-v2"
    assert kb.search("remboursement", filters=SearchFilter(at=NOW))[0].doc_id == "politique-fr"
    hit = kb.search("remboursement", filters=SearchFilter(at=NOW))[0]
    assert hit.chunk_id.startswith("politique-fr::") and hit.title and hit.score > 0 and "14 jours" in hit.text


def test_upsert_delete_and_bad_documents(kb: KnowledgeBase) -> None:
    assert kb.upsert(doc("a", "Alpha text about refunds.")) == "added"
    assert kb.upsert(doc("a", "Alpha text about refunds.")) == "unchanged"
    assert kb.upsert(doc("a", "Alpha text about vouchers now.")) == "updated"
    assert [h.text for h in kb.doc_chunks("a")] == ["Alpha text about vouchers now."]
    assert kb.delete("a") == 1
    with pytest.raises(NotFound):
        kb.delete("a")
    with pytest.raises(PayloadTooLarge):
        kb.upsert(doc("big", "x " * 200_000))
    with pytest.raises(DocumentInvalid, match="valid_until"):
        kb.upsert(doc("dates", "t", valid_from=NOW, valid_until=NOW - timedelta(days=1)))
    assert kb.count() == 0  # nothing half-written


def test_a_failed_embedding_leaves_the_old_version(tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path))
    kb.upsert(doc("a", "Old text."))

    class Broken:
        def embed_documents(self, texts):
            raise RuntimeError("embedding backend down")

        def embed_query(self, text):
            raise RuntimeError("down")

    kb.embeddings = Broken()  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        kb.upsert(doc("a", "New text."))
    assert [h.text for h in kb.doc_chunks("a")] == ["Old text."]


def test_persistence_across_processes(tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path))
    kb.upsert(doc("persisted", "Refunds are paid within 14 days.", kind="policy"))
    del kb
    code = (
        "from assistant.knowledge.store import KnowledgeBase; from assistant.config import Settings; "
        f"kb = KnowledgeBase(Settings(data_dir={str(tmp_path)!r})); "
        "print(kb.search('refund')[0].doc_id)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "persisted"


def test_a_new_embedding_model_reindexes_instead_of_mixing(tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path))
    kb.upsert(doc("a", "Refunds are paid within 14 days."))
    assert not kb.reindexed and kb.collection.metadata["embedding"].startswith("use:")
    # MiniLM (still selectable) on the same store: the USE vectors and the chunk index are emptied, not mixed.
    mini = KnowledgeBase(settings_for(tmp_path, embedding_provider="minilm"))
    assert mini.reindexed and mini.count() == 0 and mini.search("refunds") == []
    assert mini.upsert(doc("a", "Refunds are paid within 14 days.")) == "added"
    assert mini.search("When do I get my money back?", k=1, mode="vector")[0].doc_id == "a"
    assert len(mini.vector_rank("refund")) == 1
    # Configuring OpenAI embeddings on the same store: the MiniLM vectors are dropped too.
    again = KnowledgeBase(settings_for(tmp_path, embedding_provider="openai"))
    assert again.reindexed and again.count() == 0
    assert again.collection.metadata["embedding"] == "openai:text-embedding-3-small"
