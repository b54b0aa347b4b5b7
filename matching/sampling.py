"""Random record pairs: the samples u is estimated from.

Uniform pairs over everything the link type admits (for u among all pairs),
and uniform pairs among the pairs agreeing on given keys (for u within a
context such as "same surname"), both from a seeded generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.features import Features


def total_pairs(features: Features, link_type: str) -> float:
    """How many record pairs the link type admits (the prior's denominator)."""
    n = float(features.n)
    sizes = np.bincount(
        features.columns["source"].codes[features.columns["source"].codes >= 0]
    ).astype(float)
    within = float((sizes * (sizes - 1) / 2).sum())
    if link_type == "link_only":
        return n * (n - 1) / 2 - within
    if link_type == "dedupe_only":
        return within
    return n * (n - 1) / 2


def _admit(
    features: Features, link_type: str, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    ok = a != b
    if link_type != "dedupe_and_link":
        src = features.columns["source"].codes
        same = src[a] == src[b]
        ok &= ~same if link_type == "link_only" else same
    return ok


def sample_random_pairs(
    features: Features, n_pairs: int, rng: np.random.Generator, link_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random record pairs admitted by the link type (positions, a < b)."""
    n = features.n
    if n < 2 or total_pairs(features, link_type) < 1:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    got_a, got_b, have = [], [], 0
    for _ in range(50):
        a = rng.integers(0, n, size=2 * n_pairs)
        b = rng.integers(0, n, size=2 * n_pairs)
        ok = _admit(features, link_type, a, b)
        got_a.append(a[ok])
        got_b.append(b[ok])
        have += int(ok.sum())
        if have >= n_pairs:
            break
    a = np.concatenate(got_a)[:n_pairs]
    b = np.concatenate(got_b)[:n_pairs]
    return np.minimum(a, b).astype(np.int32), np.maximum(a, b).astype(np.int32)


def sample_block_pairs(
    features: Features,
    keys: Sequence[str],
    n_pairs: int,
    rng: np.random.Generator,
    link_type: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random pairs among the pairs that agree on every key.

    A block is drawn with probability proportional to its number of pairs,
    then two distinct members uniformly, so every agreeing pair is equally
    likely: a random sample of, say, all same-surname-same-street pairs.
    When the agreeing pairs are no more than ``n_pairs`` they are all
    returned, once each: drawn with replacement, a few thousand pairs would
    each count a hundred times, and the few different people among them
    would outweigh any prior on u (see :mod:`matching.em`).
    """
    from matching.blocks import pairs_in_blocks, rule_entries

    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32))
    if not all(features.has(k) for k in keys):
        return empty
    rows, key = rule_entries(features, keys)
    order = np.lexsort((rows, key))
    rows, key = rows[order], key[order]
    if rows.size < 2:
        return empty
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, rows.size]).astype(np.int64)
    weight = (sizes * (sizes - 1)).astype(np.float64)
    if weight.sum() == 0:
        return empty
    if weight.sum() / 2 <= n_pairs:
        blocks = sizes >= 2
        a, b = pairs_in_blocks(rows, starts[blocks], sizes[blocks])
        ok = _admit(features, link_type, a, b)
        a, b = a[ok], b[ok]
        return np.minimum(a, b).astype(np.int32), np.maximum(a, b).astype(np.int32)
    cum = np.cumsum(weight / weight.sum())
    got_a, got_b, have = [], [], 0
    for _ in range(50):
        draw = np.searchsorted(cum, rng.random(2 * n_pairs))
        block = np.minimum(draw, sizes.size - 1)
        size = sizes[block]
        i = rng.integers(0, size)
        j = rng.integers(0, np.maximum(size - 1, 1))
        j = np.where(j >= i, j + 1, j)
        a, b = rows[starts[block] + i], rows[starts[block] + j]
        ok = _admit(features, link_type, a, b)
        got_a.append(a[ok])
        got_b.append(b[ok])
        have += int(ok.sum())
        if have >= n_pairs:
            break
    a = np.concatenate(got_a)[:n_pairs]
    b = np.concatenate(got_b)[:n_pairs]
    return np.minimum(a, b).astype(np.int32), np.maximum(a, b).astype(np.int32)
