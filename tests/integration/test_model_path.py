"""The model path against the fake server behaving like real local servers: bounded output, a budget
that bounds streams too, streams that carry the schema, withdrawn streams, degenerate output replaced,
sampling sent, `doctor --measure`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.config import LLM_PROFILES, Settings
from assistant.drafting.chain import draft_reply
from assistant.drafting.probe import measure_provider
from assistant.models import Comment, DraftRequest
from assistant.runtime import Runtime
from tests.fakes.openai_server import (
    loop_in_schema,
    reply,
    reply_json,
    runaway,
    schema_or_prose,
    start_fake_openai,
)

pytestmark = pytest.mark.server

GOOD = {"sentences": [{"text": "Hi Jean,", "sources": []},
                      {"text": "Refunds are paid within 14 days of receiving the claim.",
                       "sources": ["policy-refunds-en::4"]},
                      {"text": "– The customer care team", "sources": []}], "unknowns": []}


def _runtime(kb: Path, tmp: Path, url: str, **extra: Any) -> Runtime:
    return Runtime(Settings(**{"data_dir": kb, "database_url": f"sqlite:///{tmp}/db.sqlite", "llm_provider": "openai",
                               "OPENAI_BASE_URL": url, "llm_max_retries": 0, "llm_total_budget_s": 6,
                               "llm_timeout_s": 3, **extra}))


def _req(text: str = "Hi, when do I get my refund?") -> DraftRequest:
    return DraftRequest(comment=Comment(text=text, author="Jean Dupont", platform="facebook"))


def test_sampling_and_output_bound_are_sent(sample_kb_dir: Path, tmp_path: Path) -> None:
    with start_fake_openai([reply_json(GOOD)]) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url), _req()))
        body = fake.chat_requests[0].body
    assert d.provider == "openai"
    assert body["temperature"] == 0 and body["seed"] == 7
    assert body["max_completion_tokens"] == LLM_PROFILES["local"].max_tokens


def test_runaway_output_is_cut_and_falls_back_flagged(sample_kb_dir: Path, tmp_path: Path) -> None:
    with start_fake_openai([runaway('{"sentences": [{"text": "Sorry', " sorry"), runaway()]) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url, llm_max_tokens=64), _req()))
    assert d.fallback and d.flags[0].code == "provider_fallback" and "14 days" in d.text


def test_the_budget_bounds_a_stream(sample_kb_dir: Path, tmp_path: Path) -> None:
    tokens: list[str] = []
    resets: list[str] = []

    async def on_token(t: str) -> None:
        tokens.append(t)

    async def on_reset(r: str) -> None:
        resets.append(r)

    slow = json.dumps(GOOD)[:60] + " and on" * 1000
    with start_fake_openai([reply(slow, per_token_s=0.02)]) as fake:
        started = time.monotonic()
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url, llm_total_budget_s=4),
                                    _req(), on_token=on_token, on_reset=on_reset))
        took = time.monotonic() - started
        assert fake.chat_requests[0].json_schema is not None  # the stream carries response_format
    assert took < 9 and d.fallback and "total budget" in (d.fallback_reason or "")
    assert resets and "withdrawn" in resets[0]  # what the panel showed is withdrawn, the offline draft follows


def test_stream_with_schema_gets_json_not_prose(sample_kb_dir: Path, tmp_path: Path) -> None:
    tokens: list[str] = []

    async def on_token(t: str) -> None:
        tokens.append(t)

    with start_fake_openai([schema_or_prose(GOOD)]) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url), _req(), on_token=on_token))
        assert len(fake.chat_requests) == 1  # no hidden second call
    assert d.provider == "openai" and "14 days" in "".join(tokens)


@pytest.mark.parametrize("text", ["I'm sorry, but I can't assist with that request.",
                                  "Hi Jean, refunds are paid within 14 days. " + "No. " * 27,
                                  "Bonjour Jean, les remboursements sont versés sous 14 jours après la demande."])
def test_degenerate_model_output_is_replaced_by_the_offline_draft(sample_kb_dir: Path, tmp_path: Path,
                                                                   text: str) -> None:
    out = {"sentences": [{"text": text, "sources": []}], "unknowns": ["", "policy-refunds-en::4"]}
    with start_fake_openai([reply_json(out)]) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url), _req()))
    assert d.fallback and "not usable" in (d.fallback_reason or "") and text not in d.text


def test_junk_unknowns_are_dropped_and_said(sample_kb_dir: Path, tmp_path: Path) -> None:
    out = dict(GOOD, unknowns=["", "policy-refunds-en::4", "When will the investigation finish?"])
    with start_fake_openai([reply_json(out)]) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url), _req()))
    assert d.unknowns == ["When will the investigation finish?"]
    assert "unknowns_dropped" in {f.code for f in d.flags}


def test_doctor_measure_reports_speed_and_suggests_limits() -> None:
    paced = reply("Thanks a lot for your message, Jess.", first_token_s=0.3, per_token_s=0.01)
    with start_fake_openai([paced]) as fake:
        m = measure_provider(Settings(llm_provider="openai", OPENAI_BASE_URL=fake.base_url))
    assert m["ok"] and m["first_token_s"] >= 0.3 and m["output_tokens"] >= 5
    assert m["suggest_timeout_s"] >= 10 and m["limits_fit"] is True


def test_a_looping_model_under_the_bounded_grammar_closes_its_json_in_one_call(sample_kb_dir: Path,
                                                                               tmp_path: Path) -> None:
    """What made 6 of 9 real drafts invalid JSON: a looping model, constrained by the schema's grammar,
    is cut by max_tokens inside a 2,000-character string; the repair at temperature 0 loops the same way.
    The local profile's schema bounds every string and array, so the grammar closes the JSON in time."""
    with start_fake_openai([loop_in_schema("Refunds are paid within 14 days. ")] * 2) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url, llm_total_budget_s=20), _req()))
        schema = fake.chat_requests[0].json_schema["schema"]  # type: ignore[index]
        calls = len(fake.chat_requests)
    sentence = schema["properties"]["sentences"]["items"]["properties"]
    assert sentence["text"]["maxLength"] <= 180 and schema["properties"]["sentences"]["maxItems"] <= 4
    assert "policy-refunds-en::4" in sentence["sources"]["items"]["enum"]  # only ids the model was shown
    assert calls == 1  # valid JSON: no repair round
    # The JSON reached the guards, which refuse the loop itself (the offline draft answers).
    assert d.fallback and "not usable" in (d.fallback_reason or "") and "repeated" not in d.text


def test_the_same_loop_without_bounds_is_cut_mid_string(sample_kb_dir: Path, tmp_path: Path) -> None:
    """The contrast (the cloud profile sends DraftOut's own bounds): cut by max_tokens, repaired, cut again."""
    with start_fake_openai([loop_in_schema("Refunds are paid within 14 days. ")] * 2) as fake:
        d = asyncio.run(draft_reply(_runtime(sample_kb_dir, tmp_path, fake.base_url, llm_profile="cloud",
                                             llm_total_budget_s=20), _req()))
        calls = len(fake.chat_requests)
    assert calls == 2 and d.fallback and "cut off by the length limit" in (d.fallback_reason or "")
