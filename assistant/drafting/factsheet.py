"""Read any fact sheet by meaning: which section says what happened, what is affected, what to do...

Fact sheets are written by each crisis team under its own headings ("Ce que nous savons",
"Services down", "Abonnés : compensation", "Open questions"). A section is classified by cue words
in its heading (folded with the shared text layer, French and English), and when the heading says
nothing we know, by cue words in its body. Each sentence also carries tags of its own ("do not
eat", health advice, a phone number or a link, the next update, "not known yet"): a health
sentence under "What customers should do" is still health advice.

The incident type (recall, outage, data exposure) is read from the whole sheet; it decides what the
public needs first.

Imports: core (models), text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.models import SearchHit
from assistant.text import fold, sentences

# Section names, in the order a complete update reads them.
SECTIONS = ("happened", "affected", "todo", "health", "compensation", "unknown", "actions", "timeline", "next",
            "contact", "resolution")
LABELS = {
    "happened": "what happened", "affected": "what is affected", "todo": "what to do",
    "health": "health and safety advice", "compensation": "compensation", "unknown": "what we don't know yet",
    "actions": "actions taken", "timeline": "timeline", "next": "next update",
    "contact": "contact / where to get help", "resolution": "resolution",
}


def _cues(*phrases: str) -> tuple[str, ...]:
    return tuple(fold(p) for p in phrases)


# Heading cues, checked in this order: the first section with a cue in the heading wins ("what we
# don't know" must be read before "what we know"; "health advice" before "advice").
HEADING_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("next", _cues("next update", "next briefing", "next bulletin", "next statement", "when you will hear",
                   "prochain", "prochaine")),
    ("unknown", _cues("don't know", "dont know", "do not know", "not yet known", "not known", "unknown",
                      "open question", "uncertain", "to be confirmed", "unclear", "under investigation",
                      "ne savons pas", "ne connaissons pas", "pas encore", "incertain", "inconnu",
                      "questions ouvertes", "a confirmer", "en suspens", "ignorons", "still open", "unanswered")),
    ("timeline", _cues("timeline", "chronolog", "calendrier", "sequence of events", "deroulement")),
    ("health", _cues("health", "safety", "staying safe", "stay safe", "medical", "symptom", "precaution",
                     "sante", "securite", "medic", "symptome")),
    ("compensation", _cues("refund", "compensation", "credit", "voucher", "reimburse", "goodwill",
                           "season ticket", "remboursement", "indemnisation", "dedommagement", "avoir",
                           "geste commercial", "abonne", "bon d'achat")),
    ("contact", _cues("contact", "hotline", "help", "support", "assistance", "where to get", "reach us",
                      "s'informer", "nous joindre", "aide", "renseignement", "service client")),
    ("actions", _cues("what we are doing", "what we're doing", "we are doing", "is doing", "are doing",
                      "steps taken", "action", "our response", "measures", "what we did", "ce que nous faisons",
                      "mesures", "nos actions", "ce que nous avons fait", "dispositif", "our work", "work under way",
                      "travaux", "intervention")),
    ("todo", _cues("should do", "what to do", "what you can do", "what you should", "advice", "workaround",
                   "your options", "alternative", "recommend", "que faire", "ce que vous pouvez", "doivent faire",
                   "devez faire", "vos solutions", "solutions", "conseil", "consommateurs", "recommandation",
                   "how to check", "que faire")),
    ("resolution", _cues("resolved", "resolution", "back to normal", "restored", "service restored", "recovery",
                         "lifted", "reprise", "retour a la normale", "resolu", "retabli", "fin du", "fin de la",
                         "end of the")),
    ("affected", _cues("affected", "concerned", "impacted", "services down", "disrupt", "scope", "exposed",
                       "whose data", "which products", "products concerned", "batches", "touche", "concerne",
                       "perturb", "impact", "lots", "produits", "donnees exposees", "down")),
    ("happened", _cues("what happened", "what we know", "summary", "overview", "situation", "background",
                       "the facts", "key facts", "incident", "s'est passe", "ce que nous savons", "le point",
                       "resume", "les faits", "contexte", "en bref", "confirm")),
)
# Body cues for a section whose heading says nothing we know (or a sheet without headings).
_BODY = {
    "unknown": re.compile(r"\b(don't know|do not know|not known yet|not yet known|ne (savons|connaissons) pas|"
                          r"pas encore (connu|su))", re.I),
    "next": re.compile(r"\b(next update|next briefing|prochain point|prochaine mise à jour|prochain bulletin)",
                       re.I),
    "health": re.compile(r"\b(doctor|symptom|médecin|symptôme|urgences?|emergency|112|poison)", re.I),
    "compensation": re.compile(r"\b(refund|credit|voucher|compensation|rembours|indemnis|dédommag|bon d'achat)",
                               re.I),
    "contact": re.compile(r"(\+?\d[\d ]{7,}\d|https?://\S+|\bhotline\b|ligne d'assistance)", re.I),
    "actions": re.compile(r"^(we (are|have|stopped|closed|informed)|nous (avons|sommes)|engineers|"
                          r"(our )?teams? (are|is)|nos équipes)", re.I),
    "todo": re.compile(r"^(do not|don't|check|use|ne (consommez|mangez|buvez|utilisez)|vérifiez|utilisez|"
                       r"if you|si vous)", re.I),
}
STOP = re.compile(r"\b(do not (eat|drink|consume|use)|don't (eat|drink|use)|stop using|ne (consommez|mangez|buvez|"
                  r"utilisez) pas|ne pas (consommer|manger|utiliser))", re.I)
PHONE = re.compile(r"\+?\d[\d ]{7,}\d")
LINK = re.compile(r"https?://\S+")
CHECK = re.compile(r"\b(check (whether|if|your)|you can check|vérifiez|vérifier si)", re.I)
WORKAROUND = re.compile(r"\b(wi-fi|hotspot|replacement|substitution|exchang|échange|altern|postpone|report|"
                        r"instead|plutôt|other network|autre réseau)", re.I)
_IDENT = re.compile(r"\b[A-Za-z]*\d[\w/.,–-]*\b")

# What kind of incident the sheet is about, from words anywhere in it.
TYPE_CUES = {
    "recall": re.compile(r"\b(recall\w*|rappel\w*|batch(es)?|lots?\b|do not eat|ne consommez|best before|"
                         r"durabilité minimale)", re.I),
    "outage": re.compile(r"\b(outage|down\b|disrupt\w*|panne|coupure|perturb\w*|strike|grève|"
                         r"mouvement social|cancel\w*|annul\w*|unavailable|indisponible|trains?\b)", re.I),
    "data": re.compile(r"\b(data (exposure|breach|leak)|personal data|exposed|données (personnelles|exposées)|"
                       r"fuite de données|e-mail addresses|adresses e-mail|passwords?|mots? de passe)", re.I),
}


@dataclass
class Fact:
    """One usable sentence of the fact sheet, where it came from and what it is about."""

    text: str
    chunk_id: str
    section: str
    order: int
    tags: frozenset[str] = field(default_factory=frozenset)



@dataclass(eq=False)
class FactSheet:
    facts: list[Fact]
    types: list[str]
    language: str
    # What the update planner derives from this sheet, per kind of update (a sheet is read once).
    plans: dict[str, Any] = field(default_factory=dict)

    @property
    def sections(self) -> list[str]:
        """Sections found (by heading or by sentence), in reading order."""
        found = {f.section for f in self.facts} | {t for f in self.facts for t in f.tags if t in SECTIONS}
        return [s for s in SECTIONS if s in found]

    def of(self, section: str) -> list[Fact]:
        return [f for f in self.facts if f.section == section]

    def tagged(self, tag: str) -> list[Fact]:
        return [f for f in self.facts if tag in f.tags or f.section == tag]


def identifiers(text: str) -> int:
    """Figures, dates, batch and line ids in a sentence: what makes it informative."""
    return len(_IDENT.findall(text))


@lru_cache(maxsize=4096)
def classify_heading(heading: str) -> str | None:
    h = fold(heading.split(">")[-1]).replace("’", "'")
    for name, cues in HEADING_CUES:
        if any(c in h for c in cues):
            return name
    return None


def classify_body(text: str) -> str:
    votes = {name: len(rx.findall(text)) for name, rx in _BODY.items()}
    name, n = max(votes.items(), key=lambda kv: kv[1])
    return name if n else "happened"


def sentence_tags(text: str) -> frozenset[str]:
    tags = {name for name, rx in _BODY.items() if rx.search(text)}
    if STOP.search(text):
        tags.add("stop")
    if PHONE.search(text):
        tags.add("phone")
    if LINK.search(text):
        tags.add("link")
    if CHECK.search(text):
        tags.add("check")
    if WORKAROUND.search(text):
        tags.add("workaround")
    tags |= {f"t:{t}" for t, rx in TYPE_CUES.items() if rx.search(text)}
    return frozenset(tags)


def clean(sentence: str) -> str:
    s = re.sub(r"(\*\*|__|`|^\s*[-*•]\s+|^\s*\d+\.\s+)", "", sentence).strip()
    s = re.sub(r"\s+", " ", s)
    # No full stop glued to a link that ends the line: some platforms would make it part of the URL.
    if s and s[-1] not in ".!?…:" and not re.search(r"https?://\S+$", s):
        s += "."
    return s


def section_of(hit: SearchHit, has_subheadings: bool) -> str:
    """A chunk's section: by its own heading, else by its body; the text under the title of a sheet
    with sections is its preamble (version, date), not a fact to publish."""
    if hit.heading and ">" not in hit.heading and has_subheadings:
        return "preamble"
    return classify_heading(hit.heading) or classify_body(hit.text)


_READ: dict[tuple[object, ...], FactSheet] = {}


def read(chunks: list[SearchHit], language: str) -> FactSheet:
    """Classify every section of the fact sheet(s) and keep their usable sentences, tagged. A sheet is
    read once per version (the same sheet serves every update until it changes)."""
    key = (language, *((h.chunk_id, h.doc_version, h.heading, h.text) for h in chunks))
    cached = _READ.get(key)
    if cached is None:
        if len(_READ) >= 64:
            _READ.pop(next(iter(_READ)))
        cached = _READ[key] = _read(chunks, language)
    return cached


def _read(chunks: list[SearchHit], language: str) -> FactSheet:
    facts: list[Fact] = []
    seen: set[str] = set()
    with_sub = {h.doc_id for h in chunks if ">" in h.heading}
    for hit in chunks:
        section = section_of(hit, hit.doc_id in with_sub)
        for raw in sentences(hit.text):
            s = clean(raw)
            if len(s) < 12 or s.endswith(":") or s in seen:
                continue
            seen.add(s)
            facts.append(Fact(text=s, chunk_id=hit.chunk_id, section=section, order=len(facts),
                              tags=sentence_tags(s)))
    text = " ".join(f.text for f in facts)
    types = [t for t, rx in TYPE_CUES.items() if len(rx.findall(text)) >= 2]
    return FactSheet(facts=facts, types=types or ["outage"], language=language)
