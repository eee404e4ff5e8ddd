"""Issue 18 on the real server: `crisis-desk serve --workers 2` (uvicorn, h11), its header limits, and
what kill -9 of the master leaves behind. The API scenarios are those of test_security.py."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.runtime import Runtime
from tests.integration.test_security import HOSTILE_EDIT, SAFE_EDIT, Api, high
from tests.utils.builders import Key, make_keys
from tests.utils.servers import alive, children, crisis_serve

pytestmark = pytest.mark.server


class Served(Api):
    """The API helper of test_security.py on the real server, with its master process and port."""

    def __init__(self, client: httpx.Client, keys: dict[str, Key], master: subprocess.Popen[bytes], port: int) -> None:
        super().__init__(client, keys)  # type: ignore[arg-type]  # httpx.Client: the same request() as TestClient
        self.master, self.port = master, port


@pytest.fixture(scope="module")
def served(sample_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(sample_kb_dir, data)  # workers write (drafts, promotions): not the shared sample copy
    runtime = Runtime(Settings(data_dir=data))
    keys = make_keys(runtime.db)
    runtime.close()
    with crisis_serve(data, workers=2) as (url, master), httpx.Client(base_url=url, timeout=30) as client:
        yield Served(client, keys, master, int(url.rsplit(":", 1)[1]))


def test_two_workers_guard_every_edit(served: Api) -> None:
    d = served.draft("Which batches are recalled?")
    edited = served.ok("agent", "PATCH", f"/v1/drafts/{d['id']}", json={"text": HOSTILE_EDIT, "version": 1})
    assert {"unapproved_commitment", "unsupported_claim", "pii_echo"} <= high(edited)
    assert served("agent", "POST", f"/v1/drafts/{d['id']}/approve", json={"version": 2}).status_code == 409
    good = served.ok("agent", "PATCH", f"/v1/drafts/{d['id']}", json={"text": SAFE_EDIT, "version": 2})
    assert not high(good)
    assert served.ok("agent", "POST", f"/v1/drafts/{d['id']}/approve", json={"version": 3})["status"] == "approved"


def test_two_workers_scope_comment_ids_and_refuse_clashes(served: Api) -> None:
    a = served.draft("My child ate it and is vomiting, batch L4821!", id="W", platform="x", incident="A2")
    served.draft("Where is my refund?", id="W", platform="x", incident="B2")
    queue = served.ok("agent", "GET", "/v1/queue", params={"incident": "A2"})
    assert [i["draft"]["id"] for i in queue["data"]] == [a["id"]]
    clash = served("agent", "POST", "/v1/drafts", json={"comment": {"id": "W", "platform": "x", "text": "other"},
                                                       "incident": "A2"})
    assert clash.status_code == 409


def test_two_workers_survive_dates_from_the_future(served: Api) -> None:
    for when in ("2030-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
        for _ in range(4):  # both workers see it
            r = served("agent", "POST", "/v1/triage", json={"comment": {"text": "refund?", "created_at": when}})
            assert r.status_code in (200, 422), r.text
            assert served("agent", "GET", "/v1/alerts").status_code == 200


def _raw(url: str, head: bytes) -> int:
    """Send a raw request head; the status the server answers (0 when it just closes)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        try:
            s.sendall(head)
            reply = s.recv(200)
        except OSError:
            return 0
    return int(reply.split()[1]) if reply.startswith(b"HTTP/") else 0


def test_header_size_and_count_are_bounded(served: Api) -> None:
    url = str(served.client.base_url).rstrip("/")
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(10_000)) + b"\r\n"
    assert _raw(url, big) in (0, 400, 431)
    assert _raw(url, many) in (0, 400, 431)
    assert _raw(url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 200
    # Under the parser's byte limit but over the count: our middleware answers 431 (problem+json).
    headers = {f"x-h{i}": "1" for i in range(150)}
    r = served("agent", "GET", "/v1/me", headers=headers)
    assert r.status_code == 431 and r.json()["code"] == "request_headers_too_large"


def test_chunked_body_over_the_limit_is_413_on_the_server(served: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"comment": {"text": "'
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}}'

    r = served("agent", "POST", "/v1/triage", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


def test_two_workers_answer_hostile_requests_with_a_4xx(served: Api) -> None:
    from collections import Counter

    from tests.utils.hostile import battery, run

    d = served.draft("Which batches are recalled?")
    results = run(served.client, served.keys, battery(d["id"], d["version"]))
    print(f"\n{len(results)} hostile requests, 2 workers: {dict(sorted(Counter(s for _, s in results).items()))}")
    assert not [(n, s) for n, s in results if not 400 <= s < 500]


def test_kill_9_of_the_master_takes_the_workers_down(served: Served) -> None:
    """Last in this module: it kills the module's server. Before issue 18 the workers kept serving on
    the port and a restart failed with "address already in use"."""
    master = served.master
    workers = children(master.pid)
    assert len(workers) >= 2, workers
    master.send_signal(signal.SIGKILL)
    master.wait(timeout=10)
    started = time.monotonic()
    while any(alive(p) for p in workers) and time.monotonic() - started < 10:
        time.sleep(0.1)
    gone_after = time.monotonic() - started
    assert not any(alive(p) for p in workers), f"workers still serving {gone_after:.1f}s after kill -9"
    print(f"\nworkers exited {gone_after:.2f}s after kill -9 of the master")
    with socket.socket() as s:  # nobody listens on the port any more: a restart can bind it, as uvicorn does
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (on Linux, still refused while one listens)
        s.bind(("127.0.0.1", served.port))
        s.listen()
