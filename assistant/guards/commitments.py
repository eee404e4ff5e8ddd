"""Commitments: promises of money, refunds, vouchers, deliveries, legal outcomes; admissions of fault.

A promise is allowed only when a policy chunk makes it (in a sentence that is not negated: "no other
compensation is promised") and every figure near it (amount, delay, date) is one of the policy's
figures. Admissions of fault and legal outcomes are never for a reply to decide.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from assistant.guards.evidence import Evidence, Prepared, Sentence, analyse, squash
from assistant.guards.facts import describe
from assistant.models import Flag

CATEGORIES: dict[str, re.Pattern[str]] = {
    "refund": re.compile(r"\b(?:refund\w*|reimburs\w*|money back|rembours\w*)"),
    "voucher": re.compile(
        r"\b(?:vouchers?|coupons?|gift ?cards?|bons? d'achat|bons? de reduction|cartes? cadeaux?|store "
        r"credit|"
        # "un avoir" is a credit note; "merci de nous avoir contactés" is the verb
        r"\b(?:un|l'|cet|votre|vos|notre|nos|des|mon|ton|son|leur|leurs) ?avoirs?\b|"
        r"codes? promo\w*|discount\w*|goodwill gesture|geste commercial|credit on your account)"
    ),
    "compensation": re.compile(
        r"\b(?:compensat\w*|indemni\w*|dedommag\w*|damages\b|dommages(?:[- ]et[- ]interets)?|"
        r"medical (?:bills?|costs?|expenses?|fees?)|frais (?:medicaux|de sante|d'hopital|de medecin)|"
        r"hospital bills?|doctor'?s? bills?|(?:pay|cover|reimburse) (?:for )?(?:your|all|any|the) (?:\w+ )?"
        r"(?:bills?|costs?|expenses?|fees?)|payer (?:vos|tous les|les) (?:\w+ )?frais|"
        r"prendre en charge (?:vos|les|tous|l'ensemble))"
    ),
    "replacement": re.compile(
        r"\b(?:free (?:box|boxes|product|products|pack|packs|replacement|cereals?|granola|year|supply)|"
        r"new (?:box|pack|packet|product)|nouve(?:au|lle|aux) (?:paquet|produit|boite|colis)s?|"
        r"replacement (?:box|product|pack)s?|replace (?:it|them|your)|remplac\w+|produits? offerts?|"
        r"(?:boites?|paquets?|colis) (?:offerte?s?|gratuite?s?)|gratuitement)"
    ),
    "delivery": re.compile(
        r"\b(?:deliver\w*|ship(?:ped|ping|s)?\b|dispatch\w*|livr\w+|expedi\w+|(?:will|'ll) (?:arrive|reach "
        r"you)|"
        r"(?:recevrez|recevra|will receive|'ll receive|will get|'ll get) (?:a|an|your|un|une|votre|vos|le|"
        r"la|les) "
        r"(?:new |replacement |nouveau |nouvelle )?(?:box|pack|packet|parcel|paquet|boite|colis|produit|"
        r"remplacement)|"
        r"arrivera|back (?:on|in) (?:the )?(?:shelves|stores|stock)|de retour en (?:rayon|magasin))"
    ),
    "legal": re.compile(
        r"\b(?:sue\b|lawsuits?|legal action|in court|class action|settle\w*|out of court|poursuites?|"
        r"proces\b|"
        r"tribunal|action en justice|recours collectif|porter plainte|a l'amiable)"
    ),
    "guarantee": re.compile(
        r"\b(?:we guarantee|guaranteed|i guarantee|nous garantissons|je (?:vous )?garantis|garanti\w*|"
        r"100 ?% (?:safe|sure|sur\w*|sains?)|(?:completely|totally|perfectly|absolutely|entirely) safe|"
        r"parfaitement (?:sur|sain)\w*|sans aucun danger|aucun risque|no risk\b|risk-free|"
        r"(?:all )?(?:other|remaining) (?:batches|products) (?:are|is) (?:safe|fine|ok|unaffected)|"
        r"(?:les )?autres (?:lots|produits) sont (?:surs|sains|sans danger|non concernes))"
    ),
    "admission": re.compile(
        r"(?:we|i) (?:admit|acknowledge|accept|recogni[sz]e) (?:that )?(?:(?:our|full|the|all|complete|"
        r"total) )?"
        r"(?:fault|responsibility|liability|blame|mistake|error|negligence)|"
        r"(?:we|i) (?:admit|acknowledge) (?:that )?(?:we|it was|this was)|"
        r"(?:it'?s|it is|it was|this is|this was|that'?s|that is) (?:entirely |all |totally |completely )?"
        r"our (?:own )?fault|(?<!not )(?<!n't )\bour (?:own )?(?:fault|negligence)|"
        r"(?:we are|we're|we were) (?:fully |entirely |totally |solely |completely )?"
        r"(?:responsible|liable|to blame|at fault|negligent|guilty)|"
        r"(?:we|i) take (?:full |complete |total |all )?(?:responsibility|liability|the blame)|"
        r"(?:we|i) (?:made|have made|did) a (?:terrible |serious |big |huge |grave )?(?:mistake|error)|"
        r"we (?:messed|screwed) up|the company admits|alpena (?:admits|is responsible|is liable|is at fault)|"
        # "We're sorry we made you ill": the harm stated as our doing (seen from a small local model).
        r"(?<!not )(?<!n't )\b(?:we|our (?:\w+ )?(?:products?|cereals?|granola|food))(?: have| has|'ve)? "
        r"(?:made|making|caused|causing|gave|given) (?:you|your \w+|people|customers|them|him|her|everyone) "
        r"(?:\w+ )?(?:ill|sick|unwell|poisoned|food poisoning|an illness)|"
        r"(?:nous vous avons|notre produit vous a|nos produits vous ont) (?:rendue?s? malades?|intoxiquee?s?)|"
        r"(?:nous )?reconnaissons (?:pleinement )?(?:notre|nos|l'entiere|toute la|la) (?:entiere )?"
        r"(?:responsabilite|faute|erreur|torts)|c'?est (?:entierement |totalement )?(?:de )?notre faute|"
        r"(?:nous sommes|on est|nous etions) (?:entierement |totalement |pleinement |seuls )?"
        r"(?:responsables?|fautifs?|coupables?|en tort)|(?<!pas )(?<!pas de )\bnotre (?:faute|negligence)|"
        r"nous avons (?:fait|commis) une (?:grave |grosse |terrible )?(?:erreur|faute)|"
        r"(?:alpena|l'entreprise|la societe|la marque) (?:admet|reconnait|est responsable|est coupable)|"
        r"nous assumons (?:l'entiere |toute la |la )?responsabilite"
    ),
}
# A reply never settles these, whatever a policy chunk says: they go to legal or the comms lead.
NEVER_ALLOWED = frozenset({"admission", "legal", "guarantee"})
# "You cannot sue us" is as much a legal statement as "you can sue us"; admission patterns carry their
# own negative forms ("not our fault" is left out by the pattern itself).
NEGATION_BLIND = NEVER_ALLOWED
_MONEY_PROMISE = re.compile(
    r"\b(?:will|'ll|going to|get|gets|receive|receives|offer|offers|give|pay|send|entitled|eligible|"
    r"everyone|every customer|all customers|each customer|recevr\w*|recevez|recoit|offr\w*|vers\w*|donn\w*|"
    r"obtiend\w*|touch\w*|beneficier|avez droit|tout le monde|tous les clients|chaque client|chacun)\b"
)
_NEGATION = re.compile(r"\b(?:no|not|never|cannot|can't|won't|don't|isn't|aucun\w*|pas|jamais|ni|sans)\b")
_COMMIT_KINDS = frozenset({"money", "pct", "dur", "date", "weekday", "reldate", "month"})
_WINDOW = 70
MESSAGES = {
    "refund": "promises a refund",
    "voucher": "promises a voucher",
    "compensation": "promises compensation",
    "replacement": "promises a replacement or free product",
    "delivery": "promises a delivery or restocking date",
    "legal": "speaks to a legal outcome",
    "guarantee": "guarantees safety",
    "admission": "admits fault or liability",
    "money": "promises money",
}


def _negated(folded: str, start: int) -> bool:
    # Only the words of the same clause count: "Don't worry, we'll pay" is not a negated promise.
    clause = re.split(r"[,.;:!?]", folded[max(0, start - 40) : start])[-1]
    before = clause.split()[-4:]
    return any(_NEGATION.fullmatch(w.strip(",.;:")) for w in before)


# "You're asking about compensation" names the topic of the question; it promises nothing.
_TOPIC = re.compile(
    r"\b(?:about|regarding|concerning|asking|ask|asked|questions?|au sujet|concernant|a propos|"
    r"demandez|demande|posez)\b"
)


def _topic(folded: str, start: int) -> bool:
    clause = re.split(r"[,.;:!?]", folded[max(0, start - 40) : start])[-1]
    return bool(_TOPIC.search(" ".join(clause.split()[-3:])))


def categories(folded: str) -> list[tuple[str, int, int]]:
    """(category, start, end) of each promise in a folded sentence, negated ones and mere mentions of
    the topic ("your question about a refund") left out."""
    out = []
    for name, rx in CATEGORIES.items():
        for m in rx.finditer(folded):
            if name not in NEGATION_BLIND and (_negated(folded, m.start()) or _topic(folded, m.start())):
                continue
            out.append((name, m.start(), m.end()))
    return out


@lru_cache(maxsize=1024)
def _policy_categories(chunk_id: str, text: str) -> frozenset[str]:
    return frozenset({name for s in analyse(text) for name, _, _ in categories(s.folded)} - NEVER_ALLOWED)


def _policy_terms(chunk: Prepared) -> tuple[frozenset[str], frozenset[str]]:
    """Categories a policy chunk allows (from its sentences: a title such as "Refunds and compensation"
    allows nothing), and the figures it gives."""
    return _policy_categories(chunk.chunk_id, chunk.body), chunk.keys


@lru_cache(maxsize=1024)
def _stated(chunk_id: str, body: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(category, figures of that sentence) for each promise a current source states in a sentence (the
    fact sheet's "Each refund comes with a €5 goodwill voucher" allows repeating exactly that)."""
    out = []
    for s in analyse(body):
        keys = frozenset(k for f in s.facts for k in f.keys)
        found = [name for name, _, _ in categories(s.folded) if name not in NEVER_ALLOWED]
        if not found and any(f.kind == "money" for f in s.facts) and _MONEY_PROMISE.search(s.folded):
            found = ["money"]  # "every customer receives a €20 credit by 15 December", as a reply would say it
        out += [(name, keys) for name in found if keys]
    return tuple(out)


QUOTE_MIN = 40  # characters of a sentence, alphanumerics only, for it to count as quoted


def _quoted(s: Sentence, ev: Evidence) -> bool:
    """Whether the sentence is, word for word, in a current source (a greeting's worth is not enough)."""
    said = squash(s.text)
    return len(said) >= QUOTE_MIN and any(said in p.squashed for p in ev.current)


def check_commitments(sentences: tuple[Sentence, ...], ev: Evidence) -> list[Flag]:
    allowed: dict[str, set[str]] = {}
    for p in ev.policy:
        cats, figures = _policy_terms(p)
        for c in cats:
            allowed.setdefault(c, set()).update(figures)
    for p in ev.current:
        for c, figures in _stated(p.chunk_id, p.body):
            allowed.setdefault(c, set()).update(figures)
    all_policy_keys = set().union(*(p.keys for p in ev.policy)) if ev.policy else set()
    out: list[Flag] = []
    for s in sentences:
        found = categories(s.folded)
        if found and _quoted(s, ev):
            continue  # a current source's own sentence, word for word ("all products of the same delivery of
            # chicken were withdrawn"): approved knowledge repeated, no promise of the draft's own
        starts = [f.start for f in s.facts]
        money = [f for f in s.facts if f.kind == "money"]
        if money and not found and _MONEY_PROMISE.search(s.folded):
            found.append(("money", money[0].start - s.start, money[0].end - s.start))
        for cat, a, b in found:
            span = (s.start + a, s.start + b)
            if cat not in allowed and cat != "money":
                why = "no policy chunk allows it" if cat not in NEVER_ALLOWED else "never in a public reply"
                out.append(_flag(f"{MESSAGES[cat]}: {why}", span, cat))
                continue
            # Money: any figure of the policy, or one a current source states with it ("a €20 credit by 15
            # December" in the fact sheet allows repeating exactly that).
            keys: set[str] | frozenset[str] = all_policy_keys | allowed.get("money", set()) if cat == "money" \
                else allowed[cat]
            # Only the figures near the promise are its terms (facts are sorted by position).
            lo, hi = bisect_left(starts, span[0] - _WINDOW), bisect_right(starts, span[1] + _WINDOW)
            for f in s.facts[lo:hi]:
                if f.kind in _COMMIT_KINDS and not any(k in keys for k in f.keys):
                    value = s.text[f.start - s.start : f.end - s.start]
                    same = sorted({describe(k) for k in keys if k.startswith(f.key.split(":")[0] + ":")})
                    says = f"; the policy says {', '.join(same)}" if same else ""
                    out.append(
                        _flag(
                            f"{MESSAGES[cat]} with '{value}', a figure the policy does not give{says}",
                            (f.start, f.end),
                            cat,
                        )
                    )
    return _dedupe(out)


def _flag(message: str, span: tuple[int, int], category: str) -> Flag:
    return Flag(
        code="unapproved_commitment", severity="high", message=message, span=span, source=f"policy:{category}"
    )


def _dedupe(flags: list[Flag]) -> list[Flag]:
    seen: set[tuple[int, int] | None] = set()
    out = []
    for f in flags:
        if f.span not in seen:
            seen.add(f.span)
            out.append(f)
    return out
