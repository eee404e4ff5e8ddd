"""What small models write that is not a reply: each high, through check_text as well."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.guards import check_text, clean_unknowns
from assistant.guards.degenerate import check_generated

COMMENT = "My kids ate the granola from batch L4821 yesterday and now they have a stomach ache, what should I do?"


@pytest.mark.parametrize(("text", "code"), [
    ("I'm sorry, but I can't assist with that request.", "refusal"),
    ("As an AI language model, I cannot give medical advice.", "refusal"),
    ("Hi Jean, the affected batch is L4821. " + "No. " * 27, "repetition"),
    ("sorry sorry sorry sorry we are so " + "sorry " * 20, "repetition"),
    ("Hi Jean, my kids ate the granola from batch L4821 yesterday and now they have a stomach ache.", "comment_echo"),
    ("Bonjour Jean, le lot L4821 est rappelé, nous sommes désolés pour la gêne.", "wrong_language"),
])
def test_degenerate_text_is_high(text: str, code: str) -> None:
    flags = check_generated(text, language="en", comment=COMMENT)
    assert any(f.code == code and f.severity == "high" for f in flags), flags


def test_a_loop_cut_short_by_the_schema_bounds_is_high() -> None:
    """Real SmolLM2 output under the local profile's 180-character sentences: no full stop, two repeats."""
    text = ("La réponse est une réponse uniquement à la question  La question est une question uniquement à la "
            "question  La question est une question uniquement à la question ")
    assert [f.code for f in check_generated(text, language="fr")] == ["repetition"]


def test_the_same_model_sentence_twice_is_a_loop_even_without_punctuation() -> None:
    part = "Tom we are booked on NV106 tonight with the car"
    flags = check_generated(f"{part} {part}", language="en", parts=[part, part])
    assert [f.code for f in flags] == ["repetition"]
    assert check_generated(part, language="en", parts=[part, "The sailing runs as planned"]) == []


def test_human_texts_and_offline_drafts_stay_far_below_the_trigram_threshold() -> None:
    # Measured: every knowledge paragraph of the repository and every labelled edit <= 0.19, every offline
    # draft of the answers sets <= 0.19; the threshold is 0.3.
    text = ("Hi Ruth, yes: the following sailings are cancelled: NV102, NV104, NV211 and NV213. Every passenger "
            "of a cancelled sailing receives a €40 travel voucher. You can rebook free of charge on any sailing "
            "until 31 January 2027, with the form at https://nordvent.example/disruption. – The Nordvent team")
    assert check_generated(text, language="en") == []


def test_a_normal_reply_is_not_degenerate() -> None:
    text = "Hi Jean, the affected batch is L4821. Please do not eat it and call our free hotline. – The care team"
    assert check_generated(text, language="en", comment=COMMENT) == []


@pytest.mark.parametrize("text", [
    "The [author] is offering a [factsheet-charging-en::1] refund to the [card-holder] for [amount] overcharged.",
    "Hello [first name], your refund is on its way.", "Bonjour {prenom}, merci.", "Hi {{ name }}, sorry.",
    "Dear <customer name>, we are sorry.", "See faq [faq-en::3] for the list.",
])
def test_unfilled_placeholders_and_source_ids_are_high(text: str) -> None:
    flags = check_generated(text, language="en" if "Bonjour" not in text else "fr")
    assert [f.code for f in flags if f.severity == "high"] == ["placeholder"], flags
    assert any(f.code == "placeholder" for f in check_text(text)), "every approvable text gets the check"


@pytest.mark.parametrize("text", ["See [our page](https://example.com/recall) for the list.",
                                  "He wrote 'recal' [sic] in the notice.", "The list [...] is on our page.",
                                  "Refunds come within 6 months [from the date of the charge]."])
def test_links_editorial_brackets_and_asides_are_not_placeholders(text: str) -> None:
    assert all(f.code != "placeholder" for f in check_generated(text, language="en"))


def test_a_sentence_copied_from_the_comment_is_high_unless_quoted() -> None:
    comment = "Franchement, le gamin avait volé quelque chose oui ou non ? Vos vigiles sont des brutes."
    echoed = "Le gamin avait volé quelque chose oui ou non ? Le prochain point sera publié le 8 décembre à 12 h."
    flags = check_generated(echoed, language="fr", comment=comment)
    assert [(f.code, f.severity, f.span) for f in flags] == [("comment_echo", "high", (0, 46))]
    quoted = ("Vous demandez : « le gamin avait volé quelque chose oui ou non ? » L'enquête interne le dira, "
              "et nous publierons ses conclusions sur notre page dès qu'elle sera terminée.")
    assert check_generated(quoted, language="fr", comment=comment) == []
    own_words = "Bonjour, l'enquête est en cours et le prochain point sera publié le 8 décembre."
    assert check_generated(own_words, language="fr", comment=comment) == []


@pytest.mark.parametrize("text", ["We're sorry we made you ill.", "We are sorry our granola made your son sick.",
                                  "Nous sommes désolés, nous vous avons rendu malade.",
                                  "The granola will be back in stores before Christmas."])
def test_admissions_and_availability_promises_are_high(text: str) -> None:
    assert any(f.severity == "high" for f in check_text(text)), check_text(text)


def test_unknowns_keep_only_open_questions() -> None:
    kept, dropped = clean_unknowns(
        ["", "faq-en::3", "The product is safe to eat.", "Batch L4821 is recalled since 28 November.",
         "When will the investigation finish?", "When will the investigation finish?"],
        source_texts=["Batch L4821 is recalled since 28 November."], chunk_ids=["faq-en::3"])
    assert kept == ["When will the investigation finish?"] and len(dropped) == 5


@pytest.mark.parametrize(("url", "profile"), [("http://127.0.0.1:8080/v1", "local"), ("http://10.0.0.5/v1", "local"),
                                              ("http://gpu.local:8000/v1", "local"), (None, "cloud"),
                                              ("https://api.example.com/v1", "cloud")])
def test_auto_profile_follows_the_base_url(url: str | None, profile: str) -> None:
    limits = Settings(OPENAI_BASE_URL=url).llm_limits
    assert limits.profile == profile
    assert Settings(OPENAI_BASE_URL=url, llm_timeout_s=5).llm_limits.timeout_s == 5  # explicit wins
