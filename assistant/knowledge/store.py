"""The knowledge store: vectors in Chroma (embedded on disk, or a server by URL), chunks and BM25 in the
shared chunk index (SQLite FTS5, see index.py).

- Incremental: each chunk carries its document's content hash; an unchanged document is not
  re-embedded, a changed one is replaced, a file removed from the folder is deleted.
- Filters first: approved and valid at the time asked (by default), kind, language, incident.
- Hybrid ranking: BM25 (French/English analysis) fused with the vector ranking by reciprocal rank.
- The collection records the embedding model that built it; a different model re-indexes.
- Every process sees every write: the chunk index is one file every worker opens; its generation
  counter tells an embedded-Chroma worker to reopen its vector client (Chroma keeps each process's
  vector index in memory), and in server mode a token in the collection's metadata tells a process
  whose chunk index lives on another machine (another data dir) to catch up from Chroma.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import DocumentInvalid, KnowledgeUnavailable, NotFound, PayloadTooLarge
from assistant.knowledge.chunking import chunk_document, content_hash
from assistant.knowledge.embeddings import embedding_identity, make_embeddings
from assistant.knowledge.filters import FOREVER, ChunkMeta, SearchFilter, from_ts, to_ts
from assistant.knowledge.index import ChunkIndex, ChunkRow, chunk_order
from assistant.knowledge.loaders import load_folder
from assistant.models import DocumentIn, IngestReport, SearchHit

__all__ = ["FOREVER", "ChunkMeta", "KnowledgeBase", "Mode", "SearchFilter"]

log = logging.getLogger(__name__)

RRF_K = 60
Mode = Literal["hybrid", "vector", "lexical"]
Progress = Callable[[int, int, str], None]
# Server mode: how often a process asks Chroma whether a process with another chunk index wrote.
TOKEN_CHECK_S = 1.0


def _connect(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class KnowledgeBase:
    def __init__(self, settings: Settings, embeddings: Embeddings | None = None, client: Any = None) -> None:
        self.settings = settings
        self.embeddings = embeddings or make_embeddings(settings)
        self.identity = embedding_identity(settings)
        self._lock = threading.RLock()
        self._own_client = client is None
        self.index = ChunkIndex(settings.knowledge_index_path)
        try:
            self.client = client or _connect(settings)
            self.collection, self.reindexed = self._open_collection()
            self._bind_index()
        except Exception as exc:  # chroma raises many types; the caller needs one clear error
            where = settings.chroma_url or str(settings.chroma_path)
            raise KnowledgeUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc
        self._query_cache: dict[str, list[float]] = {}
        # The metadata of the last vector ranking passed to search(): a draft filters one ranking ~8 times.
        self._rank_memo: tuple[Sequence[str], int, dict[str, ChunkMeta]] | None = None
        self._seen = self.index.generation()
        self._token_checked = time.monotonic()

    # ------------------------------------------------------------------ setup and consistency

    def _open_collection(self) -> tuple[Any, bool]:
        name = self.settings.collection
        meta = {"embedding": self.identity, "hnsw:space": "cosine"}
        coll = self.client.get_or_create_collection(name=name, metadata=meta, embedding_function=None)
        existing = (coll.metadata or {}).get("embedding")
        if existing and existing != self.identity:
            log.warning("embedding model changed (%s -> %s): re-indexing %s", existing, self.identity, name)
            self.client.delete_collection(name)
            return self.client.create_collection(name=name, metadata=meta, embedding_function=None), True
        return coll, False

    def _source(self) -> str:
        where = self.settings.chroma_url or str(self.settings.chroma_path.resolve())
        return f"{where}|{self.settings.collection}|{self.identity}"

    def _bind_index(self) -> None:
        """The chunk index mirrors one collection: cleared if it served another (or the model changed),
        caught up from Chroma if another process with another chunk index wrote (server mode)."""
        if self.reindexed or self.index.get_state("source") != self._source():
            self.index.clear()
            self.index.set_state("source", self._source())
            self.index.set_state("chroma_token", "")
        if self._chroma_token() != (self.index.get_state("chroma_token") or "") or (
                self.index.count() == 0 and self.collection.count() > 0):
            self._catch_up()

    def _chroma_token(self) -> str:
        return str((self.collection.metadata or {}).get("generation", ""))

    def _catch_up(self) -> None:
        """Bring the chunk index in line with Chroma: documents whose hash differs are re-read, documents
        gone from Chroma are dropped. Only texts of changed documents are fetched."""
        token = self._chroma_token()
        got = self.collection.get(include=["metadatas"])
        remote: dict[str, list[tuple[str, ChunkMeta]]] = {}
        for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True):
            meta = ChunkMeta.from_chroma(dict(m))
            remote.setdefault(meta.doc_id, []).append((cid, meta))
        local = self.index.doc_hashes()
        changed = [d for d, items in remote.items()
                   if local.get(d, ("",))[0] != items[0][1].doc_hash or len(self.index.chunk_ids(d)) != len(items)]
        for doc_id in changed:
            ids = [cid for cid, _ in remote[doc_id]]
            texts = dict(zip(ids, self.collection.get(ids=ids, include=["documents"])["documents"] or [], strict=True))
            self.index.replace_document(doc_id, [ChunkRow(cid, meta, texts.get(cid) or "")
                                                 for cid, meta in remote[doc_id]])
        for doc_id in set(local) - set(remote):
            self.index.replace_document(doc_id, [])
        self.index.set_state("chroma_token", token)
        if changed or set(local) - set(remote):
            log.info("chunk index caught up from Chroma: %d documents changed", len(changed))

    def _refresh(self) -> None:
        """Before a read: take in what other processes wrote since this one last looked."""
        gen = self.index.generation()
        if gen != self._seen:
            with self._lock:
                if self._own_client and not self.settings.chroma_url:
                    self._reopen_vectors()
                self._seen = gen
        if self.settings.chroma_url and time.monotonic() - self._token_checked > TOKEN_CHECK_S:
            self._token_checked = time.monotonic()
            with self._lock:
                self.collection = self.client.get_collection(self.settings.collection, embedding_function=None)
                if self._chroma_token() != (self.index.get_state("chroma_token") or ""):
                    self._catch_up()
                    self._seen = self.index.generation()

    def _reopen_vectors(self) -> None:
        """Embedded Chroma keeps a process's vector index in memory: another process's writes are seen
        only by a new client (measured: ~50 ms, once per foreign write)."""
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_path), None)
        self.client = _connect(self.settings)
        self.collection = self.client.get_collection(self.settings.collection, embedding_function=None)

    def _wrote(self, before: int) -> None:
        """After this process wrote: tell processes with another chunk index (server mode), and reopen
        our own vector client if someone else also wrote in between."""
        if self.settings.chroma_url:
            token = uuid.uuid4().hex
            self.collection.modify(metadata={"embedding": self.identity, "generation": token})
            self.index.set_state("chroma_token", token)
        gen = self.index.generation()
        if gen != before + 1 and self._own_client and not self.settings.chroma_url:
            self._reopen_vectors()
        self._seen = gen

    # ------------------------------------------------------------------ documents

    def doc_hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content hash, origin)."""
        self._refresh()
        return self.index.doc_hashes()

    def chunk_ids(self, doc_id: str) -> list[str]:
        return self.index.chunk_ids(doc_id)

    def versions(self) -> dict[str, str]:
        """chunk_id -> version of its document (content hash): drafts record what they used."""
        self._refresh()
        return self.index.versions()

    def count(self) -> int:
        return self.index.count()

    def documents(self) -> list[dict[str, Any]]:
        self._refresh()
        return [{"id": m.doc_id, "title": m.title, "kind": m.kind, "language": m.language, "approved": m.approved,
                 "incident": m.incident or None, "version": m.doc_hash, "valid_until": from_ts(m.valid_until),
                 "valid_from": from_ts(m.valid_from) if m.valid_from > 0 else None, "label": m.version,
                 "chunks": n} for m, n in self.index.documents()]

    def check_document(self, doc: DocumentIn) -> None:
        if len(doc.text) > self.settings.max_document_chars:
            raise PayloadTooLarge(
                f"document '{doc.id}' has {len(doc.text)} characters; the limit is "
                f"{self.settings.max_document_chars} (CRISIS_MAX_DOCUMENT_CHARS)"
            )
        if doc.valid_from and doc.valid_until and doc.valid_until <= doc.valid_from:
            raise DocumentInvalid(f"document '{doc.id}': valid_until must be after valid_from")

    def upsert(self, doc: DocumentIn, origin: str = "api") -> Literal["added", "updated", "unchanged"]:
        """Add or replace one document. Embeds first, writes second: a failure leaves the old version."""
        self.check_document(doc)
        digest = content_hash(doc)
        with self._lock:
            self._refresh()
            old = self.index.chunk_ids(doc.id)
            if old and self.index.doc_hash(doc.id) == digest:
                return "unchanged"
            chunks = chunk_document(doc)
            if not chunks:
                raise DocumentInvalid(f"document '{doc.id}' has no text to index")
            vectors = self.embeddings.embed_documents([f"{doc.title}\n{c.heading}\n{c.text}" for c in chunks])
            metas = [
                {
                    "doc_id": doc.id, "title": doc.title, "kind": doc.kind, "language": doc.language,
                    "approved": doc.approved, "valid_from": to_ts(doc.valid_from, 0.0),
                    "valid_until": to_ts(doc.valid_until, FOREVER), "incident": doc.incident or "",
                    "doc_hash": digest, "heading": c.heading, "origin": origin, "version": doc.version or "",
                }
                for c in chunks
            ]
            ids = [c.id for c in chunks]
            self.collection.upsert(ids=ids, embeddings=vectors, documents=[c.text for c in chunks],
                                   metadatas=metas)
            stale = [cid for cid in old if cid not in set(ids)]
            if stale:
                self.collection.delete(ids=stale)
            before = self.index.generation()
            self.index.replace_document(doc.id, [ChunkRow(cid, ChunkMeta.from_chroma(m), c.text)
                                                 for cid, m, c in zip(ids, metas, chunks, strict=True)])
            self._wrote(before)
            return "updated" if old else "added"

    def delete(self, doc_id: str) -> int:
        with self._lock:
            self._refresh()
            ids = self.index.chunk_ids(doc_id)
            if not ids:
                raise NotFound(f"no document with id '{doc_id}'")
            self.collection.delete(ids=ids)
            before = self.index.generation()
            self.index.replace_document(doc_id, [])
            self._wrote(before)
            return len(ids)

    def ingest(self, docs: Sequence[DocumentIn], *, progress: Progress | None = None,
               origin: str = "file") -> IngestReport:
        """Upsert many documents; a bad one is reported and the others still go in."""
        report = IngestReport()
        for n, doc in enumerate(docs, 1):
            try:
                outcome = self.upsert(doc, origin=origin)
            except (DocumentInvalid, PayloadTooLarge) as exc:
                report.failed += 1
                report.errors.append({"path": doc.id, "reason": exc.detail})
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome != "unchanged":
                report.embedded += len(self.chunk_ids(doc.id))
            if progress:
                progress(n, len(docs), doc.id)
        return report

    def ingest_path(self, path: Path, progress: Progress | None = None) -> IngestReport:
        if not path.exists():
            raise NotFound(f"no such file or folder: {path}")
        docs, errors = load_folder(path)
        # Documents that came from files and are gone from the folder are removed; a file that
        # failed to parse keeps its previous version (a typo must not delete a live fact sheet).
        failed_ids = {Path(e.path.split(":")[0].split("[")[0]).stem for e in errors}
        report = self.ingest(docs, progress=progress)
        if path.is_dir():
            keep = {d.id for d in docs} | failed_ids
            for doc_id, (_, orig) in list(self.doc_hashes().items()):
                if orig == "file" and doc_id not in keep:
                    self.delete(doc_id)
                    report.removed += 1
        report.failed += len(errors)
        report.errors.extend({"path": e.path, "reason": e.reason} for e in errors)
        return report

    # ------------------------------------------------------------------ search

    def search(self, query: str, *, k: int = 5, filters: SearchFilter | None = None,
               mode: Mode = "hybrid", vector_rank: Sequence[str] | None = None) -> list[SearchHit]:
        """Rank the chunks that pass the filters; `vector_rank` reuses one vector query for many searches."""
        f = filters or SearchFilter()
        at = (f.at or datetime.now(UTC)).timestamp()
        if not query.strip():
            return []
        self._refresh()
        depth = max(k * 4, 20)
        ranked: dict[str, float] = {}
        if mode in ("hybrid", "lexical"):
            for rank, (cid, _) in enumerate(self.index.lexical(query, f, at, depth)):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        if mode in ("hybrid", "vector"):
            if vector_rank is not None:
                ids = self._accepted_in_rank(vector_rank, f, at)
            else:
                # An unfiltered nearest-neighbour query is fast; a filtered one makes Chroma scan. Filter
                # with the chunk index, and ask Chroma to filter only when too few of the nearest pass.
                ids = self.index.accepted(self.vector_rank(query, None, depth * 5), f, at)
                if len(ids) < depth // 2 and len(ids) < self.index.count_accepted(f, at, depth) // 2:
                    ids = self.index.accepted(self.vector_rank(query, f.where(at), depth), f, at)
            for rank, cid in enumerate(ids[:depth]):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(ranked.items(), key=lambda kv: (-kv[1], _chunk_order(kv[0])))[:k]
        top = 2.0 / (RRF_K + 1) if mode == "hybrid" else 1.0 / (RRF_K + 1)
        rows = self.index.rows(cid for cid, _ in best)
        return [_hit(rows[cid], score / top) for cid, score in best if cid in rows]

    def _accepted_in_rank(self, rank: Sequence[str], f: SearchFilter, at: float) -> list[str]:
        memo = self._rank_memo
        if memo is None or memo[0] is not rank or memo[1] != self._seen:
            memo = self._rank_memo = (rank, self._seen, self.index.metas(rank))
        metas = memo[2]
        return [c for c in rank if (m := metas.get(c)) is not None and f.accepts(m, at)]

    def vector_rank(self, text: str, where: dict[str, Any] | None = None, depth: int = 80) -> list[str]:
        """Chunk ids by vector similarity to `text` (one Chroma query, filtered by `where`)."""
        self._refresh()
        total = self.count()
        if not total:
            return []
        vector = self._embed_query(text)
        res = self.collection.query(query_embeddings=[vector], n_results=min(total, depth), where=where, include=[])
        return list(res["ids"][0])

    def _embed_query(self, text: str) -> list[float]:
        # The same texts come back (fixed next-step queries, copy-paste campaigns): embed once.
        cached = self._query_cache.get(text)
        if cached is None:
            cached = self.embeddings.embed_query(text)
            if len(self._query_cache) >= 2048:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = cached
        return cached

    def chunk(self, cid: str) -> SearchHit | None:
        row = self.index.rows([cid]).get(cid)
        return None if row is None else _hit(row, 0.0)

    def doc_chunks(self, doc_id: str) -> list[SearchHit]:
        return [_hit(row, 0.0) for row in self.index.doc_rows(doc_id)]

    def find_docs(self, filters: SearchFilter) -> list[str]:
        """Ids of documents with at least one chunk passing the filters (e.g. the current fact sheet)."""
        self._refresh()
        return self.index.find_docs(filters, (filters.at or datetime.now(UTC)).timestamp())

    def close(self) -> None:
        self.index.close()


def _hit(row: ChunkRow, score: float) -> SearchHit:
    m = row.meta
    return SearchHit(
        doc_id=m.doc_id, chunk_id=row.cid, title=m.title, kind=m.kind, language=m.language,
        approved=m.approved, score=round(score, 4), text=row.text, heading=m.heading,
        incident=m.incident or None, doc_version=m.doc_hash, valid_until=from_ts(m.valid_until),
    )


def _chunk_order(cid: str) -> tuple[str, int]:
    return (cid.rpartition("::")[0], chunk_order(cid))
