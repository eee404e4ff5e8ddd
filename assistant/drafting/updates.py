"""Public updates (holding, progress, resolution), one per channel, from the incident fact sheet.

Shape crisis teams use: acknowledge -> confirmed facts -> what we don't know yet -> what we are
doing -> when the next update comes -> where to get help. Every channel's text is built from the
same ordered, cited parts (short channels keep the most important ones), so channels never
contradict each other. What the update needs but the fact sheet lacks is listed in `missing`
and flagged, never invented.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.drafting.composer import clean
from assistant.drafting.retrieval import Context
from assistant.drafting.verify import CommentSignals, guard_reply
from assistant.errors import NotFound
from assistant.guards import MaskResult
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from assistant.models import PLATFORM_LIMITS, Draft, DraftOut, DraftSentence, Flag, PublicUpdate, SearchHit, UpdateKind
from assistant.text import fold, sentences, term_set

PROMPT_VERSION = "update-offline-v1"
NO_COMMENT = CommentSignals(masked=MaskResult(text=""))
# Channel budgets: hard limits where the platform has one, readable lengths elsewhere.
CHANNEL_BUDGET = {"x": 280, "instagram": 900, "facebook": 1200, "linkedin": 1300, "website": 4000}
SECTIONS: dict[str, tuple[str, ...]] = {
    # "unknown" first: "ce que nous ne savons pas" contains "ce que nous savons"-like words.
    "unknown": ("don't know", "dont know", "do not know", "not yet known", "not known yet", "ne savons pas",
                "pas encore"),
    "resolution": ("resolution", "resolved", "resolu", "cause identified", "cause identifiee"),
    "happened": ("what happened", "s'est passe", "ce qui se passe", "les faits"),
    "known": ("what we know", "ce que nous savons", "confirmed", "confirme"),
    "doing": ("what we are doing", "what we're doing", "ce que nous faisons", "nos actions", "actions"),
    "customers": ("what customers should do", "what to do", "que faire", "ce que vous devez faire",
                  "ce que les clients", "consommateurs"),
    "timeline": ("timeline", "chronologie", "calendrier"),
    "contact": ("hotline", "contact"),
}
NEXT_UPDATE = re.compile(r"next update|prochain point|prochaine mise à jour|prochaine communication", re.I)
PHONE_OR_LINK = re.compile(r"(\+?\d[\d ]{7,}\d|https?://\S+)")

# What each kind needs, in reading order: (section, how many sentences, priority: lower is kept longer).
PLAN: dict[str, list[tuple[str, int, int]]] = {
    "holding": [("happened", 1, 1), ("unknown", 1, 3), ("doing", 1, 4), ("customers", 1, 2),
                ("next", 1, 5), ("contact", 1, 2)],
    "progress": [("known", 2, 1), ("doing", 2, 2), ("unknown", 1, 3), ("next", 1, 4), ("contact", 1, 2)],
    "resolution": [("resolution", 2, 1), ("doing", 1, 3), ("contact", 1, 2)],
}
OPENERS = {
    ("holding", "en"): "We are aware of the situation and are acting on it.",
    ("holding", "fr"): "Nous avons connaissance de la situation et nous agissons.",
    ("progress", "en"): "Here is where things stand.",
    ("progress", "fr"): "Voici où nous en sommes.",
    ("resolution", "en"): "Here is the latest, and thank you for your patience.",
    ("resolution", "fr"): "Voici les dernières nouvelles, et merci de votre patience.",
}
HEADERS = {"en": "Update", "fr": "Point d'étape"}
# Hard limits of a post (not of a reply): what a channel accepts for one update.
POST_LIMITS: dict[str, int] = {"x": 280, "instagram": 2200, "facebook": 8000, "linkedin": 3000, "website": 10000}
LONG_CHANNELS = frozenset({"facebook", "linkedin", "website"})
_URL = re.compile(r"https?://\S+")


def x_length(text: str) -> int:
    """Characters as X counts them: every link is 23."""
    return len(_URL.sub("x" * 23, text))


def section_of(heading: str) -> str | None:
    h = fold(heading.split(">")[-1])
    for name, keys in SECTIONS.items():
        if any(k in h for k in keys):
            return name
    return None


@dataclass
class Piece:
    sentence: DraftSentence
    priority: int


def fact_sheet(kb: KnowledgeBase, incident: str, language: str, at: datetime | None = None) -> list[SearchHit]:
    at = at or datetime.now(UTC)
    for lang in (language, None):
        docs = kb.find_docs(SearchFilter(kinds=("fact_sheet",), incident=incident, language=lang, at=at))
        docs = [d for d in docs if any(h.incident == incident for h in kb.doc_chunks(d))]
        if docs:
            return [h for d in docs for h in kb.doc_chunks(d)]
    raise NotFound(f"no approved, currently valid fact sheet for incident '{incident}'")


def plan_pieces(kind: UpdateKind, chunks: list[SearchHit], language: str) -> tuple[list[Piece], list[str]]:
    by_section: dict[str, list[tuple[str, str]]] = {}
    for hit in chunks:
        name = section_of(hit.heading) or "other"
        for raw in sentences(hit.text):
            s = clean(raw)
            if len(s) >= 20 and not s.endswith(":"):
                by_section.setdefault(name, []).append((s, hit.chunk_id))
    timeline = by_section.get("timeline", []) + by_section.get("doing", [])
    by_section["next"] = [(s, c) for s, c in timeline if NEXT_UPDATE.search(s)]
    by_section["contact"] = [(s, c) for s, c in by_section.get("contact", []) + by_section.get("customers", [])
                             if PHONE_OR_LINK.search(s)]
    pieces = [Piece(DraftSentence(text=OPENERS[(kind, language if language in ("en", "fr") else "en")]), 0)]
    missing: list[str] = []
    used: set[str] = set()
    for section, count, priority in PLAN[kind]:
        # A sentence that repeats what an earlier one said (same batch numbers, same words) is skipped;
        # not what customers must do, even when it names the same product.
        found = [(s, c) for s, c in by_section.get(section, [])
                 if s not in used and (section == "customers" or not any(
                     len(term_set(s) & term_set(u)) > 0.6 * len(term_set(s)) for u in used))][:count]
        if not found:
            missing.append(section)
        for s, c in found:
            used.add(s)
            pieces.append(Piece(DraftSentence(text=s, sources=[c]), priority))
    return pieces, missing


def fit(pieces: list[Piece], budget: int) -> DraftOut:
    kept = list(pieces)
    while len(" ".join(p.sentence.text for p in kept)) > budget and len(kept) > 2:
        worst = max(range(1, len(kept)), key=lambda i: (kept[i].priority, i))
        kept.pop(worst)
    return DraftOut(sentences=[p.sentence for p in kept])


MISSING_TEXT = {
    "happened": "what happened", "known": "confirmed facts", "unknown": "what is not known yet",
    "doing": "what the company is doing", "customers": "what customers should do",
    "next": "when the next update comes", "contact": "where to get help (hotline or link)",
    "resolution": "a resolution section (cause found, fix, end of the recall)",
}


def draft_updates(kb: KnowledgeBase, incident: str, kind: UpdateKind, channels: list[str],
                  language: str = "en", at: datetime | None = None) -> list[PublicUpdate]:
    chunks = fact_sheet(kb, incident, language, at)
    lang = chunks[0].language
    pieces, missing = plan_pieces(kind, chunks, lang)
    ctx = Context(language=lang, sources=chunks)
    ctx.policy = [h for h in kb.search("refund voucher compensation", k=4,
                                       filters=SearchFilter(kinds=("policy",), at=at))]
    ctx.guideline = [h for d in kb.find_docs(SearchFilter(kinds=("guideline",), language=lang, at=at))
                     for h in kb.doc_chunks(d)]
    essential = ("resolution", "happened", "known")
    missing_flags = [Flag(code="missing_fact", severity="high" if m in essential else "medium",
                          message=f"missing from the fact sheet: {MISSING_TEXT[m]} (add it before publishing)",
                          source="fact_sheet") for m in missing]
    updates: list[PublicUpdate] = []
    for channel in channels:
        out = fit(pieces, CHANNEL_BUDGET.get(channel, PLATFORM_LIMITS.get(channel, 2000)))
        text = " ".join(s.text for s in out.sentences)
        if channel == "website":
            text = f"{HEADERS.get(lang, 'Update')}\n\n" + "\n\n".join(s.text for s in out.sentences)
        verified = guard_reply(None, text, out.sentences, ctx, channel, NO_COMMENT)
        citations, flags = verified.citations, missing_flags + verified.flags
        updates.append(PublicUpdate(kind=kind, channel=channel, language=lang, text=text,  # type: ignore[arg-type]
                                    citations=citations, flags=flags, missing=[MISSING_TEXT[m] for m in missing],
                                    provider="offline", prompt_version=PROMPT_VERSION,
                                    knowledge_versions=ctx.versions_of(citations)))
    return updates


def as_draft(update: PublicUpdate, incident: str) -> Draft:
    """A public update goes through the same review as replies (kind "update": only leads approve it)."""
    return Draft(id=uuid.uuid4().hex, kind="update", incident=incident, text=update.text, original_text=update.text,
                 language=update.language, platform=update.channel, provider=update.provider, model="offline-composer",
                 prompt_version=update.prompt_version, citations=update.citations, flags=update.flags,
                 unknowns=update.missing, knowledge_versions=update.knowledge_versions)
