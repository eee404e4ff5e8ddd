"""`crisis-desk eval injection`: how much of public injection corpora the injection label flags, and how
many ordinary comments it flags by mistake.

Three detectors side by side: the guards' patterns alone, the learned head alone, and what a comment
actually gets (`verify.injection_flags`: patterns, else the head). Attempts are the public corpora
extracted from PyPI packages (tests/data/injection_public, see its README; never trained on) per
language and per source; ordinary comments are every comment of the triage and answers sets except
the attempts listed in injection_comment_attempts.jsonl, split into the training crises and the
held-out ones (never trained on).
Imports: core, guards, triage, drafting.verify.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import guards
from assistant.drafting.verify import injection_flags
from assistant.triage.injection import learned_injection_flag, read_labelled
from assistant.triage.injection_training import ordinary_comments

DETECTORS: dict[str, Callable[[str], bool]] = {
    "patterns": lambda t: bool(guards.detect_injection(t)),
    "model": lambda t: learned_injection_flag(t) is not None,
    "combined": lambda t: bool(injection_flags(t)),
}


@dataclass
class Rate:
    flagged: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        return self.flagged / self.total if self.total else 0.0


@dataclass
class InjectionReport:
    attempts: dict[str, dict[str, Rate]] = field(default_factory=dict)  # group -> detector -> rate
    ordinary: dict[str, dict[str, Rate]] = field(default_factory=dict)
    false_flags: list[tuple[str, str]] = field(default_factory=list)  # (file, text) flagged by "combined"
    misses: list[tuple[str, str]] = field(default_factory=list)  # (source, text) not flagged by "combined"
    ms_per_text: float = 0.0


def _language(code: str) -> str:
    return code if code in ("en", "fr") else "other"


def evaluate_injection(corpora: list[Path], data_dir: Path) -> InjectionReport:
    report = InjectionReport()
    att: dict[str, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    ordn: dict[str, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    timed, seconds = 0, 0.0
    for path in corpora:
        for row in read_labelled(path):
            lang = _language(row.language)
            groups = ([f"attacks {lang}", f"  {lang}: {row.source}"] if row.attack
                      else [f"corpus benign {_language(row.language)} ({row.source.split(':')[0]})"])
            start = time.perf_counter()
            hits = {name: det(row.text) for name, det in DETECTORS.items()}
            seconds += time.perf_counter() - start
            timed += 1
            table = att if row.attack else ordn
            for g in groups:
                for name, hit in hits.items():
                    table[g][name].flagged += hit
                    table[g][name].total += 1
            if row.attack and not hits["combined"]:
                report.misses.append((row.source, row.text))
    for held_out, label in ((False, "ordinary: training crises"), (True, "ordinary: held-out crises")):
        for file, text in ordinary_comments(data_dir, held_out=held_out):
            hits = {name: det(text) for name, det in DETECTORS.items()}
            for g in (label, "ordinary: all"):
                for name, hit in hits.items():
                    ordn[g][name].flagged += hit
                    ordn[g][name].total += 1
            if hits["combined"]:
                report.false_flags.append((file, text))
    # each language's total, then its sources
    order = sorted(att, key=lambda g: (g.strip().split(":")[0].removeprefix("attacks "), g.startswith(" "), g))
    report.attempts = {k: dict(att[k]) for k in order}
    report.ordinary = {k: dict(ordn[k]) for k in sorted(ordn)}
    report.ms_per_text = 1000 * seconds / max(timed, 1)
    return report


def _rows(table: dict[str, dict[str, Rate]]) -> list[str]:
    out = []
    for group in table:
        cells = "  ".join(f"{r.share:6.1%} ({r.flagged:>3}/{r.total:<3})" for r in
                          (table[group][d] for d in DETECTORS))
        out.append(f"  {group:44s} {cells}")
    return out


def format_report(report: InjectionReport, misses: int = 10) -> str:
    head = f"  {'':44s} " + "  ".join(f"{d:>16s}" for d in DETECTORS)
    lines = ["Injection attempts flagged (public corpora, never trained on)", head, *_rows(report.attempts), "",
             "Texts flagged that are not attempts (lower is better)", head, *_rows(report.ordinary), ""]
    if report.false_flags:
        lines.append("Ordinary comments flagged (combined):")
        lines += [f"  [{f}] {t[:110]!r}" for f, t in report.false_flags[:misses]]
    if report.misses and misses:
        lines.append(f"Attempts missed (combined), first {min(misses, len(report.misses))} of {len(report.misses)}:")
        lines += [f"  [{s}] {t[:110]!r}" for s, t in report.misses[:misses]]
    lines.append(f"CPU per text, the three detectors: {report.ms_per_text:.1f} ms")
    return "\n".join(lines)


def report_json(report: InjectionReport) -> str:
    def table(t: dict[str, dict[str, Rate]]) -> dict[str, Any]:
        return {g: {d: {"flagged": r.flagged, "total": r.total, "share": round(r.share, 4)} for d, r in v.items()}
                for g, v in t.items()}

    return json.dumps({"attempts": table(report.attempts), "ordinary": table(report.ordinary),
                       "false_flags": [{"file": f, "text": t} for f, t in report.false_flags],
                       "misses": len(report.misses), "ms_per_text": round(report.ms_per_text, 2)},
                      ensure_ascii=False, indent=2)
