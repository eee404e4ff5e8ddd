"""Two processes, one knowledge base: what one adds or deletes, the other finds (or stops finding) on
its next search, lexically and by vectors, without a restart. Embedded Chroma (one data dir) and a
Chroma server (two data dirs, as two machines would have)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.knowledge.store import TOKEN_CHECK_S, KnowledgeBase
from tests.utils.kb import doc, settings_for
from tests.utils.servers import chroma_server

# The other process: it answers "search <mode> <query>" with the doc ids it finds and "add <id> <text>"
# by upserting; it opens its store (and loads the model) before the first write of this one.
WORKER = """
import json, sys
from assistant.config import Settings
from assistant.knowledge.store import TOKEN_CHECK_S, KnowledgeBase
from tests.utils.kb import doc
kb = KnowledgeBase(Settings(data_dir=sys.argv[1], chroma_url=sys.argv[2] or None))
kb.search("warm up the vector client", k=1)
print("ready", flush=True)
for line in sys.stdin:
    cmd, arg, rest = (line.rstrip("\\n").split(" ", 2) + ["", ""])[:3]
    if cmd == "search":
        print(json.dumps([h.doc_id for h in kb.search(rest, k=3, mode=arg)]), flush=True)
    elif cmd == "add":
        print(kb.upsert(doc(arg, rest, kind="fact_sheet")), flush=True)
"""


class Worker:
    def __init__(self, data_dir: Path, chroma_url: str = "") -> None:
        root = Path(__file__).resolve().parents[2]
        self.remote = bool(chroma_url)
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, str(data_dir), chroma_url], cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.ask("") == "ready"

    def ask(self, line: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        if line:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        out = self.proc.stdout.readline().strip()
        assert out, f"worker exited with {self.proc.poll()}"
        return out

    def search(self, mode: str, query: str) -> list[str]:
        return list(json.loads(self.ask(f"search {mode} {query}")))

    def search_soon(self, mode: str, query: str, want: list[str]) -> list[str]:
        """Across data dirs (machines) a write is seen within TOKEN_CHECK_S; in one data dir at once."""
        deadline = time.monotonic() + (3 * TOKEN_CHECK_S if self.remote else 0)
        while (got := self.search(mode, query)) != want and time.monotonic() < deadline:
            time.sleep(0.2)
        return got

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[KnowledgeBase, Worker]]:
    if request.param == "embedded":
        kb = KnowledgeBase(settings_for(tmp_path / "data"))
        kb.upsert(doc("hotline", "Call the hotline on 0 800 55 12 12.", kind="contact"))
        worker = Worker(tmp_path / "data")
        yield kb, worker
        worker.close()
        return
    with chroma_server(tmp_path / "server") as url:
        kb = KnowledgeBase(settings_for(tmp_path / "machine-a", chroma_url=url))
        kb.upsert(doc("hotline", "Call the hotline on 0 800 55 12 12.", kind="contact"))
        worker = Worker(tmp_path / "machine-b", url)
        yield kb, worker
        worker.close()


def test_a_write_in_one_process_is_found_by_the_other(two_processes: tuple[KnowledgeBase, Worker]) -> None:
    kb, worker = two_processes
    assert worker.search("lexical", "hotline") == ["hotline"]  # what existed before it started
    kb.upsert(doc("batches", "Batches L4821 and L4822 are recalled.", kind="fact_sheet"))
    assert worker.search_soon("lexical", "L4822", ["batches"]) == ["batches"]
    assert worker.search("vector", "Which batches are recalled?")[0] == "batches"
    # ... and the other way round.
    assert worker.ask("add refunds Refunds are paid within 14 days by bank transfer.") == "added"
    if worker.remote:
        time.sleep(TOKEN_CHECK_S)
    assert kb.search("refunds paid by bank transfer", k=1, mode="lexical")[0].doc_id == "refunds"
    assert kb.search("When will I get my money back?", k=1, mode="vector")[0].doc_id == "refunds"
    # A delete is seen too.
    kb.delete("batches")
    assert worker.search_soon("lexical", "L4822", []) == []
    assert "batches" not in worker.search("hybrid", "L4822 recalled batches")
