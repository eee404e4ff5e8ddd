"""Request size limits as pure ASGI middleware: headers (count and bytes) and the body, refused with a
problem+json 431 / 413 before the route reads anything.

A body without Content-Length (chunked) is read here, up to the limit, and handed on whole: a route
must never see "the body is too large" as a parse error (FastAPI answers those with a 400). Routes
given their own larger limit (`streamed`: the batch import) get the body as a stream instead, refused
here only when its declared length is over their limit; they count what they read themselves. The
server's HTTP parser also bounds the headers (`crisis-desk serve` runs h11 with `max_header_bytes`);
this check keeps the same limits under any server.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = 32_768, max_headers: int = 100,
                 streamed: dict[tuple[str, str], tuple[int, str]] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed or {}  # (method, path) -> (limit, setting name)
        self.max_header_bytes = max_header_bytes
        self.max_headers = max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers = scope.get("headers") or []
        size = sum(len(k) + len(v) + 4 for k, v in raw_headers)
        if len(raw_headers) > self.max_headers or size > self.max_header_bytes:
            detail = (f"{len(raw_headers)} headers, {size} bytes: the limits are {self.max_headers} headers and "
                      f"{self.max_header_bytes} bytes (CRISIS_MAX_HEADERS, CRISIS_MAX_HEADER_BYTES)")
            await _reject(send, scope, 431, "request_headers_too_large", "Request headers too large", detail)
            return
        headers = dict(raw_headers)
        declared = headers.get(b"content-length")
        own = self.streamed.get((scope.get("method", ""), scope.get("path", "").rstrip("/")))
        if own is not None:
            if declared is not None and declared.isdigit() and int(declared) > own[0]:
                await _reject(send, scope, 413, "payload_too_large", "Payload too large", too_large(*own))
                return
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._too_large(send, scope)
                return
            await self.app(scope, receive, send)  # the server enforces the declared length
            return
        body, more = bytearray(), True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                await self.app(scope, _replay(b"", msg, receive), send)
                return
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._too_large(send, scope)
                return
        await self.app(scope, _replay(bytes(body), None, receive), send)

    async def _too_large(self, send: Send, scope: Scope) -> None:
        await _reject(send, scope, 413, "payload_too_large", "Payload too large",
                      f"request body over {self.max_bytes} bytes (CRISIS_MAX_BODY_BYTES)")


def too_large(limit: int, setting: str) -> str:
    return (f"request body over {limit} bytes ({setting}): nothing was imported; send it in parts, or import the "
            "file with `crisis-desk batch import FILE --incident ID` (no size limit but CRISIS_BATCH_MAX_ROWS)")


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    """A receive() that gives the buffered body once, then whatever the server sends next (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return pending or {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reject(send: Send, scope: Scope, status: int, code: str, title: str, detail: str) -> None:
    body: dict[str, Any] = {"type": f"https://crisis-desk.dev/problems/{code}", "title": title, "status": status,
                            "code": code, "instance": scope.get("path", ""), "detail": detail}
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
