"""A small incident whose every metric was computed by hand (see the expectations in the tests).

Times are set with a controllable clock patched into the lifecycle, so approval, rejection and
posting happen at chosen instants. Base hour: 2026-11-27 10:00 UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assistant.models import Flag, Triage
from assistant.review import lifecycle as review
from assistant.review.schemas import IncidentIn, Principal
from assistant.review.store import Database
from tests.utils.builders import checked, comment, draft

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
INCIDENT = "recall-fixture"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@contextmanager
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    now = [T0]
    monkeypatch.setattr(review, "utcnow", lambda: now[0])
    yield now


def _tri(lang: str, intent: str, sentiment: str, severity: str, escalate: list[str] | None = None) -> Triage:
    return Triage(language=lang, intent=intent, sentiment=sentiment, severity=severity,  # type: ignore[arg-type]
                  escalate_to=escalate or [])  # type: ignore[arg-type]


def seed_fixture(db: Database, agent: Principal, lead: Principal, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    db.put_incident(IncidentIn(id=INCIDENT, title="Fixture recall"), actor=lead.key_id)
    ids: dict[str, Any] = {}
    with clock(monkeypatch) as now:

        def new(name: str, minute: int, c_minute: int, platform: str, tri: Triage, **fields: Any) -> str:
            now[0] = at(minute)
            d = draft(incident=INCIDENT, created_at=at(minute), updated_at=at(minute), platform=platform,
                      triage=tri, language=tri.language, citations=[], **fields)
            c = comment(f"comment {name}", id=f"c-{name}", platform=platform, created_at=at(c_minute))
            ids[name] = review.save_new_draft(db, d, c, agent).id
            return str(ids[name])

        def step(minute: int) -> None:
            now[0] = at(minute)

        d1 = new("1", 6, 5, "x", _tri("en", "question", "negative", "medium"), text="Batch L4822 is recalled.",
                 knowledge_versions={"fs#0": "h1"})
        d2 = new("2", 11, 10, "facebook", _tri("fr", "complaint", "negative", "high", ["comms_lead"]),
                 text="Batch L4822 is recalled.")
        d3 = new("3", 41, 40, "x", _tri("en", "rumour", "neutral", "low", ["press"]), text="Not true.",
                 knowledge_versions={"fs#0": "h1"})
        step(20)
        review.approve(db, d1, 1, agent)
        step(30)
        review.mark_posted(db, d1, 2, agent, "https://x.example/1")
        step(45)
        review.edit(db, d2, "Batch L4822 is recalled!", 1, agent, checked("Batch L4822 is recalled!"))
        step(50)
        review.approve(db, d2, 2, agent)
        # the public update: created 11:00, approved 11:05, posted 11:30 (only a lead may)
        step(60)
        u = draft(text="Update: batch L4822 is recalled.", kind="update", incident=INCIDENT, created_at=at(60),
                  updated_at=at(60), triage=None, citations=[], platform="website")
        ids["u"] = review.save_new_draft(db, u, None, lead).id
        step(65)
        review.approve(db, ids["u"], 1, lead)
        step(70)
        review.reject(db, d3, 1, agent, "wrong tone")
        d4 = new("4", 76, 75, "instagram", _tri("en", "safety", "negative", "critical", ["safety", "legal"]),
                 text="Please see a doctor.", flags=[Flag(code="commitment", severity="high", message="m")])
        d5 = new("5", 81, 80, "x", _tri("en", "question", "positive", "low", ["support"]), text="Thanks!",
                 flags=[Flag(code="unsupported_claim", severity="medium", message="m")],
                 knowledge_versions={"fs#0": "h1"})
        step(90)
        review.mark_posted(db, ids["u"], 2, lead, "https://alpena.example/update")
        step(105)
        review.approve(db, d4, 1, lead, override_reason="doctor advice is policy")
        ids.update(d1=d1, d2=d2, d3=d3, d4=d4, d5=d5)
    return ids
