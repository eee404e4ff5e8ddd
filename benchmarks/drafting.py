"""Drafting performance, offline provider.

1. Draft latency p50/p95 including retrieval, on the sample knowledge base and with 10k extra chunks,
   against the naive chain (every sub-search embeds its own query and asks Chroma again).
2. Time to first event on `POST /v1/drafts/stream`.
3. `POST /v1/drafts` throughput: the API in its own process (uvicorn), 32 concurrent clients from this
   process on 127.0.0.1, bounded in time.

Run: .venv/bin/python benchmarks/drafting.py [--chunks 10000] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant.config import Settings
from assistant.drafting.chain import draft_reply
from assistant.drafting.retrieval import FACT_KINDS, Context
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from assistant.models import Comment, DocumentIn, DraftRequest
from assistant.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
COMMENTS = [
    ("Where is my refund?? I sent the form 2 weeks ago and still nothing", "facebook"),
    ("Quels lots sont concernés par le rappel ? J'ai un paquet L4822", "x"),
    ("My son ate some this morning, what should we do?", "x"),
    ("People are saying all your cereals have metal in them", "instagram"),
    ("Combien de temps pour le remboursement ? Je n'ai plus le ticket", "facebook"),
    ("Why was there metal in it? What caused it?", "linkedin"),
    ("Do I need the receipt to get my money back?", "instagram"),
    ("Merci pour votre transparence, bravo à l'équipe", "facebook"),
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def naive_retrieve(kb: KnowledgeBase, query: str, language: str, incident: str | None) -> Context:
    """What one would write first: one hybrid search per need, each embedding and querying on its own."""
    at = datetime.now(UTC)
    ctx = Context(language=language)
    kb._query_cache.clear()
    ctx.sources = kb.search(query, k=8, filters=SearchFilter(kinds=FACT_KINDS, incident=incident, at=at,
                                                             language=language))
    for need in ("hotline phone", "recall form"):
        kb._query_cache.clear()
        ctx.sources += kb.search(need, k=2, filters=SearchFilter(kinds=("contact",), at=at))
    kb._query_cache.clear()
    ctx.policy = kb.search(query, k=4, filters=SearchFilter(kinds=("policy",), at=at))
    kb._query_cache.clear()
    ctx.guideline = kb.search(query, k=4, filters=SearchFilter(kinds=("guideline",), at=at))
    kb._query_cache.clear()
    ctx.disallowed = kb.search(query, k=8, filters=SearchFilter(kinds=FACT_KINDS, at=at, disallowed_only=True))
    return ctx


def latency(runtime: Runtime, n: int, naive: bool, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock ms per draft; `cpu` (if given) gets the process CPU ms of each draft, which a busy
    shared machine does not inflate."""
    import assistant.drafting.chain as drafting

    original = drafting.retrieve
    if naive:
        drafting.retrieve = lambda kb, q, **kw: naive_retrieve(kb, q, kw["language"], kw.get("incident"))  # type: ignore[assignment]
    try:
        out = []

        async def run() -> None:
            for i in range(n):
                text, platform = COMMENTS[i % len(COMMENTS)]
                req = DraftRequest(comment=Comment(text=f"{text} #{i}", author="Sam Lee", platform=platform),  # type: ignore[arg-type]
                                   incident="recall-2026-11")
                t, c = time.perf_counter(), time.process_time()
                await draft_reply(runtime, req)
                out.append((time.perf_counter() - t) * 1000)
                if cpu is not None:
                    cpu.append((time.process_time() - c) * 1000)

        asyncio.run(run())
        return out
    finally:
        drafting.retrieve = original


def add_filler(kb: KnowledgeBase, chunks: int, start: int = 0) -> None:
    """`chunks` more chunks beside the sample (other incidents, unapproved ones), with hash vectors
    (see benchmarks/ingest.py: the latency of search does not depend on what the vectors mean)."""
    from ingest import HashEmbeddings

    real = kb.embeddings
    kb.embeddings = HashEmbeddings(real)  # type: ignore[assignment,arg-type]
    rng = random.Random(3)
    words = ("delivery order store account password login outage invoice shipping warehouse price product "
             "livraison commande magasin compte facture expédition entrepôt prix produit").split()
    docs = []
    for d in range(start, start + chunks // 10):
        sections = "\n".join(f"## Section {s}\n" + " ".join(rng.choice(words) for _ in range(25)).capitalize()
                             + "." for s in range(10))
        docs.append(DocumentIn(id=f"filler-{d}", title=f"Filler {d}", kind=rng.choice(["faq", "policy", "statement"]),  # type: ignore[arg-type]
                               language=rng.choice(["en", "fr"]), approved=d % 7 != 0,
                               incident=rng.choice([None, "other-incident"]), text=sections))
    kb.ingest(docs)
    kb.embeddings = real


def report(label: str, runtime: Runtime, n: int) -> None:
    cpu_ours: list[float] = []
    cpu_naive: list[float] = []
    ours, naive = latency(runtime, n, False, cpu_ours), latency(runtime, n, True, cpu_naive)
    print(f"{label}: ours p50 {statistics.median(ours):6.1f} ms  p95 {pct(ours, 0.95):6.1f} ms | naive p50 "
          f"{statistics.median(naive):6.1f} ms  p95 {pct(naive, 0.95):6.1f} ms | ratio p95 "
          f"{pct(naive, 0.95) / pct(ours, 0.95):.2f}x\n"
          f"    CPU per draft: ours p50 {statistics.median(cpu_ours):6.1f} ms  "
          f"p95 {pct(cpu_ours, 0.95):6.1f} ms | naive p50 {statistics.median(cpu_naive):6.1f} ms  "
          f"p95 {pct(cpu_naive, 0.95):6.1f} ms | ratio p95 {pct(cpu_naive, 0.95) / pct(cpu_ours, 0.95):.2f}x")


def serve(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CRISIS_DATA_DIR": str(data_dir), "CRISIS_RATE_LIMIT_PER_MINUTE": "1000000"}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "assistant.api.server:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--workers", str(workers)], env=env)


async def load(base: str, key: str, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    done, errors, lat = 0, 0, []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:

        async def worker(w: int) -> None:
            nonlocal done, errors
            i = w
            while time.monotonic() < deadline:
                text, platform = COMMENTS[i % len(COMMENTS)]
                t = time.perf_counter()
                r = await client.post("/v1/drafts", json={"comment": {"text": f"{text} ({w}-{i})",
                                                                      "platform": platform, "author": "Sam"}})
                lat.append((time.perf_counter() - t) * 1000)
                if r.status_code == 201:
                    done += 1
                else:
                    errors += 1
                i += concurrency

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done, errors, lat


async def first_event(base: str, key: str) -> float:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        t = time.perf_counter()
        async with client.stream("POST", "/v1/drafts/stream",
                                 json={"comment": {"text": "How long does the refund take?", "platform": "x"}}) as r:
            async for line in r.aiter_lines():
                if line.startswith("event: token"):
                    return (time.perf_counter() - t) * 1000
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", default="1000,10000", help="knowledge sizes to measure at (filler chunks added)")
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-server", action="store_true", help="only the in-process draft latency")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="crisis-bench-"))
    try:
        runtime = Runtime(Settings(data_dir=tmp / "sample"))
        runtime.kb.ingest_path(ROOT / "knowledge")
        latency(runtime, 10, naive=False)  # warm-up
        report(f"offline draft, sample KB ({runtime.kb.count()} chunks)", runtime, args.n)
        added = 0
        for size in (int(c) for c in args.chunks.split(",") if c):
            add_filler(runtime.kb, size - added, start=added // 10)
            added = size
            report(f"offline draft, {runtime.kb.count()} chunks", runtime, args.n)
        runtime.close()
        if args.no_server:
            return

        server_dir = tmp / "server"
        server_rt = Runtime(Settings(data_dir=server_dir))
        server_rt.kb.ingest_path(ROOT / "knowledge")
        _, key = server_rt.db.create_key("agent", "bench")
        server_rt.close()
        port = 8765
        proc = serve(server_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            asyncio.run(load(base, key, 2, 4))  # warm-up (model load, caches)
            ttfe = [asyncio.run(first_event(base, key)) for _ in range(10)]
            print(f"SSE time to first token event: p50 {statistics.median(ttfe):.1f} ms, max {max(ttfe):.1f} ms")
            for conc in (1, args.concurrency):
                done, errors, lat = asyncio.run(load(base, key, args.seconds, conc))
                print(f"POST /v1/drafts, {args.workers} workers, {conc:2d} concurrent clients, {args.seconds:.0f}s: "
                      f"{done / args.seconds:6.1f} drafts/s, p50 {statistics.median(lat):6.1f} ms, "
                      f"p95 {pct(lat, 0.95):6.1f} ms, errors {errors}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
