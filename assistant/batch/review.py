"""Review a group once: approve its core or edit it, every member following through the review lifecycle.

A member inherits the group's decision while its draft is still the core's personalisation (same
text): approval goes through `lifecycle.approve` one member at a time, so a member with a high flag
is refused and stays held for individual review; an edit of the core re-personalises each member,
guards it on its own (the ordinary chain with the new core) and stores it with `lifecycle.edit`.
A member someone edited alone keeps its own text ("kept").

Imports: core, drafting, review, batch (store, groups, runner).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from assistant.batch import store
from assistant.batch.groups import BatchDrafter, core_from_text, hold_reason, personalise
from assistant.batch.schemas import GroupDecision, GroupOut, MemberOutcome
from assistant.drafting.composer import render
from assistant.errors import ApprovalBlocked, Conflict, CrisisError, NotFound
from assistant.models import Draft, DraftRequest, Verified
from assistant.review import lifecycle as review
from assistant.review.schemas import Principal

if TYPE_CHECKING:
    from assistant.runtime import Runtime


def _inherits(draft: Draft, core: dict[str, Any], comment: Any) -> bool:
    """Still the core's text for this member (not edited alone, not decided)?"""
    return draft.status in ("draft", "edited", "approved") and draft.text == render(personalise(core, comment))


def _members(db: Any, group: GroupOut) -> list[tuple[int, Draft | None, Any, str]]:
    out = []
    for m in group.members:
        comment, incident = store.item_comment(db, m.item)
        draft = None
        if m.draft_id and m.status in ("drafted", "held"):
            try:
                draft = review.get_draft(db, m.draft_id)
            except NotFound:
                draft = None
        out.append((m.item, draft, comment, incident))
    return out


def approve_group(db: Any, batch_id: str, group_id: int, version: int, actor: Principal,
                  override_reason: str | None = None) -> GroupDecision:
    group, core = store.get_group(db, batch_id, group_id)
    if core is None:
        raise Conflict(f"group {group_id} has no core answer yet: run the batch first", reason="invalid_state")
    store.update_core(db, batch_id, group_id, version, status="approved", actor=actor.key_id)
    outcomes: list[MemberOutcome] = []
    for seq, draft, comment, _ in _members(db, group):
        if draft is None:
            outcomes.append(MemberOutcome(item=seq, draft_id=None, outcome="skipped"))
        elif not _inherits(draft, core, comment):
            outcomes.append(MemberOutcome(item=seq, draft_id=draft.id, outcome="kept",
                                          reason=f"edited or decided on its own (status {draft.status})"))
        elif draft.status == "approved":
            outcomes.append(MemberOutcome(item=seq, draft_id=draft.id, outcome="approved", reason="already approved"))
        else:
            outcomes.append(_approve_member(db, seq, draft, actor, override_reason, core))
    return GroupDecision(group=store.get_group(db, batch_id, group_id)[0], outcomes=outcomes)


def _approve_member(db: Any, seq: int, draft: Draft, actor: Principal, override_reason: str | None,
                    core: dict[str, Any]) -> MemberOutcome:
    held = hold_reason(draft, core.get("flags", []))
    if held and not override_reason:
        return MemberOutcome(item=seq, draft_id=draft.id, outcome="held", reason=held)
    try:
        review.approve(db, draft.id, draft.version, actor, override_reason)
    except ApprovalBlocked as exc:
        store.mark(db, seq, "held", exc.detail)
        return MemberOutcome(item=seq, draft_id=draft.id, outcome="held", reason=exc.detail)
    except (Conflict, CrisisError) as exc:
        return MemberOutcome(item=seq, draft_id=draft.id, outcome="kept", reason=exc.detail)
    store.mark(db, seq, "drafted", None)
    return MemberOutcome(item=seq, draft_id=draft.id, outcome="approved")


async def edit_group(runtime: Runtime, batch_id: str, group_id: int, text: str, version: int,
                     actor: Principal) -> GroupDecision:
    db = runtime.db
    group, core = await asyncio.to_thread(store.get_group, db, batch_id, group_id)
    if core is None:
        raise Conflict(f"group {group_id} has no core answer yet: run the batch first", reason="invalid_state")
    members = await asyncio.to_thread(_members, db, group)
    new_core = core_from_text(text, core)
    await asyncio.to_thread(store.update_core, db, batch_id, group_id, version, text=text, core=new_core,
                            status="edited", actor=actor.key_id)
    outcomes: list[MemberOutcome] = []
    for seq, draft, comment, incident in members:
        if draft is None:
            outcomes.append(MemberOutcome(item=seq, draft_id=None, outcome="skipped"))
            continue
        if not _inherits(draft, core, comment):
            outcomes.append(MemberOutcome(item=seq, draft_id=draft.id, outcome="kept",
                                          reason=f"edited or decided on its own (status {draft.status})"))
            continue
        # The member's new text through the same citations and guards as any draft.
        checked = await BatchDrafter(runtime, new_core).draft(DraftRequest(comment=comment, incident=incident))
        held = hold_reason(checked, new_core.get("flags", []))
        # What the guards found on this member's exact text is stored with it (the review layer's rule).
        verified = Verified(text=checked.text, citations=checked.citations, flags=checked.flags,
                            knowledge_versions=checked.knowledge_versions)
        await asyncio.to_thread(review.edit, db, draft.id, checked.text, draft.version, actor, verified)
        await asyncio.to_thread(store.mark, db, seq, "held" if held else "drafted", held)
        outcomes.append(MemberOutcome(item=seq, draft_id=draft.id, outcome="held" if held else "edited",
                                      reason=held))
    final = await asyncio.to_thread(store.get_group, db, batch_id, group_id)
    return GroupDecision(group=final[0], outcomes=outcomes)
