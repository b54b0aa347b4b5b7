"""Per-record keys derived once, before blocking and comparing.

A million records carry perhaps a hundred thousand distinct surnames, so every
derived key (phonetic code, nickname canonicals, compact surname, birth year,
swapped date) is computed once per *unique* value and mapped back with an
integer gather. Everything downstream works on integer codes: two records agree
on a field exactly when their codes are equal, which turns blocking into sorting
and most comparison levels into numpy equality tests.

First, middle and last names share one vocabulary, so "this record's first name
is that record's last name" is a code comparison too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import jellyfish
import numpy as np

from matching import normalize
from matching.encoding import (
    Encoded,
    MultiEncoded,
    derive,
    derive_multi,
    encode,
    encode_ints,
    sorted_unique_int,
)
from matching.fields import EXTRA_ID_PATTERN
from matching.multi_keys import (
    identifier_keys,
    linked_keys,
    near_identifier_keys,
    surname_tokens,
)

__all__ = [
    "EVENT_ID_COLUMNS",
    "NAME_COLUMNS",
    "PERSON_ID_COLUMNS",
    "TEXT_COLUMNS",
    "Encoded",
    "Features",
    "MultiEncoded",
    "build_features",
    "derive",
    "derive_multi",
    "encode",
    "sorted_unique_int",
]

if TYPE_CHECKING:
    import pandas as pd

NAME_COLUMNS = ("first_name", "middle_name", "last_name")
TEXT_COLUMNS = ("suffix", "dob", "sex", "race", "street", "city", "state", "zip")
PERSON_ID_COLUMNS = ("sid", "fbi_number", "ir_number")
EVENT_ID_COLUMNS = ("booking_number", "case_number")


@dataclass(frozen=True, slots=True)
class Features:
    """Everything blocking and comparisons read, for records sorted by key.

    Attributes:
        keys: int64 record keys in ascending order; position ``i`` everywhere
            below is the record with key ``keys[i]``, so ``i < j`` means
            ``keys[i] < keys[j]``.
        columns: single-valued encoded keys (raw fields and derived ones).
        multi: multi-valued keys (nickname canonicals, surname parts).
        birth_year: float32 fractional birth year (NaN if unknown).
        birth_year_from_age: True where the birth year was inferred from the
            age at an event rather than read from a date of birth.
        name_lengths: int32 length of each value of the shared name vocabulary
            (an "initial" is a name of length 1).
        dob_parts: int32 (year, month, day) per value of the dob vocabulary.
        id_columns: the identifier columns present, person ids first.
    """

    keys: np.ndarray
    columns: Mapping[str, Encoded]
    multi: Mapping[str, MultiEncoded]
    birth_year: np.ndarray
    birth_year_from_age: np.ndarray
    name_lengths: np.ndarray
    dob_parts: np.ndarray
    id_columns: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return int(self.keys.shape[0])

    def has(self, name: str) -> bool:
        """True if the feature exists and at least one record carries it."""
        if name in self.columns:
            return bool((self.columns[name].codes >= 0).any())
        if name in self.multi:
            return self.multi[name].rows.size > 0
        return False


def _clean_strings(series: pd.Series) -> np.ndarray:
    """Object array of stripped strings, None for missing or blank."""
    import pandas as pd

    values = series.to_numpy(dtype=object, na_value=None)
    out = np.empty(values.shape[0], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = np.array(
        [(" ".join(str(u).split()) or None) for u in uniques] + [None], dtype=object
    )
    out[:] = cleaned[codes]  # code -1 picks the trailing None
    return out


def _metaphone(value: str) -> str | None:
    letters = "".join(ch for ch in value if ch.isalpha())
    return jellyfish.metaphone(letters) or None if letters else None


def _initial(value: str) -> str | None:
    return value[0] if value else None


def _house_number(street: str) -> str | None:
    """The leading number of a street address ("12B MAIN ST" -> "12B")."""
    token = street.split(" ", 1)[0]
    return token if token[:1].isdigit() else None


def _alnum(value: str) -> str | None:
    """Letters and digits only: "12 COLEBATCH PL" and "12 COLEBATCHPL" agree."""
    out = "".join(ch for ch in value if ch.isalnum())
    return out or None


def _street_key(street: str) -> str | None:
    """House number + first three letters of the street name: "12 BAL".

    Survives typos past the start of the street name and in the street type
    (BALLUMBIR ST / BALLUMBIRXTREET), which an exact street key does not.
    """
    number, _, rest = street.partition(" ")
    letters = "".join(ch for ch in rest if ch.isalpha())[:3]
    if not number[:1].isdigit() or not letters:
        return None
    return f"{number} {letters}"


def _prefix(value: str) -> str | None:
    compact = normalize.compact_surname(value)
    return compact[:2] if compact else None


def _pair_key(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Order-free key of two code arrays: {a, b} as one int64, -1 if either missing."""
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    key = lo * (int(max(a.max(initial=0), b.max(initial=0))) + 1) + hi
    return np.where((a >= 0) & (b >= 0), key, -1)


def _pair_key_ordered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a, b) as one int64, -1 if either is missing."""
    key = a.astype(np.int64) * (int(b.max(initial=0)) + 1) + b
    return np.where((a >= 0) & (b >= 0), key, -1)


def _date_parts(values: np.ndarray) -> np.ndarray:
    """(year, month, day) int32 rows for ISO date strings; -1 where unreadable."""
    out = np.full((values.size, 3), -1, dtype=np.int32)
    for i, text in enumerate(values):
        try:
            out[i] = (int(text[0:4]), int(text[5:7]), int(text[8:10]))
        except (TypeError, ValueError):
            continue
    return out


def _birth_years(dob: np.ndarray, event_date: np.ndarray, age: np.ndarray) -> tuple:
    """Fractional birth year from the dob, else from event date minus age.

    Ages are whole years at the event, so the person was born between
    ``event - age - 1`` and ``event - age``; we take the middle.
    """
    import pandas as pd

    def fraction(iso: np.ndarray) -> np.ndarray:
        dates = pd.to_datetime(pd.Series(iso, dtype=object), errors="coerce")
        years = dates.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
        days = dates.dt.dayofyear.to_numpy(dtype=np.float64, na_value=np.nan)
        return years + (days - 1) / 365.25

    from_dob = fraction(dob)
    from_age = fraction(event_date) - age - 0.5
    use_age = np.isnan(from_dob) & ~np.isnan(from_age)
    years = np.where(use_age, from_age, from_dob).astype(np.float32)
    return years, use_age


def build_features(records: pd.DataFrame) -> Features:
    """Derive every blocking and comparison key from normalised records.

    Args:
        records: indexed by a unique int64 record key, with a ``source`` column
            and any of the canonical fields (missing columns are all-missing).

    Returns:
        Features for the records sorted by key.

    Raises:
        ValueError: if the index has duplicate keys.

    Example:
        >>> import pandas as pd
        >>> recs = {"source": ["a", "b"], "first_name": ["BILL", "WILLIAM"]}
        >>> f = build_features(pd.DataFrame(recs, index=[7, 3]))
        >>> f.keys.tolist(), f.columns["first_name"].codes.tolist()
        ([3, 7], [1, 0])
    """
    import pandas as pd

    if not records.index.is_unique:
        raise ValueError("record keys (the index) must be unique")
    frame = records.sort_index(kind="stable")
    n = len(frame)

    def strings(name: str) -> np.ndarray:
        if name not in frame.columns:
            return np.full(n, None, dtype=object)
        return _clean_strings(frame[name])

    columns: dict[str, Encoded] = {}
    columns["source"] = encode(strings("source"))

    # One vocabulary for all name parts, so cross-column equality is code equality.
    parts = [strings(c) for c in NAME_COLUMNS]
    names = encode(np.concatenate(parts))
    for i, col in enumerate(NAME_COLUMNS):
        columns[col] = Encoded(names.codes[i * n : (i + 1) * n], names.values)
    for col in TEXT_COLUMNS:
        columns[col] = encode(strings(col))
    columns["street_number"] = derive(columns["street"], _house_number)
    columns["street_compact"] = derive(columns["street"], _alnum)
    columns["street_key"] = derive(columns["street"], _street_key)

    first, last = columns["first_name"], columns["last_name"]
    columns["first_initial"] = derive(first, _initial)
    columns["middle_initial"] = derive(columns["middle_name"], _initial)
    columns["last_initial"] = derive(last, _initial)
    columns["first_phonetic"] = derive(first, _metaphone)
    columns["last_compact"] = derive(last, normalize.compact_surname)
    columns["last_phonetic"] = derive(columns["last_compact"], _metaphone)
    columns["last_prefix"] = derive(last, _prefix)
    columns["name_pair"] = encode_ints(_pair_key(first.codes, last.codes))
    # Initials in one vocabulary, so {first initial, last initial} is order-free:
    # JOHN SMITH and SMITHE JON both give {J, S}.
    letters = encode([v[0] if v else None for v in names.values])
    lookup = np.append(letters.codes, np.int32(-1))
    columns["initials_pair"] = encode_ints(
        _pair_key(lookup[first.codes], lookup[last.codes])
    )

    dob = columns["dob"]
    swapped = [normalize.swap_day_month(v) for v in dob.values]
    # Swapped dates live in the dob vocabulary so "x's swapped dob is y's dob"
    # is a code test; dates absent from the data get codes past the end.
    vocab = {v: i for i, v in enumerate(dob.values)}
    extra = sorted({s for s in swapped if s is not None and s not in vocab})
    vocab.update({v: len(dob.values) + i for i, v in enumerate(extra)})
    columns["dob"] = Encoded(
        dob.codes,
        np.concatenate([dob.values, np.array(extra, dtype=object)]).astype(object),
    )
    swap_lookup = np.array(
        [vocab[s] if s is not None else -1 for s in swapped] + [-1], dtype=np.int32
    )
    columns["dob_swapped"] = Encoded(swap_lookup[dob.codes], columns["dob"].values)
    columns["dob_pair"] = encode_ints(
        _pair_key(dob.codes, columns["dob_swapped"].codes)
    )

    age = (
        pd.to_numeric(frame["age"], errors="coerce").to_numpy(dtype=np.float64)
        if "age" in frame.columns
        else np.full(n, np.nan)
    )
    birth_year, from_age = _birth_years(
        strings("dob"),
        strings("event_date"),
        age,
    )
    year_key = np.where(np.isnan(birth_year), -1, np.floor(birth_year)).astype(np.int64)
    columns["birth_year"] = encode_ints(year_key)
    columns["birth_decade"] = encode_ints(np.where(year_key >= 0, year_key // 10, -1))
    columns["birth_month"] = derive(columns["dob"], lambda v: v[:7])  # YYYY-MM
    columns["birth_day"] = derive(columns["dob"], lambda v: v[5:])  # MM-DD

    id_columns = [c for c in PERSON_ID_COLUMNS if c in frame.columns]
    id_columns += sorted(c for c in frame.columns if EXTRA_ID_PATTERN.match(str(c)))
    id_columns += [c for c in EVENT_ID_COLUMNS if c in frame.columns]
    for col in id_columns:
        columns[col] = encode(strings(col))

    multi = {
        "first_variants": derive_multi(first, normalize.given_name_variants),
        "last_parts": derive_multi(last, normalize.surname_parts),
        "identifier": identifier_keys(columns, id_columns),
        "identifier_near": near_identifier_keys(
            columns, [c for c in id_columns if c not in EVENT_ID_COLUMNS]
        ),
    }
    for name, col in (("first", "first_initial"), ("last", "last_initial")):
        pair = _pair_key_ordered(columns["dob"].codes, columns[col].codes)
        multi[f"dob_{name}_linked"] = linked_keys(pair, multi["identifier"])
    multi["surname_tokens"] = surname_tokens(
        multi["last_parts"], columns["middle_name"], names.values
    )
    return Features(
        keys=frame.index.to_numpy(dtype=np.int64),
        columns=columns,
        multi=multi,
        birth_year=birth_year,
        birth_year_from_age=from_age,
        name_lengths=np.fromiter(map(len, names.values), np.int32, names.values.size),
        dob_parts=_date_parts(columns["dob"].values),
        id_columns=tuple(id_columns),
    )
