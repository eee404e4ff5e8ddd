"""Import of comment exports: every bad row reported with its line and reason, good rows kept."""

from __future__ import annotations

import json

import pytest

from assistant.batch.importer import comment_key, detect_format, parse, parse_mapping
from assistant.errors import InvalidInput
from assistant.models import Comment


def jsonl(*rows: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()


BAD_ROWS = {
    "no text": ({"id": "1", "platform": "x"}, "no text"),
    "blank text": ({"id": "1", "text": "   "}, "no text"),
    "NUL bytes": ({"id": "1", "text": "hello\x00world"}, "NUL bytes"),
    "too long": ({"id": "1", "text": "a" * 101}, "101 characters; the limit is 100"),
    "unknown platform": ({"id": "1", "text": "hi", "platform": "myspace"}, "unknown platform 'myspace'"),
    "bad date": ({"id": "1", "text": "hi", "created_at": "last tuesday"}, "created_at"),
    "epoch date": ({"id": "1", "text": "hi", "created_at": 1764000000}, "ISO 8601"),
    "bad followers": ({"id": "1", "text": "hi", "followers": "lots"}, "followers: expected a whole number"),
    "bad verified": ({"id": "1", "text": "hi", "verified": "maybe"}, "verified: expected true or false"),
    "text not a string": ({"id": "1", "text": ["a"]}, "text: expected a string"),
    "not an object": ([1, 2], "expected a JSON object"),
    "not JSON": ("{oops", "not valid JSON"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_is_reported_and_the_good_rows_go_on(case: str) -> None:
    bad, reason = BAD_ROWS[case]
    data = jsonl({"id": "a", "text": "first good"}, bad, {"id": "b", "text": "second good"})
    rows, errors, read = parse(data, "jsonl", max_chars=100)
    assert read == 3
    assert [r.comment.text for r in rows] == ["first good", "second good"]
    assert len(errors) == 1 and errors[0].line == 2 and reason in errors[0].reason


def test_invalid_utf8_line_is_reported() -> None:
    data = b'{"text": "ok"}\n{"text": "\xff\xfe"}\n'
    rows, errors, _ = parse(data, "jsonl")
    assert len(rows) == 1 and errors[0].line == 2 and "UTF-8" in errors[0].reason


def test_csv_with_usual_export_columns_multiline_and_line_numbers() -> None:
    data = ("\ufeffcomment_id,network,from_name,screen_name,message,followers_count,is_verified,permalink,"
            "created_time\n"
            '1,facebook,Paul Dupont,,"Is batch L4822\nrecalled?","1,204",yes,https://fb.example/1,'
            "2026-11-27T18:00:00Z\n"
            "2,twitter,,sarah_m,,10,no,,\n"
            "3,x,,sarah_m,Thanks,abc,no,,\n"
            "4,x,,bob,Where do I return it?,,,,2026-11-27 18:00\n").encode()
    rows, errors, read = parse(data, "csv")
    assert read == 4
    assert [(e.line, e.reason.split(" (")[0].split(":")[0]) for e in errors] == [(4, "no text"), (5, "followers")]
    first, last = rows
    assert first.line == 2 and first.comment.platform == "facebook" and first.comment.author == "Paul Dupont"
    assert first.comment.followers == 1204 and first.comment.verified is True
    assert first.comment.url == "https://fb.example/1" and "\n" in first.comment.text
    assert last.line == 6 and last.comment.created_at is not None and last.comment.created_at.tzinfo is not None


def test_explicit_mapping_wins_and_bad_mappings_are_refused() -> None:
    data = jsonl({"msg": "the text", "text": "not this", "who": "Ann"})
    rows, _, _ = parse(data, "jsonl", mapping=parse_mapping("text=msg, author=who"))
    assert rows[0].comment.text == "the text" and rows[0].comment.author == "Ann"
    with pytest.raises(InvalidInput, match="unknown field 'colour'"):
        parse_mapping("colour=c")
    with pytest.raises(InvalidInput, match="not field=column"):
        parse_mapping("text")


def test_json_list_or_object_with_comments_and_a_bad_document() -> None:
    rows, errors, _ = parse(json.dumps([{"text": "a"}, "b"]).encode(), "json")
    assert len(rows) == 1 and errors[0].line == 2
    rows, _, _ = parse(json.dumps({"comments": [{"text": "a"}]}).encode(), "json")
    assert len(rows) == 1
    with pytest.raises(InvalidInput, match="JSON list"):
        parse(b'{"text": "a"}', "json")


def test_row_limit_reports_the_rest() -> None:
    rows, errors, read = parse(jsonl(*({"text": f"c{i}"} for i in range(5))), "jsonl", max_rows=3)
    assert len(rows) == 3 and read == 5 and [e.line for e in errors] == [4, 5]


def test_key_is_the_platform_id_else_a_content_hash() -> None:
    assert comment_key(Comment(id="42", text="x", platform="x")) == "id:x:42"
    a = comment_key(Comment(text="same", author_handle="a", platform="x"))
    assert a.startswith("sha:") and a == comment_key(Comment(text="same", author_handle="a", platform="x"))
    assert a != comment_key(Comment(text="same", author_handle="b", platform="x"))


def test_format_from_name_or_content_type() -> None:
    assert detect_format("a.JSONL") == "jsonl" and detect_format("a.csv") == "csv"
    assert detect_format(content_type="text/csv; charset=utf-8") == "csv"
    assert detect_format(content_type="application/x-ndjson") == "jsonl"
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        detect_format("a.xlsx")
