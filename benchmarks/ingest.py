"""Ingest throughput (our batched, length-bucketed ONNX path vs the naive per-chunk loop a user would
write) and search latency p50/p95 at 1k and 10k chunks. Run: .venv/bin/python benchmarks/ingest.py"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.knowledge.embeddings import MiniLMEmbeddings
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


def bench_embeddings(n: int) -> None:
    texts = sentences(n)
    emb = MiniLMEmbeddings()
    emb.embed_array(texts[:8])  # warm-up
    t = time.perf_counter()
    ours = emb.embed_array(texts)
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    naive = np.stack([emb._encode_batch([s])[0] for s in texts])  # one chunk per call, as a loop would
    naive_s = time.perf_counter() - t
    unsorted = MiniLMEmbeddings(batch_size=32)
    t = time.perf_counter()
    for start in range(0, n, 32):  # batched but not length-bucketed
        unsorted._encode_batch(texts[start : start + 32])
    plain_batch_s = time.perf_counter() - t
    assert np.allclose(ours, naive, atol=1e-3), "batched and per-chunk embeddings must agree"
    print(f"embeddings, {n} chunks of 8-60 words:")
    print(f"  ours (length-bucketed batches of 32): {n / ours_s:8.1f} chunks/s")
    print(f"  plain batches of 32 (no bucketing):   {n / plain_batch_s:8.1f} chunks/s")
    print(f"  naive one-by-one loop:                {n / naive_s:8.1f} chunks/s")
    print(f"  ratio ours / naive: {naive_s / ours_s:.2f}x; ours / plain batches: {plain_batch_s / ours_s:.2f}x")


def bench_search(n_chunks: int, queries: int = 200) -> None:
    texts = sentences(n_chunks, seed=n_chunks)
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Settings(data_dir=Path(tmp)))
        docs = [DocumentIn(id=f"doc-{i}", title=f"Doc {i}", kind="faq", language="fr" if i % 2 else "en",
                           approved=i % 10 != 0, text="\n".join(texts[i * 10 : (i + 1) * 10]))
                for i in range(n_chunks // 10)]
        t = time.perf_counter()
        kb.ingest(docs)
        ingest_s = time.perf_counter() - t
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
        print(f"  (ingest of {kb.count()} chunks took {ingest_s:.1f}s, {kb.count() / ingest_s:.0f} chunks/s "
              "incl. chunking, embedding, Chroma upsert)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--embed", type=int, default=512)
    ap.add_argument("--sizes", default="1000,10000")
    args = ap.parse_args()
    bench_embeddings(args.embed)
    print("search latency (filters: approved + valid now [+ language]):")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_search(size)
