"""What a search may return: chunk metadata and the filter (approved, valid at a time, kind, language,
incident) as a Python predicate, a Chroma `where` clause and an SQL condition: one definition, three uses.

Imports: nothing of ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FOREVER = 253402300799.0  # 9999-12-31T23:59:59Z: "no end of validity"


def to_ts(value: datetime | None, default: float) -> float:
    return value.timestamp() if value is not None else default


def from_ts(value: float) -> datetime | None:
    return None if value >= FOREVER else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class ChunkMeta:
    doc_id: str
    title: str
    kind: str
    language: str
    approved: bool
    valid_from: float
    valid_until: float
    incident: str
    doc_hash: str
    heading: str
    origin: str
    version: str

    @classmethod
    def from_chroma(cls, m: dict[str, Any]) -> ChunkMeta:
        return cls(**{f: m.get(f, "") for f in cls.__dataclass_fields__})

    def usable(self, at: float, include_unapproved: bool, include_expired: bool) -> bool:
        if not include_unapproved and not self.approved:
            return False
        return include_expired or self.valid_from <= at < self.valid_until


@dataclass(frozen=True)
class SearchFilter:
    kinds: Sequence[str] | None = None
    language: str | None = None
    incident: str | None = None
    at: datetime | None = None
    include_unapproved: bool = False
    include_expired: bool = False
    # Only what may NOT be used (unapproved, expired, not yet valid): what the guards compare against.
    disallowed_only: bool = False

    def accepts(self, meta: ChunkMeta, at: float) -> bool:
        usable = meta.usable(at, self.include_unapproved, self.include_expired)
        if self.disallowed_only:
            usable = not meta.usable(at, False, False)
        if not usable:
            return False
        if self.kinds and meta.kind not in self.kinds:
            return False
        if self.language and meta.language != self.language:
            return False
        # General documents (no incident) apply to every incident.
        return not (self.incident and meta.incident not in ("", self.incident))

    def where(self, at: float) -> dict[str, Any] | None:
        """The same filter as a Chroma `where` clause, so the vector index filters natively."""
        conds: list[dict[str, Any]] = []
        if self.disallowed_only:
            conds.append({"$or": [{"approved": False}, {"valid_from": {"$gt": at}}, {"valid_until": {"$lte": at}}]})
        else:
            if not self.include_unapproved:
                conds.append({"approved": True})
            if not self.include_expired:
                conds += [{"valid_from": {"$lte": at}}, {"valid_until": {"$gt": at}}]
        if self.kinds:
            conds.append({"kind": {"$in": list(self.kinds)}})
        if self.language:
            conds.append({"language": self.language})
        if self.incident:
            conds.append({"incident": {"$in": ["", self.incident]}})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def sql(self, at: float, table: str = "chunks") -> tuple[str, list[Any]]:
        """The same filter as an SQL condition over the chunk index (see index.py)."""
        t = table
        conds: list[str] = []
        params: list[Any] = []
        if self.disallowed_only:
            conds.append(f"({t}.approved = 0 OR {t}.valid_from > ? OR {t}.valid_until <= ?)")
            params += [at, at]
        else:
            if not self.include_unapproved:
                conds.append(f"{t}.approved = 1")
            if not self.include_expired:
                conds.append(f"{t}.valid_from <= ? AND {t}.valid_until > ?")
                params += [at, at]
        if self.kinds:
            conds.append(f"{t}.kind IN ({', '.join('?' * len(self.kinds))})")
            params += list(self.kinds)
        if self.language:
            conds.append(f"{t}.language = ?")
            params.append(self.language)
        if self.incident:
            conds.append(f"{t}.incident IN ('', ?)")
            params.append(self.incident)
        return (" AND ".join(conds) or "1"), params
