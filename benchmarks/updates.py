"""Public update latency, offline: one request (every channel asked for) on the labelled crises.

Compared with:
- the naive way to get one version per channel: one request per channel (each long version guarded
  on its own), where `draft_updates` guards the complete version once and moves the flags;
- the planner before issue #20 (loaded from git, commit BEFORE), which wrote one short text cut to
  each channel's length (so it also did less: see `crisis-desk eval updates` for what each carries).

Wall time is what a caller waits (on a shared machine it includes waiting for a core); CPU time is
what the code costs. Each figure is over every labelled update request, repeated.

Run: .venv/bin/python benchmarks/updates.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.drafting.update_eval import crisis_folders, load_crisis
from assistant.drafting.updates import draft_updates
from assistant.knowledge.store import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "9585ea5"  # the eval landed on the old planner: its updates.py is today's behaviour


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def old_planner() -> Callable[..., Any] | None:
    try:
        src = subprocess.run(["git", "show", f"{BEFORE}:assistant/drafting/updates.py"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("updates_before")
    sys.modules[module.__name__] = module  # its dataclasses look their module up
    exec(compile(src, "updates_before.py", "exec"), module.__dict__)
    return module.__dict__["draft_updates"]  # type: ignore[no-any-return]


def per_channel(fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(kb: KnowledgeBase, incident: str, kind: str, channels: list[str], language: str, at: Any) -> list[Any]:
        return [u for c in channels for u in fn(kb, incident, kind, [c], language, at=at)]
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    ways: dict[str, Callable[..., Any]] = {"draft_updates (one request)": draft_updates,
                                           "naive: one request per channel": per_channel(draft_updates)}
    before = old_planner()
    if before is not None:
        ways[f"before #20 ({BEFORE})"] = before
    wall: dict[str, list[float]] = {w: [] for w in ways}
    cpu: dict[str, list[float]] = {w: [] for w in ways}
    folders = [f for group in ("updates_tuning", "updates_holdout")
               for f in crisis_folders(ROOT / "tests/data" / group)]
    for folder in folders:
        crisis = load_crisis(folder)
        with tempfile.TemporaryDirectory() as tmp:
            kb = KnowledgeBase(Settings(data_dir=Path(tmp)))
            kb.ingest_path(crisis.knowledge)
            for case in crisis.cases:
                for name, fn in ways.items():
                    fn(kb, crisis.incident, case.kind, list(case.channels), case.language, at=case.at)  # warm
                    for _ in range(args.repeat):
                        w, c = time.perf_counter(), time.process_time()
                        fn(kb, crisis.incident, case.kind, list(case.channels), case.language, at=case.at)
                        wall[name].append((time.perf_counter() - w) * 1000)
                        cpu[name].append((time.process_time() - c) * 1000)
    n = len(wall["draft_updates (one request)"])
    print(f"{len(folders)} crises, {n} timed requests (every channel of a labelled update each)")
    print(f"{'':34} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu p95':>8}")
    for name in ways:
        print(f"{name:34} {pct(wall[name], .5):8.1f}ms {pct(wall[name], .95):8.1f}ms "
              f"{pct(cpu[name], .5):7.1f}ms {pct(cpu[name], .95):7.1f}ms")
    ours, naive = "draft_updates (one request)", "naive: one request per channel"
    print(f"naive / draft_updates, p95 wall: {pct(wall[naive], .95) / pct(wall[ours], .95):.2f}x; "
          f"p95 cpu: {pct(cpu[naive], .95) / pct(cpu[ours], .95):.2f}x")
    if before is not None:
        old = f"before #20 ({BEFORE})"
        print(f"draft_updates / before, p95 cpu: {pct(cpu[ours], .95) / pct(cpu[old], .95):.2f}x "
              "(the complete long versions are what costs more)")


if __name__ == "__main__":
    sys.exit(main())
