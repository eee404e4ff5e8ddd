"""The offline composer's phrasebook (French and English) and the concern topics it recognises.

Only non-factual words live here (greetings, empathy, apologies, hand-offs). Every fact in a reply
comes from the knowledge base and is cited; nothing below states a fact about the incident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    pattern: re.Pattern[str]
    query: str  # what to look for in the knowledge (both languages: the lexical index stems both)
    ack: dict[str, str]  # acknowledgement, in the author's terms
    unknown: bool = False  # answered by the fact sheet's "not known yet" section


def _p(words: str) -> re.Pattern[str]:
    return re.compile(words, re.IGNORECASE)


# Order matters: the first topics found are answered first when space is short (e.g. on X).
TOPICS: tuple[Topic, ...] = (
    Topic("ate", _p(r"\b(ate|eaten|eating|eat it|swallow\w*|mang[ée]\w*|aval[ée]\w*|sick|malade|"
                    r"hospital|h[ôo]pital|urgences|doctor|m[ée]decin|bless[ée]|hurt|injur\w*|cut|coup[ée]|"
                    r"tooth|dent|vomit\w*)\b"),
          "ate symptoms consult doctor child mangé symptômes consultez médecin enfant",
          {"en": "I'm so sorry to hear this, and I understand how worrying it is.",
           "fr": "Nous sommes vraiment désolés d'apprendre cela, et nous comprenons votre inquiétude."}),
    Topic("batches", _p(r"\b(batch\w*|lots?|L\d{4}|which (products?|boxes|ones)|quels? (produits?|lots?|bo[iî]tes?)|"
                        r"best before|dlc|dluo|concern\w*|affect\w*|my box|ma bo[iî]te|paquets?)\b"),
          "only batches concerned recalled L4821 L4822 seuls lots concernés rappelés",
          {"en": "You want to know whether you are concerned.",
           "fr": "Vous voulez savoir si vous êtes concerné."}),
    Topic("refund", _p(r"\b(refund\w*|money back|reimburs\w*|rembours\w*|argent|pay me back|receipt|"
                       r"ticket de caisse|preuve d'achat|proof of purchase)\b"),
          "refund purchase price photo batch number receipt 14 days remboursement photo numéro de lot ticket 14 jours",
          {"en": "You're asking how to get your money back.",
           "fr": "Vous nous demandez comment obtenir votre remboursement."}),
    Topic("waiting", _p(r"\b(still waiting|still nothing|still no\w*|no answer|no reply|nobody answers|"
                        r"can'?t get through|on hold|\d+ (days|weeks) ago|weeks? later|toujours pas|toujours rien|"
                        r"attends? (depuis|toujours)|depuis \d+ (jours|semaines)|pas de r[ée]ponse|injoignable|"
                        r"personne ne r[ée]pond)\b"),
          "refunds paid within 14 days hotline opening hours remboursement sous 14 jours horaires",
          {"en": "I'm sorry you've been left waiting.",
           "fr": "Nous sommes désolés de vous avoir fait attendre sans réponse."}),
    Topic("loss", _p(r"\b(lost (a|my|our|\d+) (day|days|shift|job|pay|wages?|salary|holiday|booking)\w*|"
                     r"day'?s (pay|wages?|work)|missed (a|the|my|our) \w+|lost (pay|wages|money|income)|"
                     r"perdu (une|ma|mon|\d+) (journ[ée]e|salaire|travail|jours?)|"
                     r"rat[ée]s? (le|la|un|une|mon|ma|notre) \w+|"
                     r"manqu[ée]s? (le|la|un|une|mon|ma|notre) \w+)\b"),
          "lost wages missed events reimbursed compensation pertes de salaire événements manqués dédommagement",
          {"en": "I'm sorry, I understand what this has cost you.",
           "fr": "Nous sommes désolés, nous comprenons ce que cela vous a coûté."}),
    Topic("delay", _p(r"\b(how long|how many days|when will i (get|receive|be)|when do i get|combien de temps|"
                      r"d[ée]lai|quand (vais-je|serai|est-ce que je|aurai)|sous combien)\b"),
          "refunds paid within 14 days of receiving the claim remboursement versé sous 14 jours délai",
          {"en": "You'd like to know how long the refund takes.",
           "fr": "Vous voulez savoir dans quel délai arrive votre remboursement."}),
    Topic("compensation", _p(r"\b(compensat\w*|vouchers?|coupon|bon d'achat|dédommag\w*|dedommag\w*|indemn\w*|"
                             r"geste commercial|goodwill|damages)\b"),
          "goodwill voucher recalled products bon d'achat geste commercial produits rappelés",
          {"en": "You're asking about compensation.",
           "fr": "Vous posez la question d'un dédommagement."}),
    Topic("cause", _p(r"\b(why|cause\w*|how did|how could|what happened|reason|pourquoi|comment (est-ce|c'est|ça)|"
                      r"origine|raison|faute|fault|responsib\w*)\b"),
          "cause caused investigation supplier results expected "
          "cause origine enquête connaissons fournisseur résultats",
          {"en": "You want to understand how this could happen.",
           "fr": "Vous voulez comprendre comment cela a pu arriver."}, unknown=True),
    Topic("other_products", _p(r"\b(other (products?|batches|cereals?)|autres? (produits?|lots?|céréales)|"
                               r"all (of )?(your|the) \w+|tou(s|tes) (vos|les) \w+|everything|safe to eat|"
                               r"sans danger|contaminat\w*|is it safe)\b"),
          "other batches tests ongoing no evidence autres lots analyses en cours aucun élément",
          {"en": "You're wondering whether other products are affected.",
           "fr": "Vous vous demandez si d'autres produits sont touchés."}, unknown=True),
    Topic("updates", _p(r"\b(updates?|news|keep (us|me) posted|when will (you|we) know|nouvelles|"
                        r"tenir au courant|quand (saura|aurons)|prochain point)\b"),
          "next update nouveau point prochaine mise à jour",
          {"en": "You'd like to know when you'll hear more.",
           "fr": "Vous aimeriez savoir quand vous en saurez plus."}),
    Topic("contact", _p(r"\b(hotline|phone|call|number|contact|reach|email|joindre|num[ée]ro|appeler|"
                        r"t[ée]l[ée]phone)\b"),
          "hotline phone recall form contact numéro formulaire",
          {"en": "You're looking for the right way to reach us.",
           "fr": "Vous cherchez comment nous joindre."}),
)

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "greet": "Hi {name},",
        "greet_anon": "Hi,",
        "thanks_praise": "Thank you so much for your kind words, they mean a lot to the team right now.",
        "ack_generic": "Thank you for your message, and I understand your concern.",
        "ack_rumour": "I understand why this is worrying, so here is what we can confirm.",
        "apology": "We're truly sorry for the worry and inconvenience this is causing.",
        "unknown_intro": "What we don't know yet:",
        "empathy": "We know how stressful this is, and we're here to help you through it.",
        "not_in_kb": "I don't have a confirmed answer on this yet; I've passed your question on and we'll "
                     "come back to you.",
        "no_answer_yet": "We don't have that information yet; I've passed your question on.",
        "yes": "Yes",
        "no": "No",
        "listed": "Yes, {item} is on the list.",
        "not_listed": "No, {item} is not on the list.",
        "not_listed_plain": "{item} is not on the list.",
        "dm_account": "For anything about your own order, please send us a private message (no personal "
                      "details in public) and we'll look into it.",
        "legal": "I've passed your message to the team in charge, who will contact you directly by private "
                 "message.",
        "press": "Thank you for getting in touch. Our press team will contact you directly with the official "
                 "information.",
        "safety_handoff": "Please send us a private message so our safety team can contact you directly.",
        "emergency": "If this is an emergency, call the emergency services now.",
        "influencer": "I've also shared your message with our communications lead.",
        "signoff": "– {signature}",
        "signature": "The customer care team",
    },
    "fr": {
        "greet": "Bonjour {name},",
        "greet_anon": "Bonjour,",
        "thanks_praise": "Merci beaucoup pour votre message, il compte énormément pour l'équipe en ce moment.",
        "ack_generic": "Merci pour votre message, je comprends votre inquiétude.",
        "ack_rumour": "Je comprends que cela inquiète, voici ce que nous pouvons confirmer.",
        "apology": "Nous sommes sincèrement désolés pour l'inquiétude et la gêne occasionnées.",
        "unknown_intro": "Ce que nous ne savons pas encore :",
        "empathy": "Nous savons à quel point c'est stressant, et nous sommes là pour vous aider.",
        "not_in_kb": "Je n'ai pas encore de réponse confirmée sur ce point ; je transmets votre question et "
                     "nous reviendrons vers vous.",
        "no_answer_yet": "Nous n'avons pas encore cette information ; je transmets votre question.",
        "yes": "Oui",
        "no": "Non",
        "listed": "Oui, {item} fait partie de la liste.",
        "not_listed": "Non, {item} ne fait pas partie de la liste.",
        "not_listed_plain": "{item} ne fait pas partie de la liste.",
        "dm_account": "Pour tout ce qui concerne votre commande, écrivez-nous en message privé (sans données "
                      "personnelles en public) et nous regardons cela.",
        "legal": "J'ai transmis votre message à l'équipe concernée, qui vous contactera directement en "
                 "message privé.",
        "press": "Merci de nous avoir contactés. Notre service presse va vous répondre directement avec les "
                 "informations officielles.",
        "emergency": "En cas d'urgence, appelez immédiatement les secours.",
        "safety_handoff": "Écrivez-nous en message privé pour que notre équipe sécurité puisse vous contacter "
                          "directement.",
        "influencer": "J'ai également transmis votre message à notre responsable communication.",
        "signoff": "– {signature}",
        "signature": "L'équipe service client",
    },
}

# Headings of the fact sheet's "not known yet" section, folded (see lexical.fold).
UNKNOWN_HEADINGS = ("don't know", "dont know", "do not know", "not yet known", "not known yet", "unknown",
                    "ne savons pas", "pas encore", "inconnu", "under investigation", "still under", "a l'etude",
                    "en cours d'enquete", "not know yet")
# A fact sheet's section telling the incident itself: what "why?" about the incident gets when no sentence
# says "because", and what retrieval brings along for such a question.
HAPPENED_HEADINGS = re.compile(r"\b(what happened|what is happening|what's happening|what we know|cause|why|situation|"
                               r"ce qui s'est passe|ce qui se passe|ce que nous savons|origine|pourquoi|les faits|"
                               r"the facts)\b")
# Sentences that carry the next step: a phone number or a link someone can act on.
# A phone number, a link, or a short number to call ("call 15", "appelez le 15", "call Info-Santé at 811").
CALL_SHORT = (r"\b(call|calling|dial|appelez|appeler|composez|faites le)\b[^.;:]{0,25}?\b\d{2,4}\b"
              r"(?![\d ,.]*\d{3})(?!\s*(h|hours?|heures?|days?|jours?|min\w*|weeks?|semaines?|%|€))")
NEXT_STEP = re.compile(rf"(\+?\d[\d ]{{7,}}\d|https?://\S+|{CALL_SHORT})", re.IGNORECASE)
# Sections written for staff, not customers ("what staff must not promise"): never quoted in a reply.
INTERNAL_HEADINGS = ("must not", "never promise", "staff", "internal", "ne faut jamais", "jamais promettre",
                     "interdit", "a ne pas", "escalat", "escalad", "le personnel", "ne doit pas", "ne doivent pas",
                     "not promise", "ne pas promettre")
# Apologise when the guideline asks for it (its wording, either language).
GUIDELINE_APOLOGY = re.compile(r"\b(apologi[sz]e|say (we are|we're) sorry|excus\w*|s'excuser|présent\w* nos excuses)\b",
                               re.IGNORECASE)
# "Journalists: ... never give figures or quotes yourself": the guideline keeps the facts for the press office.
GUIDELINE_NO_PRESS_FACTS = re.compile(r"(journalist|media|presse|press)[^\n]{0,160}\b(never|jamais|do not|don't|ne)\b"
                                      r"( [\w-]+){0,3} (give|share|provide|quote|donne\w*|communiqu\w*|fourni\w*)\b"
                                      r"[^\n.;]{0,30}\b(figures?|numbers?|chiffres?|quotes?|citations?)\b",
                                      re.IGNORECASE)


def phrase(language: str, key: str, **values: str) -> str:
    table = PHRASES.get(language, PHRASES["en"])
    return table[key].format(**values) if values else table[key]
