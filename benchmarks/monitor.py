"""Spike detector vs a naive threshold, on synthetic Poisson streams (fixed seeds).

    python benchmarks/monitor.py [--seeds 20] [--days 2]

False alerts: steady streams (no spike at all) of 5-minute buckets, at a low and a busy rate; every
alert is false. Detection: the same stream with the rate multiplied for an hour from a known bucket;
delay = buckets from the spike's first bucket to the first alert (0 = flagged in that bucket).
The naive detector is "count > 2 x the mean of all previous buckets", with the same episode grouping
(flags less than four buckets apart are one alert) so that only the decision rule differs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from assistant.triage.monitor import Monitor

T0 = datetime(2026, 11, 20, tzinfo=UTC)
BUCKET = timedelta(minutes=5)
COOLDOWN = 3
INCIDENT = "recall-2026-11"


@dataclass
class Run:
    ours: list[int]  # buckets where a new alert appeared
    naive: list[int]


def simulate(seed: int, rate: float, buckets: int, spike_at: int | None = None, factor: float = 1.0,
             spike_len: int = 12) -> Run:
    rng = np.random.default_rng(seed)
    monitor = Monitor()
    seen: set[str] = set()
    ours: list[int] = []
    naive: list[int] = []
    history: list[int] = []
    last_flag = -10
    for b in range(buckets):
        lam = rate * (factor if spike_at is not None and spike_at <= b < spike_at + spike_len else 1.0)
        n = int(rng.poisson(lam))
        offsets = np.sort(rng.uniform(0, 300, size=n))
        negative = rng.random(n) < 0.3
        for k in range(n):
            monitor.observe(f"{b}-{k}", T0 + b * BUCKET + timedelta(seconds=float(offsets[k])), INCIDENT,
                            "negative" if negative[k] else "neutral")
        for alert in monitor.alerts(at=T0 + (b + 1) * BUCKET):
            if alert.kind == "volume_spike" and alert.id not in seen:
                seen.add(alert.id)
                ours.append(b)
        if len(history) >= 6 and n > 2 * (sum(history) / len(history)):
            if b - last_flag > COOLDOWN:
                naive.append(b)
            last_flag = b
        history.append(n)
    return Run(ours, naive)


def false_alerts(seeds: int, days: int) -> None:
    buckets = days * 288
    print(f"False alerts on steady streams ({seeds} seeds x {days} days of 5-min buckets, no spike):")
    print(f"  {'rate/bucket':>11} {'ours':>8} {'naive':>8}   per day (ours / naive)")
    for rate in (2.0, 5.0, 20.0):
        ours = naive = 0
        for seed in range(seeds):
            run = simulate(seed, rate, buckets)
            ours += len(run.ours)
            naive += len(run.naive)
        total_days = seeds * days
        bound = f"< {1 / total_days:.3f}" if ours == 0 else f"{ours / total_days:.3f}"
        if ours and naive:
            ratio = f"naive/ours = {naive / ours:.1f}"
        elif naive:  # none of ours in all those days: the ratio is at least naive's count
            ratio = f"naive/ours >= {naive:.0f}"
        else:
            ratio = "both zero"
        print(f"  {rate:>11g} {ours:>8} {naive:>8}   {bound} / {naive / total_days:.3f}   ({ratio})")


def delays(seeds: int) -> None:
    rate, warm, spike_len = 20.0, 120, 12
    print(f"\nDetection of injected spikes (rate {rate:g}/bucket, spike of {spike_len} buckets after {warm}):")
    print(f"  {'factor':>6} {'ours: detected':>15} {'mean delay':>11} {'naive: detected':>16} {'mean delay':>11}")
    for factor in (1.5, 2.0, 3.0, 5.0):
        found: dict[str, list[int]] = {"ours": [], "naive": []}
        for seed in range(seeds):
            run = simulate(1000 + seed, rate, warm + spike_len, spike_at=warm, factor=factor)
            for name, flags in (("ours", run.ours), ("naive", run.naive)):
                hit = next((b - warm for b in flags if b >= warm), None)
                if hit is not None:
                    found[name].append(hit)
        cells = []
        for name in ("ours", "naive"):
            d = found[name]
            cells.append(f"{len(d):>8}/{seeds:<6}")
            cells.append(f"{statistics.mean(d):>11.2f}" if d else f"{'-':>11}")
        print(f"  {factor:>6g} {cells[0]:>15} {cells[1]} {cells[2]:>16} {cells[3]}")
    print("  (delay in buckets: 0 = flagged in the spike's first 5 minutes)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    false_alerts(args.seeds, args.days)
    delays(args.seeds)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
