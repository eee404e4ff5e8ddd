"""The shared chunk index (SQLite FTS5 bm25 in the data dir) vs the per-process mirror it replaced (every
chunk's metadata and text loaded into each worker, a pure-Python BM25 built at start-up, filters by
scanning every chunk's metadata): worker start-up, resident memory, lexical search p50/p95.

Each variant runs in a fresh process on the same index file (worst-case synthetic corpus: a small
vocabulary, so every query term is in many chunks).
Run: .venv/bin/python benchmarks/lexical.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant.knowledge.filters import FOREVER, ChunkMeta, SearchFilter
from assistant.knowledge.index import ChunkIndex, ChunkRow

WORDS = ("delivery order store account password login outage invoice shipping warehouse price product refund "
         "batch recall livraison commande magasin compte facture expédition entrepôt prix produit remboursement "
         "lot rappel hotline formulaire").split()
QUERIES = ["Where is my refund?? I sent the form 2 weeks ago and still nothing",
           "Quels lots sont concernés par le rappel ? J'ai un paquet L4822",
           "My order delivery is late and the store price was wrong", "remboursement commande livraison L4805"]
FILTERS = [SearchFilter(), SearchFilter(kinds=("faq", "policy", "fact_sheet"), language="en", incident="recall")]


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def build(path: Path, chunks: int) -> None:
    rng = random.Random(3)
    idx = ChunkIndex(path)
    for d in range(chunks // 10):
        m = ChunkMeta(f"doc-{d}", f"Document {d}", rng.choice(["faq", "policy", "statement", "fact_sheet"]),
                      rng.choice(["en", "fr"]), d % 7 != 0, 0.0, FOREVER, rng.choice(["", "recall", "other"]),
                      f"h{d}", "Section", "file", "")
        idx.replace_document(m.doc_id, [ChunkRow(f"doc-{d}::{s}", m, " ".join(rng.choice(WORDS) for _ in range(25))
                                                 + f" L{4800 + s}.") for s in range(10)])


def one(variant: str, path: Path) -> None:
    """In a fresh process: open like a worker does, then search."""
    base = rss_mb()
    at = time.time()
    t = time.perf_counter()
    idx = ChunkIndex(path)
    if variant == "shared":
        idx.count()

        def search(q: str, f: SearchFilter) -> list[tuple[str, float]]:
            return idx.lexical(q, f, at, 20)
    else:
        from naive_bm25 import BM25

        bm25, metas, texts = BM25(), {}, {}
        for doc_id, _ in idx.doc_hashes().items():
            for row in idx.doc_rows(doc_id):
                metas[row.cid], texts[row.cid] = row.meta, row.text
                bm25.add(row.cid, f"{row.meta.title}\n{row.meta.heading}\n{row.text}")

        def search(q: str, f: SearchFilter) -> list[tuple[str, float]]:
            return bm25.search(q, [c for c, m in metas.items() if f.accepts(m, at)], 20)
    start = time.perf_counter() - t
    search(QUERIES[0], FILTERS[0])
    mem = rss_mb() - base
    out = []
    for f in FILTERS:
        lat = []
        for i in range(40):
            t = time.perf_counter()
            search(QUERIES[i % len(QUERIES)], f)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        out.append(f"{lat[20]:.2f} {lat[37]:.2f}")
    print(f"{start:.3f} {mem:.0f} {' '.join(out)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one[0], Path(args.one[1]))
        return
    print("variant  chunks  start-up  +RSS MB | unfiltered p50/p95 ms | filtered p50/p95 ms")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "knowledge.sqlite"
            build(path, size)
            got = {}
            for variant in ("shared", "mirror"):
                line = subprocess.run([sys.executable, __file__, "--one", variant, str(path)], check=True,
                                      capture_output=True, text=True).stdout.split()
                got[variant] = [float(x) for x in line]
                s, m, u50, u95, f50, f95 = got[variant]
                print(f"{variant:7} {size:7d}  {s:7.2f}s  {m:7.0f} | {u50:8.2f} / {u95:7.2f}     | "
                      f"{f50:7.2f} / {f95:7.2f}")
            a, b = got["shared"], got["mirror"]
            print(f"  mirror / shared: start-up {b[0] / max(a[0], 1e-4):.0f}x, memory {b[1] / max(a[1], 1):.1f}x, "
                  f"p95 unfiltered {b[3] / a[3]:.2f}x, p95 filtered {b[5] / a[5]:.2f}x")


if __name__ == "__main__":
    main()
