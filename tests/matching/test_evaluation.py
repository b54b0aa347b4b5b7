"""Linkage metrics: hand-computed values and brute-force pair enumeration."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.evaluation import (
    Scores,
    blocking_recall,
    pairwise_scores,
    subgroup_scores,
)


def test_hand_computed_pairwise_scores():
    # pred pairs: 01 02 12 34 (4); true pairs: 01 23 24 34 (4); shared: 01 34.
    s = pairwise_scores([1, 1, 1, 2, 2, 3], ["a", "a", "b", "b", "b", "c"])
    assert s == Scores(precision=0.5, recall=0.5, f1=0.5, tp=2, fp=2, fn=2)


def test_perfect_and_empty_clusterings():
    assert pairwise_scores([4, 4, 9], [0, 0, 1]) == Scores(1.0, 1.0, 1.0, 1, 0, 0)
    # No predicted pairs: nothing claimed wrongly, everything missed.
    assert pairwise_scores([1, 2, 3], [0, 0, 0]) == Scores(1.0, 0.0, 0.0, 0, 0, 3)
    assert pairwise_scores([], []) == Scores(1.0, 1.0, 1.0, 0, 0, 0)


def test_misaligned_labels_are_refused():
    with pytest.raises(ValueError, match="aligned"):
        pairwise_scores([1, 2], [1])


def test_a_million_records_by_contingency():
    """Pairs of the truth's quadruples: every predicted pair right, a third found."""
    n = 1_000_000
    s = pairwise_scores(np.arange(n) // 2, np.arange(n) // 4)
    assert (s.tp, s.fp, s.fn) == (500_000, 0, 1_000_000)
    assert s.recall == pytest.approx(1 / 3)


def test_hand_computed_subgroup_scores():
    # Records 2 and 3 are the subgroup. Pairs touching it: 02 03 12 13 23.
    # Predicted: 23 (wrong). True: 02 12 (both missed).
    s = subgroup_scores([1, 1, 2, 2], [1, 1, 1, 2], [False, False, True, True])
    assert (s.tp, s.fp, s.fn) == (0, 1, 2)
    assert (s.precision, s.recall) == (0.0, 0.0)
    whole = subgroup_scores([1, 1, 2, 2], [1, 1, 1, 2], [True] * 4)
    assert whole == pairwise_scores([1, 1, 2, 2], [1, 1, 1, 2])
    with pytest.raises(ValueError, match="one bool per record"):
        subgroup_scores([1, 2], [1, 2], [True])


def test_hand_computed_blocking_recall():
    # True pairs: 01 02 12 (cluster 7) and 45 (cluster 9); candidates find 01, 45.
    recall = blocking_recall([1, 5, 3], [0, 4, 4], [7, 7, 7, 8, 9, 9])
    assert recall == pytest.approx(2 / 4)
    assert blocking_recall([], [], [1, 2, 3]) == 1.0


def test_blocking_recall_with_record_keys():
    keys = [100, 300, 200, 400]
    truth = ["x", "x", "y", "y"]
    assert blocking_recall([300], [100], truth, record_keys=keys) == 0.5
    with pytest.raises(ValueError, match="missing"):
        blocking_recall([999], [100], truth, record_keys=keys)
    with pytest.raises(ValueError, match="out of range"):
        blocking_recall([9], [0], truth)


def test_blocking_recall_refuses_a_giant_true_cluster():
    with pytest.raises(ValueError, match="within-cluster pairs"):
        blocking_recall([0], [1], [0] * 100, max_true_pairs=1000)


# --- brute force ------------------------------------------------------------

labels = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


def brute(pred, true, keep=lambda i, j: True):
    tp = fp = fn = 0
    for i, j in combinations(range(len(pred)), 2):
        if not keep(i, j):
            continue
        same_pred, same_true = pred[i] == pred[j], true[i] == true[j]
        tp += same_pred and same_true
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return tp, fp, fn


@given(labels)
def test_pairwise_scores_equal_pair_enumeration(case):
    pred, true, _ = case
    s = pairwise_scores(pred, true)
    assert (s.tp, s.fp, s.fn) == brute(pred, true)
    assert 0.0 <= s.f1 <= 1.0
    assert s == Scores.from_counts(tp=s.tp, fp=s.fp, fn=s.fn)


@given(labels)
def test_subgroup_scores_equal_pair_enumeration(case):
    pred, true, mask = case
    s = subgroup_scores(pred, true, mask)
    assert (s.tp, s.fp, s.fn) == brute(pred, true, lambda i, j: mask[i] or mask[j])


@given(labels, st.data())
def test_blocking_recall_equals_pair_enumeration(case, data):
    _, true, _ = case
    n = len(true)
    every = list(combinations(range(n), 2))
    chosen = data.draw(st.lists(st.sampled_from(every), max_size=40)) if every else []
    flipped = [(j, i) if (i + j) % 2 else (i, j) for i, j in chosen]
    truth = {(i, j) for i, j in every if true[i] == true[j]}
    expected = len(truth & set(chosen)) / len(truth) if truth else 1.0
    got = blocking_recall([i for i, _ in flipped], [j for _, j in flipped], true)
    assert got == pytest.approx(expected)
