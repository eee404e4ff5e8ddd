"""Batch drafting, measured: rate-limit throughput vs LangChain's chain.batch, calls saved by grouping,
a fault run with a kill -9 and a resume, offline drafts/s with one process and with two arq workers.

Everything runs on this machine: the fake OpenAI server (tests/fakes/openai_server.py) on 127.0.0.1
with a server-side limit (GCRA, Retry-After on 429), a redis-server on 127.0.0.1 for the workers.

    python benchmarks/batch.py                      # every section, default sizes
    python benchmarks/batch.py --only throughput --n 200 --rpm 600 --latency 0.3
    python benchmarks/batch.py --only fault --fault-n 2000
    python benchmarks/batch.py --only offline --offline-n 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import Behaviour, delay, echo_schema, start_fake_openai, status  # noqa: E402

INCIDENT = "recall-2026-11"
TOPICS = ["Is batch L{n} part of the recall?", "My dog ate the granola from box {n}, what should I do?",
          "Where is the refund form for order {n}?", "Can I still eat the bars with code {n}?",
          "Which stores sold lot {n} of the granola?", "Le lot L{n} est-il concerné par le rappel ?",
          "Mon fils a mangé le granola du paquet {n}, que faire ?", "Who pays for the vet bill, case {n}?"]
CAMPAIGN = ["Shame on Alpena Foods! My children ate your granola L4822 and you said NOTHING for days. "
            "Recall everything now and tell us the truth. #AlpenaLies",
            "Honte à Alpena Foods ! Mes enfants ont mangé votre granola L4822 et vous n'avez RIEN dit "
            "pendant des jours. Rappelez tout et dites la vérité. #AlpenaMent",
            "Is the granola from batch L4822 safe for kids? I bought three boxes at my local store last week."]
# The campaign's question in other words (written for this benchmark, not taken from the labelled sets).
REWORDED = ["Can my kids eat the L4822 granola safely?", "is granola lot L4822 ok for children??",
            "Batch L4822: safe for my kids or not?", "Are children safe eating granola L4822?",
            "Is L4822 granola safe to give to the kids?",
            "Le granola du lot L4822 est-il sans danger pour les enfants ?",
            "Mes enfants peuvent-ils manger le granola L4822 ?", "Le lot L4822 est-il dangereux pour les enfants ?"]


def distinct(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [{"id": f"c{i}", "platform": rng.choice(["x", "facebook", "instagram"]),
             "author_handle": f"user{i}", "author": f"Reader {i}",
             "text": f"{TOPICS[i % len(TOPICS)].format(n=10000 + i * 37)} Reader #{rng.randint(1, 10**6)} "
                     f"asks, day {i % 9 + 1}."} for i in range(n)]


def campaign(n: int) -> list[dict[str, Any]]:
    """A quarter distinct; the rest copies of three campaign texts (names, case, a word changed), one
    in five of them the third text's question in other words."""
    rng = random.Random(11)
    rows = distinct(n // 4)
    for i in range(n - len(rows)):
        text = CAMPAIGN[i % len(CAMPAIGN)] if rng.random() < 0.8 else rng.choice(REWORDED)
        if rng.random() < 0.5:
            text = text.replace("!", "!!")
        if rng.random() < 0.3:
            text = text.upper() if rng.random() < 0.2 else text + " Disgusting."
        rows.append({"id": f"k{i}", "platform": "facebook", "author": f"Person {i}", "text": text})
    rng.shuffle(rows)
    return rows


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


class ServerLimit:
    """The provider's own limit: GCRA at `rpm` with one second of burst; over it, 429 + Retry-After."""

    def __init__(self, rpm: int, latency: float, faults: dict[str, float] | None = None, seed: int = 3) -> None:
        self.interval = 60.0 / rpm if rpm else 0.0
        self.tat = 0.0
        self.latency = latency
        self.faults = faults or {}
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.ok = self.limited = self.errors = self.timeouts = 0
        self.times: list[float] = []

    def __call__(self, request: Any) -> Behaviour:
        with self.lock:
            now = time.monotonic()
            if self.interval:
                tat = max(self.tat, now)
                if tat - now > 1.0:  # more than one second ahead: over the limit
                    self.limited += 1
                    return status(429, retry_after=max(1, round(tat - now - 1.0 + 0.5)))
                self.tat = tat + self.interval
            self.times.append(now)
            roll = self.rng.random()
            f = self.faults
            if roll < f.get("429", 0):
                self.limited += 1
                return status(429, retry_after=1)
            if roll < f.get("429", 0) + f.get("500", 0):
                self.errors += 1
                return status(500)
            if roll < f.get("429", 0) + f.get("500", 0) + f.get("timeout", 0):
                self.timeouts += 1
                return delay(30.0)
            self.ok += 1
        return delay(self.latency, echo_schema(request))


def runtime_for(data_dir: Path, db: Path, **settings: Any) -> Any:
    from assistant.config import Settings
    from assistant.runtime import Runtime

    return Runtime(Settings(data_dir=data_dir, database_url=f"sqlite:///{db}", rate_limit_per_minute=0, **settings))


def import_rows(runtime: Any, rows: list[dict[str, Any]], batch: str) -> None:
    from assistant.batch import store

    report = store.import_data(runtime.db, runtime.settings, jsonl(rows), "jsonl", incident=INCIDENT, batch_id=batch)
    assert report.added == len(rows), report


# ---------------------------------------------------------------- sections


def throughput(kb: Path, work: Path, n: int, rpm: int, latency: float, concurrency: int) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_openai import ChatOpenAI

    from assistant.batch.runner import run_batch
    from assistant.models import DraftOut

    bound = rpm / 60.0
    rows = distinct(n)
    print(f"== throughput: {n} comments, provider limit {rpm}/min ({bound:.1f}/s) with 429 + Retry-After, "
          f"{latency * 1000:.0f} ms latency, concurrency {concurrency}")
    limit = ServerLimit(rpm, latency)
    with start_fake_openai(default=limit) as fake:
        rt = runtime_for(kb, work / "tp.sqlite", llm_provider="openai", openai_base_url=fake.base_url,
                         openai_api_key="bench", provider_requests_per_minute=rpm, batch_concurrency=concurrency)
        import_rows(rt, rows, "tp")
        started, cpu = time.monotonic(), time.process_time()
        report = asyncio.run(run_batch(rt, "tp", use_groups=False))
        ours, cpu = time.monotonic() - started, time.process_time() - cpu
        done = report.counts.drafted + report.counts.held
        fallbacks = _fallbacks(rt)
        rt.close()
        ours_rate = done / ours
        span = limit.times[-1] - limit.times[0] if len(limit.times) > 1 else 0.0
        print(f"crisis-desk batch (retrieval, guards, store included): {done}/{n} drafted in {ours:.1f}s = "
              f"{ours_rate:.2f}/s = {ours_rate / bound:.0%} of the bound; 429s {limit.limited}; "
              f"offline fallbacks {fallbacks}; provider requests {len(limit.times)} in {span:.1f}s "
              f"(first at +{limit.times[0] - started:.1f}s) = {(len(limit.times) - 1) / max(span, 1e-9) / bound:.0%} "
              "of the bound while running")
        # One process reaches the bound only if it gets bound x CPU-per-draft of a core (the fake server's
        # threads are in this process too); on a shared machine it gets what the load leaves it.
        print(f"CPU of this process: {cpu:.1f}s = {cpu / max(done, 1) * 1000:.0f} ms per draft; the bound needs "
              f"{bound * cpu / max(done, 1):.0%} of a core, the run got {cpu / ours:.0%}; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # The same model calls only (no retrieval, guards or store), through our ResilientChat and limiter:
    # the like-for-like comparison with chain.batch below.
    limit = ServerLimit(rpm, latency)
    with start_fake_openai(default=limit) as fake:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=fake.base_url, api_key="bench",  # type: ignore[arg-type]
                           use_responses_api=False, max_retries=0)
        calls_rate = asyncio.run(_calls_only(model, rows, rpm, concurrency, limit))
        print(f"crisis-desk model calls only (ResilientChat + adaptive limiter): {calls_rate[0]}/{n} answers in "
              f"{calls_rate[1]:.1f}s = {calls_rate[0] / calls_rate[1]:.2f}/s = "
              f"{calls_rate[0] / calls_rate[1] / bound:.0%} of the bound; 429s {limit.limited}")

    limit = ServerLimit(rpm, latency)
    with start_fake_openai(default=limit) as fake:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=fake.base_url, api_key="bench",  # type: ignore[arg-type]
                           use_responses_api=False)
        chain = model.with_structured_output(DraftOut, method="json_schema")
        inputs = [[SystemMessage("Reply to the customer as the brand, cite sources."), HumanMessage(r["text"])]
                  for r in rows]
        started = time.monotonic()
        results = chain.batch(inputs, config={"max_concurrency": concurrency}, return_exceptions=True)
        theirs = time.monotonic() - started
        ok = sum(1 for r in results if not isinstance(r, BaseException))
        their_rate = ok / theirs
        print(f"LangChain chain.batch(max_concurrency={concurrency}) (model calls only, SDK retries): {ok}/{n} "
              f"answers in {theirs:.1f}s = {their_rate:.2f}/s = {their_rate / bound:.0%} of the bound; "
              f"429s {limit.limited}; failed {n - ok}")
    ours_calls = calls_rate[0] / calls_rate[1]
    print(f"ratio ours / LangChain, answers per second: model calls only {ours_calls / their_rate:.2f}x, "
          f"whole drafts (ours) vs model calls (theirs) {ours_rate / their_rate:.2f}x")


async def _calls_only(model: Any, rows: list[dict[str, Any]], rpm: int, concurrency: int,
                      limit: ServerLimit) -> tuple[int, float]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.batch.limiter import LocalLimiter
    from assistant.drafting.llm import ResilientChat
    from assistant.errors import ProviderUnavailable
    from assistant.models import DraftOut

    chat = ResilientChat(model, limiter=LocalLimiter(rpm))
    gate = asyncio.Semaphore(concurrency)
    ok = 0

    async def one(text: str) -> None:
        nonlocal ok
        async with gate:
            try:
                await chat.ainvoke_structured([SystemMessage("Reply to the customer as the brand, cite sources."),
                                               HumanMessage(text)], DraftOut)
                ok += 1
            except ProviderUnavailable:
                pass

    started = time.monotonic()
    await asyncio.gather(*(one(r["text"]) for r in rows))
    return ok, time.monotonic() - started


def _fallbacks(rt: Any) -> int:
    from sqlalchemy import select

    from assistant.review.tables import DraftRow

    with rt.db.read() as s:
        return sum(1 for d in s.scalars(select(DraftRow.data)) if d.get("fallback"))


def grouping(kb: Path, work: Path, n: int) -> None:
    from assistant.batch import store
    from assistant.batch.runner import run_batch

    rows = campaign(n)
    print(f"== grouping: {n} comments, a campaign-like set (3/4 copies of 3 texts in en/fr with edits, "
          "one in five reworded)")
    calls = {}
    for mode in ("by meaning", "copies only", "one by one"):
        with start_fake_openai(default=lambda req: delay(0.0, echo_schema(req))) as fake:
            rt = runtime_for(kb, work / f"group-{mode[:4]}.sqlite", llm_provider="openai",
                             openai_base_url=fake.base_url, openai_api_key="bench", batch_concurrency=8,
                             batch_group_by_meaning=mode == "by meaning")
            import_rows(rt, rows, "g")
            started = time.monotonic()
            report = asyncio.run(run_batch(rt, "g", use_groups=mode != "one by one"))
            n_groups = store.groups_page(rt.db, "g", limit=1).count
            calls[mode] = len(fake.chat_requests)
            print(f"{mode}: {calls[mode]} provider calls, "
                  f"{report.counts.drafted} drafted, {report.counts.held} held, {report.counts.skipped} skipped, "
                  f"{n_groups} groups, {time.monotonic() - started:.1f}s")
            rt.close()
    for mode in ("copies only", "by meaning"):
        saved = calls["one by one"] - calls[mode]
        print(f"provider calls saved, {mode}: {saved} of {calls['one by one']} "
              f"({saved / max(1, calls['one by one']):.0%}); ratio {calls['one by one'] / max(1, calls[mode]):.1f}x")
    grouping_cost(kb, work, rows)


def grouping_cost(kb: Path, work: Path, rows: list[dict[str, Any]]) -> None:
    """What planning the groups costs per comment, copies only vs by meaning: models loaded (as the runner
    does before planning), these comments never encoded nor planned before."""
    from assistant.batch.answer_keys import answers_from
    from assistant.batch.paraphrases import comment_groups
    from assistant.models import Comment

    rt = runtime_for(kb, work / "group-cost.sqlite")
    comments = [Comment(text=r["text"], platform=r["platform"]) for r in rows]
    warm = [Comment(text=r["text"], platform=r["platform"]) for r in distinct(40)]
    comment_groups(warm, answer_of=answers_from(rt.kb, INCIDENT))  # loads triage, the encoder, the knowledge
    timed = {}
    for mode, answer_of in (("copies only", None), ("by meaning", answers_from(rt.kb, INCIDENT))):
        started = time.perf_counter()
        comment_groups(comments, answer_of=answer_of)
        timed[mode] = (time.perf_counter() - started) * 1000 / len(comments)
    print(f"grouping cost per comment: copies only {timed['copies only']:.2f} ms, by meaning "
          f"{timed['by meaning']:.2f} ms ({timed['by meaning'] / max(timed['copies only'], 1e-9):.1f}x)")
    rt.close()


def fault(kb: Path, work: Path, n: int) -> None:
    from sqlalchemy import func, select

    from assistant.batch.runner import run_batch
    from assistant.batch.tables import BatchItemRow
    from assistant.review.tables import DraftRow

    print(f"== fault run: {n} comments, 10% 429, 5% 500, 2% timeouts, kill -9 of the runner mid-way, resume")
    limit = ServerLimit(0, 0.02, {"429": 0.10, "500": 0.05, "timeout": 0.02})
    db = work / "fault.sqlite"
    with start_fake_openai(default=limit) as fake:
        env = {"CRISIS_LLM_PROVIDER": "openai", "OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "bench",
               "CRISIS_LLM_TIMEOUT_S": "1", "CRISIS_BATCH_CONCURRENCY": "16"}
        rt = runtime_for(kb, db, llm_provider="openai", openai_base_url=fake.base_url, openai_api_key="bench",
                         llm_timeout_s=1, batch_concurrency=16)
        import_rows(rt, distinct(n), "f")
        proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import app; app()", "batch", "run", "f",
                                 "--no-groups", "--json", "--data-dir", str(kb)],
                                env=os.environ | env | {"CRISIS_DATABASE_URL": f"sqlite:///{db}"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while True:
            with rt.db.read() as s:
                done = s.scalar(select(func.count()).select_from(BatchItemRow).where(
                    BatchItemRow.status.in_(("drafted", "held")))) or 0
            if done >= n // 2 or proc.poll() is not None:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = time.monotonic() - started
        with rt.db.read() as s:
            running = s.scalar(select(func.count()).select_from(BatchItemRow).where(
                BatchItemRow.status == "running")) or 0
        print(f"killed the runner after {killed_at:.1f}s: {done} drafted, {running} in hand")
        report = asyncio.run(run_batch(rt, "f", use_groups=False))
        with rt.db.read() as s:
            per_comment = dict(s.execute(select(DraftRow.comment_id, func.count()).group_by(DraftRow.comment_id))
                               .tuples().all())
        exactly_one = sum(1 for v in per_comment.values() if v == 1)
        print(f"resumed: {report.processed} more in {report.seconds:.1f}s; counts {report.counts.model_dump()}")
        print(f"drafts per comment by query: {exactly_one} of {n} comments have exactly one draft, "
              f"{sum(1 for v in per_comment.values() if v > 1)} have more, {n - len(per_comment)} have none; "
              f"provider answered 429 x{limit.limited}, 500 x{limit.errors}, timeout x{limit.timeouts}; "
              f"offline fallbacks {_fallbacks(rt)}")
        rt.close()


def offline(kb: Path, work: Path, n: int) -> None:
    from assistant.batch.jobs import run_distributed
    from assistant.batch.runner import run_batch

    print(f"== offline provider: {n} comments, one process vs two arq workers (redis-server, one SQLite)")
    rows = distinct(n)
    rt = runtime_for(kb, work / "off1.sqlite")
    import_rows(rt, rows, "o")
    report = asyncio.run(run_batch(rt, "o", use_groups=False))
    one = report.counts.drafted + report.counts.held + report.counts.skipped
    one_rate = one / report.seconds
    print(f"one process: {one} in {report.seconds:.1f}s = {one_rate:.1f} drafts/s")
    rt.close()
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server).exists():
        print("two workers: skipped (no redis-server)")
        return
    from tests.utils.servers import free_port

    port = free_port()
    redis_proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
                                  stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    db = work / "off2.sqlite"
    rt = runtime_for(kb, db, redis_url=url)
    import_rows(rt, rows, "o2")
    env = os.environ | {"CRISIS_DATA_DIR": str(kb), "CRISIS_DATABASE_URL": f"sqlite:///{db}", "CRISIS_REDIS_URL": url}
    workers = [subprocess.Popen([sys.executable, "-c", "from assistant.cli import app; app()", "batch", "worker"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        time.sleep(8)  # both workers load the knowledge base before the clock starts
        report = asyncio.run(run_distributed(rt, "o2", use_groups=False))
        two = report.counts.drafted + report.counts.held + report.counts.skipped
        two_rate = two / report.seconds
        print(f"two workers: {two} in {report.seconds:.1f}s = {two_rate:.1f} drafts/s; "
              f"ratio {two_rate / one_rate:.2f}x one process")
    finally:
        for w in workers:
            w.terminate()
            w.wait(timeout=20)
        redis_proc.terminate()
        rt.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["throughput", "grouping", "fault", "offline"], action="append")
    parser.add_argument("--n", type=int, default=200, help="comments for the throughput run")
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--group-n", type=int, default=400)
    parser.add_argument("--fault-n", type=int, default=2000)
    parser.add_argument("--offline-n", type=int, default=10000)
    args = parser.parse_args()
    only = set(args.only or ["throughput", "grouping", "fault", "offline"])
    from tests.utils.kb import sample_kb

    work = Path(tempfile.mkdtemp(prefix="crisis-batch-bench-"))
    try:
        kb = work / "kb"
        sample_kb(kb)
        if "throughput" in only:
            throughput(kb, work, args.n, args.rpm, args.latency, args.concurrency)
        if "grouping" in only:
            grouping(kb, work, args.group_n)
        if "fault" in only:
            fault(kb, work, args.fault_n)
        if "offline" in only:
            offline(kb, work, args.offline_n)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
