"""Load knowledge documents from files: Markdown with YAML front matter, plain text, JSON and JSONL.

A malformed file is reported with its path and the reason; the rest of the folder still loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.errors import DocumentInvalid
from assistant.models import DocumentIn

SUFFIXES = {".md", ".markdown", ".txt", ".json", ".jsonl"}


@dataclass(frozen=True)
class LoadError:
    path: str
    reason: str


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "document"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def validate_document(data: dict[str, Any], origin: str) -> DocumentIn:
    try:
        # Files are YAML: a date, a number for a version are fine there (lax), unlike API bodies.
        return DocumentIn.model_validate(data, strict=False)
    except ValidationError as exc:
        raise DocumentInvalid(f"{origin}: {_explain(exc)}") from exc


def split_front_matter(raw: str, origin: str) -> tuple[dict[str, Any], str]:
    text = raw.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end == -1:
        raise DocumentInvalid(f"{origin}: front matter opened with '---' but never closed")
    try:
        meta = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError as exc:
        raise DocumentInvalid(f"{origin}: front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise DocumentInvalid(f"{origin}: front matter must be a mapping of keys to values")
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return meta, body


def parse_markdown(raw: str, origin: str, default_id: str) -> DocumentIn:
    meta, body = split_front_matter(raw, origin)
    meta.setdefault("id", default_id)
    if "title" not in meta:
        first = next((ln.lstrip("# ").strip() for ln in body.splitlines() if ln.strip()), default_id)
        meta["title"] = first[:300]
    meta["text"] = body
    if "kind" not in meta:
        raise DocumentInvalid(f"{origin}: front matter has no 'kind' (policy|faq|fact_sheet|statement|...)")
    return validate_document(meta, origin)


def _records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        for n, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                yield f"{path}:{n}", json.loads(line)
        return
    data = json.loads(raw)
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items):
        yield f"{path}[{n}]", item


def load_path(path: Path) -> tuple[list[DocumentIn], list[LoadError]]:
    """Load one file; returns documents and errors (never raises for bad content)."""
    docs: list[DocumentIn] = []
    errors: list[LoadError] = []
    default_id = path.stem
    try:
        if path.suffix in (".md", ".markdown"):
            docs.append(parse_markdown(path.read_text(encoding="utf-8"), str(path), default_id))
        elif path.suffix == ".txt":
            # Plain text carries no metadata: it is a draft until someone approves it.
            text = path.read_text(encoding="utf-8")
            docs.append(parse_markdown(text, str(path), default_id) if text.startswith("---") else
                        validate_document({"id": default_id, "title": default_id, "kind": "faq",
                                           "text": text}, str(path)))
        elif path.suffix in (".json", ".jsonl"):
            for origin, item in _records(path):
                try:
                    if not isinstance(item, dict):
                        raise DocumentInvalid(f"{origin}: a record must be a JSON object")
                    docs.append(validate_document(item, origin))
                except DocumentInvalid as exc:
                    errors.append(LoadError(origin, exc.detail))
    except DocumentInvalid as exc:
        errors.append(LoadError(str(path), exc.detail))
    except UnicodeDecodeError:
        errors.append(LoadError(str(path), f"{path}: not UTF-8 text"))
    except json.JSONDecodeError as exc:
        errors.append(LoadError(str(path), f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})"))
    except OSError as exc:
        errors.append(LoadError(str(path), f"{path}: cannot read ({exc.strerror})"))
    return docs, errors


def load_folder(root: Path) -> tuple[list[DocumentIn], list[LoadError]]:
    """Load every supported file under root (or root itself if a file); duplicate ids are errors."""
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith(".")
        and p.name.lower() != "readme.md"
    )
    docs: list[DocumentIn] = []
    errors: list[LoadError] = []
    seen: dict[str, str] = {}
    for path in files:
        found, errs = load_path(path)
        errors.extend(errs)
        for doc in found:
            if doc.id in seen:
                errors.append(LoadError(str(path), f"{path}: duplicate id '{doc.id}' (also in {seen[doc.id]})"))
                continue
            seen[doc.id] = str(path)
            docs.append(doc)
    return docs, errors
