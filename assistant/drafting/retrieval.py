"""Retrieval for a draft: the approved, currently valid knowledge that may be used, and the rest.

`sources` may be stated and cited; `policy` bounds what may be promised; `guideline` holds tone
rules and banned phrases; `disallowed` (outdated or unapproved text close to the question) is only
given to the guards, so a draft that repeats it is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.drafting.phrases import HAPPENED_HEADINGS, INTERNAL_HEADINGS
from assistant.drafting.questions import COMPENSATION_ASKED, IDENTIFIER, find_questions
from assistant.guards.pii import PiiEntity
from assistant.knowledge.store import KnowledgeBase, Mode, SearchFilter
from assistant.models import Citation, SearchHit
from assistant.text import fold

FACT_KINDS = ("fact_sheet", "faq", "policy", "contact", "statement")
SCOPE_QUERY = "only affected concerned recalled cancelled list seuls concernés rappelés annulés liste"
NEXT_STEP_QUERIES = ("hotline free call phone number France Belgium Switzerland ligne d'assistance appel gratuit",
                     "recall form link web page formulaire de rappel lien",
                     "press office journalists media contact presse journalistes",
                     # "We don't know yet" is followed by when the next update comes.
                     "next update will be published prochain point sera publié mise à jour")


COMPENSATION_QUERY = ("compensation flat amount voucher per customer per home indemnité forfaitaire dédommagement "
                      "bon montant par client par logement")


@dataclass
class Context:
    language: str
    sources: list[SearchHit] = field(default_factory=list)
    policy: list[SearchHit] = field(default_factory=list)
    guideline: list[SearchHit] = field(default_factory=list)
    disallowed: list[SearchHit] = field(default_factory=list)
    incident: str | None = None
    at: datetime | None = None

    def versions_of(self, citations: list[Citation]) -> dict[str, str]:
        """chunk_id -> document version of what the citations use (the draft is bound to these)."""
        chunks = self.by_chunk()
        return {c.chunk_id: chunks[c.chunk_id].doc_version for c in citations if c.chunk_id in chunks}

    def by_chunk(self) -> dict[str, SearchHit]:
        return {h.chunk_id: h for h in [*self.sources, *self.policy, *self.guideline]}


def _search_lang(kb: KnowledgeBase, query: str, k: int, base: SearchFilter, language: str,
                 rank: list[str] | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
    """Same-language documents first; fall back to any language when they are too few."""
    hits = kb.search(query, k=k, filters=SearchFilter(**{**base.__dict__, "language": language}), vector_rank=rank,
                     mode=mode)
    if len(hits) < max(2, k // 2):
        seen = {h.chunk_id for h in hits}
        hits += [h for h in kb.search(query, k=k, filters=base, vector_rank=rank, mode=mode)
                 if h.chunk_id not in seen]
    return hits[:k]


def retrieve(kb: KnowledgeBase, query: str, *, language: str, incident: str | None = None,
             at: datetime | None = None, k: int = 8, vector_text: str | None = None) -> Context:
    """`query` feeds the lexical ranker (it may carry expansion terms); `vector_text` (the comment itself)
    is embedded once, and its one vector ranking serves every search below."""
    at = at or datetime.now(UTC)
    ctx = Context(language=language)
    rank = kb.vector_rank(vector_text or query, depth=max(80, kb.count() // 20))
    base = SearchFilter(kinds=FACT_KINDS, incident=incident, at=at)
    ctx.sources = _search_lang(kb, query, k, base, language, rank)
    # The next step (hotline, form) must be at hand whatever the question was.
    for need in NEXT_STEP_QUERIES:
        seen = {h.chunk_id for h in ctx.sources}
        # Keyword lookups: the lexical ranker alone finds "hotline" and "form" reliably, at no vector cost.
        ctx.sources += [h for h in _search_lang(kb, need, 2, SearchFilter(kinds=("contact", "fact_sheet"),
                                                                          incident=incident, at=at), language,
                                                mode="lexical")
                        if h.chunk_id not in seen]
    # "Is lot L4835 concerned?": the list of what is concerned, whichever identifier was asked about.
    if IDENTIFIER.search(query):
        seen = {h.chunk_id for h in ctx.sources}
        ctx.sources += [h for h in _search_lang(kb, " ".join(IDENTIFIER.findall(query)[:3]) + " " + SCOPE_QUERY, 2,
                                                SearchFilter(kinds=("fact_sheet", "faq"), incident=incident, at=at),
                                                language, mode="lexical")
                        if h.chunk_id not in seen]
    # "Pourquoi autant de suppressions ?": the fact sheet's own account of what happened, whatever the words.
    if asks_why(vector_text or query):
        seen = {h.chunk_id for h in ctx.sources}
        ctx.sources += [h for h in incident_account(kb, incident=incident, at=at, language=language)
                        if h.chunk_id not in seen]
    # "On va avoir un dédommagement ou rien ?": the compensation the policy grants, however few words it shares.
    if COMPENSATION_ASKED.search(fold(vector_text or query)):
        seen = {h.chunk_id for h in ctx.sources}
        ctx.sources += [h for h in _search_lang(kb, COMPENSATION_QUERY, 2, SearchFilter(kinds=("policy", "fact_sheet"),
                                                                                       incident=incident, at=at),
                                                language, mode="lexical")
                        if h.chunk_id not in seen]
    ctx.policy = _search_lang(kb, query, 4, SearchFilter(kinds=("policy",), incident=incident, at=at), language,
                              rank)
    ctx.guideline = _search_lang(kb, "tone apology banned phrases escalation " + query, 4,
                                 SearchFilter(kinds=("guideline",), at=at), language, rank)
    # Banned phrases must always be known to the guard, whatever the query.
    for doc_id in kb.find_docs(SearchFilter(kinds=("guideline",), at=at, language=language)):
        for hit in kb.doc_chunks(doc_id):
            banned = "banned" in hit.heading.lower() or "interdit" in hit.heading.lower()
            if banned and hit.chunk_id not in {g.chunk_id for g in ctx.guideline}:
                ctx.guideline.append(hit)
    ctx.disallowed = kb.search(query, k=k, vector_rank=rank,
                               filters=SearchFilter(kinds=FACT_KINDS, incident=incident, at=at, disallowed_only=True))
    # Sections written for staff ("what staff must NOT promise") name the forbidden promises: as a
    # source or a policy line they would make those very promises look supported.
    ctx.sources = [h for h in ctx.sources if not internal(h)]
    ctx.policy = [h for h in ctx.policy if not internal(h)]
    ctx.incident, ctx.at = incident, at
    return ctx


def asks_why(text: str) -> bool:
    return any(q.kind == "why" for q in find_questions(text))


def incident_account(kb: KnowledgeBase, *, incident: str | None, at: datetime, language: str) -> list[SearchHit]:
    """The sections of the current fact sheet (in `language`) that tell what happened."""
    docs = kb.find_docs(SearchFilter(kinds=("fact_sheet",), incident=incident, at=at, language=language))
    return [h for doc_id in docs for h in kb.doc_chunks(doc_id) if HAPPENED_HEADINGS.search(fold(h.heading))]


def internal(hit: SearchHit) -> bool:
    heading = fold(hit.heading)
    return any(h in heading for h in INTERNAL_HEADINGS)


def add_evidence_near(kb: KnowledgeBase, ctx: Context, text: str) -> None:
    """Knowledge close to what the draft says, not only to what the comment asked: current chunks
    (to check "only batch X" against the current list) and outdated or unapproved ones."""
    near = {"sources": SearchFilter(kinds=FACT_KINDS, incident=ctx.incident, at=ctx.at),
            "disallowed": SearchFilter(kinds=FACT_KINDS, incident=ctx.incident, at=ctx.at, disallowed_only=True)}
    for name, filters in near.items():
        hits: list[SearchHit] = getattr(ctx, name)
        seen = {h.chunk_id for h in hits}
        hits += [h for h in kb.search(text, k=5, mode="lexical", filters=filters)
                 if h.chunk_id not in seen and not internal(h)]


def reply_language(language: str) -> str:
    """The language a reply is written in: the comment's when it is French or English, else English."""
    return language if language in ("en", "fr") else "en"


def public_identifiers(kb: KnowledgeBase, entities: Iterable[PiiEntity], *, incident: str | None = None,
                       at: datetime | None = None) -> list[str]:
    """The order or reference numbers of a comment that the current knowledge itself names ("is my parcel
    PXL27 concerned?" where the fact sheet lists the PXL27 prefix; a lot, a flight): public, not personal
    data, so the reply may answer about them. One lexical lookup per number."""
    out = []
    for e in entities:
        if e.kind != "ORDER_ID" or not e.value:
            continue
        word = re.compile(rf"(?<![\w-]){re.escape(fold(e.value))}(?![\w-])")
        hits = kb.search(e.value, k=3, mode="lexical",
                         filters=SearchFilter(kinds=FACT_KINDS, incident=incident, at=at or datetime.now(UTC)))
        if any(word.search(fold(h.text)) for h in hits):
            out.append(e.value)
    return out
