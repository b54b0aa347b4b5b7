"""Review-queue order: the answers that change the most come first.

Reviewer time is the scarce resource in this office. A pair the model is sure
about teaches nothing and changes nothing, and a pair between two singletons
moves two records, while one between two large identities decides where a
whole criminal history belongs. So pairs are ranked by how unsure the model is
times how many records the answer can move.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def priority(
    probabilities: npt.ArrayLike,
    left_component_sizes: npt.ArrayLike,
    right_component_sizes: npt.ArrayLike,
    same_identity: npt.ArrayLike,
) -> FloatArray:
    """Usefulness of a person's answer for each waiting pair (higher first).

    `priority = uncertainty * reach`, where

    * `uncertainty = 1 - |2p - 1|`: 1 at p = 0.5 (the decision boundary),
      0 at p = 0 or 1. For a log2 match weight `w`, `p = 1 / (1 + 2**-w)`.
    * `reach = log2(1 + records)`: `records` is what the answer can move:
      `left + right` for a pair across two identities (a `match` merges them),
      the identity's size for a pair inside one (a `non-match` splits it).

    The logarithm lets size break near-ties without swamping uncertainty: a
    p = 0.98 pair inside a 200-record identity (0.04 * 7.6 = 0.31) still ranks
    below a p = 0.5 pair between two singletons (1 * 1.58 = 1.58).

    Args:
        probabilities: match probability of each pair, in [0, 1].
        left_component_sizes: records in the left record's identity (>= 1).
        right_component_sizes: records in the right record's identity (>= 1).
        same_identity: True where both records already share an identity.

    Returns:
        float64 priorities, aligned with the inputs, in [0, log2(1 + n)].

    Example:
        >>> priority([0.5, 0.9], [1, 3], [1, 3], [False, True]).round(3).tolist()
        [1.585, 0.4]
    """
    p, left, right, same = _validated(
        probabilities, left_component_sizes, right_component_sizes, same_identity
    )
    uncertainty = 1.0 - np.abs(2.0 * p - 1.0)
    # Inside one identity both sizes are that identity's; max() tolerates a
    # caller passing the record's own count on one side.
    records = np.where(same, np.maximum(left, right), left + right)
    return uncertainty * np.log2(1.0 + records)


def prioritise(
    probabilities: npt.ArrayLike,
    left_component_sizes: npt.ArrayLike,
    right_component_sizes: npt.ArrayLike,
    same_identity: npt.ArrayLike,
    *,
    tie_break: npt.ArrayLike | None = None,
) -> npt.NDArray[np.int64]:
    """Indices of the pairs in review order, most useful first.

    Ties in `priority` go to the pair that can move more records, then to
    the lowest `tie_break` value (pass the pair ids so the order does not
    depend on how the pairs were fetched), then to the lowest index.

    Args:
        probabilities: see `priority`.
        left_component_sizes: see `priority`.
        right_component_sizes: see `priority`.
        same_identity: see `priority`.
        tie_break: optional int64 keys aligned with the pairs, e.g. pair ids.

    Returns:
        A permutation of `range(len(probabilities))`.

    Example:
        >>> prioritise([0.99, 0.5, 0.6], [1, 1, 5], [1, 1, 5],
        ...            [False, False, False]).tolist()
        [2, 1, 0]
    """
    p, left, right, same = _validated(
        probabilities, left_component_sizes, right_component_sizes, same_identity
    )
    score = priority(p, left, right, same)
    records = np.where(same, np.maximum(left, right), left + right)
    index = np.arange(len(p), dtype=np.int64)
    ties = index if tie_break is None else np.asarray(tie_break, dtype=np.int64)
    if ties.shape != index.shape:
        raise ValueError("tie_break must hold one key per pair")
    return np.lexsort((index, ties, -records, -score)).astype(np.int64)


def _validated(
    probabilities: npt.ArrayLike,
    left: npt.ArrayLike,
    right: npt.ArrayLike,
    same: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    p = np.asarray(probabilities, dtype=np.float64)
    lsize = np.asarray(left, dtype=np.float64)
    rsize = np.asarray(right, dtype=np.float64)
    same_b = np.asarray(same, dtype=bool)
    if p.ndim != 1 or not (p.shape == lsize.shape == rsize.shape == same_b.shape):
        raise ValueError("probabilities, sizes and same_identity must be aligned 1-d")
    if not np.all((p >= 0.0) & (p <= 1.0)):  # also rejects NaN
        raise ValueError("probabilities must lie in [0, 1]; convert weights first")
    if len(p) and (lsize.min() < 1 or rsize.min() < 1):
        raise ValueError("identity sizes count records and must be at least 1")
    return p, lsize, rsize, same_b
