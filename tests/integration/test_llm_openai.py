"""The real ChatOpenAI / openai client against the fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from assistant.config import Settings
from assistant.drafting.llm import ResilientChat, make_chat_model, provider_status
from assistant.errors import ProviderUnavailable
from tests.fakes.openai_server import (
    FakeOpenAI,
    delay,
    disconnect,
    invalid_json,
    reply,
    reply_json,
    start_fake_openai,
    status,
    tool_call,
)

pytestmark = pytest.mark.server

COMMENT = "<<<COMMENT\nMy order 4411 never arrived, I'm Ana.\nCOMMENT>>>"
MESSAGES: list[BaseMessage] = [SystemMessage("You draft replies."), HumanMessage(f"Reply to:\n{COMMENT}")]
GOOD: dict[str, Any] = {"reply": "Hi Ana, we are on it.", "citations": ["faq#1"]}


class Out(BaseModel):
    reply: str
    citations: list[str]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with start_fake_openai() as server:
        yield server
        assert server.errors == []  # nothing blew up inside the server


def settings_for(fake: FakeOpenAI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"llm_provider": "openai", "OPENAI_BASE_URL": fake.base_url,
                              "llm_timeout_s": 2.0, "llm_max_retries": 3, "llm_total_budget_s": 10.0}
    return Settings(**(values | overrides))


def resilient(fake: FakeOpenAI, **overrides: Any) -> ResilientChat:
    settings = settings_for(fake, **overrides)
    model = make_chat_model(settings)
    assert model is not None
    return ResilientChat.from_settings(model, settings, backoff_base_s=0.05, backoff_max_s=0.2)


async def test_plain_completion_sends_what_the_chain_built(fake: FakeOpenAI) -> None:
    fake.enqueue(reply("Hello Ana"))
    message = await resilient(fake).ainvoke(MESSAGES)

    assert message.text == "Hello Ana"
    [request] = fake.chat_requests
    assert request.body["model"] == "gpt-4o-mini"
    assert [m["role"] for m in request.messages] == ["system", "user"]
    assert COMMENT in request.text_of("user") and COMMENT not in request.text_of("system")
    assert request.headers["authorization"] == "Bearer sk-test-not-a-real-key"  # the conftest dummy


async def test_structured_output_uses_json_schema(fake: FakeOpenAI) -> None:
    fake.enqueue(reply_json(GOOD))
    out = await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert out == Out(**GOOD)
    spec = fake.chat_requests[0].json_schema
    assert spec is not None and spec["name"] == "Out" and spec["strict"] is True
    assert set(spec["schema"]["required"]) == {"reply", "citations"}


async def test_default_answer_fits_the_requested_schema(fake: FakeOpenAI) -> None:
    out = await resilient(fake).ainvoke_structured(MESSAGES, Out)
    assert isinstance(out, Out)


async def test_tool_call_output(fake: FakeOpenAI) -> None:
    def lookup_order(order_id: str) -> str:
        """Look an order up."""
        return order_id

    fake.enqueue(tool_call("lookup_order", {"order_id": "4411"}))
    model = make_chat_model(settings_for(fake))
    assert model is not None
    message = await model.bind_tools([lookup_order]).ainvoke(MESSAGES)

    assert message.tool_calls[0]["name"] == "lookup_order"
    assert message.tool_calls[0]["args"] == {"order_id": "4411"}
    assert fake.chat_requests[0].body["tools"][0]["function"]["name"] == "lookup_order"


async def test_streamed_tool_call_is_reassembled(fake: FakeOpenAI) -> None:
    def lookup_order(order_id: str) -> str:
        """Look an order up."""
        return order_id

    fake.enqueue(tool_call("lookup_order", {"order_id": "4411 and more words"}))
    model = make_chat_model(settings_for(fake))
    assert model is not None
    merged: AIMessageChunk | None = None
    async for chunk in model.bind_tools([lookup_order]).astream(MESSAGES):
        assert isinstance(chunk, AIMessageChunk)
        merged = chunk if merged is None else merged + chunk

    assert merged is not None and merged.tool_calls[0]["args"] == {"order_id": "4411 and more words"}


async def test_stream_token_deltas_arrive_in_order(fake: FakeOpenAI) -> None:
    text = "Hi Ana, your parcel left the depot this morning."
    fake.enqueue(reply(text))
    deltas = [d async for d in resilient(fake).astream_text(MESSAGES)]

    assert len(deltas) == len(text.split())
    assert "".join(deltas) == text
    assert fake.chat_requests[0].stream


async def test_stream_is_retried_before_the_first_token(fake: FakeOpenAI) -> None:
    fake.enqueue(status(503), reply("ok then"))
    deltas = [d async for d in resilient(fake).astream_text(MESSAGES)]

    assert "".join(deltas) == "ok then"
    assert len(fake.chat_requests) == 2


async def test_429_waits_for_retry_after_then_succeeds(fake: FakeOpenAI) -> None:
    fake.enqueue(status(429, retry_after=1), reply_json(GOOD))
    started = time.monotonic()
    out = await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert time.monotonic() - started >= 1.0
    assert out.reply == GOOD["reply"]
    assert len(fake.chat_requests) == 2


async def test_500_twice_then_ok(fake: FakeOpenAI) -> None:
    fake.enqueue(status(500), status(502), reply_json(GOOD))
    out = await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert out.reply == GOOD["reply"]
    assert len(fake.chat_requests) == 3 and fake.pending == 0


async def test_dropped_connection_is_retried(fake: FakeOpenAI) -> None:
    fake.enqueue(disconnect(), reply("back"))
    message = await resilient(fake).ainvoke(MESSAGES)

    assert message.text == "back"
    assert len(fake.chat_requests) == 2


async def test_timeout_is_retried(fake: FakeOpenAI) -> None:
    fake.enqueue(delay(3), reply_json(GOOD))
    out = await resilient(fake, llm_timeout_s=0.3).ainvoke_structured(MESSAGES, Out)

    assert out.reply == GOOD["reply"]
    assert len(fake.chat_requests) == 2


async def test_timeouts_until_the_budget_is_spent_raise_provider_unavailable(fake: FakeOpenAI) -> None:
    fake.enqueue(*[delay(5)] * 10)
    chat = resilient(fake, llm_timeout_s=0.3, llm_max_retries=10, llm_total_budget_s=1.0)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as caught:
        await chat.ainvoke_structured(MESSAGES, Out)

    assert time.monotonic() - started < 2.0  # the 1 s budget, not the 11 attempts, ended it
    assert caught.value.extra["reason"] == "timeout"
    assert 2 <= len(fake.chat_requests) == caught.value.extra["attempts"] < 11


async def test_invalid_json_gets_one_repair_then_succeeds(fake: FakeOpenAI) -> None:
    fake.enqueue(invalid_json('{"reply": "Hi Ana'), reply_json(GOOD))
    out = await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert out.reply == GOOD["reply"]
    first, repair = fake.chat_requests
    assert repair.messages[: len(first.messages)] == first.messages
    assert repair.messages[-2] == {"role": "assistant", "content": '{"reply": "Hi Ana'}
    assert "corrected JSON" in repair.messages[-1]["content"]


async def test_json_of_the_wrong_shape_is_repaired_with_the_validation_error(fake: FakeOpenAI) -> None:
    fake.enqueue(reply_json({"reply": "Hi"}), reply_json(GOOD))
    await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert "citations: Field required" in fake.chat_requests[1].messages[-1]["content"]


async def test_invalid_twice_is_a_clear_provider_error(fake: FakeOpenAI) -> None:
    fake.enqueue(invalid_json(), invalid_json())
    with pytest.raises(ProviderUnavailable) as caught:
        await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert caught.value.extra["reason"] == "invalid_output"
    assert "still invalid after one repair" in caught.value.detail
    assert "unterminated" not in caught.value.detail  # the reply may carry personal data
    assert len(fake.chat_requests) == 2  # a bad answer is repaired once, never retried


@pytest.mark.parametrize(("code", "reason"), [(401, "auth"), (400, "bad_request"), (404, "not_found")])
async def test_client_errors_are_not_retried(fake: FakeOpenAI, code: int, reason: str) -> None:
    fake.enqueue(status(code), reply_json(GOOD))
    with pytest.raises(ProviderUnavailable) as caught:
        await resilient(fake).ainvoke_structured(MESSAGES, Out)

    assert caught.value.extra == {"reason": reason, "status": code, "attempts": 1}
    assert len(fake.chat_requests) == 1 and fake.pending == 1


async def test_server_errors_until_attempts_run_out(fake: FakeOpenAI) -> None:
    fake.enqueue(*[status(500)] * 3)
    with pytest.raises(ProviderUnavailable) as caught:
        await resilient(fake, llm_max_retries=2).ainvoke_structured(MESSAGES, Out)

    assert caught.value.extra["reason"] == "server_error" and caught.value.extra["attempts"] == 3
    assert len(fake.chat_requests) == 3


def test_sync_invoke_structured_retries_too(fake: FakeOpenAI) -> None:
    fake.enqueue(status(503), reply_json(GOOD))
    out = resilient(fake).invoke_structured(MESSAGES, Out)

    assert out.reply == GOOD["reply"]
    assert len(fake.chat_requests) == 2


async def test_concurrent_calls_each_get_an_answer(fake: FakeOpenAI) -> None:
    chat = resilient(fake)
    outs = await asyncio.gather(*(chat.ainvoke_structured(MESSAGES, Out) for _ in range(5)))

    assert len(outs) == 5 and len(fake.chat_requests) == 5


def test_provider_status_reaches_the_server(fake: FakeOpenAI) -> None:
    status_ = provider_status(settings_for(fake))

    assert status_["ok"] is True and status_["detail"] == "reachable"
    assert status_["base_url"] == fake.base_url
    assert fake.requests[-1].path == "/v1/models"


def test_provider_status_reports_an_unreachable_server() -> None:
    with start_fake_openai() as server:
        settings = settings_for(server)
    status_ = provider_status(settings)  # the server is closed now

    assert status_["ok"] is False and "GET /models" in status_["detail"]
