"""Draft a batch: every waiting comment triaged and drafted once, as ordinary drafts in the review store.

`process_unit` is the one job (a lone comment, or a group of near-duplicates), run by the embedded
runner (`run_batch`, asyncio in this process, bounded concurrency) or by queue workers (jobs.py).
Each item has an idempotency key -- comment key + prompt version + knowledge version -- that names
its draft (`bd_<hash>`), fixed at the item's first claim. A run killed at any point and started
again adopts a draft already stored under that id and drafts only what is missing; a rerun after
success finds nothing to do. Triage's "no reply" (spam, trolls, praise) is recorded as skipped
with the reason, not drafted. Failures are recorded with their reason and retried by the next run.

Imports: core, triage, guards, drafting, review (never api or cli).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.batch import store
from assistant.batch.answer_keys import AnswerOf, answers_from, disagreement
from assistant.batch.groups import BatchDrafter, anonymous, core_text, hold_reason
from assistant.batch.limiter import make_limiter
from assistant.batch.schemas import Counts, RunReport
from assistant.batch.store import Claimed, Unit
from assistant.errors import Conflict, CrisisError, NotFound
from assistant.guards import stale_flags
from assistant.models import Comment, Draft, DraftRequest
from assistant.review import lifecycle as review
from assistant.review.schemas import Principal
from assistant.triage.classify import triage as run_triage

if TYPE_CHECKING:
    from assistant.runtime import Runtime

log = logging.getLogger(__name__)
ACTOR = Principal(key_id="batch", role="agent", name="batch drafting")
Progress = Callable[[Counts], None]


def run_versions(runtime: Runtime) -> str:
    """The prompt and knowledge versions a draft made now depends on (part of the idempotency key)."""
    from assistant.drafting.chain import OFFLINE_VERSION
    from assistant.drafting.prompts import get_prompt

    if runtime.settings.llm_provider == "offline":
        prompt = OFFLINE_VERSION
    else:
        prompt = "+".join(get_prompt("reply", lang).version for lang in ("en", "fr"))
    kb = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(runtime.kb.versions().items())).encode())
    return f"{runtime.settings.llm_provider}:{prompt}:kb-{kb.hexdigest()[:16]}"


def draft_id_for(incident: str, key: str, versions: str) -> str:
    return "bd_" + hashlib.sha256(f"{incident}\x1f{key}\x1f{versions}".encode()).hexdigest()[:32]


@dataclass
class UnitContext:
    """What a job needs besides the unit: the process's runtime and the run's fixed parameters."""

    runtime: Runtime
    batch_id: str
    versions: str
    owner: str = field(default_factory=store.owner_id)
    item_timeout_s: float = 120.0
    use_groups: bool = True

    @property
    def db(self) -> Any:
        return self.runtime.db

    def plan(self, incident: str, key: str) -> str:
        return draft_id_for(incident, key, self.versions)


def ensure_limiter(runtime: Runtime, redis: Any | None = None) -> None:
    """The provider limit of the settings, shared through Redis when a connection is given."""
    if runtime.provider_limiter is None:
        s = runtime.settings
        runtime.provider_limiter = make_limiter(s.provider_requests_per_minute, s.provider_tokens_per_minute,
                                                redis=redis, key=f"crisis:provider-limit:{s.llm_model}")


def prepare(runtime: Runtime, batch_id: str, *, redraft_stale: bool = False, use_groups: bool = True) -> int:
    """Before a run: requeue stale drafts when asked, group the new comments. Returns items requeued."""
    requeued = 0
    if redraft_stale:
        current = runtime.kb.versions()
        requeued = store.reset_stale(runtime.db, batch_id, lambda used: bool(stale_flags(used, current)))
    if use_groups:
        answer_of = None
        if runtime.settings.batch_group_by_meaning:
            # Rewordings share a core only when the knowledge would answer them alike (batch/answer_keys.py).
            answer_of = answers_from(runtime.kb, store.batch_out(runtime.db, batch_id, limit=0).incident)
        store.plan_groups(runtime.db, batch_id, answer_of=answer_of)
    return requeued


def warm_up() -> None:
    """Load what every draft needs once per process: triage's learned model and the sentence encoder."""
    run_triage(Comment(text="Is batch L4822 part of the recall?", platform="other"))


# ---------------------------------------------------------------- one unit


async def process_unit(ctx: UnitContext, unit: Unit) -> int:
    """Claim the unit's waiting items and draft them; returns how many this call finished."""
    seqs = [unit.id] if unit.kind == "item" else await asyncio.to_thread(store.group_seqs, ctx.db, unit.id)
    size = len(seqs)
    lease = ctx.item_timeout_s * (size + 1) + 10
    claimed = await asyncio.to_thread(store.claim, ctx.db, seqs, ctx.owner, lease, ctx.plan)
    if not claimed:
        return 0
    done: set[int] = set()
    try:
        if unit.kind == "group" and ctx.use_groups:
            await _group(ctx, unit.id, claimed, done)
        else:
            for item in claimed:
                await _single(ctx, item, None)
                done.add(item.seq)
    finally:
        left = [c.seq for c in claimed if c.seq not in done]
        if left:  # cancelled (Ctrl-C, shutdown): give the rest back at once
            await asyncio.to_thread(store.release, ctx.db, left, ctx.owner)
    return len(done)


async def _draft(ctx: UnitContext, comment: Comment, incident: str, core: dict[str, Any] | None
                 ) -> tuple[Draft | None, str | None, BatchDrafter]:
    drafter = BatchDrafter(ctx.runtime, core)
    try:
        async with asyncio.timeout(ctx.item_timeout_s):
            return await drafter.draft(DraftRequest(comment=comment, incident=incident)), None, drafter
    except TimeoutError:
        return None, f"timed out after {ctx.item_timeout_s:g}s (CRISIS_BATCH_ITEM_TIMEOUT_S)", drafter
    except CrisisError as exc:
        return None, f"{exc.code}: {exc.detail}", drafter
    except Exception as exc:  # one bad comment must not stop the batch; the log has the details
        log.exception("batch item failed batch=%s", ctx.batch_id)
        return None, f"unexpected error ({type(exc).__name__})", drafter


async def _single(ctx: UnitContext, item: Claimed, core: dict[str, Any] | None, core_flags: list[str] | None = None,
                  held: str | None = None) -> None:
    existing = await asyncio.to_thread(_stored, ctx, item.draft_id)
    if existing is not None:  # drafted by a run that died before it could record it
        await asyncio.to_thread(_record, ctx, item, existing, core_flags, held)
        return
    draft, problem, _ = await _draft(ctx, item.comment, item.incident, core)
    if draft is None:
        await asyncio.to_thread(store.finish, ctx.db, item.seq, "failed", problem)
        return
    await asyncio.to_thread(_save, ctx, item, draft, core_flags, held)


def _stored(ctx: UnitContext, draft_id: str) -> Draft | None:
    try:
        return review.get_draft(ctx.db, draft_id)
    except NotFound:
        return None


def _save(ctx: UnitContext, item: Claimed, draft: Draft, core_flags: list[str] | None,
          held: str | None = None) -> None:
    if draft.no_reply_reason:
        store.finish(ctx.db, item.seq, "skipped", draft.no_reply_reason, keep_draft=False)
        return
    comment = item.comment
    if not comment.id:  # a stable id: the same comment row whoever stores the draft
        comment = comment.model_copy(update={"id": "bc_" + item.draft_id[3:27]})
    try:
        stored = review.save_new_draft(ctx.db, draft.model_copy(update={"id": item.draft_id}), comment, ACTOR)
    except Conflict as exc:
        if exc.extra.get("reason") != "exists":
            raise
        stored = review.get_draft(ctx.db, item.draft_id)  # another worker stored it first: exactly one draft
    _record(ctx, item, stored, core_flags, held)


def _record(ctx: UnitContext, item: Claimed, draft: Draft, core_flags: list[str] | None,
            held: str | None = None) -> None:
    reason = held or hold_reason(draft, core_flags or [])
    store.finish(ctx.db, item.seq, "held" if reason else "drafted", reason)


async def _group(ctx: UnitContext, group_id: int, claimed: list[Claimed], done: set[int]) -> None:
    core = await asyncio.to_thread(store.group_core, ctx.db, group_id)
    if core is None:
        # The core answers the first member that needs a reply (triage is cheap and local).
        rep = next((c for c in claimed if run_triage(c.comment).should_respond), None)
        if rep is not None:
            anon = anonymous(rep.comment)
            draft, problem, drafter = await _draft(ctx, anon, rep.incident, None)
            if draft is not None and drafter.captured is not None and not draft.no_reply_reason:
                record = drafter.core_record(draft, anon)
                core = await asyncio.to_thread(store.set_core, ctx.db, group_id, record,
                                               core_text(drafter.captured))
            elif problem:
                log.warning("group core failed batch=%s group=%s: %s", ctx.batch_id, group_id, problem)
    against = await asyncio.to_thread(_core_check, ctx, core, claimed) if core is not None else {}
    for item in claimed:
        # Without a core (provider down, all "no reply"), members are drafted one by one; a member whose
        # own answer contradicts the core's is drafted alone and held for individual review.
        differs = against.get(item.seq)
        if differs:
            await _single(ctx, item, None, None, f"held for individual review: {differs}")
        else:
            await _single(ctx, item, core, (core or {}).get("flags", []))
        done.add(item.seq)


def _core_check(ctx: UnitContext, core: dict[str, Any], claimed: list[Claimed]) -> dict[int, str]:
    """Each member whose own answer from the knowledge disagrees with the core comment's
    (answer_keys.disagreement: another yes/no for the same item), with the reason."""
    if not claimed:
        return {}
    answer_of: AnswerOf = answers_from(ctx.runtime.kb, claimed[0].incident)
    core_comment = claimed[0].comment.model_copy(update={"text": core.get("comment") or claimed[0].comment.text})
    keys: dict[str, Any] = {}

    def key(comment: Comment) -> Any:
        if comment.text not in keys:  # copies share one plan
            keys[comment.text] = answer_of(comment, run_triage(comment))
        return keys[comment.text]

    theirs = key(anonymous(core_comment))
    out: dict[int, str] = {}
    for item in claimed:
        reason = disagreement(theirs, key(anonymous(item.comment)))
        if reason:
            out[item.seq] = reason
    return out


# ---------------------------------------------------------------- the embedded runner


async def run_batch(runtime: Runtime, batch_id: str, *, concurrency: int | None = None,
                    item_timeout_s: float | None = None, redraft_stale: bool = False, use_groups: bool = True,
                    on_progress: Progress | None = None) -> RunReport:
    """Draft what is missing in the batch, in this process; safe to run again at any time."""
    started = time.monotonic()
    settings = runtime.settings
    ensure_limiter(runtime)
    # Build the knowledge base and the chat model, and load triage's model and the sentence encoder, before
    # the first unit and side by side: inside the first units they held back the first provider call by
    # seconds (4.8 s of a 30 s run on a loaded machine, benchmarks/batch.py).
    await asyncio.gather(asyncio.to_thread(lambda: (runtime.kb, runtime.chat_model)), asyncio.to_thread(warm_up))
    await asyncio.to_thread(prepare, runtime, batch_id, redraft_stale=redraft_stale, use_groups=use_groups)
    ctx = UnitContext(runtime, batch_id, await asyncio.to_thread(run_versions, runtime),
                      item_timeout_s=item_timeout_s or settings.batch_item_timeout_s, use_groups=use_groups)
    units = await asyncio.to_thread(store.pending_units, runtime.db, batch_id)
    gate = asyncio.Semaphore(concurrency or settings.batch_concurrency)
    processed = 0

    async def one(unit: Unit) -> None:
        nonlocal processed
        async with gate:
            finished = await process_unit(ctx, unit)
            processed += finished

    async def report() -> None:
        while True:
            if on_progress is not None:
                on_progress(await asyncio.to_thread(store.counts, runtime.db, batch_id))
            await asyncio.sleep(0.5)

    ticker = asyncio.create_task(report())
    try:
        await asyncio.gather(*(one(u) for u in units))
    finally:
        ticker.cancel()
    final = await asyncio.to_thread(store.counts, runtime.db, batch_id)
    if on_progress is not None:
        on_progress(final)
    log.info("batch run batch=%s units=%d processed=%d s=%.1f", batch_id, len(units), processed,
             time.monotonic() - started)
    return RunReport(batch=batch_id, counts=final, processed=processed, seconds=round(time.monotonic() - started, 2))
