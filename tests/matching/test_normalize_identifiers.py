"""Identifiers and court case numbers."""

from __future__ import annotations

import doctest
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.normalize import case_number, clean_identifier, identifiers

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("IL-1234 567", "IL1234567"),
        (" il 1234567 ", "IL1234567"),
        ("123-45-6789", "123456789"),
        ("123456AB7", "123456AB7"),
        ("123456.0", "123456"),
        ("0012345", "0012345"),  # leading zeros are part of the identifier
        ("0", None),
        ("00000", None),
        ("000-00-0000", None),
        ("UNK", None),
        ("unknown", None),
        ("N/A", None),
        ("NONE", None),
        ("null", None),
        ("XXXX", None),
        ("", None),
        ("  -- ", None),
        (None, None),
    ],
)
def test_clean_identifier(raw: str | None, cleaned: str | None) -> None:
    assert clean_identifier(raw) == cleaned


@pytest.mark.parametrize(
    "raw",
    [
        "2015-CR-0012345",
        "15CR0012345-01",
        "15 CR 12345",
        "2015CR12345",
        "15-cr-012345",
        "2015-cr-12345-3",
        "15/CR/12345",
        "15*CR*12345",
        " 2015 CR 0012345 ",
    ],
)
def test_case_number_spellings_agree(raw: str) -> None:
    assert case_number(raw, today=TODAY) == "2015-CR-0012345"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("99CR1", "1999-CR-0000001"),
        ("25F123", "2025-F-0000123"),  # this year
        ("26F123", "1926-F-0000123"),  # not after today
        ("2024-DUI-7654321", "2024-DUI-7654321"),
        ("00JV5", "2000-JV-0000005"),
        # Layouts that are not YY/YYYY-TYPE-SEQ keep their cleaned spelling.
        ("49D01-1501-F-12", "49D011501F12"),
        ("2031-CR-1", "2031CR1"),  # a year after today is not a case year
        ("12345", "12345"),
        ("2015-CR-12345678", "2015CR12345678"),  # sequence too long
        ("CR-2015-12345", "CR201512345"),
    ],
)
def test_case_number_forms(raw: str, canonical: str) -> None:
    assert case_number(raw, today=TODAY) == canonical


@pytest.mark.parametrize("raw", [None, "", "  ", "N/A", "UNKNOWN", "0000"])
def test_case_number_empty(raw: str | None) -> None:
    assert case_number(raw, today=TODAY) is None


identifier_text = st.text(
    alphabet=st.sampled_from(list("0123456789ABCRFXUNKcrf -/._*#")), max_size=24
)


@given(identifier_text)
def test_clean_identifier_is_idempotent_alphanumeric(text: str) -> None:
    cleaned = clean_identifier(text)
    if cleaned is not None:
        assert cleaned.isalnum()
        assert cleaned.isascii()
        assert cleaned == cleaned.upper()
    assert clean_identifier(cleaned) == cleaned


@given(identifier_text)
def test_case_number_is_idempotent_and_never_loses_a_value(text: str) -> None:
    canonical = case_number(text, today=TODAY)
    assert case_number(canonical, today=TODAY) == canonical
    if clean_identifier(text) is not None:
        assert canonical is not None


@given(
    st.integers(min_value=1990, max_value=2025),
    st.sampled_from(["CR", "CF", "CM", "TR", "F", "DUI"]),
    st.integers(min_value=0, max_value=9_999_999),
    st.sampled_from(["{y}-{t}-{n:07d}", "{yy}{t}{n}", "{yy} {t} {n}-01", "{y}{t}{n}"]),
)
def test_case_number_parts_survive(year: int, kind: str, seq: int, layout: str) -> None:
    text = layout.format(y=year, yy=f"{year % 100:02d}", t=kind.lower(), n=seq)
    assert case_number(text, today=TODAY) == f"{year}-{kind}-{seq:07d}"


def test_docstring_examples() -> None:
    """The Example blocks other engineers read must stay true."""
    result = doctest.testmod(identifiers)
    assert result.attempted > 0
    assert result.failed == 0
