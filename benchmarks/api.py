"""Review API throughput and latency: edit + approve under concurrent clients, SQLite, real HTTP.

A uvicorn server runs in a second process on 127.0.0.1; this process drives it with N concurrent
httpx clients, each editing then approving its own drafts (PATCH + POST approve, with versions).
Compared in the same run against two naive alternatives:
  - naive store: a new database connection per request and no API-key cache (NullPool, key_cache_s=0);
  - one client: the same server driven sequentially by a single client.

    python benchmarks/api.py [--clients 16] [--drafts 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def serve(data_dir: Path, port: int, naive: bool) -> None:
    import uvicorn

    from assistant.api.app import create_app
    from assistant.config import Settings
    from assistant.review.store import Database
    from assistant.runtime import Runtime

    runtime = Runtime(Settings(data_dir=data_dir, rate_limit_per_minute=0))
    if naive:
        runtime.__dict__["db"] = Database(runtime.settings.sqlalchemy_url, pooled=False, key_cache_s=0)
    uvicorn.run(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(data_dir: Path, clients: int, per_client: int) -> tuple[str, list[list[str]]]:
    """A key and `clients` lists of stored drafts (written before the server starts)."""
    from assistant.config import Settings
    from assistant.models import Comment, Draft, Triage
    from assistant.review.lifecycle import save_new_draft
    from assistant.review.store import Database

    db = Database(Settings(data_dir=data_dir).sqlalchemy_url)
    principal, token = db.create_key("agent", "bench")
    text = "Hi Sarah, batch L4822 is recalled: please do not eat it. Call 0800 123 456 for a refund form."
    work: list[list[str]] = []
    for c in range(clients):
        ids = []
        for i in range(per_client):
            draft = Draft(id=f"d-{c}-{i}", text=text, language="en", provider="offline", model="composer",
                          prompt_version="reply.en@1", triage=Triage(language="en", priority=float(i % 100)))
            save_new_draft(db, draft, Comment(text=f"comment {c}/{i}: is L4822 safe?", platform="x"), principal)
            ids.append(draft.id)
        work.append(ids)
    db.dispose()
    return token, work


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


async def drive(url: str, token: str, work: list[list[str]]) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def client(ids: list[str]) -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            for draft_id in ids:
                t = time.perf_counter()
                r = await http.patch(f"/v1/drafts/{draft_id}", json={"text": f"Hi, {draft_id} edited.", "version": 1})
                latencies.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
                t = time.perf_counter()
                r = await http.post(f"/v1/drafts/{draft_id}/approve", json={"version": 2})
                latencies.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text

    start = time.perf_counter()
    await asyncio.gather(*(client(ids) for ids in work))
    return len(latencies), time.perf_counter() - start, latencies


def scenario(name: str, clients: int, per_client: int, naive: bool) -> Result:
    from tests.utils.servers import free_port, wait_http

    with tempfile.TemporaryDirectory(prefix="crisis-bench-") as tmp:
        data_dir = Path(tmp)
        token, work = prepare(data_dir, clients, per_client)
        port = free_port()
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir), "--port", str(port)]
                                + (["--naive"] if naive else []), env=env)
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, proc=proc)
            asyncio.run(drive(f"http://127.0.0.1:{port}", token, work[:1]))  # warm-up: first requests
            n, seconds, latencies = asyncio.run(drive(f"http://127.0.0.1:{port}", token, work[1:]))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return Result(name, n, seconds, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--drafts", type=int, default=30, help="drafts per client (2 requests each)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.naive)
        return
    c, d = args.clients, args.drafts
    pooled = scenario(f"{c} clients, pooled store + key cache", c + 1, d, naive=False)
    naive = scenario(f"{c} clients, connection per request, no key cache", c + 1, d, naive=True)
    single = scenario("1 client, pooled store + key cache", 2, d * 4, naive=False)
    print(f"edit + approve over HTTP, SQLite (WAL), uvicorn 1 worker; {pooled.requests} requests per run")
    print(f"{'scenario':58} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for r in (pooled, naive, single):
        print(f"{r.name:58} {r.rps:8.0f} {r.p50:8.1f} {r.p95:8.1f}")
    print(f"throughput ratio, pooled vs connection-per-request: {pooled.rps / naive.rps:.2f}x "
          f"(p95 {naive.p95 / pooled.p95:.2f}x lower)")
    print(f"throughput ratio, {c} concurrent clients vs 1 client: {pooled.rps / single.rps:.2f}x")


if __name__ == "__main__":
    main()
