"""Do the drafts answer the question? Required-facts recall of real drafts on labelled crises.

Used by `crisis-desk eval answers`; the held-out crises in tests/data/answers_holdout4/ and
answers_holdout8/ are only ever scored, never tuned on (tests/data/answers_tuning/ is the tuning set and,
with answers_holdout5/ to answers_holdout7/, the answer ranker's training set: they include the earlier
held-out crises, seen once their misses were read).

A labelled set is a folder per crisis: `meta.json` (incident, knowledge folder, crisis-wide forbidden
patterns) and `comments.jsonl` (one comment per line with the facts a good reply must contain and
the claims it must never make). Each crisis's own knowledge is ingested into a fresh knowledge base
and every comment goes through the real drafting chain (the configured provider, offline by
default); the drafts are scored on the text a reviewer would see.

A required fact is a list of alternatives (any one is enough), matched on folded text (case,
accents, spaces and euro signs normalised: "€40", "40 €" and "40€" are the same), or a verdict:
`{"verdict": "yes"|"no", "item": "NV104"}` is met by a sentence that names the item and says
yes/oui (no/non) in so many words; without an item, by a sentence that starts with the word.
A verdict of the opposite sign on the same item counts as a forbidden claim.

Imports: core, text, drafting.chain.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.drafting.chain import draft_reply
from assistant.errors import InvalidInput
from assistant.models import PLATFORM_LIMITS, Comment, DraftRequest
from assistant.runtime import Runtime
from assistant.text import detect_language, fold

YES = {"yes", "oui"}
NO = {"no", "non"}
_EURO_BEFORE = re.compile(r"€\s*(\d[\d.,]*)")
_EURO_AFTER = re.compile(r"(\d)\s*(?:€|eur\b|euros?\b)")
_GREETING = re.compile(r"^(hi|hello|dear|bonjour|salut|bonsoir)\b[^,]{0,40},\s*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def normalise(text: str) -> str:
    t = text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    t = _EURO_BEFORE.sub(r"\1€", t)
    t = _EURO_AFTER.sub(r"\1€", t)
    return re.sub(r"\s+", " ", fold(t)).strip()


def _words(sentence: str) -> set[str]:
    return set(re.findall(r"[a-z]+", sentence))


_SEPARATORS = re.compile(r"[\s-]+")


@dataclass
class Fact:
    """One required fact: alternatives to find, or a yes/no verdict (on an item)."""

    any_of: list[str] = field(default_factory=list)
    verdict: str | None = None
    item: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Fact:
        if isinstance(raw, dict):
            if raw.get("verdict") not in ("yes", "no"):
                raise ValueError(f"a verdict is 'yes' or 'no', not {raw.get('verdict')!r}")
            return cls(verdict=raw["verdict"], item=raw.get("item"))
        alts = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        if not alts or not all(isinstance(a, str) and a.strip() for a in alts):
            raise ValueError(f"a required fact is a non-empty string or list of strings, not {raw!r}")
        return cls(any_of=alts)

    def label(self) -> str:
        if self.verdict:
            return f"{self.verdict}:{self.item}" if self.item else self.verdict
        return " | ".join(self.any_of)

    def _says(self, sentences: list[str], verdict: str) -> bool:
        words = YES if verdict == "yes" else NO
        for s in sentences:
            w = _words(s)
            if self.item is not None:
                # "PXL-27" or "Paul Bert" in the reply is the item "PXL27" / "Paul-Bert" too
                if _SEPARATORS.sub("", normalise(self.item)) in _SEPARATORS.sub("", s) and w & words:
                    return True
            else:
                first = re.match(r"[a-z]+", _GREETING.sub("", s))
                if first is not None and first.group(0) in words:
                    return True
        return False

    def met(self, text: str, sentences: list[str]) -> bool:
        if self.verdict:
            return self._says(sentences, self.verdict)
        return any(normalise(a) in text for a in self.any_of)

    def contradicted(self, sentences: list[str]) -> bool:
        if not self.verdict or self.item is None:
            return False
        return self._says(sentences, "no" if self.verdict == "yes" else "yes")


@dataclass
class Case:
    id: str
    text: str
    language: str
    platform: str
    author: str | None
    required: list[Fact]
    forbidden: list[re.Pattern[str]]
    expect_reply: bool = True


@dataclass
class AnswerSet:
    name: str
    incident: str | None
    knowledge: Path
    forbidden: list[re.Pattern[str]]
    cases: list[Case]
    pending: list[str] = field(default_factory=list)  # documents not valid yet at run time


def load_set(folder: Path) -> AnswerSet:
    """A labelled crisis folder; a malformed one is refused with the file, the line and the reason."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("meta.json must hold an object")
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{folder / 'meta.json'}: {exc}") from exc
    if not (folder / "comments.jsonl").is_file():
        raise InvalidInput(f"{folder}: no comments.jsonl")
    cases = []
    for n, line in enumerate((folder / "comments.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(id=row.get("id", f"{folder.name}-{n}"), text=row["text"], language=row["language"],
                              platform=row.get("platform", "other"), author=row.get("author"),
                              required=[Fact.parse(f) for f in row.get("required", [])],
                              forbidden=[re.compile(p, re.IGNORECASE) for p in row.get("forbidden", [])],
                              expect_reply=row.get("expect_reply", True)))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise InvalidInput(f"{folder / 'comments.jsonl'} line {n}: {exc!r}") from exc
    knowledge = (folder / meta.get("knowledge", "knowledge")).resolve()
    if not knowledge.exists():
        raise InvalidInput(f"{folder / 'meta.json'}: knowledge folder {knowledge} does not exist")
    try:
        forbidden = [re.compile(p, re.IGNORECASE) for p in meta.get("forbidden", [])]
    except (TypeError, re.error) as exc:
        raise InvalidInput(f"{folder / 'meta.json'}: forbidden: {exc!r}") from exc
    return AnswerSet(name=meta.get("name", folder.name), incident=meta.get("incident"), knowledge=knowledge,
                     forbidden=forbidden, cases=cases, pending=not_valid_yet(knowledge))


_VALID_FROM = re.compile(r"^valid_from:\s*['\"]?([0-9T:.+-]+Z?)", re.MULTILINE)


def not_valid_yet(knowledge: Path, now: datetime | None = None) -> list[str]:
    """Documents whose `valid_from` is still ahead: drafts cannot use them today (a set written "as of"
    a later date than the machine's clock silently scores the superseded documents instead)."""
    now = now or datetime.now(UTC)
    files = [knowledge] if knowledge.is_file() else sorted(knowledge.rglob("*.md"))
    late = []
    for f in files:
        m = _VALID_FROM.search(f.read_text(encoding="utf-8")[:2000])
        try:
            start = datetime.fromisoformat(m.group(1).replace("Z", "+00:00")) if m else None
        except ValueError:
            continue
        if start is not None and (start if start.tzinfo else start.replace(tzinfo=UTC)) > now:
            late.append(f.name)
    return late


def find_sets(path: Path) -> list[Path]:
    """A set folder itself, or a folder of set folders."""
    if not path.is_dir():
        raise InvalidInput(f"no such folder: {path}")
    if (path / "meta.json").exists():
        return [path]
    found = sorted(p for p in path.iterdir() if (p / "meta.json").exists())
    if not found:
        raise InvalidInput(f"{path}: no labelled crisis (a folder with meta.json and comments.jsonl)")
    return found


@dataclass
class CaseResult:
    id: str
    language: str
    platform: str
    text: str
    met: list[str]
    missing: list[str]
    forbidden: list[str]
    language_ok: bool
    within_limit: bool
    empty: bool
    ms: float
    cpu_ms: float = 0.0  # this process's CPU time for the draft: comparable on a shared machine
    flags: list[str] = field(default_factory=list)  # "severity:code" of the draft's guard flags


def score_case(case: Case, text: str, reply_language: str, crisis_forbidden: list[re.Pattern[str]],
               ms: float) -> CaseResult:
    norm = normalise(text)
    sentences = [normalise(s) for s in _SENTENCE.split(text) if s.strip()]
    met = [f.label() for f in case.required if f.met(norm, sentences)]
    missing = [f.label() for f in case.required if not f.met(norm, sentences)]
    bad = [p.pattern for p in [*crisis_forbidden, *case.forbidden] if p.search(text) or p.search(norm)]
    bad += [f"contradicts {f.label()}" for f in case.required if f.contradicted(sentences)]
    detected = detect_language(_body(text))[0] if text.strip() else reply_language
    return CaseResult(id=case.id, language=case.language, platform=case.platform, text=text, met=met, missing=missing,
                      forbidden=bad,
                      # no reply where none is expected (spam) is no language error
                      language_ok=(not case.expect_reply and not text.strip())
                      or (bool(text.strip()) and detected == case.language == reply_language),
                      within_limit=len(text) <= PLATFORM_LIMITS.get(case.platform, 2000),
                      empty=case.expect_reply and not text.strip(), ms=ms)


def _body(text: str) -> str:
    """The reply without the greeting line and sign-off (names and signatures say little of a language)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("–")]
    body = " ".join(lines)
    return re.sub(r"^\S+ [^,]{0,40},\s*", "", body)


@dataclass
class SetReport:
    name: str
    results: list[CaseResult]
    pending: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return summarise(self.name, self.results)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(name: str, results: list[CaseResult]) -> dict[str, Any]:
    facts = sum(len(r.met) + len(r.missing) for r in results)
    found = sum(len(r.met) for r in results)
    ms = [r.ms for r in results]
    cpu = [r.cpu_ms for r in results]
    return {
        "set": name, "comments": len(results), "facts": facts, "facts_found": found,
        "fact_recall": round(found / facts, 3) if facts else 1.0,
        "fully_answered": sum(1 for r in results if not r.missing),
        "forbidden_claims": sum(len(r.forbidden) for r in results),
        "language_accuracy": round(sum(r.language_ok for r in results) / len(results), 3) if results else 1.0,
        "over_limit": sum(not r.within_limit for r in results),
        "empty_drafts": sum(r.empty for r in results),
        "high_flagged": sum(any(f.startswith("high:") for f in r.flags) for r in results),
        "language_flagged": sum(any(f.endswith("_language") for f in r.flags) for r in results),
        "p50_ms": round(statistics.median(ms), 1) if ms else 0.0, "p95_ms": round(_pct(ms, 0.95), 1),
        "p50_cpu_ms": round(statistics.median(cpu), 1) if cpu else 0.0, "p95_cpu_ms": round(_pct(cpu, 0.95), 1),
    }


async def _run_set(answer_set: AnswerSet, settings: Settings) -> SetReport:
    runtime = Runtime(settings)
    try:
        report = runtime.kb.ingest_path(answer_set.knowledge)
        if report.failed:
            raise ValueError(f"{answer_set.name}: knowledge failed to load: {report.errors}")
        results = []
        # One warm-up draft so the first measured latency is not model loading.
        await draft_reply(runtime, DraftRequest(comment=Comment(text="hello?"), incident=answer_set.incident))
        for case in answer_set.cases:
            comment = Comment(id=case.id, text=case.text, author=case.author, platform=case.platform)  # type: ignore[arg-type]
            started, cpu = time.perf_counter(), time.process_time()
            draft = await draft_reply(runtime, DraftRequest(comment=comment, incident=answer_set.incident))
            ms = (time.perf_counter() - started) * 1000
            result = score_case(case, draft.text, draft.language, answer_set.forbidden, ms)
            result.cpu_ms = (time.process_time() - cpu) * 1000
            result.flags = [f"{f.severity}:{f.code}" for f in draft.flags]
            results.append(result)
        return SetReport(answer_set.name, results, answer_set.pending)
    finally:
        runtime.close()


def evaluate_answers(path: Path, settings: Settings | None = None) -> list[SetReport]:
    """Ingest each crisis's knowledge into its own temporary knowledge base and score every comment
    with the configured provider (offline unless the settings say otherwise)."""
    sets = [load_set(folder) for folder in find_sets(path)]  # every file checked before any work
    reports = []
    for answer_set in sets:
        with tempfile.TemporaryDirectory(prefix="crisis-eval-") as tmp:
            run_settings = (settings or Settings()).model_copy(update={"data_dir": Path(tmp), "chroma_url": None,
                                                                       "database_url": None})
            reports.append(asyncio.run(_run_set(answer_set, run_settings)))
    return reports


COLUMNS = ("set", "comments", "fact_recall", "fully_answered", "forbidden_claims", "language_accuracy",
           "over_limit", "empty_drafts", "high_flagged", "p50_ms", "p95_ms", "p95_cpu_ms")


def format_report(groups: dict[str, list[SetReport]], misses: int = 10) -> str:
    """One table per group (tuning, held-out), its total, then the comments that missed facts."""
    lines: list[str] = []
    for group, reports in groups.items():
        lines.append(f"== {group}")
        lines.append("  ".join(f"{c:>14}" if i else f"{c:<17}" for i, c in enumerate(COLUMNS)))
        rows = [r.summary() for r in reports]
        rows.append(summarise("total", [x for r in reports for x in r.results]))
        for row in rows:
            lines.append("  ".join(f"{row[c]!s:>14}" if i else f"{row[c]!s:<17}" for i, c in enumerate(COLUMNS)))
        for rep in reports:
            if rep.pending:
                lines.append(f"  warning: {rep.name}: not valid yet at run time, drafts could not use: "
                             f"{', '.join(rep.pending)}")
        shown = 0
        for r in (x for rep in reports for x in rep.results):
            if shown >= misses:
                break
            if r.missing or r.forbidden or not r.language_ok or r.empty or not r.within_limit:
                shown += 1
                what = "; ".join([*(f"missing {m}" for m in r.missing), *(f"forbidden {f}" for f in r.forbidden),
                                  *(["wrong language"] if not r.language_ok else []),
                                  *(["empty"] if r.empty else []), *(["over limit"] if not r.within_limit else [])])
                lines.append(f"  {r.id}: {what}\n      {r.text[:220]!r}")
    return "\n".join(lines)


def report_json(groups: dict[str, list[SetReport]]) -> str:
    return json.dumps({group: {"sets": [r.summary() for r in reports],
                               "total": summarise("total", [x for r in reports for x in r.results]),
                               "cases": [asdict(x) for r in reports for x in r.results]}
                       for group, reports in groups.items()}, ensure_ascii=False, indent=2)
