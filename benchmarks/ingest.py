"""Ingest throughput and search latency p50/p95 at 1k and 10k chunks.

Embedding: the default multilingual USE model, batched (what ingest does: one call per document) vs
the naive one-text-at-a-time loop; and MiniLM, the previous default (one text per ONNX call, all
cores) vs a default ONNX session fed batches of 32. Run: .venv/bin/python benchmarks/ingest.py"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.knowledge.embeddings import MiniLMEmbeddings, USEEmbeddings, bulk_threads, make_embeddings
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from assistant.models import DocumentIn

WORDS_FR = ("remboursement lot rappel granola clients produit sécurité enquête fournisseur boîte magasin "
            "hotline formulaire photo numéro date consommation jours bon achat information équipe").split()
WORDS_EN = ("refund batch recall granola customers product safety investigation supplier box store hotline "
            "form photo number date best before days voucher information team").split()


def sentences(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = WORDS_FR if i % 2 else WORDS_EN
        length = rng.randint(8, 60)
        out.append(" ".join(rng.choice(words) for _ in range(length)).capitalize() + f" L{4800 + i % 50}.")
    return out


class HashEmbeddings:
    """Deterministic unit vectors from a text hash: fills a large store fast for search-latency runs
    (the query side still goes through the real model)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.dims = len(real.embed_query("dimensions"))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            v = np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dims).astype(np.float32)
            out.append((v / np.linalg.norm(v)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def naive_session() -> object:
    """What one writes first: a default InferenceSession (all cores, spinning threads), batches of 32."""
    import onnxruntime as ort

    from assistant.knowledge.embeddings import model_path

    return ort.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])


def bench_use(n: int) -> None:
    texts = sentences(n)
    use = USEEmbeddings(threads=bulk_threads("use"))
    use.embed_array(texts[:4])  # loads the model
    t = time.perf_counter()
    a = np.concatenate([use.embed_array(texts[i : i + 10]) for i in range(0, n, 10)])  # a document: ~10 chunks
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    b = np.stack([use.embed_array([text])[0] for text in texts])
    naive_s = time.perf_counter() - t
    assert np.allclose(a, b, atol=1e-3), "both paths must give the same embeddings"
    print(f"USE (default), {n} chunks of 8-60 words, one BLAS thread:")
    print(f"  ours (one call per document of 10 chunks): {n / ours_s:8.1f} chunks/s")
    print(f"  naive (one text per call):                 {n / naive_s:8.1f} chunks/s")
    print(f"  ratio ours / naive: {naive_s / ours_s:.2f}x")


def bench_embeddings(n: int) -> None:
    texts = sentences(n)
    ours = MiniLMEmbeddings(threads=bulk_threads())
    ours.embed_array(texts[:4])  # warm-up
    t = time.perf_counter()
    a = ours.embed_array(texts)
    ours_s = time.perf_counter() - t
    naive = MiniLMEmbeddings(threads=bulk_threads(), batch_size=32)
    naive._session = naive_session()  # type: ignore[assignment]
    naive.embed_array(texts[:4])
    t = time.perf_counter()
    b = np.concatenate([naive._encode_batch(texts[i : i + 32]) for i in range(0, n, 32)])
    naive_s = time.perf_counter() - t
    assert np.allclose(a, b, atol=2e-2), "both paths must give the same embeddings"
    print(f"MiniLM (before), {n} chunks of 8-60 words, {bulk_threads()} threads:")
    print(f"  ours (one text per call, no thread spinning): {n / ours_s:8.1f} chunks/s")
    print(f"  naive (default session, batches of 32):       {n / naive_s:8.1f} chunks/s")
    print(f"  ratio ours / naive: {naive_s / ours_s:.2f}x")


def bench_search(n_chunks: int, queries: int = 200) -> None:
    texts = sentences(n_chunks, seed=n_chunks)
    with tempfile.TemporaryDirectory() as tmp:
        real = make_embeddings(Settings())
        filler = KnowledgeBase(Settings(data_dir=Path(tmp)), embeddings=HashEmbeddings(real))  # type: ignore[arg-type]
        docs = [DocumentIn(id=f"doc-{i}", title=f"Doc {i}", kind="faq", language="fr" if i % 2 else "en",
                           approved=i % 10 != 0,
                           text="\n".join(f"## Part {j}\n{texts[i * 10 + j]}" for j in range(10)))
                for i in range(n_chunks // 10)]
        filler.ingest(docs)
        kb = KnowledgeBase(Settings(data_dir=Path(tmp)), embeddings=real)
        rng = random.Random(1)
        qs = [" ".join(rng.choice(WORDS_FR + WORDS_EN) for _ in range(rng.randint(2, 8))) for _ in range(queries)]
        for mode in ("hybrid", "vector", "lexical"):
            lat = []
            for q in qs:
                t = time.perf_counter()
                kb.search(q, k=5, filters=SearchFilter(language="fr" if len(q) % 2 else None), mode=mode)  # type: ignore[arg-type]
                lat.append((time.perf_counter() - t) * 1000)
            lat.sort()
            print(f"  {kb.count():6d} chunks, {mode:7}: p50 {statistics.median(lat):6.2f} ms  "
                  f"p95 {lat[int(0.95 * len(lat)) - 1]:6.2f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--embed", type=int, default=256)
    ap.add_argument("--sizes", default="1000,10000")
    args = ap.parse_args()
    if args.embed:
        bench_use(args.embed)
        bench_embeddings(args.embed)
    print("search latency (filters: approved + valid now [+ language]):")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_search(size)
