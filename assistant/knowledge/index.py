"""The chunk index every process shares: one SQLite file (WAL) in the data dir, BM25 by SQLite FTS5.

It holds each chunk's metadata and text, and the French/English terms of `assistant.text.analyze`
in an FTS5 table ranked with `bm25()` (k1 1.2, b 0.75). Every worker of a server and every CLI
command opens the same file: a document added through one process is found by the others on their
next search, and a worker's start-up and memory no longer grow with the knowledge base (the old
design loaded every chunk and built a pure-Python BM25 in each process). A `generation` counter,
bumped in the same transaction as every write, tells the other processes that the vector side
changed (see store.py).

Imports: assistant.text and knowledge.filters.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from assistant.knowledge.filters import ChunkMeta, SearchFilter
from assistant.text import analyze

_FIELDS = tuple(ChunkMeta.__dataclass_fields__)
_META = ", ".join(_FIELDS)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    cid TEXT NOT NULL UNIQUE,
    ord INTEGER NOT NULL,
    {", ".join(f"{f} {'REAL' if f.startswith('valid') else 'INTEGER' if f == 'approved' else 'TEXT'} NOT NULL"
               for f in _FIELDS)},
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
-- find_docs(kind=guideline / fact_sheet) per draft: without it a scan of every chunk (3 ms at 10k).
CREATE INDEX IF NOT EXISTS chunks_kind ON chunks(kind, language);
-- Terms are already folded and stemmed by assistant.text; the tokenizer only splits on blanks
-- (identifiers keep their '-', '/' and '_': "l-4821", "03/2027").
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(terms, tokenize = "unicode61 tokenchars '-/_'");
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_terms, 'row');
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO state VALUES ('generation', '0');
"""


@dataclass(frozen=True)
class ChunkRow:
    cid: str
    meta: ChunkMeta
    text: str


def _meta(values: Sequence[Any]) -> ChunkMeta:
    fields = list(values)
    fields[4] = bool(fields[4])  # SQLite stores `approved` as 0/1
    return ChunkMeta(*fields)


def chunk_order(cid: str) -> int:
    n = cid.rpartition("::")[2]
    return int(n) if n.isdigit() else 0


def fts_terms(text: str) -> list[str]:
    """analyze() as FTS5 tokens: an apostrophe inside an identifier becomes '_' (a token character)."""
    return [t.replace("'", "_") for t in analyze(text)]


class ChunkIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db().executescript(_SCHEMA)
        # Per generation: the chunk count and the match expressions of recent queries (a draft asks the
        # same query for sources, policy and disallowed text).
        self._cached_gen = -1
        self._count = 0
        self._expressions: dict[str, str] = {}

    def _db(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 objects are not shared between threads)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            # WAL: readers in other workers never wait for a writer, and see its commit at once.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # ------------------------------------------------------------------ writes

    def _transaction(self, work: Any) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            work(db)
            db.execute("UPDATE state SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def replace_document(self, doc_id: str, rows: Sequence[ChunkRow]) -> None:
        """The document's chunks become `rows` (none: it is removed), in one transaction."""

        def work(db: sqlite3.Connection) -> None:
            self._delete(db, doc_id)
            marks = ", ".join("?" * len(_FIELDS))
            for row in rows:
                cur = db.execute(f"INSERT INTO chunks (cid, ord, {_META}, text) VALUES (?, ?, {marks}, ?)",
                                 (row.cid, chunk_order(row.cid), *astuple(row.meta), row.text))
                terms = fts_terms(f"{row.meta.title}\n{row.meta.heading}\n{row.text}")
                db.execute("INSERT INTO chunk_terms (rowid, terms) VALUES (?, ?)", (cur.lastrowid, " ".join(terms)))

        self._transaction(work)

    @staticmethod
    def _delete(db: sqlite3.Connection, doc_id: str) -> None:
        db.execute("DELETE FROM chunk_terms WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", (doc_id,))
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        self._transaction(lambda db: (db.execute("DELETE FROM chunk_terms"), db.execute("DELETE FROM chunks")))

    # ------------------------------------------------------------------ state

    def generation(self) -> int:
        """Bumped by every write of any process: a reader compares it with the last one it saw."""
        return int(self._db().execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0])

    def get_state(self, key: str) -> str | None:
        row = self._db().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        self._db().execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------------ reads

    def count(self) -> int:
        self._revalidate()
        return self._count

    def _revalidate(self) -> None:
        gen = self.generation()
        if gen != self._cached_gen:
            self._count = int(self._db().execute("SELECT count(*) FROM chunks").fetchone()[0])
            self._expressions = {}
            self._cached_gen = gen

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._db().execute("SELECT cid FROM chunks WHERE doc_id = ? ORDER BY ord", (doc_id,))]

    def doc_hash(self, doc_id: str) -> str | None:
        row = self._db().execute("SELECT doc_hash FROM chunks WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def doc_hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content hash, origin)."""
        sql = "SELECT doc_id, doc_hash, origin FROM chunks GROUP BY doc_id"
        return {d: (h, o) for d, h, o in self._db().execute(sql)}

    def versions(self) -> dict[str, str]:
        """chunk_id -> version of its document (content hash)."""
        return dict(self._db().execute("SELECT cid, doc_hash FROM chunks"))

    def documents(self) -> list[tuple[ChunkMeta, int]]:
        """One (metadata of its first chunk, chunk count) per document, by id."""
        rows = self._db().execute(f"SELECT {_META}, count(*) FROM chunks GROUP BY doc_id ORDER BY doc_id")
        return [(_meta(r[:-1]), int(r[-1])) for r in rows]

    def rows(self, cids: Iterable[str]) -> dict[str, ChunkRow]:
        sql = f"SELECT cid, {_META}, text FROM chunks WHERE cid IN (SELECT value FROM json_each(?))"
        return {r[0]: ChunkRow(r[0], _meta(r[1:-1]), r[-1]) for r in self._db().execute(sql, (json.dumps(list(cids)),))}

    def metas(self, cids: Sequence[str]) -> dict[str, ChunkMeta]:
        sql = f"SELECT cid, {_META} FROM chunks WHERE cid IN (SELECT value FROM json_each(?))"
        return {r[0]: _meta(r[1:]) for r in self._db().execute(sql, (json.dumps(list(cids)),))}

    def doc_rows(self, doc_id: str) -> list[ChunkRow]:
        sql = f"SELECT cid, {_META}, text FROM chunks WHERE doc_id = ? ORDER BY ord"
        return [ChunkRow(r[0], _meta(r[1:-1]), r[-1]) for r in self._db().execute(sql, (doc_id,))]

    def accepted(self, cids: Sequence[str], f: SearchFilter, at: float) -> list[str]:
        """The `cids` that pass the filter, in their given order (one query, whatever their number)."""
        if not cids:
            return []
        clause, params = f.sql(at)
        sql = f"SELECT cid FROM chunks WHERE cid IN (SELECT value FROM json_each(?)) AND {clause}"
        ok = {r[0] for r in self._db().execute(sql, (json.dumps(list(cids)), *params))}
        return [c for c in cids if c in ok]

    def count_accepted(self, f: SearchFilter, at: float, limit: int) -> int:
        """How many chunks pass the filter, counted up to `limit`."""
        clause, params = f.sql(at)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM chunks WHERE {clause} LIMIT ?)"
        return int(self._db().execute(sql, (*params, limit)).fetchone()[0])

    def find_docs(self, f: SearchFilter, at: float) -> list[str]:
        clause, params = f.sql(at)
        sql = f"SELECT DISTINCT doc_id FROM chunks WHERE {clause} ORDER BY doc_id"
        return [r[0] for r in self._db().execute(sql, params)]

    def match_expression(self, query: str) -> str:
        """The query's terms as an FTS5 OR expression, without the terms that cannot change the order.

        FTS5 weighs a term in more than half of the chunks by 1e-6 (its idf is clamped there), yet
        every chunk holding it must be scored: on a large knowledge base those terms are most of the
        cost and none of the ranking. They are dropped (unless nothing else would remain)."""
        total = self.count()
        cached = self._expressions.get(query)
        if cached is not None:
            return cached
        terms = list(dict.fromkeys(fts_terms(query)))
        if terms and total >= 50:
            sql = "SELECT term, doc FROM chunk_vocab WHERE term IN (SELECT value FROM json_each(?))"
            df = dict(self._db().execute(sql, (json.dumps(terms),)))
            kept = [t for t in terms if t in df and _idf(total, df[t]) > 0]
            terms = kept or [t for t in terms if t in df]
        expr = " OR ".join(f'"{t}"' for t in terms)
        if len(self._expressions) >= 256:
            self._expressions.pop(next(iter(self._expressions)))
        self._expressions[query] = expr
        return expr

    def lexical(self, query: str, f: SearchFilter, at: float, k: int) -> list[tuple[str, float]]:
        """BM25 over the chunks that pass the filter, best first: (chunk id, score)."""
        expr = self.match_expression(query)
        if not expr:
            return []
        clause, params = f.sql(at, table="c")
        sql = ("SELECT c.cid, bm25(chunk_terms) AS s FROM chunk_terms JOIN chunks c ON c.rowid = chunk_terms.rowid "
               f"WHERE chunk_terms MATCH ? AND {clause} ORDER BY s, c.doc_id, c.ord LIMIT ?")
        return [(cid, -s) for cid, s in self._db().execute(sql, (expr, *params, k))]


def _idf(total: int, df: int) -> float:
    return math.log((total - df + 0.5) / (df + 0.5))
