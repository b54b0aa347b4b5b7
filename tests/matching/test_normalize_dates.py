"""Dates, ages and day/month swaps."""

from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.normalize import DateResult, dates, parse_age, parse_date, swap_day_month

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("03/04/1985", "1985-03-04"),
        ("3/4/85", "1985-03-04"),
        ("03-04-1985", "1985-03-04"),
        ("03.04.1985", "1985-03-04"),
        ("1985-03-04", "1985-03-04"),
        ("1985/03/04", "1985-03-04"),
        ("19850304", "1985-03-04"),
        ("03041985", "1985-03-04"),
        ("030485", "1985-03-04"),
        ("04-MAR-85", "1985-03-04"),
        ("04-Mar-1985", "1985-03-04"),
        ("04MAR1985", "1985-03-04"),
        ("MAR 4 1985", "1985-03-04"),
        ("Mar. 4, 1985", "1985-03-04"),
        ("March 4, 1985", "1985-03-04"),
        ("March 4th, 1985", "1985-03-04"),
        ("Sept 4 1985", "1985-09-04"),
        ("4 March 1985", "1985-03-04"),
        ("1985-03-04 00:00:00", "1985-03-04"),
        ("1985-03-04 00:00:00.000", "1985-03-04"),
        ("3/4/1985 0:00", "1985-03-04"),
        ("3/4/1985 12:00 PM", "1985-03-04"),
        ("1985-03-04T00:00:00", "1985-03-04"),
        ("1985-03-04T00:00:00Z", "1985-03-04"),
        ("1985-03-04T10:30:00+05:00", "1985-03-04"),
        ("  03/04/1985  ", "1985-03-04"),
        ("Monday, March 4th 1985", "1985-03-04"),  # dateutil fallback
        ("25/12/1985", "1985-12-25"),  # first number > 12: day first
        ("2/29/2000", "2000-02-29"),
        ("2/29/00", "2000-02-29"),
    ],
)
def test_parse_date_spellings(raw: str, iso: str) -> None:
    assert parse_date(raw, today=TODAY) == DateResult(iso, None)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("01/01/25", "2025-01-01"),  # on or before today: this century
        ("06/01/25", "2025-06-01"),  # today itself
        ("06/02/25", "1925-06-02"),  # a day after today: last century
        ("12/31/25", "1925-12-31"),
        ("1/1/30", "1930-01-01"),
        ("1/1/99", "1999-01-01"),
        ("1/1/00", "2000-01-01"),
    ],
)
def test_two_digit_years_are_never_in_the_future(raw: str, iso: str) -> None:
    assert parse_date(raw, today=TODAY).iso == iso
    assert parse_date(raw, kind="event", today=TODAY).iso == iso


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("02/30/1985", "'02/30/1985' is not a real date"),
        ("2/29/1985", "'2/29/1985' is not a real date"),
        ("02/29/1900", "'02/29/1900' is not a real date"),
        ("13/13/1985", "'13/13/1985' is not a real date"),
        ("1985-13-01", "'1985-13-01' is not a real date"),
        ("00/00/0000", "'00/00/0000' is not a real date"),
        ("04/31/1985", "'04/31/1985' is not a real date"),
        ("FEB 30 1985", "'FEB 30 1985' is not a real date"),
        ("01/01/2031", "birth date 2031-01-01 is in the future"),
        ("06/02/2025", "birth date 2025-06-02 is in the future"),
        ("1812-01-01", "year 1812 is before 1900"),
        ("01/01/0001", "year 1 is before 1900"),
        ("hello", "'hello' is not a date"),
        ("March 1985", "'March 1985' is not a full date"),
        ("1985", "'1985' is not a full date"),
        ("12345", "'12345' is not a date"),
    ],
)
def test_parse_date_rejects_with_a_reason(raw: str, problem: str) -> None:
    assert parse_date(raw, today=TODAY) == DateResult(None, problem)


def test_event_dates_in_the_future_are_rejected_as_events() -> None:
    assert parse_date("2030-01-01", kind="event", today=TODAY) == DateResult(
        None, "event date 2030-01-01 is in the future"
    )


def test_long_garbage_is_shortened_in_the_problem() -> None:
    problem = parse_date("x" * 200, today=TODAY).problem
    assert problem is not None
    assert len(problem) < 80


@pytest.mark.parametrize("raw", [None, "", "   ", "UNKNOWN", "unk", "N/A", "NULL", "-"])
def test_empty_dates_are_not_problems(raw: str | None) -> None:
    assert parse_date(raw, today=TODAY) == DateResult(None, None)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be"):
        parse_date("1985-03-04", kind="arrest", today=TODAY)  # type: ignore[arg-type]


def test_default_today_rejects_tomorrow() -> None:
    tomorrow = date.today() + timedelta(days=1)
    assert parse_date(tomorrow.isoformat()).problem is not None
    assert parse_date(date.today().isoformat()).iso == date.today().isoformat()


real_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(real_dates)
def test_every_real_date_round_trips_in_each_spelling(d: date) -> None:
    spellings = [
        d.isoformat(),
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month:02d}-{d.day:02d}-{d.year}",
        d.strftime("%Y%m%d"),
        d.strftime("%d-%b-%Y").upper(),
        d.strftime("%B %d, %Y"),
        f"{d.isoformat()} 00:00:00",
    ]
    for text in spellings:
        assert parse_date(text, today=TODAY).iso == d.isoformat(), text


@given(st.text(max_size=30))
def test_parse_date_is_idempotent_and_consistent(text: str) -> None:
    result = parse_date(text, today=TODAY)
    assert result.iso is None or result.problem is None
    if result.iso is not None:
        assert "1900-01-01" <= result.iso <= TODAY.isoformat()
        assert parse_date(result.iso, today=TODAY) == result


@pytest.mark.parametrize(
    ("raw", "age"),
    [
        ("34", 34),
        (" 34 ", 34),
        ("34.0", 34),
        ("34.5", 34),
        ("34 YRS", 34),
        ("34 yrs", 34),
        ("34 years", 34),
        ("34Y", 34),
        ("34 y/o", 34),
        ("0", 0),
        ("120", 120),
        ("121", None),
        ("212", None),
        ("-3", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_age(raw: str | None, age: int | None) -> None:
    assert parse_age(raw) == age


@pytest.mark.parametrize(
    ("iso", "swapped"),
    [
        ("1985-03-04", "1985-04-03"),
        ("1985-12-01", "1985-01-12"),
        ("1985-03-03", None),  # same date
        ("1985-03-13", None),  # no month 13
        ("1985-01-31", None),
        ("1985-02-30", None),
        ("1985-04-02", "1985-02-04"),
        ("not a date", None),
        ("1985-3-4", None),
        (None, None),
    ],
)
def test_swap_day_month(iso: str | None, swapped: str | None) -> None:
    assert swap_day_month(iso) == swapped


@given(real_dates)
def test_swap_day_month_is_an_involution(d: date) -> None:
    swapped = swap_day_month(d.isoformat())
    if swapped is not None:
        assert swapped != d.isoformat()
        assert swap_day_month(swapped) == d.isoformat()
        assert date.fromisoformat(swapped)  # a real date


def test_docstring_examples() -> None:
    """The Example blocks other engineers read must stay true."""
    result = doctest.testmod(dates)
    assert result.attempted > 0
    assert result.failed == 0
