"""Read a comment export (JSONL, CSV or a JSON list) into Comments, row by row.

A bad row (no text, NUL bytes, over the size limit, unknown platform, bad date, bad number, not
JSON) is reported with its line and the reason; the good rows go on. Columns are found by the usual
export names (`message`, `from_name`, `screen_name`, `permalink`, ...) or by an explicit mapping
(`text=message,author=from_name`). Each comment gets a key: its platform and id, else a hash of
its content, so importing the same file twice adds nothing.

Imports: core only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Literal

from pydantic import ValidationError

from assistant.batch.schemas import RowError
from assistant.errors import InvalidInput
from assistant.models import PLATFORM_LIMITS, Comment

Format = Literal["jsonl", "csv", "json"]
FIELDS = ("id", "platform", "author", "author_handle", "followers", "verified", "text", "url", "created_at",
          "parent_id", "language")
# Our field -> the names exports use for it (compared case-insensitively, first match wins).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "comment_id", "id_str", "message_id", "post_id"),
    "platform": ("platform", "network", "source", "channel"),
    "author": ("author", "author_name", "from_name", "name", "user_name", "display_name"),
    "author_handle": ("author_handle", "handle", "screen_name", "username", "user", "from_username"),
    "followers": ("followers", "followers_count", "author_followers", "user_followers"),
    "verified": ("verified", "is_verified", "author_verified", "user_verified"),
    "text": ("text", "message", "body", "content", "comment", "comment_text", "full_text"),
    "url": ("url", "permalink", "permalink_url", "link"),
    "created_at": ("created_at", "created_time", "timestamp", "date", "published_at"),
    "parent_id": ("parent_id", "parent", "in_reply_to", "in_reply_to_status_id", "reply_to"),
    "language": ("language", "lang"),
}
PLATFORM_NAMES = {"twitter": "x", "fb": "facebook", "ig": "instagram", "yt": "youtube", "web": "website",
                  "mail": "email"} | {p: p for p in PLATFORM_LIMITS}
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}


@dataclass(frozen=True)
class ParsedRow:
    line: int
    key: str
    comment: Comment
    parent_id: str | None


def parse_mapping(spec: str | None) -> dict[str, str]:
    """`text=message,author=from_name` -> {"text": "message", "author": "from_name"}."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not theirs:
            raise InvalidInput(f"map: '{part.strip()}' is not field=column")
        if ours not in FIELDS:
            raise InvalidInput(f"map: unknown field '{ours}' (one of {', '.join(FIELDS)})")
        mapping[ours] = theirs
    return mapping


def detect_format(name: str | None = None, content_type: str | None = None) -> Format:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson"):
        return "jsonl"
    if kind in ("text/csv", "application/csv"):
        return "csv"
    if kind == "application/json":
        return "json"
    suffix = (name or "").lower().rsplit(".", 1)[-1]
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("csv", "json"):
        return suffix  # type: ignore[return-value]
    what = f"content type '{kind}'" if kind else f"file '{name}'"
    raise InvalidInput(f"cannot tell the format of {what}: use .jsonl, .csv or .json "
                       "(application/x-ndjson, text/csv, application/json)")


def comment_key(comment: Comment) -> str:
    """The identity of a comment across imports: its platform id, else a hash of who said what where."""
    if comment.id:
        return f"id:{comment.platform}:{comment.id}"
    who = comment.author_handle or comment.author or ""
    digest = hashlib.sha256(f"{comment.platform}\x1f{who}\x1f{comment.text}".encode("utf-8", "replace"))
    return f"sha:{digest.hexdigest()[:40]}"


def parse(data: bytes, fmt: Format, *, mapping: dict[str, str] | None = None, platform: str | None = None,
          max_chars: int = 5000, max_rows: int = 100_000) -> tuple[list[ParsedRow], list[RowError], int]:
    """(good rows, bad rows, rows read). Never raises for a bad row; raises InvalidInput only when the
    whole body is unusable (a JSON document that is not a list)."""
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    read = 0
    for line, record in _records(data, fmt):
        read += 1
        if read > max_rows:
            errors.append(RowError(line=line, reason=f"over the limit of {max_rows} rows per import "
                                                     "(CRISIS_BATCH_MAX_ROWS)"))
            continue
        if isinstance(record, str):  # the reader's own complaint (bad JSON, not UTF-8, ...)
            errors.append(RowError(line=line, reason=record))
            continue
        try:
            row = _row(line, record, mapping or {}, platform, max_chars)
        except ValueError as exc:
            errors.append(RowError(line=line, reason=str(exc)))
            continue
        rows.append(row)
    return rows, errors, read


# ---------------------------------------------------------------- readers: (line, dict | problem)


def _records(data: bytes, fmt: Format) -> Iterator[tuple[int, dict[str, Any] | str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if fmt == "jsonl":
        yield from _jsonl(data)
    elif fmt == "csv":
        yield from _csv(data)
    else:
        yield from _json_list(data)


def _jsonl(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield number, "not valid UTF-8"
            continue
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        yield number, value if isinstance(value, dict) else f"expected a JSON object, got {type(value).__name__}"


def _csv(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    text = data.decode("utf-8", "surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, f"unreadable CSV header ({exc})"
        return
    names = [h.strip() for h in header]
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, f"unreadable CSV row ({exc})"
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if any("\udc80" <= ch <= "\udcff" for v in values for ch in v):
            yield line, "not valid UTF-8"
            continue
        if len(values) > len(names):
            yield line, f"{len(values)} values for {len(names)} columns (an unquoted comma or line break?)"
            continue
        yield line, dict(zip(names, values, strict=False))


def _json_list(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the body is not a JSON list of comments ({exc})") from exc
    if isinstance(value, dict) and isinstance(value.get("comments"), list):
        value = value["comments"]
    if not isinstance(value, list):
        raise InvalidInput("the body must be a JSON list of comment objects (or {\"comments\": [...]})")
    for number, item in enumerate(value, start=1):
        yield number, item if isinstance(item, dict) else f"expected a JSON object, got {type(item).__name__}"


# ---------------------------------------------------------------- one row


def _pick(record: dict[str, Any], field: str, mapping: dict[str, str]) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    if field in mapping:
        return lowered.get(mapping[field].lower())
    for name in ALIASES[field]:
        if name in lowered and lowered[name] not in (None, ""):
            return lowered[name]
    return None


def _row(line: int, record: dict[str, Any], mapping: dict[str, str], platform: str | None,
         max_chars: int) -> ParsedRow:
    def get(field: str) -> Any:
        return _pick(record, field, mapping)

    text = get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise ValueError("no text" + (f" (column '{mapping['text']}' is empty or missing)" if "text" in mapping
                                      else " (no text/message/body column)"))
    if not isinstance(text, str):
        raise ValueError(f"text: expected a string, got {type(text).__name__}")
    if "\x00" in text:
        raise ValueError("text contains NUL bytes (binary data?)")
    if len(text) > max_chars:
        raise ValueError(f"text has {len(text)} characters; the limit is {max_chars} (CRISIS_MAX_COMMENT_CHARS)")
    fields: dict[str, Any] = {"text": text, "platform": _platform(get("platform"), platform)}
    for name in ("id", "author", "author_handle", "url", "language"):
        value = get(name)
        if value is not None and value != "":
            fields[name] = str(value).strip() if not isinstance(value, str) else value.strip()
    if (followers := get("followers")) is not None and followers != "":
        fields["followers"] = _count(followers)
    if (verified := get("verified")) is not None:
        fields["verified"] = _flag(verified)
    if (created := get("created_at")) is not None and created != "":
        fields["created_at"] = created
    try:
        comment = Comment.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "row"
        raise ValueError(f"{where}: {first['msg']}") from None
    if comment.created_at is not None and comment.created_at.tzinfo is None:  # exports often omit it: UTC
        comment = comment.model_copy(update={"created_at": comment.created_at.replace(tzinfo=UTC)})
    parent = get("parent_id")
    return ParsedRow(line, comment_key(comment), comment, str(parent)[:200] if parent not in (None, "") else None)


def _platform(value: Any, default: str | None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default or "other"
    name = str(value).strip().lower()
    if name not in PLATFORM_NAMES:
        raise ValueError(f"unknown platform '{str(value)[:40]}' (one of {', '.join(PLATFORM_LIMITS)})")
    return PLATFORM_NAMES[name]


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("followers: expected a whole number, got a boolean")
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "").replace("_", "")
    if not text.isdigit() or len(text) > 12:
        raise ValueError(f"followers: expected a whole number, got '{str(value)[:40]}'")
    return int(text)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"verified: expected true or false, got '{str(value)[:40]}'")
