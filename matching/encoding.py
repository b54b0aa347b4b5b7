"""Columns as integer codes: the representation every later stage works on.

A column becomes sorted distinct values and an int32 code per record; a
derived key is computed once per distinct value and mapped back with an
integer gather; a set-valued key (BILL -> BILL, WILLIAM) is stored exploded,
one (record, key) row per value. :mod:`matching.features` builds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Encoded:
    """A column as integer codes into its table of distinct values.

    Attributes:
        codes: int32, one per record; -1 where the value is missing.
        values: the distinct values (object array of str), indexed by code.
    """

    codes: np.ndarray
    values: np.ndarray

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Codes of the given record positions."""
        return self.codes[rows]


@dataclass(frozen=True, slots=True)
class MultiEncoded:
    """A key that can take several values per record (BILL -> BILL, WILLIAM).

    Stored exploded: row ``i`` of ``rows``/``keys`` says record ``rows[i]``
    carries key code ``keys[i]``. Blocking joins on it like any other key.
    """

    rows: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    # Per distinct base value: offsets into ``flat`` (CSR), so a comparison can
    # ask "which keys does this *value* carry" without touching records.
    base_offsets: np.ndarray
    base_flat: np.ndarray


def encode(values: np.ndarray | Iterable[Any]) -> Encoded:
    """Factorise values into sorted distinct values and int32 codes.

    Sorting the distinct values makes codes depend only on the set of values,
    never on row order, which keeps results reproducible when the same records
    arrive in a different order.
    """
    import pandas as pd

    arr = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(arr, sort=True, use_na_sentinel=True)
    return Encoded(codes.astype(np.int32), np.asarray(uniques, dtype=object))


def derive(base: Encoded, fn: Callable[[str], str | None]) -> Encoded:
    """Apply ``fn`` once per distinct value of ``base`` and map back to records."""
    derived = encode([fn(v) for v in base.values])
    lookup = np.append(derived.codes, np.int32(-1))  # index -1 -> missing
    return Encoded(lookup[base.codes], derived.values)


def derive_multi(base: Encoded, fn: Callable[[str], Iterable[str]]) -> MultiEncoded:
    """Apply a set-valued ``fn`` per distinct value and explode onto records."""
    per_value = [sorted(set(fn(v))) for v in base.values]
    vocab = encode([k for keys in per_value for k in keys])
    counts = np.array([len(k) for k in per_value], dtype=np.int64)
    offsets = np.zeros(len(per_value) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = vocab.codes  # in per_value order, as encoded above
    present = np.flatnonzero(base.codes >= 0)
    base_codes = base.codes[present]
    per_record = counts[base_codes]
    rows = np.repeat(present, per_record).astype(np.int32)
    starts = np.repeat(offsets[base_codes], per_record)
    within = np.arange(rows.size, dtype=np.int64) - np.repeat(
        np.cumsum(per_record) - per_record, per_record
    )
    keys = flat[starts + within].astype(np.int32)
    return MultiEncoded(rows, keys, vocab.values, offsets, flat.astype(np.int32))


def encode_ints(key: np.ndarray) -> Encoded:
    """Encode an int64 key array (-1 = missing) into dense codes."""
    present = key >= 0
    import pandas as pd

    inverse, uniques = pd.factorize(key[present], sort=True)
    codes = np.full(key.shape[0], -1, dtype=np.int32)
    codes[present] = inverse.astype(np.int32)
    return Encoded(codes, np.asarray(uniques).astype(object))


def sorted_unique_int(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a plain sort, no hashing)."""
    out = np.sort(values, kind="stable")
    if out.size:
        out = out[np.r_[True, out[1:] != out[:-1]]]
    return out
