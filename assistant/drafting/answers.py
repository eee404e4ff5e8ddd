"""Pick the knowledge sentences that answer a question, by the kind of answer it needs.

A "when" needs a date or a time, a "how much" an amount, a "where" a place or a link, a "contact" a
phone number or an address; an item question ("is lot L4835 concerned?") gets a yes or a no read
against the lists of the current knowledge (an identifier of the same shape that no list names is
not on the list), and a "can I / do I need" question a yes or no read from the sentence that
answers it. Relevance is word overlap weighted by rarity within the retrieved knowledge, so words
every sentence shares ("recall", "refund") count little. No answer is better than a wrong one:
below the threshold, the caller says it does not know yet.

Imports: the text layer, models, the question finder, candidates.py (the sentences) and items.py (the
item verdicts). Used by the offline composer, and by public updates and the LLM prompt (the candidate
answers it is given).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.drafting.candidates import (
    ANSWER_TYPES,
    COUNT_AFFECTED,
    DENIED,
    KIND_PRIOR,
    MONEY,
    NEGATION,
    SCOPE_LIST,
    Candidate,
    asked_part,
    candidates,
    has_type,
    keyset,
    parts_of,
    says_opposite,
    text_keys,
)
from assistant.drafting.items import (
    ALREADY_SAID,
    IMPERATIVE,
    MASKED,
    SCOPE_TERMS,
    item_verdict,
    known_items,
    verdict_sentence,
)
from assistant.drafting.meaning import similarities
from assistant.drafting.phrases import HAPPENED_HEADINGS, phrase
from assistant.drafting.questions import SCOPE_WORDS, Question, find_questions, question_terms, related_terms
from assistant.drafting.windows import window_verdict
from assistant.models import SearchHit
from assistant.text import analyze, fold

MONEY_WORDS = re.compile(r"\b(droit|entitled|compensat\w*|voucher|bon|refund\w*|rembours\w*|pay\w*|pai\w*|cost\w*|"
                         r"price|prix|"
                         r"montant|amount|dedommag\w*|indemn\w*|geste|money|argent|€|"
                         # "what do we get for this mess?", "on aura quoi ?": what they are given
                         r"what do (i|we|you) get|what (will|would) (i|we) get|on (aura|a) quoi|"
                         r"qu'est-ce qu'on (a|aura)|on a droit|(vous )?offrez quoi|faire pardonner|"
                         r"make (it )?up (to|for))\b")
NEXT_UPDATE = re.compile(r"\b(next update|prochain point|prochaine mise a jour|next statement|will be published|"
                         r"sera publie)\b")
MIN_RELEVANCE = 1.2
COMMON_MIN_SENTENCES = 30
# Meaning (cosine of multilingual sentence vectors, see meaning.py) counts above a floor every pair of
# sentences on the same crisis reaches; a sentence this close in meaning is relevant with no shared word.
SIM_FLOOR = 0.15
SIM_WEIGHT = 20.0
SIM_RELEVANT = 0.40
SIM_SECOND = 0.30  # a second answer sentence at least this close in meaning,
SIM_MARGIN = 0.05  # and at most this much further than the first
# "When does the Saint-Priest agency reopen?": "we do not know yet when it will reopen" is the answer, not
# the date of the fire in the same agency, when it is this much closer to the question.
UNKNOWN_CLOSER = 1.5
# An FAQ entry answers a question whose specific words cover this share of its own question's.
FAQ_COVER = 0.5
FAQ_SIM = 0.72  # an FAQ question this close in meaning to the comment's asks the same (bike: 0.85; others < 0.65)
FAQ_SIM_MARGIN = 0.08
_ANY = re.compile("")  # any sentence: `Picker.following(c, _ANY, used)` is simply the next one
FAQ_VERDICT = re.compile(r"\s*(yes|no|oui|non)\b\s*[.,!:;]")
# A question about what is to come: "when will it reopen?", "quand va-t-on savoir ?".
FUTURE = re.compile(r"\b(will|going to|gonna|va|vont|allez|allons|sera|seront|aura|auront|\w+ront|\w+ra)\b")
# A date that is expected, not one that has passed: "results are expected by", "will reopen on", "d'ici".
COMPENSATION_TERMS = frozenset(analyze("compensation compensated indemnity voucher credit refund refunded goodwill "
                                      "indemnité indemnisation dédommagement dédommagé bon avoir remboursement "
                                      "remboursé geste commercial"))
# "When did it start?", "quand l'attaque a-t-elle eu lieu ?": asked about the past. Any other "when" asks what is to
# come, whatever its tense ("when are the snapshots coming back?", "vous reprenez quand ?").
PAST_ASKED = re.compile(r"\b(did|was|were|has|have|had|happened|started|began|occurred|since when|depuis quand|"
                        r"a eu lieu|ont eu lieu|a-t-(il|elle)|ont-(ils|elles)|avez-vous|as-tu|a commence|est arrive\w*|"
                        r"a ete|ont ete|etait|etaient)\b")


def asks_ahead(q: Question) -> bool:
    return FUTURE.search(q.folded) is not None or PAST_ASKED.search(q.folded) is None


EXPECTED = re.compile(r"\b(expect\w*|will (be|re\w+)|by (the )?\d|until|next|d'ici|prevu\w*|prevoi\w*|attendu\w*|"
                      r"attendons|sera|seront|devrai(t|ent)|prochain\w*|jusqu'au|avant le)\b")


@dataclass
class Answer:
    """What answers one question: the sentences to state (first the verdict), and how sure we are."""

    question: Question
    sentences: list[tuple[str, list[str]]] = field(default_factory=list)  # (text, chunk ids)
    verdict: str | None = None  # "yes" | "no" for item and can-I questions
    used: list[Candidate] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.sentences)





class Picker:
    """Scores candidate sentences against questions (one instance per draft: the weights are per context)."""

    def __init__(self, cands: list[Candidate], language: str) -> None:
        self.cands = cands
        self.language = language
        df: Counter[str] = Counter()
        for c in cands:
            df.update(c.terms | c.section)
        n = max(1, len(cands))
        # Rarity counts more than linearly: "receipt" must outweigh "refund", which half the sentences share.
        self.weight = {t: math.log(1 + n / d) ** 1.5 for t, d in df.items()}
        # A word no sentence uses: as rare as a word can be here, and never below the relevance bar.
        self.max_weight = max(math.log(1 + n) ** 1.5, MIN_RELEVANCE)
        # Words a quarter of the knowledge shares (the product, "recall") say nothing specific; over a
        # handful of sentences (one language's, a short fact sheet) a word in 4 of 15 is no such word.
        self.common = {t for t, d in df.items() if d > 0.25 * max(n, COMMON_MIN_SENTENCES)}
        # So do the words of the documents' titles: the product, the service, the incident itself.
        self.common |= {t for c in cands for t in text_keys(c.hit.title)}
        # Sentences opening with their FAQ's own yes or no ("Oui, si l'eau arrive à ébullition."): they answer
        # that question only, never a when/what/where one (`_Answering.best`).
        self.verdict_openers = frozenset(c.text for c in cands if ALREADY_SAID.match(c.folded))

    def rarity(self, term: str) -> float:
        """A term's weight; a word no sentence uses (an FAQ question's "repasser") is as rare as can be."""
        if term in self.weight:
            return self.weight[term]
        return self.max_weight if len(term) >= 5 else 0.0

    def specific(self, c: Candidate, terms: Iterable[str]) -> float:
        return sum(self.weight.get(t, 0.0) for t in c.terms & keyset(terms) if t not in self.common)

    def relevance(self, c: Candidate, terms: Iterable[str], related: Iterable[str] = (),
                  hint: Iterable[str] = ()) -> float:
        """Rare shared words count most; words of the same concept and of the section heading count less,
        the rest of the comment (`hint`) least."""
        keyed = keyset(terms)
        return self.relevance_keyed(c, keyed, keyset(related) - keyed, keyset(hint) - keyed)

    def relevance_keyed(self, c: Candidate, terms: frozenset[str], related: frozenset[str],
                        hint: frozenset[str]) -> float:
        """`relevance` with the words already cut to keys (`keyset`), related and hint without the terms:
        computed once per question when every candidate is scored against it."""
        score = self._sum(c.terms & terms)
        score += 0.8 * self._sum(c.terms & related)
        score += 0.5 * self._sum((c.section & (terms | related)) - c.terms)
        score += 0.25 * self._sum(c.terms & hint)
        return score

    def _sum(self, matched: Iterable[str]) -> float:
        """Weights of matched terms, one per word: "refunded" stems to "refund" and "refunded" (the two
        stemmers), which count once, as the more general stem."""
        total, last = 0.0, ""
        best = 0.0
        for t in sorted(matched):
            if last and t.startswith(last):
                best = min(best, self.weight.get(t, 0.0))
                continue
            total += best
            last, best = t, self.weight.get(t, 0.0)
        return total + best

    def score(self, c: Candidate, terms: Iterable[str], related: Iterable[str] = (),
              hint: Iterable[str] = (), meaning: float = 0.0) -> float:
        rel = self.relevance(c, terms, related, hint) + meaning
        prior = KIND_PRIOR.get(c.hit.kind, 0.5) * (1.0 if c.hit.language == self.language else 0.5)
        return rel * prior / (1 + 0.004 * len(c.text))

    def following(self, c: Candidate, want: re.Pattern[str], used: set[str]) -> Candidate | None:
        """The sentence right after `c` in its chunk, if it holds the kind of answer wanted."""
        same = [x for x in self.cands if x.chunk_id == c.chunk_id]
        at = next((i for i, x in enumerate(same) if x.text == c.text), -1)
        if 0 <= at < len(same) - 1 and has_type(want, same[at + 1].folded) and same[at + 1].text not in used:
            return same[at + 1]
        return None

    def preceding(self, c: Candidate) -> Candidate | None:
        """The sentence right before `c` in its chunk."""
        same = [x for x in self.cands if x.chunk_id == c.chunk_id]
        at = next((i for i, x in enumerate(same) if x.text == c.text), 0)
        return same[at - 1] if at > 0 else None

    def best(self, terms: Iterable[str], used: set[str], *, related: Iterable[str] = (), hint: Iterable[str] = (),
             want: re.Pattern[str] | None = None, unknown: bool | None = None, max_chars: int = 10_000,
             minimum: float = MIN_RELEVANCE, strict: bool = False,
             sim: dict[str, float] | None = None, exclude: frozenset[str] = frozenset()) -> Candidate | None:
        """The closest sentence by shared words and, given `sim` (sentence -> closeness in meaning to the
        question), by meaning: either may make it relevant."""
        terms, related, hint = set(terms), set(related), set(hint)
        best, best_score = None, 0.0
        for c in self.cands:
            if c.text in used or c.text in exclude or len(c.text) > max_chars \
                    or (unknown is not None and c.unknown != unknown):
                continue
            if strict and want is not None and not has_type(want, c.folded):
                continue
            if near_duplicate(c, used):
                continue
            meaning = meaning_bonus(sim, c)
            if self.relevance(c, terms, related, hint) < minimum and not (sim and sim.get(c.text, 0.0) >= SIM_RELEVANT):
                continue
            s = self.score(c, terms, related, hint, meaning)
            if want is not None and not has_type(want, c.folded):
                s *= 0.45  # an answer of the wrong kind ("a voucher" for "how much do you refund") only if much closer
            if best is None or s > best_score:
                best, best_score = c, s
        return best


def faq_question(c: Candidate) -> str:
    """The question an FAQ sentence answers: its entry's heading."""
    return c.hit.heading.rsplit(" > ", 1)[-1]


def meaning_bonus(sim: dict[str, float] | None, c: Candidate) -> float:
    """What closeness in meaning adds to a sentence's word-overlap relevance."""
    return SIM_WEIGHT * max(0.0, sim.get(c.text, 0.0) - SIM_FLOOR) if sim else 0.0


def near_duplicate(c: Candidate, used: set[str]) -> bool:
    """The same fact already chosen (fr/en twins, FAQ vs fact sheet)."""
    return any(len(c.terms & text_keys(u)) > 0.7 * max(1, len(c.terms)) for u in used)




# A sentence that only makes sense after the one before it: "No other compensation is planned."
REFERS_BACK = re.compile(r"^(no other|nothing else|aucune? autre|rien d'autre|pas d'autre|other than that|"
                         r"en dehors de cela|beyond that)\b"
                         # "La télécabine est fermée depuis.": since what, the sentence before says
                         r"|\b(since then|ever since|depuis|depuis lors|depuis cette date)\W*$")
# "When will you know?" asks for what is not known yet and when it will be.
KNOW_WHEN = re.compile(r"\b(when (will|do|would|can) (you|we|they) (know|find out|have (the )?results?)|"
                       r"quand (saurez|aurez|saura|connaitrez|connaitra|aura-t-on))")
NEED = re.compile(r"\b(do (i|we) (need|have) to|have to|need to|must (i|we)|faut-il|dois-je|il faut|faut|"
                  r"est-ce que (je|on|nous) (dois|doit|devons)|(je|on) doit|je dois|obligatoire|required)\b")
# "What happened?", "what is actually wrong?", "pourquoi autant ?": words that ask about the incident itself.
_HAPPENED = keyset(analyze("passe happened happen arrive exactement exactly really vraiment actually why pourquoi "
                           "wrong problem probleme souci autant tant many much so"))
NOT_NEEDED = re.compile(r"\b(do(es)? not (need|have) to|don't (need|have) to|no need|not necessary|not needed|"
                        r"inutile|pas besoin|pas necessaire|pas obligatoire|"
                        r"n'(avez|a|est) pas (besoin|a|necessaire))\b")
NEEDLESS = re.compile(r"\b(inutile|unnecessary|needless)\b")
NEED_KEYS = keyset(analyze("need needed besoin inutile necessary necessaire required obligatoire"))
AUTOMATIC = re.compile(r"\b(automatic\w*|automatiquement|nothing to do|aucune demarche|sans demarche)\b")
def says_if_needed(c: Candidate) -> bool:
    return bool(c.terms & NEED_KEYS or AUTOMATIC.search(c.folded) or NEEDLESS.search(c.folded))


REASON = re.compile(r"\b(because|due to|for safety|for security|as a precaution|(?<!the )following|by decision|"
                    r"parce que|en raison|a cause|par securite|par precaution|suite a|sur decision|"
                    r"(?<=, )car|"  # ", car" is "because"; "le car de substitution" is a bus
                    r"caused by|came from|comes from|was the result of|cause[ea]? par|vient d'une?|provient|"
                    r"est due? a)\b")
DATE_WORDS = re.compile(r"\b(date|day|time|hour|deadline|jour|heure|delai|horaire)s?\b")
WHICH = re.compile(r"\b(which|quels?|quelles?|what (products?|batches|lots?|items|sailings|flights|plans|"
                   r"services|areas|regions|models))\b")
# Whether a message, call or link claiming to be the company's is genuine (a scam check).
LEGIT_ASKED = re.compile(r"\b(legit\w*|genuine|real|really (you|from you)|from you|c'?est (vous|bien vous)|"
                         r"(is|was) (that|this|it) (really )?(you|yours)|"
                         r"de votre part|vien(t|nent) (bien )?de vous|je clique|on clique|"
                         r"should i (click|reply|answer|call|pay|send)|do i (click|reply|answer|pay)|"
                         r"dois-je (cliquer|repondre|appeler|payer|envoyer)|je reponds)\b")
NOT_FROM_US = re.compile(r"\b(not (come )?from us|never (ask|call|send|request|contact)\w*|ne (vient|viennent) pas de "
                         r"nous|(ne|n') ?(vous )?(demandera|demanderons|appellera|enverra|contactera)s? jamais|"
                         r"jamais (de|vos|votre))\b")
# "Is it safe?" (not "security guards", "security breach": a job and an incident, not a question of safety).
SAFETY_ASKED = re.compile(r"\b(safe\w*|danger\w*|risk\w*|risque\w*|secure|en securite|sans danger|healthy|"
                          r"harmful)\b")
# Whether something may still be eaten, drunk or used: asked of a listed item, a bare yes or no is ambiguous.
CONSUMPTION_ASKED = re.compile(
    r"\b((still|ok|okay|fine|good|safe) to (eat|drink|use|consume|give)|still (eat|drink|use|fine|good)|"
    r"(can|could|may|should) (i|we|he|she|they|my \w+) (still )?(eat|drink|use|consume|give)|"
    r"edible|mangeable|consommable|potable|buvable|toujours bon\w*|"
    r"(peut|peux|puis|pouvons|peuvent|dois|doit|faut)[- ](on |je |il |elle |nous |ils )?(encore )?"
    r"(le |la |les |l')?(manger|boire|consommer|utiliser|donner)|"
    r"encore (le |la |les |l')?(manger|boire|consommer|utiliser))\b")
_CAUSE = frozenset(analyze("cause caused origin investigation origine enquete"))


# What a sentence allows in so many words: "you can take a shower", "it can be drunk", "vous pouvez".
PERMISSION = re.compile(r"\b((you|we) (can|may)|can (still )?be|vous pouvez|tu peux|on peut|peu(t|vent) etre|"
                        r"(est|sont) autorise\w*|(is|are) allowed)\b")
PHONE = re.compile(r"\+?\d[\d .]{7,}\d")
COUNT_ASKED = re.compile(r"\b(how many|combien (de|d')|nombre de|number of)\b")
PEOPLE_COUNTED = re.compile(r"\b(how many|combien (de|d')|nombre de|number of) (\w+ )?(people|persons|personnes|gens|"
                            r"customers|clients|users|usagers|passengers|passagers|candidates|candidats|patients|"
                            r"residents|households|foyers|members|membres|subscribers|abonnes|accounts|comptes|"
                            r"victims|victimes)\b")
_COUNTED = re.compile(r"\b(?:how many|combien (?:de |d')|nombre de |number of )\s*([a-z]{3,})")


def counted_noun(folded: str) -> re.Pattern[str] | None:
    """What "how many <things>" asks the number of, as a pattern for "<a number> <things>" ("41,600 tins",
    "41 600 boîtes", "1,200 of the tins"); None when the count is of nothing named."""
    m = _COUNTED.search(folded)
    if m is None or m.group(1) in _NOT_COUNTED:
        return None
    stem = m.group(1)[:max(3, len(m.group(1)) - 2)]  # "boites" and "boite", "tins" and "tin"
    # "800 g tins" is a size, not a count
    return re.compile(rf"\b\d[\d ,.]*\d?\s+(?!(?:g|kg|mg|ml|cl|l|cm|mm|m|km|h|min|%)\b)(?:\w+\s+){{0,2}}"
                      rf"{re.escape(stem)}\w*")


_NOT_COUNTED = frozenset(("are", "is", "were", "was", "have", "has", "of", "times", "fois", "temps", "time"))
PHONE_ASKED = re.compile(r"\b(phone|number|call|hotline|numero|telephone|appeler|tel)\b")
PRESS_ASKED = re.compile(r"\b(press|presse|media|medias|journalist\w*)\b")


ANYONE_ASKED = re.compile(r"\b(anyone|anybody|someone|somebody|any (people|one|child|children|workers?|staff|"
                          r"employees?|passengers?|patients?)|quelqu'un|des (blesses|morts|victimes|malades))\b")
NOBODY_SAID = re.compile(r"\b(no one|nobody|no (child|children|person|people|worker|employee|passenger|patient)s?|"
                         r"personne n|aucune? (personne|enfant|blesse|victime|salarie|passager|patient)\w*)\b")
_OWN_VERDICT = re.compile(r"(yes|no|oui|non)\s*[:,.!;]\s*(?=\w)", re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"\b(?:this|that|these|those|ce|cet|cette|ces)\s+([a-zà-ÿ]{4,})")


# "It is one of the questions of the investigation.", "C'est l'une des questions ...": the subject is what the
# sentence before said (not an impersonal "it is possible to ...", "il est conseillé de ...").
_POINTS_BACK = re.compile(r"^(it|this|that|c'est|cela|ceci) (is|was|will be|remains|est|sera|reste) "
                          r"(one|part|l'une?|un des|une des|partie|among|parmi|the subject|l'objet)\b")


def refers_to(c: Candidate, before: Candidate) -> bool:
    """Whether `c` points back at `before`: with a demonstrative ("this report", "ce rapport") naming what
    `before` talks about, or as its subject ("It is one of the questions of the investigation")."""
    if _POINTS_BACK.match(c.folded) and before.hit.chunk_id == c.hit.chunk_id:
        return True
    nouns = {n for n in _DEMONSTRATIVE.findall(c.folded)}
    return bool(nouns) and bool(keyset(analyze(" ".join(nouns))) & before.terms)


class _Answering:
    """One question being answered: what is already used, and how to pick the next sentence."""

    def __init__(self, q: Question, picker: Picker, used: set[str], language: str, hint: Iterable[str],
                 max_chars: int, sim: dict[str, float] | None = None) -> None:
        self.q, self.picker, self.used, self.language, self.max_chars = q, picker, used, language, max_chars
        self.sim = sim
        self.terms, self.related = set(q.terms), set(q.related)
        self.hint = (set(hint) | q.context) - self.terms
        self.ans = Answer(q)

    def take(self, c: Candidate, text: str | None = None) -> None:
        before = self.picker.preceding(c)
        if before is not None and before.text not in self.used and refers_to(c, before) \
                and len(before.text) + len(c.text) <= self.max_chars:
            # "Nous ne donnerons une date qu'après ce rapport.": which report, the sentence before says.
            self.used.add(before.text)
            self.ans.used.append(before)
            self.ans.sentences.append((before.text, [before.chunk_id]))
        if text is None and self.q.kind not in ("yes_no", "can", "item") and (m := _OWN_VERDICT.match(c.text)):
            # "Yes: each refund comes with a €5 voucher." answers its FAQ's yes-or-no question, not "how do I get
            # refunded?": the fact without the yes.
            text = c.text[m.end():][:1].upper() + c.text[m.end():][1:]
        self.used.add(c.text)
        self.ans.used.append(c)
        self.ans.sentences.append((text or c.text, [c.chunk_id]))

    def best(self, terms: set[str] | None = None, **kw: Any) -> Candidate | None:
        if self.q.kind not in ("yes_no", "can", "item"):
            # "Oui, si l'eau arrive à ébullition." answers its FAQ's own yes/no question, never a "when".
            kw.setdefault("exclude", self.picker.verdict_openers)
        return self.picker.best(self.terms if terms is None else terms, self.used, related=self.related,
                                hint=self.hint, max_chars=self.max_chars, sim=self.sim, **kw)

    def relevance(self, c: Candidate) -> float:
        return self.picker.relevance(c, self.terms, self.related) + meaning_bonus(self.sim, c)

    def items(self) -> Answer:
        q, picker, language = self.q, self.picker, self.language
        same = [c for c in picker.cands if c.hit.language == language] or picker.cands
        common = frozenset(picker.common)
        in_scope = False
        for item in q.items[:2]:
            found = item_verdict(item, q, same, common) or item_verdict(item, q, picker.cands, common)
            if found is None:
                continue
            verdict, c, how = found
            # A yes about being in scope calls for what to do next, and so does a no to "is it still on?" (it is
            # postponed: "we call you by 11 December"); a yes to "can I drink it?" does not.
            in_scope = in_scope or (verdict == ("no" if q.asks_ok else "yes") and (
                how != "named" or bool(SCOPE_WORDS.search(asked_part(c, q.terms)))))
            if how == "absent":
                # "No, L4835 is not on the list." then the list itself, both cited to it. Asked whether
                # it still runs, an item missing from the cancellations is only said to be missing.
                verdict = "" if q.asks_ok else verdict
                key = "not_listed" if verdict else "not_listed_plain"
                self.ans.sentences.append((phrase(language, key, item=item), [c.chunk_id]))
                if c.text not in self.used:
                    self.take(c)
            elif how == "rule" and not q.asks_ok:
                # "Yes, CX4821557 is on the list." then the range or prefixes that cover it.
                key = "listed" if verdict == "yes" else "not_listed"
                self.ans.sentences.append((phrase(language, key, item=item), [c.chunk_id]))
                if c.text not in self.used:
                    self.take(c)
            elif EITHER.search(q.folded):
                # "My op on 7 December - off or on?": no yes or no answers that, the sentence does.
                verdict = ""
                if c.text not in self.used:
                    self.take(c)
            elif q.in_passing and verdict in ("yes", "no"):
                # Named in passing ("I bought 3 boxes of L4822, do I get 3 refunds?"): the yes or no names the
                # item, so it is never read as the answer to what was asked ("Yes: only batches ... affected").
                self.ans.sentences.append((phrase(language, "listed" if verdict == "yes" else "not_listed",
                                                  item=item), [c.chunk_id]))
                if verdict == "yes":  # the list adds nothing to a yes; it says what is in it to a no
                    self.used.add(c.text)
                    self.ans.used.append(c)
                elif c.text not in self.used:
                    self.take(c)
            elif c.text not in self.used:
                against = self.said_against(c) if verdict == "yes" and how == "named" else None
                if against is not None:  # "le crédit de 10 €, en argent ?" - "It cannot be exchanged for money."
                    verdict = ""
                    self.take(c)
                    self.take(against)
                else:
                    self.take(c, verdict_sentence(language, verdict, c))
            self.ans.verdict = self.ans.verdict or verdict or None
        if SAFETY_ASKED.search(q.folded) or (CONSUMPTION_ASKED.search(q.folded)
                                             and not any(PERMISSION.search(c.folded) for c in self.ans.used)):
            # Never a "yes" (or a "no") to "is it safe?"; none to "can I still eat my L4821 granola?" unless the
            # knowledge says so in as many words ("tap water there can be drunk"): "Yes: only batches L4821 and
            # L4822 are affected" would read as "yes, eat it". The sentences say what is known.
            self.ans.verdict = None
            self.ans.sentences = [(c.text, [c.chunk_id]) for c in self.ans.used] or self.ans.sentences[:0]
        if in_scope:
            # In scope: what to do about it comes right after the yes, about what the answer said ("postponed":
            # "every patient whose appointment is postponed is called by 11 December").
            disrupted = q.asks_ok or EITHER.search(q.folded)  # "is it still on?" - "it is postponed"
            step = next_action(picker, q, self.used, self.max_chars,
                               said={t for c in self.ans.used for t in c.terms} if disrupted else ())
            if step is not None:
                self.take(step)
        return self.ans

    def faq(self) -> Answer | None:
        """The answer of the FAQ entry asking what `q` asks ("Est-ce que je dois repasser l'examen ?" -
        "Dois-je repasser le test ? Non. Les résultats sont corrigés automatiquement."): its question shares
        most of its specific words with the comment's; its opening yes or no is the verdict."""
        q, picker = self.q, self.picker
        keys = keyset(q.terms)
        best, best_weight, covers = None, 0.0, False
        seen: set[str] = set()
        asking = keyset(q.terms) - picker.common
        for c in picker.cands:
            if c.hit.kind != "faq" or c.chunk_id in seen:
                continue
            seen.add(c.chunk_id)  # the entry's first sentence is its answer
            if c.text in self.used or c.unknown or len(c.text) > self.max_chars:
                continue
            asked = keyset(question_terms(faq_question(c))) - picker.common
            shared = sum(picker.rarity(t) for t in asked & keys)
            if shared >= MIN_RELEVANCE and shared >= FAQ_COVER * sum(picker.rarity(t) for t in asked) \
                    and shared > best_weight:
                # Its yes or no is ours only when it asks most of what we ask: "Do I need a receipt? No." is no
                # answer to "do you refund the box if I lost the receipt?".
                best, best_weight = c, shared
                covers = shared >= FAQ_COVER * sum(picker.rarity(t) for t in asking) \
                    or (self.sim or {}).get(faq_question(c), 0.0) >= FAQ_SIM  # or says it in other words
        if best is None:
            best, covers = self._faq_by_meaning(), True
        if best is None:
            return None
        said = FAQ_VERDICT.match(fold(best.hit.text))
        if said and covers and q.kind in ("can", "yes_no") and not SAFETY_ASKED.search(q.folded) \
                and not MASKED.search(q.text):
            self.ans.verdict = "no" if said.group(1) in ("no", "non") else "yes"
            self.take(best, verdict_sentence(self.language, self.ans.verdict, best))
        elif self.denies(best):
            # "mon mdp a fuité ?" - "... les mots de passe ne sont pas concernés": an entry with no yes or no of
            # its own that denies what was asked is a no.
            self.ans.verdict = "no"
            self.take(best, verdict_sentence(self.language, "no", best))
        else:
            self.take(best)
        # The entry's next sentence belongs to its answer ("Affected customers get 12 months of monitoring.
        # No other compensation is planned.").
        nxt = picker.following(best, _ANY, self.used)
        if nxt is not None and len(nxt.text) <= self.max_chars and not near_duplicate(nxt, self.used):
            self.take(nxt)
        return self.ans

    def _faq_by_meaning(self) -> Candidate | None:
        """The FAQ entry whose question says what `q` asks in other words ("bring" for "take"): close in
        meaning, clearly closer than any other entry, and sharing a specific word with it."""
        if not self.sim:
            return None
        entries: dict[str, Candidate] = {}
        for c in self.picker.cands:
            if c.hit.kind == "faq":
                entries.setdefault(faq_question(c), c)  # an entry's first sentence is its answer
        ranked = sorted(((self.sim.get(h, 0.0), h) for h in entries), reverse=True)
        if not ranked or ranked[0][0] < FAQ_SIM or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] < FAQ_SIM_MARGIN):
            return None
        best = entries[ranked[0][1]]
        keys = keyset(self.q.terms)
        shared = keyset(question_terms(ranked[0][1])) & keys - self.picker.common
        if not shared or best.text in self.used or best.unknown or len(best.text) > self.max_chars:
            return None
        return best

    def unknown(self) -> Answer:
        """What we don't know yet about it, then when we expect to know."""
        terms = self.terms | (_CAUSE if self.q.kind == "why" else set())  # "why did it break?" is the cause
        c = self.best(terms, unknown=True, minimum=0.5)
        if c is not None:
            self.take(c)
            self._expected_date(c, terms)
        return self.ans

    def _expected_date(self, c: Candidate, terms: set[str]) -> None:
        # The fact sheet says when it expects to know right after what it does not know; else a date it
        # expects elsewhere ("results expected by 11 December"), else when the next update comes (the
        # date of the fire is no answer to "when will it reopen?").
        when = ANSWER_TYPES["when"]
        two = expected_after(self.picker, c, self.used)
        if two:
            for x in two:
                self.take(x)
            return
        nxt = self.picker.following(c, when, self.used) or self.best(terms | c.terms, want=when, minimum=0.5,
                                                                     strict=True)
        if nxt is not None and not EXPECTED.search(nxt.folded):
            nxt = next_update(self.picker, self.used, self.max_chars)
        if nxt is not None:
            self.take(nxt)

    def typed(self) -> Answer:
        q, picker = self.q, self.picker
        if q.kind not in ("item", "when", "how_much") and LEGIT_ASKED.search(q.folded) and not MASKED.search(q.text):
            # "I got a text asking for my codes, is it you? should I click?": the knowledge's "these messages
            # do not come from us" / "we will never ask" is a no.
            c = self.best(want=NOT_FROM_US, strict=True, minimum=0.0)
            if c is not None and not c.unknown:
                self.ans.verdict = "no"
                self.take(c, verdict_sentence(self.language, "no", c))
                return self.ans
        want = ANSWER_TYPES.get(q.kind)
        if MONEY_WORDS.search(q.folded) and q.kind in ("how_much", "what", "yes_no"):  # "a compensation or nothing?"
            want = MONEY
        elif q.kind == "what" and DATE_WORDS.search(q.folded):
            want = ANSWER_TYPES["when"]  # "what's the best before date?"
        elif q.kind in ("what", "yes_no") and SCOPE_WORDS.search(q.folded) and WHICH.search(q.folded):
            want = SCOPE_LIST
        elif q.kind == "how_much" and COUNT_ASKED.search(q.folded) and not MONEY_WORDS.search(q.folded):
            # "How many people got the wrong score?": the count of those affected ("About 2,350 candidates are
            # affected"), worded however the knowledge words it.
            c = self.best(want=COUNT_AFFECTED, strict=True, minimum=0.0) if PEOPLE_COUNTED.search(q.folded) else None
            if c is None and (counted := counted_noun(q.folded)) is not None:
                # "How many tins carry the wrong table?", "combien de boîtes en tout ?": a number of the thing
                # counted ("41,600 tins of ... are concerned"), not any sentence with a number in it.
                c = self.best(want=counted, strict=True, minimum=0.0)
                if c is not None:
                    self.take(c)
                    self.second()  # "... and was it a cyber attack?": a second answer as close in meaning
                    return self.ans
            if c is not None:
                self.take(c)
                return self.ans
        elif q.kind == "contact" and PHONE_ASKED.search(q.folded):
            want = PHONE  # "un numéro pour vous joindre ?" is a phone number, not an e-mail address
        # The kind of answer asked for first (a date for "when"); then the closest sentence of any kind.
        # "What's the number?" needs no shared word: a phone number is the answer. The press office's
        # contact answers journalists only.
        exclude = frozenset() if q.kind != "contact" or PRESS_ASKED.search(q.folded) else frozenset(
            c.text for c in picker.cands if PRESS_ASKED.search(c.folded))
        # "Who runs the investigation?": a sentence naming a firm or an authority needs to share less with it.
        minimum = 0.0 if q.kind == "contact" else MIN_RELEVANCE / 2 if q.kind == "who" else MIN_RELEVANCE
        if want is ANSWER_TYPES["when"] and FUTURE.search(q.folded):
            # "When will we know?" is answered by a date to come ("expected by 18 December"), not by the day
            # something happened, when the knowledge has one.
            future = exclude | frozenset(c.text for c in picker.cands if not EXPECTED.search(c.folded))
            c = self.best(want=want, strict=True, minimum=minimum, exclude=future)
            # "Who runs the investigation, and when will we know the results?": the date expected right
            # after what this reply already says ("An investigation by the firm Altessa is under way.").
            after = None if c is not None else next(
                (a for u in picker.cands if u.text in self.used
                 if (a := picker.following(u, want, self.used)) is not None and EXPECTED.search(a.folded)), None)
            if after is not None:
                self.take(after)
                return self.ans
        else:
            c = None
        c = c or (self.best(want=want, strict=True, minimum=minimum, exclude=exclude) if want is not None else None)
        if c is None and want is MONEY:
            # "What do we get for this mess?", "un dédommagement ou rien ?": the amount of the compensation,
            # however the knowledge names it ("a flat compensation of €60", "un bon de 50 €").
            c = self.best(self.terms | COMPENSATION_TERMS, want=MONEY, strict=True, minimum=minimum, exclude=exclude)
        if want is not None and want in (ANSWER_TYPES["when"], ANSWER_TYPES["how_much"], MONEY):
            # "When will the investigation end?" - "An investigation is led by X." "We expect its conclusions
            # by 11 December.": the closest sentence lacks the date, the one right after it holds it.
            anchor = self.best(want=None)
            after = picker.following(anchor, want, self.used) if anchor is not None \
                and not has_type(want, anchor.folded) else None
            if anchor is not None and after is not None and (c is None or self.relevance(anchor) > self.relevance(c)):
                self.take(anchor)
                self.take(after)
                return self.ans
        c = c or self.best(want=want)
        if NEED.search(q.folded) and c is not None and not says_if_needed(c):
            # "Faut-il faire une demande pour l'avoir ?" - "Aucune demande n'est nécessaire.": the sentence that
            # says whether it is needed answers, before the one that only says what the credit is.
            needed = self.best(exclude=frozenset(x.text for x in picker.cands if not says_if_needed(x)))
            if needed is not None and not needed.unknown:
                c = needed
        if c is None and q.context:
            # "My mobile doesn't work either, is it related?": the subject is in the rest of the sentence.
            c = picker.best(self.terms | q.context, self.used, related=self.related, max_chars=self.max_chars,
                            minimum=MIN_RELEVANCE * 1.5, sim=self.sim)
        if want is not None:
            # "How long until it is fixed?": a "not known yet" sentence closer to the question than any
            # sentence of the kind asked for answers it honestly (with the date it is expected by). Asked
            # when something comes ("when are the snapshots coming back?"), the day it stopped is no answer:
            # what is not known about it is.
            u = self.best(unknown=True)
            passed = want is ANSWER_TYPES["when"] and c is not None and asks_ahead(q) \
                and not EXPECTED.search(c.folded)
            if u is not None and self.relevance(u) >= MIN_RELEVANCE and (
                    c is None or (not has_type(want, c.folded) and self.relevance(u) > self.relevance(c))
                    or self.relevance(u) > UNKNOWN_CLOSER * self.relevance(c)
                    or (passed and self.relevance(u) >= self.relevance(c) / UNKNOWN_CLOSER)):
                return self.unknown()
        if c is None:
            return self.ans
        before = picker.preceding(c) if REFERS_BACK.search(c.folded) else None
        if before is not None and before.text not in self.used and not near_duplicate(before, self.used):
            # "No other compensation is planned" says what there is in the sentence before it: that first,
            # and no yes or no drawn from the "no other".
            self.take(before)
            self.take(c)
            return self.ans
        # "Do I need to call?" - "...is called by phone by 11 December: there is no need to call us": the part
        # that says whether it is needed answers.
        part = asked_part(c, self.terms | self.related)
        if NEED.search(q.folded):
            part = next((p for p in parts_of(c) if text_keys(p) & NEED_KEYS), part)
        if q.kind == "can" and not c.unknown and picker.specific(c, self.terms | self.related) >= MIN_RELEVANCE \
                and (not SAFETY_ASKED.search(q.folded) or PERMISSION.search(part) or IMPERATIVE.match(part)) \
                and not self.unpaid_yes(c, part):
            # Only a sentence about what was asked ("a receipt", "return the box") says yes or no to it, by
            # the part of it about what was asked ("other sectors are not affected: tap water there can be
            # drunk" is a yes to "can I drink it?"); "do I have to claim it?" - "it is applied automatically"
            # is a no. Asked whether something is safe, only an explicit "you can" or "do not" says so.
            negative = NEGATION.search(part) or DENIED.search(part) or (
                NEED.search(q.folded) and (AUTOMATIC.search(c.folded) or NEEDLESS.search(part)))
            against = None if negative else self.said_against(c)
            if negative and not NEED.search(q.folded) and NOT_NEEDED.search(part):
                # "Can I return it to the shop?" - "You do not need to return the box": no "no" to a "may I".
                self.take(c)
            elif against is not None:
                # "le crédit de 10 €, je peux le récupérer en argent ?" - "Each user gets a €10 credit." is no
                # yes when "It cannot be exchanged for money." says no to what the first leaves out.
                self.take(c)
                self.take(against)
            else:
                self.ans.verdict = "no" if negative else "yes"
                self.take(c, verdict_sentence(self.language, self.ans.verdict, c))
        elif self.denies(c):
            self.ans.verdict = "no"
            self.take(c, verdict_sentence(self.language, "no", c))
        else:
            self.take(c)
        if c.unknown:
            self._expected_date(c, self.terms)
        if want is MONEY and has_type(MONEY, c.folded):
            # Amounts come in tiers ("€10 over 4 hours, €20 over 24"): the other amounts of the same
            # section, in the order the policy lists them.
            other = next((o for o in picker.cands if o.hit.chunk_id == c.hit.chunk_id and o.text not in self.used
                          and has_type(MONEY, o.folded) and len(o.text) <= self.max_chars
                          and not near_duplicate(o, self.used)), None)
            if other is not None:
                self.take(other)
        if len(self.ans.sentences) == 1:
            self.second()
        return self.ans

    def unpaid_yes(self, c: Candidate, part: str) -> bool:
        """Whether a yes would promise money the sentence does not speak of: "Will you pay the doctor bill?" -
        "If your child has symptoms, consult a doctor" shares "doctor", and "Yes:" there would be a promise."""
        return bool(MONEY_WORDS.search(self.q.folded)) and not (MONEY_WORDS.search(c.folded) or MONEY.search(c.text)
                                                                 or NEGATION.search(part) or DENIED.search(part))

    def denies(self, c: Candidate) -> bool:
        """Whether `c` answers a yes-or-no question with a no. "Were my bank details stolen?" - "Bank details
        are not affected.": a sentence about what was asked that says it is not so is a no (never a yes: a
        sentence that does not deny is no yes); so is one that says the opposite ("is the store closing?" -
        "the store stays open"). A claim is denied in words of the same concept ("3 workers died, is that
        true?" - "Nobody was injured.")."""
        q = self.q
        negated = NEGATION.search(c.folded) is not None
        # words of the same concept only with a "no" said in so many words: "opening hours" is no denial of
        # "the factory is closed"
        # ... and so is a "no one" to an "anyone" ("was anyone hurt?" - "No one was injured."): the same subject
        # ... and so is a word of the same concept the sentence itself negates ("were you hacked?" - "It was not an
        # attack")
        about = self.terms | (self.related if negated and (q.claim or (ANYONE_ASKED.search(q.folded)
                                                                        and NOBODY_SAID.search(c.folded))
                                                           or negates_word(c.folded, keyset(self.related) & _EVENTS))
                              else set())
        return q.kind == "yes_no" and not c.unknown and (negated or says_opposite(q, c)) \
            and not IMPERATIVE.match(c.folded) and not MASKED.search(q.text) \
            and not NEGATION.search(OR_NOT.sub(" ", q.folded)) and not SAFETY_ASKED.search(q.folded) \
            and self.picker.specific(c, about) >= MIN_RELEVANCE and not re.match(r"(no|non)\b", c.folded)

    def said_against(self, c: Candidate) -> Candidate | None:
        """A sentence that says no about a word of the question `c` does not say ("money" in "can I get the
        credit as money?" against "each user gets a €10 credit"): then `c` is no yes."""
        # Whether it is affected is what the lists answer ("other départements are not affected" says nothing
        # against "the 33 is"): words of scope are not what a no would be about.
        asked = frozenset(t for t in keyset(self.q.terms) - self.picker.common - c.terms - keyset(SCOPE_TERMS)
                          if not t.isdigit())  # "1) la Home 360 est concernée ?": a number is no predicate
        if not asked:
            return None
        return next((x for x in self.picker.cands
                     if x is not c and x.text not in self.used and not x.unknown and len(x.text) <= self.max_chars
                     and (NEGATION.search(x.folded) or DENIED.search(x.folded)) and x.terms & asked
                     and self.picker.specific(x, asked) >= MIN_RELEVANCE), None)

    def unsure(self) -> Answer:
        """No yes where the knowledge says, about what was asked at least as closely, that it is not
        known yet: "Did my Sorel Drive order from Monday earn points?" - "Yes: every euro spent on Sorel Drive
        earns 1 point." contradicts "We do not know yet whether Sorel Drive orders placed between 28 November
        and 2 December earned their points.". The sentences stay, without the yes; what is not known follows,
        with when it is expected."""
        ans = self.ans
        if ans.verdict != "yes" or not ans.used or len(ans.used) != len(ans.sentences):
            return ans
        u = self.best(unknown=True)
        if u is None or self.relevance(u) < max(MIN_RELEVANCE, max(self.relevance(c) for c in ans.used)):
            return ans
        ans.verdict = None
        ans.sentences = [(c.text, [c.chunk_id]) for c in ans.used]
        self.take(u)
        self._expected_date(u, self.terms)
        return ans

    def second(self) -> None:
        """A second sentence as close in meaning to the question as the first ("valid 12 months" after
        "a €40 voucher", "on receipts" after "hotel up to €120"): answers often take two facts."""
        if not self.sim:
            return
        top = max(self.sim.get(c.text, 0.0) for c in self.ans.used)
        best, best_sim = None, max(SIM_SECOND, top - SIM_MARGIN)
        for c in self.picker.cands:
            s = self.sim.get(c.text, 0.0)
            if s < best_sim or c.text in self.used or len(c.text) > self.max_chars \
                    or c.hit.language != self.language or near_duplicate(c, self.used):
                continue
            best, best_sim = c, s
        if best is not None:
            self.take(best)


# Events a sentence can deny in other words (hurt, hacked, destroyed, sick): not the broad groups, where "will not
# resume" would deny "are you paying me back?" and "ne sont pas concernés" "c'est un employé qui a fait le coup ?".
_EVENTS = keyset(frozenset().union(*(related_terms(frozenset(analyze(w))) | frozenset(analyze(w))
                                     for w in ("hurt", "hacked", "destroyed", "sick"))))
_NOT_WORDS = frozenset(("not", "no", "never", "none", "pas", "aucun", "aucune", "ni", "jamais"))


def negates_word(folded: str, keys: frozenset[str]) -> bool:
    """Whether a negation stands right before a word of `keys` (within three words): "not an attack", "pas
    une cyberattaque", not "no data was taken in the attack"."""
    words = re.findall(r"[a-z0-9]+", folded)
    return any(w[:5] in keys and _NOT_WORDS & set(words[max(0, i - 3):i]) for i, w in enumerate(words))


def expected_after(picker: Picker, c: Candidate, used: set[str]) -> list[Candidate]:
    """The date expected for what `c` says is not known yet, when the knowledge gives it within the next
    two sentences ("We do not know yet whether the data were copied. An investigation is carried out by
    X. We expect its conclusions by 11 December."): [the date] or [the sentence between, the date]."""
    when = ANSWER_TYPES["when"]
    nxt = picker.following(c, _ANY, used)
    if nxt is None:
        return []
    if has_type(when, nxt.folded):
        return [nxt] if EXPECTED.search(nxt.folded) else []
    later = picker.following(nxt, when, used)
    return [nxt, later] if later is not None and EXPECTED.search(later.folded) else []


def answer_question(q: Question, picker: Picker, used: set[str], *, language: str, hint: Iterable[str] = (),
                    max_chars: int = 10_000, sim: dict[str, float] | None = None) -> Answer:
    """The sentences that answer `q`, best first (sentences chosen are added to `used`); an empty
    Answer when the knowledge has none. `sim` (sentence -> closeness in meaning to the question, see
    meaning.py) lets a sentence worded unlike the question answer it."""
    a = _Answering(q, picker, used, language, hint, max_chars, sim)
    if q.kind in ("yes_no", "item") and SCOPE_WORDS.search(q.folded) and not q.asks_ok \
            and not any(ch.isdigit() for i in q.items for ch in i) and (w := window_verdict(q.folded, picker.cands)):
        # "I booked for 10-12 March, is that one affected?" - "Stays ... after 28 February 2027 are not concerned."
        verdict, c = w
        if c.text not in used and len(c.text) <= max_chars:
            a.ans.verdict = verdict
            a.take(c, verdict_sentence(language, verdict, c))
            return a.ans
    if q.kind == "item":
        a.items()
        return a.unsure()
    if q.kind == "why":
        # A reason the knowledge states ("by decision of the prefecture") before "we don't know yet".
        r = a.best(want=REASON, strict=True, unknown=False)
        if r is not None and a.relevance(r) >= MIN_RELEVANCE:
            a.take(r)
            return a.ans
        if not keyset(q.terms) - picker.common - _HAPPENED:
            # "Qu'est-ce qui s'est passé exactement ?" asks about the incident itself: the fact sheet's reason.
            r = next((c for c in sorted(picker.cands, key=lambda c: -KIND_PRIOR.get(c.hit.kind, 0.5))
                      if c.hit.kind == "fact_sheet" and c.hit.language == a.language and not c.unknown
                      and c.text not in used and len(c.text) <= max_chars and has_type(REASON, c.folded)), None)
            if r is not None:
                a.take(r)
                return a.ans
            # No sentence says "because": "we do not know yet what caused it" if the knowledge says so, else
            # the fact sheet's account of what happened.
            if any(c.unknown and CAUSE_WORDS.search(c.folded) for c in picker.cands):
                return a.unknown()
            story = [c for c in picker.cands if c.hit.kind == "fact_sheet" and c.hit.language == a.language
                     and HAPPENED_HEADINGS.search(fold(c.hit.heading)) and not c.unknown and c.text not in used
                     and len(c.text) <= max_chars]
            if story:
                for c in story[:STORY_SENTENCES]:
                    a.take(c)
                return a.ans
        return a.unknown()
    if q.kind in ("can", "yes_no", "what", "how") and a.faq() is not None:
        return a.unsure()
    if q.kind == "when" and KNOW_WHEN.search(q.folded):
        # "When will we know the results?": what is not known yet and when; else the date results are expected.
        ans = a.unknown()
        if ans.found:
            return ans
    a.typed()
    return a.unsure()


CAUSE_WORDS = re.compile(r"\b(caus\w*|origin\w*|why|pourquoi|reasons?|raisons?)\b")
STORY_SENTENCES = 2  # of the fact sheet's account of what happened, for a "why?" no "because" answers


# "Off or on?", "maintenu ou annulé ?": a choice between two states, not a yes or no.
EITHER = re.compile(r"\b(on or off|off or on|maintenu\w* ou annule\w*|annule\w* ou maintenu\w*|"
                    r"cancel\w* or (not|still on)|still on or (not|cancel\w*))\b")
ACTION_HEADINGS = re.compile(r"(should do|what to do|what you can do|que faire|conseils?|advice|what customers|"
                             r"passengers|customers on|clients|vos droits|your rights|a faire|recommand)")
ACTION_BONUS = 0.5
CONDITION = re.compile(r"^(if|si)\b")
# "... dans la nature ou pas ?" asks yes or no: its "pas" negates nothing.
OR_NOT = re.compile(r"\b(or not|ou pas|ou non)\b")
ACTION_START = re.compile(r"^(if|si|you can|vous pouvez|take|prenez|claim|call|appelez|please|merci de)\b")


def next_action(picker: Picker, q: Question, used: set[str], max_chars: int = 10_000,
                said: Collection[str] = ()) -> Candidate | None:
    """What someone in scope should do next: a sentence of an advice section, closest to the question.
    Told that what they asked about is not going ahead, what the answer `said` (its sentences' terms)
    counts too, and so does the fact sheet's own section about it."""
    terms = set(q.terms) | {t for item in q.items for t in analyze(item)} | set(said)
    # What happens next to what is not going ahead is often written right by it ("## What is postponed").
    beside = {c.hit.chunk_id for c in picker.cands if c.text in used} if said else set()
    best, best_score = None, 0.0
    for c in picker.cands:
        if c.text in used or len(c.text) > max_chars or c.unknown or c.hit.language != picker.language:
            continue
        # "If yours is not on the list ..." is for the others ("...: there is no need to call us" is not);
        # "Yes, if ..." answers an FAQ question, not this one.
        if NEGATION.search(re.split(r"[:;]", c.folded)[0]) or ALREADY_SAID.match(c.folded):
            continue
        if not (ACTION_HEADINGS.search(fold(c.hit.heading)) or ACTION_START.match(c.folded)
                or (c.hit.chunk_id in beside and c.hit.kind == "fact_sheet")):
            continue
        if near_duplicate(c, used):
            continue
        # "If you see signs, call your vet" is for some of them: an instruction counts, a condition does not.
        # The fact sheet's first instruction ("Stop feeding the food.") is for everyone too.
        opener = c.hit.kind == "fact_sheet" and ACTION_HEADINGS.search(fold(c.hit.heading)) \
            and picker.preceding(c) is None
        instruction = ACTION_START.match(c.folded) and not CONDITION.match(c.folded)
        s = picker.score(c, terms) + (ACTION_BONUS if opener or instruction else 0.0)
        if s > best_score:
            best, best_score = c, s
    return best


def next_update(picker: Picker, used: set[str], max_chars: int = 10_000) -> Candidate | None:
    """The sentence saying when the next update comes, if the knowledge has one."""
    for c in sorted(picker.cands, key=lambda c: -KIND_PRIOR.get(c.hit.kind, 0.5)):
        if c.text not in used and NEXT_UPDATE.search(c.folded) and ANSWER_TYPES["when"].search(c.folded) \
                and len(c.text) <= max_chars and c.hit.language == picker.language:
            return c
    return None


def plan_answers(text: str, hits: Iterable[SearchHit], language: str, *,
                 max_questions: int = 3) -> list[Answer]:
    """The questions of `text` and the knowledge sentences that answer each, in the order asked (for a
    model's prompt, or any caller that wants the answers without the composer's reply shape)."""
    cands = candidates(hits, language)
    picker = Picker(cands, language)
    used: set[str] = set()
    questions = find_questions(text, known_items(cands, text))[:max_questions]
    sims = similarities([q.text for q in questions], text, [c.text for c in cands])
    return [answer_question(q, picker, used, language=language, sim=sim)
            for q, sim in zip(questions, sims, strict=True)]


def format_plan(plan: list[Answer]) -> tuple[str, str]:
    """(questions, candidate answers) as prompt lines; a question nothing answers says so."""
    questions = "\n".join(f"{i}. ({a.question.kind}) {a.question.text}" for i, a in enumerate(plan, 1)) or "(none)"
    lines = []
    for i, a in enumerate(plan, 1):
        if not a.found:
            lines.append(f"{i}. no source answers this: say it is not known yet")
        for text, ids in a.sentences:
            lines.append(f"{i}. [{', '.join(ids)}] {text}")
    return questions, "\n".join(lines) or "(none)"
