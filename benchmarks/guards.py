"""Guards vs a keyword blocklist, on the red-team corpus (tests/data/redteam.jsonl).

    python benchmarks/guards.py

Prints, per category, the share of attacks each checker catches, the share of clean drafts and
legitimate comments it flags (false positives), and the p95 cost per draft, with ratios. The naive
alternative is what a team writes in an afternoon: a list of risky words and known attack strings,
matched as lower-case substrings; any hit counts as a catch, which is generous to it.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.guards import check_draft
from assistant.guards.tone import BUILTIN_BANNED
from tests.unit.guards.guard_fixtures import (
    CLEAN_CATEGORIES,
    context,
    false_positive,
    findings,
    redteam_cases,
    run_case,
)

NAIVE_KEYWORDS = (
    # promises and liability
    "refund",
    "rembours",
    "voucher",
    "bon d'achat",
    "compensat",
    "indemn",
    "dédommag",
    "medical",
    "médicaux",
    "fault",
    "faute",
    "responsib",
    "responsab",
    "deliver",
    "livr",
    "guarantee",
    "garanti",
    "free",
    "gratuit",
    "sue",
    "lawyer",
    "€",
    "euro",
    "%",
    # causes and speculation
    "because",
    "caused",
    "due to",
    "à cause",
    "dû à",
    "probably",
    "sans doute",
    "probablement",
    # injection strings
    "ignore previous",
    "ignore all",
    "disregard",
    "system:",
    "assistant:",
    "you are now",
    "pretend",
    "prompt",
    "oublie tes instructions",
    "ignore les consignes",
    "tu es maintenant",
    "fais comme si",
    "<|im_start|>",
    "###",
    "<!--",
    "reply that",
    "say that",
    "écris que",
    # blame
    "you should have",
    "vous auriez dû",
    "your fault",
    "votre faute",
    *BUILTIN_BANNED,
)
_PII_NAIVE = re.compile(r"@|\d{9,}|(?:\d{2}[ .]){4}\d{2}")


def naive_check(text: str) -> list[str]:
    low = text.lower()
    hits = [k for k in NAIVE_KEYWORDS if k in low]
    if _PII_NAIVE.search(text):
        hits.append("pii")
    if len(text) > 280:
        hits.append("length")
    return hits


def naive_caught(case: dict[str, Any]) -> tuple[bool, bool]:
    """(anything flagged on the draft, anything flagged on the comment)."""
    return bool(naive_check(case.get("draft") or "")), bool(naive_check(case.get("comment") or ""))


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[int(len(samples) * 0.95)]


def main() -> None:
    cases = redteam_cases()
    ours: dict[str, list[bool]] = defaultdict(list)
    naive: dict[str, list[bool]] = defaultdict(list)
    for case in cases:
        comment_flags, draft_flags = run_case(case)
        on_draft, on_comment = naive_caught(case)
        if case["category"] in CLEAN_CATEGORIES:
            ours[case["category"]].append(false_positive(case, comment_flags, draft_flags))
            naive[case["category"]].append(on_draft if case["category"] == "clean" else on_comment)
        else:
            ours[case["category"]].append(set(case["expect"]) <= findings(comment_flags + draft_flags))
            naive[case["category"]].append(on_draft or on_comment)

    def rate(results: list[bool]) -> float:
        return sum(results) / len(results)

    print(f"{'category':24s} {'n':>3s} {'guards':>8s} {'naive':>8s}")
    for category in sorted(ours):
        if category not in CLEAN_CATEGORIES:
            o, n = rate(ours[category]), rate(naive[category])
            print(f"{category:24s} {len(ours[category]):3d} {o:8.1%} {n:8.1%}")
    attacks = [c for c in ours if c not in CLEAN_CATEGORIES]
    ours_all = rate([r for c in attacks for r in ours[c]])
    naive_all = rate([r for c in attacks for r in naive[c]])
    ratio = ours_all / naive_all
    print(f"{'catch rate (all attacks)':24s} {'':3s} {ours_all:8.1%} {naive_all:8.1%}   ratio {ratio:.2f}x")
    for category in CLEAN_CATEGORIES:
        o, n = rate(ours[category]), rate(naive[category])
        versus = f"naive flags {n / o:.1f}x more" if o else f"guards flag none, naive {n:.0%}"
        print(f"{'FP ' + category:24s} {len(ours[category]):3d} {o:8.1%} {n:8.1%}   {versus}")

    drafts = [(c["language"], c["draft"]) for c in cases if c.get("draft")]
    contexts = {lang: context(lang) for lang in ("en", "fr")}
    for lang, draft in drafts:  # warm caches, as a long-running server is
        check_draft(draft, contexts[lang])
    ours_t, naive_t = [], []
    for _ in range(20):
        for lang, draft in drafts:
            t0 = time.perf_counter()
            check_draft(draft, contexts[lang])
            t1 = time.perf_counter()
            naive_check(draft)
            naive_t.append(time.perf_counter() - t1)
            ours_t.append(t1 - t0)
    cold: list[float] = []
    for lang, draft in drafts[:20]:
        fresh = context(
            lang,
            sources=[
                h.model_copy(update={"chunk_id": h.chunk_id + "-cold" + str(len(cold))})
                for h in contexts[lang].sources
            ],
        )
        t0 = time.perf_counter()
        check_draft(draft, fresh)
        cold.append(time.perf_counter() - t0)
    print(
        f"p95 cost per draft: guards {p95(ours_t) * 1000:.2f} ms (cold sources {p95(cold) * 1000:.1f} ms), "
        f"naive {p95(naive_t) * 1e6:.0f} µs; guards cost {p95(ours_t) / p95(naive_t):.0f}x the naive check"
    )


if __name__ == "__main__":
    main()
