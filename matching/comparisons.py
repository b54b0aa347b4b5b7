"""Comparisons: how two records agree on one aspect, as an ordered list of levels.

Each comparison is a small frozen dataclass (Splink's ``Comparison`` with its
``ComparisonLevel`` list): ``compare(left, right)`` returns, per pair, the index
of the first level that holds, or -1 when either side lacks the value. A
missing value is never evidence against a match; the model gives -1 a weight
of zero. The model learns, per level, how often true matches (m) and random
pairs (u) land there, so levels only need to be *distinguishable*, not scored.

Levels are computed on codes from :mod:`matching.features`: equality tests are
numpy comparisons per pair, and string similarity runs once per distinct value
pair (:mod:`matching.similarity`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching.comparison_base import Comparison, Level, Side, pair_sides
from matching.features import Features
from matching.name_comparisons import (
    FirstNameComparison,
    LastNameComparison,
    MiddleNameComparison,
    SuffixComparison,
    name_swap,
)
from matching.record_comparisons import (
    AddressComparison,
    DobComparison,
    EventIdComparison,
    PersonIdComparison,
    SexComparison,
)

__all__ = [
    "COMPARISON_TYPES",
    "AddressComparison",
    "Comparison",
    "DobComparison",
    "EventIdComparison",
    "FirstNameComparison",
    "LastNameComparison",
    "Level",
    "MiddleNameComparison",
    "PersonIdComparison",
    "SexComparison",
    "Side",
    "SuffixComparison",
    "comparison_from_dict",
    "default_comparisons",
    "level_matrix",
    "name_swap",
    "pair_sides",
]


COMPARISON_TYPES: dict[str, type[Comparison]] = {
    cls.kind: cls
    for cls in (
        FirstNameComparison,
        LastNameComparison,
        MiddleNameComparison,
        SuffixComparison,
        DobComparison,
        SexComparison,
        AddressComparison,
        PersonIdComparison,
        EventIdComparison,
    )
}


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
    """Rebuild a comparison from :meth:`Comparison.to_dict` output."""
    fields = dict(data)
    kind = fields.pop("type")
    if kind not in COMPARISON_TYPES:
        raise ValueError(
            f"unknown comparison type {kind!r}; known: {sorted(COMPARISON_TYPES)}"
        )
    return COMPARISON_TYPES[kind](**fields)


def default_comparisons(id_columns: tuple[str, ...] = ()) -> tuple[Comparison, ...]:
    """The standard comparisons, plus one per identifier column present.

    Args:
        id_columns: identifier columns in the data (``Features.id_columns``);
            ``booking_number`` and ``case_number`` are event ids, the rest
            (SID, FBI, IR and every ``id_*``) name a person.
    """
    from matching.features import EVENT_ID_COLUMNS

    out: list[Comparison] = [
        FirstNameComparison("first_name"),
        LastNameComparison("last_name"),
        MiddleNameComparison("middle_name"),
        SuffixComparison("suffix"),
        DobComparison("dob"),
        SexComparison("sex"),
        AddressComparison("address"),
    ]
    for col in id_columns:
        if col in EVENT_ID_COLUMNS:
            out.append(EventIdComparison(col, column=col))
        else:
            out.append(PersonIdComparison(col, column=col))
    return tuple(out)


def level_matrix(
    comparisons: tuple[Comparison, ...] | list[Comparison],
    features: Features,
    left: np.ndarray,
    right: np.ndarray,
    *,
    batch: int = 2_000_000,
    on_batch: Any = None,
    cancel: Any = None,
) -> np.ndarray:
    """Levels of every comparison for pairs of record positions.

    Args:
        comparisons: the comparisons, in column order.
        features: the records' features.
        left, right: record positions of each pair.
        batch: pairs per batch; bounds the temporary memory of the kernels.
        on_batch: called with the number of pairs done after each batch.
        cancel: polled between batches (see :mod:`matching.progress`).

    Returns:
        int8 array (n_pairs, n_comparisons).
    """
    from matching.progress import check_cancel

    n = int(left.shape[0])
    out = np.empty((n, len(comparisons)), dtype=np.int8)
    for start in range(0, n, batch):
        check_cancel(cancel)
        stop = min(start + batch, n)
        a = Side(features, left[start:stop])
        b = Side(features, right[start:stop])
        for k, comp in enumerate(comparisons):
            out[start:stop, k] = comp.compare(a, b)
        if on_batch is not None:
            on_batch(stop)
    return out
