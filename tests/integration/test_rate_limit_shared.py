"""With Redis configured, the per-key API rate limit is one limit for every API process."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.runtime import Runtime

pytestmark = pytest.mark.server


def test_two_api_processes_share_one_limit_per_key(redis_url: str, tmp_path: Path) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    settings = dict(data_dir=tmp_path, rate_limit_per_minute=3, redis_url=redis_url)
    first, second = Runtime(Settings(**settings)), Runtime(Settings(**settings))  # type: ignore[arg-type]
    _, token = first.db.create_key("agent", "shared")
    other = second.db.create_key("agent", "other")[1]
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(create_app(runtime=first)) as a, TestClient(create_app(runtime=second)) as b:
            statuses = [c.get("/v1/me", headers=headers).status_code for c in (a, b, a, b)]
            assert statuses == [200, 200, 200, 429]  # a per-process limit would have allowed all four
            limited = b.get("/v1/me", headers=headers)
            assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
            assert a.get("/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200  # per key
    finally:
        first.close()
        second.close()
