"""Dates as written -> ISO dates, or a short reason why not.

Birth dates are the strongest evidence after identifiers, so a wrong date is
worse than no date: impossible values (30 February, month 13) are rejected
with a reason a person can read, never guessed into something plausible.
Common spellings go through hand-written regular expressions (a few µs);
only the long tail ("Sunday, March 3rd 1985") reaches dateutil.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


DateKind = Literal["birth", "event"]


@dataclass(frozen=True, slots=True)
class DateResult:
    """A parsed date: ``iso`` ('YYYY-MM-DD') or a ``problem`` saying why not.

    Both are None when nothing was written (empty or a placeholder such as
    UNKNOWN): an absent date is not a problem worth reporting.
    """

    iso: str | None
    problem: str | None


_EMPTY = DateResult(None, None)
_PLACEHOLDERS = frozenset(
    {"", "UNKNOWN", "UNK", "N/A", "NA", "NONE", "NULL", "-", "--", "?", "NOT GIVEN"}
)
_MIN_YEAR = 1900
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_NAMES = (
    "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER "
    "NOVEMBER DECEMBER"
)
_MONTHS: dict[str, int] = {"SEPT": 9}
for _number, _name in enumerate(_MONTH_NAMES.split(), start=1):
    _MONTHS[_name] = _number
    _MONTHS[_name[:3]] = _number

# A trailing time of day ("0:00", "00:00:00.000", "12:00 PM", "T00:00:00Z").
_TIME = re.compile(
    r"[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AP]\.?M\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$"
)
_MDY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})")
_D_MON_Y = re.compile(
    r"(\d{1,2})(?:ST|ND|RD|TH)?[\s/.-]*([A-Z]{3,9})\.?[\s/.,-]*(\d{4}|\d{2})"
)
_MON_D_Y = re.compile(
    r"([A-Z]{3,9})\.?[\s/.-]*(\d{1,2})(?:ST|ND|RD|TH)?[\s/.,-]+(\d{4}|\d{2})"
)
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month]


def _full_year(two_digits: int, month: int, day: int, today: date) -> int:
    """The latest year ending in ``two_digits`` whose date is not after today.

    A birth date is never in the future, so '12/31/25' read on 2025-06-01 is
    1925. (An impossible month/day is rejected later; it only needs a year.)
    """
    year = today.year - today.year % 100 + two_digits
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _checked(
    year: int,
    month: int,
    day: int,
    *,
    two_digit_year: bool,
    raw: str,
    kind: DateKind,
    today: date,
) -> DateResult:
    """Validate year/month/day and apply the century, range and future rules."""
    if not 1 <= month <= 12 or day < 1:
        return DateResult(None, f"'{_short(raw)}' is not a real date")
    if two_digit_year:
        year = _full_year(year, month, day, today)
    if day > _days_in_month(year, month):
        return DateResult(None, f"'{_short(raw)}' is not a real date")
    if year < _MIN_YEAR:
        return DateResult(None, f"year {year} is before {_MIN_YEAR}")
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    if (year, month, day) > (today.year, today.month, today.day):
        return DateResult(None, f"{kind} date {iso} is in the future")
    return DateResult(iso, None)


def _month_first(first: int, second: int) -> tuple[int, int]:
    """US order (month first) unless only day-first can be a date (25/12)."""
    if first > 12 and 1 <= second <= 12:
        return second, first
    return first, second


def _fast(text: str) -> tuple[int, int, int, bool] | None:
    """(year, month, day, two_digit_year) from the common spellings, or None."""
    if text.isdigit():
        if len(text) == 8:
            if text[:2] in ("19", "20"):  # YYYYMMDD
                return int(text[:4]), int(text[4:6]), int(text[6:]), False
            return int(text[4:]), int(text[:2]), int(text[2:4]), False  # MMDDYYYY
        if len(text) == 6:  # MMDDYY
            return int(text[4:]), int(text[:2]), int(text[2:4]), True
        return None
    if m := _MDY.fullmatch(text):
        month, day = _month_first(int(m[1]), int(m[3]))
        return int(m[4]), month, day, len(m[4]) == 2
    if m := _YMD.fullmatch(text):
        return int(m[1]), int(m[3]), int(m[4]), False
    if (m := _D_MON_Y.fullmatch(text)) and m[2] in _MONTHS:
        return int(m[3]), _MONTHS[m[2]], int(m[1]), len(m[3]) == 2
    if (m := _MON_D_Y.fullmatch(text)) and m[1] in _MONTHS:
        return int(m[3]), _MONTHS[m[1]], int(m[2]), len(m[3]) == 2
    return None


def _slow(text: str) -> tuple[int, int, int, bool] | str:
    """dateutil for the long tail: the parts, or why there are none.

    dateutil fills missing parts from a default date, so the text is parsed
    against two different defaults: any part that changes was never written
    ('March 1985' is not a birth date).
    """
    from dateutil import parser  # type: ignore[import-untyped]  # rare: lazy import

    try:
        # ignoretz: a date has no zone, and unknown zone names warn (or fail).
        one = parser.parse(text, default=datetime(2000, 1, 1), ignoretz=True)
        two = parser.parse(text, default=datetime(2001, 2, 2), ignoretz=True)
    except (ValueError, OverflowError):
        return "is not a date"
    if one.date() != two.date():
        return "is not a full date"
    if _FOUR_DIGITS.search(text) is None:  # dateutil chose the century itself
        return one.year % 100, one.month, one.day, True
    return one.year, one.month, one.day, False


@_cached
def _parse(text: str | None, kind: DateKind, today: date) -> DateResult:
    if kind not in ("birth", "event"):
        raise ValueError(f"kind must be 'birth' or 'event', not {kind!r}")
    if text is None:
        return _EMPTY
    raw = text.strip()
    upper = raw.upper()
    if upper in _PLACEHOLDERS:
        return _EMPTY
    if ":" in upper:
        upper = _TIME.sub("", upper, count=1)
    parts = _fast(upper)
    if parts is None:
        # Text without a digit ("SEE NOTES") cannot be a full date; skip dateutil.
        slow = _slow(upper) if any(c.isdigit() for c in upper) else "is not a date"
        if isinstance(slow, str):
            return DateResult(None, f"'{_short(raw)}' {slow}")
        parts = slow
    year, month, day, two_digit = parts
    return _checked(
        year, month, day, two_digit_year=two_digit, raw=raw, kind=kind, today=today
    )


def parse_date(
    text: str | None,
    *,
    kind: DateKind = "birth",
    today: date | None = None,
) -> DateResult:
    """Read a date in any common US spelling.

    Numbers are month first (US); when the first is over 12 and the second is
    not, they are read day first (25/12/1985). Two-digit years take the
    latest century that keeps the date on or before ``today``. Dates before
    1900 and dates after ``today`` are rejected for both kinds: neither a
    birth nor an arrest, offence or filing can be in the future, and these
    systems hold nothing from before 1900, so such a year is a typo.

    Args:
        text: the date as written (time parts such as "0:00" are ignored).
        kind: "birth" or "event"; only changes the wording of problems.
        today: the reference date (tests pin it); defaults to today.

    Returns:
        ``DateResult(iso, None)``, ``DateResult(None, problem)``, or
        ``DateResult(None, None)`` for an empty or placeholder value.

    Example:
        >>> parse_date("3/4/85", today=date(2024, 1, 1))
        DateResult(iso='1985-03-04', problem=None)
        >>> parse_date("02/30/1985").problem
        "'02/30/1985' is not a real date"
    """
    return _parse(text, kind, today or date.today())


_AGE = re.compile(r"(\d{1,3})(?:\.\d+)?\s*(?:Y|YR|YRS|YEAR|YEARS|YO|Y/O|YOA)?\.?")


@_cached
def parse_age(text: str | None) -> int | None:
    """An age in whole years (0..120) from "34", "34.0", "34 YRS" or "34 y/o".

    Example:
        >>> parse_age("34 YRS"), parse_age("34.0"), parse_age("212")
        (34, 34, None)
    """
    if text is None:
        return None
    m = _AGE.fullmatch(text.strip().upper())
    if m is None:
        return None
    age = int(m[1])
    return age if age <= 120 else None


@_cached
def swap_day_month(iso: str | None) -> str | None:
    """The same ISO date with day and month exchanged, when that is a date too.

    Clerks type 03/04 for 4 March as often as for 3 April; matching treats a
    swapped birth date as partial agreement.

    Returns:
        The swapped ISO date, or None when the swap is not a date, is the same
        date (03/03), or the input is not an ISO date.

    Example:
        >>> swap_day_month("1985-03-04"), swap_day_month("1985-03-13")
        ('1985-04-03', None)
    """
    if iso is None or len(iso) != 10 or iso[4] != "-" or iso[7] != "-":
        return None
    try:
        year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:])
    except ValueError:
        return None
    if day == month or not 1 <= day <= 12 or not 1 <= month <= 12:
        return None
    if month > _days_in_month(year, day):
        return None
    return f"{year:04d}-{day:02d}-{month:02d}"
