"""Spike detection on synthetic streams with fixed seeds: no alert when nothing happens, one alert
per spike, found within two buckets, and never on a handful of comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from assistant.models import Sentiment
from assistant.triage.monitor import Alert, Monitor, Observation

T0 = datetime(2026, 11, 27, tzinfo=UTC)
BUCKET = timedelta(minutes=5)
INCIDENT = "recall-2026-11"
QUESTIONS = [
    "Which batches are affected?", "How do I get a refund?", "Is the chocolate granola safe?",
    "Where is the batch number on the box", "Disappointed in Alpena", "When will you know the cause?",
    "Merci pour l'info", "Quels lots sont concernés ?", "Le remboursement prend combien de temps ?",
]


def feed(monitor: Monitor, rng: np.random.Generator, bucket: int, rate: float, *, negative: float = 0.2,
         text: str | None = None, incident: str = INCIDENT) -> None:
    n = int(rng.poisson(rate))
    for k in range(n):
        when = T0 + bucket * BUCKET + timedelta(seconds=float(rng.uniform(0, 299)))
        body = text if text is not None else QUESTIONS[int(rng.integers(len(QUESTIONS)))]
        sentiment: Sentiment = "negative" if rng.random() < negative else "neutral"
        monitor.observe(f"{incident}-{bucket}-{k}", when, incident, sentiment, body)


def end_of(bucket: int) -> datetime:
    return T0 + (bucket + 1) * BUCKET


def run(rates: list[float], seed: int = 7, **feed_args: object) -> tuple[Monitor, list[list[Alert]]]:
    rng = np.random.default_rng(seed)
    monitor = Monitor()
    seen = []
    for b, rate in enumerate(rates):
        feed(monitor, rng, b, rate, **feed_args)  # type: ignore[arg-type]
        seen.append(monitor.alerts(at=end_of(b)))
    return monitor, seen


@pytest.mark.parametrize("rate", [2.0, 15.0])
def test_steady_poisson_stream_raises_no_alert(rate: float) -> None:
    _, seen = run([rate] * 288)  # one day of 5-minute buckets
    assert [a.message for alerts in seen for a in alerts] == []


@pytest.mark.parametrize("factor", [3.0, 5.0])
def test_injected_spike_is_found_within_two_buckets_and_stays_one_alert(factor: float) -> None:
    spike = 150
    rates = [15.0] * spike + [15.0 * factor] * 8 + [15.0] * 30
    _, seen = run(rates)
    volume = [[a for a in alerts if a.kind == "volume_spike"] for alerts in seen]
    assert not any(volume[:spike])
    first = next(b for b in range(spike, len(rates)) if volume[b])
    assert first - spike <= 1  # flagged in the spike's first or second bucket
    ids = {a.id for alerts in volume for a in alerts}
    assert len(ids) == 1  # the same ongoing spike is one alert, updated
    during = [alerts[0] for alerts in volume[spike : spike + 8] if alerts]
    assert [len(a.counts) for a in during] == sorted(len(a.counts) for a in during)
    assert during[-1].updated_at > during[0].updated_at
    assert during[-1].started_at == T0 + spike * BUCKET
    assert during[-1].incident == INCIDENT
    assert during[-1].ratio >= 2 and during[-1].baseline == pytest.approx(15, rel=0.3)
    assert "since 2026-11-27" in during[-1].message and "x" in during[-1].message
    assert 1 <= len(during[-1].examples) <= 3
    assert not any(volume[spike + 14 :])  # over once the rate is back


def test_spike_ends_resolved_and_is_kept_in_history() -> None:
    monitor, seen = run([15.0] * 150 + [75.0] * 4 + [15.0] * 20)
    assert not [a for a in seen[-1] if a.kind == "volume_spike"]
    history = [a for a in monitor.alerts(at=end_of(173), include_resolved=True) if a.kind == "volume_spike"]
    assert len(history) == 1 and history[0].status == "resolved"


@pytest.mark.parametrize("burst", [3, 6, 9])
def test_tiny_volumes_never_alert(burst: int) -> None:
    rng = np.random.default_rng(3)
    monitor = Monitor()
    for b in range(200):
        n = burst if b in (60, 61, 120, 180) else int(rng.random() < 0.2)
        for k in range(n):  # a burst is all negative and all about one new word: still too few to matter
            monitor.observe(f"{b}-{k}", T0 + b * BUCKET, INCIDENT, "negative", "hospital lawyer")
        assert monitor.alerts(at=end_of(b)) == []


def test_negative_share_spike() -> None:
    rng = np.random.default_rng(11)
    monitor = Monitor()
    kinds = []
    for b in range(120):
        feed(monitor, rng, b, 12.0, negative=0.8 if b >= 100 else 0.15)
        kinds.append({a.kind for a in monitor.alerts(at=end_of(b))})
    assert not any("negative_spike" in k for k in kinds[:100])
    assert any("negative_spike" in k for k in kinds[100:102])
    alert = next(a for a in monitor.alerts(at=end_of(119)) if a.kind == "negative_spike")
    assert alert.current > 0.5 > alert.baseline
    assert "negative" in alert.message


def test_new_topic_is_the_new_word_with_its_companions() -> None:
    rng = np.random.default_rng(1)
    monitor = Monitor()
    topics = []
    for b in range(60):
        feed(monitor, rng, b, 8.0)
        if b >= 50:
            for k in range(3):
                monitor.observe(f"h{b}-{k}", T0 + b * BUCKET + timedelta(seconds=30 * k), INCIDENT, "negative",
                                "My son was taken to hospital after eating it, is this the metal?")
        topics.append([a for a in monitor.alerts(at=end_of(b)) if a.kind == "new_topic"])
    assert not any(topics[:50])
    first = next(b for b in range(50, 60) if topics[b])
    assert first - 50 <= 1
    alert = topics[first][0]
    assert alert.term == "hospital"
    assert "metal" in alert.related_terms
    assert {a.id for t in topics[first:] for a in t} == {alert.id}
    assert all("hospital" in e.text for e in alert.examples)


def test_alerts_are_idempotent_for_the_same_time() -> None:
    monitor, _ = run([15.0] * 150 + [60.0] * 3)
    at = end_of(152)
    assert monitor.alerts(at=at) == monitor.alerts(at=at)


def test_overall_series_only_alerts_when_it_adds_something() -> None:
    rng = np.random.default_rng(5)
    monitor = Monitor()
    for b in range(160):
        feed(monitor, rng, b, 10.0)
        feed(monitor, rng, b, 10.0, incident="delivery-2026-12")
        if b >= 150:
            feed(monitor, rng, b, 40.0)
    alerts = [a for a in monitor.alerts(at=end_of(159)) if a.kind == "volume_spike"]
    assert {a.incident for a in alerts} == {INCIDENT, None}


def test_one_incident_alone_is_not_duplicated_as_overall() -> None:
    _, seen = run([15.0] * 150 + [75.0] * 3)
    assert {a.incident for a in seen[-1]} == {INCIDENT}


def test_observation_accepts_a_score() -> None:
    obs = Observation(comment_id="c1", created_at=T0, sentiment=-0.6, text="x")
    assert obs.negative
    assert not Observation(comment_id="c2", created_at=T0, sentiment=0.1).negative


def test_no_history_no_alert() -> None:
    monitor = Monitor()
    for k in range(80):
        monitor.observe(f"c{k}", T0 + timedelta(seconds=k), INCIDENT, "negative", "hospital")
    assert monitor.alerts(at=T0 + BUCKET) == []
    assert Monitor().alerts() == []


# ---------------------------------------------------------------- a client's created_at (issue 18)


def test_an_implausible_created_at_counts_at_arrival() -> None:
    monitor = Monitor()
    now = T0 + timedelta(hours=3)
    assert monitor.placed(None, now) == now
    assert monitor.placed(now - timedelta(minutes=20), now) == now - timedelta(minutes=20)
    assert monitor.placed(now + timedelta(minutes=2), now) == now  # clock skew: never after arrival
    for wrong in (datetime(2030, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
                  datetime(1, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, tzinfo=UTC)):
        assert monitor.placed(wrong, now) == now
    monitor.observe("c1", now, "recall")
    assert monitor.placed(now - monitor.memory - timedelta(minutes=5), now) == now  # older than remembered
    with pytest.raises(ValueError):
        monitor.observe("c2", datetime(9999, 12, 31, tzinfo=UTC))


def test_an_old_isolated_comment_does_not_warm_up_a_new_stream() -> None:
    monitor = Monitor()
    monitor.observe("old", T0 - timedelta(days=30), "recall")
    for i in range(40):  # a burst on a stream with no history at all: no baseline, no alert
        monitor.observe(f"c{i}", T0 + timedelta(seconds=5 * i), "recall", "negative")
    assert monitor.alerts(at=T0 + BUCKET) == []


def test_copy_paste_campaign_is_one_alert_for_the_comms_lead() -> None:
    monitor = Monitor()
    t0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    core = "Nous, usagers de la ligne Rennes-Brest, exigeons le remboursement intégral de nos abonnements."
    copies = [core, core.upper(), core.replace(".", " !"), "@ferlys " + core, core.replace("intégral", "total")]
    for i, text in enumerate(copies):
        monitor.observe(f"c{i}", t0 + timedelta(minutes=3 * i), text=text, author=f"user{i}")
    for i in range(30):
        monitor.observe(f"o{i}", t0 + timedelta(minutes=i), text=f"Le train {i} est-il maintenu demain matin ?",
                        author=f"other{i}")
    monitor.observe("same", t0 + timedelta(minutes=20), text=core, author="user0")  # a sixth copy, same author
    alerts = [a for a in monitor.alerts(at=t0 + timedelta(minutes=40)) if a.kind == "campaign"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.escalate_to == ["comms_lead"] and alert.current == 6 and alert.score == 5  # 6 copies, 5 authors
    assert "Copy-paste campaign" in alert.message and alert.examples[0].comment_id == "c0"
    assert monitor.alerts(at=t0 + timedelta(minutes=40)) == monitor.alerts(at=t0 + timedelta(minutes=40))
    # Outside the window (six hours by default) the campaign is over.
    assert not [a for a in monitor.alerts(at=t0 + timedelta(hours=7)) if a.kind == "campaign"]
    # Four copies from one author are not a campaign.
    alone = Monitor()
    for i in range(4):
        alone.observe(f"a{i}", t0 + timedelta(minutes=i), text=core, author="same")
    assert not [a for a in alone.alerts(at=t0 + timedelta(minutes=5)) if a.kind == "campaign"]


def test_the_crisis_vocabulary_comes_from_the_stream_not_a_brand_list() -> None:
    """A brand the monitor was never told about ("Nordvent") is in most comments: it is the stream's own
    vocabulary, never a topic, even when a new incident's comments flood in; a new word still is."""
    import assistant.triage.monitor as monitor_module

    assert not {"alpena", "granola", "cereal"} & set(monitor_module._FUNCTION_WORDS)
    rng = np.random.default_rng(5)
    monitor = Monitor()
    lines = ["Nordvent ferry cancelled again", "Nordvent refund when?", "Is the Nordvent crossing on tomorrow?",
             "Where do I rebook?", "Nordvent hotline is dead"]
    for b in range(60):
        for k in range(int(rng.poisson(8))):
            monitor.observe(f"n{b}-{k}", T0 + b * BUCKET + timedelta(seconds=20 * k), "ferry", "neutral",
                            lines[int(rng.integers(len(lines)))])
        if b >= 50:
            for k in range(4):
                monitor.observe(f"s{b}-{k}", T0 + b * BUCKET + timedelta(seconds=30 * k), "ferry", "negative",
                                "Nordvent left passengers stranded on the pier overnight")
    topics = [a for a in monitor.alerts(at=end_of(52)) if a.kind == "new_topic"]
    assert topics and all(a.term != "nordvent" and "nordvent" not in a.related_terms for a in topics)
    assert {"stranded", "pier", "overnight", "passengers"} & {t for a in topics for t in [a.term, *a.related_terms]}
    vocab = monitor.stream_vocabulary(__import__("collections").Counter({"nordvent": 30, "pier": 2}), 40)
    assert vocab == frozenset({"nordvent"})
