"""The SQLite side of the dialect helpers (PostgreSQL is covered by the metrics tests on both backends)."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.reports.sql import Dialect


def test_epoch_and_bucket_floor_fractions_instead_of_rounding_them() -> None:
    d = Dialect("sqlite")
    conn = sqlite3.connect(":memory:")
    at = "'2026-11-27 10:59:59.999600'"  # SQLite alone would round this to 11:00:00
    epoch, bucket = conn.execute(f"SELECT {d.epoch(at)}, {d.bucket(at, 3600)}").fetchone()
    assert epoch == 1_795_777_199 and bucket == 1_795_773_600  # 10:59:59 and 10:00:00 UTC


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="sqlite and postgresql"):
        Dialect("mysql")
