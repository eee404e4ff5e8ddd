"""The offline provider: a deterministic composer that writes a reply from retrieved knowledge.

No model, no network. It finds what the author is worried about (topics), picks the knowledge
sentences that answer that (facts by relevance, the fact sheet's "not known yet" items stated as
such, the next step), and assembles them in the reply shape of DESIGN.md, in the author's language,
within the platform's length. Its output has the same structure as an LLM's (`DraftOut`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from assistant.drafting.answers import Picker, answer_question, expected_after, faq_question, next_update
from assistant.drafting.candidates import KIND_PRIOR, MONEY, NEGATED, Candidate, candidates, keyset, text_keys
from assistant.drafting.items import ALREADY_SAID, known_items
from assistant.drafting.meaning import similarities
from assistant.drafting.phrases import CALL_SHORT, GUIDELINE_APOLOGY, GUIDELINE_NO_PRESS_FACTS, TOPICS, Topic, phrase
from assistant.drafting.questions import KIND_WORDS, Question, concept_words, find_questions
from assistant.drafting.ranker import SHIPPED, AnswerRanker, resolve
from assistant.drafting.ranker import features as ranker_features
from assistant.drafting.ranker import pick as ranker_pick
from assistant.drafting.retrieval import Context, reply_language
from assistant.drafting.verify import author_name
from assistant.models import PLATFORM_TARGETS, Comment, DraftOut, DraftSentence, Triage
from assistant.text import analyze, fold

SHORT_PLATFORM = 280  # characters: x, tiktok
PHONE = re.compile(r"\+?\d[\d ]{7,}\d")
CALLABLE = re.compile(rf"{PHONE.pattern}|{CALL_SHORT}", re.IGNORECASE)  # a line, or an emergency number
ANSWER_SHARE = 0.6  # of the platform's length, at most, for one answer sentence
FIRST_ANSWER_ROOM = 50  # what the greeting and the sign-off leave the first answer
LONG_ANSWERS = frozenset({"where", "contact"})
_NEGATED = NEGATED
LINK = re.compile(r"https?://\S+")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
MAX_FACTS = 3
MAX_QUESTIONS = 3
# Concerns that deserve an acknowledgement before the answer; the others are answered straight away.
FEELING_TOPICS = ("ate", "waiting", "loss")
# Someone writing as the press: they name their trade, their outlet, a story or a deadline.
JOURNALIST = re.compile(
    r"\b(journalist\w*|reporter|redaction|newsroom|editor|redacteur|redactrice|bouclage|"
    r"deadline( is)? (\d\w*|today|tonight|ce soir)|i write for|j'ecris pour|(writing|doing) a (story|piece)|"
    r"(for|pour) (an?|un|une|our|notre) (article|story|piece|sujet|papier|reportage)|"
    r"newspaper|magazine|podcast|(radio|tv|tele) (station|show)|"
    r"here from|(at|de|du|for|pour) (the )?[a-z]+ (daily|times|news|post|weekly|today|hebdo|info))\b")
THANKS = re.compile(r"^\W*(thanks?|thank you|thx|cheers|merci|bravo|well done|kudos|great job|respect)\b")
# "Super, 10 balles de bon d'achat pour avoir rendu mon chien malade, merci les gars 👏": thanks around harm done
# are sarcasm, never thanked back.
HARM_DONE = re.compile(r"\b(sick|ill|malade|hospital\w*|hopital|urgences|vomi\w*|died|dead|mort\w*|injur\w*|blesse\w*|"
                       r"hurt|poison\w*|intoxi\w*|lost|perdu\w*|ruin\w*|gache\w*|for nothing|pour rien)\b")
# Signs that someone may need help now, whatever the question: a child who swallowed a piece, bleeding, choking.
ACUTE = re.compile(r"\b(swallow\w*|aval[ea]\w*|bleed\w*|saign\w*|chok\w*|etouff\w*|can'?t breathe|respire (mal|plus)|"
                   r"unconscious|inconscient\w*|convuls\w*|(vomit\w*|crach\w*) (du |of )?(blood|sang)|seizure)\b")
EMERGENCY_LINE = re.compile(r"\b(112|911|999|15|144)\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|me|we|our|us|je|j'|mon|ma|mes|nous|notre|nos|moi)\b")


TOPIC = {t.name: t for t in TOPICS}


def detect_topics(text: str, intent: str = "other") -> list[Topic]:
    """Concerns in the order the author raised them; a health concern always comes first.

    Someone still waiting for a refund needs the refund delay, not how to claim one; a rumour is
    answered with what is confirmed and what is still being checked.
    """
    found = [(m.start(), t) for t in TOPICS if (m := t.pattern.search(text))]
    found.sort(key=lambda pt: (pt[1].name != "ate", pt[1].name != "waiting", pt[0]))
    topics = [t for _, t in found]
    if any(t.name in ("waiting", "delay") for t in topics):
        topics = [t for t in topics if t.name != "refund"]
    if intent == "rumour":
        topics += [TOPIC[n] for n in ("batches", "other_products") if TOPIC[n] not in topics]
    elif not topics and intent in ("question", "complaint"):
        topics = [TOPIC["batches"]]
    return topics


def retrieval_query(text: str, intent: str) -> str:
    """The comment plus what its concerns need from the knowledge (their vocabulary, both languages)."""
    questions = find_questions(text)
    asked = " ".join(q.text for q in questions)
    kinds = " ".join(dict.fromkeys(KIND_WORDS.get(q.kind, "") for q in questions))
    return " ".join([text, *(t.query for t in detect_topics(text, intent)), concept_words(asked), kinds])


def _score(c: Candidate, want: set[str], comment_terms: set[str], language: str) -> float:
    if not c.terms:
        return 0.0
    overlap = len(c.terms & keyset(want)) * 2 + len(c.terms & keyset(comment_terms))
    prior = KIND_PRIOR.get(c.hit.kind, 0.5) * (1.0 if c.hit.language == language else 0.55)
    # "We don't know yet X" answers a question about X better than a detail from the same section.
    if c.unknown and _NEGATED.match(fold(c.text)):
        overlap += 1
    return overlap * prior / (1 + 0.01 * len(c.text))


def _best(cands: list[Candidate], want: set[str], comment_terms: set[str], language: str, used: set[str],
          *, unknown: bool | None = None, next_step: bool | None = None, must: re.Pattern[str] | None = None,
          max_chars: int = 10_000) -> Candidate | None:
    best, best_score = None, 0.0
    for c in cands:
        if c.text in used or (unknown is not None and c.unknown != unknown) or len(c.text) > max_chars:
            continue
        if ALREADY_SAID.match(c.folded):
            continue  # "Yes, if ..." answers an FAQ's own question; only an answer to the same question may use it
        if must is not None and not must.search(c.text):
            continue
        if next_step is not None and c.next_step != next_step:
            continue
        if any(len(c.terms & text_keys(u)) > 0.7 * max(1, len(c.terms)) for u in used):
            continue  # near-duplicate of a sentence already chosen (fr/en twins, FAQ vs fact sheet)
        s = _score(c, want, comment_terms, language)
        if s > best_score:
            best, best_score = c, s
    return best


def _name(comment: Comment) -> str | None:
    return author_name(comment)


@dataclass
class Part:
    sentence: DraftSentence
    priority: int  # lower is kept longer when the platform limit forces cuts


def _fact(c: Candidate, priority: int) -> Part:
    return Part(DraftSentence(text=c.text, sources=[c.chunk_id]), priority)


def _say(language: str, key: str, priority: int, **values: str) -> Part:
    return Part(DraftSentence(text=phrase(language, key, **values)), priority)


def answer_inputs(masked_text: str, triage: Triage, ctx: Context) -> tuple[list[Candidate], Picker, list[Question]]:
    """What the composer answers from: the candidate sentences of the retrieved knowledge, their picker,
    and the questions asked (the answer ranker is trained on the same)."""
    lang = reply_language(triage.language)
    cands = candidates(ctx.sources, lang)
    picker = Picker(cands, lang)
    questions = find_questions(masked_text, known_items(cands, masked_text))[:MAX_QUESTIONS]
    # "I have two boxes of lot L4835, how do I get refunded?": a lot named in the clause that asks decides the
    # rest, so it is said first ("No, L4835 is not on the list."); named after the question ("Combien de temps
    # pour être remboursé ? J'ai 2 paquets du lot L4821"), it comes after the answer.
    passing = [q for q in questions if q.kind == "item" and q.in_passing]
    asked = [q for q in questions if q not in passing]
    questions.sort(key=lambda q: not (q in passing and any(fold(i) in fold(o.text) for i in q.items for o in asked)))
    if triage.intent == "rumour":
        # "Is it true?" about a rumour is answered by what is confirmed and what is not known yet.
        # ... unless the knowledge denies it ("3 workers died, is that true?" - "No: nobody was injured"; "they
        # rang from your fraud team, is that legit?" - "No: we never ask..."): then that no is the answer.
        questions = [q for q in questions if q.kind not in ("yes_no", "what")
                     or answer_question(q, picker, set(), language=lang).verdict == "no"]
    return cands, picker, questions


def compose(comment: Comment, masked_text: str, triage: Triage, ctx: Context, *,
            platform: str, signature: str | None = None, style: str = "default",
            ranker: AnswerRanker | str | None = SHIPPED) -> DraftOut:
    """Answer first: greeting -> (the author's concern, an apology) -> the answer to each question ->
    what to do -> when the next update comes -> sign-off. `ranker` (see ranker.py: "shipped", "off" or
    a model) adds the knowledge sentences it scores as answers that the rules did not choose."""
    lang = reply_language(triage.language)
    limit = PLATFORM_TARGETS.get(platform, 700)
    if style == "concise":
        limit = min(limit, 280)
    name = _name(comment)
    parts: list[Part] = [_say(lang, "greet", 0, name=name) if name else _say(lang, "greet_anon", 0)]
    topics = detect_topics(masked_text, triage.intent)
    comment_terms = set(analyze(masked_text))
    cands, picker, questions = answer_inputs(masked_text, triage, ctx)
    used: set[str] = set()
    unknowns: list[str] = []
    escalations = set(triage.escalate_to)

    # Legal threats and journalists get a holding line (no argument); a factual question escalated with
    # them ("when will the investigation end?") is still answered from approved knowledge (see _holding).
    guideline_text = " ".join(h.text for h in ctx.guideline)
    if "legal" in escalations or "press" in escalations:
        # A journalist gets the press office and the public facts they asked for, unless the guideline keeps
        # figures for the press office ("never give figures or quotes yourself"); a customer's question that
        # merely sounds like the press ("the investigation") is answered.
        journalist = JOURNALIST.search(fold(masked_text)) is not None
        quiet = journalist and GUIDELINE_NO_PRESS_FACTS.search(guideline_text) is not None
        return _holding(parts, escalations, [] if quiet else questions, masked_text, picker, lang, limit,
                        signature, unknowns, style, journalist=journalist, press_intent=triage.intent == "press")
    own_health = False
    if "safety" in escalations:
        # A short, warm holding reply: what to do now, who to call; the rest goes to the safety team.
        # Someone's own health comes alone; escalated for another reason ("why was there metal in it?"),
        # the question is still answered from approved knowledge before the safety facts. Whether their
        # school, lot or postcode is on the list is answered either way: it decides what they do next.
        own_health = any(t.name == "ate" for t in topics)
        if own_health:
            questions = [q for q in questions if q.kind == "item"]
        topics = [TOPIC["ate"]]

    # "Was anyone hurt?" asks about others; "my son ate some" is the author's own worry.
    own = FIRST_PERSON.search(fold(masked_text)) is not None
    feeling = next((t for t in topics if t.name in FEELING_TOPICS and (own or t.name != "ate")), None)
    if not questions and (triage.intent == "praise" or THANKS.match(fold(masked_text))) \
            and triage.sentiment != "negative" and not HARM_DONE.search(fold(masked_text)):
        # Thanks get thanks: not an answer to a question nobody asked ("updates" in "thanks for the updates").
        topics = []
        parts.append(_say(lang, "thanks_praise", 1))
    elif "safety" in escalations or triage.intent == "safety":
        parts.append(Part(DraftSentence(text=TOPICS[0].ack[lang]), 2))
    elif triage.intent == "rumour":
        parts.append(_say(lang, "ack_rumour", 2))
    elif feeling is not None:
        # On a short platform a second fact of the answer outlasts the acknowledgement.
        parts.append(Part(DraftSentence(text=feeling.ack[lang]), 4 if limit > SHORT_PLATFORM else 5))
    elif questions:
        pass  # a question is acknowledged best by its answer
    elif topics and topics[0].pattern.search(masked_text):
        parts.append(Part(DraftSentence(text=topics[0].ack[lang]), 4))
    elif not (triage.sentiment == "negative" or triage.intent == "complaint") \
            or not GUIDELINE_APOLOGY.search(guideline_text):
        # A concern the author did not raise ("you guys are a joke" defaults to the scope facts) gets no
        # "You want to know whether you are concerned."; a complaint gets the apology below instead.
        parts.append(_say(lang, "ack_generic", 4))

    negative = triage.sentiment == "negative" or triage.intent in ("complaint", "safety")
    already_sorry = any(w in fold(p.sentence.text) for p in parts for w in ("sorry", "desole"))
    if (negative or style == "empathetic") and GUIDELINE_APOLOGY.search(guideline_text) and not already_sorry:
        parts.append(_say(lang, "apology", 2 if style == "empathetic" else 6))
    if style == "empathetic":
        parts.append(_say(lang, "empathy", 3))
    if style == "concise":
        # Straight to the answer: no acknowledgement line, no apology, no sign-off.
        parts = [p for p in parts if p.sentence.sources or p is parts[0]]

    fact_max = max(90, limit // 2)
    # The answer to a question may take more of a short platform than a fact said besides (a phone line
    # with its hours is 160 characters).
    answer_max = max(fact_max, int(limit * ANSWER_SHARE))
    n_facts, unanswered = _answer_all(parts, questions, masked_text, picker, used, lang, answer_max, unknowns,
                                      first_max=max(answer_max, limit - FIRST_ANSWER_ROOM))
    if unanswered and n_facts == 0 and not topic_only(topics):
        parts.append(_say(lang, "no_answer_yet", 2))

    # No question (a statement, a rumour, a complaint): one fact per concern, "not known yet" items stated as such.
    # On short platforms a long sentence would push everything else out: prefer short ones.
    said_unknown = any(c.unknown for c in cands if c.text in used)
    answered_unknown = said_unknown and bool(questions)  # "not known yet" is the answer to a question
    budget, concerns = MAX_FACTS, topics
    if questions and not topic_only(topics):
        # Answered questions come first; one concern the author raised besides (not a default one) may
        # add a fact about what they said ("no receipt" next to "how do I get refunded?"), no filler.
        raised = {t.name for t in TOPICS if t.pattern.search(masked_text)}
        concerns = [t for t in topics if t.name in raised and t.name not in FEELING_TOPICS] if n_facts else []
        budget = n_facts + 1
    for topic in concerns:
        if n_facts >= budget:
            break
        want = set(analyze(topic.query))
        c = _best(cands, want, comment_terms, lang, used, unknown=topic.unknown, next_step=False,
                  max_chars=fact_max)
        if c is None and not topic.unknown:
            c = _best(cands, want, comment_terms, lang, used, unknown=False, max_chars=fact_max)
        covered = {k for u in used for k in text_keys(u)} | picker.common
        if c is not None and concerns is not topics and not (c.terms & keyset(comment_terms)) - covered:
            continue  # besides an answer, only a fact about something else the author said ("no receipt")
        if c is None:
            unknowns.append(f"{topic.name}: {masked_text[:160]}")
            if topic.unknown:
                parts.append(_say(lang, "not_in_kb", 6))
            continue
        used.add(c.text)
        n_facts += 1
        part = _fact(c, 1 if topic.name == "ate" else 2 + n_facts)
        if c.unknown and not _NEGATED.match(fold(c.text)) and not said_unknown:
            part.sentence.text = f"{phrase(lang, 'unknown_intro')} {c.text[0].lower()}{c.text[1:]}"
        said_unknown = said_unknown or c.unknown
        parts.append(part)
        if topic.name == "ate":
            # Safety first: the instruction sentence next to it (do not eat / see a doctor).
            extra = _best(cands, want | {"doctor", "medecin", "symptom"}, comment_terms, lang, used,
                          unknown=False, next_step=False)
            if extra is not None:
                used.add(extra.text)
                parts.append(_fact(extra, 5))

    # Thanks get nothing pushed; someone's own health gets the safety facts alone (the rest waits for the
    # safety team): the ranker adds answers only where something is asked or said to answer.
    if not thanked(parts) and not own_health:
        _top_up(parts, resolve(ranker), cands, picker, questions, masked_text, used, lang, triage.intent, fact_max)

    # Whatever says something is not known yet (an answer, a concern, the ranker) comes with the date
    # expected for it when the knowledge gives one.
    for c in [c for c in cands if c.unknown and c.text in used]:
        for x in expected_after(picker, c, used):
            used.add(x.text)
            parts.append(_fact(x, 6))
    if "support" in escalations:
        parts.append(_say(lang, "dm_account", 2))
    if "safety" in escalations:
        parts.append(_say(lang, "safety_handoff", 4))
        if ACUTE.search(fold(masked_text)):
            # "Mon fils de 3 ans a avalé un morceau de métal, il pleure": the emergency services first, in the
            # knowledge's words when it has them in the reply's language.
            line = _best(cands, set(analyze("emergency services call urgences secours appelez 112 15")), comment_terms,
                         lang, used, must=EMERGENCY_LINE)
            first = next((i + 1 for i, p in enumerate(parts) if p.sentence.text == TOPICS[0].ack[lang]), 1)
            if line is not None and line.hit.language == lang:
                used.add(line.text)
                parts.insert(first, _fact(line, 1))
            else:
                parts.insert(first, _say(lang, "emergency", 1))
    # An amount said calls for the way to claim it, written next to it ("up to €300 on receipts. Claims are
    # made at https://.../costs"), whatever other page is given.
    money = {c.hit.chunk_id for c in cands if c.text in used and MONEY.search(c.text)}
    claim = next((c for c in cands if c.hit.chunk_id in money and c.text not in used and not c.unknown
                  and c.hit.language == lang and LINK.search(c.text) and len(c.text) <= max(80, limit // 3)
                  and not ALREADY_SAID.match(c.folded) and not NEGATED.match(c.folded)), None)
    if claim is not None and not thanked(parts):
        used.add(claim.text)
        parts.append(_fact(claim, 4))
    # The next step: hotline, form or link, relevant to what was asked (unless an answer already gave one).
    has_step = any(c.next_step for c in cands if c.text in used)
    if (triage.intent != "praise" or topics or questions) and not has_step and not thanked(parts):
        need = "hotline call phone appeler" if "safety" in escalations else " ".join(
            [t.query for t in topics] + [q.text for q in questions])
        want = set(analyze(need + " hotline form formulaire"))
        # Someone worried about their health needs a number to call; others a page to act on.
        must = CALLABLE if "safety" in escalations else LINK
        step = None
        for pattern in (must, None):
            step = step or _best(cands, want, comment_terms, lang, used, next_step=True, unknown=False,
                                 must=pattern, max_chars=max(80, limit // 3))
        if step is not None:
            used.add(step.text)
            parts.append(_fact(step, 5 if "safety" not in escalations else 1))
    # When the answer is "not known yet", say when the next update comes; so does anything the reply says is
    # not known yet, whoever chose it (the ranker's "the date they come back is not known yet").
    said_unknown = said_unknown or any(c.unknown and not _NEGATED.match(c.folded) for c in cands if c.text in used)
    if unanswered or said_unknown or triage.intent == "rumour":
        nxt = next_update(picker, used, max_chars=max(90, limit // 2))
        if nxt is not None:
            used.add(nxt.text)
            # Where the answer is "not known yet", when we will know is the rest of the answer.
            parts.append(_fact(nxt, 4 if unanswered or answered_unknown else 7))
    if "comms_lead" in escalations:
        parts.append(_say(lang, "influencer", 9))
    return _finish(parts, lang, limit, signature, unknowns, style)


def _top_up(parts: list[Part], ranker: AnswerRanker | None, cands: list[Candidate], picker: Picker,
            questions: list[Question], masked_text: str, used: set[str], lang: str, intent: str,
            fact_max: int) -> None:
    """The sentences the answer ranker scores as answers that the rules did not choose, after the rules'
    answers (a short platform cuts them first)."""
    if ranker is None or not cands:
        return
    x = ranker_features(cands, questions, masked_text, picker, language=lang, intent=intent)
    for c in ranker_pick(ranker, cands, x, used, max_chars=fact_max):
        used.add(c.text)
        parts.append(_fact(c, 6))


def _answer_all(parts: list[Part], questions: list[Question], masked_text: str, picker: Picker, used: set[str],
                lang: str, fact_max: int, unknowns: list[str], first_max: int | None = None) -> tuple[int, bool]:
    """Append the answers, in the order asked (the first one is the last thing a short platform cuts);
    (facts stated, whether a question went unanswered). The first question's answer may be one sentence
    of up to `first_max` characters: on x, the whole of a long answer rather than none."""
    n_facts, unanswered = 0, False
    # The FAQ's own questions too: "can I bring my bike on the bus?" is its "can I take my bike on the bus?".
    asked = list(dict.fromkeys(faq_question(c) for c in picker.cands if c.hit.kind == "faq"))
    sims = similarities([q.text for q in questions], masked_text, [*(c.text for c in picker.cands), *asked])
    hint = set(analyze(masked_text))
    for qi, q in enumerate(questions):
        # Addresses and phone lines with their hours run long; a long sentence answering "how" or "why"
        # is more often a policy paragraph, taken only when nothing shorter answers (an answer that finds
        # nothing has taken nothing: `used` is unchanged for the second try).
        long_max = first_max if qi == 0 and first_max is not None else fact_max
        ans = answer_question(q, picker, used, language=lang, hint=hint, sim=sims[qi],
                              max_chars=long_max if q.kind in LONG_ANSWERS else fact_max)
        if not ans.found and long_max > fact_max:
            ans = answer_question(q, picker, used, language=lang, hint=hint, max_chars=long_max, sim=sims[qi])
        if not ans.found:
            unanswered = True
            unknowns.append(f"{q.kind}: {q.text[:160]}")
            continue
        for si, (text, sources) in enumerate(ans.sentences):
            parts.append(Part(DraftSentence(text=text, sources=sources), 1 if qi == 0 and si == 0 else 3 + qi + si))
            n_facts += 1
    return n_facts, unanswered


def _holding(parts: list[Part], escalations: Collection[str], questions: list[Question], masked_text: str,
             picker: Picker, lang: str, limit: int, signature: str | None, unknowns: list[str],
             style: str, *, journalist: bool, press_intent: bool = False) -> DraftOut:
    """Legal and press: the hand-off line, the answers approved knowledge gives to what was asked (a
    litigant or a customer whose question sounds like the press is told the same public facts as anyone,
    no argument, no "not known" filler); a journalist, or anyone triage reads as the press, gets the press
    office's address, cited."""
    used: set[str] = set()
    if "safety" in escalations:
        parts.append(Part(DraftSentence(text=TOPICS[0].ack[lang]), 1))
    press = "press" in escalations and "legal" not in escalations and journalist
    parts.append(_say(lang, "press" if press else "legal", 1))
    contact = None
    if press or (press_intent and "legal" not in escalations):  # who asks as the press may be the press
        # The press office is the journalist's answer: chosen first, cut last. The public facts they asked
        # for follow, as anyone reading the thread would get them.
        contact = _best(picker.cands, set(analyze("press office journalists media presse journalistes")), set(), lang,
                        used, must=EMAIL)
        if contact is not None:
            used.add(contact.text)
    _answer_all(parts, questions, masked_text, picker, used, lang, max(90, limit // 3), unknowns)
    if contact is not None:
        parts.append(_fact(contact, 1))
    return _finish(parts, lang, limit, signature, unknowns, style)


def thanked(parts: list[Part]) -> bool:
    """Whether the reply is a thank-you (then no hotline or form is pushed at the author)."""
    return any(p.sentence.text in (phrase("en", "thanks_praise"), phrase("fr", "thanks_praise")) for p in parts)


def topic_only(topics: list[Topic]) -> bool:
    """A health concern is answered by its topic (what to do, see a doctor) even when a question came with it."""
    return any(t.name == "ate" for t in topics)


def _finish(parts: list[Part], lang: str, limit: int, signature: str | None, unknowns: list[str],
            style: str = "default") -> DraftOut:
    if style != "concise":
        parts.append(_say(lang, "signoff", 8, signature=signature or phrase(lang, "signature")))
    # Cut the least important parts until the reply fits; the greeting and one answer always stay.
    while len(" ".join(p.sentence.text for p in parts)) > limit and len(parts) > 2:
        worst = max(range(1, len(parts)), key=lambda i: (parts[i].priority, i))
        parts.pop(worst)
    return DraftOut(sentences=[p.sentence for p in parts], unknowns=unknowns)


def render(out: DraftOut) -> str:
    """Join sentences: the greeting on its own line, the sign-off on its own line."""
    texts = [s.text for s in out.sentences]
    if len(texts) >= 2 and texts[0].endswith(","):
        head, body = texts[0], texts[1:]
    else:
        head, body = "", texts
    tail = body.pop() if body and body[-1].startswith("–") else ""
    text = " ".join(body)
    if head:
        text = f"{head} {text}" if len(text) < 200 else f"{head}\n{text}"
    return f"{text}\n{tail}".strip() if tail else text
