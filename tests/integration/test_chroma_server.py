"""Chroma server mode: a real `chroma run` on 127.0.0.1, reached through CRISIS_CHROMA_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import KnowledgeUnavailable
from assistant.knowledge.store import KnowledgeBase
from tests.utils.kb import doc, settings_for
from tests.utils.servers import chroma_server, free_port

pytestmark = pytest.mark.server


def test_server_mode_upsert_search_and_reconnect(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "server") as url:
        kb = KnowledgeBase(settings_for(tmp_path / "client", chroma_url=url))
        assert kb.upsert(doc("batch", "Batches L4821 and L4822 are recalled.", kind="fact_sheet")) == "added"
        assert kb.upsert(doc("refund", "Refunds are paid within 14 days.", kind="policy")) == "added"
        assert kb.search("L4822")[0].doc_id == "batch"
        assert kb.search("money back", k=1)[0].doc_id == "refund"
        # A second client (another process in real life) sees the same store, nothing re-embedded.
        again = KnowledgeBase(settings_for(tmp_path / "client2", chroma_url=url))
        assert again.count() == 2 and again.upsert(doc("refund", "Refunds are paid within 14 days.",
                                                       kind="policy")) == "unchanged"
        assert not (tmp_path / "client" / "chroma").exists()  # nothing embedded on disk in server mode


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeUnavailable, match=r"cannot open the Chroma store at http://127\.0\.0\.1"):
        KnowledgeBase(settings_for(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}"))
