"""Turn one source row's mapped values into canonical, normalised fields.

The importer calls this once per row, so it is the hot path of a million-row
import: every normaliser it calls is cached on its input, and this function
only routes values and collects problems. The original values are kept by the
caller; what comes back here is only ever stored *beside* them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from matching.fields import EXTRA_ID_PATTERN
from matching.normalize import (
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

_IDENTIFIERS = ("booking_number", "ir_number", "sid", "fbi_number")
_AS_WRITTEN = ("statute", "charge", "disposition")


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
    get = raw.get
    problems: list[str] = []
    # Resolved once: date.today() per call was a fifth of a big import's time.
    today = today or date.today()

    first, middle, last, suffix = (
        get("first_name"),
        get("middle_name"),
        get("last_name"),
        get("suffix"),
    )
    full = get("full_name")
    if full and not (_text(first) or _text(last)):
        parts = split_full_name(full)
        first, middle, last = parts.first, middle or parts.middle, parts.last
        suffix = suffix or parts.suffix
    names = normalise_name_parts(first, middle, last, suffix)

    dates: dict[str, str | None] = {}
    for field, kind in (("event_date", "event"), ("dob", "birth")):
        text = get(field)
        dates[field] = None
        if not text:
            continue
        result = parse_date(text, kind=kind, today=today)  # type: ignore[arg-type]
        event = dates["event_date"]
        if field == "dob" and result.iso and event and result.iso > event:
            # Nobody is born after their own arrest: a two-digit year ("01-MAY-05"
            # on a 1987 arrest) belongs to the century before. A four-digit year
            # does not re-resolve, so it is kept as written.
            earlier = parse_date(text, kind=kind, today=_as_date(event))
            if earlier.iso is not None and earlier.problem is None:
                result = earlier
        dates[field] = result.iso
        if result.problem:
            problems.append(f"{field}: {result.problem}")

    age: int | None = None
    age_text = get("age")
    if age_text and age_text.strip():
        age = parse_age(age_text)
        if age is None:
            problems.append(f"age: '{age_text.strip()}' is not an age")

    ids = {field: clean_identifier(get(field)) for field in _IDENTIFIERS}
    written = {field: _text(get(field)) for field in _AS_WRITTEN}
    values: tuple[str | int | None, ...] = (
        names.first,
        names.middle,
        names.last,
        names.suffix,
        dates["dob"],
        age,
        sex_code(get("sex")),
        race_code(get("race")),
        clean_street(get("street")),
        clean_city(get("city")),
        clean_state(get("state")),
        clean_zip(get("zip")),
        ids["booking_number"],
        ids["ir_number"],
        ids["sid"],
        ids["fbi_number"],
        case_number(get("case_number"), today=today),
        dates["event_date"],
        written["statute"],
        written["charge"],
        written["disposition"],
    )
    extra: dict[str, str] = {}
    if extra_fields is None:
        extra_fields = [f for f in raw if EXTRA_ID_PATTERN.match(f)]
    for field in extra_fields:
        text = get(field)
        if text:
            cleaned = clean_identifier(text)
            if cleaned is not None:
                extra[field] = cleaned
    return NormalisedRecord(values=values, extra_ids=extra, problems=tuple(problems))


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

    Module-level and pure so a process pool can run it on the second core
    while the importer reads the file and writes the workspace.
    """
    out: list[NormalisedRow] = []
    today = today or date.today()
    extras = [f for f in fields if EXTRA_ID_PATTERN.match(f)]
    for row in rows:
        record = normalise_record(
            {f: v for f, v in zip(fields, row, strict=True) if v},
            today=today,
            extra_fields=extras,
        )
        out.append(
            (record.values, record.extra_ids, record.problems, record.values_hash())
        )
    return out
