"""Metrics over time on both backends, every figure checked against a value computed by hand on
the fixture in tests/utils/incident.py (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.errors import NotFound
from assistant.reports.metrics import incident_timeline
from assistant.review.store import Database
from tests.utils.builders import make_keys
from tests.utils.incident import INCIDENT, T0, seed_fixture

H10, H11 = T0, T0 + timedelta(hours=1)


@pytest.fixture
def seeded(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    keys = make_keys(db)
    seed_fixture(db, keys["agent"].principal, keys["lead"].principal, monkeypatch)
    return db


def test_hourly_buckets_match_the_hand_computed_values(seeded: Database) -> None:
    m = incident_timeline(seeded, INCIDENT, "1h", kb_versions=lambda: {"fs#0": "h2"})
    assert [b.start for b in m.buckets] == [H10, H11]
    b10, b11 = m.buckets
    # comments 10:05 (c1), 10:10 (c2), 10:40 (c3) | 11:15 (c4), 11:20 (c5)
    assert (b10.comments, b11.comments, m.total.comments) == (3, 2, 5)
    assert b10.by_intent == {"complaint": 1, "question": 1, "rumour": 1}
    assert b10.by_sentiment == {"negative": 2, "neutral": 1} and b10.negative_share == pytest.approx(2 / 3)
    assert b10.by_language == {"en": 2, "fr": 1} and b10.by_platform == {"x": 2, "facebook": 1}
    assert b10.by_severity == {"high": 1, "low": 1, "medium": 1}
    assert m.total.by_intent == {"question": 2, "complaint": 1, "rumour": 1, "safety": 1}
    assert m.total.negative_share == pytest.approx(3 / 5)
    assert b11.by_platform == {"instagram": 1, "x": 1}
    # drafts created 10:06, 10:11, 10:41 | update 11:00, 11:16, 11:21
    assert b10.drafts_created == {"reply": 3} and b11.drafts_created == {"reply": 2, "update": 1}
    # approvals 10:20, 10:50 | 11:05 (update), 11:45 (override); rejection 11:10; posted 10:30 | 11:30
    assert (b10.approved, b10.rejected, b10.posted) == (2, 0, 1)
    assert (b11.approved, b11.rejected, b11.posted) == (2, 1, 1)
    # comment -> approved reply: c1 900 s, c2 2400 s (bucket 10) ; c4 1800 s (bucket 11)
    assert (b10.to_approval.count, b10.to_approval.p50_s, b10.to_approval.p90_s) == (2, 900, 2400)
    assert (b11.to_approval.count, b11.to_approval.p50_s, b11.to_approval.p90_s) == (1, 1800, 1800)
    # total [900, 1800, 2400]: nearest rank p50 = 2nd, p90 = 3rd
    assert (m.total.to_approval.count, m.total.to_approval.p50_s, m.total.to_approval.p90_s) == (3, 1800, 2400)
    assert (m.total.to_posted.count, m.total.to_posted.p50_s) == (1, 1500)  # c1 posted 10:30
    # approvals by approval time: d1 (0), d2 (1 char of 24) | update (0), d4 (0)
    assert b10.approvals_measured == 2 and b10.acceptance_rate == 0.5
    assert b10.mean_edit_distance == pytest.approx(1 / 48)
    assert b11.acceptance_rate == 1.0 and b11.mean_edit_distance == 0
    assert m.total.acceptance_rate == 0.75 and m.total.mean_edit_distance == pytest.approx(1 / 96)
    # escalations: c2 comms_lead handled at 10:50 (2400 s); c3 press rejected 11:10 (1800 s);
    # c4 safety + legal approved 11:45 (1800 s); c5 support never handled
    esc = m.total.escalations
    assert (esc["comms_lead"].comments, esc["comms_lead"].handled, esc["comms_lead"].wait.p50_s) == (1, 1, 2400)
    assert (esc["press"].handled, esc["press"].wait.p50_s) == (1, 1800)
    assert esc["safety"].wait.p90_s == 1800 and esc["legal"].wait.p50_s == 1800
    assert (esc["support"].comments, esc["support"].handled, esc["support"].wait.p50_s) == (1, 0, None)
    assert set(b10.escalations) == {"comms_lead", "press"} and set(b11.escalations) == {"safety", "legal", "support"}
    # flags: d4 high "commitment" overridden by a lead, d5 medium "unsupported_claim"
    assert {k: (v.raised, v.overridden) for k, v in m.total.flags.items()} == {
        "commitment": (1, 1), "unsupported_claim": (1, 0)}
    assert b10.flags == {}
    # stale: d1 is posted and d3 rejected (neither counts); d5 is open and cites fs#0 at h1, now h2
    assert m.stale_drafts == 1
    assert [(u.channel, u.posted_at) for u in m.updates_published] == [("website", T0 + timedelta(minutes=90))]


def test_buckets_of_fifteen_minutes_and_one_day(seeded: Database) -> None:
    q = incident_timeline(seeded, INCIDENT, "15m")
    # comments 10:05, 10:10 | 10:40 | 11:15 | 11:20
    assert [(b.start.minute if b.start else None, b.comments) for b in q.buckets if b.comments] == [
        (0, 2), (30, 1), (15, 2)]
    day = incident_timeline(seeded, INCIDENT, "1d")
    assert len(day.buckets) == 1 and day.buckets[0].comments == 5
    assert day.buckets[0].to_approval.p50_s == day.total.to_approval.p50_s == 1800
    assert day.total == q.total  # the whole-incident figures do not depend on the bucket
    assert incident_timeline(seeded, INCIDENT).stale_drafts is None  # knowledge not consulted


def test_unknown_incident_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        incident_timeline(db, "nope")
