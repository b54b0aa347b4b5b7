"""Flags on identities whose records disagree on what a person cannot change.

Clustering joins records through links; when the records of one identity
carry two different SIDs, or birth dates years apart, some link is probably
wrong, and a person should look. Reasons name only the kind of disagreement,
never the values, so flags can be logged and exported safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.fields import FIELDS_BY_NAME

IntArray = npt.NDArray[np.int64]
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class IdentityFlag:
    """An identity whose records disagree on something a person cannot change.

    Reasons name only the kind of disagreement ("2 different SID values"),
    never the values themselves, so flags can be logged and exported safely.
    """

    identity_id: int
    reasons: tuple[str, ...]


def identity_flags(
    labels: IntArray,
    sizes: IntArray,
    ids: IntArray,
    order: IntArray,
    person_ids: Mapping[str, npt.ArrayLike] | None,
    dob: npt.ArrayLike | None,
    max_gap_years: float,
) -> tuple[IdentityFlag, ...]:
    """Identities whose records carry two different person ids or far-apart DOBs.

    These are the clusters most likely to hold two people (a bad chain of
    links) and the ones a wrong eligibility decision would hurt most.
    """
    if not person_ids and dob is None:
        return ()
    k = len(sizes)
    multi = np.flatnonzero(sizes[labels] >= 2) if len(labels) else labels
    src = order[multi]  # the same records, as positions in the caller's arrays
    comp = labels[multi]
    counted: list[tuple[str, IntArray]] = []  # (label, distinct values per comp)
    columns = person_ids or {}
    for name in sorted(columns):
        values = _column(columns[name], len(order), name)[src]
        if values.dtype.kind in "iu":  # already interned codes: skip the strings
            present = values >= 0
            codes = values[present].astype(np.int64)
        else:
            text, present = _present_text(values.astype(object))
            _, codes = np.unique(text, return_inverse=True)
        base = int(codes.max()) + 1 if len(codes) else 1
        pairs = distinct_values(comp[present] * base + codes.reshape(-1))
        field = FIELDS_BY_NAME.get(name)
        label = field.label if field is not None else name
        counted.append((label, np.bincount(pairs // base, minlength=k)))
    wide = np.zeros(k, dtype=bool)
    if dob is not None:
        days, known = _days(_column(dob, len(order), "dob")[src])
        lo = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        hi = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
        np.minimum.at(lo, comp[known], days[known])
        np.maximum.at(hi, comp[known], days[known])
        wide = (hi >= lo) & (hi - lo > max_gap_years * _DAYS_PER_YEAR)
    flagged = wide.copy()
    for _, distinct in counted:
        flagged |= distinct >= 2
    hits = np.flatnonzero(flagged)
    out = []
    for c in hits[np.argsort(ids[hits])].tolist():
        reasons = [
            f"{distinct[c]} different {label} values"
            for label, distinct in counted
            if distinct[c] >= 2
        ]
        if wide[c]:
            reasons.append(f"DOBs more than {max_gap_years:g} years apart")
        out.append(IdentityFlag(int(ids[c]), tuple(reasons)))
    return tuple(out)


def distinct_values(values: IntArray) -> IntArray:
    """Sorted distinct values; plain `np.unique` takes a hash path 100x slower."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _column(values: npt.ArrayLike, n: int, name: str) -> npt.NDArray[Any]:
    column = np.asarray(values)
    if column.shape != (n,):
        raise ValueError(f"attribute {name!r} must hold one value per record ({n})")
    return column


def _present_text(
    values: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.bool_]]:
    """The values that are present, as text, and where they are.

    None, "" and NaN (as pandas hands missing values over) are missing. Only
    values whose text looks missing get the slow per-object check.
    """
    text = values.astype(str)
    present = np.ones(len(values), dtype=bool)
    suspect = np.flatnonzero((text == "None") | (text == "") | (text == "nan"))
    if len(suspect):
        odd = values[suspect]
        none = np.array([None], dtype=object)
        present[suspect] = ~(
            np.equal(odd, none) | np.equal(odd, "") | np.not_equal(odd, odd)
        )
    return text[present], present


def _days(values: npt.NDArray[Any]) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Days since the epoch for ISO dates; unparseable or missing -> unknown."""
    if values.dtype.kind == "M":  # already dates (NaT missing): nothing to parse
        dates = values.astype("datetime64[D]")
        return dates.astype(np.int64), ~np.isnat(dates)
    values = values.astype(object)
    try:
        dates = values.astype("datetime64[D]")  # None and "" become NaT
    except (TypeError, ValueError):
        # One bad date must not hide the flags of every other identity.
        dates = np.array([_one_day(v) for v in values.tolist()], dtype="datetime64[D]")
    return dates.astype(np.int64), ~np.isnat(dates)


def _one_day(value: object) -> np.datetime64:
    if not isinstance(value, str):
        return np.datetime64("NaT")
    try:
        return np.datetime64(value.strip()[:10], "D")
    except ValueError:
        return np.datetime64("NaT")
