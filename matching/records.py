"""Turn one source row's mapped values into canonical, normalised fields.

The importer calls this once per row, so it is the hot path of a million-row
import: a batch is normalised column by column, each distinct value once, and
every normaliser is also cached on its input across batches. The original
values are kept by the caller; what comes back here is only ever stored *beside* them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from matching.fields import EXTRA_ID_PATTERN
from matching.normalize import (
    NameParts,
    case_number,
    clean_city,
    clean_identifier,
    clean_state,
    clean_street,
    clean_zip,
    normalise_name_parts,
    parse_age,
    parse_date,
    race_code,
    sex_code,
    split_full_name,
)

# The normalised columns stored per record, in storage order.
STORED_FIELDS: tuple[str, ...] = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "age",
    "sex",
    "race",
    "street",
    "city",
    "state",
    "zip",
    "booking_number",
    "ir_number",
    "sid",
    "fbi_number",
    "case_number",
    "event_date",
    "statute",
    "charge",
    "disposition",
)

_AS_WRITTEN = ("statute", "charge", "disposition")
# The mapped fields normalise_record reads (besides id_* extras).
_INPUT_FIELDS = (*STORED_FIELDS[:4], "full_name", *STORED_FIELDS[4:])
_T = TypeVar("_T")
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class NormalisedRecord:
    """Canonical values (``STORED_FIELDS`` order), extra ids and field problems."""

    values: tuple[str | int | None, ...]
    extra_ids: dict[str, str]
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, str | int | None]:
        return dict(zip(STORED_FIELDS, self.values, strict=True))

    def values_hash(self) -> str:
        """SHA-256 of the canonical values: what the ledger's evidence is checked by."""
        return values_hash(self.values, self.extra_ids)


def values_hash(
    values: Sequence[str | int | None], extra_ids: Mapping[str, str] | None
) -> str:
    """SHA-256 over the stored values, recomputable from the workspace alone.

    Fields are joined by the ASCII unit separator with NUL for a missing value
    (neither occurs in normalised text), so no JSON encoding is needed on the
    import's hot path and ``audit --verify`` can recompute it from the columns.
    """
    parts = ["\x00" if v is None else str(v) for v in values]
    if extra_ids:
        parts.extend(f"{k}={v}" for k, v in sorted(extra_ids.items()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _as_date(iso: str) -> date:
    return date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]))


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _names(
    first: str | None,
    middle: str | None,
    last: str | None,
    suffix: str | None,
    full: str | None,
) -> NameParts:
    """The name parts; a one-box name is split only when no part is mapped."""
    if full and not (_text(first) or _text(last)):
        parts = split_full_name(full)
        first, middle, last = parts.first, middle or parts.middle, parts.last
        suffix = suffix or parts.suffix
    return normalise_name_parts(first, middle, last, suffix)


def _dates(
    dob_text: str | None, event_text: str | None, today: date
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(dob, event date, problems): the two dates are read together."""
    problems: list[str] = []
    event: str | None = None
    if event_text:
        result = parse_date(event_text, kind="event", today=today)
        event = result.iso
        if result.problem:
            problems.append(f"event_date: {result.problem}")
    dob: str | None = None
    if dob_text:
        result = parse_date(dob_text, kind="birth", today=today)
        if result.iso and event and result.iso > event:
            # Nobody is born after their own arrest: a two-digit year ("01-MAY-05"
            # on a 1987 arrest) belongs to the century before. A four-digit year
            # does not re-resolve, so it is kept as written.
            earlier = parse_date(dob_text, kind="birth", today=_as_date(event))
            if earlier.iso is not None and earlier.problem is None:
                result = earlier
        dob = result.iso
        if result.problem:
            problems.append(f"dob: {result.problem}")
    return dob, event, tuple(problems)


def _age(text: str | None) -> tuple[int | None, tuple[str, ...]]:
    if not text or not text.strip():
        return None, ()
    age = parse_age(text)
    if age is None:
        return None, (f"age: '{text.strip()}' is not an age",)
    return age, ()


def normalise_record(
    raw: Mapping[str, str],
    *,
    today: date | None = None,
    extra_fields: Sequence[str] | None = None,
) -> NormalisedRecord:
    """Normalise one row's mapped values (field name -> value as written).

    A value that cannot be read (a 30 February birth date, an age of 212) is
    not guessed: the field stays empty and a problem is recorded, so the row is
    still imported and a person can see why the field is blank.

    Args:
        raw: canonical field name -> the cell as written; absent or empty
            fields are simply missing.
        today: the date two-digit years are resolved against (tests pin it).
        extra_fields: the ``id_*`` fields present, when the caller knows them
            (a batch); otherwise every key is checked.

    Returns:
        The normalised values, extra identifiers and problems.

    Example:
        >>> r = normalise_record({"full_name": "Garcia-Lopez, José Jr.",
        ...                       "dob": "3/4/85"})
        >>> r.as_dict()["last_name"], r.as_dict()["suffix"], r.as_dict()["dob"]
        ('GARCIA LOPEZ', 'JR', '1985-03-04')
    """
    if extra_fields is None:
        extra_fields = [f for f in raw if EXTRA_ID_PATTERN.match(f)]
    fields = [*_INPUT_FIELDS, *extra_fields]
    row = tuple(raw.get(f) or "" for f in fields)
    values, extra, problems, _ = normalise_batch(fields, [row], today)[0]
    return NormalisedRecord(values=values, extra_ids=extra, problems=problems)


# A batch as the importer ships it to a worker process: the field names once,
# then each row's values in that order ("" for empty). Tuples pickle far
# cheaper than one dict per row.
BatchRow = tuple[str, ...]
NormalisedRow = tuple[
    tuple[str | int | None, ...], dict[str, str], tuple[str, ...], str
]


def normalise_batch(
    fields: Sequence[str], rows: Sequence[BatchRow], today: date | None = None
) -> list[NormalisedRow]:
    """Normalise many rows: (values, extra ids, problems, values hash) per row.

    Column by column, each distinct value (or combination: a name's parts, a
    birth date with its event date) normalised once per batch: exports repeat
    the same person, city and dates row after row (a clerk's file has a row
    per charge), so routing value by value was most of a big import's cost.
    Module-level and pure so the importer's worker process can run it.
    """
    if not rows:
        return []
    today = today or date.today()
    n = len(rows)
    columns = {
        f: [v or None for v in col]
        for f, col in zip(fields, zip(*rows, strict=True), strict=True)
    }
    blank: list[str | None] = [None] * n

    def col(field: str) -> list[str | None]:
        return columns.get(field, blank)

    names = _by_key(
        _names,
        zip(
            col("first_name"),
            col("middle_name"),
            col("last_name"),
            col("suffix"),
            col("full_name"),
            strict=True,
        ),
    )
    dates = _by_key(
        lambda d, e: _dates(d, e, today),
        zip(col("dob"), col("event_date"), strict=True),
    )
    ages = _by_value(_age, col("age"), (None, ()))
    single = [
        _by_value(fn, col(field), None)
        for field, fn in (
            ("sex", sex_code),
            ("race", race_code),
            ("street", clean_street),
            ("city", clean_city),
            ("state", clean_state),
            ("zip", clean_zip),
            ("booking_number", clean_identifier),
            ("ir_number", clean_identifier),
            ("sid", clean_identifier),
            ("fbi_number", clean_identifier),
            ("case_number", lambda v: case_number(v, today=today)),
        )
    ]
    written = [_by_value(_text, col(f), None) for f in _AS_WRITTEN]
    extras = [
        (f, _by_value(clean_identifier, columns[f], None))
        for f in fields
        if EXTRA_ID_PATTERN.match(f)
    ]
    (sex, race, street, city, state, zip_, booking, ir_no, sid, fbi, case) = single
    statute, charge, disposition = written
    out: list[NormalisedRow] = []
    for i in range(n):
        name = names[i]
        dob, event, problems = dates[i]
        age, age_problems = ages[i]
        values = (
            name.first,
            name.middle,
            name.last,
            name.suffix,
            dob,
            age,
            sex[i],
            race[i],
            street[i],
            city[i],
            state[i],
            zip_[i],
            booking[i],
            ir_no[i],
            sid[i],
            fbi[i],
            case[i],
            event,
            statute[i],
            charge[i],
            disposition[i],
        )
        extra = {f: v[i] for f, v in extras if v[i] is not None} if extras else {}
        out.append(
            (
                values,
                extra,
                problems + age_problems if age_problems else problems,
                values_hash(values, extra),
            )
        )
    return out


def _by_key(fn: Callable[..., _T], keys: Iterable[tuple[Any, ...]]) -> list[_T]:
    """``fn(*key)`` for each key, computed once per distinct key."""
    memo: dict[tuple[Any, ...], _T] = {}
    out: list[_T] = []
    for key in keys:
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            value = memo[key] = fn(*key)
        out.append(value)  # type: ignore[arg-type]
    return out


def _by_value(
    fn: Callable[[str], _T], column: Sequence[str | None], empty: _T
) -> list[_T]:
    """``fn(value)`` for each present value (``empty`` for a missing one), once
    per distinct value."""
    memo: dict[str | None, _T] = {None: empty}
    for value in set(column):
        if value not in memo:
            memo[value] = fn(value)  # type: ignore[arg-type]
    return [memo[v] for v in column]
