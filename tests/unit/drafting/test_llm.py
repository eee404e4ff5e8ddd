"""assistant/llm.py without a server: factory, Retry-After, retry classification, ResilientChat."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from langchain_openai._compat import httpx as sdk_httpx  # httpx2 with openai>=3
from pydantic import BaseModel, SecretStr, ValidationError

from assistant.config import Settings
from assistant.drafting.llm import (
    ResilientChat,
    classify_error,
    json_schema_format,
    make_chat_model,
    parse_retry_after,
    provider_status,
    retry_after_s,
)
from assistant.errors import ProviderUnavailable
from tests.fakes import RealNetworkBlocked, block_real_network
from tests.fakes.chat import FakeChatModel, openai_error, tool_call_message

PERSONAL = "Ana Lopez, 12 rue des Lilas"
MESSAGES: list[BaseMessage] = [SystemMessage("Draft a reply."), HumanMessage(f"<<<{PERSONAL}>>>")]


class Out(BaseModel):
    reply: str
    citations: list[str]


GOOD: dict[str, Any] = {"reply": "Hi", "citations": ["faq#1"]}


def chat_for(model: FakeChatModel, **kwargs: Any) -> ResilientChat:
    options: dict[str, Any] = {"max_retries": 3, "total_budget_s": 5.0, "backoff_base_s": 0.01,
                               "backoff_max_s": 0.02}
    return ResilientChat(model, **(options | kwargs))


# --- factory ---------------------------------------------------------------------------------------

LOCAL_URL = "http://127.0.0.1:9/v1"


def openai_settings(**values: Any) -> Settings:
    return Settings(**({"llm_provider": "openai", "OPENAI_BASE_URL": LOCAL_URL} | values))



def test_offline_provider_has_no_chat_model() -> None:
    assert make_chat_model(Settings(llm_provider="offline")) is None


def test_openai_provider_builds_chat_openai_without_sdk_retries() -> None:
    model = make_chat_model(openai_settings(llm_model="m-1", llm_timeout_s=7.0))

    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "m-1"
    assert model.openai_api_base == LOCAL_URL
    assert isinstance(model.request_timeout, openai.Timeout) and model.request_timeout.read == 7.0
    assert model.max_retries == 0
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "sk-test-not-a-real-key"  # the conftest dummy


def test_local_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    model = make_chat_model(openai_settings())

    assert isinstance(model, ChatOpenAI) and isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "not-needed"


def test_openai_without_key_or_base_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ProviderUnavailable, match="OPENAI_API_KEY") as caught:
        make_chat_model(Settings(llm_provider="openai"))
    assert caught.value.extra["reason"] == "not_configured"


def test_offline_status_is_always_ok() -> None:
    assert provider_status(Settings(llm_provider="offline"))["ok"] is True


_REQUEST: Any = sdk_httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")

# --- Retry-After -----------------------------------------------------------------------------------

NOW = 1_750_000_000.0
RETRY_AFTER = {
    "2": 2.0,
    "1.5": 1.5,
    "0": 0.0,
    "-3": 0.0,
    email.utils.formatdate(NOW + 30, usegmt=True): 30.0,
    email.utils.formatdate(NOW - 30, usegmt=True): 0.0,
    "soon": None,
    "": None,
}


@pytest.mark.parametrize(("value", "expected"), RETRY_AFTER.items())
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_prefers_openai_milliseconds_header() -> None:
    response: Any = sdk_httpx.Response(429, headers={"retry-after-ms": "250", "retry-after": "3"},
                                       request=_REQUEST)
    assert retry_after_s(openai.RateLimitError("slow down", response=response, body=None)) == 0.25
    assert retry_after_s(openai_error(503, retry_after="3")) == 3.0
    assert retry_after_s(openai_error(503)) is None
    assert retry_after_s(TimeoutError()) is None


# --- retry classification --------------------------------------------------------------------------



def _validation_error() -> ValidationError:
    try:
        Out.model_validate({})
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


CLASSIFICATION: dict[str, tuple[BaseException, str, bool]] = {
    "429": (openai_error(429), "rate_limited", True),
    "500": (openai_error(500), "server_error", True),
    "503": (openai_error(503), "server_error", True),
    "408": (openai_error(408), "timeout", True),
    "409": (openai_error(409), "conflict", True),
    "400": (openai_error(400), "bad_request", False),
    "422": (openai_error(422), "bad_request", False),
    "401": (openai_error(401), "auth", False),
    "403": (openai_error(403), "auth", False),
    "404": (openai_error(404), "not_found", False),
    "sdk timeout": (openai.APITimeoutError(_REQUEST), "timeout", True),
    "sdk connection": (openai.APIConnectionError(request=_REQUEST), "connection", True),
    "asyncio timeout": (TimeoutError(), "timeout", True),
    "sdk httpx mid-stream": (sdk_httpx.RemoteProtocolError("peer closed"), "connection", True),
    "httpx read timeout": (httpx.ReadTimeout("slow"), "timeout", True),
    "bad output": (_validation_error(), "invalid_output", False),
    "bug": (KeyError("x"), "error", False),
}


@pytest.mark.parametrize(("exc", "reason", "retryable"), CLASSIFICATION.values(), ids=CLASSIFICATION.keys())
def test_classify_error(exc: BaseException, reason: str, retryable: bool) -> None:
    assert classify_error(exc) == (reason, retryable)


# --- ResilientChat with the in-process fake -----------------------------------------------------------


async def test_structured_output_is_validated_into_the_schema() -> None:
    model = FakeChatModel(responses=[GOOD])
    assert await chat_for(model).ainvoke_structured(MESSAGES, Out) == Out(**GOOD)
    assert PERSONAL in model.calls[0].text_of("human")
    assert model.calls[0].kwargs["response_format"] == json_schema_format(Out)


async def test_a_tighter_response_format_is_sent_and_the_reply_still_validated_into_the_schema() -> None:
    tight = json_schema_format(Out)
    tight["json_schema"]["schema"]["properties"]["reply"]["maxLength"] = 5
    model = FakeChatModel(responses=[{"reply": "Hi", "citations": "not a list"}, GOOD])
    assert await chat_for(model).ainvoke_structured(MESSAGES, Out, response_format=tight) == Out(**GOOD)
    assert [c.kwargs["response_format"] for c in model.calls] == [tight, tight]


async def test_a_reply_cut_by_max_tokens_is_named_so_in_the_repair_and_the_error() -> None:
    cut = AIMessage(content='{"reply": "Hi Hi Hi Hi', response_metadata={"finish_reason": "length"})
    model = FakeChatModel(responses=[cut, cut])
    with pytest.raises(ProviderUnavailable, match="cut off by the length limit"):
        await chat_for(model).ainvoke_structured(MESSAGES, Out)
    assert "answer more briefly" in model.calls[1].messages[-1].text


async def test_transient_errors_are_retried_and_logged_without_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = FakeChatModel(responses=[openai_error(503), openai_error(429, retry_after="0"), GOOD])
    with caplog.at_level(logging.WARNING, logger="assistant.drafting.llm"):
        out = await chat_for(model).ainvoke_structured(MESSAGES, Out)

    assert out.reply == "Hi" and len(model.calls) == 3
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("llm retry")]
    assert len(retries) == 2
    assert "attempt=1/4 reason=server_error status=503" in retries[0]
    assert all(PERSONAL not in line for line in caplog.messages)


async def test_permanent_errors_are_not_retried() -> None:
    model = FakeChatModel(responses=[openai_error(401), GOOD])
    with pytest.raises(ProviderUnavailable, match="not retried") as caught:
        await chat_for(model).ainvoke_structured(MESSAGES, Out)

    assert caught.value.extra == {"reason": "auth", "status": 401, "attempts": 1}
    assert len(model.calls) == 1


async def test_attempts_are_bounded_by_max_retries() -> None:
    model = FakeChatModel(responses=[openai_error(500)] * 5)
    with pytest.raises(ProviderUnavailable, match="gave up after 3 attempt"):
        await chat_for(model, max_retries=2).ainvoke(MESSAGES)
    assert len(model.calls) == 3


async def test_a_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    model = FakeChatModel(responses=[openai_error(429, retry_after="30"), GOOD])
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as caught:
        await chat_for(model, total_budget_s=2.0).ainvoke(MESSAGES)

    assert time.monotonic() - started < 0.5
    assert caught.value.extra["reason"] == "rate_limited"


async def test_repair_sends_back_the_reply_and_the_validation_error() -> None:
    model = FakeChatModel(responses=[{"reply": "Hi"}, GOOD])
    out = await chat_for(model).ainvoke_structured(MESSAGES, Out)

    assert out == Out(**GOOD)
    repair = model.calls[1].messages
    assert repair[: len(MESSAGES)] == MESSAGES
    assert json.loads(repair[-2].text) == {"reply": "Hi"}
    assert "citations: Field required" in repair[-1].text


async def test_a_tool_call_instead_of_json_is_repaired() -> None:
    model = FakeChatModel(responses=[tool_call_message("search", {"q": "x"}), GOOD])
    assert await chat_for(model).ainvoke_structured(MESSAGES, Out) == Out(**GOOD)


async def test_invalid_after_repair_is_provider_unavailable_without_the_reply() -> None:
    model = FakeChatModel(responses=[f"not json {PERSONAL}", f"still not json {PERSONAL}"])
    with pytest.raises(ProviderUnavailable) as caught:
        await chat_for(model).ainvoke_structured(MESSAGES, Out)

    assert caught.value.extra["reason"] == "invalid_output"
    assert PERSONAL not in caught.value.detail
    assert len(model.calls) == 2


def test_sync_invoke_structured_shares_the_policy() -> None:
    model = FakeChatModel(responses=[openai_error(502), "{oops", GOOD])
    assert chat_for(model).invoke_structured(MESSAGES, Out) == Out(**GOOD)
    assert len(model.calls) == 3


async def test_stream_yields_deltas_and_retries_only_before_the_first() -> None:
    model = FakeChatModel(responses=[openai_error(500), "Hello Ana, all good."])
    deltas = [d async for d in chat_for(model).astream_text(MESSAGES)]

    assert deltas == ["Hello", " Ana,", " all", " good."]
    assert len(model.calls) == 2


async def test_from_settings_maps_retries_and_budget() -> None:
    settings = Settings(llm_max_retries=5, llm_total_budget_s=12.0)
    chat = ResilientChat.from_settings(FakeChatModel(), settings, backoff_base_s=0.1)

    assert (chat.max_attempts, chat.total_budget_s, chat.backoff_base_s) == (6, 12.0, 0.1)


# --- the conftest guard ----------------------------------------------------------------------------


async def test_guard_blocks_the_real_openai_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = block_real_network(monkeypatch)  # our own list, so conftest's teardown check stays green
    settings = Settings(llm_provider="openai")  # default base URL: api.openai.com
    model = make_chat_model(settings)
    assert model is not None
    with pytest.raises(ProviderUnavailable):  # what the drafting chain would silently fall back on
        await ResilientChat.from_settings(model, settings).ainvoke(MESSAGES)

    assert blocked == ["https://api.openai.com/v1/chat/completions"]


def test_guard_blocks_sync_clients_too(monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = block_real_network(monkeypatch)
    with pytest.raises(RealNetworkBlocked):
        provider_status(Settings(llm_provider="openai"))
    with pytest.raises(RealNetworkBlocked):
        httpx.get("https://example.org/")

    assert blocked == ["https://api.openai.com/v1/models", "https://example.org/"]
