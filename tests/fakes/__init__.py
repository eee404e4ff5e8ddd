"""Test doubles for the model provider.

- `tests.fakes.openai_server`: an OpenAI-compatible HTTP server, scripted per test (real client code path).
- `tests.fakes.chat`: `FakeChatModel`, an in-process LangChain chat model for unit tests.
- `block_real_network` (here): the global guard tests/conftest.py installs for every test.
"""

from __future__ import annotations

import importlib
import ipaddress
from typing import Any

import pytest

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class RealNetworkBlocked(RuntimeError):
    """A test tried to reach a non-loopback host.

    The openai client and our retry layer turn this into retries and then an offline fallback, so
    raising alone could go unnoticed: the guard also records the URL and the conftest fixture
    fails the test at teardown.
    """


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_non_loopback(request: Any, blocked: list[str]) -> None:
    if not is_loopback(request.url.host):
        url = f"{request.url.scheme}://{request.url.host}{request.url.path}"
        blocked.append(url)
        raise RealNetworkBlocked(
            f"test tried to reach {url}: use the fake OpenAI server (tests/fakes/openai_server.py) "
            "or FakeChatModel (tests/fakes/chat.py)"
        )


def _guarded(original: Any, blocked: list[str]) -> Any:
    def handle_request(self: Any, request: Any) -> Any:
        _refuse_non_loopback(request, blocked)
        return original(self, request)

    return handle_request


def _guarded_async(original: Any, blocked: list[str]) -> Any:
    async def handle_async_request(self: Any, request: Any) -> Any:
        _refuse_non_loopback(request, blocked)
        return await original(self, request)

    return handle_async_request


def block_real_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Dummy credentials, no base URL from the environment, and loopback-only HTTP.

    Patched at transport level in both `httpx` and `httpx2` (the openai SDK >= 3 uses httpx2), so
    every client built later in the test is covered, whatever its settings. Returns the list the
    refused URLs are appended to.
    """
    blocked: list[str] = []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    for name in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_ORG_ID", "OPENAI_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for module_name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        sync, async_ = module.HTTPTransport, module.AsyncHTTPTransport
        monkeypatch.setattr(sync, "handle_request", _guarded(sync.handle_request, blocked))
        guarded_async = _guarded_async(async_.handle_async_request, blocked)
        monkeypatch.setattr(async_, "handle_async_request", guarded_async)
    return blocked

