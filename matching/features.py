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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jellyfish
import numpy as np

from matching import normalize
from matching.fields import EXTRA_ID_PATTERN

if TYPE_CHECKING:
    import pandas as pd

NAME_COLUMNS = ("first_name", "middle_name", "last_name")
TEXT_COLUMNS = ("suffix", "dob", "sex", "race", "street", "city", "state", "zip")
PERSON_ID_COLUMNS = ("sid", "fbi_number", "ir_number")
EVENT_ID_COLUMNS = ("booking_number", "case_number")


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


def _encode_ints(key: np.ndarray) -> Encoded:
    """Encode an int64 key array (-1 = missing) into dense codes."""
    present = key >= 0
    import pandas as pd

    inverse, uniques = pd.factorize(key[present], sort=True)
    codes = np.full(key.shape[0], -1, dtype=np.int32)
    codes[present] = inverse.astype(np.int32)
    return Encoded(codes, np.asarray(uniques).astype(object))


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
    columns["name_pair"] = _encode_ints(_pair_key(first.codes, last.codes))
    # Initials in one vocabulary, so {first initial, last initial} is order-free:
    # JOHN SMITH and SMITHE JON both give {J, S}.
    letters = encode([v[0] if v else None for v in names.values])
    lookup = np.append(letters.codes, np.int32(-1))
    columns["initials_pair"] = _encode_ints(
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
    columns["dob_pair"] = _encode_ints(
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
    columns["birth_year"] = _encode_ints(year_key)
    columns["birth_decade"] = _encode_ints(np.where(year_key >= 0, year_key // 10, -1))
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
        "identifier": _identifier_keys(columns, id_columns),
        "identifier_near": _near_identifier_keys(
            columns, [c for c in id_columns if c not in EVENT_ID_COLUMNS]
        ),
    }
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


def _mask_hashes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-keystroke neighbourhood of identifier strings, as int64 hashes.

    Per value: each position masked (a substitution there leaves it
    unchanged) and each adjacent pair masked (a transposition leaves it
    unchanged). Hashed with a polynomial over the bytes, vectorised, so a
    million identifiers cost no Python string per mask.

    Returns:
        ``(value_index, hash)`` for every mask of every value.
    """
    if values.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    raw = np.array([str(v).encode("utf-8") for v in values], dtype=bytes)
    width = raw.dtype.itemsize
    mat = raw.view(np.uint8).reshape(-1, width).astype(np.uint64)
    lengths = np.fromiter((len(v) for v in raw), np.int64, raw.size)
    powers = np.uint64(1_000_003) ** np.arange(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        full = (mat * powers).sum(axis=1, dtype=np.uint64)
        which, hashes = [], []
        for i in range(width):
            for span in (1, 2):
                ok = lengths >= i + span
                h = full.copy()
                for j in range(i, min(i + span, width)):
                    h -= mat[:, j] * powers[j]
                h = h * np.uint64(31) + np.uint64(i * 4 + span)
                h = h * np.uint64(1_000_033) + lengths.astype(np.uint64)
                which.append(np.flatnonzero(ok))
                hashes.append(h[ok])
    return np.concatenate(which), np.concatenate(hashes).view(np.int64)


def _near_identifier_keys(
    columns: Mapping[str, Encoded], id_columns: list[str]
) -> MultiEncoded:
    """Keys shared by person identifiers at most one keystroke apart.

    Only person identifiers: two case numbers one digit apart are two cases.
    """
    import pandas as pd

    rows, keys = [], []
    for number, col in enumerate(id_columns):
        enc = columns[col]
        value_idx, hashes = _mask_hashes(enc.values)
        hashes = hashes * 7 + number  # one column's masks never meet another's
        order = np.argsort(value_idx, kind="stable")
        value_idx, hashes = value_idx[order], hashes[order]
        counts = np.bincount(value_idx, minlength=enc.values.size)
        offsets = np.zeros(enc.values.size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        present = np.flatnonzero(enc.codes >= 0)
        per_record = counts[enc.codes[present]]
        rows.append(np.repeat(present, per_record).astype(np.int32))
        starts = np.repeat(offsets[enc.codes[present]], per_record)
        within = np.arange(per_record.sum(), dtype=np.int64) - np.repeat(
            np.cumsum(per_record) - per_record, per_record
        )
        keys.append(hashes[starts + within])
    empty = np.zeros(0, dtype=np.int32)
    all_rows = np.concatenate(rows) if rows else empty
    all_keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    dense = pd.factorize(all_keys)[0].astype(np.int32) if all_keys.size else empty
    order = np.argsort(all_rows, kind="stable")
    return MultiEncoded(
        rows=all_rows[order],
        keys=dense[order],
        values=np.array(id_columns, dtype=object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=empty,
    )


def _identifier_keys(
    columns: Mapping[str, Encoded], id_columns: list[str]
) -> MultiEncoded:
    """One exploded key per (identifier column, value): 'shares any identifier'.

    Keys of different columns never collide (a SID equal to a booking number
    says nothing), because each column's codes are offset past the previous.
    """
    rows, keys = [], []
    offset = 0
    for col in id_columns:
        enc = columns[col]
        present = np.flatnonzero(enc.codes >= 0)
        rows.append(present.astype(np.int32))
        keys.append((enc.codes[present] + offset).astype(np.int32))
        offset += len(enc.values)
    empty = np.zeros(0, dtype=np.int32)
    all_rows = np.concatenate(rows) if rows else empty
    all_keys = np.concatenate(keys) if keys else empty
    order = np.argsort(all_rows, kind="stable")
    return MultiEncoded(
        rows=all_rows[order],
        keys=all_keys[order],
        values=np.array(id_columns, dtype=object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=empty,
    )
