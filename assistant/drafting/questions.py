"""Find what a comment asks: its questions, the kind of answer each needs, and the items it names.

"Is lot L4835 concerned?" asks for a verdict on an item; "when will you know?" for a date; "how
much is the voucher?" for an amount; "where is the form?" for a place or a link; "can I ...?" for a
yes or no. The offline composer answers by kind (see answers.py) and public updates reuse the same
detection. French and English. Imports: the text layer only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from assistant.text import analyze, fold
from assistant.triage.lexicon import EMBEDDED_QUESTION, SPOKEN_QUESTION

QuestionKind = Literal["item", "why", "when", "how_much", "contact", "where", "can", "how", "who", "what", "yes_no"]

# An identifier someone copies from a package, a ticket or a booking: letters then digits (L4835, NV110).
IDENTIFIER = re.compile(r"\b[A-Z]{1,4}-?\d{2,6}\b")
_CLAUSE = re.compile(r"(?<=[?!.;])\s+|\n+|(?<=\?)(?=\S)")
_OPENERS = (
    r"(is|are|was|were|do|does|did|can|could|will|would|should|shall|may|must|has|have|had|any|when|where|"
    r"how|what|which|who|whom|whose|why|est-ce|quand|ou|comment|combien|pourquoi|quel|quels|quelle|quelles|qui|"
    r"faut-il|dois-je|puis-je|peut-on|peut-il|peuvent-ils|y a-t-il|vais-je|aurai-je|avez-vous|allez-vous|"
    r"pouvez-vous|sommes-nous|suis-je|"
    # as typed on a phone: no apostrophe, no question mark ("whats the number and are you open sunday")
    r"whats|wheres|whos|hows|whens|whys|isnt|arent|doesnt|didnt|wasnt|c'est quoi|cest quoi|c quoi|qu'est-ce)\b"
)
_FILLER = r"^(?:(?:and|also|so|ok|okay|but|et|alors|sinon|bon|au fait|et sinon|mais|then|du coup)[, ]+)*"
_OPENER = re.compile(_FILLER + _OPENERS)
# "il a cramé ou quoi", "can I drink it or not": a yes/no question typed without its question mark.
_OR_NOT = r"or not|or what|or nothing|ou pas|ou non|ou quoi|ou rien"
_REQUEST = re.compile(r"\b(pls|please|plz|svp|stp|s'il (vous|te) pla[iî]t|tell me|dites[- ]moi|dis[- ]moi|"
                      r"i need to know|je veux savoir|j'aimerais savoir|let me know|yes or no|oui ou non|"
                      rf"{_OR_NOT})\b")
# Kinds in the order they win: "how long" is a "when", not a "how"; "how many days" too.
_KIND_PATTERNS: tuple[tuple[QuestionKind, str], ...] = (
    ("why", r"\b(why|pourquoi|what caused|(?<!a )cause[ds]?|origine|how (did|could) (this|it|that) happen|"
            r"what happened|qui est derriere|who (is|was) behind|who hacked|inside job|qu'est-ce qui s'est passe|"
            r"que s'est-il passe|il s'est passe quoi|ca s'est passe comment|"
            r"what(?:'s| is)(?: actually| really)? (?:wrong|the problem|going on)|what went wrong|"
            r"c'est quoi le (?:probleme|souci)|quel est le (?:probleme|souci)|qu'est-ce qui (?:ne va pas|cloche))\b"),
    ("when", r"\b(when|what time|how long|how many (days|weeks|hours)|by when|until when|what date|quand|"
             r"a quelle (heure|date)|combien de temps|en combien de temps|quel delai|sous combien|"
             r"jusqu'a quand|jusqu'a quelle heure|horaires?|opening hours|open (on )?(sunday|saturday|weekends?))\b"),
    ("how_much", r"\b(how much|how many|combien|what compensation|quel montant|what amount|how big)\b"),
    # "Do I need to call to rebook?" asks whether, "numéro de série c'est où" asks where: before "call", "numéro".
    ("can", r"\b(do (i|we) (need|have) to|dois-je|faut-il|faut|est-ce qu'il faut|must (i|we))\b"),
    ("where", r"\b(where (is|are|do|can|to)|c'?est ou|c est ou|ou (est|sont|se trouve|trouver))\b"),
    ("contact", r"\b(phone|number|hotline|call|contact|reach|email|e-mail|joindre|numero|appeler|telephone|"
                r"ligne)\b"),
    ("where", r"\b(where|link|page|website|lien|site|ou (est|sont|trouver|trouve|je|puis|peut|se trouve|faire)|"
              r"c'est ou)\b"),
    ("can", r"\b(can i|could i|may i|can we|can my|do i (need|have to)|do we (need|have to)|should i|should we|"
            r"must i|is it (ok|okay|possible|safe)|am i (allowed|entitled)|puis-je|peut-on|pouvons-nous|"
            r"est-ce que (je|on|nous) (peux|peut|pouvons|dois|doit|devons)|dois-je|faut-il|je peux|on peut|"
            r"je dois|il faut|do you (need|want)|need a|besoin|c'est possible|est-ce possible|possible de)\b"),
    ("can", r"\b(will you|are you going to|vous allez|allez-vous|do you|est-ce que vous|would you|vas-tu)\b.*"
            r"\b(pay|refund|reimburse|compensat\w*|cover|rembours\w*|pay\w*|dedommag\w*|indemnis\w*|"
            r"prend\w* en charge)"),
    ("how", r"(^comment\b|\bcomment\s*\?*$|\b(how (do|can|to|should)|"
            r"comment (je|faire|on|obtenir|savoir|trouver|activer|l'activer)|"
            r"que (dois-je )?faire|what (do|should) (i|we) do|on fait (quoi|comment)|je fais (quoi|comment)|"
            r"what now|how (does|do|will) (it|this|that|the \w+) work|how it works|"
            r"comment (ca|cela) (marche|fonctionne|se passe))\b)"),
    ("what", r"\b(what|which|quel|quels|quelle|quelles|quoi|c'est quoi|qu'est-ce)\b"),
)
_KINDS = tuple((k, re.compile(p)) for k, p in _KIND_PATTERNS)
# An item question is about being in scope ("concerned", "recalled", "cancelled") or still fine ("running").
SCOPE_WORDS = re.compile(r"\b(concern\w*|affect\w*|recall\w*|rappel\w*|cancel\w*|annul\w*|touch\w*|impact\w*|"
                         r"postpon\w*|report(e|es|ee|ees)\b|"
                         r"included|part of|on the list|dans la liste|fait partie|involved|leak\w*|fuit\w*|"
                         r"expos\w*|vol[ee]?s?|cut|cut off|coupe\w*|prive\w*|down|hit|closed|shut|suspend\w*|"
                         r"ferme\w*|appl(y|ies|ied) to|s'appliqu\w*)\b")
OK_WORDS = re.compile(r"\b(still (go|going|running|on|sailing|leaving|valid|open|happening)|running|run|"
                      r"operat(e|es|ing|ional|ionnel\w*)\b|"
                      r"go(es)? ahead|going ahead|as planned|comme prevu|part(ira)? bien|maintenu\w*|assure\w*|"
                      r"on time|a l'heure|safe|sans danger|ok|valid|valable\w*|remain\w*|fine|edible|"
                      r"mangeable|consommable|potable|buvable|"
                      r"rest(e|ent) (valable|ouvert)\w*|"
                      r"stays? open|ouvert\w*)\b")


# Words people use for what the knowledge says in other words ("fixed" / "service comes back",
# "dédommagés" / "avoir de 10 €"): a question's terms bring their group's terms along, at a lower weight.
CONCEPTS: tuple[str, ...] = (
    "fix fixed repair repaired back restore restored restoration resume resumed working again come back "
    "repare reparee retabli retablie retablissement remis revient reviendra retour reprise reprend marche remarche "
    "fonctionne refonctionne",
    "compensation compensate compensated credit credits voucher refund refunded reimburse entitled rights owed "
    "dedommagement dedommager dedommages indemnisation indemnise avoir bon remboursement rembourse droit droits",
    "affected concerned impacted down cut hit involved exposed leaked touche touchee touches concerne concernee "
    "impacte coupe coupee prive privee expose exposees fuite",
    "cause caused why reason origin investigation origine pourquoi raison enquete",
    "claim apply applied request form automatically demarche demande demander reclamer formulaire automatiquement",
    # not "number" nor "line": a batch number and a production line are no phone numbers
    "phone call hotline support assistance appeler joindre telephone",
    "customers people passengers users boxes accounts clients passagers personnes usagers comptes candidates "
    "candidats patients members membres subscribers abonnes residents households foyers gens",
    "data details information personal donnees informations coordonnees personnelles",
    "safe safety risk danger dangerous securite risque",
    "update news next point statement nouvelles prochain publie published",
    "happen happening take place go ahead goes ahead planned maintained held lieu maintenu maintenue prevu",
    "hurt injured injury injuries wounded harmed victims died dead death deaths killed casualties blesse blesses "
    "blessure blessures victime victimes mort morts deces tue tues",
    "children child kids kid pupils pupil students enfants enfant eleves eleve gamins gamin",
    "hospital hospitalised hospitalized hospitalisation admitted examined hopital hospitalise hospitalises "
    "hospitalisation urgences examines",
    "sick ill illness symptoms vomiting diarrhoea diarrhea fever malade malades maladie symptomes vomissements "
    "diarrhee fievre",
    "destroyed burned burnt burn damaged lost detruit detruits detruite brule brules brulee endommage",
    "open opened reopen reopens closed close closing shut ouvert ouverte ouverts rouvre rouvrira ferme fermee "
    "fermeture",
    "travel train trains plane flight bus trip journey accommodation hotel transport trajet voyage hebergement "
    "billet avion",
    "pay back payback paid pays repay rembourser",
    "lost lose wallet property objects perdu perdus perdue objets",
    "money salary salaries wages wage payslip salaire salaires argent virement",
    "land lands arrive arrives arriving reach reaches arrivera arrivent tombe tomber",
    "end ends ending over finish finished lift lifted termine terminee terminer fin finir leve levee lever",
    "hack hacked hacker hackers hacking attack attacked cyberattack cyber-attack piratage pirate pirates pirater "
    "attaque cyberattaque intrusion",
)


@lru_cache(maxsize=1)
def _concept_sets() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(analyze(group)) for group in CONCEPTS)


# What an answer of each kind is written with, for the lexical search ("printed on the side" for where).
KIND_WORDS: dict[str, str] = {
    "when": "date expected by within days until from prevu sous jours jusqu'au",
    "how_much": "amount price cost montant prix",
    "contact": "phone hotline email call telephone ligne appeler",
    "where": "printed side located page link address imprime cote situe lien adresse",
    "why": "cause investigation reason cause enquete raison",
    "how": "form photo call fill formulaire photo appeler remplir",
    "who": "firm company led by independent cabinet societe mene par independant",
}


def concept_words(text: str) -> str:
    """The words of every concept group the text touches (to widen a lexical search)."""
    terms = frozenset(analyze(text))
    return " ".join(g for g, stems in zip(CONCEPTS, _concept_sets(), strict=True) if stems & terms)


def related_terms(terms: frozenset[str]) -> frozenset[str]:
    """The terms of every concept group a question's terms belong to, minus the question's own."""
    out: set[str] = set()
    for group in _concept_sets():
        if group & terms:
            out |= group
    return frozenset(out - terms)


@dataclass(frozen=True)
class Question:
    """One thing the author asks, as written, with the kind of answer it needs."""

    text: str
    kind: QuestionKind
    items: tuple[str, ...] = ()
    asks_ok: bool = False  # "is it still running / safe?" rather than "is it affected?"
    terms: frozenset[str] = frozenset()  # what is asked about: the words of the clause's asking part
    context: frozenset[str] = frozenset()  # the clause's other words ("no internet since this morning, ...")
    claim: bool = False  # "Heard 3 workers died. Is that true?": asks whether what was said before is so
    # "I bought 3 boxes of L4822, do I get 3 refunds?": an item named in passing, whose yes or no must name it
    # ("Yes, L4822 is on the list.") or it would read as the answer to what was asked ("Yes: only batches...").
    in_passing: bool = False

    @property
    def related(self) -> frozenset[str]:
        return related_terms(self.terms)

    @property
    def folded(self) -> str:
        return fold(self.text)


# "Is that true?", "c'est vrai ?": a check of what the comment said just before.
TRUTH_CHECK = re.compile(r"\b((is|was) (that|this|it) (true|right|correct|real|accurate)|true or false|any truth|"
                         r"c'?est (vrai|exact|juste)|vrai ou faux|info ou intox|est-ce vrai|c vrai)\b")


# "vous donnez quoi comme dédommagement", "on a droit à quoi": spoken French asks "what" at the end.
_SPOKEN_WHAT = r"\b(vous|on|tu) (\w+ ){1,3}quoi\b(?! que)"
_SPOKEN = re.compile(f"{SPOKEN_QUESTION}|{EMBEDDED_QUESTION}|{_SPOKEN_WHAT}")


def _is_question(clause: str, folded: str) -> bool:
    return clause.rstrip().endswith("?") or bool(_OPENER.match(folded)) or bool(_REQUEST.search(folded)) \
        or bool(_SPOKEN.search(folded))


# The question word a clause opens with decides first: "when will you know what caused it?" is a "when";
# "where is my refund?" asks when it comes.
_LEAD_PATTERNS: tuple[tuple[QuestionKind, str], ...] = (
    ("when", r"(where|ou) (is|are|est|sont) (my|our|mon|ma|mes|notre|nos) (refund|money|credit|voucher|order|"
             r"parcel|package|compensation|rembours\w*|argent|avoir|bon|commande|colis|dedommagement)"),
    ("when", r"(when|how long|what time|by when|until when|quand|a quelle heure|combien de temps|"
             r"en combien de temps|jusqu'a quand|jusqu'a quelle heure|sous combien)\b"),
    ("where", r"(where|ou)\b"),
    ("where", r".*\b(ou|where)\s*\?*$"),
    ("why", r"(why|pourquoi)\b"),
    ("how_much", r"(how much|how many|combien)\b"),
    # "Who pays for that?" asks what is paid back; "who is running the investigation?" asks for a name.
    ("what", r"(who|qui)( (will|is going to|'s going to))? (pays?|paying|refunds?|covers?|reimburses?|"
             r"rembourse\w*|paie|paye|va payer|prend en charge)\b"),
    ("who", r"(who|whom|whose|qui)\b"),
)
_LEADS = tuple((k, re.compile(_FILLER + p)) for k, p in _LEAD_PATTERNS)


# "ou" is "où" once accents are folded, but not in "ou pas" / "ou non" / "ou quoi" (or not, or what).
_WH = re.compile(r"\b((?<!or )what|which|when|where|who|why|how|quel\w*|quand|ou(?! (?:pas|non|quoi)\b)|qui|"
                 r"pourquoi|comment|combien|(?<!ou )quoi)\b")


_PERMISSION = re.compile(_FILLER + r"(can i|could i|may i|can we|am i allowed|puis-je|peut-on|pouvons-nous|"
                         r"je peux|on peut|est-ce que (je|on|nous) (peux|peut|pouvons))\b")


def kind_of(folded: str, items: tuple[str, ...] = ()) -> QuestionKind:
    # "Can I bring my bike on the bus from Bayeux?" asks a permission; the place is where, not what is asked.
    if items and _PERMISSION.match(folded) and not (SCOPE_WORDS.search(folded) or OK_WORDS.search(folded)):
        return "can"
    # "Is NV104 cancelled?" is about the item; "what is the hotline number in Belgium?" only names one.
    if items and (SCOPE_WORDS.search(folded) or OK_WORDS.search(folded)
                  or (_yes_no_form(folded) and not _WH.search(folded))):
        return "item"
    for kind, pattern in _LEADS:
        if pattern.match(folded):
            return kind
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return "yes_no"


def _yes_no_form(folded: str) -> bool:
    return bool(re.match(r"^(?:(?:and|also|so|et|alors)[, ]+)?(is|are|was|were|does|do|did|has|have|est-ce|"
                         r"y a-t-il|suis-je)\b", folded)) or folded.rstrip().endswith(("?", "??")) \
        or bool(re.search(rf"\b({_OR_NOT})\W*$", folded))


# Numbers that are not item numbers: dates, times, amounts, durations, phone numbers.
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[eé]v|avr|mai|juin|juil|ao[uû]t|d[eé]c)\w*\.?"
_NOT_ITEM = re.compile(r"(\d{1,2}[:h/.]\d{1,4}|"
                       rf"\b\d{{1,2}}(st|nd|rd|th|er)? {_MONTH}|\b{_MONTH} \d{{1,2}}\b|"
                       r"\d+( ?(-|–|à|a|to) ?\d+)? ?(€|%|(eur|euros?|h|hours?|heures?|days?|jours?|min\w*|gb|go|mb|km|"
                       r"points?|pts|kwh?|kg|mg|ml|litres?|liters?|ans|years?|months?|mois|weeks?|semaines?)\b)|"
                       r"€ ?\d+|\+?\d[\d ]{7,}\d|\b(19|20)\d{2}\b)", re.IGNORECASE)
BARE_NUMBER = re.compile(r"(?<![\w.,/:+-])\d{2,5}(?![\w.,/:-]\d)(?!\w)")


def bare_numbers(text: str) -> list[str]:
    """Numbers that may name an item (a department, a route, a store): not a date, time or amount."""
    return BARE_NUMBER.findall(_NOT_ITEM.sub(" ", text))


def compact(ref: str) -> str:
    """A reference without its separators, in lower case: "BRU-02", "bru 02" and "BRU02" are "bru02"."""
    return re.sub(r"[\s-]+", "", ref).lower()


def items_in(text: str, known_items: Iterable[str] = ()) -> tuple[str, ...]:
    """Identifiers written in the text, known item names (from the knowledge) it mentions, and numbers
    shaped like the numbered items the knowledge lists (departments, routes)."""
    known_items = tuple(known_items)
    found = [m.group(0).replace("-", "") for m in IDENTIFIER.finditer(text)]
    lengths = {len(k) for k in known_items if k.isdigit()}
    found += [n for n in bare_numbers(text) if len(n) in lengths]
    folded = f" {fold(text)} "
    for name in sorted((k for k in known_items if not k.isdigit()), key=len, reverse=True):
        f = fold(name)
        # "BRU-02" is the identifier "BRU02" already found: one item, however it is written.
        if f and re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", folded) \
                and not any(compact(f) in compact(fold(x)) for x in found):
            found.append(name)
    # "MB24" is only the start of "MB24-36512", a reference of the knowledge's list rule: one item.
    whole = {compact(fold(x)) for x in found}
    return tuple(dict.fromkeys(x for x in found if not any(compact(fold(x)) in w and compact(fold(x)) != w
                                                          for w in whole)))


# Verbs and words every question uses: they say how it is asked, not what about.
_ASKING = frozenset(analyze(
    "take takes taking get gets getting need needs know knows make go going want come give find say tell long "
    "much many please pls thanks thank exactly also still anyone someone something anything yes no oui non svp merci "
    "va vais allez aller savoir sais sait veux voulez vouloir dire dites donner donnez donne prendre trouver mettre "
    "combien quoi comme quel quelle quels quelles est-ce c'est faut dois doit peux peut pouvez possible"))


# Shorthand of the things a knowledge base names ("mon mdp a fuité ?"), written out before matching.
SHORTHAND = {"mdp": "mot de passe", "pw": "password", "pwd": "password", "rib": "coordonnees bancaires",
             "cb": "carte bancaire", "rdv": "rendez-vous", "appt": "appointment", "tel": "telephone",
             "num": "numero", "resa": "reservation", "dispo": "disponible", "acct": "account", "infos": "informations",
             "diff": "difference", "rembour": "remboursement", "remb": "remboursement",
             # money in slang: "10 balles", "en thune", "récup"
             "thune": "argent", "thunes": "argent", "fric": "argent", "balles": "euros", "recup": "recuperer",
             "récup": "récupérer", "bucks": "dollars", "quid": "pounds"}
_SHORTHAND = re.compile(rf"\b({'|'.join(SHORTHAND)})\b", re.IGNORECASE)


def expand_shorthand(text: str) -> str:
    return _SHORTHAND.sub(lambda m: SHORTHAND[m.group(1).lower()], text)


def _focus(clause: str) -> tuple[frozenset[str], frozenset[str]]:
    """(terms of the part that asks, terms of the rest): in "no internet since this morning, when is it
    fixed?" the question is about "fixed", and "since this morning" is context."""
    clause = re.sub(rf"\b({_OR_NOT})\b", " ", expand_shorthand(clause), flags=re.IGNORECASE)  # "... ou rien ?"
    every = frozenset(analyze(clause)) - _ASKING
    parts = [p for p in re.split(r"[,:(]|\s[-–]\s", clause) if p.strip()]
    dislocated = len(parts) == 2 and len(parts[0].split()) <= DISLOCATED_WORDS \
        and _DISLOCATED.match(fold(parts[-1]).strip()) is not None
    if len(parts) > 1 and not dislocated:
        last = frozenset(analyze(parts[-1])) - _ASKING
        if last:
            return last, every - last
    # "Le bon d'achat, il arrive quand ?", "the voucher, it comes when?": the words before the comma are what
    # the pronoun stands for.
    return every, frozenset()


# A part that opens on a pronoun standing for the words before its comma (or asks about "it" at once).
_DISLOCATED = re.compile(r"^(?:(?:et|and|so|alors|mais|but)\s+)?(il|elle|ils|elles|ca|cela|c'|it|they)\b")
DISLOCATED_WORDS = 4  # a noun phrase ("le bon d'achat"), not a clause ("no internet since this morning")


# A pronoun standing for what the question before asked about: "on peut l'utiliser ?", "can I use it?".
_OBJECT_PRONOUN = re.compile(r"\b(l'|le|la|les|it|them)\b")
_POINTS_BACK_AT = re.compile(r"\b(it|its|it's|this one|that one|ca|cela|il|elle|le|la|l')\b")


def _asking_part(clause: str) -> str | None:
    """The part of a clause after its last comma or colon when it asks on its own ("do I get 3 refunds?" in
    "I bought 3 boxes of L4822, do I get 3 refunds?"); None for a clause in one piece."""
    parts = [p for p in re.split(r"[,:(]|\s[-–]\s", clause) if p.strip()]
    if len(parts) < 2 or len(parts[-1].split()) < 3:
        return None
    last = parts[-1].strip()
    return last if _is_question(last, fold(last)) else None


# How people put a question or a request, whatever it is about ("any idea when", "can you check if", "what's the
# procedure to", "on a le droit de", "je voudrais").
_ASKING_PHRASES = re.compile(
    r"\b(any (idea|news|word|update)|do you know|can you (check|tell me|confirm|say)|is there a way|"
    r"(the|la|what's the|what is the|quelle est la) (way|process|procedure|steps|demarche|marche a suivre)|"
    r"(am i|are we|is it) allowed|allowed to|(on a|j'ai|ai-je|a-t-on) le droit|le droit de|"
    r"i (want|need|would like|'d like)|je (veux|voudrais|souhaite|dois)|j'aimerais|"
    r"until|till|jusqu'a|"
    # when it is asked: the present is what every question means
    r"right now|now|at the moment|currently|today|anymore|still|en ce moment|actuellement|maintenant|"
    r"aujourd'hui|pour l'instant|toujours|encore)\b")
# "sera-t-il", "est-elle", "a-t-on": the pronoun of a French inversion.
_INVERSION = re.compile(r"-(t-)?(il|elle|on|ils|elles|je|tu|nous|vous)\b")
# Future and past forms of "être" / "avoir" the stopword lists leave out ("sera-t-il livré ?", "on aura des jours ?").
_AUXILIARIES = frozenset("sera seras serai serons serez seront serait seraient etait etaient aura auras aurai aurons "
                         "aurez auront aurait auraient avait avaient".split())
# Question words, the words of being in scope or still fine, requests: never a pattern that spans any word
# (the kinds' "how does the \w+ work" would take "refund" with it).
_MANNER = (_WH, SCOPE_WORDS, OK_WORDS, _REQUEST, _ASKING_PHRASES)


def without_manner(text: str) -> str:
    """The folded text without the words that say what kind of question it is and how it is put (question
    words, "how long until", "part of", "concerned", "still safe", "phone number"): what is left is what
    it asks about. "Is L4822 part of the recall?" and "L4822 recalled or not?" keep "L4822 recall" /
    "L4822"; "what's the phone number?" and "is there a number I can call?" keep nothing of their ask."""
    out = _INVERSION.sub(" ", fold(expand_shorthand(text)))
    for pattern in _MANNER:
        out = pattern.sub(" ", out)
    return " ".join(w for w in out.split() if not set(analyze(w)) <= _ASKING and w not in _AUXILIARIES)


@lru_cache(maxsize=4096)
def question_terms(text: str) -> frozenset[str]:
    """The words a question asks about, without the words that make it a question ("dois-je", "how")."""
    asked, rest = _focus(text)
    return asked | rest


_AND = re.compile(r",?\s+(?:and|et)\s+", re.IGNORECASE)


def split_compound(clause: str) -> list[str]:
    """ "How many are affected and is anyone hurt?" asks two things; so does "valable combien de temps et
    on le reçoit comment ?". Split at "and"/"et" when both halves ask (a question word or a question
    opening) and each has a few words; "Ferries and trains?" or "when and where?" stay whole."""
    if not (clause.rstrip().endswith("?") or _OPENER.match(fold(clause.strip()))):
        return [clause]
    parts = _AND.split(clause)
    if len(parts) != 2 or min(len(p.split()) for p in parts) < 3:
        return [clause]
    first, second = (fold(p) for p in parts)
    if (_WH.search(first) or _OPENER.match(first)) and (_WH.search(second) or _OPENER.match(second)):
        return [parts[0].rstrip(" ,") + "?", parts[1]]
    return [clause]


# What the author is given for the trouble: "un dédommagement ou rien ?", "what do we get for this mess?".
COMPENSATION_ASKED = re.compile(r"\b(compensat\w*|dedommag\w*|indemn\w*|geste commercial|vouchers?|"
                                r"what do (i|we|you) get|what (will|would) (i|we) get|on (aura|a) quoi|on a droit|"
                                r"(vous )?offrez quoi|faire pardonner|make (it )?up (to|for))\b")
JUST_YES_OR_NO = re.compile(r"^\W*(yes or no|oui ou non|true or false|vrai ou faux|yes/no|oui/non)\W*$")
# A question ending on what was said before: "are you paying me back for that?", "vous remboursez ça ?".
ENDS_ON_THAT = re.compile(r"\b(that|this|ca|cela)\s*[?!.]*$")
_TRUTH_TERMS = frozenset(analyze("true right correct real accurate false truth vrai exact juste faux intox info"))


def find_questions(text: str, known_items: Iterable[str] = ()) -> list[Question]:
    """The questions of a comment in the order asked (at most one per clause).

    A clause is a question when it ends with "?", opens like one ("is", "when", "est-ce", "faut-il"...)
    or asks in so many words ("please tell me", "yes or no", "svp"). A comment that names an item
    (a batch, a sailing, a plan) and asks nothing else asks about that item.
    """
    known = tuple(known_items)
    out: list[Question] = []
    all_items = items_in(text, known)
    before = ""
    for clause in (part for c in _CLAUSE.split(text) for part in split_compound(c.strip())):
        if not clause or not any(ch.isalpha() for ch in clause):
            continue
        folded = fold(clause)
        said, before = before, clause
        if not _is_question(clause, folded):
            continue
        if TRUTH_CHECK.search(folded):
            # "Heard on the radio that 3 workers died in that fire. Is that true?", "il paraît que la session
            # est annulée, c vrai ?": the claim is the question.
            claim, text_ = question_terms(clause) - _TRUTH_TERMS, clause
            if len(claim) <= 1 and said:
                claim, text_ = question_terms(said), f"{said} {clause}"
            if len(claim) > 1:
                out.append(Question(text=text_, kind="yes_no", terms=claim, claim=True))
                continue
        if out and JUST_YES_OR_NO.match(folded):
            continue  # "Did anyone download the data? Yes or no?" asks the question before for a straight answer
        items = items_in(clause, known)
        # "rue des Érables, code J7V 4A9, on est dedans ?": a reference is what is asked about, the street
        # around it is the author's context.
        items = tuple(i for i in items if any(ch.isdigit() for ch in i)) or items
        # "Mine says L4822. Is it concerned?": the item is in another clause of the same comment.
        if not items and all_items and (SCOPE_WORDS.search(folded) or OK_WORDS.search(folded)):
            items = all_items
        asking = _asking_part(clause)
        # "I bought 3 boxes of L4822, do I get 3 refunds?": the lot is named in the context, not in what is asked.
        # A name ("Val-Nord", "Saturday Pass") is what is asked about even there ("can I drink the tap water?"),
        # and so is a reference the asking part points back at ("..., is it refunded?").
        after = folded[max(folded.find(fold(i)) + len(i) for i in items):] if items else ""
        passing = bool(items) and all(any(ch.isdigit() for ch in i) for i in items) and asking is not None \
            and not any(fold(i) in fold(asking) for i in items) and not _POINTS_BACK_AT.search(after) \
            and not (SCOPE_WORDS.search(after) or OK_WORDS.search(after))
        kind = kind_of(folded, items)
        terms, context = _focus(clause)
        asked = clause
        if said and ENDS_ON_THAT.search(folded):
            # "I had to take two days unpaid. Are you paying me back for that?": "that" is the sentence before.
            asked, context = f"{said} {clause}", context | question_terms(said)
        out.append(Question(text=asked, kind=kind, items=items if kind == "item" else (), in_passing=passing,
                            asks_ok=kind == "item" and bool(OK_WORDS.search(folded))
                            and not SCOPE_WORDS.search(folded),
                            terms=terms, context=context))
    for i in range(1, len(out)):
        q, prev = out[i], out[i - 1]
        if len(q.terms) <= 2 and len({t[:5] for t in q.terms}) <= 1 and _OBJECT_PRONOUN.search(q.folded) \
                and q.kind != "item" and not q.claim:
            # "Le bon d'achat, il arrive quand et on peut l'utiliser jusqu'à quand ?": "l'" is the voucher the
            # question before asks about.
            out[i] = replace(q, terms=q.terms | prev.terms)
    # "I have two boxes of lot L4821, how do I get refunded?": the lot named in passing deserves its
    # yes or no too (identifiers and numbers only: a name in passing is not a question).
    named = tuple(i for i in all_items if any(ch.isdigit() for ch in i))
    if named and not any(q.kind == "item" for q in out) and (out or SCOPE_WORDS.search(fold(text))):
        out.append(Question(text=text, kind="item", items=named, in_passing=bool(out)))  # the lists decide
    return out
