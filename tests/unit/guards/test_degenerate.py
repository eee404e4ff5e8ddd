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


def test_a_normal_reply_is_not_degenerate() -> None:
    text = "Hi Jean, the affected batch is L4821. Please do not eat it and call our free hotline. – The care team"
    assert check_generated(text, language="en", comment=COMMENT) == []


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
