"""Data builders for review/store tests: comments, drafts with flags and citations, API keys."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from assistant.models import Citation, Comment, DocumentIn, Draft, Flag, Triage, Verified
from assistant.review.lifecycle import save_new_draft
from assistant.review.schemas import Principal
from assistant.review.store import Database

_ids = itertools.count(1)
ROLES = ("agent", "lead", "admin")


@dataclass(frozen=True)
class Key:
    principal: Principal
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_keys(db: Database) -> dict[str, Key]:
    return {role: Key(*db.create_key(role, f"test {role}")) for role in ROLES}


def comment(text: str = "My son ate granola from batch L4822, is it safe?", **fields: Any) -> Comment:
    base: dict[str, Any] = {"author": "Sarah Martin", "author_handle": "sarah_m", "platform": "x",
                            "followers": 320}
    return Comment(text=text, **(base | fields))


def citation(**fields: Any) -> Citation:
    base = {"doc_id": "recall-fact-sheet", "chunk_id": "recall-fact-sheet#0", "title": "Recall fact sheet v3",
            "quote": "Batch L4822 is recalled; do not eat it."}
    return Citation(**(base | fields))


def flag(severity: str = "high", code: str = "commitment", **fields: Any) -> Flag:
    base = {"message": "promises a refund that no approved source mentions"}
    return Flag(code=code, severity=severity, **(base | fields))  # type: ignore[arg-type]


def draft(text: str = "Hi Sarah, batch L4822 is recalled: please do not eat it. Call 0800 123 456.",
          *, priority: float = 50.0, **fields: Any) -> Draft:
    base: dict[str, Any] = {"id": f"d_test_{next(_ids)}", "language": "en", "platform": "x",
                            "provider": "offline", "model": "composer", "prompt_version": "reply.en@1",
                            "citations": [citation()], "triage": Triage(language="en", priority=priority)}
    return Draft(text=text, **(base | fields))


def seed(db: Database, actor: Principal, *, comment_fields: dict[str, Any] | None = None,
         **draft_fields: Any) -> Draft:
    """A stored draft (and its comment), as `POST /v1/drafts` would leave it."""
    return save_new_draft(db, draft(**draft_fields), comment(**(comment_fields or {})), actor)


class FakeKB:
    """Stands in for runtime.kb where review needs it: versions() for staleness, upsert() for promote."""

    def __init__(self, versions: dict[str, str] | None = None) -> None:
        self._versions = dict(versions or {})
        self.upserted: list[DocumentIn] = []

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def set_version(self, chunk_id: str, version: str | None) -> None:
        if version is None:
            self._versions.pop(chunk_id, None)
        else:
            self._versions[chunk_id] = version

    def upsert(self, doc: DocumentIn, origin: str = "api") -> str:
        self.upserted.append(doc)
        return "added"

    # An empty knowledge base for the guards an edit or a promotion runs (nothing supports a claim).
    def vector_rank(self, text: str, where: Any = None, depth: int = 80) -> list[str]:
        return []

    def count(self) -> int:
        return 0

    def search(self, query: str, **kwargs: Any) -> list[Any]:
        return []

    def find_docs(self, filters: Any) -> list[str]:
        return []

    def doc_chunks(self, doc_id: str) -> list[Any]:
        return []


def checked(text: str) -> Verified:
    """What the guards say about a text with nothing to flag: for lifecycle tests that are not about guards."""
    return Verified(text=text)
