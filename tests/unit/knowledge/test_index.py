"""The shared chunk index (SQLite FTS5) on a real file: writes, BM25, filters, generation."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.knowledge.filters import FOREVER, ChunkMeta, SearchFilter
from assistant.knowledge.index import ChunkIndex, ChunkRow

NOW = 1_800_000_000.0


def meta(doc_id: str, **over: object) -> ChunkMeta:
    base: dict[str, object] = {"doc_id": doc_id, "title": doc_id, "kind": "faq", "language": "en", "approved": True,
                               "valid_from": 0.0, "valid_until": FOREVER, "incident": "", "doc_hash": f"h-{doc_id}",
                               "heading": "", "origin": "api", "version": ""}
    base.update(over)
    return ChunkMeta(**base)  # type: ignore[arg-type]


def put(idx: ChunkIndex, doc_id: str, *texts: str, **over: object) -> None:
    m = meta(doc_id, **over)
    idx.replace_document(doc_id, [ChunkRow(f"{doc_id}::{i}", m, t) for i, t in enumerate(texts)])


@pytest.fixture
def idx(tmp_path: Path) -> ChunkIndex:
    return ChunkIndex(tmp_path / "knowledge.sqlite")


def test_bm25_finds_identifiers_and_folded_stemmed_french(idx: ChunkIndex) -> None:
    put(idx, "a", "Batch L4821 is recalled.")
    put(idx, "b", "Batch L4822 is recalled too.", "Les lots rappelés sont remboursés sous 14 jours.")
    put(idx, "c", "Our refund policy.")
    f = SearchFilter()
    assert [c for c, _ in idx.lexical("is L-4822 affected?", f, NOW, 5)] == ["b::0"]
    assert idx.lexical("rappeles", f, NOW, 5)[0][0] == "b::1"  # accents folded, French stem
    assert idx.lexical("the and of", f, NOW, 5) == []  # stop words only: nothing to match
    scores = [s for _, s in idx.lexical("batch recalled refund", f, NOW, 5)]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_replace_and_delete_a_document(idx: ChunkIndex) -> None:
    put(idx, "a", "Old text about vouchers.", "Second chunk.")
    put(idx, "a", "New text about refunds.")
    assert idx.chunk_ids("a") == ["a::0"] and idx.count() == 1
    assert idx.lexical("vouchers", SearchFilter(), NOW, 5) == []
    assert idx.rows(["a::0"])["a::0"].text == "New text about refunds."
    idx.replace_document("a", [])
    assert idx.count() == 0 and idx.doc_hash("a") is None


def test_every_write_bumps_the_generation_and_another_handle_sees_it(tmp_path: Path) -> None:
    one, two = ChunkIndex(tmp_path / "k.sqlite"), ChunkIndex(tmp_path / "k.sqlite")
    g = two.generation()
    put(one, "a", "Hotline 0 800 55 12 12.")
    assert two.generation() == g + 1
    assert two.lexical("hotline", SearchFilter(), NOW, 5)[0][0] == "a::0"
    one.clear()
    assert two.generation() == g + 2 and two.count() == 0


def test_a_failed_write_changes_nothing(idx: ChunkIndex) -> None:
    put(idx, "a", "Kept.")
    g = idx.generation()
    bad = ChunkRow("a::0", meta("a"), None)  # type: ignore[arg-type]  # NOT NULL text: the insert fails
    with pytest.raises(Exception, match="NOT NULL"):
        idx.replace_document("a", [bad])
    assert idx.rows(["a::0"])["a::0"].text == "Kept." and idx.generation() == g


def test_accepted_keeps_the_given_order(idx: ChunkIndex) -> None:
    put(idx, "en", "One.", "Two.")
    put(idx, "fr", "Un.", language="fr")
    got = idx.accepted(["fr::0", "en::1", "missing::0", "en::0"], SearchFilter(language="en"), NOW)
    assert got == ["en::1", "en::0"]


def test_very_common_terms_are_left_out_of_the_match_unless_alone(idx: ChunkIndex) -> None:
    for i in range(60):
        put(idx, f"d{i}", f"granola recall notice {i}" + (" voucher" if i == 7 else ""))
    assert "granol" not in idx.match_expression("granola voucher")
    assert "vouch" in idx.match_expression("granola voucher")
    assert "granol" in idx.match_expression("granola")  # nothing else left: keep it
    assert idx.lexical("granola voucher", SearchFilter(), NOW, 3)[0][0] == "d7::0"


METAS = [meta(f"m{i}", approved=a, valid_from=vf, valid_until=vu, kind=k, language=lang, incident=inc)
         for i, (a, (vf, vu), k, lang, inc) in enumerate(itertools.product(
             (True, False), ((0.0, FOREVER), (NOW + 10, FOREVER), (0.0, NOW - 10)), ("faq", "policy"), ("en", "fr"),
             ("", "recall", "other")))]
FILTERS = [SearchFilter(), SearchFilter(include_unapproved=True), SearchFilter(include_expired=True),
           SearchFilter(disallowed_only=True), SearchFilter(kinds=("policy",), language="fr"),
           SearchFilter(incident="recall"),
           SearchFilter(kinds=("faq", "policy"), incident="recall", disallowed_only=True),
           SearchFilter(include_unapproved=True, include_expired=True, language="en")]


@pytest.mark.parametrize("f", FILTERS, ids=range(len(FILTERS)))
def test_sql_filter_agrees_with_the_python_predicate(idx: ChunkIndex, f: SearchFilter) -> None:
    for m in METAS:
        idx.replace_document(m.doc_id, [ChunkRow(f"{m.doc_id}::0", m, "Refund text.")])
    expected = sorted(m.doc_id for m in METAS if f.accepts(m, NOW))
    assert idx.find_docs(f, NOW) == expected
    assert sorted(c.split("::")[0] for c, _ in idx.lexical("refund", f, NOW, 500)) == expected
