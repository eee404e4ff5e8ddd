"""Claim grounding: every factual sentence of a draft must be backed by a current source chunk.

"Factual" is decided by surface cues that matter in a crisis (numbers, amounts, dates, batch ids,
phone numbers, links, causes, safety statements, names); greetings, empathy and sign-offs carry none
and are never flagged. Numbers must appear in the sources, and the words must overlap with one source
sentence. A claim that only an outdated or unapproved chunk supports is an `outdated_fact`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.drafting.items import sentence_rules
from assistant.guards.evidence import Evidence, GuardContext, Prepared, Sentence, analyse, evidence, prepare, squash
from assistant.guards.facts import HIGH_KINDS, Fact
from assistant.models import Flag, FlagSeverity, SearchHit
from assistant.text import NO_FACT_WORDS, content_stems, fold, wordset

CAUSE_RX = re.compile(
    r"\b(?:because(?: of)?|caused by|due to|owing to|as a result of|result(?:ed|s)? from|stem(?:s|med)? from|"
    r"came from|comes from|originat\w* (?:from|in)|traced (?:back )?to|parce que|parce qu'|a cause d[ue']|"
    r"a cause des|en raison d[ue']|en raison des|du a|due a|dus a|dues a|provien\w* d[ue']|"
    r"vien\w* (?:d'une?|du|des|de la|de l')|"
    r"cause[es]* par|resulte\w* d[ue']|a l'origine d[ue']|la faute (?:a|de|du)|blame on)"
)
SPECULATION_RX = re.compile(
    r"\b(?:probably|likely|presumably|possibly|perhaps|maybe|apparently|seemingly|"
    r"(?:we|i) (?:think|believe|suspect|assume|guess)|it (?:seems|appears|looks like)|must have|"
    r"might have|may have|could have|sans doute|probablement|vraisemblablement|peut-etre|apparemment|"
    r"il sembl\w*|on (?:pense|suppose|soupconne)|nous (?:pensons|supposons|soupconnons|croyons)|"
    r"je (?:pense|suppose|crois)|aurai(?:en)?t ete|serai(?:en)?t dus?|pourrai(?:en)?t (?:etre|venir))\b"
)
_CAUSE_TOPIC_RX = re.compile(
    r"\b(?:cause|caus|origin|origine|source|fault|faute|defa\w+|defect\w*|faulty|contamin\w*|supplier|"
    r"fournisseur|machine|equipment|equipement|sieve|tamis|sabotage|from (?:the|a|our))"
)
_SAFETY_RX = re.compile(
    r"\b(?:safe|unsafe|harmless|no risk|risk-free|sans (?:aucun )?danger|sans risque|aucun risque|"
    r"no danger|aucun danger|pas dangereu\w*|"
    r"inoffensif\w*|dangereu\w*|dangerous|toxic|toxique|no injur\w*|nobody (?:was )?(?:hurt|injured)|"
    r"aucun(?:e)? bless\w*|no one (?:was )?(?:hurt|injured)|not affected|pas concerne\w*|non concerne\w*)"
)
_GREETING = wordset(
    """
    mr mrs ms miss dr mme mlle m
    hi hello hey dear bonjour bonsoir salut coucou merci thanks thank cher chere chers madame
    monsieur
    """
)
_COMMON_CAPS = wordset(
    """
    i ok okay dm dms pm mp faq team equipe service client clients customer customers care support
    hotline update updates news info thanks merci please hi hello bonjour cet cest utc gmt important
    note nb ps q a re sorry desole yes no oui non best kind warm regards cordialement bien sincerely
    cheers community manager social media covid eu ue ttc ht id url www http https pdf
    """
)
_LAST_WORD = re.compile(r"[\w'-]+")
_CLAUSE_END = re.compile(r"\s*(?:[!?.,:;)]|$)")
_CAP_TOKEN = re.compile(r"(?<![\w@#/.])[A-ZÀ-Ý][\w'’-]*")
_SIGN_OFF = re.compile(
    r"^\s*(?:[-–—~^]|(?:the|l'|l’)?\s*(?:team|equipe|service))|\b(?:team|equipe|équipe)\b\W*$", re.I
)

# Word overlap a factual sentence needs with one source sentence (or, looser, with one chunk).
SENTENCE_OVERLAP = 0.34
CHUNK_OVERLAP = 0.5
MIN_STEMS_FOR_OVERLAP = 3
# A cause must be stated by the source almost word for word: "the production line" is in the fact
# sheet, "a worn part on the production line" is not.
CAUSE_SUPPORT = 0.75
_ADDRESSEE = re.compile(
    r"^(?:hi|hello|hey|dear|bonjour|bonsoir|salut|coucou|thanks|thank you|merci)\s+([\w'-]+)", re.I
)


def _flag(code: str, severity: FlagSeverity, message: str, span: tuple[int, int], source: str | None) -> Flag:
    return Flag(code=code, severity=severity, message=message, span=span, source=source)


def supported(fact: Fact, ev: Evidence) -> bool:
    return any(k in ev.keys for k in fact.keys)


def best_overlap(stems: frozenset[str], chunks: list[Prepared]) -> tuple[float, Prepared | None]:
    best, where = 0.0, None
    if not stems:
        return 1.0, None
    for p in chunks:
        for s in p.sentences:
            score = len(stems & s.stems) / len(stems)
            if score > best:
                best, where = score, p
        if len(stems & p.stems) / len(stems) >= CHUNK_OVERLAP and best < SENTENCE_OVERLAP:
            best, where = SENTENCE_OVERLAP, p
    return best, where


MEMBERSHIP_MAX_STEMS = 6
_NOT_LISTED = re.compile(r"\b(?:not|isn't|aren't|n'est pas|ne (?:fait|font|sont|est) pas|aucun\w*)\b")


def _listed_absent(f: Fact, s: Sentence, ev: Evidence) -> bool:
    """'L4835 is not on the list' is what a current exclusive list ('only L4821 and L4822') says; 'VP27310
    is not on the list' / 'VP24002 is on the list' is what a current range ('client codes from VP-20000 to
    VP-26999') says of a reference of its shape."""
    if f.kind != "batch":
        return False
    negative = bool(_NOT_LISTED.search(s.folded))
    if negative and any(t.only and t.batches and f.key not in t.batches for p in ev.current for t in p.sentences):
        return True
    value = s.text[f.start - s.start : f.end - s.start]
    return any(rule.references(value) and rule.covers(value) != negative
               for p in ev.current for rule in sentence_rules(p.body))


def _says_membership(s: Sentence, ev: Evidence) -> bool:
    """"Non, CA26-0458 ne fait pas partie de la liste": a short sentence whose only facts are references
    the current lists decide was checked fact by fact; its other words are the verdict's."""
    return bool(s.facts) and len(s.stems) <= MEMBERSHIP_MAX_STEMS and all(
        f.kind == "batch" and (supported(f, ev) or _listed_absent(f, s, ev)) for f in s.facts)


def _fact_flags(s: Sentence, ev: Evidence) -> list[Flag]:
    out = []
    for f in s.facts:
        if supported(f, ev) or _listed_absent(f, s, ev):
            continue
        value = s.text[f.start - s.start : f.end - s.start]
        bad = next((ev.bad_keys[k] for k in f.keys if k in ev.bad_keys), None)
        if bad:
            out.append(
                _flag(
                    "outdated_fact",
                    "high",
                    f"'{value}' comes from an outdated or unapproved source, not the current ones",
                    (f.start, f.end),
                    bad,
                )
            )
        else:
            sev: FlagSeverity = "high" if f.kind in HIGH_KINDS else "medium"
            out.append(
                _flag(
                    "unsupported_claim",
                    sev,
                    f"'{value}' ({f.kind}) is not in any cited or retrieved source",
                    (f.start, f.end),
                    None,
                )
            )
    return out


def _only_flags(s: Sentence, ev: Evidence) -> list[Flag]:
    """'Only batch L4821' is wrong when the current sources list more batches as the affected set."""
    mine = s.batches
    if not (s.only and mine):
        return []
    exclusive = [t.batches for p in ev.current for t in p.sentences if t.only and t.batches & mine]
    if not exclusive or any(mine == e for e in exclusive):
        return []
    stale = next(
        (p.chunk_id for p in ev.disallowed for t in p.sentences if t.only and t.batches == mine), None
    )
    span = (s.start, s.end)
    listed = ", ".join(sorted(k.split(":")[1] for k in exclusive[0]))
    if stale:
        return [
            _flag(
                "outdated_fact",
                "high",
                f"the affected batches are now {listed}; this is an outdated list",
                span,
                stale,
            )
        ]
    return [
        _flag("unsupported_claim", "high", f"the sources list the affected batches as {listed}", span, None)
    ]


def _cause_flags(s: Sentence, ev: Evidence) -> list[Flag]:
    m = CAUSE_RX.search(s.folded)
    spec = SPECULATION_RX.search(s.folded)
    if not m and not (spec and _CAUSE_TOPIC_RX.search(s.folded)):
        return []
    # The cause is what follows the marker up to the next clause break ("Because X, we Y").
    clause = content_stems(re.split(r"[,;:]", s.folded[m.end() :])[0]) if m else s.stems
    # Stemmed as the sources are (dates and figures are facts, checked on their own): "a software update
    # installed on 29 November" is the source's sentence, whatever "29 November" does to its words.
    clause = (clause & s.stems) or clause
    score, _ = best_overlap(clause, ev.current)
    if clause and score >= CAUSE_SUPPORT:
        return []
    start = s.start + (m.start() if m else 0)
    out = []
    if spec:
        out.append(
            _flag(
                "speculation",
                "high",
                "speculates on a cause the sources do not state",
                (s.start + spec.start(), s.end),
                "speculation",
            )
        )
    bad_score, bad = best_overlap(clause, ev.disallowed)
    if bad is not None and bad_score >= 0.5 and clause & ev.bad_stems:
        out.append(
            _flag(
                "outdated_fact",
                "high",
                "this cause comes from an outdated or unapproved source",
                (start, s.end),
                bad.chunk_id,
            )
        )
    elif not spec:
        out.append(
            _flag(
                "unsupported_claim",
                "high",
                "states a cause that no current source gives",
                (start, s.end),
                None,
            )
        )
    return out


def _entities(s: Sentence, ev: Evidence, known: frozenset[str]) -> list[Flag]:
    out = []
    facts = [(f.start - s.start, f.end - s.start) for f in s.facts]
    for m in _CAP_TOKEN.finditer(s.text):
        if any(a <= m.start() < b for a, b in facts):
            continue
        word = fold(m.group(0)).strip("'-")
        before = s.text[: m.start()].rstrip()
        initial = not before or before[-1] in ':;"“«(—–-!?.'
        previous = (_LAST_WORD.findall(fold(before[-40:])) or [""])[-1]
        # "Hi Marie", "Hello Mr Dupont", "Thanks for your message, Marc!" address the author.
        vocative = previous in _GREETING or (before.endswith(",") and _CLAUSE_END.match(s.text, m.end()))
        if initial or vocative or word in NO_FACT_WORDS or word in _COMMON_CAPS or word in known or len(word) < 2:
            continue
        parts = [p for p in re.split(r"['-]", word) if p]
        if all(p in ev.words or p in known or p in NO_FACT_WORDS for p in parts):
            continue
        out.append(
            _flag(
                "unsupported_claim",
                "medium",
                f"'{m.group(0)}' is not named in any source",
                (s.start + m.start(), s.start + m.end()),
                None,
            )
        )
    return out


# Health and fault: a clause saying something is (un)safe, or who is to blame, must be stated by a source
# almost word for word; one supported fact elsewhere in the sentence does not carry it.
_FAULT_RX = re.compile(
    r"\b(?:fault\w*|faute\w*|blame\w*|to blame|responsib\w*|responsab\w*|liab\w*|negligen\w*|"
    r"coupable\w*|guilty)"
)
_HEALTH_RX = re.compile(
    r"\b(?:healthy|health risk|harmful|allerg\w*|poison\w*|sick\w*|illness|malade\w*|"
    r"sain(?:e|s|es)?\b|nocif\w*|for (?:children|kids|babies|pregnant)|pour les enfants)"
)
SAFETY_SUPPORT = 0.6
_SAFETY_CLAIM = re.compile(_SAFETY_RX.pattern + r"(?!\w)")  # "safe", not "safety team"
# "You're asking whether it is safe" reports the question; it states nothing.
TOPIC_RX = re.compile(
    r"\b(?:ask\w*|want(?:s|ed)? to know|wonder\w*|whether|worr\w*|question\w*|concern(?:ed|s)? about|"
    r"demand\w*|savoir si|inquiet\w*|si (?:le|la|les|votre|vos|c'est)|about|regarding|concernant|au sujet|"
    r"a propos)\b"
)


def _clause(folded: str, at: int) -> str:
    """The clause around position `at` (between commas, semicolons, "and"/"et", sentence ends)."""
    bounds = re.compile(r"[,;:]|\b(?:and|but|et|mais)\b")
    start = max((m.end() for m in bounds.finditer(folded, 0, at)), default=0)
    end = next((m.start() for m in bounds.finditer(folded, at)), len(folded))
    return folded[start:end]


def _risk_flags(s: Sentence, ev: Evidence) -> list[Flag]:
    """Safety, health and fault clauses no current source states: high (issue 18)."""
    out = []
    for rx, what in ((_SAFETY_CLAIM, "safety"), (_HEALTH_RX, "health"), (_FAULT_RX, "fault")):
        m = rx.search(s.folded)
        if m is None:
            continue
        raw = _clause(s.folded, m.start())
        if TOPIC_RX.search(raw) or s.text.rstrip().endswith("?"):
            continue
        clause = content_stems(raw)
        # Only a source sentence that itself says so counts: not a question ("Is it safe to eat ...?").
        stated = [len(clause & t.stems) / len(clause) for p in ev.current for t in p.sentences
                  if clause and rx.search(t.folded) and not t.text.rstrip().endswith("?")]
        if clause and max(stated, default=0.0) >= SAFETY_SUPPORT:
            continue
        out.append(
            _flag(
                "unsupported_claim",
                "high",
                f"a {what} statement no current source makes: \"{_clause(s.text, m.start()).strip()[:80]}\"",
                (s.start + m.start(), s.start + m.end()),
                None,
            )
        )
    return out


def _overlap_flag(s: Sentence, ev: Evidence) -> list[Flag]:
    stems = s.stems - _GREETING_STEMS
    if m := _ADDRESSEE.match(s.text):
        stems -= content_stems(fold(m.group(1)))
    if len(stems) < MIN_STEMS_FOR_OVERLAP:
        return []
    score, _ = best_overlap(stems, ev.current)
    if score >= SENTENCE_OVERLAP:
        return []
    bad_score, bad = best_overlap(stems, ev.disallowed)
    if bad is not None and bad_score > max(0.5, score) and stems & ev.bad_stems:
        return [
            _flag(
                "outdated_fact",
                "high",
                "this sentence matches an outdated or unapproved source",
                (s.start, s.end),
                bad.chunk_id,
            )
        ]
    return [
        _flag(
            "unsupported_claim",
            "medium",
            f"no source sentence says this (word overlap {score:.0%})",
            (s.start, s.end),
            None,
        )
    ]


_GREETING_STEMS = content_stems(" ".join(_GREETING))


def is_factual(s: Sentence) -> bool:
    return bool(s.facts or CAUSE_RX.search(s.folded) or _SAFETY_RX.search(s.folded) or s.only)


def check_sentences(sentences: tuple[Sentence, ...], ctx: GuardContext, ev: Evidence) -> list[Flag]:
    known = frozenset(
        fold(w) for name in [*ctx.brand, ctx.author or ""] for w in re.findall(r"[\w'-]+", name)
    )
    flags: list[Flag] = []
    for s in sentences:
        if _SIGN_OFF.search(s.text) and len(s.stems) <= 5 and not s.facts:
            continue
        flags += _entities(s, ev, known)
        flags += _risk_flags(s, ev)
        if not is_factual(s):
            flags += _cause_flags(s, ev)  # a hedged cause ("probably the machine") has no other cue
            continue
        flags += _fact_flags(s, ev) + _only_flags(s, ev) + _cause_flags(s, ev)
        if not any(f.code == "outdated_fact" for f in flags if f.span and s.start <= f.span[0] < s.end) \
                and not _says_membership(s, ev):
            flags += _overlap_flag(s, ev)
    return flags


def check_claims(text: str, ctx: GuardContext) -> list[Flag]:
    """unsupported_claim / outdated_fact / speculation / bad_citation flags for a draft."""
    sentences = analyse(text)
    ev = evidence(ctx)
    return check_sentences(sentences, ctx, ev) + check_citations(sentences, ctx, ev)


# ---------------------------------------------------------------- citations and staleness


def quote_in(quote: str, chunk: Prepared) -> bool:
    parts = [squash(p) for p in re.split(r"\.\.\.|…|\[\.\.\.\]", quote)]
    pos = 0
    for part in (p for p in parts if p):
        pos = chunk.squashed.find(part, pos)
        if pos < 0:
            return False
        pos += len(part)
    return True


def check_citations(sentences: tuple[Sentence, ...], ctx: GuardContext, ev: Evidence) -> list[Flag]:
    out = []
    bad_ids = {p.chunk_id for p in ev.disallowed}
    for c in ctx.citations:
        span = None
        if c.sentence is not None:
            if not 0 <= c.sentence < len(sentences):
                out.append(
                    Flag(
                        code="bad_citation",
                        severity="medium",
                        source=c.chunk_id,
                        message=f"cites sentence {c.sentence}, the draft has {len(sentences)}",
                    )
                )
                continue
            span = (sentences[c.sentence].start, sentences[c.sentence].end)
        chunk = ev.by_id.get(c.chunk_id)
        if chunk is None:
            msg = f"cites {c.chunk_id}, which was not among the retrieved sources"
        elif c.chunk_id in bad_ids:
            msg = f"cites {c.chunk_id}, an outdated or unapproved chunk"
        elif c.quote.strip() and not quote_in(c.quote, chunk):
            msg = f'the quote is not in {c.chunk_id}: "{c.quote[:80]}"'
        else:
            continue
        out.append(Flag(code="bad_citation", severity="high", message=msg, span=span, source=c.chunk_id))
    return out


def stale_flags(knowledge_versions: dict[str, str], current_versions: dict[str, str]) -> list[Flag]:
    """A draft bound to chunk versions that changed or disappeared since it was written."""
    out = []
    for chunk_id, used in sorted(knowledge_versions.items()):
        now = current_versions.get(chunk_id)
        if now is None:
            msg = f"{chunk_id} ({used or 'unversioned'}) is no longer in the knowledge base"
        elif now != used:
            msg = f"{chunk_id} changed from {used or 'unversioned'} to {now or 'unversioned'}"
        else:
            continue
        out.append(Flag(code="stale", severity="medium", message=msg, source=chunk_id))
    return out


# ---------------------------------------------------------------- attribution of a person's text

ATTRIBUTION_OVERLAP = 0.5


def supporting_chunks(text: str, hits: Sequence[SearchHit], limit: int = 2) -> list[list[str]]:
    """For each sentence of `text` (as `split_sentences` cuts it), the ids of the chunks among `hits` that
    state it: every fact of the sentence is in the chunk, and half of its words are in one chunk
    sentence. Greetings and sign-offs get none. Used to cite a text a person wrote (an edit)."""
    prepared = list({h.chunk_id: prepare(h) for h in hits}.values())
    out: list[list[str]] = []
    for s in analyse(text):
        stems = s.stems - _GREETING_STEMS
        found: list[tuple[float, str]] = []
        if s.facts or len(stems) >= MIN_STEMS_FOR_OVERLAP:
            for p in prepared:
                if not all(any(k in p.keys for k in f.keys) for f in s.facts):
                    continue
                score = max((len(stems & t.stems) / len(stems) for t in p.sentences), default=0.0) if stems else 1.0
                if score >= ATTRIBUTION_OVERLAP:
                    found.append((score, p.chunk_id))
        out.append([cid for _, cid in sorted(found, key=lambda x: -x[0])[:limit]])
    return out
