"""Identifiers and court case numbers, reduced to the characters that matter.

A booking number typed "2015-000123" in one system and "2015 000123" in
another names the same booking; an identifier compares exactly, so spaces and
punctuation must go. Court case numbers vary more (two- or four-digit year,
padding, a trailing count number) and get one canonical form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``lru_cache`` that keeps the wrapped signature visible to type checkers."""
    return functools.lru_cache(maxsize=2**16)(fn)  # type: ignore[return-value]


_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
# A number that went through a spreadsheet or float column: "123456.0".
_FLOAT_TAIL = re.compile(r"(\d+)\.0+")
# Cleaned values that mean "no identifier"; all zeros and XXX runs too.
_PLACEHOLDERS = frozenset(
    {"UNK", "UNKN", "UNKNOWN", "NA", "NONE", "NULL", "NOTAVAILABLE", "NOTGIVEN"}
)
_EMPTY_RUN = re.compile(r"0+|X{3,}")

# YY or YYYY, 1-3 letter case type, up to 7 digits, optional count ("-01").
_CASE = re.compile(
    r"(\d{4}|\d{2})[\s/._-]*([A-Z]{1,3})[\s/._-]*(\d{1,7})(?:[\s/._-]+\d{1,3})?"
)


@_cached
def clean_identifier(text: str | None) -> str | None:
    """Uppercase letters and digits only; None when empty or a placeholder.

    Placeholders are UNK, UNKNOWN, N/A, NONE, NULL, XXX and all-zero values
    (0, 00000): two records that both say "0" share nothing.

    Example:
        >>> clean_identifier(" il-1234 567 "), clean_identifier("123456.0")
        ('IL1234567', '123456')
        >>> clean_identifier("00000"), clean_identifier("N/A")
        (None, None)
    """
    if text is None:
        return None
    text = text.strip()
    if m := _FLOAT_TAIL.fullmatch(text):
        text = m[1]
    cleaned = _NON_ALNUM.sub("", text.upper())
    if not cleaned or cleaned in _PLACEHOLDERS or _EMPTY_RUN.fullmatch(cleaned):
        return None
    return cleaned


def _canonical_case(text: str, today: date) -> str | None:
    m = _CASE.fullmatch(text)
    if m is None:
        return None
    year = int(m[1])
    if len(m[1]) == 2:  # latest year with these digits that is not after today
        year += today.year - today.year % 100
        if year > today.year:
            year -= 100
    elif not 1900 <= year <= today.year:
        return None
    return f"{year:04d}-{m[2]}-{int(m[3]):07d}"


@_cached
def _case_number(text: str | None, today: date) -> str | None:
    if text is None:
        return None
    upper = text.strip().upper()
    cleaned = clean_identifier(upper)
    if cleaned is None:
        return None
    # The cleaned form catches odd separators ("15*CR*12345"); trying it too
    # keeps the function idempotent on its fallback output.
    return _canonical_case(upper, today) or _canonical_case(cleaned, today) or cleaned


def case_number(text: str | None, *, today: date | None = None) -> str | None:
    """One canonical form, ``YYYY-TT-NNNNNNN``, for a court case number.

    '2015-CR-0012345', '15CR0012345-01', '15 CR 12345', '2015CR12345' and
    '15-cr-012345' all become '2015-CR-0012345'. A trailing count or charge
    sequence ("-01") is dropped: it numbers a charge within the case, and
    sources differ on whether they write it. A two-digit year takes the latest
    century not after ``today``.

    Args:
        text: the case number as written.
        today: reference date for two-digit years (tests pin it).

    Returns:
        The canonical case number; for other layouts the value as cleaned by
        ``clean_identifier``, so it still compares exactly. None only for an
        empty or placeholder value.

    Example:
        >>> case_number("15cr0012345-01", today=date(2024, 1, 1))
        '2015-CR-0012345'
        >>> case_number("49D01-1501-F-12", today=date(2024, 1, 1))
        '49D011501F12'
    """
    return _case_number(text, today or date.today())
