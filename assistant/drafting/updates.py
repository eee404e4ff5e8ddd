"""Public updates (holding, progress, resolution), one real version per channel, from the fact sheet.

Shape crisis teams use: acknowledge -> confirmed facts (and what the public should do) -> what we
don't know yet -> what we are doing -> when the next update comes -> where to get help. The fact
sheet is read by meaning (drafting/factsheet.py), whatever its headings; what the public needs
first depends on the incident type (a recall: the items, "do not eat", health advice, the hotline;
an outage: what is down, workarounds, compensation, the next update; a data exposure: who is
affected, what to do now, how to check). Every sentence is a fact-sheet sentence with its
citation, so channels never contradict each other:

- X: the essentials that fit 280 characters (links count 23), with the link, no markdown;
- Facebook, LinkedIn, Instagram, website: the complete update in the channel's conventions
  (Facebook labelled blocks with bullet lists, LinkedIn paragraphs, the website headings and lists
  and the timeline); hashtags only on the channels the guideline allows them.

What the update needs but the fact sheet lacks is listed in `missing` and flagged, never invented.
Imports: core, knowledge, guards, text, drafting (retrieval, verify, factsheet).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.drafting.factsheet import LABELS, LINK, FactSheet, identifiers, read
from assistant.drafting.factsheet import Fact as SheetFact
from assistant.drafting.retrieval import Context, internal
from assistant.drafting.verify import CommentSignals, cite_sentences, guard_reply
from assistant.errors import NotFound
from assistant.guards import MaskResult
from assistant.guards.tone import POST_LIMITS, post_length_flags, x_length
from assistant.knowledge.store import KnowledgeBase, SearchFilter
from assistant.models import Citation, Draft, DraftOut, DraftSentence, Flag, PublicUpdate, SearchHit, UpdateKind
from assistant.text import fold, term_set

PROMPT_VERSION = "update-offline-v2"
NO_COMMENT = CommentSignals(masked=MaskResult(text=""))
# Hard limits of a post (not of a reply): what a channel accepts for one update.
LONG_CHANNELS = frozenset({"facebook", "linkedin", "website"})
_URL = re.compile(r"https?://\S+")
_PAREN = re.compile(r"\s*\([^()]{1,60}\)")


# What the public needs first, per incident type: weight of a sentence's section or tag. "Do not
# eat / drink / use" is first whatever the incident.
NEEDS: dict[str, dict[str, int]] = {
    "recall": {"stop": 10, "affected": 8, "health": 7, "phone": 6, "compensation": 5, "todo": 5, "happened": 4,
               "link": 4, "next": 3, "unknown": 3, "resolution": 9, "actions": 2, "contact": 3, "t:recall": 6},
    "outage": {"stop": 10, "affected": 10, "workaround": 8, "todo": 7, "compensation": 6, "next": 6, "resolution": 10,
               "happened": 6, "health": 5, "link": 5, "unknown": 3, "actions": 2, "contact": 3, "phone": 3,
               "t:outage": 8},
    "data": {"stop": 10, "affected": 10, "check": 9, "todo": 8, "health": 7, "happened": 6, "unknown": 4, "link": 4,
             "next": 4, "resolution": 8, "actions": 3, "contact": 3, "phone": 2, "t:data": 9},
}
# What each kind of update adds to the needs: a progress update says when the next one comes and
# what is owed; a resolution says it is over.
KIND_NEEDS: dict[str, dict[str, int]] = {
    "holding": {"happened": 9},
    "progress": {"next": 9, "compensation": 8},
    "resolution": {"resolution": 11, "happened": 10, "compensation": 8},
}
# Blocks of the update, in reading order, and the fact-sheet sections each one takes.
BLOCKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("facts", ("resolution", "happened", "affected")),
    ("todo", ("todo", "health", "compensation")),
    ("unknown", ("unknown",)),
    ("actions", ("actions",)),
    ("timeline", ("timeline",)),
    ("next", ("next",)),
    ("contact", ("contact",)),
)
BLOCK_LABELS = {
    "en": {"facts": "What we know", "todo": "What you should do", "unknown": "What we don't know yet",
           "actions": "What we are doing", "timeline": "Timeline", "next": "Next update",
           "contact": "Where to get help"},
    "fr": {"facts": "Ce que nous savons", "todo": "Ce que vous devez faire",
           "unknown": "Ce que nous ne savons pas encore", "actions": "Ce que nous faisons",
           "timeline": "Chronologie", "next": "Prochain point", "contact": "Où trouver de l'aide"},
}
OPENERS = {
    ("holding", "en"): "We are aware of the situation and are acting on it.",
    ("holding", "fr"): "Nous avons connaissance de la situation et nous agissons.",
    ("progress", "en"): "Here is where things stand.",
    ("progress", "fr"): "Voici où nous en sommes.",
    ("resolution", "en"): "Here is the latest, and thank you for your patience.",
    ("resolution", "fr"): "Voici les dernières nouvelles, et merci de votre patience.",
}
MORE = {"en": "More:", "fr": "Infos :"}
HEADERS = {"en": "Update", "fr": "Point d'étape"}
# What each kind cannot do without (any one section of a group is enough).
NEEDED: dict[str, tuple[tuple[str, ...], ...]] = {
    "holding": (("happened", "affected"), ("todo", "contact"), ("next",)),
    "progress": (("happened", "affected"), ("next",), ("contact",)),
    "resolution": (("resolution",), ("contact",)),
}
_CHANNEL_WORDS = {"x": r"\bX\b|twitter", "facebook": r"facebook", "linkedin": r"linkedin",
                  "instagram": r"instagram", "website": r"website|\bsite\b|web"}
_NEGATIVE = re.compile(r"\b(no|never|not|aucun|jamais|pas de|ni)\b", re.I)


@dataclass
class Piece:
    sentence: DraftSentence
    block: str
    weight: int
    keys: frozenset[str] = frozenset()
    figures: int = 0


def fact_sheet(kb: KnowledgeBase, incident: str, language: str, at: datetime | None = None) -> list[SearchHit]:
    at = at or datetime.now(UTC)
    for lang in (language, None):
        docs = kb.find_docs(SearchFilter(kinds=("fact_sheet",), incident=incident, language=lang, at=at))
        docs = [d for d in docs if any(h.incident == incident for h in kb.doc_chunks(d))]
        if docs:
            return [h for d in docs for h in kb.doc_chunks(d)]
    raise NotFound(f"no approved, currently valid fact sheet for incident '{incident}'")


def _block(f: SheetFact) -> str | None:
    if "next" in f.tags and f.section in ("timeline", "next", "actions", "unknown", "happened", "preamble"):
        return "next"
    for name, sections in BLOCKS:
        if f.section in sections:
            return name
    return None


def weight(f: SheetFact, types: list[str], kind: UpdateKind) -> int:
    keys = {f.section, *f.tags}
    if f.section == "resolution" and kind != "resolution":
        keys.discard("resolution")
    return max((NEEDS[t].get(k, 0) for t in types for k in keys), default=0)


def plan(sheet: FactSheet, kind: UpdateKind) -> list[Piece]:
    """Every usable fact once, in its block, near-repeats dropped (the more needed one is kept)."""
    if kind not in sheet.plans:
        sheet.plans[kind] = _plan(sheet, kind)
    return list(sheet.plans[kind])


def _plan(sheet: FactSheet, kind: UpdateKind) -> list[Piece]:
    candidates = sorted(((f, _block(f)) for f in sheet.facts), key=lambda fb: -weight(fb[0], sheet.types, kind))
    kept: list[tuple[SheetFact, str]] = []
    for f, block in candidates:
        if block is None:
            continue
        terms = term_set(f.text)
        if any(len(terms & term_set(k.text)) > 0.8 * max(1, len(terms)) for k, _ in kept):
            continue
        kept.append((f, block))
    order = {name: i for i, (name, _) in enumerate(BLOCKS)}
    # Confirmed facts in the sheet's own order (its summary first); what to do by what is needed most.
    kept.sort(key=lambda fb: (order[fb[1]], -weight(fb[0], sheet.types, kind) if fb[1] == "todo" else 0,
                              fb[0].order))
    return [Piece(DraftSentence(text=f.text, sources=[f.chunk_id]), b, weight(f, sheet.types, kind),
                  frozenset({f.section, *f.tags}), min(3, identifiers(f.text)))
            for f, b in kept]


def missing_sections(sheet: FactSheet, kind: UpdateKind) -> list[str]:
    found = set(sheet.sections)
    return [" / ".join(LABELS[s] for s in group) for group in NEEDED[kind] if not found & set(group)]


def hashtags(guideline: list[SearchHit]) -> dict[str, list[str]]:
    """The hashtags the guideline allows, per channel ("Use #Tag on X and Facebook only")."""
    allowed: dict[str, list[str]] = {}
    for hit in guideline:
        for line in hit.text.splitlines():
            tags = re.findall(r"(?<![\w&/])#\w+", line)
            if not tags or _NEGATIVE.search(fold(line)):
                continue
            for channel, rx in _CHANNEL_WORDS.items():
                if re.search(rx, line, re.I if channel != "x" else 0):
                    allowed.setdefault(channel, []).extend(t for t in tags if t not in allowed.get(channel, []))
    return allowed


def _x_text(s: str) -> str:
    return _PAREN.sub("", s)


def _gain(pieces: list[Piece], i: int, covered: set[str], needs: list[dict[str, int]]) -> tuple[int, int, int, int]:
    best = max((need.get(k, 0) for need in needs for k in pieces[i].keys - covered), default=0)
    # Length only in coarse steps, so that the sheet's own order decides between near equals (the
    # France hotline before the Belgian one).
    return best, pieces[i].figures, -(len(pieces[i].sentence.text) // 60), -i


def render_x(pieces: list[Piece], sheet: FactSheet, kind: UpdateKind, tags: list[str], lang: str) -> DraftOut:
    """The essentials that fit in 280 characters, most needed first, with the link."""
    link_fact = next((f for f in sheet.facts if f.section == "contact" and LINK.search(f.text)),
                     next((f for f in sheet.facts if LINK.search(f.text)), None))
    link = LINK.search(link_fact.text).group(0).rstrip(".,;") if link_fact else None  # type: ignore[union-attr]
    tail = " ".join(tags)
    # Greedy by what is still uncovered: each step adds the sentence meeting the most needed need not
    # met yet (ties: more figures and identifiers, then shorter, then first in the sheet), if it fits.
    chosen: list[tuple[int, DraftSentence]] = []
    covered: set[str] = set()
    pool = [i for i, p in enumerate(pieces) if p.block != "timeline"]
    needs = [*(NEEDS[t] for t in sheet.types), KIND_NEEDS[kind]]
    while pool:
        i = max(pool, key=lambda j: _gain(pieces, j, covered, needs))
        pool.remove(i)
        if _gain(pieces, i, covered, needs)[0] == 0:
            break
        short = DraftSentence(text=_x_text(pieces[i].sentence.text), sources=pieces[i].sentence.sources)
        trial = [*chosen, (i, short)]
        body = " ".join(s.text for _, s in sorted(trial, key=lambda c: c[0]))
        if link and not LINK.search(body):
            body += f" {MORE.get(lang, 'More:')} {link}"
        body += f" {tail}"
        # X counts a link as 23 characters; other tools count them all: the text fits both ways.
        if max(len(body), x_length(body)) <= 280:
            chosen = trial
            covered |= pieces[i].keys
    out = [s for _, s in sorted(chosen, key=lambda c: c[0])]
    if link and link_fact and not any(LINK.search(s.text) for s in out):
        out.append(DraftSentence(text=f"{MORE.get(lang, 'More:')} {link}", sources=[link_fact.chunk_id]))
    if tags:
        out.append(DraftSentence(text=" ".join(tags)))
    return DraftOut(sentences=out)


def fit_long(pieces: list[Piece], limit: int, layout: str, lang: str, opener: str, title: str, tags: list[str]
             ) -> tuple[DraftOut, str]:
    """The complete update; when a channel's post limit is too short for it, the least needed facts go."""
    kept = list(pieces)
    while True:
        out, text = render_long(kept, layout, lang, opener, title, tags)
        if len(text) <= limit or len(kept) <= 1:
            return out, text
        kept.remove(min(reversed(kept), key=lambda p: p.weight))


def render_long(pieces: list[Piece], layout: str, lang: str, opener: str, title: str, tags: list[str]
                ) -> tuple[DraftOut, str]:
    """The complete update: Facebook labelled blocks with bullet lists, LinkedIn paragraphs, the website
    Markdown headings and lists (with the timeline)."""
    labels = BLOCK_LABELS.get(lang, BLOCK_LABELS["en"])
    sents = [DraftSentence(text=opener)]
    parts = [f"# {title}\n\n{opener}" if layout == "website" else opener]
    for name, _ in BLOCKS:
        block = [p for p in pieces if p.block == name]
        if not block or (name == "timeline" and layout != "website"):
            continue
        sents += [p.sentence for p in block]
        lines = [p.sentence.text for p in block]
        listy = name in ("facts", "todo", "contact", "timeline") and len(lines) > 1
        if layout == "website":
            body = "\n".join(f"- {s}" for s in lines) if listy else " ".join(lines)
            parts.append(f"## {labels[name]}\n\n{body}")
        elif layout == "facebook":
            body = "\n".join(f"• {s}" for s in lines) if listy else " ".join(lines)
            parts.append(f"{labels[name]}\n{body}")
        else:  # linkedin, instagram: plain paragraphs under a label line
            parts.append(f"{labels[name]}\n{' '.join(lines)}")
    if tags:
        parts.append(" ".join(tags))
        sents.append(DraftSentence(text=" ".join(tags)))
    # A complete update may have more sentences than a reply's schema allows (30): build the model with
    # one and give it the list (each sentence is already a validated DraftSentence).
    out = DraftOut(sentences=sents[:1])
    out.sentences = sents
    return out, "\n\n".join(parts)


def draft_updates(kb: KnowledgeBase, incident: str, kind: UpdateKind, channels: list[str],
                  language: str = "en", at: datetime | None = None) -> list[PublicUpdate]:
    at = at or datetime.now(UTC)
    chunks = fact_sheet(kb, incident, language, at)
    lang = chunks[0].language
    sheet = read([h for h in chunks if not internal(h)], lang)
    pieces = plan(sheet, kind)
    missing = missing_sections(sheet, kind)
    ctx = Context(language=lang, sources=chunks, incident=incident, at=at)
    ctx.policy = [h for h in kb.search("refund voucher compensation credit remboursement indemnisation", k=4,
                                       filters=SearchFilter(kinds=("policy",), incident=incident, at=at),
                                       mode="lexical") if not internal(h)]
    ctx.guideline = [h for d in kb.find_docs(SearchFilter(kinds=("guideline",), language=lang, at=at))
                     for h in kb.doc_chunks(d)] or \
        [h for d in kb.find_docs(SearchFilter(kinds=("guideline",), at=at)) for h in kb.doc_chunks(d)]
    # Outdated or unapproved versions of this incident's fact sheet: the guards flag their figures.
    ctx.disallowed = [h for d in kb.find_docs(SearchFilter(kinds=("fact_sheet",), incident=incident, at=at,
                                                           disallowed_only=True))
                      for h in kb.doc_chunks(d) if h.incident == incident]
    allowed_tags = hashtags(ctx.guideline)
    opener = OPENERS[(kind, lang if lang in ("en", "fr") else "en")]
    colon = " :" if lang == "fr" else ":"
    header = HEADERS.get(lang, "Update")
    title = f"{header}{colon} {chunks[0].title}" if chunks[0].title else header
    missing_flags = [Flag(code="missing_fact", severity="high" if "happened" in m or "resolution" in m else "medium",
                          message=f"missing from the fact sheet: {m} (add it before publishing)",
                          source="fact_sheet") for m in missing]
    def guarded(out: DraftOut, text: str, channel: str) -> tuple[list[Citation], list[Flag]]:
        verified = guard_reply(None, text, out.sentences, ctx, channel, NO_COMMENT)
        return verified.citations, [f for f in verified.flags if f.code not in ("too_long", "over_target")]

    # The long versions are the same sentences laid out differently: the guards read the complete
    # website version once and each long channel gets the flags of the sentences it keeps.
    full_out, full_text = render_long(pieces, "website", lang, opener, title, [])
    full: tuple[list[Citation], list[Flag]] | None = None
    updates: list[PublicUpdate] = []
    for channel in channels:
        tags = allowed_tags.get(channel, [])
        if channel == "x":
            out = render_x(pieces, sheet, kind, tags, lang)
            text = " ".join(s.text for s in out.sentences)
            citations, flags = guarded(out, text, channel)
        else:
            layout = channel if channel in ("website", "facebook") else "linkedin"
            out, text = fit_long(pieces, POST_LIMITS.get(channel, 2000), layout, lang, opener, title, tags)
            full = full or guarded(full_out, full_text, "website")
            citations, _ = cite_sentences(out.sentences, ctx, text)
            flags = moved(full[1], full_text, text)
        flags = missing_flags + flags + post_length_flags(text, channel)
        updates.append(PublicUpdate(kind=kind, channel=channel, language=lang, text=text,  # type: ignore[arg-type]
                                    citations=citations, flags=flags, missing=missing, sections=sheet.sections,
                                    provider="offline", prompt_version=PROMPT_VERSION,
                                    knowledge_versions=ctx.versions_of(citations)))
    return updates


def moved(flags: list[Flag], src: str, dst: str) -> list[Flag]:
    """Flags found on `src` placed on the same words in `dst` (dropped when `dst` left them out)."""
    out: list[Flag] = []
    for f in flags:
        if f.span is None:
            out.append(f)
            continue
        words = src[f.span[0]:f.span[1]]
        # The sentence around the span locates it in dst even when the same words occur twice.
        start = src.rfind("\n", 0, f.span[0]) + 1
        context = src[start:f.span[0]].lstrip("-#• ")
        at = dst.find(context + words) if context else -1
        at = at + len(context) if at >= 0 else dst.find(words)
        if at >= 0 and words:
            out.append(f.model_copy(update={"span": (at, at + len(words))}))
    return out


def as_draft(update: PublicUpdate, incident: str) -> Draft:
    """A public update goes through the same review as replies (kind "update": only leads approve it)."""
    return Draft(id=uuid.uuid4().hex, kind="update", incident=incident, text=update.text, original_text=update.text,
                 language=update.language, platform=update.channel, provider=update.provider, model="offline-composer",
                 prompt_version=update.prompt_version, citations=update.citations, flags=update.flags,
                 unknowns=update.missing, knowledge_versions=update.knowledge_versions)
