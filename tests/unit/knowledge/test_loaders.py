from pathlib import Path

import pytest

from assistant.errors import DocumentInvalid
from assistant.knowledge.loaders import load_folder, load_path, parse_markdown
from tests.utils.kb import write_md

GOOD_FRONT = """
id: policy-x
title: Refund policy
kind: policy
language: fr
approved: true
valid_from: 2026-11-01T00:00:00Z
incident: recall-2026-11
"""


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    path = write_md(tmp_path, "p.md", GOOD_FRONT, "# Remboursement\nRemboursé sous 14 jours.\n")
    docs, errors = load_path(path)
    assert errors == []
    (d,) = docs
    assert (d.id, d.kind, d.language, d.approved, d.incident) == ("policy-x", "policy", "fr", True, "recall-2026-11")
    assert d.valid_from is not None and d.valid_from.tzinfo is not None
    assert "14 jours" in d.text and "kind:" not in d.text


@pytest.mark.parametrize(
    ("front", "body", "reason"),
    [
        ("id: a\nkind: rumour\n", "text", "kind"),  # unknown kind
        ("id: a\nkind: faq\napproved: [1, 2\n", "text", "not valid YAML"),
        ("id: a\nkind: faq\n", "   \n", "empty"),
        ("id: a b c\nkind: faq\n", "text", "id"),  # spaces are not allowed in ids
        ("- just\n- a list\n", "text", "mapping"),
        ("id: a\ntitle: t\n", "text", "no 'kind'"),
        ("id: a\nkind: faq\nvalid_from: not-a-date\n", "text", "valid_from"),
    ],
)
def test_malformed_markdown_is_reported_with_path_and_reason(tmp_path: Path, front: str, body: str,
                                                             reason: str) -> None:
    path = write_md(tmp_path, "bad.md", front, body)
    docs, errors = load_path(path)
    assert docs == []
    (err,) = errors
    assert str(path) in err.reason and reason in err.reason


def test_unclosed_front_matter() -> None:
    with pytest.raises(DocumentInvalid, match="never closed"):
        parse_markdown("---\nid: a\nkind: faq\nno end", "x.md", "x")


def test_folder_keeps_going_after_a_bad_file(tmp_path: Path) -> None:
    write_md(tmp_path, "a/good.md", "id: good\nkind: faq\napproved: true", "Hello there.")
    write_md(tmp_path, "b/bad.md", "id: bad\nkind: nope", "Hello.")
    (tmp_path / "c.jsonl").write_text(
        '{"id": "j1", "title": "J1", "kind": "faq", "text": "one"}\n'
        '{"id": "j2", "title": "J2", "kind": "faq"}\n'  # no text
        "not json\n",
        encoding="utf-8",
    )
    (tmp_path / "d.txt").write_text("Plain text note.", encoding="utf-8")
    (tmp_path / "e.json").write_text('[{"id": "k1", "title": "K", "kind": "contact", "text": "Call us."}]')
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00bad")
    docs, errors = load_folder(tmp_path)
    # j1 (line 1 of c.jsonl) loads; j2 (no text) and line 3 (not JSON) are reported.
    assert sorted(d.id for d in docs) == ["d", "good", "j1", "k1"]
    reasons = " | ".join(e.reason for e in errors)
    assert "bad.md" in reasons and "bin.md" in reasons and "c.jsonl" in reasons
    plain = next(d for d in docs if d.id == "d")
    assert plain.approved is False  # plain text carries no approval


def test_jsonl_records_each_validated(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text(
        '{"id": "j1", "title": "J1", "kind": "faq", "text": "one"}\n'
        '{"id": "j2", "title": "J2", "kind": "faq"}\n',
        encoding="utf-8",
    )
    docs, errors = load_path(tmp_path / "r.jsonl")
    assert [d.id for d in docs] == ["j1"]
    assert len(errors) == 1 and "r.jsonl:2" in errors[0].reason and "text" in errors[0].reason


def test_duplicate_ids_are_errors(tmp_path: Path) -> None:
    write_md(tmp_path, "one.md", "id: same\nkind: faq", "A.")
    write_md(tmp_path, "two.md", "id: same\nkind: faq", "B.")
    docs, errors = load_folder(tmp_path)
    assert len(docs) == 1 and "duplicate id 'same'" in errors[0].reason
