"""Against a REAL model: llama.cpp's llama-server with SmolLM2-135M-Instruct (see scripts/local_llm.sh).

Runs when the binary and the model are in the cache (`scripts/local_llm.sh build && scripts/local_llm.sh
model`), skips with the reason otherwise. Checks structure and guards, never wording (the model is tiny).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.drafting.chain import Drafter
from assistant.models import Comment, DraftRequest
from assistant.runtime import Runtime

pytestmark = pytest.mark.server

CACHE = Path(os.environ.get("CRISIS_CACHE_DIR", Path.home() / ".cache/crisis-desk"))
BIN = CACHE / "llama-server-11434.0.0/llama-server"
MODEL = CACHE / "models/SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    if not (BIN.is_file() and MODEL.is_file()):
        pytest.skip(f"no local model: run scripts/local_llm.sh build && scripts/local_llm.sh model ({BIN}, {MODEL})")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN), "-m", str(MODEL), "--host", "127.0.0.1", "--port", str(port), "-c", "4096",
                             "-t", "1", "-np", "1", "--alias", "smollm2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if json.load(r).get("status") == "ok":
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("llama-server did not become healthy in 60 s")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _chat(url: str, **body: object) -> dict:
    req = urllib.request.Request(f"{url}/chat/completions", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"model": "smollm2", **body}).encode())
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)


def test_same_seed_same_text_and_max_tokens_bounds_output(llama_url: str) -> None:
    msgs = [{"role": "user", "content": "Write a long apology to a customer about a recalled granola."}]
    a, b = (_chat(llama_url, messages=msgs, max_completion_tokens=24, temperature=0, seed=7) for _ in range(2))
    assert a["choices"][0]["message"]["content"] == b["choices"][0]["message"]["content"]
    assert a["usage"]["completion_tokens"] <= 24 and a["choices"][0]["finish_reason"] == "length"


def test_a_real_draft_is_bounded_and_either_usable_or_flagged(llama_url: str, sample_kb_dir: Path,
                                                              tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=sample_kb_dir, database_url=f"sqlite:///{tmp_path}/db.sqlite",
                               llm_provider="openai", OPENAI_BASE_URL=llama_url, llm_model="smollm2",
                               llm_max_tokens=96, llm_max_retries=0))
    drafter = Drafter(runtime)
    d = asyncio.run(drafter.draft(DraftRequest(comment=Comment(
        text="Is batch L4821 recalled? I have two boxes.", author="Jess", platform="facebook"))))
    stats = drafter.stats["default"]
    assert stats.output_tokens is not None and stats.output_tokens <= 96 * 2  # one call + at most one repair
    assert d.text
    if d.fallback:  # every fallback says so
        assert d.flags[0].code == "provider_fallback" and d.fallback_reason
    else:
        assert d.provider == "openai" and d.model == "smollm2"


@pytest.mark.parametrize("comment", [
    Comment(text="My kids ate the granola from batch L4821, is it safe? When do I get my refund?", author="Jess",
            platform="facebook"),
    Comment(text="Bonjour, le lot L4822 est-il concerné ? Je veux être remboursée.", author="Claire", platform="x"),
])
def test_the_bounded_schema_makes_the_real_model_close_its_json(llama_url: str, sample_kb_dir: Path, tmp_path: Path,
                                                                comment: Comment) -> None:
    """Before the bounds, 6 of 9 real drafts were cut by max_tokens inside a looping string (invalid JSON, a
    repair that looped again). Now the grammar closes the JSON: one call, finish "stop", valid; the draft
    is the model's, or refused by the guards for what it says, never for its shape."""
    runtime = Runtime(Settings(data_dir=sample_kb_dir, database_url=f"sqlite:///{tmp_path}/db.sqlite",
                               llm_provider="openai", OPENAI_BASE_URL=llama_url, llm_model="smollm2",
                               llm_max_retries=0, llm_max_tokens=256, llm_timeout_s=300, llm_total_budget_s=300))
    drafter = Drafter(runtime)  # 256 tokens: one or two bounded sentences (shape, not speed, is tested here)
    d = asyncio.run(drafter.draft(DraftRequest(comment=comment)))
    stats = drafter.stats["default"]
    assert stats.attempts == 1 and stats.finish_reason == "stop"
    assert stats.output_tokens is not None and stats.output_tokens <= runtime.settings.llm_limits.max_tokens
    assert "schema" not in (d.fallback_reason or "")
    if d.fallback:
        assert "not usable" in (d.fallback_reason or "") and d.flags[0].code == "provider_fallback"
