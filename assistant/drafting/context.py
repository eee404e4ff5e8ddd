"""What a draft of a comment answers from, computed one way for every caller.

The drafting chain, the answer ranker's training, batch grouping's answer check and the model-path
benchmark all need the same two things for a comment: its text masked (except the reference numbers
the current knowledge itself lists: public, so answered about) and the knowledge retrieved for it in
the reply's language. Computed here once, so what is trained and compared is what drafts see.

Imports: guards (masking), retrieval, the composer's query expansion, the knowledge's list rules (items.py).
"""

from __future__ import annotations

from datetime import datetime

from assistant.drafting.candidates import candidates
from assistant.drafting.composer import retrieval_query
from assistant.drafting.items import rule_references
from assistant.drafting.retrieval import Context, public_identifiers, reply_language, retrieve
from assistant.guards import MaskResult, mask_pii
from assistant.knowledge.store import KnowledgeBase
from assistant.models import Comment, Triage


def with_thread(masked_text: str, comment: Comment) -> str:
    """The retrieval query: the comment (masked) and the last two messages of its thread."""
    context = " ".join(comment.thread_context[-2:])
    return f"{masked_text} {context}".strip()[:2000]


def comment_context(kb: KnowledgeBase, comment: Comment, tri: Triage, *, incident: str | None = None,
                    at: datetime | None = None, text: str | None = None,
                    masked: MaskResult | None = None) -> tuple[MaskResult, Context]:
    """(the masked text, the retrieved knowledge) a draft of `comment` answers from. `text` is what is
    answered (default: the comment's text; the genuine question of a comment that also tried to instruct
    the assistant), `masked` its masking when already computed."""
    text = comment.text if text is None else text
    masked = masked or mask_pii(text)
    public = public_identifiers(kb, masked.entities, incident=incident, at=at)
    if public:
        # A number the knowledge lists (a lot, a tracking prefix) is answered about, not hidden.
        masked = mask_pii(text, allow=public)
    ctx = retrieve(kb, with_thread(retrieval_query(masked.text, tri.intent), comment),
                   language=reply_language(tri.language), incident=incident, at=at, vector_text=masked.text)
    orders = [e.value for e in masked.entities if e.kind == "ORDER_ID" and e.value]
    cands = candidates(ctx.sources, ctx.language) if orders else []
    ruled = [value for value in orders if rule_references(value, cands)]
    if ruled:
        # A reference of the shape of a list the knowledge writes as a rule ("tracking numbers from
        # CX4810000 to CX4829999") is answered about too: the rule says whether it is in.
        masked = mask_pii(text, allow=[*public, *ruled])
    return masked, ctx
