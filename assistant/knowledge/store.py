"""The knowledge store: Chroma (embedded on disk, or a server by URL) plus an in-memory lexical index.

- Incremental: each chunk carries its document's content hash; an unchanged document is not
  re-embedded, a changed one is replaced, a file removed from the folder is deleted.
- Filters first: approved and valid at the time asked (by default), kind, language, incident.
- Hybrid ranking: BM25 (French/English analysis) fused with the vector ranking by reciprocal rank.
- The collection records the embedding model that built it; a different model re-indexes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import DocumentInvalid, KnowledgeUnavailable, NotFound, PayloadTooLarge
from assistant.knowledge.chunking import chunk_document, content_hash
from assistant.knowledge.embeddings import embedding_identity, make_embeddings
from assistant.knowledge.lexical import BM25
from assistant.knowledge.loaders import load_folder
from assistant.models import DocumentIn, IngestReport, SearchHit

log = logging.getLogger(__name__)

FOREVER = 253402300799.0  # 9999-12-31T23:59:59Z: "no end of validity"
RRF_K = 60
Mode = Literal["hybrid", "vector", "lexical"]
Progress = Callable[[int, int, str], None]


def _ts(value: datetime | None, default: float) -> float:
    return value.timestamp() if value is not None else default


def _from_ts(value: float) -> datetime | None:
    return None if value >= FOREVER else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class ChunkMeta:
    doc_id: str
    title: str
    kind: str
    language: str
    approved: bool
    valid_from: float
    valid_until: float
    incident: str
    doc_hash: str
    heading: str
    origin: str
    version: str

    @classmethod
    def from_chroma(cls, m: dict[str, Any]) -> ChunkMeta:
        return cls(**{f: m.get(f, "") for f in cls.__dataclass_fields__})

    def usable(self, at: float, include_unapproved: bool, include_expired: bool) -> bool:
        if not include_unapproved and not self.approved:
            return False
        return include_expired or self.valid_from <= at < self.valid_until


@dataclass(frozen=True)
class SearchFilter:
    kinds: Sequence[str] | None = None
    language: str | None = None
    incident: str | None = None
    at: datetime | None = None
    include_unapproved: bool = False
    include_expired: bool = False
    # Only what may NOT be used (unapproved, expired, not yet valid): what the guards compare against.
    disallowed_only: bool = False

    def accepts(self, meta: ChunkMeta, at: float) -> bool:
        usable = meta.usable(at, self.include_unapproved, self.include_expired)
        if self.disallowed_only:
            usable = not meta.usable(at, False, False)
        if not usable:
            return False
        if self.kinds and meta.kind not in self.kinds:
            return False
        if self.language and meta.language != self.language:
            return False
        # General documents (no incident) apply to every incident.
        return not (self.incident and meta.incident not in ("", self.incident))

    def where(self, at: float) -> dict[str, Any] | None:
        """The same filter as a Chroma `where` clause, so the vector index filters natively."""
        conds: list[dict[str, Any]] = []
        if self.disallowed_only:
            conds.append({"$or": [{"approved": False}, {"valid_from": {"$gt": at}}, {"valid_until": {"$lte": at}}]})
        else:
            if not self.include_unapproved:
                conds.append({"approved": True})
            if not self.include_expired:
                conds += [{"valid_from": {"$lte": at}}, {"valid_until": {"$gt": at}}]
        if self.kinds:
            conds.append({"kind": {"$in": list(self.kinds)}})
        if self.language:
            conds.append({"language": self.language})
        if self.incident:
            conds.append({"incident": {"$in": ["", self.incident]}})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}


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
        try:
            self.client = client or _connect(settings)
            self.collection, self.reindexed = self._open_collection()
        except Exception as exc:  # chroma raises many types; the caller needs one clear error
            where = settings.chroma_url or str(settings.chroma_path)
            raise KnowledgeUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc
        self._meta: dict[str, ChunkMeta] = {}
        self._text: dict[str, str] = {}
        self._bm25 = BM25()
        self._query_cache: dict[str, list[float]] = {}
        # doc_id -> its chunk ids: per-document lookups (upsert, delete, doc_chunks) need not scan all.
        self._by_doc: dict[str, set[str]] = {}
        self._load_mirror()

    # ------------------------------------------------------------------ setup

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

    def _load_mirror(self) -> None:
        got = self.collection.get(include=["metadatas", "documents"])
        self._meta.clear()
        self._text.clear()
        self._by_doc.clear()
        self._bm25 = BM25()
        for cid, m, text in zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=True):
            self._remember(cid, ChunkMeta.from_chroma(dict(m)), text or "")

    def _remember(self, cid: str, meta: ChunkMeta, text: str) -> None:
        self._meta[cid] = meta
        self._text[cid] = text
        self._by_doc.setdefault(meta.doc_id, set()).add(cid)
        self._bm25.add(cid, f"{meta.title}\n{meta.heading}\n{text}")

    def _forget(self, ids: Iterable[str]) -> None:
        for cid in ids:
            meta = self._meta.pop(cid, None)
            if meta is not None:
                chunks = self._by_doc.get(meta.doc_id, set())
                chunks.discard(cid)
                if not chunks:
                    self._by_doc.pop(meta.doc_id, None)
            self._text.pop(cid, None)
            self._bm25.remove(cid)

    # ------------------------------------------------------------------ documents

    def doc_hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content hash, origin)."""
        return {m.doc_id: (m.doc_hash, m.origin) for m in self._meta.values()}

    def chunk_ids(self, doc_id: str) -> list[str]:
        return sorted(self._by_doc.get(doc_id, ()), key=_chunk_order)

    def versions(self) -> dict[str, str]:
        """chunk_id -> version of its document (content hash): drafts record what they used."""
        return {cid: m.doc_hash for cid, m in self._meta.items()}

    def count(self) -> int:
        return len(self._meta)

    def documents(self) -> list[dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for m in self._meta.values():
            d = docs.setdefault(m.doc_id, {"id": m.doc_id, "title": m.title, "kind": m.kind,
                                           "language": m.language, "approved": m.approved,
                                           "incident": m.incident or None, "version": m.doc_hash,
                                           "valid_until": _from_ts(m.valid_until), "chunks": 0})
            d["chunks"] += 1
        return sorted(docs.values(), key=lambda d: d["id"])

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
            old = self.chunk_ids(doc.id)
            if old and self._meta[old[0]].doc_hash == digest:
                return "unchanged"
            chunks = chunk_document(doc)
            if not chunks:
                raise DocumentInvalid(f"document '{doc.id}' has no text to index")
            vectors = self.embeddings.embed_documents([f"{doc.title}\n{c.heading}\n{c.text}" for c in chunks])
            metas = [
                {
                    "doc_id": doc.id, "title": doc.title, "kind": doc.kind, "language": doc.language,
                    "approved": doc.approved, "valid_from": _ts(doc.valid_from, 0.0),
                    "valid_until": _ts(doc.valid_until, FOREVER), "incident": doc.incident or "",
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
            self._forget(old)
            for cid, m, c in zip(ids, metas, chunks, strict=True):
                self._remember(cid, ChunkMeta.from_chroma(m), c.text)
            return "updated" if old else "added"

    def delete(self, doc_id: str) -> int:
        with self._lock:
            ids = self.chunk_ids(doc_id)
            if not ids:
                raise NotFound(f"no document with id '{doc_id}'")
            self.collection.delete(ids=ids)
            self._forget(ids)
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
        with self._lock:
            allowed = [cid for cid, m in self._meta.items() if f.accepts(m, at)]
        if not allowed or not query.strip():
            return []
        depth = max(k * 4, 20)
        ranked: dict[str, float] = {}
        if mode in ("hybrid", "lexical"):
            for rank, (cid, _) in enumerate(self._bm25.search(query, allowed, depth)):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        if mode in ("hybrid", "vector"):
            allow = set(allowed)
            if vector_rank is not None:
                ids = [c for c in vector_rank if c in allow]
            else:
                # An unfiltered nearest-neighbour query is fast; a filtered one makes Chroma scan. Filter
                # ourselves, and ask Chroma to filter only when too few of the nearest pass.
                ids = [c for c in self.vector_rank(query, None, depth * 5) if c in allow]
                if len(ids) < min(depth, len(allow)) // 2:
                    ids = [c for c in self.vector_rank(query, f.where(at), depth) if c in allow]
            for rank, cid in enumerate(ids[:depth]):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(ranked.items(), key=lambda kv: (-kv[1], _chunk_order(kv[0])))[:k]
        top = 2.0 / (RRF_K + 1) if mode == "hybrid" else 1.0 / (RRF_K + 1)
        return [self._hit(cid, score / top) for cid, score in best]

    def vector_rank(self, text: str, where: dict[str, Any] | None = None, depth: int = 80) -> list[str]:
        """Chunk ids by vector similarity to `text` (one Chroma query, filtered by `where`)."""
        if not self._meta:
            return []
        vector = self._embed_query(text)
        res = self.collection.query(query_embeddings=[vector], n_results=min(len(self._meta), depth),
                                    where=where, include=[])
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

    def _hit(self, cid: str, score: float) -> SearchHit:
        m = self._meta[cid]
        return SearchHit(
            doc_id=m.doc_id, chunk_id=cid, title=m.title, kind=m.kind, language=m.language,
            approved=m.approved, score=round(score, 4), text=self._text[cid], heading=m.heading,
            incident=m.incident or None, doc_version=m.doc_hash, valid_until=_from_ts(m.valid_until),
        )

    def chunk(self, cid: str) -> SearchHit | None:
        return self._hit(cid, 0.0) if cid in self._meta else None

    def doc_chunks(self, doc_id: str) -> list[SearchHit]:
        return [self._hit(cid, 0.0) for cid in self.chunk_ids(doc_id)]

    def find_docs(self, filters: SearchFilter) -> list[str]:
        """Ids of documents with at least one chunk passing the filters (e.g. the current fact sheet)."""
        at = (filters.at or datetime.now(UTC)).timestamp()
        return sorted({m.doc_id for m in self._meta.values() if filters.accepts(m, at)})


def _chunk_order(cid: str) -> tuple[str, int]:
    doc, _, n = cid.rpartition("::")
    return (doc, int(n) if n.isdigit() else 0)
