"""The chat-model provider: a ChatOpenAI factory and ResilientChat, the retry/validation layer.

Retries are ours (tenacity), not the SDK's, so that one policy covers every call: exponential
backoff with jitter, `Retry-After` honoured, a total time budget, and a ProviderUnavailable at the
end that the drafting chain turns into an offline draft flagged as a fallback. Structured output is
validated into the caller's pydantic type, with one repair round-trip before giving up.

Logs never carry prompt or output text: comments contain personal data.

Over 450 lines on purpose: error classification, retry policy, streaming and structured repair are
one state machine around a call; splitting it would spread one call's rules over several files.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, NamedTuple, Protocol, TypeVar, cast

import httpx
import openai
import pydantic
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import SecretStr
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from assistant.config import Settings, _mask_url
from assistant.errors import ProviderUnavailable

try:  # openai>=3 talks through httpx2; its errors can escape mid-stream unwrapped
    import httpx2

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx.TransportError, httpx2.TransportError)
    _HTTP_TIMEOUTS: tuple[type[BaseException], ...] = (httpx.TimeoutException, httpx2.TimeoutException)
except ImportError:  # pragma: no cover - openai<3
    _TRANSPORT_ERRORS, _HTTP_TIMEOUTS = (httpx.TransportError,), (httpx.TimeoutException,)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=pydantic.BaseModel)
_Stream = AsyncGenerator[AIMessageChunk, None]
T = TypeVar("T")

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
# The model's reply could not be turned into the schema; worth one repair round-trip, not a retry.
_INVALID_OUTPUT = (pydantic.ValidationError, json.JSONDecodeError, openai.LengthFinishReasonError,
                   openai.ContentFilterFinishReasonError)
_REASONS = {
    "rate_limited": "rate limited",
    "server_error": "server error",
    "timeout": "timed out",
    "connection": "could not connect",
    "conflict": "conflict",
    "auth": "authentication failed (check OPENAI_API_KEY)",
    "not_found": "model or endpoint not found (check CRISIS_LLM_MODEL and OPENAI_BASE_URL)",
    "bad_request": "request rejected",
    "invalid_output": "the model returned output that does not match the schema",
    "error": "unexpected error",
}


# --- factory ---------------------------------------------------------------------------------------


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The LangChain chat model for `settings.llm_provider`; None for `offline` (see drafting.py)."""
    if settings.llm_provider == "offline":
        return None
    from langchain_openai import ChatOpenAI

    if settings.openai_api_key:
        api_key = settings.openai_api_key.get_secret_value()
    elif settings.openai_base_url:
        api_key = "not-needed"  # local OpenAI-compatible servers ignore it; the SDK insists on one
    else:
        raise ProviderUnavailable(
            "llm_provider=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)",
            reason="not_configured",
        )
    limits = settings.llm_limits
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=SecretStr(api_key),
        base_url=settings.openai_base_url,
        # An httpx Timeout object, not a float: LangChain caches one HTTP client per hashable
        # timeout for the whole process, and that shared pool breaks across event loops (each
        # test, each CLI asyncio.run). Unhashable gives this model its own client.
        timeout=openai.Timeout(limits.timeout_s),
        max_retries=0,  # ResilientChat retries, with one policy and one budget
        stream_chunk_timeout=limits.timeout_s,
        # Bounded, repeatable output: without max_tokens a small model repeats itself until the
        # context is full; temperature 0 and a seed give the same draft for the same comment.
        max_completion_tokens=limits.max_tokens,  # llama.cpp, vLLM and OpenAI take this name
        temperature=settings.llm_temperature,
        seed=settings.llm_seed,
        stream_usage=True,  # token counts for the draft's log line and for `doctor`
        # Compatible servers (vLLM, Ollama, llama.cpp) speak Chat Completions, not Responses.
        use_responses_api=False,
    )


# --- error classification --------------------------------------------------------------------------


class ErrorKind(NamedTuple):
    reason: str  # a key of _REASONS: stable, goes into ProviderUnavailable.extra["reason"]
    retryable: bool


def classify_error(exc: BaseException) -> ErrorKind:
    """Whether a failed call is worth repeating: transient (429, 5xx, timeouts, network) or not."""
    if isinstance(exc, (openai.APITimeoutError, TimeoutError, *_HTTP_TIMEOUTS)):
        return ErrorKind("timeout", True)
    if isinstance(exc, (openai.APIConnectionError, *_TRANSPORT_ERRORS)):
        return ErrorKind("connection", True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code == 429:
            return ErrorKind("rate_limited", True)
        if code == 408:
            return ErrorKind("timeout", True)
        if code == 409:  # OpenAI uses it for transient lock conflicts; its SDK retries it too
            return ErrorKind("conflict", True)
        if code >= 500:
            return ErrorKind("server_error", True)
        if code in (401, 403):
            return ErrorKind("auth", False)
        if code == 404:
            return ErrorKind("not_found", False)
        return ErrorKind("bad_request", False)
    if isinstance(exc, _INVALID_OUTPUT):
        return ErrorKind("invalid_output", False)
    return ErrorKind("error", False)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None if absent/bad."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    return max(0.0, when - (time.time() if now is None else now))


def retry_after_s(exc: BaseException) -> float | None:
    """The server's requested wait, from `retry-after-ms` (OpenAI) or `Retry-After`."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    if (ms := parse_retry_after(headers.get("retry-after-ms"))) is not None:
        return ms / 1000
    return parse_retry_after(headers.get("retry-after"))


# --- resilient calls -------------------------------------------------------------------------------


class RequestLimiter(Protocol):
    """A client-side rate limit every attempt passes through (assistant.batch.limiter)."""

    async def acquire(self, tokens: int) -> None: ...

    async def feedback(self, rate_limited: bool, retry_after_s: float | None) -> None: ...


def estimate_tokens(messages: Sequence[BaseMessage], max_output: int = 600) -> int:
    """A rough token count for the limiter (4 characters a token, plus the expected reply)."""
    return sum(len(str(m.content)) for m in messages) // 4 + max_output


@dataclass
class _Call:
    """One public call (with its retries and its repair): the shared deadline and attempt count."""

    op: str
    deadline: float
    started: float
    stats: CallStats

    @property
    def attempts(self) -> int:
        return self.stats.attempts
    tokens: int = 0  # estimated per attempt, for the rate limiter

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class CallStats:
    """What one public call took and produced, for the draft's log line, `doctor` and benchmarks.
    Counts and times only: never text."""

    attempts: int = 0
    elapsed_s: float = 0.0
    first_token_s: float | None = None  # streams: from the call's start to the first text
    prompt_tokens: int | None = None  # as the server counted them (usage), when it says
    output_tokens: int | None = None
    finish_reason: str | None = None  # "length" means max_tokens cut the output

    def add_usage(self, message: BaseMessage | None) -> None:
        usage = getattr(message, "usage_metadata", None) or {}
        if usage.get("input_tokens"):
            self.prompt_tokens = (self.prompt_tokens or 0) + usage["input_tokens"]
        if usage.get("output_tokens"):
            self.output_tokens = (self.output_tokens or 0) + usage["output_tokens"]
        reason = getattr(message, "response_metadata", {}).get("finish_reason")
        if reason:
            self.finish_reason = reason


class _StopAtDeadline(stop_base):
    """Stop before a sleep that would end past the deadline: the caller's budget is firm."""

    def __init__(self, call: _Call) -> None:
        self.call = call

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.upcoming_sleep >= self.call.remaining()


@dataclass(frozen=True)
class _Structured:
    """One structured answer: the validated value, or what to send back for a repair."""

    value: pydantic.BaseModel | None
    raw_text: str = ""
    error: str = ""  # for the model, in the repair prompt: may quote the reply
    problem: str = ""  # for logs and ProviderUnavailable: never quotes the reply (personal data)


class ResilientChat:
    """Retries, time budget and validated structured output around a LangChain chat model.

        chat = ResilientChat.from_settings(runtime.chat_model, settings)
        draft = await chat.ainvoke_structured(messages, DraftOut)   # -> DraftOut
        async for delta in chat.astream_text(messages): ...

    Every method raises ProviderUnavailable (with extra["reason"]) once the provider keeps failing.
    """

    def __init__(
        self,
        model: BaseChatModel,
        *,
        max_retries: int = 3,
        total_budget_s: float = 45.0,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 8.0,
        provider: str = "openai",
        limiter: RequestLimiter | None = None,
    ) -> None:
        self.model = model
        self.limiter = limiter
        self.max_attempts = max_retries + 1
        self.total_budget_s = total_budget_s
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.provider = provider

    @classmethod
    def from_settings(cls, model: BaseChatModel, settings: Settings, **overrides: Any) -> ResilientChat:
        limits = settings.llm_limits
        options: dict[str, Any] = {
            "max_retries": limits.max_retries,
            "total_budget_s": limits.total_budget_s,
            "provider": settings.llm_provider,
        }
        return cls(model, **(options | overrides))

    # -- public API --

    async def ainvoke(self, messages: Sequence[BaseMessage]) -> AIMessage:
        call = self._new_call("invoke", None, messages)
        message = await self._arun(call, partial(self.model.ainvoke, list(messages)))
        return message if isinstance(message, AIMessage) else AIMessage(content=message.content)

    async def ainvoke_structured(self, messages: Sequence[BaseMessage], schema: type[M],
                                 stats: CallStats | None = None, response_format: dict[str, Any] | None = None) -> M:
        """The model's answer validated into `schema` (json_schema structured output, one repair).
        `response_format` replaces the schema sent (e.g. tighter bounds than `schema` validates)."""
        call = self._new_call("structured", stats, messages)
        runnable = self._structured_runnable(schema, response_format)
        result = await self._arun(call, partial(_astructured_once, runnable, list(messages), schema, call.stats))
        if result.value is None:
            self._log_repair(call, schema)
            repair = _repair(messages, result)
            result = await self._arun(call, partial(_astructured_once, runnable, repair, schema, call.stats))
        return self._structured_result(call, result, schema)

    def invoke_structured(self, messages: Sequence[BaseMessage], schema: type[M],
                          stats: CallStats | None = None, response_format: dict[str, Any] | None = None) -> M:
        """Sync twin of ainvoke_structured, for the CLI and scripts."""
        call = self._new_call("structured", stats, messages)
        runnable = self._structured_runnable(schema, response_format)
        result = self._run(call, partial(_structured_once, runnable, list(messages), schema, call.stats))
        if result.value is None:
            self._log_repair(call, schema)
            repair = _repair(messages, result)
            result = self._run(call, partial(_structured_once, runnable, repair, schema, call.stats))
        return self._structured_result(call, result, schema)

    async def astream_text(self, messages: Sequence[BaseMessage], *, schema: type[pydantic.BaseModel] | None = None,
                           stats: CallStats | None = None,
                           response_format: dict[str, Any] | None = None) -> AsyncIterator[str]:
        """Text deltas as they arrive; with `schema` (or `response_format`), the JSON text of an answer
        constrained to it (response_format json_schema, as a structured call sends it).

        Retried until the first chunk only: after that a retry would repeat text the caller already
        showed, so a mid-stream failure raises ProviderUnavailable. The total budget bounds the whole
        stream, not only its start: a model that keeps writing is cut at the deadline."""
        call = self._new_call("stream", stats, messages)
        fmt = response_format or (json_schema_format(schema) if schema is not None else None)
        model = self.model if fmt is None else self.model.bind(response_format=fmt)
        stream, first = await self._arun(call, partial(_open_stream, model, list(messages)))
        if first is None:
            return
        chunk: AIMessageChunk | None = first
        try:
            while chunk is not None:
                call.stats.add_usage(chunk)
                if chunk.text:
                    if call.stats.first_token_s is None:
                        call.stats.first_token_s = call.elapsed()
                    yield chunk.text
                chunk = await self._next_chunk(call, stream)
        except ProviderUnavailable:
            raise
        except Exception as exc:
            raise self._from_exception(call, exc) from exc
        finally:
            call.stats.elapsed_s = call.elapsed()
            await stream.aclose()  # closes the HTTP response: the server stops generating

    async def _next_chunk(self, call: _Call, stream: _Stream) -> AIMessageChunk | None:
        remaining = call.remaining()
        try:
            if remaining <= 0:
                raise TimeoutError
            async with asyncio.timeout(remaining):
                return await anext(stream)
        except StopAsyncIteration:
            return None
        except TimeoutError:
            why = f"the stream was still running at the end of the total budget of {self.total_budget_s:g}s"
            raise self._unavailable(call, "timeout", why) from None

    stream_text = astream_text

    # -- retry machinery (one policy for sync and async) --

    def _new_call(self, op: str, stats: CallStats | None = None, messages: Sequence[BaseMessage] = ()) -> _Call:
        now = time.monotonic()
        return _Call(op, deadline=now + self.total_budget_s, started=now, stats=stats or CallStats(),
                     tokens=estimate_tokens(messages))

    def _policy(self, call: _Call) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(lambda exc: classify_error(exc).retryable),
            "wait": self._wait,
            "stop": stop_after_attempt(self.max_attempts) | _StopAtDeadline(call),
            "before_sleep": partial(self._log_retry, call),
            "reraise": True,
        }

    def _wait(self, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        hinted = retry_after_s(exc) if exc is not None else None
        if hinted is not None:
            # Honour the server, plus a little jitter so parallel drafts do not return in lockstep.
            return hinted + random.uniform(0, min(1.0, hinted * 0.1))
        # Exponential backoff with "equal jitter": at least half the step, so retries really back off.
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (rs.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)

    async def _arun(self, call: _Call, fn: Callable[[], Awaitable[T]]) -> T:
        async def attempt() -> T:
            call.stats.attempts += 1
            remaining = call.remaining()
            if remaining <= 0:
                raise TimeoutError(f"time budget of {self.total_budget_s}s exhausted")
            # Bounds the whole attempt, not just each HTTP read: a trickling server cannot overrun.
            async with asyncio.timeout(remaining):
                if self.limiter is None:
                    return await fn()
                await self.limiter.acquire(call.tokens)
                try:
                    result = await fn()
                except Exception as exc:
                    if classify_error(exc).reason == "rate_limited":
                        await self.limiter.feedback(True, retry_after_s(exc))
                    raise
                await self.limiter.feedback(False, None)
                return result

        try:
            return await AsyncRetrying(**self._policy(call))(attempt)
        except Exception as exc:
            raise self._from_exception(call, exc) from exc

    def _run(self, call: _Call, fn: Callable[[], T]) -> T:
        def attempt() -> T:
            call.stats.attempts += 1
            if call.remaining() <= 0:
                raise TimeoutError(f"time budget of {self.total_budget_s}s exhausted")
            return fn()

        try:
            return Retrying(**self._policy(call))(attempt)
        except Exception as exc:
            raise self._from_exception(call, exc) from exc

    # -- structured output --

    def _structured_runnable(self, schema: type[pydantic.BaseModel],
                             response_format: dict[str, Any] | None = None) -> Runnable[Any, Any]:
        # json_schema: the API constrains decoding to the schema we send (it may be tighter than the
        # one we validate with); the parser keeps the raw reply so a repair can show it to the model.
        fmt = response_format or json_schema_format(schema)
        return self.model.bind(response_format=fmt) | RunnableLambda(partial(_parse_reply, schema=schema))

    def _structured_result(self, call: _Call, result: _Structured, schema: type[M]) -> M:
        call.stats.elapsed_s = call.elapsed()
        if result.value is None:
            why = f"still invalid after one repair ({schema.__name__}: {result.problem})"
            raise self._unavailable(call, "invalid_output", why)
        return schema.model_validate(result.value)

    # -- errors and logs --

    def _from_exception(self, call: _Call, exc: BaseException) -> ProviderUnavailable:
        kind = classify_error(exc)
        if kind.retryable:
            why = (f"gave up after {call.attempts} attempt(s) in {call.elapsed():.1f}s "
                   f"(max {self.max_attempts} attempts, budget {self.total_budget_s:g}s)")
        else:
            why = "not retried"
        return self._unavailable(call, kind.reason, why, error=exc)

    def _unavailable(self, call: _Call, reason: str, why: str, error: BaseException | None = None
                     ) -> ProviderUnavailable:
        call.stats.elapsed_s = call.elapsed()
        status = _status_of(error)
        what = _REASONS.get(reason, reason) + (f" (HTTP {status})" if status else "")
        log.warning("llm unavailable provider=%s op=%s reason=%s status=%s error=%s attempts=%d "
                    "elapsed_s=%.2f", self.provider, call.op, reason, status,
                    type(error).__name__ if error else "-", call.attempts, call.elapsed())
        return ProviderUnavailable(f"{self.provider} {call.op} failed: {what}; {why}",
                                   reason=reason, status=status, attempts=call.attempts)

    def _log_retry(self, call: _Call, rs: RetryCallState) -> None:
        exc = rs.outcome.exception() if rs.outcome else None
        status = _status_of(exc)
        log.warning("llm retry provider=%s op=%s attempt=%d/%d reason=%s status=%s error=%s wait_s=%.2f "
                    "elapsed_s=%.2f", self.provider, call.op, rs.attempt_number, self.max_attempts,
                    classify_error(exc).reason if exc else "-", status, type(exc).__name__,
                    rs.upcoming_sleep, call.elapsed())

    def _log_repair(self, call: _Call, schema: type[pydantic.BaseModel]) -> None:
        log.warning("llm repair provider=%s op=%s schema=%s elapsed_s=%.2f",
                    self.provider, call.op, schema.__name__, call.elapsed())


def _status_of(exc: BaseException | None) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _parse_reply(message: BaseMessage, schema: type[pydantic.BaseModel]) -> dict[str, Any]:
    """A structured call's reply -> {"raw", "parsed", "parsing_error"} (with_structured_output's shape)."""
    try:
        return {"raw": message, "parsed": schema.model_validate_json(strip_fences(message.text)),
                "parsing_error": None}
    except pydantic.ValidationError as exc:  # invalid JSON is a ValidationError too (json_invalid)
        return {"raw": message, "parsed": None, "parsing_error": exc}


def strip_fences(raw: str) -> str:
    """The reply without a Markdown code fence around it (some models add one even in JSON mode)."""
    raw = raw.strip()
    if raw.startswith("```"):
        raw = raw.split("\n", 1)[1] if "\n" in raw else ""
        raw = raw.rsplit("```", 1)[0]
    return raw


def _interpret(output: Any, schema: type[pydantic.BaseModel], stats: CallStats) -> _Structured:
    """_parse_reply's output -> value, or raw text and error to repair."""
    parsed, raw = output.get("parsed"), output.get("raw")
    stats.add_usage(raw if isinstance(raw, BaseMessage) else None)
    if isinstance(parsed, schema):
        return _Structured(parsed)
    raw_text = raw.text if isinstance(raw, BaseMessage) else ""
    if isinstance(raw, BaseMessage) and raw.response_metadata.get("finish_reason") == "length":
        problem = "the reply was cut off by the length limit"
        return _Structured(None, raw_text, f"{problem}; answer more briefly", problem)
    error = output.get("parsing_error")
    if parsed is not None:  # a dict or another model: validate it ourselves
        try:
            return _Structured(schema.model_validate(parsed, from_attributes=True))
        except pydantic.ValidationError as exc:
            error = exc
    if isinstance(raw, AIMessage) and raw.tool_calls and error is None:
        error = "replied with a tool call instead of the JSON object"
    return _invalid_result(raw_text, error or "no structured output")


def _invalid(exc: BaseException, stats: CallStats) -> _Structured:
    """The openai SDK validates json_schema replies itself and raises; recover the raw reply."""
    raw_text = ""
    response = getattr(exc, "response", None)  # set by langchain-openai on non-API errors
    completion = getattr(exc, "completion", None)  # set by LengthFinishReasonError and friends
    usage = getattr(completion, "usage", None)
    if usage is not None:
        stats.prompt_tokens = (stats.prompt_tokens or 0) + (usage.prompt_tokens or 0)
        stats.output_tokens = (stats.output_tokens or 0) + (usage.completion_tokens or 0)
    if isinstance(exc, openai.LengthFinishReasonError):
        stats.finish_reason = "length"
    try:
        if completion is not None:
            raw_text = completion.choices[0].message.content or ""
        elif response is not None:
            raw_text = response.json()["choices"][0]["message"]["content"] or ""
    except Exception:  # best effort: the repair prompt still carries the error
        raw_text = ""
    return _invalid_result(raw_text, exc)


def _invalid_result(raw_text: str, error: BaseException | str) -> _Structured:
    if isinstance(error, pydantic.ValidationError):
        # pydantic's own text repeats the input; locations and messages are enough, and safe to log.
        problem = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}"
                            for e in error.errors()[:10])
        return _Structured(None, raw_text, problem, problem)
    if isinstance(error, openai.LengthFinishReasonError):
        problem = "the reply was cut off by the length limit"
        return _Structured(None, raw_text, f"{problem}; answer more briefly", problem)
    if isinstance(error, str):
        return _Structured(None, raw_text, error, error)
    # Parser errors (refusal, "no parsed field") may quote the reply: only their type leaves this module.
    return _Structured(None, raw_text, str(error)[:500], type(error).__name__)


async def _astructured_once(runnable: Runnable[Any, Any], messages: list[BaseMessage],
                            schema: type[pydantic.BaseModel], stats: CallStats) -> _Structured:
    try:
        return _interpret(await runnable.ainvoke(messages), schema, stats)
    except _INVALID_OUTPUT as exc:
        return _invalid(exc, stats)


def _structured_once(runnable: Runnable[Any, Any], messages: list[BaseMessage],
                     schema: type[pydantic.BaseModel], stats: CallStats) -> _Structured:
    try:
        return _interpret(runnable.invoke(messages), schema, stats)
    except _INVALID_OUTPUT as exc:
        return _invalid(exc, stats)


@cache
def json_schema_format(schema: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The `response_format` of a structured call (what `with_structured_output(method="json_schema")`
    sends), for a stream that must follow the schema too. Servers that accept it turn it into a grammar.
    Rendered once per schema (~4 ms of CPU each time, a tenth of a batch draft's): callers must not
    change the dict."""
    function = convert_to_openai_tool(schema, strict=True)["function"]
    spec = {"name": function["name"], "description": function.get("description", ""),
            "schema": function["parameters"], "strict": True}
    return {"type": "json_schema", "json_schema": spec}


def _repair(messages: Sequence[BaseMessage], failed: _Structured) -> list[BaseMessage]:
    """The conversation so far, the invalid answer, and a request to correct it."""
    follow_up = [AIMessage(content=failed.raw_text)] if failed.raw_text else []
    instruction = HumanMessage(
        content=(
            "Your previous reply could not be used: it is not a valid JSON object for the required "
            f"schema.\nProblem: {failed.error}\n"
            "Reply again with only the corrected JSON object, following the schema exactly."
        )
    )
    return [*messages, *follow_up, instruction]


async def _open_stream(
    model: Runnable[Any, Any], messages: list[BaseMessage]
) -> tuple[_Stream, AIMessageChunk | None]:
    """Start a stream and wait for its first chunk: the part of streaming that can be retried."""
    stream = cast(_Stream, model.astream(messages))
    try:
        first = await anext(stream)
    except StopAsyncIteration:
        return stream, None
    except BaseException:
        await stream.aclose()
        raise
    return stream, first


# --- doctor ----------------------------------------------------------------------------------------


def provider_status(settings: Settings) -> dict[str, Any]:
    """What `crisis-desk doctor` shows about the chat model: provider, model, endpoint, reachable."""
    if settings.llm_provider == "offline":
        return {"provider": "offline", "model": None, "base_url": None, "ok": True,
                "detail": "deterministic composer, no network"}
    base_url = settings.openai_base_url or DEFAULT_OPENAI_BASE_URL
    status: dict[str, Any] = {"provider": settings.llm_provider, "model": settings.llm_model,
                              "base_url": _mask_url(base_url), "ok": False}
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if key is None and not settings.openai_base_url:
        return status | {"detail": "OPENAI_API_KEY not set"}
    started = time.monotonic()
    try:
        client = openai.OpenAI(api_key=key or "not-needed", base_url=base_url, timeout=2.0, max_retries=0)
        with client:
            served = [m.id for m in client.models.list().data]
    except openai.APIStatusError as exc:
        reason = _REASONS.get(classify_error(exc).reason, "error")
        return status | {"detail": f"GET /models: HTTP {exc.status_code}: {reason}"}
    except openai.OpenAIError as exc:
        return status | {"detail": f"GET /models: {_REASONS[classify_error(exc).reason]}"}
    status |= {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000)}
    # Some compatible servers list nothing or other names: informative, not a failure.
    listed = settings.llm_model in served
    status["detail"] = "reachable" if listed or not served else f"reachable; {settings.llm_model} not listed"
    return status
