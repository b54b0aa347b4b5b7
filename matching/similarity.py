"""Vectorised similarity on code pairs: the kernels behind the comparisons.

Millions of candidate pairs share far fewer distinct value pairs (how many
different (first name, first name) combinations can there be?), so each
kernel first reduces the pairs to their distinct, order-free code pairs, scores
those with rapidfuzz's batch ``cpdist`` (which releases the GIL and uses every
core) or numpy, and the caller maps the scores back with the inverse index.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, JaroWinkler

from matching.features import MultiEncoded

# rapidfuzz worker threads; -1 = all cores. Results do not depend on it.
WORKERS = -1


def unique_pairs(
    a: np.ndarray, b: np.ndarray, *, symmetric: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (a, b) code pairs and the inverse index back to the input.

    Args:
        a, b: non-negative integer codes, same length.
        symmetric: treat (x, y) and (y, x) as one pair (for symmetric scores).

    Returns:
        ``(ua, ub, inverse)`` with ``ua[inverse] == a`` (up to order if
        symmetric).
    """
    import pandas as pd

    a = a.astype(np.int64)
    b = b.astype(np.int64)
    if symmetric:
        a, b = np.minimum(a, b), np.maximum(a, b)
    width = int(max(a.max(initial=0), b.max(initial=0))) + 1
    # Hash order, not sorted: deterministic for the same input, and faster.
    inverse, uniques = pd.factorize(a * width + b, sort=False)
    uniques = np.asarray(uniques, dtype=np.int64)
    return uniques // width, uniques % width, inverse.astype(np.int64)


def _strings(values: np.ndarray, codes: np.ndarray) -> list[str]:
    return values[codes].tolist()


def jaro_winkler(values: np.ndarray, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity (0..1) of ``values[ua]`` and ``values[ub]``."""
    if ua.size == 0:
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(
        _strings(values, ua),
        _strings(values, ub),
        scorer=JaroWinkler.normalized_similarity,
        workers=WORKERS,
        dtype=np.float32,
    )


def indel_similarity(values: np.ndarray, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Normalised Indel similarity (rapidfuzz ``ratio`` / 100) of value pairs."""
    if ua.size == 0:
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(
        _strings(values, ua),
        _strings(values, ub),
        scorer=Indel.normalized_similarity,
        workers=WORKERS,
        dtype=np.float32,
    )


def edit_distance(values: np.ndarray, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Optimal-string-alignment distance (Damerau-Levenshtein without re-edits).

    A transposition (1985-03-04 vs 1985-30-04) counts as one edit, which is the
    commonest keying slip in digits.
    """
    if ua.size == 0:
        return np.zeros(0, dtype=np.int32)
    return process.cpdist(
        _strings(values, ua),
        _strings(values, ub),
        scorer=OSA.distance,
        workers=WORKERS,
        dtype=np.int32,
    )


def share_key(multi: MultiEncoded, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """True where base values ``ua[i]`` and ``ub[i]`` have a key in common.

    Used for "nickname-equivalent" (BILL and WILL both carry WILLIAM) and
    "shares a compound surname part" (GARCIA LOPEZ and LOPEZ share LOPEZ).
    """
    out = np.zeros(ua.size, dtype=bool)
    if ua.size == 0 or multi.base_flat.size == 0:
        return out
    offsets, flat = multi.base_offsets, multi.base_flat.astype(np.int64)
    width = int(flat.max(initial=0)) + 1

    def explode(codes: np.ndarray) -> np.ndarray:
        counts = offsets[codes + 1] - offsets[codes]
        pair = np.repeat(np.arange(codes.size, dtype=np.int64), counts)
        within = np.arange(pair.size, dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        return pair * width + flat[np.repeat(offsets[codes], counts) + within]

    left = explode(ua.astype(np.int64))
    hit = np.isin(left, explode(ub.astype(np.int64)))
    out[left[hit] // width] = True
    return out
