"""API-key authentication, roles and a per-key rate limit. (Key storage lives in store.py.)

Every route except health depends on one of AgentDep / LeadDep / AdminDep.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.errors import Forbidden, RateLimited, Unauthorized
from assistant.review.schemas import Principal, Role

__all__ = ["AdminDep", "AgentDep", "LeadDep", "Principal", "RateLimiter", "Role", "SharedRateLimiter",
           "current_principal", "problem_responses", "require"]

# Declares the scheme in OpenAPI (the "Authorize" button in /docs); the check itself is ours below.
_bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                     description="an API key: `crisis-desk keys create --role agent`")

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status", "detail", "code"], "additionalProperties": True,
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "code": {"type": "string"}, "instance": {"type": "string"}},
}
_PROBLEM_TEXT = {400: "the body could not be parsed", 401: "no, invalid or revoked API key",
                 403: "the key's role may not do this",
                 404: "not found", 409: "stale version (the body's `current` is the current draft), a state "
                 "that does not allow this, or approval blocked by a high-severity flag",
                 413: "body too large", 422: "invalid input", 428: "no version (body `version` or If-Match)",
                 429: "rate limit; see Retry-After",
                 503: "a dependency (knowledge base, model provider) is unavailable"}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problem+json errors a route can return (auth ones always)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted({401, 403, 422, 429, *codes}):
        entry: dict[str, Any] = {"description": _PROBLEM_TEXT.get(code, "error"),
                                 "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}}}
        if code == 429:
            entry["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
        out[code] = entry
    return out


class RateLimiter:
    """Token bucket per key: `per_minute` requests in a burst, refilled continuously (in memory,
    per process). 0 disables it."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds until a token is available."""
        if self.capacity <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


class SharedRateLimiter:
    """The same per-key limit shared by every API process through Redis (CRISIS_REDIS_URL): with
    `serve --workers 4` a key still gets its limit once, not four times. A moving window from the
    `limits` library (its Redis storage does the counting atomically)."""

    def __init__(self, per_minute: int, redis_url: str) -> None:
        from limits import RateLimitItemPerMinute
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.item = RateLimitItemPerMinute(max(1, per_minute))
        self.enabled = per_minute > 0
        self.window = MovingWindowRateLimiter(storage_from_string(redis_url))

    def take(self, key: str) -> float:
        if not self.enabled or self.window.hit(self.item, "crisis-api", key):
            return 0.0
        reset = self.window.get_window_stats(self.item, "crisis-api", key).reset_time
        return max(0.1, reset - time.time())


_limiter_lock = threading.Lock()


def _limiter(request: Request) -> RateLimiter | SharedRateLimiter:
    state = request.app.state
    limiter: RateLimiter | SharedRateLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        with _limiter_lock:
            limiter = getattr(state, "rate_limiter", None)
            if limiter is None:
                settings = state.runtime.settings
                limiter = (SharedRateLimiter(settings.rate_limit_per_minute, settings.redis_url)
                           if settings.redis_url else RateLimiter(settings.rate_limit_per_minute))
                state.rate_limiter = limiter
    return limiter


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>' (create one with "
                           "`crisis-desk keys create --role agent`)")
    return token.strip()


def current_principal(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal: Principal | None = request.app.state.runtime.db.verify_key(_token(request))
    if principal is None:
        raise Unauthorized("invalid or revoked API key")
    wait = _limiter(request).take(principal.key_id)
    if wait > 0:
        per_minute = request.app.state.runtime.settings.rate_limit_per_minute
        raise RateLimited(f"more than {per_minute} requests per minute with this key "
                          "(CRISIS_RATE_LIMIT_PER_MINUTE)", retry_after=max(1, math.ceil(wait)))
    request.state.principal = principal
    return principal


def require(*roles: Role) -> Callable[[Request], Principal]:
    def dependency(request: Request,
                   _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None) -> Principal:
        principal = current_principal(request)
        if principal.role not in roles:
            raise Forbidden(f"role '{principal.role}' may not do this (needs one of: {', '.join(roles)})")
        return principal

    return dependency


AgentDep = Annotated[Principal, Depends(require("agent", "lead", "admin"))]
LeadDep = Annotated[Principal, Depends(require("lead", "admin"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
