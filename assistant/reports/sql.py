"""The few SQL pieces that differ between SQLite and PostgreSQL (epoch seconds, JSON expansion).

Everything else in the reports is plain SQL that both backends run as is.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from assistant.review.tables import CommentRow, DraftRow, IncidentRow


class Dialect:
    def __init__(self, name: str) -> None:
        if name not in ("sqlite", "postgresql"):
            raise ValueError(f"metrics support sqlite and postgresql, not {name}")
        self.name = name

    def epoch(self, col: str) -> str:
        """Whole seconds since 1970 (UTC) of a timestamp column."""
        if self.name == "sqlite":
            # Cut the fraction first: SQLite rounds it to milliseconds, so 59.9996 s would become the next
            # second (and sometimes the next bucket). unixepoch() (3.38+) parses about twice as fast.
            fn = "unixepoch({})" if sqlite3.sqlite_version_info >= (3, 38) else "CAST(strftime('%s', {}) AS INTEGER)"
            return fn.format(f"substr({col}, 1, 19)")
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {col})) AS BIGINT)"

    def bucket(self, col: str, width: int) -> str:
        """The start (epoch seconds) of the `width`-second bucket holding the timestamp."""
        e = self.epoch(col)
        return f"(({e}) - (({e}) % {int(width)}))"

    def json_text(self, col: str, key: str) -> str:
        assert key.isidentifier()
        return f"json_extract({col}, '$.{key}')" if self.name == "sqlite" else f"({col} ->> '{key}')"

    def json_array(self, col: str, key: str, alias: str) -> tuple[str, str]:
        """(FROM-clause item expanding the JSON array `col.key` as rows, expression of one element)."""
        assert key.isidentifier() and alias.isidentifier()
        if self.name == "sqlite":
            return f"json_each({col}, '$.{key}') AS {alias}", f"{alias}.value"
        return f"LATERAL json_array_elements({col} -> '{key}') AS {alias}(value)", f"{alias}.value"

    def json_array_len(self, col: str, key: str) -> str:
        assert key.isidentifier()
        if self.name == "sqlite":
            return f"json_array_length({col}, '$.{key}')"
        return f"json_array_length({col} -> '{key}')"

    def as_text(self, col: str) -> str:
        return col if self.name == "sqlite" else f"CAST({col} AS TEXT)"

    def element_text(self, element: str, key: str) -> str:
        assert key.isidentifier()
        return f"json_extract({element}, '$.{key}')" if self.name == "sqlite" else f"({element} ->> '{key}')"

    def json_object_pairs(self, col: str, key: str, alias: str) -> str:
        """FROM-clause item giving (key, value) rows of the JSON object `col.key`."""
        assert key.isidentifier() and alias.isidentifier()
        if self.name == "sqlite":
            return f"json_each({col}, '$.{key}') AS {alias}"
        return f"LATERAL json_each_text({col} -> '{key}') AS {alias}(key, value)"


def incident_exists(s: Session, incident: str) -> bool:
    if s.get(IncidentRow, incident) is not None:
        return True
    for table in (CommentRow, DraftRow):
        if s.execute(text(f"SELECT 1 FROM {table.__tablename__} WHERE incident = :i LIMIT 1"),
                     {"i": incident}).first():
            return True
    return False


def as_utc(value: Any) -> Any:
    """A timestamp from a text() query: SQLite gives a naive string in UTC, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
