"""The LLM triage pass against the fake OpenAI server, through the real openai client and ResilientChat:
unsure comments are read again; the model may add teams, never remove one; any failure keeps the fast
reading with a reason; sure comments and the offline default make no call."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.drafting.chain import draft_reply
from assistant.drafting.llm_triage import PROVIDER, second_reading
from assistant.models import Comment, DraftRequest, Triage
from assistant.runtime import Runtime
from assistant.triage import triage
from tests.fakes.openai_server import delay, invalid_json, reply_json, start_fake_openai, status
from tests.utils.builders import make_keys

pytestmark = pytest.mark.server

# the shipped model hesitates on it (its intent 0.33, safety just under its threshold)
UNSURE = "I was there that night... call me 06 12 34 56 78"
# escalated to safety by the model (its intent about 0.4)
STRANDED = Comment(text="My nan has been sat in the cold hall since 6, nobody answers, who do I complain to?",
                   platform="facebook")


def _settings(tmp_path: Path, base_url: str, **extra: Any) -> Settings:
    return Settings(**{"data_dir": tmp_path / "data", "database_url": f"sqlite:///{tmp_path}/db.sqlite",
                       "llm_provider": "openai", "OPENAI_BASE_URL": base_url, "llm_max_retries": 0,
                       "llm_total_budget_s": 3, "llm_timeout_s": 1, **extra})


def _read(tmp_path: Path, base_url: str, comment: Comment, fast: Triage | None = None, **extra: Any) -> Triage:
    runtime = Runtime(_settings(tmp_path, base_url, **extra))
    return second_reading(runtime.settings, runtime.chat_model, comment, fast or triage(comment))


def test_an_unsure_comment_is_read_again_and_the_model_adds_a_team(tmp_path: Path) -> None:
    comment = Comment(text=UNSURE, platform="x")
    fast = triage(comment)
    assert fast.unsure and "safety" not in fast.escalate_to
    answer = {"intent": "safety", "escalate_to": ["safety"], "reason": "was at the scene tonight, shaken"}
    with start_fake_openai([reply_json(answer)]) as fake:
        out = _read(tmp_path, fake.base_url, comment, fast)
        (request,) = fake.chat_requests
    assert out.provider == PROVIDER and out.intent == "safety" and "safety" in out.escalate_to
    assert out.severity in ("high", "critical") and out.priority > fast.priority and out.should_respond
    assert any(r.startswith("escalate_to=safety: the chat model reads a safety case") for r in out.reasons)
    assert any(r.startswith("intent=safety: decided by the chat model") for r in out.reasons)
    assert request.json_schema is not None  # structured output through json_schema
    user = request.text_of("user")
    assert "<comment>" in user and "06 12 34 56 78" not in user and "[PHONE]" in user  # masked, fenced


def test_the_model_never_removes_a_team_the_fast_layer_raised(tmp_path: Path) -> None:
    fast = triage(STRANDED)
    assert "safety" in fast.escalate_to
    # the shipped model reads this one at the edge of unsure (0.40 since round 24; question 0.41 against safety
    # since round 26, the safety team from its safety head): what is tested is the pass on an unsure safety
    # reading, so the reading is made unsure and safety here rather than by the model's numbers
    fast = fast.model_copy(update={"unsure": fast.unsure or ["the model's intent safety is only 0.40"],
                                   "intent": "safety", "intents": ["safety", *(i for i in fast.intents
                                                                              if i != "safety")]})
    calm = {"intent": "praise", "escalate_to": [], "reason": "nothing to see"}
    with start_fake_openai([reply_json(calm)]) as fake:
        out = _read(tmp_path, fake.base_url, STRANDED, fast)
    assert "safety" in out.escalate_to and out.should_respond  # teams and the reply are never taken away
    # nor is an escalated safety intent (a non-escalated one may change: the test above)
    assert fast.intent == out.intent == "safety" and out.provider == PROVIDER


def test_a_high_stakes_intent_from_the_model_brings_its_team(tmp_path: Path) -> None:
    comment = Comment(text=UNSURE, platform="x")
    with start_fake_openai([reply_json({"intent": "press", "escalate_to": [], "reason": "a reporter"})]) as fake:
        out = _read(tmp_path, fake.base_url, comment)
    assert out.intent == "press" and "press" in out.escalate_to


@pytest.mark.parametrize(("script", "reason"), [
    ([invalid_json(), invalid_json()], "invalid_output"),  # still invalid after the one repair
    ([reply_json({"intent": "panic", "escalate_to": ["police"], "reason": "x"})] * 2, "invalid_output"),
    ([delay(3.0)], "timeout"),
    ([status(500), status(500)], "server_error"),
])
def test_any_failure_keeps_the_fast_reading_with_a_reason(tmp_path: Path, script: list[Any], reason: str) -> None:
    comment = Comment(text=UNSURE, platform="x")
    fast = triage(comment)
    with start_fake_openai(script, default=lambda _request: status(500)) as fake:
        out = _read(tmp_path, fake.base_url, comment, fast)
        assert fake.chat_requests
    assert out.model_dump(exclude={"reasons"}) == fast.model_dump(exclude={"reasons"})
    assert out.reasons[:-1] == fast.reasons
    assert out.reasons[-1].startswith("llm: the second reading failed (") and reason in out.reasons[-1]


def test_sure_comments_the_setting_and_offline_make_no_call(tmp_path: Path) -> None:
    sure = Comment(text="The lift is broken again and my mum is on the 9th floor with her oxygen.")
    assert not triage(sure).unsure
    with start_fake_openai() as fake:
        assert _read(tmp_path, fake.base_url, sure).provider == "rules+model"
        off = _read(tmp_path, fake.base_url, Comment(text=UNSURE), triage_llm=False)
        assert off.provider == "rules+model" and off.unsure
        assert fake.chat_requests == []
    offline = Runtime(Settings(data_dir=tmp_path / "off", database_url=f"sqlite:///{tmp_path}/off.sqlite"))
    assert offline.chat_model is None
    fast = triage(Comment(text=UNSURE))
    assert second_reading(offline.settings, offline.chat_model, Comment(text=UNSURE), fast) == fast


def test_post_triage_reads_an_unsure_comment_again(tmp_path: Path) -> None:
    answer = {"intent": "safety", "escalate_to": ["safety"], "reason": "someone may be at risk"}
    with start_fake_openai([reply_json(answer)]) as fake:
        runtime = Runtime(_settings(tmp_path, fake.base_url))
        keys = make_keys(runtime.db)
        with TestClient(create_app(runtime=runtime)) as client:
            r = client.post("/v1/triage", json={"comment": {"text": UNSURE, "platform": "x"}},
                            headers=keys["agent"].headers)
            sure = client.post("/v1/triage", json={"comment": {"text": "Where is my refund for order 4471?"}},
                               headers=keys["agent"].headers)
        assert len(fake.chat_requests) == 1
    assert r.status_code == 200, r.text
    assert r.json()["provider"] == PROVIDER and "safety" in r.json()["escalate_to"]
    assert sure.status_code == 200 and sure.json()["provider"] == "rules+model"


def test_drafts_get_the_pass_only_when_asked(sample_kb_dir: Path, tmp_path: Path) -> None:
    answer = {"intent": "safety", "escalate_to": ["safety"], "reason": "someone may be at risk"}
    req = DraftRequest(comment=Comment(text=UNSURE, author="Marc", platform="x"))
    for opt_in in (False, True):
        with start_fake_openai([reply_json(answer)] if opt_in else []) as fake:
            runtime = Runtime(_settings(tmp_path, fake.base_url, data_dir=sample_kb_dir, triage_llm_drafts=opt_in))
            d = asyncio.run(draft_reply(runtime, req))
            schemas = [(r.json_schema or {}).get("name") for r in fake.chat_requests]
        assert (d.triage.provider == PROVIDER) is opt_in and ("TriageReading" in schemas) is opt_in
        assert ("safety" in d.triage.escalate_to) is opt_in
