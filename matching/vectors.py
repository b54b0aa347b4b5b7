"""Comparison vectors aggregated into distinct rows with counts.

EM never looks at a pair twice: tens of millions of candidate pairs collapse
into a few tens of thousands of distinct comparison vectors, each with how
often it occurs (and, for labelled pairs, the fixed P(match) a reviewer gave).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class VectorCounts:
    """Distinct comparison vectors with how often each occurs.

    Attributes:
        levels: int8 (k, n_comparisons) distinct vectors.
        counts: float64 occurrences of each.
        fixed: float64 fixed P(match) per vector (labelled pairs), NaN if free.
    """

    levels: np.ndarray
    counts: np.ndarray
    fixed: np.ndarray

    @classmethod
    def empty(cls, n_comparisons: int) -> VectorCounts:
        return cls(
            np.zeros((0, n_comparisons), dtype=np.int8),
            np.zeros(0),
            np.zeros(0),
        )


def aggregate(levels: np.ndarray, fixed: np.ndarray | None = None) -> VectorCounts:
    """Collapse identical (vector, fixed) rows into counts.

    Rows are packed into one int64 per pair (mixed radix over the levels) and
    hashed, which is several times faster than ``np.unique(axis=0)`` at tens
    of millions of pairs.

    Args:
        levels: int8 (n_pairs, n_comparisons).
        fixed: optional per-pair fixed P(match) (NaN = free).
    """
    import pandas as pd

    n, c = levels.shape
    if n == 0:
        return VectorCounts.empty(c)
    tag = np.full(n, 2, dtype=np.int64)
    if fixed is not None:
        tag = np.where(np.isnan(fixed), 2, fixed).astype(np.int64)
    radix = [int(levels[:, k].max(initial=-1)) + 2 for k in range(c)] + [3]
    if float(np.prod(np.asarray(radix, dtype=np.float64))) >= 2.0**62:
        return _aggregate_rows(levels, tag)
    codes = tag.copy()
    mult = 3
    for k in range(c):
        codes += (levels[:, k].astype(np.int64) + 1) * mult
        mult *= radix[k]
    inverse, uniques = pd.factorize(codes, sort=True)
    counts = np.bincount(inverse, minlength=uniques.size).astype(np.float64)
    uniques = np.asarray(uniques, dtype=np.int64)
    out = np.empty((uniques.size, c), dtype=np.int8)
    rest = uniques // 3
    for k in range(c):
        out[:, k] = rest % radix[k] - 1
        rest //= radix[k]
    tags = uniques % 3
    return VectorCounts(
        out, counts, np.where(tags == 2, np.nan, tags).astype(np.float64)
    )


def _aggregate_rows(levels: np.ndarray, tag: np.ndarray) -> VectorCounts:
    rows = np.concatenate([levels, tag.astype(np.int8)[:, None]], axis=1)
    uniq, counts = np.unique(rows, axis=0, return_counts=True)
    fixed_out = np.where(uniq[:, -1] == 2, np.nan, uniq[:, -1]).astype(np.float64)
    return VectorCounts(uniq[:, :-1].copy(), counts.astype(np.float64), fixed_out)


def merge(parts: Sequence[VectorCounts]) -> VectorCounts:
    """Combine aggregated batches (re-aggregating their rows)."""
    parts = [p for p in parts if p.counts.size]
    if not parts:
        raise ValueError("nothing to merge")
    levels = np.concatenate([p.levels for p in parts])
    counts = np.concatenate([p.counts for p in parts])
    fixed = np.concatenate([p.fixed for p in parts])
    tag = np.where(np.isnan(fixed), 2, fixed).astype(np.int8)
    rows = np.concatenate([levels, tag[:, None]], axis=1)
    uniq, inverse = np.unique(rows, axis=0, return_inverse=True)  # small: distinct rows
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=uniq.shape[0])
    fixed_out = np.where(uniq[:, -1] == 2, np.nan, uniq[:, -1]).astype(np.float64)
    return VectorCounts(uniq[:, :-1].copy(), summed, fixed_out)
