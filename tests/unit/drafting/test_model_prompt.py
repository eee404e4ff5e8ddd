"""The reply schema sent to the model: bounded so the longest reply a grammar allows fits in max_tokens."""

from __future__ import annotations

import pytest

from assistant.config import LLM_PROFILES, Settings
from assistant.drafting.model_prompt import ReplyBounds, reply_bounds, reply_format
from assistant.models import PLATFORM_LIMITS

LOCAL = "http://127.0.0.1:8080/v1"


@pytest.mark.parametrize("max_tokens", [16, 64, 96, 200, 400, 512, 700, 2000])
@pytest.mark.parametrize("platform", sorted(PLATFORM_LIMITS))
def test_the_worst_case_fits_max_tokens_and_the_platform(max_tokens: int, platform: str) -> None:
    limits = Settings(llm_provider="openai", OPENAI_BASE_URL=LOCAL, llm_max_tokens=max_tokens).llm_limits
    b = reply_bounds(limits, PLATFORM_LIMITS[platform])
    assert b is not None and b.sentences >= 1
    assert b.worst_case_tokens() <= max(max_tokens, 16 + 30 + 24 + 1)  # one tiny sentence at the very least
    assert b.sentences * b.sentence_chars <= max(PLATFORM_LIMITS[platform], b.sentence_chars)


def test_the_local_profile_allows_a_real_reply_and_the_cloud_profile_is_unbounded() -> None:
    b = reply_bounds(LLM_PROFILES["local"], PLATFORM_LIMITS["facebook"])
    assert b is not None and b.sentences >= 3 and b.sentence_chars == 180
    assert reply_bounds(LLM_PROFILES["cloud"], 2000) is None


def test_the_format_limits_sources_to_the_ids_shown_and_carries_the_bounds() -> None:
    fmt = reply_format(["a::1", "b::2", "a::1"], ReplyBounds(3, 150, 2, 1, 120))
    schema = fmt["json_schema"]["schema"]
    sentence = schema["properties"]["sentences"]["items"]["properties"]
    assert sentence["sources"]["items"]["enum"] == ["a::1", "b::2"] and sentence["sources"]["maxItems"] == 2
    assert sentence["text"]["maxLength"] == 150 and schema["properties"]["sentences"]["maxItems"] == 3
    assert schema["properties"]["unknowns"]["maxItems"] == 1
    assert schema["properties"]["unknowns"]["items"]["maxLength"] == 120


def test_no_sources_shown_means_no_sources_cited_and_unbounded_keeps_the_models_limits() -> None:
    schema = reply_format([], None)["json_schema"]["schema"]
    sentence = schema["properties"]["sentences"]["items"]["properties"]
    assert sentence["sources"]["maxItems"] == 0 and sentence["text"]["maxLength"] == 2000
