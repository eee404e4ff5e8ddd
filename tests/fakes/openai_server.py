"""A scriptable OpenAI-compatible HTTP server for tests that exercise the real `openai` client.

    with start_fake_openai([status(429, retry_after=1), reply_json({"text": "hi"})]) as fake:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=fake.base_url, api_key="test")
        ...
        assert len(fake.chat_requests) == 2

Each POST /v1/chat/completions takes the next behaviour from the queue; when the queue is empty the
`default` callback decides (by default: a valid JSON instance of the requested json_schema, or a
call of the forced tool, or "ok"). Every request is recorded before it is answered, so tests can
assert on what the model saw. stdlib only: the server must keep working when the app is broken.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# --- recorded requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    def text_of(self, role: str) -> str:
        """All `role` message contents joined (string or content-part form)."""
        parts = []
        for m in self.messages:
            if m.get("role") == role:
                parts.append(_content_text(m.get("content")))
        return "\n".join(parts)

    @property
    def stream(self) -> bool:
        return bool((self.body or {}).get("stream"))

    @property
    def json_schema(self) -> dict[str, Any] | None:
        fmt = (self.body or {}).get("response_format") or {}
        return fmt.get("json_schema") if fmt.get("type") == "json_schema" else None


def _content_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# --- behaviours ------------------------------------------------------------------------------------


class Behaviour:
    """One scripted answer to one chat-completion request."""

    def serve(self, exchange: _Exchange) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class _Reply(Behaviour):
    content: str | None = None
    tool_calls: tuple[tuple[str, str], ...] = ()  # (name, JSON arguments)
    first_token_s: float = 0.0  # like a CPU server reading a long prompt before the first token
    per_token_s: float = 0.0

    def serve(self, exchange: _Exchange) -> None:
        exchange.send_completion(self.content, self.tool_calls, first_token_s=self.first_token_s,
                                 per_token_s=self.per_token_s)


@dataclass(frozen=True)
class _Runaway(Behaviour):
    """A small model that never stops: `prefix`, then `unit` again and again until max_tokens (when the
    request sets it) or the context is full, as llama-server does."""

    prefix: str
    unit: str
    context_tokens: int
    per_token_s: float

    def serve(self, exchange: _Exchange) -> None:
        limit = exchange.max_tokens or self.context_tokens
        head = _tokens(self.prefix)
        unit = _tokens(self.unit) or [" "]
        body = (head + unit * (limit // len(unit) + 1))[:limit]
        exchange.send_completion("".join(body), (), per_token_s=self.per_token_s, finish="length")


@dataclass(frozen=True)
class _SchemaOrProse(Behaviour):
    """What a grammar-constrained server does: JSON of the requested schema when `response_format`
    carries one (streamed or not), the model's free prose otherwise."""

    answer: Any
    prose: str

    def serve(self, exchange: _Exchange) -> None:
        content = json.dumps(self.answer, ensure_ascii=False) if exchange.request.json_schema else self.prose
        exchange.send_completion(content, ())


@dataclass(frozen=True)
class _LoopInSchema(Behaviour):
    """What llama-server does with a small model that loops, under the grammar of the requested schema:
    every string is `unit` again and again until the schema's maxLength closes it, every array as long as
    maxItems lets it be, enum values taken from the enum. Without those bounds the first string never
    ends and max_tokens cuts the reply mid-string (finish_reason "length"): invalid JSON."""

    unit: str

    def serve(self, exchange: _Exchange) -> None:
        spec = exchange.request.json_schema or {}
        content = json.dumps(_loop_fill(spec.get("schema", {}), self.unit), ensure_ascii=False)
        exchange.send_completion(content, ())


_ENDLESS = 20_000  # characters a loop writes when nothing in the schema stops it: more than any max_tokens


def _loop_fill(schema: dict[str, Any], unit: str) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _loop_fill(v, unit) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        count = schema.get("maxItems", 30)
        return [_loop_fill(schema.get("items", {}), unit) for _ in range(count)]
    if kind == "string":
        size = schema.get("maxLength", _ENDLESS)
        return (unit * (size // max(1, len(unit)) + 1))[:size]
    return example_from_schema(schema)


@dataclass(frozen=True)
class _Status(Behaviour):
    code: int
    retry_after: float | str | None = None
    message: str | None = None

    def serve(self, exchange: _Exchange) -> None:
        headers = {} if self.retry_after is None else {"Retry-After": _header_value(self.retry_after)}
        kind = _ERROR_TYPES.get(self.code, "server_error")
        message = self.message or f"fake error {self.code}"
        error = {"message": message, "type": kind, "param": None, "code": None}
        exchange.send_json(self.code, {"error": error}, headers)


@dataclass(frozen=True)
class _Delay(Behaviour):
    seconds: float
    then: Behaviour | None

    def serve(self, exchange: _Exchange) -> None:
        if exchange.server.stopping.wait(self.seconds):
            return
        (self.then or exchange.server.default_behaviour(exchange.request)).serve(exchange)


class _Disconnect(Behaviour):
    def serve(self, exchange: _Exchange) -> None:
        exchange.disconnect()


_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                429: "rate_limit_exceeded"}


def _header_value(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def reply(content: str, *, first_token_s: float = 0.0, per_token_s: float = 0.0) -> Behaviour:
    """An assistant message with this text (streamed as word-sized deltas when `stream: true`), cut at
    the request's max_tokens (word-sized tokens) with finish_reason "length", as real servers do.
    `first_token_s`/`per_token_s` pace it like a CPU-bound server."""
    return _Reply(content=content, first_token_s=first_token_s, per_token_s=per_token_s)


def runaway(prefix: str = "", unit: str = " No.", *, context_tokens: int = 8192,
            per_token_s: float = 0.0) -> Behaviour:
    """Output that repeats `unit` until max_tokens or the context limit (2,081 tokens of one apology)."""
    return _Runaway(prefix, unit, context_tokens, per_token_s)


def schema_or_prose(answer: Any, prose: str = "Sure! Here is a reply for the customer.") -> Behaviour:
    """JSON `answer` only when the request carries a json_schema response_format, else prose."""
    return _SchemaOrProse(answer, prose)


def loop_in_schema(unit: str = "We are so sorry. ") -> Behaviour:
    """A looping small model under llama-server's grammar: fills the requested schema up to its bounds."""
    return _LoopInSchema(unit)


def reply_json(obj: Any) -> Behaviour:
    return _Reply(content=json.dumps(obj, ensure_ascii=False))


def tool_call(name: str, args: dict[str, Any]) -> Behaviour:
    return _Reply(content=None, tool_calls=((name, json.dumps(args, ensure_ascii=False)),))


def status(code: int, retry_after: float | str | None = None, message: str | None = None) -> Behaviour:
    """An HTTP error in OpenAI's error shape; `retry_after` is seconds or an HTTP date string."""
    return _Status(code, retry_after, message)


def delay(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Answer late (the client is expected to time out first); then behave like `then` or the default."""
    return _Delay(seconds, then)


def invalid_json(text: str = '{"reply": "unterminated') -> Behaviour:
    return _Reply(content=text)


def disconnect() -> Behaviour:
    """Close the connection without answering."""
    return _Disconnect()


# --- default answers -------------------------------------------------------------------------------


def example_from_schema(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A small valid instance of a JSON schema (the subset pydantic emits)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_from_schema(options[0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {k: example_from_schema(v, defs) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_from_schema(schema.get("items", {}), defs)] * schema.get("minItems", 0)
    if kind == "string":
        return "example".ljust(schema.get("minLength", 0), "x")
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


def echo_schema(request: RecordedRequest) -> Behaviour:
    """Default answer: satisfy the requested json_schema or forced tool, else say "ok"."""
    if (spec := request.json_schema) is not None:
        return reply_json(example_from_schema(spec.get("schema", {})))
    choice = (request.body or {}).get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = choice["function"]["name"]
        for tool in (request.body or {}).get("tools", []):
            if tool.get("function", {}).get("name") == name:
                return tool_call(name, example_from_schema(tool["function"].get("parameters", {})))
    return reply("ok")


# --- the server ------------------------------------------------------------------------------------


class FakeOpenAI:
    def __init__(
        self,
        script: Iterable[Behaviour] = (),
        *,
        default: Callable[[RecordedRequest], Behaviour] = echo_schema,
        models: Iterable[str] = ("gpt-4o-mini",),
    ) -> None:
        self._queue: deque[Behaviour] = deque(script)
        self._lock = threading.Lock()
        self._default = default
        self.models = list(models)
        self.requests: list[RecordedRequest] = []
        self.errors: list[BaseException] = []  # exceptions inside the server: tests assert it stays empty
        self.abandoned = 0  # answers the client stopped reading (cut streams, timeouts) before the end
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        # A short poll interval: shutdown() waits for one poll, and every test starts its own server.
        serve = partial(self._httpd.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def pending(self) -> int:
        """Scripted behaviours not consumed yet."""
        return len(self._queue)

    def enqueue(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def next_behaviour(self, request: RecordedRequest) -> Behaviour:
        self.record(request)
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.default_behaviour(request)

    def default_behaviour(self, request: RecordedRequest) -> Behaviour:
        return self._default(request)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()  # wakes handlers sleeping in delay()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def start_fake_openai(
    script: Iterable[Behaviour] = (),
    *,
    default: Callable[[RecordedRequest], Behaviour] = echo_schema,
    models: Iterable[str] = ("gpt-4o-mini",),
) -> Iterator[FakeOpenAI]:
    """Run a FakeOpenAI on 127.0.0.1:<free port> in a background thread for the `with` block."""
    with FakeOpenAI(script, default=default, models=models) as fake:
        yield fake


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping in delay() must not hold up close()
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the openai client's pool expects
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures anyway
        pass

    def do_GET(self) -> None:
        request = self._read_request()
        self.server.fake.record(request)
        exchange = _Exchange(self, request)
        if request.path.rstrip("/").endswith("/models"):
            models = self.server.fake.models
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in models]
            exchange.send_json(200, {"object": "list", "data": data})
        else:
            exchange.send_json(404, {"error": {"message": f"no route {request.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        request = self._read_request()
        exchange = _Exchange(self, request)
        if not request.path.rstrip("/").endswith("/chat/completions"):
            self.server.fake.record(request)
            exchange.send_json(404, {"error": {"message": f"no route {request.path}", "type": "not_found"}})
            return
        try:
            self.server.fake.next_behaviour(request).serve(exchange)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): expected in retry tests
            self.server.fake.abandoned += 1
        except Exception as exc:  # surfaced through fake.errors so a test can fail on it
            self.server.fake.errors.append(exc)
            raise

    def _read_request(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        return RecordedRequest(self.command, self.path, headers, body)


@dataclass
class _Exchange:
    """Writes answers in the wire format of api.openai.com (JSON or SSE chunks)."""

    handler: _Handler
    request: RecordedRequest
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def server(self) -> FakeOpenAI:
        return self.handler.server.fake

    @property
    def _id(self) -> str:
        return f"chatcmpl-fake-{len(self.server.requests)}"

    @property
    def _model(self) -> str:
        return str((self.request.body or {}).get("model", "fake-model"))

    def send_json(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.handler.send_response(code)
        self.handler.send_header("Content-Type", "application/json")
        self.handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def disconnect(self) -> None:
        self.handler.close_connection = True
        self.handler.connection.shutdown(socket.SHUT_RDWR)

    @property
    def max_tokens(self) -> int | None:
        body = self.request.body or {}
        value = body.get("max_completion_tokens", body.get("max_tokens"))
        return value if isinstance(value, int) and value > 0 else None

    def send_completion(self, content: str | None, tool_calls: tuple[tuple[str, str], ...], *,
                        first_token_s: float = 0.0, per_token_s: float = 0.0, finish: str | None = None) -> None:
        finish = finish or ("tool_calls" if tool_calls else "stop")
        if content and self.max_tokens is not None and len(tokens := _tokens(content)) > self.max_tokens:
            content, finish = "".join(tokens[: self.max_tokens]), "length"
        calls = [{"id": f"call_fake_{i}", "type": "function", "function": {"name": n, "arguments": a}}
                 for i, (n, a) in enumerate(tool_calls)]
        if self.request.stream:
            self._send_stream(content, calls, finish, first_token_s, per_token_s)
            return
        if self.server.stopping.wait(first_token_s + per_token_s * len(_tokens(content or ""))):
            return
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        self.send_json(200, {
            "id": self._id, "object": "chat.completion", "created": self.created, "model": self._model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": self._usage(content, calls), "system_fingerprint": None,
        })

    def _send_stream(self, content: str | None, calls: list[dict[str, Any]], finish: str,
                     first_token_s: float = 0.0, per_token_s: float = 0.0) -> None:
        self.handler.send_response(200)
        self.handler.send_header("Content-Type", "text/event-stream")
        self.handler.send_header("Cache-Control", "no-cache")
        self.handler.send_header("Transfer-Encoding", "chunked")
        self.handler.end_headers()
        self._event(self._chunk({"role": "assistant", "content": "", "refusal": None}))
        if self.server.stopping.wait(first_token_s):
            return
        for token in _tokens(content or ""):
            if per_token_s and self.server.stopping.wait(per_token_s):
                return
            self._event(self._chunk({"content": token}))
        for i, call in enumerate(calls):
            head = {"index": i, "id": call["id"], "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": ""}}
            self._event(self._chunk({"tool_calls": [head]}))
            for piece in _tokens(call["function"]["arguments"]):
                self._event(self._chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
        self._event(self._chunk({}, finish))
        if ((self.request.body or {}).get("stream_options") or {}).get("include_usage"):
            usage_chunk = self._chunk({}, None)
            usage_chunk.update(choices=[], usage=self._usage(content, calls))
            self._event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # end of chunked body

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": self._id, "object": "chat.completion.chunk", "created": self.created,
                "model": self._model, "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(f"data: {json.dumps(payload)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.handler.wfile.flush()

    def _usage(self, content: str | None, calls: list[dict[str, Any]]) -> dict[str, int]:
        prompt = sum(len(_content_text(m.get("content")).split()) for m in self.request.messages)
        completion = len((content or "").split()) + sum(len(c["function"]["arguments"]) // 4 for c in calls)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _tokens(text: str) -> list[str]:
    """Word-sized deltas that join back to `text` exactly (whitespace kept)."""
    return re.findall(r"\s*\S+|\s+", text)
