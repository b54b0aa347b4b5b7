"""Which column of an export holds which canonical field.

Each agency names its columns its own way (DEF_NAME, SUBJECT NAME, LNAME...),
so the importer guesses a mapping from the header names, falls back to the
values where a header says nothing useful, and lets the user correct the guess
with ``FIELD=COLUMN`` overrides. The guess explains itself (`ColumnGuess.reason`)
because a wrong mapping silently poisons every match made from the import.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from app.errors import InputError
from matching.fields import FIELD_NAMES, is_field_name

__all__ = ["ColumnGuess", "Mapping", "apply_overrides", "guess_mapping"]

HEADER_CONFIDENCE = 0.95
SAMPLE_LIMIT = 200  # rows of content looked at; more adds time, not certainty
_MIN_VALUES = 3  # fewer filled cells than this say nothing about a column


@dataclass(frozen=True, slots=True)
class ColumnGuess:
    """One column mapped onto a field, and why (shown to the user)."""

    field: str
    column: str
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class Mapping:
    """Field name -> the column header, exactly as it appears in the file.

    `basis` records how each field was mapped ("header", "content" or
    "override") for `describe`; it is not part of equality or of the JSON,
    which stays the plain ``{field: column}`` object the workspace stores.
    """

    columns: dict[str, str]
    basis: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        bad = [f for f in self.columns if not is_field_name(f)]
        if bad:
            raise ValueError(f"not field names: {', '.join(bad)}")
        if len(set(self.columns.values())) != len(self.columns):
            raise ValueError("a column is mapped to more than one field")

    def to_json(self) -> str:
        """The mapping as a JSON object ``{field: column}``, in field order."""
        return json.dumps(dict(_in_field_order(self.columns)), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """Read what `to_json` wrote; raises ValueError on anything else."""
        data = json.loads(text)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError("a mapping is a JSON object of field -> column name")
        return cls(data)

    def unmapped(self, headers: Sequence[str]) -> list[str]:
        """The file's columns no field reads, in file order."""
        used = set(self.columns.values())
        return [h for h in headers if h not in used]

    def describe(self, headers: Sequence[str]) -> list[str]:
        """Lines for the preview, e.g. ``full_name      <- DEF_NAME (header)``."""
        width = max([14, *(len(f) for f in self.columns)])
        lines = []
        for name, column in _in_field_order(self.columns):
            how = f" ({self.basis[name]})" if name in self.basis else ""
            gone = "" if column in headers else " [not in this file]"
            lines.append(f"{name:<{width}} <- {column}{how}{gone}")
        if rest := self.unmapped(headers):
            lines.append(f"unmapped: {', '.join(rest)}")
        return lines


def _in_field_order(columns: dict[str, str]) -> list[tuple[str, str]]:
    order = {name: i for i, name in enumerate(FIELD_NAMES)}
    return sorted(columns.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


# --- header names ------------------------------------------------------------------

# One field per line ("field: NAME / NAME"); a field may take several lines.
_NAMES = """
full_name: DEF_NAME / DEFENDANT / DEFENDANT NAME / NAME / SUBJECT NAME / FULL NAME
full_name: ARRESTEE / ARRESTEE NAME / OFFENDER NAME / PARTY NAME
last_name: LNAME / LAST / LAST NAME / SURNAME / LAST_NM / FAMILY NAME / NAME LAST
first_name: FNAME / FIRST / FIRST NAME / GIVEN NAME / FIRST_NM / NAME FIRST
middle_name: MNAME / MIDDLE / MI / MIDDLE NAME / MIDDLE INITIAL / MIDDLE_NM
suffix: SFX / SUFFIX / NAME SUFFIX / SUFF
dob: DOB / BIRTH DATE / DATE OF BIRTH / BIRTH_DT / BDATE / BIRTHDATE
age: AGE / AGE AT ARREST / AGE AT OFFENSE / ARREST AGE
sex: SEX / GENDER / SEX CODE
race: RACE / RACE CODE / RACE ETHNICITY
street: ADDR / ADDRESS / STREET / RES ADDRESS / STREET ADDRESS / HOME ADDRESS
street: RESIDENCE ADDRESS
city: CITY / TOWN
state: ST / STATE
zip: ZIP / ZIPCODE / POSTAL / POSTAL CODE / ZIP CODE
statute: STATUTE / STATUTE CITED / ILCS / CHAPTER / STATUTE CODE
charge: CHARGE / CHARGE DESC / OFFENSE / OFFENSE DESCRIPTION / CHARGE DESCRIPTION
charge: OFFENSE DESC / CHARGE TEXT
disposition: DISPOSITION / DISP / OUTCOME / FINDING / DISPOSITION DESC
event_date: ARREST DATE / OFFENSE DATE / OFFENSE DT / EVENT DATE / ARREST DT
event_date: DATE OF ARREST / DATE OF OFFENSE / INCIDENT DATE
"""
# Identifiers are written "BOOKING", "BOOKING #", "BOOKING NO", "BOOKING NBR"...
_ID_BASES: dict[str, tuple[str, ...]] = {
    "booking_number": ("BOOKING", "CB", "JAIL BOOKING"),
    "ir_number": ("IR",),
    "sid": ("SID", "STATE ID", "ISP"),
    "fbi_number": ("FBI",),
    "case_number": ("CASE", "DOCKET", "COURT CASE"),
    "record_id": ("RECORD ID", "ID", "ROW ID", "RECORD", "REC ID"),
    "id_ssn": ("SSN", "SOCIAL SECURITY", "SS"),
    "id_dl": ("DL", "DRIVERS LICENSE", "DRIVER LICENSE", "DLN"),
}
_ID_SUFFIXES = ("", "NO", "NUM", "NUMBER", "NBR")
# The date of the offence or arrest says most about an event; filing and
# disposition dates come later and are used only when nothing better is there.
_LATER_DATES: dict[str, float] = {
    "FILING DATE": 0.75,
    "FILE DATE": 0.75,
    "FILED DATE": 0.75,
    "DATE FILED": 0.75,
    "FILING DT": 0.75,
    "DISPOSITION DATE": 0.6,
    "DISP DATE": 0.6,
    "DISP DT": 0.6,
    "SENTENCE DATE": 0.6,
}
# "DEF_DOB", "SUBJ RACE", "RES CITY": a role in front of a known name.
_PREFIXES: tuple[str, ...] = (
    "defendant",
    "def",
    "subject",
    "subj",
    "arrestee",
    "offender",
    "inmate",
)
_PREFIXES += ("suspect", "person", "party", "residence", "res", "home")


def normalise_header(header: str) -> str:
    """Casefold and drop everything but letters and digits: "Booking #" -> "booking"."""
    return re.sub(r"[\W_]+", "", header.casefold())


def _synonyms() -> dict[str, tuple[str, float]]:
    table: dict[str, tuple[str, float]] = {}

    def add(name: str, target: str, confidence: float) -> None:
        key = normalise_header(name)
        assert table.get(key, (target,))[0] == target, f"{name} maps twice"
        table.setdefault(key, (target, confidence))

    for line in _NAMES.strip().splitlines():
        target, names = line.split(":")
        for name in names.split("/"):
            add(name.strip(), target, HEADER_CONFIDENCE)
    for target, bases in _ID_BASES.items():
        for base in bases:
            for suffix in _ID_SUFFIXES:
                add(f"{base} {suffix}", target, HEADER_CONFIDENCE)
    for name, confidence in _LATER_DATES.items():
        add(name, "event_date", confidence)
    return table


_SYNONYMS = _synonyms()


def _header_guess(header: str) -> ColumnGuess | None:
    """Look the header up as it is, then without a role prefix or trailing digits."""
    key = normalise_header(header)
    if key in _SYNONYMS:
        target, confidence = _SYNONYMS[key]
        return ColumnGuess(target, header, confidence, f"header '{header}'")
    bare = key.rstrip("0123456789")  # ADDRESS1, CHARGE_1
    for prefix in ("", *_PREFIXES):
        if not bare.startswith(prefix) or (rest := bare[len(prefix) :]) == key:
            continue
        target, confidence = _SYNONYMS.get(rest, ("", 0.0))
        if target and not (prefix and target == "record_id"):  # PERSON_ID: not ours
            return ColumnGuess(
                target, header, confidence - 0.1, f"header '{header}' read as '{rest}'"
            )
    return None


# --- content -----------------------------------------------------------------------

_SEX_VALUES = {"M", "F", "MALE", "FEMALE"}
_SEX_OTHER = {"U", "X", "UNK", "UNKNOWN"}
_STATES = {
    *("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID"),
    *("IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO"),
    *("MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA"),
    *("PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"),
}
_ZIP = re.compile(r"\d{5}(-?\d{4})?")
_PART = r"[^\W\d_](?:[^\W\d_]|['’. -])*"
_LAST_FIRST = re.compile(rf"{_PART},\s*{_PART}")
_MONTHS: tuple[str, ...] = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN")
_MONTHS += ("JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?)?"
_ISO = re.compile(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}")
_US = re.compile(rf"(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}")
_COMPACT = re.compile(r"((?:19|20)\d\d)(\d\d)(\d\d)")
_MON = re.compile(rf"(\d{{1,2}})[- ]?([A-Z]{{3}})[A-Z]*[- ,]*(\d{{4}}|\d{{2}}){_TIME}")


def _year(value: str, this_year: int) -> int | None:
    """The year of a date-shaped value, or None; deliberately simple, because
    this only asks "is this column dates?", not "which date exactly?"."""
    if m := _ISO.fullmatch(value) or _COMPACT.fullmatch(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _US.fullmatch(value):
        year, month, day = int(m[3]), int(m[1]), int(m[2])
        if month > 12:  # day first
            month, day = day, month
    elif (m := _MON.fullmatch(value.upper())) and m[2] in _MONTHS:
        year, month, day = int(m[3]), _MONTHS.index(m[2]) + 1, int(m[1])
    else:
        return None
    if year < 100:
        year += 2000 if year <= this_year % 100 else 1900
    return year if 1 <= month <= 12 and 1 <= day <= 31 else None


def _content_guesses(
    columns: dict[str, list[str]], this_year: int
) -> list[ColumnGuess]:
    """Guess fields for columns whose header said nothing, from their values."""

    def share(values: list[str], test: Callable[[str], object]) -> float:
        return sum(1 for v in values if test(v)) / len(values)

    guesses = []
    births: list[tuple[float, str, int]] = []
    for column, values in columns.items():
        n = len(values)
        upper = [v.upper() for v in values]
        if share(upper, (_SEX_VALUES | _SEX_OTHER).__contains__) >= 0.9 and (
            share(upper, _SEX_VALUES.__contains__) >= 0.5
        ):
            guesses.append(_said(column, "sex", 0.7, n, "are M/F/MALE/FEMALE"))
        elif share(upper, _STATES.__contains__) >= 0.9:
            guesses.append(_said(column, "state", 0.55, n, "are state codes"))
        elif share(values, _ZIP.fullmatch) >= 0.9 and (n < 20 or len(set(values)) < n):
            guesses.append(_said(column, "zip", 0.6, n, "are 5-digit ZIP codes"))
        elif share(values, _LAST_FIRST.fullmatch) >= 0.8:
            guesses.append(
                _said(column, "full_name", 0.6, n, "look like 'LAST, FIRST'")
            )
        else:
            years = [y for v in values if (y := _year(v, this_year))]
            born = [y for y in years if 1900 <= y <= this_year - 10]
            if len(years) >= 0.8 * n and len(born) >= 0.8 * len(years):
                births.append((median(born), column, n))
    if births:  # the oldest dates are the births; later ones are events
        _, column, n = min(births)
        guesses.append(_said(column, "dob", 0.6, n, "are dates with birth years"))
    return guesses


def _said(
    column: str, target: str, confidence: float, n: int, what: str
) -> ColumnGuess:
    return ColumnGuess(target, column, confidence, f"content: its {n} values {what}")


# --- guessing and overriding -------------------------------------------------------


def guess_mapping(
    headers: Sequence[str], sample: Sequence[Sequence[str]]
) -> tuple[Mapping, list[ColumnGuess]]:
    """Guess the field of each column from its header, then from its values.

    Each field gets at most one column and each column at most one field; the
    more confident guess wins. When both a full name and first and last name
    columns are found, the parts are kept (they need no splitting).

    Args:
        headers: the column names, as the reader gives them.
        sample: the first rows (only the first `SAMPLE_LIMIT` are looked at).

    Returns:
        The mapping and the accepted guesses in column order, with reasons.

    Example:
        >>> mapping, _ = guess_mapping(["DEF_NAME", "BIRTH_DT"], [])
        >>> mapping.columns
        {'full_name': 'DEF_NAME', 'dob': 'BIRTH_DT'}
    """
    unique = list(dict.fromkeys(headers))  # readers refuse duplicates; be safe
    candidates = [g for h in unique if (g := _header_guess(h))]
    silent = [h for h in unique if h and not any(g.column == h for g in candidates)]
    position = {h: i for i, h in reversed(list(enumerate(headers)))}  # first wins
    values: dict[str, list[str]] = {h: [] for h in silent}
    for row in sample[:SAMPLE_LIMIT]:
        for h in silent:
            i = position[h]
            if i < len(row) and (v := row[i].strip()):
                values[h].append(v)
    filled = {h: v for h, v in values.items() if len(v) >= _MIN_VALUES}
    candidates += _content_guesses(filled, date.today().year)
    chosen = _assign(candidates, position)
    if {"first_name", "last_name"} <= chosen.keys():
        chosen.pop("full_name", None)
    accepted = sorted(chosen.values(), key=lambda g: position[g.column])
    mapping = Mapping(
        {g.field: g.column for g in accepted},
        {
            g.field: "content" if g.reason.startswith("content") else "header"
            for g in accepted
        },
    )
    return mapping, accepted


def _assign(
    candidates: Iterable[ColumnGuess], position: dict[str, int]
) -> dict[str, ColumnGuess]:
    """Greedy: best guesses first, each field and each column used once."""
    chosen: dict[str, ColumnGuess] = {}
    taken: set[str] = set()
    for g in sorted(candidates, key=lambda g: (-g.confidence, position[g.column])):
        if g.field not in chosen and g.column not in taken:
            chosen[g.field] = g
            taken.add(g.column)
    return chosen


def apply_overrides(
    mapping: Mapping,
    overrides: Sequence[str],
    headers: Sequence[str],
    *,
    path: str | os.PathLike[str],
) -> Mapping:
    """Apply the user's ``FIELD=COLUMN`` corrections; ``FIELD=`` unmaps a field.

    The column is matched exactly, else ignoring case. A column given to a field
    is taken away from whatever field it was guessed for.

    Raises:
        InputError: an override is malformed, names an unknown field or a
            column the file does not have, or contradicts another override.
    """
    columns = dict(mapping.columns)
    basis = dict(mapping.basis)
    given: dict[str, str] = {}  # field -> override, to catch contradictions
    for text in overrides:
        name, sep, wanted = text.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise InputError(
                path,
                f"can't read the override '{text}'; write FIELD=COLUMN (for example"
                " dob=BIRTH_DT), or FIELD= to leave a field unmapped",
            )
        if not is_field_name(name):
            raise InputError(
                path,
                f"unknown field '{name}' in '{text}'; the fields are:"
                f" {', '.join(FIELD_NAMES)}, or id_NAME for any other identifier",
            )
        if name in given:
            raise InputError(path, f"'{given[name]}' and '{text}' both set {name}")
        given[name] = text
        columns.pop(name, None)
        basis.pop(name, None)
        if not wanted.strip():
            continue
        column = _find_column(wanted.strip(), headers, path)
        for other, used in list(columns.items()):
            if used == column:
                if other in given:
                    raise InputError(
                        path, f"'{given[other]}' and '{text}' both use column {column}"
                    )
                del columns[other]
                basis.pop(other, None)
        columns[name] = column
        basis[name] = "override"
    return Mapping(columns, basis)


def _find_column(
    wanted: str, headers: Sequence[str], path: str | os.PathLike[str]
) -> str:
    if wanted in headers:
        return wanted
    matches = [h for h in headers if h.casefold() == wanted.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(
            path, f"'{wanted}' matches columns {', '.join(matches)}; use the exact name"
        )
    raise InputError(
        path, f"no column '{wanted}'; the columns are: {', '.join(headers)}"
    )
