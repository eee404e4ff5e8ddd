"""Influencer briefs: a short private message for a high-reach author, from the incident fact sheet.

Order: greeting -> what happened -> what is confirmed -> what we are doing -> what we don't know
yet -> whom to contact (the press and partners contact of the knowledge base, cited). Every fact is
a cited fact-sheet sentence, the text goes through the same guards as any draft, and it is stored
as a draft of kind `brief`: only a lead approves it. What the fact sheet lacks is flagged, never
invented.
"""

from __future__ import annotations

import uuid

from assistant import guards
from assistant.drafting.candidates import clean
from assistant.drafting.chain import cite
from assistant.drafting.composer import EMAIL
from assistant.drafting.factsheet import LABELS, read
from assistant.drafting.retrieval import Context
from assistant.drafting.updates import fact_sheet
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from assistant.models import Comment, Draft, DraftOut, DraftSentence, Flag, SearchHit
from assistant.text import term_set
from assistant.triage.classify import triage as run_triage

PROMPT_VERSION = "brief-offline-v1"
# (section, sentences) in reading order; the contact comes from the knowledge base's contacts.
# Section names are those of drafting.factsheet (read by meaning, whatever the sheet's headings).
PLAN: tuple[tuple[str, int], ...] = (("happened", 2), ("affected", 2), ("actions", 1), ("unknown", 1))
MAX_CHARS = 1200
# Many sheets state what is affected inside "what happened": its absence alone is not a gap.
OPTIONAL = frozenset({"affected"})
PHRASES = {
    "en": {"greet": "Hello {name},", "greet_anon": "Hello,",
           "intro": "We saw your post and would like you to have the facts directly from us.",
           "contact": "Journalists and partners can reach our press team at {email}.",
           "thanks": "Thank you for helping your audience get accurate information."},
    "fr": {"greet": "Bonjour {name},", "greet_anon": "Bonjour,",
           "intro": "Nous avons vu votre publication et souhaitons vous donner les faits directement.",
           "contact": "Les journalistes et partenaires peuvent joindre notre équipe presse à {email}.",
           "thanks": "Merci d'aider votre communauté à disposer d'informations exactes."},
}
MISSING_TEXT_BRIEF = LABELS | {"press_contact": "a press or partners contact (e-mail)"}


def _press_contact(kb: KnowledgeBase, language: str) -> SearchHit | None:
    for lang in (language, None):
        hits = kb.search("press office journalists partners media contact presse journalistes", k=5,
                         mode="lexical", filters=SearchFilter(kinds=("contact",), language=lang))
        for hit in hits:
            if EMAIL.search(hit.text):
                return hit
    return None


def draft_brief(kb: KnowledgeBase, incident: str, comment: Comment,
                language: str | None = None) -> tuple[Draft, list[str]]:
    """The brief as a stored-ready Draft (kind `brief`) and the sections the fact sheet lacks."""
    tri = run_triage(comment)
    lang = (language or tri.language or "en").lower()
    lang = lang if lang in PHRASES else "en"
    chunks = fact_sheet(kb, incident, lang)
    lang = chunks[0].language if chunks[0].language in PHRASES else "en"
    words = PHRASES[lang]
    sheet = read(chunks, lang)
    # A section's facts: the sentences under it or tagged with it (a recall sheet may list its
    # batches under "what happened" rather than under a heading of their own).
    by_section = {section: [(clean(f.text), f.chunk_id) for f in sheet.tagged(section)
                            if len(clean(f.text)) >= 20 and not clean(f.text).endswith(":")]
                  for section, _ in PLAN}
    name = (comment.author or "").split(" ")[0].strip()[:40]
    parts = [DraftSentence(text=words["greet"].format(name=name) if name else words["greet_anon"]),
             DraftSentence(text=words["intro"])]
    missing: list[str] = []
    used: list[set[str]] = []
    for section, count in PLAN:
        found = [(s, c) for s, c in by_section.get(section, [])
                 if not any(len(term_set(s) & u) > 0.6 * max(1, len(term_set(s))) for u in used)][:count]
        if not found and section not in OPTIONAL:
            missing.append(section)
        for s, c in found:
            used.append(set(term_set(s)))
            parts.append(DraftSentence(text=s, sources=[c]))
    sources = list(chunks)
    contact = _press_contact(kb, lang)
    if contact is not None:
        email = EMAIL.search(contact.text)
        assert email is not None
        parts.append(DraftSentence(text=words["contact"].format(email=email.group(0)), sources=[contact.chunk_id]))
        sources.append(contact)
    else:
        missing.append("press_contact")
    parts.append(DraftSentence(text=words["thanks"]))
    while len(" ".join(p.text for p in parts)) > MAX_CHARS and len(parts) > 5:
        parts.pop(-3)  # the least important fact: the last before the contact and the thanks
    out = DraftOut(sentences=parts)
    text = "\n\n".join([parts[0].text, " ".join(p.text for p in parts[1:])])
    ctx = Context(language=lang, sources=sources)
    ctx.policy = kb.search("refund voucher compensation", k=4, filters=SearchFilter(kinds=("policy",)))
    guideline_docs = kb.find_docs(SearchFilter(kinds=("guideline",), language=lang))
    ctx.guideline = [h for d in guideline_docs for h in kb.doc_chunks(d)]
    citations, cite_flags = cite(out, ctx, text)
    masked = guards.mask_pii(comment.text)
    gctx = guards.GuardContext(sources=ctx.sources, citations=citations, policy=ctx.policy, guideline=ctx.guideline,
                               disallowed=[], platform="email", language=lang, comment_pii=masked.entities,
                               injection=False)
    essential = ("happened",)
    flags = [Flag(code="missing_fact", severity="high" if m in essential else "medium", source="fact_sheet",
                  message=f"missing from the knowledge: {MISSING_TEXT_BRIEF[m]} (add it before sending)")
             for m in missing]
    flags += cite_flags + guards.check_draft(text, gctx)
    draft = Draft(id=uuid.uuid4().hex, kind="brief", comment_id=comment.id, incident=incident, text=text,
                  original_text=text, language=lang, platform="email", provider="offline", model="offline-composer",
                  prompt_version=PROMPT_VERSION, citations=citations, flags=flags, triage=tri,
                  unknowns=[MISSING_TEXT_BRIEF[m] for m in missing], knowledge_versions=ctx.versions_of(citations))
    return draft, [MISSING_TEXT_BRIEF[m] for m in missing]
