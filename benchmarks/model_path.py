"""The model path on a real model, side by side: our chain vs a naive LangChain RAG chain vs the offline composer.

On the held-out crises of the answers issue (each crisis's own knowledge in a fresh knowledge base),
every comment is drafted three ways:
  chain    our drafting chain with the configured OpenAI-compatible server (streamed, as the side panel
           asks for it; the offline composer answers when the model fails, flagged `provider_fallback`)
  naive    a naive LangChain RAG chain on the same model and server: the top retrieved chunks stuffed
           into one prompt, prompt | ChatOpenAI, streamed; its text is then put through our guards
           (verify_text, the check every person's text gets) so flags compare like for like
  offline  the offline composer alone
and scored with the eval scorer (drafting/evaluate.score_case and summarise, as `crisis-desk eval
answers`): required-facts recall, forbidden claims, high-flag rate, latency; plus what the model did:
drafts it produced vs fallbacks, time to first token, output tokens per draft, and forbidden claims
that no high flag caught (target 0).

Needs a running server, e.g. `scripts/local_llm.sh start` (llama-server + SmolLM2-135M):
    .venv/bin/python benchmarks/model_path.py --base-url http://127.0.0.1:8817/v1 --model smollm2 --limit 24
`--limit N` drafts a stratified subset (the same share of each crisis and language); 0 = every comment.
Numbers only: nothing is stored but the per-comment JSON lines of `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.messages import AIMessageChunk
from langchain_core.prompts import ChatPromptTemplate

from assistant.config import Settings
from assistant.drafting.chain import Drafter
from assistant.drafting.context import comment_context
from assistant.drafting.evaluate import AnswerSet, Case, CaseResult, find_sets, load_set, score_case, summarise
from assistant.drafting.llm import make_chat_model
from assistant.drafting.retrieval import reply_language
from assistant.drafting.verify import verify_text
from assistant.models import Comment, DraftRequest
from assistant.runtime import Runtime
from assistant.triage.classify import triage

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("chain", "naive", "offline")
NAIVE = ChatPromptTemplate.from_messages([
    ("system", "You are the community manager of a company in a crisis. Answer the customer's comment in "
               "{language}, using only the context below. Be brief and kind.\n\nContext:\n{context}"),
    ("human", "{author} wrote: {comment}"),
])


def default_set() -> Path:
    """The held-out answers set (answers_holdout4/: crises nobody tuned on)."""
    return ROOT / "tests/data/answers_holdout4"


def stratified(sets: list[AnswerSet], limit: int) -> dict[str, list[Case]]:
    """Up to `limit` cases over all sets, the same share of each (crisis, language) group, in file order."""
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for s in sets:
        for case in s.cases:
            groups[(s.name, case.language)].append(case)
    total = sum(len(g) for g in groups.values())
    if limit <= 0 or limit >= total:
        return {s.name: list(s.cases) for s in sets}
    picked: dict[str, list[Case]] = defaultdict(list)
    for (name, _), cases in groups.items():
        share = max(1, round(limit * len(cases) / total))
        step = len(cases) / share
        picked[name] += [cases[int(i * step)] for i in range(share)]
    return {s.name: sorted(picked[s.name], key=lambda c: s.cases.index(c)) for s in sets}


class Measured:
    """One draft: the scored result and what the model did."""

    def __init__(self, path: str, result: CaseResult, *, by_model: bool, first_token_s: float | None,
                 output_tokens: int | None, fallback_reason: str | None = None) -> None:
        self.path, self.result, self.by_model = path, result, by_model
        self.first_token_s, self.output_tokens, self.fallback_reason = first_token_s, output_tokens, fallback_reason

    def row(self) -> dict[str, Any]:
        r = self.result
        return {"path": self.path, "id": r.id, "by_model": self.by_model, "ms": round(r.ms),
                "first_token_s": self.first_token_s, "output_tokens": self.output_tokens, "met": r.met,
                "missing": r.missing, "forbidden": r.forbidden, "flags": r.flags,
                "fallback_reason": self.fallback_reason, "text": r.text}


async def draft_chain(runtime: Runtime, s: AnswerSet, case: Case, *, stream: bool, offline: bool) -> Measured:
    drafter = Drafter(runtime)
    if offline:
        drafter.settings = runtime.settings.model_copy(update={"llm_provider": "offline"})
    first: list[float] = []
    started = time.perf_counter()

    async def on_token(_: str) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    comment = Comment(id=case.id, text=case.text, author=case.author, platform=case.platform)  # type: ignore[arg-type]
    draft = await drafter.draft(DraftRequest(comment=comment, incident=s.incident),
                                on_token=on_token if stream and not offline else None)
    ms = (time.perf_counter() - started) * 1000
    result = score_case(case, draft.text, draft.language, s.forbidden, ms)
    result.flags = [f"{f.severity}:{f.code}" for f in draft.flags]
    stats = drafter.stats.get("default")
    by_model = draft.provider == "openai" and not draft.fallback
    return Measured("offline" if offline else "chain", result, by_model=by_model,
                    first_token_s=round(first[0], 2) if first and by_model else None,
                    output_tokens=stats.output_tokens if stats else None, fallback_reason=draft.fallback_reason)


async def draft_naive(runtime: Runtime, s: AnswerSet, case: Case, *, k: int) -> Measured:
    """The naive chain: retrieve, stuff the top k chunks into one prompt, stream the model's prose."""
    model = make_chat_model(runtime.settings)
    assert model is not None
    chain = NAIVE | model
    comment = Comment(id=case.id, text=case.text, author=case.author, platform=case.platform)  # type: ignore[arg-type]
    started = time.perf_counter()
    tri = triage(comment)
    found, ctx = comment_context(runtime.kb, comment, tri, incident=s.incident)
    masked, lang = found.text, reply_language(tri.language)
    context = "\n\n".join(h.text for h in ctx.sources[:k])
    first: float | None = None
    message: AIMessageChunk | None = None
    async for chunk in chain.astream({"language": "English" if lang == "en" else "French", "context": context,
                                      "author": comment.author or "A customer", "comment": masked}):
        if first is None and chunk.text:
            first = time.perf_counter() - started
        message = chunk if message is None else message + chunk
    text = message.text.strip() if message is not None else ""
    ms = (time.perf_counter() - started) * 1000
    verified = verify_text(runtime.kb, text, comment=comment, incident=s.incident, platform=case.platform,
                           language=lang)
    result = score_case(case, text, lang, s.forbidden, ms)
    result.flags = [f"{f.severity}:{f.code}" for f in verified.flags]
    usage = (message.usage_metadata or {}) if message is not None else {}
    return Measured("naive", result, by_model=bool(text), first_token_s=round(first, 2) if first else None,
                    output_tokens=usage.get("output_tokens"))


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(rows: list[Measured]) -> dict[str, Any]:
    """The side-by-side figures of one path (summarise() for the scorer's own, plus the model's)."""
    results = [m.result for m in rows]
    base = summarise("", results)
    model_rows = [m for m in rows if m.by_model]
    high = [any(f.startswith("high:") for f in m.result.flags) for m in model_rows]
    ttft = [m.first_token_s for m in model_rows if m.first_token_s is not None]
    tokens = [m.output_tokens for m in rows if m.output_tokens is not None]
    return {
        "drafts": len(rows),
        "by_model": len(model_rows),
        "fallbacks": len(rows) - len(model_rows),
        "p50_s": round(base["p50_ms"] / 1000, 2), "p95_s": round(base["p95_ms"] / 1000, 2),
        "ttft_p50_s": pct(ttft, 0.5), "ttft_p95_s": pct(ttft, 0.95),
        "tokens_p50": pct([float(t) for t in tokens], 0.5),
        "fact_recall": base["fact_recall"],
        "fact_recall_model": summarise("", [m.result for m in model_rows])["fact_recall"] if model_rows else None,
        "forbidden": base["forbidden_claims"],
        "forbidden_unflagged": sum(1 for m in rows
                                   if m.result.forbidden and not any(f.startswith("high:") for f in m.result.flags)),
        "high_rate_model": round(sum(high) / len(high), 2) if high else None,
        "high_rate_all": round(base["high_flagged"] / len(rows), 2) if rows else None,
        "language_ok": base["language_accuracy"],
    }


LABELS = [("drafts", "drafts"), ("by_model", "written by the model"), ("fallbacks", "fallbacks (offline)"),
          ("p50_s", "latency p50 s"), ("p95_s", "latency p95 s"), ("ttft_p50_s", "first token p50 s"),
          ("ttft_p95_s", "first token p95 s"), ("tokens_p50", "output tokens p50"),
          ("fact_recall", "required-facts recall"), ("fact_recall_model", "  of the model's drafts"),
          ("forbidden", "forbidden claims"), ("forbidden_unflagged", "  not flagged high (target 0)"),
          ("high_rate_model", "high-flag rate, model's drafts"), ("high_rate_all", "high-flag rate, all"),
          ("language_ok", "language right")]


def table(by_path: dict[str, dict[str, Any]]) -> str:
    paths = [p for p in PATHS if p in by_path]
    lines = [f"{'':34}" + "".join(f"{p:>10}" for p in paths) + ("  chain/naive" if {"chain", "naive"} <= set(paths)
                                                                 else "")]
    for key, label in LABELS:
        cells = [by_path[p].get(key) for p in paths]
        line = f"{label:34}" + "".join(f"{'-' if c is None else c!s:>10}" for c in cells)
        a, b = by_path.get("chain", {}).get(key), by_path.get("naive", {}).get(key)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b and key not in ("drafts",):
            line += f"  {a / b:>10.2f}x"
        lines.append(line)
    return "\n".join(lines)


async def run_set(s: AnswerSet, cases: list[Case], settings: Settings, args: argparse.Namespace,
                  out: list[Measured]) -> None:
    with tempfile.TemporaryDirectory(prefix="crisis-bench-") as tmp:
        runtime = Runtime(settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None, "database_url": None}))
        try:
            report = runtime.kb.ingest_path(s.knowledge)
            if report.failed:
                raise SystemExit(f"{s.name}: knowledge failed to load: {report.errors}")
            warm = Case(id="warm-up", text="hello?", language="en", platform="other", author=None, required=[],
                        forbidden=[])
            await draft_chain(runtime, s, warm, stream=False, offline=True)  # loads the encoder, not timed
            for case in cases:
                for path in args.paths:
                    if path == "naive":
                        m = await draft_naive(runtime, s, case, k=settings.llm_limits.prompt_sources)
                    else:
                        m = await draft_chain(runtime, s, case, stream=not args.no_stream, offline=path == "offline")
                    out.append(m)
                    print(json.dumps({"set": s.name, **m.row()}, ensure_ascii=False)[:400], file=sys.stderr,
                          flush=True)
        finally:
            runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=None, help="a crisis folder or a folder of them")
    parser.add_argument("--base-url", default="http://127.0.0.1:8817/v1")
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--limit", type=int, default=24, help="stratified subset size (0: every comment)")
    parser.add_argument("--paths", default="chain,naive,offline")
    parser.add_argument("--no-stream", action="store_true", help="draft with the structured call, not streamed")
    parser.add_argument("--out", type=Path, default=None, help="write one JSON line per draft here")
    args = parser.parse_args()
    args.paths = [p for p in args.paths.split(",") if p]
    if unknown := set(args.paths) - set(PATHS):
        parser.error(f"unknown path(s) {sorted(unknown)}; choose from {PATHS}")
    folder = args.set or default_set()
    sets = [load_set(f) for f in find_sets(folder)]
    picked = stratified(sets, args.limit)
    settings = Settings(llm_provider="openai", OPENAI_BASE_URL=args.base_url, llm_model=args.model)
    print(f"set: {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder} "
          f"({sum(len(c) for c in picked.values())} of {sum(len(s.cases) for s in sets)} comments), "
          f"model {args.model} at {args.base_url}, limits {settings.llm_limits}", flush=True)
    measured: list[Measured] = []
    started = time.monotonic()
    for s in sets:
        asyncio.run(run_set(s, picked[s.name], settings, args, measured))
    by_path = {p: figures([m for m in measured if m.path == p]) for p in args.paths}
    print(table(by_path))
    reasons = defaultdict(int)
    for m in measured:
        if m.path == "chain" and m.fallback_reason:
            reasons[m.fallback_reason.split(";")[0][:90]] += 1
    for reason, n in sorted(reasons.items(), key=lambda x: -x[1]):
        print(f"  chain fallback x{n}: {reason}")
    print(f"wall time {time.monotonic() - started:.0f} s; "
          f"p50 of all drafted {statistics.median([m.result.ms for m in measured]) / 1000:.1f} s")
    if args.out:
        args.out.write_text("".join(json.dumps(m.row(), ensure_ascii=False) + "\n" for m in measured),
                            encoding="utf-8")


if __name__ == "__main__":
    main()
