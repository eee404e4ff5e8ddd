"""One adaptive client-side rate limit for the model provider: requests and tokens per minute.

Each call reserves its slot before it is sent (GCRA: the next free start time advances by one
request's share of the minute, and by its estimated tokens' share), so N concurrent drafts pace
themselves to the limit instead of bursting into 429s. A 429 shrinks the rate (x0.7, never under
10 %) and pauses every caller until `Retry-After`; each success grows it back by 2 % of the limit.

Two stores for the same rule: `LocalLimiter` (one process, the embedded runner) and `RedisLimiter`
(one limit shared by every worker process on every machine; the state lives in one Redis hash
updated by a Lua script, with Redis's clock, so the workers' clocks need not agree).
`step_reserve`/`step_feedback` are the rule in Python; the Lua script is the same rule line by line
(tests/unit/batch/test_limiter.py runs one scenario through both).

Imports: core only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Protocol

SHRINK = 0.7
GROW = 0.02
MIN_SHARE = 0.1


class Limiter(Protocol):
    """What ResilientChat needs (assistant.drafting.llm.RequestLimiter)."""

    async def acquire(self, tokens: int) -> None: ...

    async def feedback(self, rate_limited: bool, retry_after_s: float | None) -> None: ...


@dataclass
class LimitState:
    share: float = 1.0  # the fraction of the configured limit in force
    next_request: float = 0.0  # earliest start of the next request (seconds, limiter clock)
    next_token: float = 0.0  # same for the token budget
    blocked_until: float = 0.0  # Retry-After: nobody starts before this


def step_reserve(s: LimitState, now: float, rpm: int, tpm: int, tokens: int) -> float:
    """Reserve the next slot; returns how long the caller waits before sending."""
    start = max(now, s.blocked_until)
    if rpm > 0:
        start = max(start, s.next_request)
        s.next_request = start + 60.0 / (rpm * s.share)
    if tpm > 0:
        start = max(start, s.next_token)
        s.next_token = max(s.next_token, start) + 60.0 * max(1, tokens) / (tpm * s.share)
    return start - now


def step_feedback(s: LimitState, now: float, rate_limited: bool, retry_after_s: float | None) -> None:
    if rate_limited:
        s.share = max(MIN_SHARE, s.share * SHRINK)
        s.blocked_until = max(s.blocked_until, now + (retry_after_s if retry_after_s is not None else 1.0))
    else:
        s.share = min(1.0, s.share + GROW)


class LocalLimiter:
    """In-process limiter (asyncio callers of one process; thread-safe enough: each step is atomic
    under the GIL and holds no await)."""

    def __init__(self, requests_per_minute: int, tokens_per_minute: int = 0) -> None:
        self.rpm, self.tpm = requests_per_minute, tokens_per_minute
        self.state = LimitState()
        self.rate_limited = 0

    async def acquire(self, tokens: int) -> None:
        wait = step_reserve(self.state, time.monotonic(), self.rpm, self.tpm, tokens)
        if wait > 0:
            await asyncio.sleep(wait)

    async def feedback(self, rate_limited: bool, retry_after_s: float | None) -> None:
        self.rate_limited += rate_limited
        step_feedback(self.state, time.monotonic(), rate_limited, retry_after_s)


# KEYS[1] = state hash; ARGV = op ("reserve"|"feedback"), rpm, tpm, tokens | limited, retry_after (-1 = none)
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local share = tonumber(redis.call('HGET', KEYS[1], 'share') or '1')
local nreq = tonumber(redis.call('HGET', KEYS[1], 'next_request') or '0')
local ntok = tonumber(redis.call('HGET', KEYS[1], 'next_token') or '0')
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
local wait = 0
if ARGV[1] == 'reserve' then
  local rpm, tpm, tokens = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local start = math.max(now, blocked)
  if rpm > 0 then
    start = math.max(start, nreq)
    nreq = start + 60.0 / (rpm * share)
  end
  if tpm > 0 then
    start = math.max(start, ntok)
    ntok = math.max(ntok, start) + 60.0 * math.max(1, tokens) / (tpm * share)
  end
  wait = start - now
else
  if ARGV[2] == '1' then
    share = math.max(MIN_SHARE, share * SHRINK)
    local after = tonumber(ARGV[3])
    if after < 0 then after = 1.0 end
    blocked = math.max(blocked, now + after)
  else
    share = math.min(1.0, share + GROW)
  end
end
redis.call('HSET', KEYS[1], 'share', tostring(share), 'next_request', tostring(nreq),
           'next_token', tostring(ntok), 'blocked_until', tostring(blocked))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
""".replace("MIN_SHARE", str(MIN_SHARE)).replace("SHRINK", str(SHRINK)).replace("GROW", str(GROW))


class RedisLimiter:
    """The same limiter shared through Redis by every worker (one key per provider and model)."""

    def __init__(self, redis: Any, requests_per_minute: int, tokens_per_minute: int = 0,
                 key: str = "crisis:provider-limit") -> None:
        self.redis, self.key = redis, key
        self.rpm, self.tpm = requests_per_minute, tokens_per_minute
        self._script = redis.register_script(_LUA)
        self.rate_limited = 0

    async def acquire(self, tokens: int) -> None:
        wait = float(await self._script(keys=[self.key], args=["reserve", self.rpm, self.tpm, tokens]))
        if wait > 0:
            await asyncio.sleep(wait)

    async def feedback(self, rate_limited: bool, retry_after_s: float | None) -> None:
        self.rate_limited += rate_limited
        after = -1.0 if retry_after_s is None else retry_after_s
        await self._script(keys=[self.key], args=["feedback", "1" if rate_limited else "0", after])

    async def share(self) -> float:
        return float(await self.redis.hget(self.key, "share") or 1.0)


def make_limiter(requests_per_minute: int, tokens_per_minute: int, redis: Any | None = None,
                 key: str = "crisis:provider-limit") -> Limiter | None:
    """None when no limit is configured (the provider's 429s and the retries still apply)."""
    if requests_per_minute <= 0 and tokens_per_minute <= 0:
        return None
    if redis is not None:
        return RedisLimiter(redis, requests_per_minute, tokens_per_minute, key)
    return LocalLimiter(requests_per_minute, tokens_per_minute)
