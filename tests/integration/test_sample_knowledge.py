"""The sample knowledge base: ingests cleanly and retrieval answers French and English well."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.evaluate import evaluate, language_pairs, load_queries
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from tests.utils.kb import ROOT, sample_kb

NEVER = {"factsheet-recall-v1-en", "statement-recall-draft-en"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return sample_kb(tmp_path_factory.mktemp("sample"))


def test_remboursement_returns_the_refund_policy_first(kb: KnowledgeBase) -> None:
    hits = kb.search("remboursement", k=10)
    assert hits[0].doc_id == "policy-refunds-fr"
    assert not NEVER & {h.doc_id for h in hits}


@pytest.mark.parametrize("query", ["refund within 30 days", "only batch L4821", "faulty sieve supplier",
                                   "€20 voucher to every customer", "two reports"])
def test_outdated_and_unapproved_text_is_never_a_source(kb: KnowledgeBase, query: str) -> None:
    assert not NEVER & {h.doc_id for h in kb.search(query, k=20)}
    # ...but the guards can still see it, to catch a draft that repeats it.
    assert NEVER & {h.doc_id for h in kb.search(query, k=20, filters=SearchFilter(disallowed_only=True))}


def test_hybrid_beats_vector_only_on_the_labelled_queries(kb: KnowledgeBase) -> None:
    queries = load_queries(ROOT / "tests/data/retrieval_queries.jsonl")
    hybrid, vector = evaluate(kb, queries, "hybrid"), evaluate(kb, queries, "vector")
    assert hybrid.queries >= 40
    assert hybrid.mrr >= vector.mrr and hybrid.hit_at_1 >= vector.hit_at_1
    assert hybrid.hit_at_3 >= 0.9 and hybrid.mrr >= 0.85
    # Cross-language (the answer only in the other language): measured 0.91 / 0.94 (MiniLM 0.75 / 0.85).
    pairs = language_pairs(kb, queries)
    assert evaluate(kb, pairs["fr->en"], "hybrid").mrr >= 0.85 and evaluate(kb, pairs["en->fr"], "hybrid").mrr >= 0.88


def test_every_sample_document_is_indexed(kb: KnowledgeBase) -> None:
    ids = {d["id"] for d in kb.documents()}
    expected = {p.stem for p in Path(ROOT / "knowledge").rglob("*.md") if p.name.lower() != "readme.md"}
    assert ids == expected and len(ids) == 13
