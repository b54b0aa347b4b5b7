"""Review queue order: unsure pairs that move many records come first."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.queue import prioritise, priority


def test_pairs_nearest_the_boundary_come_first():
    order = prioritise([0.99, 0.25, 0.5, 0.75, 0.01], [1] * 5, [1] * 5, [False] * 5)
    # 0.25 and 0.75 are equally unsure: the lower index breaks the tie.
    assert order.tolist() == [2, 1, 3, 0, 4]


def test_bigger_identities_come_first_at_equal_uncertainty():
    order = prioritise([0.5, 0.5, 0.5], [1, 4, 2], [1, 4, 1], [False, False, False])
    assert order.tolist() == [1, 2, 0]


def test_inside_one_identity_counts_its_size_across_counts_both():
    """A split of a 10-record identity outranks merging two singletons, and a
    pair across 3 + 3 records reaches as far as one inside a 6-record identity."""
    p = [0.5, 0.5, 0.5, 0.5]
    left = [1, 10, 3, 6]
    right = [1, 10, 3, 6]
    same = [False, True, False, True]
    scores = priority(p, left, right, same)
    assert scores.tolist() == pytest.approx(
        [math.log2(3), math.log2(11), math.log2(7), math.log2(7)]
    )
    assert prioritise(p, left, right, same).tolist() == [1, 2, 3, 0]


def test_size_does_not_swamp_uncertainty():
    """A near-certain pair in a huge identity still waits behind a coin flip."""
    order = prioritise([0.98, 0.5], [200, 1], [200, 1], [True, False])
    assert order.tolist() == [1, 0]


def test_hand_computed_priorities():
    scores = priority(
        [0.5, 0.9, 0.0, 0.6], [1, 3, 50, 2], [1, 3, 50, 5], [False, True, False, False]
    )
    assert scores.tolist() == pytest.approx(
        [math.log2(3), 0.2 * math.log2(4), 0.0, 0.8 * math.log2(8)]
    )


def test_tie_break_keys_make_the_order_independent_of_fetch_order():
    p, size, same = [0.5, 0.5, 0.5], [2, 2, 2], [False, False, False]
    assert prioritise(p, size, size, same, tie_break=[30, 10, 20]).tolist() == [
        1,
        2,
        0,
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1.5], [1], [1], [False]), r"\[0, 1\]"),
        (([np.nan], [1], [1], [False]), r"\[0, 1\]"),
        (([0.5], [0], [1], [False]), "at least 1"),
        (([0.5, 0.5], [1], [1], [False]), "aligned"),
    ],
)
def test_bad_input_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        prioritise(*args)


def test_tie_break_must_align():
    with pytest.raises(ValueError, match="tie_break"):
        prioritise([0.5], [1], [1], [False], tie_break=[1, 2])


def test_empty_queue():
    assert prioritise([], [], [], []).tolist() == []


pairs = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(1, 500), min_size=n, max_size=n),
        st.lists(st.integers(1, 500), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@given(pairs)
def test_order_is_a_permutation_sorted_by_priority(case):
    p, left, right, same = case
    order = prioritise(p, left, right, same)
    scores = priority(p, left, right, same)
    assert sorted(order.tolist()) == list(range(len(p)))
    assert np.all(np.diff(scores[order]) <= 0)
    assert np.all(scores >= 0)
    assert np.all(scores <= np.log2(1 + np.add(left, right)) + 1e-12)


@given(pairs)
def test_priority_is_symmetric_about_the_boundary_and_grows_with_size(case):
    p, left, right, same = case
    base = priority(p, left, right, same)
    mirrored = priority(1 - np.asarray(p), left, right, same)
    assert mirrored == pytest.approx(base, abs=1e-12)
    bigger = priority(p, np.add(left, 1), np.add(right, 1), same)
    assert np.all(bigger >= base)


def test_certain_pairs_tie_at_zero_and_the_larger_reach_goes_first():
    """Pairs the model is sure of score 0; among them a person's check of the
    one that moves most records is still the most useful."""
    order = prioritise([1.0, 0.0, 1.0], [1, 50, 5], [1, 50, 5], [False, True, False])
    assert order.tolist() == [1, 2, 0]
