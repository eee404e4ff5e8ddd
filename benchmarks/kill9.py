"""kill -9 of `crisis-desk serve --workers 2` in the middle of a load of POST /v1/drafts (issue 18).

    .venv/bin/python benchmarks/kill9.py [--clients 16] [--seconds 6]

Prints: drafts acknowledged (201) before the kill, how many of them are missing after a restart
(must be 0), the SQLite integrity check, how long the orphaned workers took to exit, and whether a
restart on the same port came up. Before issue 18 the workers kept serving and the restart failed.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import Settings
from assistant.runtime import Runtime
from tests.utils.builders import make_keys
from tests.utils.kb import sample_kb
from tests.utils.servers import alive, children, crisis_serve, free_port


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        sample_kb(data)
        runtime = Runtime(Settings(data_dir=data))
        keys = make_keys(runtime.db)
        db_file = runtime.settings.sqlalchemy_url.split("///", 1)[1]
        runtime.close()
        port = free_port()
        acked: list[str] = []
        failed = 0
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        stop = threading.Event()
        with crisis_serve(data, workers=2, port=port) as (url, master):
            headers = keys["agent"].headers
            with httpx.Client(base_url=url, timeout=120) as c:  # both workers load the knowledge first
                warm = [c.post("/v1/drafts", headers=headers, json={"comment": {"text": "Refund?"}}) for _ in range(6)]
                assert all(r.status_code == 201 for r in warm), [r.text for r in warm]

            def client(n: int) -> None:
                nonlocal failed
                with httpx.Client(base_url=url, timeout=60) as c:
                    i = 0
                    while not stop.is_set():
                        i += 1
                        body = {"comment": {"id": f"k{n}-{i}", "text": f"Where is my refund? order {n}-{i}",
                                            "platform": "x"}, "incident": "recall-2026-11"}
                        try:
                            r = c.post("/v1/drafts", json=body, headers=headers)
                        except httpx.HTTPError:
                            with lock:
                                failed += 1
                            time.sleep(0.05)
                            continue
                        with lock:
                            if r.status_code == 201:
                                acked.append(r.json()["id"])
                            else:
                                failed += 1
                                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for t in threads:
                t.start()
            time.sleep(args.seconds / 2)
            workers = children(master.pid)
            master.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            while any(alive(p) for p in workers) and time.monotonic() - killed_at < 20:
                time.sleep(0.05)
            exit_s = time.monotonic() - killed_at
            orphans = sum(alive(p) for p in workers)
            time.sleep(args.seconds / 2)
            stop.set()
            for t in threads:
                t.join()
        with crisis_serve(data, workers=2, port=port) as (url, _), httpx.Client(base_url=url, timeout=30) as c:
            missing = sum(c.get(f"/v1/drafts/{d}", headers=keys["agent"].headers).status_code != 200 for d in acked)
            restarted = True
        with sqlite3.connect(db_file) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    print(f"clients {args.clients}, kill -9 of the master after {args.seconds / 2:.1f} s of load")
    print(f"drafts acknowledged (201): {len(acked)}; missing after restart: {missing}; integrity: {integrity}")
    print(f"requests refused or cut while the server went down: {failed} (HTTP answers: {statuses})")
    print(f"workers alive after the kill: {orphans} (exited {exit_s:.2f} s after it); restart on the same port: "
          f"{'ok' if restarted else 'failed'}")


if __name__ == "__main__":
    main()
