"""Do public updates carry what the public needs? Scores real updates on labelled crises.

Used by `crisis-desk eval updates`; the held-out crises in tests/data/updates_holdout/ are only ever
scored, never tuned on (tests/data/updates_tuning/ on the sample knowledge is the tuning set).

A labelled set is a folder per crisis: `meta.json` (incident, knowledge folder, crisis-wide
forbidden patterns, the hashtags its guideline allows per channel) and `updates.jsonl` (one update
request per line: kind, language, channels, the time it is drafted at, `required` facts that every
channel must carry, `required_long` facts the long channels must carry too, and forbidden patterns).
Each crisis's knowledge is ingested into its own temporary knowledge base and every request goes
through `draft_updates`, the code the API and the CLI call.

A required fact is a list of alternatives (any one is enough), found in the folded text (case,
accents, spaces normalised). A forbidden pattern is a regular expression (case-insensitive): an
outdated figure, a speculation, a banned phrase. A "missing from the fact sheet" message is false
unless the case lists it in `may_be_missing` (the labelled fact sheets have every section).

Imports: core, knowledge, text, drafting.updates.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.drafting.updates import LONG_CHANNELS, POST_LIMITS, draft_updates, x_length
from assistant.errors import InvalidInput
from assistant.knowledge.store import KnowledgeBase
from assistant.models import Channel, PublicUpdate, UpdateKind
from assistant.text import fold

_MARKDOWN = re.compile(r"(\*\*|__|`|^\s*#{1,6}\s|^\s*[-*•]\s+)", re.MULTILINE)
_HASHTAG = re.compile(r"(?<![\w&/])#\w+")


def normalise(text: str) -> str:
    t = text.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", fold(t)).strip()


@dataclass
class Case:
    id: str
    kind: UpdateKind
    language: str
    at: datetime
    channels: list[Channel]
    required: list[list[str]]
    required_long: list[list[str]]
    forbidden: list[re.Pattern[str]]
    may_be_missing: list[str] = field(default_factory=list)


@dataclass
class Crisis:
    name: str
    incident: str
    knowledge: Path
    cases: list[Case]
    hashtags: dict[str, list[str]]


def _load_case(raw: dict[str, Any], forbidden: list[re.Pattern[str]]) -> Case:
    try:
        return Case(id=str(raw["id"]), kind=raw["kind"], language=raw.get("language", "en"),
                    at=datetime.fromisoformat(raw["at"]), channels=list(raw["channels"]),
                    required=[list(r) for r in raw.get("required", [])],
                    required_long=[list(r) for r in raw.get("required_long", [])],
                    forbidden=forbidden + [re.compile(p, re.I) for p in raw.get("forbidden", [])],
                    may_be_missing=list(raw.get("may_be_missing", [])))
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise InvalidInput(f"bad labelled update {raw.get('id', '?')}: {exc}") from exc


def load_crisis(folder: Path) -> Crisis:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    forbidden = [re.compile(p, re.I) for p in meta.get("forbidden", [])]
    lines = (folder / "updates.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [_load_case(json.loads(line), forbidden) for line in lines if line.strip()]
    return Crisis(name=meta.get("name", folder.name), incident=meta["incident"],
                  knowledge=(folder / meta.get("knowledge", "knowledge")).resolve(), cases=cases,
                  hashtags=meta.get("hashtags", {}))


def crisis_folders(path: Path) -> list[Path]:
    """A crisis folder, or a folder of them."""
    if (path / "meta.json").is_file():
        return [path]
    found = sorted(p for p in path.iterdir() if (p / "meta.json").is_file()) if path.is_dir() else []
    if not found:
        raise InvalidInput(f"no labelled crisis (meta.json + updates.jsonl) in {path}")
    return found


@dataclass
class TextScore:
    case: str
    channel: str
    chars: int
    required: int
    found: int
    missed: list[str]
    forbidden: list[str]
    over_limit: bool
    markdown: bool
    stray_hashtags: list[str]
    commitment_flags: int


@dataclass
class CaseScore:
    case: str
    kind: str
    ms: float
    false_missing: list[str]
    sections: list[str]
    same_text_channels: int
    texts: list[TextScore]


@dataclass
class GroupReport:
    name: str
    crises: int = 0
    cases: list[CaseScore] = field(default_factory=list)

    def _texts(self, long: bool | None = None) -> list[TextScore]:
        return [t for c in self.cases for t in c.texts
                if long is None or (t.channel in LONG_CHANNELS) == long]

    def recall(self, long: bool) -> float:
        ts = self._texts(long)
        need = sum(t.required for t in ts)
        return sum(t.found for t in ts) / need if need else 1.0

    def summary(self) -> dict[str, Any]:
        times = sorted(c.ms for c in self.cases)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0
        return {
            "crises": self.crises, "updates": len(self.cases), "texts": len(self._texts()),
            "recall_long": round(self.recall(True), 3), "recall_x": round(self.recall(False), 3),
            "forbidden_hits": sum(len(t.forbidden) for t in self._texts()),
            "over_limit": sum(t.over_limit for t in self._texts()),
            "markdown_on_x": sum(t.markdown for t in self._texts(False)),
            "stray_hashtags": sum(len(t.stray_hashtags) for t in self._texts()),
            "false_missing": sum(len(c.false_missing) for c in self.cases),
            "commitment_flags": sum(t.commitment_flags for t in self._texts()),
            "same_text_channels": sum(c.same_text_channels for c in self.cases),
            "p95_ms": round(p95, 1), "median_ms": round(statistics.median(times), 1) if times else 0.0,
        }


def score_text(case: Case, update: PublicUpdate, hashtags: dict[str, list[str]]) -> TextScore:
    text = normalise(update.text)
    facts = case.required + (case.required_long if update.channel in LONG_CHANNELS else [])
    missed = [" | ".join(f) for f in facts if not any(normalise(a) in text for a in f)]
    n = x_length(update.text) if update.channel == "x" else len(update.text)
    allowed = {fold(h) for h in hashtags.get(update.channel, [])}
    return TextScore(
        case=case.id, channel=update.channel, chars=n, required=len(facts), found=len(facts) - len(missed),
        missed=missed, forbidden=[p.pattern for p in case.forbidden if p.search(update.text)],
        over_limit=n > POST_LIMITS.get(update.channel, 2000),
        markdown=update.channel == "x" and bool(_MARKDOWN.search(update.text)),
        stray_hashtags=[h for h in _HASHTAG.findall(update.text) if fold(h) not in allowed],
        commitment_flags=sum(f.code == "unapproved_commitment" for f in update.flags))


def score_case(kb: KnowledgeBase, crisis: Crisis, case: Case) -> CaseScore:
    start = time.perf_counter()
    updates = draft_updates(kb, crisis.incident, case.kind, list(case.channels), case.language, at=case.at)
    ms = (time.perf_counter() - start) * 1000
    allowed = [normalise(m) for m in case.may_be_missing]
    false_missing = [m for m in dict.fromkeys(m for u in updates for m in u.missing)
                     if not any(a in normalise(m) for a in allowed)]
    texts = [u.text for u in updates]
    return CaseScore(case=case.id, kind=case.kind, ms=ms, false_missing=false_missing,
                     sections=list(getattr(updates[0], "sections", []) or []) if updates else [],
                     same_text_channels=len(texts) - len(set(texts)),
                     texts=[score_text(case, u, crisis.hashtags) for u in updates])


def evaluate_updates(path: Path, settings: Settings) -> GroupReport:
    """Score every labelled crisis under `path`, each ingested into its own temporary knowledge base."""
    report = GroupReport(name=path.name)
    for folder in crisis_folders(path):
        crisis = load_crisis(folder)
        with tempfile.TemporaryDirectory(prefix="crisis-eval-updates-") as tmp:
            kb = KnowledgeBase(settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None}))
            ingest = kb.ingest_path(crisis.knowledge)
            if ingest.failed:
                raise InvalidInput(f"{crisis.name}: knowledge failed to ingest: {ingest.errors}")
            draft_updates(kb, crisis.incident, crisis.cases[0].kind, ["x"], crisis.cases[0].language,
                          at=crisis.cases[0].at)  # warm-up: first-call caches are not what is measured
            report.cases += [score_case(kb, crisis, case) for case in crisis.cases]
            report.crises += 1
    return report


def report_json(groups: dict[str, GroupReport]) -> str:
    return json.dumps({name: {"summary": g.summary(), "cases": [asdict(c) for c in g.cases]}
                       for name, g in groups.items()}, ensure_ascii=False, indent=2)


def format_report(groups: dict[str, GroupReport], misses: int = 10) -> str:
    lines = []
    for name, g in groups.items():
        s = g.summary()
        lines.append(f"== {name}: {s['crises']} crises, {s['updates']} updates, {s['texts']} channel texts")
        lines.append(f"   required facts: long channels {s['recall_long']:.0%}, X {s['recall_x']:.0%}")
        lines.append(f"   forbidden/outdated hits {s['forbidden_hits']}, over limit {s['over_limit']}, "
                     f"markdown on X {s['markdown_on_x']}, hashtags where not allowed {s['stray_hashtags']}")
        lines.append(f"   false 'missing from the fact sheet' {s['false_missing']}, "
                     f"unapproved_commitment flags {s['commitment_flags']}, "
                     f"channels with a duplicate text {s['same_text_channels']}")
        lines.append(f"   time per update request: median {s['median_ms']} ms, p95 {s['p95_ms']} ms")
        for c in g.cases:
            per = ", ".join(f"{t.channel} {t.found}/{t.required} ({t.chars}c)" for t in c.texts)
            lines.append(f"   - {c.case} [{c.kind}] {per}")
            if c.sections:
                lines.append(f"       sections found: {', '.join(c.sections)}")
            for t in c.texts:
                if t.missed and misses:
                    lines.append(f"       {t.channel} missed: {'; '.join(t.missed[:misses])}")
                if t.forbidden:
                    lines.append(f"       {t.channel} forbidden: {'; '.join(t.forbidden)}")
            if c.false_missing:
                lines.append(f"       false missing: {'; '.join(c.false_missing)}")
    return "\n".join(lines)
