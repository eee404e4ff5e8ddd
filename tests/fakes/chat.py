"""FakeChatModel: a deterministic in-process LangChain chat model for unit tests.

    model = FakeChatModel(responses=[{"text": "hello"}, openai_error(429)])
    chat = ResilientChat(model)
    ...
    assert "[comment]" in model.calls[0].text

Responses are taken in order, one per call: a str (assistant text), a dict/list (sent as JSON text,
which is what json_schema structured output returns), an AIMessage (e.g. `tool_call_message(...)`),
or an exception instance, which is raised (to drive the retry layer). When the script is empty
the model answers a valid instance of the requested schema, a call of the forced tool, or "ok".

Unlike langchain-core's GenericFakeChatModel it supports `bind_tools` and `with_structured_output`
(json_schema, json_mode and function_calling, include_raw) and records what it received.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_openai._compat import httpx  # the httpx flavour the installed openai SDK uses
from pydantic import BaseModel, Field

from .openai_server import example_from_schema


@dataclass(frozen=True)
class FakeCall:
    messages: list[BaseMessage]
    kwargs: dict[str, Any]  # what was bound: tools, tool_choice, response_format, ...

    @property
    def text(self) -> str:
        """Every message's text, for "did the model see X" assertions."""
        return "\n".join(m.text for m in self.messages)

    def text_of(self, role: str) -> str:
        return "\n".join(m.text for m in self.messages if m.type == role)


def tool_call_message(name: str, args: dict[str, Any]) -> AIMessage:
    call = {"name": name, "args": args, "id": f"call_{name}", "type": "tool_call"}
    return AIMessage(content="", tool_calls=[call])


def openai_error(code: int, retry_after: str | None = None) -> openai.APIStatusError:
    """The exception the openai client raises for an HTTP error, for scripting retries in unit tests."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(code, headers=headers, request=request)
    classes = {400: openai.BadRequestError, 401: openai.AuthenticationError, 404: openai.NotFoundError,
               429: openai.RateLimitError}
    cls = classes.get(code, openai.InternalServerError if code >= 500 else openai.APIStatusError)
    return cls(f"fake HTTP {code}", response=response, body=None)  # type: ignore[arg-type]


class FakeChatModel(BaseChatModel):
    responses: list[Any] = Field(default_factory=list)
    default: Callable[[FakeCall], AIMessage] | None = None
    calls: list[FakeCall] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def enqueue(self, *responses: Any) -> None:
        self.responses.extend(responses)

    def _next_message(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        call = FakeCall(list(messages), dict(kwargs))
        self.calls.append(call)
        if not self.responses:
            return (self.default or _default_answer)(call)
        item = self.responses.pop(0)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, AIMessage):
            return item
        if isinstance(item, dict | list):
            return AIMessage(content=json.dumps(item, ensure_ascii=False))
        return AIMessage(content=str(item))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next_message(messages, kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop, **kwargs)  # no executor thread: keeps tests deterministic

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._next_message(messages, kwargs)
        for token in re.findall(r"\s*\S+|\s+", message.text):
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
        if message.tool_calls:
            chunks = [tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
                      for i, c in enumerate(message.tool_calls)]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._stream(messages, stop, **kwargs):
            yield chunk

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice:
            kwargs["tool_choice"] = {"type": "function", "function": {"name": tool_choice}}
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: str = "json_schema",
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        if method == "function_calling":
            name = convert_to_openai_tool(schema)["function"]["name"]
            llm: Runnable[LanguageModelInput, Any] = self.bind_tools([schema], tool_choice=name)
        else:
            llm = self.bind(response_format=schema)
        parser = RunnableLambda(lambda message: _parse(message, schema))
        if not include_raw:
            return llm | parser
        # Same output shape as ChatOpenAI: {"raw", "parsed", "parsing_error"}.
        with_parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser,
                                                 parsing_error=lambda _: None)
        failed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | with_parsed.with_fallbacks([failed], exception_key="parsing_error")


def _parse(message: AIMessage, schema: dict[str, Any] | type) -> Any:
    data = message.tool_calls[0]["args"] if message.tool_calls else json.loads(message.text)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_validate(data)
    return data


def _json_schema(schema: Any) -> dict[str, Any]:
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, dict):
        if isinstance(schema.get("json_schema"), dict):  # a response_format: {"type": "json_schema", ...}
            schema = schema["json_schema"]
        return dict(schema.get("parameters") or schema.get("schema") or schema)
    return {}


def _default_answer(call: FakeCall) -> AIMessage:
    if (schema := call.kwargs.get("response_format")) is not None:
        return AIMessage(content=json.dumps(example_from_schema(_json_schema(schema))))
    choice = call.kwargs.get("tool_choice")
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        for tool in call.kwargs.get("tools", []):
            if tool["function"]["name"] == name:
                return tool_call_message(name, example_from_schema(tool["function"].get("parameters", {})))
    return AIMessage(content="ok")
