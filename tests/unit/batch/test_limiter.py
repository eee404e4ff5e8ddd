"""The adaptive provider limit: paces to the limit, shrinks on 429, honours Retry-After, grows back;
the Redis script follows the same rule as the Python one."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.batch.limiter import GROW, MIN_SHARE, SHRINK, LimitState, LocalLimiter, step_feedback, step_reserve


def test_requests_are_paced_to_the_limit() -> None:
    s = LimitState()
    waits = [step_reserve(s, 100.0, 600, 0, 1) for _ in range(5)]  # 10/s: one every 0.1 s
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_tokens_per_minute_bound_large_requests() -> None:
    s = LimitState()
    waits = [step_reserve(s, 0.0, 0, 60_000, 2_000) for _ in range(3)]  # 1000 tokens/s
    assert waits == pytest.approx([0.0, 2.0, 4.0])


def test_429_shrinks_and_blocks_until_retry_after_then_grows_back() -> None:
    s = LimitState()
    step_feedback(s, 10.0, True, 3.0)
    assert s.share == pytest.approx(SHRINK) and s.blocked_until == 13.0
    assert step_reserve(s, 10.0, 600, 0, 1) == pytest.approx(3.0)
    # Slower after the 429: the interval is 0.1 / share.
    assert step_reserve(s, 10.0, 600, 0, 1) == pytest.approx(3.0 + 0.1 / SHRINK)
    for _ in range(100):
        step_feedback(s, 20.0, False, None)
    assert s.share == 1.0
    for _ in range(50):
        step_feedback(s, 30.0, True, None)
    assert s.share == pytest.approx(MIN_SHARE) and s.blocked_until == 31.0  # no Retry-After: 1 s


async def test_local_limiter_paces_concurrent_callers() -> None:
    limiter = LocalLimiter(6000)  # 100/s
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire(10) for _ in range(21)))
    assert 0.18 < time.monotonic() - started < 0.6


async def test_redis_script_follows_the_python_rule(redis_url: str) -> None:
    import redis.asyncio as aioredis

    from assistant.batch.limiter import RedisLimiter

    client = aioredis.from_url(redis_url)
    try:
        limiter = RedisLimiter(client, 600, 0, key="test:limit")
        await client.delete("test:limit")
        # Reserve 3 slots back to back: the waits grow by 0.1 s like the Python rule.
        waits = [float(await limiter._script(keys=["test:limit"], args=["reserve", 600, 0, 1])) for _ in range(3)]
        assert waits[1] - waits[0] == pytest.approx(0.1, abs=0.02)
        assert waits[2] - waits[1] == pytest.approx(0.1, abs=0.02)
        await limiter.feedback(True, 2.0)
        assert await limiter.share() == pytest.approx(SHRINK)
        wait = float(await limiter._script(keys=["test:limit"], args=["reserve", 600, 0, 1]))
        assert 1.8 < wait <= 2.05
        await limiter.feedback(False, None)
        assert await limiter.share() == pytest.approx(SHRINK + GROW)
    finally:
        await client.aclose()
