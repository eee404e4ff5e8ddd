"""Monitor state in the store (issue 13, item 4): alerts survive a restart and two processes see the same
alerts, on SQLite and on PostgreSQL (a throwaway server from /usr/lib/postgresql/*/bin, else skipped)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from assistant.review.monitor_store import StoredMonitor
from assistant.review.store import Database
from assistant.review.tables import MonitorAlertRow

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 27, tzinfo=UTC)
BUCKET = timedelta(minutes=5)


def stream(quiet_buckets: int = 40, spike_buckets: int = 2) -> list[tuple[str, datetime, str]]:
    """~3 comments a bucket, then ~40 a bucket: one volume spike."""
    rng = np.random.default_rng(3)
    out = []
    for b in range(quiet_buckets + spike_buckets):
        for k in range(int(rng.poisson(40 if b >= quiet_buckets else 3))):
            out.append((f"c{b}-{k}", T0 + b * BUCKET + timedelta(seconds=float(rng.uniform(0, 299))),
                        "Where is my refund for the cancelled ferry?"))
    return out


def feed(monitor: StoredMonitor, rows: list[tuple[str, datetime, str]]) -> None:
    for cid, when, body in rows:
        monitor.observe(cid, when, "ferry-1", "neutral", body, author=cid)


def test_alerts_survive_a_restart_and_keep_their_id(db_url: str) -> None:
    db = Database(db_url)
    first = StoredMonitor(db)
    rows = stream()
    feed(first, rows)
    at = T0 + 42 * BUCKET
    spikes = [a for a in first.alerts(at=at) if a.kind == "volume_spike"]
    assert len(spikes) == 1
    db.dispose()

    db2 = Database(db_url)  # a new process: nothing in memory
    restarted = StoredMonitor(db2)
    again = [a for a in restarted.alerts(at=at) if a.kind == "volume_spike"]
    assert [(a.id, a.started_at) for a in again] == [(spikes[0].id, spikes[0].started_at)]
    assert restarted.count() == len(rows)

    # Quiet again: the episode is resolved, and a third process still lists it as resolved.
    feed(restarted, [(f"q{b}-{k}", T0 + b * BUCKET + timedelta(seconds=60 * k), "ok thanks")
                     for b in range(42, 60) for k in range(3)])
    later = T0 + 60 * BUCKET
    assert not [a for a in restarted.alerts(at=later) if a.kind == "volume_spike"]
    db2.dispose()
    db3 = Database(db_url)
    resolved = [a for a in StoredMonitor(db3).alerts(at=later, include_resolved=True) if a.kind == "volume_spike"]
    assert [(a.id, a.status) for a in resolved] == [(spikes[0].id, "resolved")]
    with db3.read() as s:
        assert s.scalar(select(func.count()).select_from(MonitorAlertRow)) == 1
    db3.dispose()


def test_two_processes_see_the_same_alerts(db_url: str, tmp_path: Path) -> None:
    """Another process writes the comments (a spike and a copy-paste campaign); this one sees both alerts."""
    script = tmp_path / "writer.py"
    script.write_text(
        "import sys\n"
        "from datetime import timedelta\n"
        "from assistant.review.store import Database\n"
        "from assistant.review.monitor_store import StoredMonitor\n"
        "from tests.integration.test_monitor_store import T0, BUCKET, stream, feed\n"
        "db = Database(sys.argv[1])\n"
        "m = StoredMonitor(db)\n"
        "feed(m, stream())\n"
        "copy = 'Nordvent must refund every passenger of the cancelled crossings in full, now, not vouchers'\n"
        "for n in range(6):\n"
        "    m.observe(f'camp{n}', T0 + 41 * BUCKET + timedelta(seconds=10 * n), 'ferry-1', 'negative',\n"
        "              copy, author=f'author{n}')\n"
        "print(sorted(a.id for a in m.alerts(at=T0 + 42 * BUCKET)))\n"
        "db.dispose()\n", encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script), db_url], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    db = Database(db_url)
    mine = StoredMonitor(db).alerts(at=T0 + 42 * BUCKET)
    assert str(sorted(a.id for a in mine)) == done.stdout.strip()
    assert {"volume_spike", "campaign"} <= {a.kind for a in mine}
    db.dispose()


def test_a_date_the_monitor_cannot_place_is_not_stored(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    m = StoredMonitor(db)
    with pytest.raises(ValueError):
        m.observe("x", datetime(1960, 1, 1, tzinfo=UTC), text="hello")
    assert m.count() == 0
    db.dispose()
