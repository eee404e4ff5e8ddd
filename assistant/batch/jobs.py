"""The same units of work on arq workers (Redis): N processes on any machines, one database, one limit.

Why arq (docs/DESIGN.md): our chain is asyncio, and arq runs coroutines natively; a job stays in
its Redis queue until it completes, and a worker killed mid-job leaves an in-progress key that
expires after the job timeout + 10 s, after which another worker runs the job again (at least
once). Exactly once is ours, not the queue's: the job claims its items in the database and stores
each draft under the id its idempotency key names, so a re-run adopts what the dead worker stored.

    crisis-desk batch worker            # on each machine (CRISIS_REDIS_URL, CRISIS_DATABASE_URL)
    crisis-desk batch run ID --queue    # plan, enqueue one job per unit, show progress

Imports: core, batch.runner, batch.store (and arq, redis).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.batch import store
from assistant.batch.runner import UnitContext, ensure_limiter, prepare, process_unit, run_versions, warm_up
from assistant.batch.schemas import Counts, RunReport
from assistant.batch.store import Unit
from assistant.errors import InvalidInput

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.runtime import Runtime

log = logging.getLogger(__name__)
QUEUE = "crisis:batch"
MAX_ROUNDS = 3  # a unit whose job ended without finishing its items (timeout) is enqueued again, at most this often


def redis_settings(settings: Settings) -> Any:
    from arq.connections import RedisSettings

    if not settings.redis_url:
        raise InvalidInput("no Redis configured: set CRISIS_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    return RedisSettings.from_dsn(settings.redis_url)


def job_timeout_s(settings: Settings) -> float:
    """A job drafts one comment, or a group's core and its members (no provider call each): a few item
    timeouts. A job cut off here gives its unfinished items back, and the next round enqueues them."""
    return settings.batch_item_timeout_s * 3


async def draft_unit(ctx: dict[str, Any], batch_id: str, kind: str, unit_id: int, versions: str,
                     use_groups: bool = True) -> int:
    runtime: Runtime = ctx["runtime"]
    unit_ctx = UnitContext(runtime, batch_id, versions, item_timeout_s=runtime.settings.batch_item_timeout_s,
                           use_groups=use_groups)
    return await process_unit(unit_ctx, Unit(kind, unit_id))


async def _startup(ctx: dict[str, Any]) -> None:
    from assistant.config import get_settings
    from assistant.runtime import Runtime

    runtime = Runtime(get_settings())
    ensure_limiter(runtime, redis=ctx["redis"])  # one limit for every worker
    # Load the knowledge, the chat model, triage's model and the encoder before the first job.
    await asyncio.gather(asyncio.to_thread(lambda: (runtime.kb, runtime.chat_model)), asyncio.to_thread(warm_up))
    ctx["runtime"] = runtime


async def _shutdown(ctx: dict[str, Any]) -> None:
    if "runtime" in ctx:
        ctx["runtime"].close()


def worker(settings: Settings, *, burst: bool = False) -> Any:
    from arq import func
    from arq.worker import Worker

    return Worker(functions=[func(draft_unit, name="draft_unit", timeout=job_timeout_s(settings))],
                  queue_name=QUEUE, redis_settings=redis_settings(settings), on_startup=_startup,
                  on_shutdown=_shutdown, max_jobs=settings.batch_concurrency, burst=burst, poll_delay=0.2,
                  keep_result=60, max_tries=5, handle_signals=True)


async def run_distributed(runtime: Runtime, batch_id: str, *, redraft_stale: bool = False, use_groups: bool = True,
                          on_progress: Callable[[Counts], None] | None = None,
                          timeout_s: float | None = None) -> RunReport:
    """Plan the batch, put one job per unit on the queue, follow the database until nothing waits."""
    from arq import create_pool
    from arq.jobs import Job, JobStatus

    started = time.monotonic()
    pool = await create_pool(redis_settings(runtime.settings), default_queue_name=QUEUE)
    try:
        await asyncio.to_thread(prepare, runtime, batch_id, redraft_stale=redraft_stale, use_groups=use_groups)
        before = await asyncio.to_thread(store.counts, runtime.db, batch_id)
        versions = await asyncio.to_thread(run_versions, runtime)
        run = uuid.uuid4().hex[:8]
        jobs: list[Job] = []
        for round_ in range(MAX_ROUNDS):
            units = await asyncio.to_thread(store.pending_units, runtime.db, batch_id)
            if not units:
                break
            for unit in units:
                job = await pool.enqueue_job("draft_unit", batch_id, unit.kind, unit.id, versions, use_groups,
                                             _job_id=unit.job_id(batch_id, f"{run}-{round_}"))
                if job is not None:
                    jobs.append(job)
            # Wait for this round's jobs; a killed worker's jobs come back on another worker by themselves.
            while True:
                current = await asyncio.to_thread(store.counts, runtime.db, batch_id)
                if on_progress is not None:
                    on_progress(current)
                states = await asyncio.gather(*(j.status() for j in jobs))
                if all(s in (JobStatus.complete, JobStatus.not_found) for s in states):
                    break
                if timeout_s is not None and time.monotonic() - started > timeout_s:
                    raise TimeoutError(f"batch {batch_id} not finished after {timeout_s:g}s")
                await asyncio.sleep(0.3)
            jobs = []
    finally:
        await pool.aclose()
    final = await asyncio.to_thread(store.counts, runtime.db, batch_id)
    if on_progress is not None:
        on_progress(final)
    done = final.drafted + final.held + final.skipped
    return RunReport(batch=batch_id, counts=final, processed=done - (before.drafted + before.held + before.skipped),
                     seconds=round(time.monotonic() - started, 2))
