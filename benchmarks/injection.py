"""The injection label: share of public attempts flagged and CPU per comment, the guards' patterns alone
(the naive alternative: what shipped before) vs patterns + the learned head.

    python benchmarks/injection.py

Attempts: tests/data/injection_public/public.jsonl (public corpora, never trained on). CPU per comment on
the held-out crises' comments, each read as new (the encoder's and the head's caches cleared), so the
figure is what a comment costs when triage has not already encoded it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.drafting.verify import injection_flags
from assistant.guards import detect_injection
from assistant.text.encoder import _encode_one
from assistant.triage.injection import injection_probability, read_labelled
from assistant.triage.injection_training import ordinary_comments

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def cpu_ms(fn, texts: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for t in texts:
        injection_probability.cache_clear()
        _encode_one.cache_clear()
        start = time.thread_time()
        fn(t)
        times.append(1000 * (time.thread_time() - start))
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def main() -> None:
    attempts = [r for r in read_labelled(DATA / "injection_public" / "public.jsonl") if r.attack]
    injection_flags("warm up")
    for lang in ("en", "fr"):
        texts = [r.text for r in attempts if r.language == lang]
        naive = sum(bool(detect_injection(t)) for t in texts)
        ours = sum(bool(injection_flags(t)) for t in texts)
        print(f"{lang}: attempts flagged, patterns {naive}/{len(texts)} ({naive / len(texts):.1%}), "
              f"patterns + head {ours}/{len(texts)} ({ours / len(texts):.1%}): {ours / max(naive, 1):.2f}x")
    comments = [t for _, t in ordinary_comments(DATA, held_out=True)]
    p_naive, p_ours = cpu_ms(detect_injection, comments), cpu_ms(injection_flags, comments)
    print(f"CPU per comment ({len(comments)} held-out comments) p50/p95: patterns {p_naive[0]:.2f}/{p_naive[1]:.2f} ms,"
          f" patterns + head {p_ours[0]:.2f}/{p_ours[1]:.2f} ms ({p_ours[0] / p_naive[0]:.0f}x at p50)")


if __name__ == "__main__":
    main()
