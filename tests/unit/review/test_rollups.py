"""Histogram bins of the metric rollups and the error bound of percentiles read from them."""

from __future__ import annotations

import random

import pytest

from assistant.review.rollups import SUB_BITS, bin_bounds, duration_bin


def test_bins_are_exact_below_the_threshold_then_log_scale() -> None:
    assert [duration_bin(v) for v in range(1 << SUB_BITS)] == list(range(1 << SUB_BITS))
    values = [*range(-5000, 200_000), 10**7, 2**31 - 1]
    bins = [duration_bin(v) for v in values]
    assert bins == sorted(bins)  # increasing with the value
    for v, b in zip(values, bins, strict=True):
        lo, hi = bin_bounds(b)
        assert lo <= v <= hi
        assert hi - lo <= abs(v) / (1 << SUB_BITS)  # a bin is narrower than 1/32 of its values
    assert len({duration_bin(v) for v in range(86_400 * 30)}) < 700  # a month of seconds: a few hundred bins


def nearest_rank(values: list[int], p: int) -> int:
    return sorted(values)[(len(values) * p + 99) // 100 - 1]


def from_histogram(values: list[int], p: int) -> int:
    """What reports/metrics.py reads: the mean (rounded half up) of the bin holding the rank."""
    rank = (len(values) * p + 99) // 100
    cells: dict[int, list[int]] = {}
    for v in values:
        cells.setdefault(duration_bin(v), []).append(v)
    seen = 0
    for b in sorted(cells):
        seen += len(cells[b])
        if seen >= rank:
            return (2 * sum(cells[b]) + len(cells[b])) // (2 * len(cells[b]))
    raise AssertionError("rank beyond the values")


@pytest.mark.parametrize("seed", range(20))
def test_percentiles_from_bins_are_within_the_stated_bound(seed: int) -> None:
    rng = random.Random(seed)
    values = [int(rng.expovariate(1 / rng.choice([30, 1800, 20_000]))) for _ in range(rng.randint(1, 3000))]
    for p in (50, 90):
        exact, est = nearest_rank(values, p), from_histogram(values, p)
        assert abs(est - exact) <= exact / (1 << SUB_BITS), (p, exact, est)


def test_a_bin_holding_one_distinct_value_gives_it_exactly() -> None:
    values = [900] * 3 + [1800] * 5 + [2400] * 2
    assert (from_histogram(values, 50), from_histogram(values, 90)) == (1800, 2400)
