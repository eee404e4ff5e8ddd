"""Knowledge-base builders for tests: temp data dirs, small documents, the sample knowledge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.knowledge.store import KnowledgeBase
from assistant.models import DocumentIn

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_KB = ROOT / "knowledge"


def settings_for(tmp: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=tmp, **overrides)


def doc(doc_id: str, text: str, **meta: Any) -> DocumentIn:
    base: dict[str, Any] = {"id": doc_id, "title": doc_id.replace("-", " ").title(), "kind": "faq",
                            "language": "en", "approved": True, "text": text}
    base.update(meta)
    return DocumentIn(**base)


def write_md(folder: Path, name: str, front: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def sample_kb(tmp: Path, **overrides: Any) -> KnowledgeBase:
    kb = KnowledgeBase(settings_for(tmp, **overrides))
    report = kb.ingest_path(SAMPLE_KB)
    assert report.failed == 0, report.errors
    return kb
