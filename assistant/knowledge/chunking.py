"""Split documents into chunks along headings, then sentences; chunk ids are stable across runs.

A chunk id is `<doc_id>::<n>`: the same document text always yields the same chunks and ids, so
citations stay valid across re-ingests, and the store's content hash decides what to re-embed.
"""

from __future__ import annotations

import hashlib
import re

from assistant.models import Chunk, DocumentIn
from assistant.text import sentences

TARGET_CHARS = 700
MAX_CHARS = 1000

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading path, body) pairs in document order."""
    path: list[str] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            level = len(m.group(1))
            path = [*path[: level - 1], m.group(2)]
            sections.append((" > ".join(path), []))
        else:
            sections[-1][1].append(line)
    return [(h, "\n".join(body).strip()) for h, body in sections if "\n".join(body).strip()]


def _pack(sentences: list[str]) -> list[str]:
    """Greedy packing of sentences into pieces of about TARGET_CHARS, never over MAX_CHARS."""
    pieces: list[str] = []
    cur = ""
    for sent in sentences:
        while len(sent) > MAX_CHARS:  # a giant "sentence" (a table row, a list without stops)
            cut = sent.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > 0 else MAX_CHARS
            if cur:
                pieces.append(cur)
                cur = ""
            pieces.append(sent[:cut].strip())
            sent = sent[cut:].strip()
        if cur and len(cur) + 1 + len(sent) > TARGET_CHARS:
            pieces.append(cur)
            cur = sent
        else:
            cur = f"{cur}\n{sent}" if cur else sent
    if cur:
        pieces.append(cur)
    return pieces


def chunk_document(doc: DocumentIn) -> list[Chunk]:
    chunks: list[Chunk] = []
    for heading, body in _sections(doc.text):
        # Bullet lines are kept as their own "sentences" so lists are never glued mid-item.
        for piece in _pack(sentences(body)):
            n = len(chunks)
            chunks.append(Chunk(id=f"{doc.id}::{n}", doc_id=doc.id, index=n, text=piece, heading=heading))
    return chunks


def content_hash(doc: DocumentIn) -> str:
    """Hash of everything that changes what a chunk says or who may use it."""
    payload = doc.model_dump_json(exclude={"source_url"})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
