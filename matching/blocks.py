"""Block arithmetic: records sharing a key, and every pair inside a block.

A rule's keys are combined into one dense int64 per record (a multi-valued
key contributes one entry per value), entries are sorted by key, and the
pairs inside each block are laid out by index arithmetic alone: there is no
Python loop per pair or per block. :mod:`matching.blocking` runs the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from matching.features import Features


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array.

    ``np.unique`` in numpy 2.x hashes before sorting, which is several times
    slower than a plain sort for tens of millions of int64 pair codes.
    """
    out = np.sort(values, kind="stable")
    if out.size:
        out = out[np.r_[True, out[1:] != out[:-1]]]
    return out


def densify(key: np.ndarray) -> np.ndarray:
    """Renumber an int64 key to 0..k-1 so combining keys cannot overflow."""
    import pandas as pd

    codes, _ = pd.factorize(key, sort=True)
    return codes.astype(np.int64)


def rule_entries(
    features: Features, keys: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(record position, dense key) for every record that has all ``keys``."""
    rows = np.arange(features.n, dtype=np.int32)
    key = np.zeros(features.n, dtype=np.int64)
    for name in keys:
        if name in features.columns:
            codes = features.columns[name].codes[rows]
            keep = codes >= 0
            rows, key, codes = rows[keep], key[keep], codes[keep]
            key = key * (int(codes.max(initial=0)) + 1) + codes
        elif name in features.multi:
            rows, key = join_multi(rows, key, features.multi[name], features.n)
        else:
            known = sorted([*features.columns, *features.multi])
            raise ValueError(f"unknown blocking key {name!r}; known keys: {known}")
        key = densify(key)
    return rows, key


def join_multi(
    rows: np.ndarray, key: np.ndarray, multi: Any, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cross each (row, key) entry with every multi-valued key of that row."""
    counts = np.bincount(multi.rows, minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    per_entry = counts[rows]
    out_rows = np.repeat(rows, per_entry)
    base = np.repeat(key, per_entry)
    within = np.arange(out_rows.size, dtype=np.int64) - np.repeat(
        np.cumsum(per_entry) - per_entry, per_entry
    )
    mkeys = multi.keys[np.repeat(starts[rows], per_entry) + within].astype(np.int64)
    return out_rows, base * (int(mkeys.max(initial=0)) + 1) + mkeys


def pairs_in_blocks(
    rows: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All within-block pairs, for blocks laid out contiguously in ``rows``.

    Element ``i`` of a block of size ``s`` pairs with the ``s - 1 - i``
    elements after it: repeat each element by its partner count, then add
    1, 2, ... to reach the partners. Rows are sorted within a block, so
    ``left < right``.
    """
    block_of = np.repeat(np.arange(sizes.size), sizes)
    first = np.repeat(starts, sizes)
    idx = first + (
        np.arange(block_of.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    )
    partners = np.repeat(sizes, sizes) - 1 - (idx - first)
    left_idx = np.repeat(idx, partners)
    step = np.arange(left_idx.size, dtype=np.int64) - np.repeat(
        np.cumsum(partners) - partners, partners
    )
    return rows[left_idx], rows[left_idx + step + 1]


def sorted_entries(
    rows: np.ndarray, key: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Drop duplicate (key, row) entries and sort by key, then row."""
    combo = sorted_unique(key * n + rows.astype(np.int64))
    return (combo % n).astype(np.int32), combo // n
