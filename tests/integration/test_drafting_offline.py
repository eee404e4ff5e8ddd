"""The offline drafter on the sample knowledge: relevant, cited, honest, in the author's language."""

from __future__ import annotations

import asyncio
import re

import pytest

from assistant.drafting.chain import draft_reply
from assistant.errors import PayloadTooLarge
from assistant.models import PLATFORM_LIMITS, Comment, Draft, DraftRequest

NEVER = {"factsheet-recall-v1-en", "statement-recall-draft-en"}


def draft(runtime, text: str, platform: str = "facebook", **kw) -> Draft:
    comment = Comment(text=text, author=kw.pop("author", "Alex Martin"), author_handle="alexm", platform=platform,
                      **kw)
    return asyncio.run(draft_reply(runtime, DraftRequest(comment=comment, incident="recall-2026-11")))


# (text, language, intent, platform, facts the reply must contain (regex), escalation)
CASES = [
    ("Where is my refund?? I sent the form 2 weeks ago and still nothing.", "en", "complaint|question", "facebook",
     [r"14 days"], None),
    # The learned layer decides intent and reads this one as a complaint (0.53); the reply answers it either way.
    ("Rembourser comment ? J'ai 2 paquets du lot L4821 et plus de ticket de caisse", "fr", "question|complaint",
     "instagram", [r"L4821", r"ticket"], None),
    ("Which batches are recalled? Mine says L4822", "en", "question", "x", [r"L4821 and L4822"], None),
    ("Quels lots sont concernés par le rappel ?", "fr", "question", "facebook", [r"L4821 et L4822"], None),
    ("People are saying ALL your cereals have metal in them and you're hiding it", "en", "rumour", "x",
     [r"L4821 and L4822", r"(don't|do not) know"], None),
    ("On dit que tous vos produits sont contaminés, c'est vrai ??", "fr", "rumour", "facebook",
     [r"L4821 et L4822"], None),
    ("Thank you for being so transparent, great job team!", "en", "praise", "instagram", [r"[Tt]hank"], None),
    ("Merci pour votre transparence, bravo à l'équipe !", "fr", "praise", "facebook", [r"[Mm]erci"], None),
    ("My son ate some this morning and now has a stomach ache, what do I do?", "en", "safety", "x",
     [r"doctor", r"0 800 55 12 12"], "safety"),
    ("Ma fille en a mangé hier soir, elle a mal au ventre, que faire ?", "fr", "safety", "facebook",
     [r"médecin", r"0 800 55 12 12"], "safety"),
    # A general question about the danger names nobody of the author's own: one public answer, no safety
    # case (issue 13, round 25: the safety head reads the topic; combine.safety_set_aside sets it aside).
    ("Why was there metal in the granola? What caused it?", "en", "question|complaint", "linkedin",
     [r"metal fragments"], None),
]


@pytest.mark.parametrize(("text", "lang", "intent", "platform", "facts", "escalation"), CASES,
                         ids=[f"{c[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_reply_answers_the_concern_with_cited_current_facts(sample_runtime, text, lang, intent, platform, facts,
                                                           escalation) -> None:
    d = draft(sample_runtime, text, platform)
    assert d.triage is not None and d.triage.intent in intent.split("|")
    assert d.language == lang and d.provider == "offline"
    assert d.text.startswith(("Hi Alex", "Hi @alexm", "Bonjour Alex", "Bonjour @alexm"))
    for fact in facts:
        assert re.search(fact, d.text), f"missing {fact!r} in: {d.text}"
    assert len(d.text) <= PLATFORM_LIMITS[platform]
    assert not NEVER & {c.doc_id for c in d.citations}
    assert all(c.quote and c.chunk_id in d.knowledge_versions for c in d.citations)
    if intent != "praise":
        assert d.citations, "a factual reply cites its sources"
    if escalation:
        assert escalation in d.triage.escalate_to
    # Nothing from outdated or unapproved documents, whatever the question.
    assert "30 days" not in d.text and "€20" not in d.text and "sieve" not in d.text
    assert not [f for f in d.flags if f.severity == "high"], d.flags


def test_every_factual_sentence_is_cited_by_a_chunk_that_contains_it(sample_runtime) -> None:
    d = draft(sample_runtime, "How do I get a refund and do I need the receipt?")
    assert d.citations
    for c in d.citations:
        assert c.quote in sample_runtime.kb.chunk(c.chunk_id).text


@pytest.mark.parametrize("platform", ["x", "tiktok", "instagram", "linkedin"])
def test_length_limits_per_platform(sample_runtime, platform: str) -> None:
    long_q = ("My kids ate it, we bought 4 boxes of batch L4822, how do I get the refund, do I need the "
              "receipt, what caused it, are other products safe, when is the next update?")
    d = draft(sample_runtime, long_q, platform)
    assert 0 < len(d.text) <= PLATFORM_LIMITS[platform]


def test_legal_and_press_get_a_holding_reply_without_facts(sample_runtime) -> None:
    legal = draft(sample_runtime, "My lawyer will sue you, this is a class action in the making.")
    assert "legal" in legal.triage.escalate_to and legal.citations == []
    press = draft(sample_runtime, "Journalist at Le Monde here, writing a story on the recall: how many reports?")
    assert "press" in press.triage.escalate_to and "3 reports" not in press.text
    # Only the press office's address, as the guideline says: no figures, no quotes.
    assert {c.doc_id for c in press.citations} <= {"contact-hotline"} and "press@alpena.example" in press.text


def test_safety_gets_a_short_holding_reply(sample_runtime) -> None:
    d = draft(sample_runtime, "My daughter ate some and now has a stomach ache. Also which batches are recalled?")
    assert "safety" in d.triage.escalate_to
    assert "doctor" in d.text and "0 800 55 12 12" in d.text and "private message" in d.text
    assert "L4822" not in d.text  # the rest waits: the safety team takes it from here


def test_spam_gets_no_draft_unless_forced(sample_runtime) -> None:
    spam = "FREE CRYPTO!!! click http://bit.ly/xyz to win 1000$ 🚀🚀🚀"
    d = draft(sample_runtime, spam)
    assert d.text == "" and d.no_reply_reason and d.citations == []
    forced = asyncio.run(draft_reply(sample_runtime, DraftRequest(comment=Comment(text=spam), force=True)))
    assert forced.text


def test_personal_data_never_echoed(sample_runtime) -> None:
    d = draft(sample_runtime, "My order CMD-2026-00042 refund is late, call me at 06 12 34 56 78 or "
                              "jean.dupont@gmail.com")
    assert "06 12 34 56 78" not in d.text and "jean.dupont" not in d.text and "CMD-2026-00042" not in d.text
    assert "support" in d.triage.escalate_to


def test_variants(sample_runtime) -> None:
    comment = Comment(text="How long does the refund take? Still nothing after 10 days", author="Sam",
                      platform="facebook")
    d = asyncio.run(draft_reply(sample_runtime, DraftRequest(comment=comment, variants=["concise", "empathetic"])))
    concise, empathetic = d.variants
    assert concise.style == "concise" and len(concise.text) <= 280 and len(concise.text) < len(d.text)
    assert "14 days" in concise.text and concise.citations
    assert empathetic.style == "empathetic" and "stressful" in empathetic.text and "sorry" in empathetic.text
    assert "14 days" in empathetic.text and empathetic.citations


def test_oversized_comment_is_refused_not_truncated(sample_runtime) -> None:
    with pytest.raises(PayloadTooLarge, match="limit is 5000"):
        draft(sample_runtime, "a" * 5001)
