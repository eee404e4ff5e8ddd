"""`crisis-desk doctor --measure`: how fast the configured model really is, and the limits that suit it.

One streamed request of the size of a real reply prompt (the reply system prompt plus ~600 tokens of
user text, a fresh nonce first so no server-side prompt cache helps), capped at a few output tokens:
time to first token, prompt and output speed as the server counted them (usage), and from those the
per-call timeout and total budget a draft needs. Counts and times only; nothing is stored.

Imports: core and drafting.prompts.
"""

from __future__ import annotations

import math
import time
import uuid
from typing import Any

import openai

from assistant.config import Settings
from assistant.drafting.llm import _REASONS, DEFAULT_OPENAI_BASE_URL, classify_error
from assistant.drafting.prompts import get_prompt

# A reply prompt after trimming (measured with llama.cpp's tokenizer on the sample knowledge: median
# ~1,100 tokens) and a typical structured reply (~250 output tokens).
TYPICAL_PROMPT_TOKENS = 1100
TYPICAL_OUTPUT_TOKENS = 250
PROBE_OUTPUT_TOKENS = 48
_FILLER = ("Batch L4821 of the granola is recalled; customers can claim a refund with the recall form or by "
           "calling the free hotline. If you ate some of the product and have symptoms, see a doctor. ")


def probe_messages() -> list[dict[str, str]]:
    system = get_prompt("reply", "en").system.format(language_name="English")
    user = f"(probe {uuid.uuid4().hex})\n" + _FILLER * 14 + "\nWrite one short sentence thanking the customer."
    return [{"role": "system", "content": f"probe {uuid.uuid4().hex}\n{system}"}, {"role": "user", "content": user}]


def measure_provider(settings: Settings, *, timeout_s: float = 300.0) -> dict[str, Any]:
    """Time to first token, tokens/s (prompt and output) and suggested limits, or why it failed."""
    if settings.llm_provider == "offline":
        return {"ok": True, "detail": "offline composer: nothing to measure"}
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    client = openai.OpenAI(api_key=key, base_url=settings.openai_base_url or DEFAULT_OPENAI_BASE_URL,
                           timeout=timeout_s, max_retries=0)
    started = time.monotonic()
    first: float | None = None
    usage: Any = None
    pieces = 0
    try:
        with client:
            stream = client.chat.completions.create(
                model=settings.llm_model, messages=probe_messages(),  # type: ignore[call-overload]
                max_completion_tokens=PROBE_OUTPUT_TOKENS, temperature=settings.llm_temperature,
                seed=settings.llm_seed, stream=True, stream_options={"include_usage": True})
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    pieces += 1
                    first = first if first is not None else time.monotonic() - started
                if chunk.usage is not None:
                    usage = chunk.usage
    except openai.OpenAIError as exc:
        return {"ok": False, "detail": f"measure: {_REASONS[classify_error(exc).reason]}"}
    total = time.monotonic() - started
    if first is None:
        return {"ok": False, "detail": "measure: the model returned no text"}
    prompt_tokens = getattr(usage, "prompt_tokens", None)
    output_tokens = getattr(usage, "completion_tokens", None) or pieces
    out_tps = (output_tokens - 1) / (total - first) if output_tokens > 1 and total > first else None
    return {"ok": True, "first_token_s": round(first, 2), "prompt_tokens": prompt_tokens,
            "prompt_tokens_per_s": round(prompt_tokens / first, 1) if prompt_tokens else None,
            "output_tokens": output_tokens, "output_tokens_per_s": round(out_tps, 1) if out_tps else None,
            **suggest_limits(settings, first, prompt_tokens, out_tps)}


def suggest_limits(settings: Settings, first_token_s: float, prompt_tokens: int | None,
                   output_tps: float | None) -> dict[str, Any]:
    """A draft's expected time from the measured speeds, and limits with a 2x margin for load."""
    limits = settings.llm_limits
    scale = TYPICAL_PROMPT_TOKENS / prompt_tokens if prompt_tokens else 1.0
    output = min(limits.max_tokens, TYPICAL_OUTPUT_TOKENS) / output_tps if output_tps else 0.0
    expected = first_token_s * scale + output
    timeout = max(10, math.ceil(2 * expected / 5) * 5)
    budget = math.ceil(timeout * (1.5 if limits.max_retries else 1.0) / 5) * 5
    fits = limits.timeout_s >= expected * 1.2 and limits.total_budget_s >= expected * 1.2
    advice = ("current limits fit" if fits else
              f"too tight: set CRISIS_LLM_TIMEOUT_S={timeout} CRISIS_LLM_TOTAL_BUDGET_S={budget}")
    return {"expected_draft_s": round(expected, 1), "suggest_timeout_s": timeout, "suggest_total_budget_s": budget,
            "limits_fit": fits, "advice": advice}
