"""The quality-sample statistics against values worked out by hand.

Each expected number below is written as the arithmetic that gives it, so a
reader can redo it on paper; z = 2 keeps that arithmetic short.
"""

from __future__ import annotations

import math

import pytest

from matching.estimates import (
    StratumCounts,
    allocate,
    cohen_kappa,
    stratified_rate,
    stratified_share,
    wilson,
)


def test_wilson_matches_the_published_interval_for_8_of_10() -> None:
    e = wilson(8, 10)
    assert e.value == 0.8
    assert (round(e.low, 4), round(e.high, 4)) == (0.4902, 0.9433)


def test_wilson_is_not_zero_width_when_none_matched() -> None:
    """0 of 10 still leaves room for a rate up to z^2 / (n + z^2)."""
    e = wilson(0, 10, z=2.0)
    assert e.low == 0.0
    assert e.high == pytest.approx(4 / 14)


def test_wilson_of_a_stratum_labelled_whole_is_exact() -> None:
    e = wilson(3, 4, fpc=StratumCounts(4, 4, 3).fpc)
    assert (e.value, e.low, e.high) == (0.75, 0.75, 0.75)


def test_wilson_with_no_labels_is_undefined() -> None:
    e = wilson(0, 0)
    assert not e.defined
    assert e.text() == "not enough labels yet"


def test_stratified_rate_by_hand() -> None:
    """Two strata of 100 and 300 pairs, 10 labelled in each: 10 and 5 matched."""
    e = stratified_rate([StratumCounts(100, 10, 10), StratumCounts(300, 10, 5)], z=2.0)
    assert e.value == pytest.approx((100 * 1.0 + 300 * 0.5) / 400)
    c1, c2 = 12 / 14, 7 / 14  # Wilson centres (x + 2) / (n + 4)
    v1 = c1 * (1 - c1) / 10 * (90 / 99)  # with the finite population correction
    v2 = c2 * (1 - c2) / 10 * (290 / 299)
    half = 2 * math.sqrt((100 / 400) ** 2 * v1 + (300 / 400) ** 2 * v2)
    assert e.low == pytest.approx(0.625 - half)
    assert e.high == pytest.approx(0.625 + half)
    assert round(e.low, 4) == 0.3855
    assert e.n == 20


def test_stratified_rate_all_correct_still_has_an_interval() -> None:
    """40 of 40 automatic links correct does not prove 15,000 are."""
    e = stratified_rate([StratumCounts(15_000, 40, 40)])
    assert e.value == 1.0
    assert 0.9 < e.low < 1.0
    assert e.high == 1.0


def test_stratified_rate_needs_every_stratum_labelled() -> None:
    assert not stratified_rate(
        [StratumCounts(100, 10, 10), StratumCounts(5, 0, 0)]
    ).defined


def test_stratified_share_by_hand() -> None:
    """Recall: 100 estimated matches linked, 10 estimated among the unlinked."""
    e = stratified_share(
        [StratumCounts(100, 10, 10)], [StratumCounts(100, 10, 1)], z=2.0
    )
    a, b = 100.0, 10.0
    ca, cb = 12 / 14, 3 / 14
    var_a = 100**2 * ca * (1 - ca) / 10 * (90 / 99)
    var_b = 100**2 * cb * (1 - cb) / 10 * (90 / 99)
    sd = math.sqrt((b * b * var_a + a * a * var_b) / (a + b) ** 4)
    assert e.value == pytest.approx(100 / 110)
    assert e.low == pytest.approx(100 / 110 - 2 * sd)
    assert e.high == 1.0  # clipped
    assert e.n == 11  # the sampled matches


def test_stratified_share_without_matches_is_undefined() -> None:
    assert not stratified_share(
        [StratumCounts(10, 5, 0)], [StratumCounts(10, 5, 0)]
    ).defined


def test_allocate_equal_shares_and_passes_on_what_a_stratum_cannot_take() -> None:
    assert allocate([1000, 5, 1000, 0], 21) == [8, 5, 8, 0]
    assert allocate([10, 10, 10], 7) == [3, 2, 2]
    assert allocate([3, 4], 100) == [3, 4]
    assert allocate([], 5) == []


def test_cohen_kappa_by_hand() -> None:
    """po = 35/50 = .7; marginals .5/.5 and .6/.4 give pe = .5; kappa = .4."""
    table = {("m", "m"): 20, ("m", "n"): 5, ("n", "m"): 10, ("n", "n"): 15}
    k = cohen_kappa(table, z=2.0)
    assert k is not None
    assert k.value == pytest.approx(0.4)
    half = 2 * math.sqrt(0.7 * 0.3 / (50 * 0.5**2))
    assert (k.low, k.high) == (pytest.approx(0.4 - half), pytest.approx(0.4 + half))
    assert k.n == 50


def test_cohen_kappa_perfect_and_undefined() -> None:
    perfect = cohen_kappa({("m", "m"): 3, ("n", "n"): 7})
    assert perfect is not None
    assert perfect.value == 1.0
    assert cohen_kappa({("m", "m"): 5}) is None  # chance agreement is 1
    assert cohen_kappa({}) is None


def test_inconsistent_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        StratumCounts(5, 6, 1)
