"""The stream monitor with its state in the review store: alerts survive a restart and every worker sees
the same ones.

`triage.monitor.Monitor` is the statistics, in memory and deterministic. Here each observed comment
is one row of `monitor_observations` and each alert episode one row of `monitor_alerts` (SQLite or
PostgreSQL, migration monitor_0001). A process keeps a Monitor as a cache of the stored stream:
before it places a comment or answers `alerts()` it replays the rows it has not seen yet (its own and
other workers'), takes the stored episodes (so an ongoing spike keeps its id and start, and resolved
alerts are remembered), computes, and writes back what changed. A restarted process replays the stored
stream (at most the monitor's memory, about ten hours) and continues.

Rows are read by `seq` with a look-back: PostgreSQL may commit a lower sequence number after a higher
one, so rows up to `LOOKBACK` numbers below the highest seen are read again and the unseen ones added.
Imports: core, triage.monitor, review.store / tables.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from assistant.models import Sentiment
from assistant.review.store import Database
from assistant.review.tables import MonitorAlertRow, MonitorObservationRow
from assistant.triage.monitor import Alert, Monitor, Observation, check_placeable

LOOKBACK = 1000
RESOLVED_KEPT = timedelta(days=7)  # resolved alerts stay listed (include_resolved) this long
PRUNE_EVERY = 500  # observations written by this process between two deletions of forgotten rows


class StoredMonitor:
    """The same interface as Monitor for the API (placed, observe, alerts), backed by the store."""

    def __init__(self, db: Database, **options: Any) -> None:
        self.db = db
        self.options = options
        self.monitor = Monitor(**options)
        self._lock = threading.Lock()
        self._max_seq = 0
        self._seen: set[int] = set()
        self._written = 0

    # ------------------------------------------------------------ input

    def placed(self, created_at: datetime | None, arrived: datetime) -> datetime:
        with self._lock:
            self._catch_up()
            return self.monitor.placed(created_at, arrived)

    def observe(self, comment_id: str, created_at: datetime, incident: str | None = None,
                sentiment: Sentiment | float = "neutral", text: str = "", author: str | None = None) -> None:
        obs = Observation(comment_id=comment_id, created_at=created_at, incident=incident, sentiment=sentiment,
                          text=text, author=author)
        check_placeable(obs.created_at)  # a date the monitor cannot place is refused before it is stored
        with self.db.write() as s:
            s.add(MonitorObservationRow(comment_id=comment_id[:200], placed_at=obs.created_at, incident=incident,
                                        negative=obs.negative, text=text, author=(author or None) and author[:200]))
        with self._lock:
            self._written += 1
            if self._written % PRUNE_EVERY == 0:
                self._prune()
            self._catch_up()

    # ------------------------------------------------------------ output

    def alerts(self, at: datetime | None = None, *, include_resolved: bool = False) -> list[Alert]:
        with self._lock:
            self._catch_up()
            stored = self._load_episodes()
            self.monitor.restore_episodes(*stored)
            out = self.monitor.alerts(at, include_resolved=include_resolved)
            # Another worker may store the same new episode (same id) first: theirs stands.
            with suppress(IntegrityError):
                self._save_episodes(stored)
            return out

    def count(self) -> int:
        with self._lock:
            self._catch_up()
            return self.monitor.count()

    # ------------------------------------------------------------ the stored stream

    def _catch_up(self) -> None:
        floor = max(0, self._max_seq - LOOKBACK)
        with self.db.read() as s:
            rows = s.scalars(select(MonitorObservationRow).where(MonitorObservationRow.seq > floor)
                             .order_by(MonitorObservationRow.seq)).all()
        for row in rows:
            if row.seq in self._seen:
                continue
            self._seen.add(row.seq)
            self._max_seq = max(self._max_seq, row.seq)
            self.monitor.add(Observation(comment_id=row.comment_id, created_at=row.placed_at, incident=row.incident,
                                         sentiment="negative" if row.negative else "neutral", text=row.text,
                                         author=row.author))
        if len(self._seen) > 4 * LOOKBACK:  # only the look-back window can still hold an unseen row
            self._seen = {q for q in self._seen if q > self._max_seq - LOOKBACK}

    def _prune(self) -> None:
        """Delete the rows older than anything the monitor still remembers (the table stays bounded)."""
        with self.db.read() as s:
            latest = s.scalar(select(func.max(MonitorObservationRow.placed_at)))
        if latest is None:
            return
        horizon = latest - self.monitor.memory - timedelta(hours=1)
        with self.db.write() as s:
            s.execute(delete(MonitorObservationRow).where(MonitorObservationRow.placed_at < horizon))
            s.execute(delete(MonitorAlertRow).where(MonitorAlertRow.status == "resolved",
                                                    MonitorAlertRow.updated_at < horizon - RESOLVED_KEPT))

    # ------------------------------------------------------------ episodes

    def _load_episodes(self) -> tuple[dict[tuple[str, str, str], Alert], list[Alert]]:
        with self.db.read() as s:
            rows = s.scalars(select(MonitorAlertRow).order_by(MonitorAlertRow.updated_at, MonitorAlertRow.id)).all()
        open_: dict[tuple[str, str, str], Alert] = {}
        closed: list[Alert] = []
        for row in rows:
            alert = Alert.model_validate(row.alert)
            if row.status == "active":
                open_[(row.kind, row.slot_key, row.slot_term)] = alert
            else:
                closed.append(alert)
        return open_, closed

    def _save_episodes(self, before: tuple[dict[tuple[str, str, str], Alert], list[Alert]]) -> None:
        open_now, closed_now = self.monitor.episodes()
        known = {a.id: a for a in [*before[0].values(), *before[1]]}
        changed: list[tuple[tuple[str, str, str] | None, Alert]] = [
            (slot, a) for slot, a in open_now.items() if known.get(a.id) != a]
        changed += [(None, a) for a in closed_now if known.get(a.id) != a]
        if not changed:
            return
        slots = {a.id: slot for slot, a in before[0].items()}
        with self.db.write() as s:
            for slot, alert in changed:
                kind, key, term = slot or slots.get(alert.id) or (alert.kind, alert.incident or "*", "")
                row = s.get(MonitorAlertRow, alert.id)
                values = dict(kind=kind, slot_key=key, slot_term=term, status=alert.status,
                              updated_at=alert.updated_at, alert=alert.model_dump(mode="json"))
                if row is None:
                    s.add(MonitorAlertRow(id=alert.id, **values))
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
